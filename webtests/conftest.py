"""Starts `tagtrail demo` on a fresh data directory and a headless Chromium (the system's,
/usr/bin/chromium: nothing is downloaded) for the web UI tests."""
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest
from playwright.sync_api import sync_playwright

BIN = os.environ.get("TAGTRAIL_BIN", os.path.join(os.path.dirname(__file__), "..", "target", "debug", "tagtrail"))
CHROMIUM = os.environ.get("TAGTRAIL_CHROMIUM", "/usr/bin/chromium")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(cmd, base, log_path):
    # The server's output goes to a file: a pipe nobody reads would fill up and stall it.
    log = open(log_path, "ab")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/openapi.json", timeout=1)
            return proc
        except Exception:
            if proc.poll() is not None:
                raise RuntimeError(open(log_path, errors="replace").read())
            time.sleep(0.1)
    raise RuntimeError("tagtrail demo did not start")


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=20)


@pytest.fixture(scope="session")
def demo():
    data_dir = tempfile.mkdtemp(prefix="tagtrail-web-")
    port = free_port()
    cmd = [BIN, "demo", "--data-dir", data_dir, "--listen", f"127.0.0.1:{port}"]
    if os.environ.get("TAGTRAIL_WEB_DATABASE_URL"):
        cmd += ["--database-url", os.environ["TAGTRAIL_WEB_DATABASE_URL"]]
    base = f"http://127.0.0.1:{port}"
    log_path = os.path.join(data_dir, "server.log")
    running = {"proc": start(cmd, base, log_path)}

    def restart():
        """Stops the server and starts it again on the same data (and address)."""
        stop(running["proc"])
        running["proc"] = start(cmd, base, log_path)

    creds = json.load(open(os.path.join(data_dir, "credentials.json")))
    yield {"base": base, "creds": creds, "data_dir": data_dir, "restart": restart,
           "db": cmd[-1] if "--database-url" in cmd else os.path.join(data_dir, "tagtrail.db")}
    stop(running["proc"])


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    pg = ctx.new_page()
    yield pg
    ctx.close()


def sign_in(page, base, lic):
    page.goto(base + "/ui")
    page.fill("#username", lic["username"])
    page.fill("#password", lic["password"])
    page.click("button[type=submit]")


def confirm(page, label, within="#actions"):
    """Takes an irreversible action: its button opens a panel saying what will happen, whose
    own button confirms (issue 9)."""
    page.click(f"{within} summary:has-text('{label}')")
    page.click(f"{within} details[open] button[name=confirmed]")
