"""Two nodes behind a round-robin balancer, for the PostgreSQL run (issue 14's scale-out).

`TAGTRAIL_CONFORMANCE_TWO_NODES=1` with a PostgreSQL database: beside `tagtrail demo` (which
seeds the ledger and serves it) a second `tagtrail serve` runs on the same database, and the
suite talks to a small balancer that sends each request to the other node than the one before,
as a load balancer without affinity would. Every test then passes through both nodes.
"""

from __future__ import annotations

import itertools
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

# Hop-by-hop headers (RFC 9110 §7.6.1) and those the balancer sets itself.
_HOP = {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length"}


class _Server(ThreadingHTTPServer):
    # The default backlog of 5 resets connections of a burst (the rate-limit test sends 60 at
    # once); a load balancer's is far deeper.
    request_queue_size = 512


class Balancer:
    """Round robin over `upstreams`, one request at a time, on 127.0.0.1:`port`."""

    def __init__(self, port: int, upstreams: list[str]):
        self.upstreams = upstreams
        self.next = itertools.cycle(range(len(upstreams)))
        self.lock = threading.Lock()
        self.sent = [0] * len(upstreams)
        self.client = httpx.Client(timeout=120.0, follow_redirects=False)
        balancer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet: the servers keep their own logs
                pass

            def _forward(self):
                with balancer.lock:
                    i = next(balancer.next)
                    balancer.sent[i] += 1
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = [(k, v) for k, v in self.headers.items() if k.lower() not in _HOP]
                try:
                    r = balancer.client.request(self.command, balancer.upstreams[i] + self.path, headers=headers, content=body)
                except httpx.HTTPError as e:
                    self.send_response(502)
                    msg = f'{{"Message":"balancer: node {i} did not answer: {e}"}}'.encode()
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(msg)))
                    self.end_headers()
                    self.wfile.write(msg)
                    return
                self.send_response(r.status_code)
                for k, v in r.headers.multi_items():
                    if k.lower() not in _HOP and k.lower() != "content-encoding":
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(r.content)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(r.content)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _forward

        self.httpd = _Server(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.client.close()
