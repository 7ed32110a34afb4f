"""Webhooks (reference §Webhooks, 5 endpoints; camelCase subscription body, §4) over the wire,
raw httpx with the suite's Basic auth (thunkmetrc-client 0.2.2 has no webhook methods). A
receiver in this process (the demo lets the ledger post to loopback) checks what tagtrail
documents in its README: a signed POST, `X-Tagtrail-Signature: v1=<hex HMAC-SHA256(secret,
timestamp + "." + body)>`, that a tampered body does not verify, and the feed items it carries."""

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from helpers import assert_message, expect_raw

RECEIVED = []


class _Hook(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        RECEIVED.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def receiver():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/hook"
    srv.shutdown()


def verify(secret: str, headers: dict, body: bytes, tolerance=300) -> bool:
    """The receiver's check, as the README shows it (header names in any case)."""
    h = {k.lower(): v for k, v in headers.items()}
    ts = h.get("x-tagtrail-timestamp", "")
    sig = h.get("x-tagtrail-signature", "")
    mac = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(sig, f"v1={mac}") and abs(time.time() - int(ts)) <= tolerance


def _subscription(api, sid):
    r = expect_raw(api.raw("GET", "/webhooks/v2"), 200)
    return next((w for w in r.json() if w["id"] == sid), None)


def test_webhooks_subscribe_deliver_disable_enable_delete(cult, manu, receiver):
    # PUT creates: the subscription with its id and, this once, its secret.
    body = {"objectType": "*", "url": receiver, "verb": "*", "status": "Active",
            "userApiKey": None, "tpiApiKey": None, "serverPublicKeyFingerprint": None,
            "template": None, "errorResponseJsonTemplate": None,
            "facilityLicenseNumbers": cult.lic}
    body = {k: v for k, v in body.items() if v is not None}
    created = expect_raw(cult.raw("PUT", "/webhooks/v2", json=body), 200).json()
    sid, secret = created["id"], created["secret"]
    assert created["status"] == "Active" and created["facilityLicenseNumbers"] == cult.lic
    # GET lists it, never the secret.
    listed = expect_raw(cult.raw("GET", "/webhooks/v2"), 200)
    assert secret not in listed.text
    assert _subscription(cult, sid)["url"] == receiver

    # The ledger delivers the license's change feed, signed.
    deadline = time.time() + 60
    while not RECEIVED and time.time() < deadline:
        time.sleep(0.2)
    assert RECEIVED, "no delivery within 60 s"
    headers, raw = RECEIVED[0]
    assert verify(secret, headers, raw)
    assert not verify(secret, headers, raw + b" ")
    payload = json.loads(raw)
    assert payload["subscriptionId"] == sid and payload["licenseNumber"] == cult.lic
    assert payload["items"] and all(i["LicenseNumber"] == cult.lic for i in payload["items"])
    assert {k.lower(): v for k, v in headers.items()}["x-tagtrail-webhook-id"].startswith("whd_")

    # Disable shows why; enable clears it.
    off = expect_raw(cult.raw("PUT", f"/webhooks/v2/disable/{sid}"), 200).json()
    assert off["status"] == "Inactive" and off["disabledReason"]
    on = expect_raw(cult.raw("PUT", f"/webhooks/v2/enable/{sid}"), 200).json()
    assert on["status"] == "Active" and on["disabledReason"] is None

    # Refusals: another license (401), bad bodies (400), unknown ids (404), no auth (401).
    assert_message(expect_raw(cult.raw("PUT", "/webhooks/v2", json={**body, "facilityLicenseNumbers": manu.lic}), 401))
    assert_message(expect_raw(cult.raw("PUT", "/webhooks/v2", json=[body]), 400))
    assert_message(expect_raw(cult.raw("PUT", "/webhooks/v2", json={**body, "url": "ftp://x/y"}), 400))
    assert_message(expect_raw(cult.raw("PUT", "/webhooks/v2/enable/99999999"), 404))

    # DELETE: empty 200; then it is gone.
    r = expect_raw(cult.raw("DELETE", f"/webhooks/v2/{sid}"), 200)
    assert r.content == b""
    assert _subscription(cult, sid) is None
    expect_raw(cult.raw("DELETE", f"/webhooks/v2/{sid}"), 404)
    assert httpx.get(cult.base_url + "/webhooks/v2").status_code == 401
