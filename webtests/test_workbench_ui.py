"""The workbench's web UI in a browser: every page looked at on a desktop (1280 px) and a phone
(390 px) with axe-core's check, and the review workflow done as people do it (the author cannot
approve, approving asks for the code, submitting and resolving confirm first).

The workbench is the one `tagtrail demo` starts beside the ledger (its credentials.json has a
`workbench` section). TAGTRAIL_WORKBENCH_CREDS names such a file of a workbench already running;
without either, the crate's `demo_workbench` example is started (it serves the same people)."""
import base64
import hashlib
import hmac
import json
import os
import struct
import subprocess
import tempfile
import time
import urllib.request

import pytest

from conftest import HERE, free_port, look, sideways_scroll, stop

EXAMPLE = os.environ.get("TAGTRAIL_WORKBENCH_EXAMPLE",
                         os.path.join(HERE, "..", "target", "debug", "examples", "demo_workbench"))
WIDTHS = [1280, 390]


def totp(secret, at=None):
    """The current RFC 6238 code (SHA-1, 6 digits, 30 s), as an authenticator app shows it."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((at or time.time()) // 30)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1_000_000)


def wait_for(url, proc=None, log=None):
    for _ in range(600):
        try:
            urllib.request.urlopen(url + "/login", timeout=1)
            return
        except Exception:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(open(log, errors="replace").read())
            time.sleep(0.1)
    raise RuntimeError(f"the workbench at {url} did not start")


@pytest.fixture(scope="session")
def workbench(request):
    """{"url", "users": {name: {...}}} of a running workbench with the demo brand."""
    proc = None
    path = os.environ.get("TAGTRAIL_WORKBENCH_CREDS")
    section = None
    if path:
        section = json.load(open(path))["workbench"]
    else:
        creds = request.getfixturevalue("demo")["creds"]
        section = creds.get("workbench")
    if section is None:
        if not os.path.exists(EXAMPLE):
            pytest.skip("the demo has no workbench and the demo_workbench example is not built "
                        "(cargo build -p tagtrail-workbench-web --example demo_workbench)")
        data_dir = tempfile.mkdtemp(prefix="tagtrail-workbench-")
        path = os.path.join(data_dir, "credentials.json")
        log = os.path.join(data_dir, "workbench.log")
        addr = f"127.0.0.1:{free_port()}"
        proc = subprocess.Popen([EXAMPLE, addr, path], stdout=open(log, "ab"), stderr=subprocess.STDOUT)
        for _ in range(1200):
            if os.path.exists(path) and os.path.getsize(path) > 0:
                break
            if proc.poll() is not None:
                raise RuntimeError(open(log, errors="replace").read())
            time.sleep(0.1)
        section = json.load(open(path))["workbench"]
    wait_for(section["url"], proc)
    users = {u["username"]: u for u in section["users"]}
    yield {"url": section["url"].rstrip("/"), "users": users}
    if proc is not None:
        stop(proc)


ROLE_LABELS = {"Administrator": "admin", "Compliance manager": "compliance_manager",
               "Quality assurance": "qa", "Operator": "operator", "Viewer": "viewer"}


def grants(user):
    """(license, role) pairs of a user as credentials.json lists them ("LICENSE Role label"), and
    ("", "installation") for an installation administrator."""
    out = []
    for r in user.get("roles", []):
        if r == "installation administrator":
            out.append(("", "installation"))
            continue
        lic, _, label = r.partition(" ")
        out.append((lic, ROLE_LABELS.get(label, label)))
    return out


def person(wb, role):
    """A user holding `role` in some license (or "installation": an installation administrator)."""
    for u in wb["users"].values():
        if any(r == role for _, r in grants(u)):
            return u
    pytest.skip(f"no {role} in the workbench's credentials")


def sign_in(page, wb, user, with_code=True):
    page.goto(wb["url"] + "/login")
    page.fill("#username", user["username"])
    page.fill("#password", user["password"])
    if with_code:
        page.fill("#code", totp(user["totp_secret"]))
    page.click("main button[type=submit]")


def license_of(user, role=None):
    for lic, r in grants(user):
        if lic and (role is None or r == role):
            return lic
    return None


@pytest.fixture(params=WIDTHS, ids=lambda w: f"{w}px")
def sized(browser, request):
    width = request.param
    if width <= 390:
        ctx = browser.new_context(viewport={"width": width, "height": 844}, is_mobile=True, has_touch=True,
                                  device_scale_factor=2)
    else:
        ctx = browser.new_context(viewport={"width": width, "height": 900})
    pg = ctx.new_page()
    yield pg
    ctx.close()


def test_every_workbench_page_is_looked_at(workbench, sized):
    page = sized
    base = workbench["url"]
    page.goto(base + "/login")
    look(page, "wb-signin")
    admin = person(workbench, "admin")
    # A wrong sign-in keeps the name typed and says so.
    page.fill("#username", admin["username"])
    page.fill("#password", "not the password")
    page.click("main button[type=submit]")
    assert "not right" in page.inner_text("main")
    look(page, "wb-signin-refused")
    sign_in(page, workbench, admin)
    assert page.url.rstrip("/") == base
    look(page, "wb-home")
    lic = license_of(admin)
    assert lic in page.inner_text("main")
    l = f"{base}/l/{lic}"
    pages = [
        ("wb-dashboard", l),
        ("wb-outbox", l + "/outbox"),
        ("wb-outbox-review", l + "/outbox?state=review"),
        ("wb-new-choose", l + "/outbox/new"),
        ("wb-new-strains", l + "/outbox/new?kind=strains"),
        ("wb-new-locations", l + "/outbox/new?kind=locations"),
        ("wb-new-move", l + "/outbox/new?kind=move"),
        ("wb-new-finish", l + "/outbox/new?kind=finish"),
        ("wb-new-transfer", l + "/outbox/new?kind=transfer"),
        ("wb-reconciliation", l + "/reconciliation"),
        ("wb-exceptions", l + "/exceptions"),
        ("wb-sync", l + "/sync"),
        ("wb-packages", l + "/packages"),
        ("wb-manifests", l + "/manifests"),
        ("wb-audit", l + "/audit"),
        ("wb-requests", l + "/requests"),
        ("wb-settings", l + "/settings"),
        ("wb-people", base + "/admin/people"),
    ]
    for name, url in pages:
        page.goto(url)
        assert "Not found" not in page.title(), url
        look(page, name)
        if "/l/" in url:
            # Every license page says which license it is for.
            assert lic in page.inner_text(".band")
    # Each submission's page, one of each state there is.
    page.goto(l + "/outbox")
    seen = set()
    for row in page.locator("main tbody tr").all():
        state = row.locator(".state").inner_text()
        if state not in seen:
            seen.add(state)
    links = {}
    for row in page.locator("main tbody tr").all():
        state = row.locator(".state").inner_text()
        links.setdefault(state, row.locator("td a").first.get_attribute("href"))
    for state, href in links.items():
        page.goto(base + href)
        look(page, "wb-submission-" + state.lower().replace(" ", "-"))
    # A package with a history.
    page.goto(l + "/packages")
    page.locator("main tbody tr td a").first.click()
    look(page, "wb-package")
    # A page that is not there.
    page.goto(l + "/outbox/999999")
    assert page.title().startswith("Not found")
    look(page, "wb-not-found")
    page.goto(base + "/l/NO-SUCH-LICENSE")
    assert page.title().startswith("Not found")
    # The installation's administrator: the admin home, companies and people.
    root = person(workbench, "installation")
    page.click("form.signout button")
    sign_in(page, workbench, root)
    look(page, "wb-admin-home")
    page.goto(base + "/admin/companies")
    look(page, "wb-admin-companies")
    page.goto(base + "/admin/people")
    look(page, "wb-admin-people")


def test_review_needs_another_person_and_the_code(workbench, desktop):
    page = desktop
    base = workbench["url"]
    author = person(workbench, "compliance_manager")
    admin = person(workbench, "admin")
    lic = license_of(author, "compliance_manager")
    l = f"{base}/l/{lic}"
    sign_in(page, workbench, author)
    # A draft refused for a missing reason keeps what was typed.
    page.goto(l + "/outbox/new?kind=strains")
    page.fill("#d-title", "Browser strains")
    page.fill("#d-names", "Browser Kush\nBrowser Haze")
    page.fill("#d-reason", " ")
    page.click("main button:has-text('Save draft')")
    assert "say why" in page.inner_text("main").lower()
    assert page.input_value("#d-names") == "Browser Kush\nBrowser Haze"
    look(page, "wb-draft-refused")
    page.fill("#d-reason", "New menu")
    page.click("main button:has-text('Save draft')")
    assert "Preflight found nothing" in page.inner_text("main")
    url = page.url
    page.click("#actions button:has-text('Send to review')")
    assert "Waiting for review" in page.inner_text("main")
    assert page.locator("#approve-code").count() == 0, "the author is not offered approval"
    assert "cannot approve" in page.inner_text("#actions")
    page.click("form.signout button")

    sign_in(page, workbench, admin)
    page.goto(url)
    # Without a right code, nothing moves.
    page.fill("#approve-code", "000000" if totp(admin["totp_secret"]) != "000000" else "111111")
    page.click("#actions button:has-text('Approve')")
    assert "not right" in page.inner_text("main")
    assert "Waiting for review" in page.inner_text("main h1 + p")
    look(page, "wb-approve-refused")
    page.fill("#approve-code", totp(admin["totp_secret"]))
    page.click("#actions button:has-text('Approve')")
    assert "Approved" in page.inner_text("main h1 + p")
    # Submitting asks first, naming the license.
    page.click("#actions summary:has-text('Submit to Metrc')")
    panel = page.locator("#actions details[open] .confirm-panel")
    assert lic in panel.inner_text()
    look(page, "wb-submit-confirm")
    page.click("#actions details[open] button[name=confirmed]")
    main = page.inner_text("main")
    assert "Metrc accepted" in main or "did not answer yet" in main, main
    look(page, "wb-submitted")

    # An exception is resolved only when confirmed, with a reason.
    page.goto(l + "/exceptions")
    if page.locator("main section.card form").count():
        form = page.locator("main section.card form").first
        form.locator("input[value=explained]").check()
        form.locator("textarea").fill("Recounted on the floor; the count sheet had a typo.")
        form.locator("summary:has-text('Resolve')").click()
        look(page, "wb-resolve-confirm")
        form.locator("button[name=confirmed]").click()
        assert "Exception resolved" in page.inner_text("main")


def test_manifest_forms_fit_desktop_and_phone(workbench, sized):
    """The steps Metrc's API has no endpoint for: the "Register a manifest" form (which says
    so), the chooser of deliveries to receive and, when a delivery waits, its form, looked at
    on a desktop and a phone without sideways scroll."""
    page = sized
    author = person(workbench, "compliance_manager")
    sign_in(page, workbench, author)
    lics = [lic for lic, role in grants(author) if lic and role == "compliance_manager"]
    l = f"{workbench['url']}/l/{lics[0]}"
    page.goto(l + "/outbox/new?kind=manifest")
    main = page.inner_text("main")
    assert "no way of registering a manifest" in main and "Estimated departure" in main, main
    look(page, "wb-new-manifest")
    assert sideways_scroll(page) <= 0
    for lic in lics:
        page.goto(f"{workbench['url']}/l/{lic}/outbox/new?kind=receive")
        assert "Deliveries waiting to be received" in page.inner_text("main")
        look(page, "wb-new-receive")
        assert sideways_scroll(page) <= 0
        link = page.locator("main a:has-text('Receive manifest')")
        if link.count():
            link.first.click()
            assert page.locator("main input[type=radio][value=yes]:checked").count() > 0, \
                "every package starts accepted"
            look(page, "wb-receive-delivery")
            assert sideways_scroll(page) <= 0
            break
