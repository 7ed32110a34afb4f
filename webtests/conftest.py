"""Starts `tagtrail demo` on a fresh data directory and a headless Chromium (the system's,
/usr/bin/chromium: nothing is downloaded) for the web UI tests."""
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import re
import urllib.request
import urllib.error
from urllib.parse import urlparse

import pytest
from playwright.sync_api import sync_playwright

BIN = os.environ.get("TAGTRAIL_BIN", os.path.join(os.path.dirname(__file__), "..", "target", "debug", "tagtrail"))
CHROMIUM = os.environ.get("TAGTRAIL_CHROMIUM", "/usr/bin/chromium")
HERE = os.path.dirname(os.path.abspath(__file__))
# axe-core from npm (webtests/run.sh installs it); the accessibility check of every page.
AXE = os.environ.get("TAGTRAIL_AXE", os.path.join(HERE, "..", ".venv-web", "axe", "node_modules", "axe-core", "axe.min.js"))
# Where each page's screenshot is saved for a reviewer to look at; "off" saves none (CI, where
# nobody looks at them: they are a ninth of the suite's time, and no check reads them).
SHOTS = os.environ.get("TAGTRAIL_SHOTS", os.path.join(HERE, "..", "target", "webtests-screenshots"))

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


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
    wport = free_port()
    cmd = [BIN, "demo", "--data-dir", data_dir, "--listen", f"127.0.0.1:{port}",
           "--workbench-listen", f"127.0.0.1:{wport}"]
    if os.environ.get("TAGTRAIL_WEB_DATABASE_URL"):
        cmd += ["--database-url", os.environ["TAGTRAIL_WEB_DATABASE_URL"]]
    base = f"http://127.0.0.1:{port}"
    log_path = os.path.join(data_dir, "server.log")
    running = {"proc": start(cmd, base, log_path)}

    def restart():
        """Stops the server and starts it again on the same data (and address)."""
        stop(running["proc"])
        running["proc"] = start(cmd, base, log_path)

    # The ledger answers first; the demo's workbench answers once it is set up and synced,
    # after credentials.json has gained its "workbench" section.
    wbase = f"http://127.0.0.1:{wport}"
    deadline = time.monotonic() + 180
    while True:
        try:
            urllib.request.urlopen(wbase + "/login", timeout=2)
            break
        except urllib.error.HTTPError:
            break
        except Exception:
            if time.monotonic() > deadline or running["proc"].poll() is not None:
                raise RuntimeError("the demo's workbench did not start; see " + log_path)
            time.sleep(0.5)
    creds = json.load(open(os.path.join(data_dir, "credentials.json")))
    yield {"base": base, "creds": creds, "workbench": wbase, "data_dir": data_dir, "restart": restart,
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


@pytest.fixture
def desktop(browser):
    """A desktop browser window (1366 px wide)."""
    ctx = browser.new_context(viewport=DESKTOP)
    pg = ctx.new_page()
    yield pg
    ctx.close()


@pytest.fixture
def phone(browser):
    """A phone (390 px wide, touch), as an inspector at a loading dock holds it."""
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    pg = ctx.new_page()
    yield pg
    ctx.close()


_axe_source = None


def axe_violations(page):
    """The serious and critical accessibility violations axe-core finds on the page. axe is
    evaluated through the browser's debugging protocol, which the page's CSP does not govern, so
    the page is checked exactly as it is served."""
    global _axe_source
    if _axe_source is None:
        with open(AXE, encoding="utf-8") as f:
            _axe_source = f.read()
    page.evaluate(_axe_source + "\n;0")
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [v for v in result if v["impact"] in ("serious", "critical")]


def sideways_scroll(page):
    """How many pixels the page scrolls sideways (0 when it fits the screen)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


# Where the suite's time goes, printed at its end: the share of looking at pages.
SPENT = {"screenshots": 0.0, "axe": 0.0, "looks": 0}


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line(
        f"looked at {SPENT['looks']} pages: {SPENT['screenshots']:.0f} s in screenshots, "
        f"{SPENT['axe']:.0f} s in axe-core")


# The kinds of page (see kind_of) looked at so far, with the window's width: the walk of every
# page (test_every_page, run last) looks only at the kinds no workflow test has looked at.
LOOKED = set()


def kind_of(url):
    """A page's kind: its path with the license, ids and UIDs taken out, and its query's keys
    without their values (every package page is one kind; every list tab another)."""
    u = urlparse(url)
    p = re.sub(r"/ui/l/[^/]+", "/ui/l/L", u.path)
    p = re.sub(r"/(\d+|[0-9A-Fa-f]{24})(?=/|$)", "/N", p)
    keys = sorted({kv.split("=")[0] for kv in u.query.split("&") if kv})
    return p + "?" + "&".join(keys)


def look(page, name, phone_fits=None):
    """Every page a test visits is looked at: a full-page screenshot saved under SHOTS (named for
    the page and the window's width; JPEG, which Chromium encodes in half the time of PNG; none
    when SHOTS is "off"),
    axe-core's check with no serious or critical violation, and on a phone no sideways scroll
    (unless phone_fits=False says the page may scroll)."""
    width = page.viewport_size["width"] if page.viewport_size else 0
    t0 = time.monotonic()
    if SHOTS != "off":
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name}-{width}.jpg"), full_page=True,
                        type="jpeg", quality=80)
    t1 = time.monotonic()
    bad = axe_violations(page)
    SPENT["screenshots"] += t1 - t0
    SPENT["axe"] += time.monotonic() - t1
    SPENT["looks"] += 1
    assert not bad, f"{name}: accessibility violations {bad}"
    if width <= PHONE["width"] and phone_fits is not False:
        assert sideways_scroll(page) <= 0, f"{name}: scrolls sideways at {width} px"
    LOOKED.add((kind_of(page.url), width))


def pytest_collection_modifyitems(items):
    """The walk of every page runs last, after the workflows have looked at theirs."""
    items.sort(key=lambda item: item.fspath.basename == "test_every_page.py")


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
