"""The Webhooks pages in Chromium: an integrator subscribes through the API with the demo's
vendor key and the distributor's user key (the demo allows private receivers, so the receiver is
a small server in this test); the distributor's manager finds the subscription from the
license's navigation, reads its deliveries, disables it (confirmed first) and enables it again,
at desktop and phone widths, with axe's check of every page. The signing secret, shown once by
the API, is on no page."""
import base64
import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import look, sign_in, confirm

DISTRIBUTOR = "C11-0000701-LIC"


class Accept(BaseHTTPRequestHandler):
    """A webhook receiver that accepts every delivery."""

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Accept)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks/tagtrail"
    server.shutdown()


def distributor(demo):
    return next(l for l in demo["creds"]["licenses"] if l["license_number"] == DISTRIBUTOR)


@pytest.fixture(scope="module")
def subscription(demo, receiver):
    """Subscribes the distributor's employee (through the demo's vendor key); id and secret."""
    lic = distributor(demo)
    key = base64.b64encode(f"{demo['creds']['vendor_key']}:{lic['user_key']}".encode()).decode()
    body = json.dumps({"objectType": "*", "verb": "*", "url": receiver, "status": "Active",
                       "facilityLicenseNumbers": DISTRIBUTOR}).encode()
    req = urllib.request.Request(f"{demo['base']}/webhooks/v2", data=body, method="PUT",
                                 headers={"Authorization": "Basic " + key,
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        created = json.loads(r.read())
    return created["id"], created["secret"]


def no_secret(page, secret):
    html = page.content()
    assert secret not in html and "whsec_" not in html


def open_list(page, demo):
    sign_in(page, demo["base"], distributor(demo))
    page.goto(f"{demo['base']}/ui/l/{DISTRIBUTOR}/dashboard")
    page.click("nav.sub a:has-text('Webhooks')")
    page.wait_for_selector("h1:has-text('Webhooks')")


def wait_for_delivery(page):
    """Reloads the subscription's page until the log shows a delivery (the worker is quick)."""
    for _ in range(60):
        if page.locator("#deliveries").count() and page.locator("#deliveries").inner_text().find("Delivered") >= 0:
            return
        page.wait_for_timeout(500)
        page.reload()
    raise AssertionError("no delivery was logged")


def test_the_manager_sees_disables_and_enables_a_subscription(desktop, demo, subscription):
    page = desktop
    hook_id, secret = subscription
    open_list(page, demo)
    card = page.locator(f"#hook-{hook_id}")
    assert card.count() == 1
    text = page.locator("main").inner_text()
    assert "/hooks/tagtrail" in text and "Active" in text
    no_secret(page, secret)
    look(page, "webhooks-list")

    card.locator("a").click()
    page.wait_for_selector(f"h1:has-text('subscription {hook_id}')")
    wait_for_delivery(page)
    no_secret(page, secret)
    look(page, "webhook-detail")

    confirm(page, "Disable", within="#disable")
    page.wait_for_selector("div.flash[role=status]")
    assert "disabled" in page.locator("div.flash[role=status]").inner_text()
    assert "Disabled by" in page.locator("main").inner_text()
    no_secret(page, secret)
    look(page, "webhook-disabled")

    page.click("#enable button[type=submit]")
    page.wait_for_selector("div.flash[role=status]:has-text('enabled')")
    assert page.locator("#disable").count() == 1
    no_secret(page, secret)


def test_the_pages_fit_a_phone(phone, demo, subscription):
    page = phone
    hook_id, secret = subscription
    sign_in(page, demo["base"], distributor(demo))
    page.goto(f"{demo['base']}/ui/l/{DISTRIBUTOR}/webhooks")
    assert page.locator(f"#hook-{hook_id}").count() == 1
    no_secret(page, secret)
    look(page, "webhooks-list")
    page.goto(f"{demo['base']}/ui/l/{DISTRIBUTOR}/webhooks/{hook_id}")
    wait_for_delivery(page)
    look(page, "webhook-detail")
    page.click("#disable summary")
    look(page, "webhook-disable-confirm")
