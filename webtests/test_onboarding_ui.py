"""Onboarding as the seeds describe it (000 and 001, steps 1 to 4), through a real browser at a
desktop and a phone width against `tagtrail demo`, with the operator's steps run by the
`tagtrail admin` binary against the demo's database (as conformance/ does):

1. the operator issues an annual license naming its account manager; sign-in is refused, saying
   the account-manager training is not yet recorded;
2. the operator records the training; the account manager signs in;
3. the account manager adds an employee with permissions (a refused form keeps what was typed),
   changes them, issues the employee's API key (shown once, and it works), orders tags;
4. the operator ships them; the account manager records their receipt (asked first, naming the
   order's tags); the tag's page shows its order date and a Code 128 barcode of its UID;

and every step is in the license's journal, by its door. A temporary license never opens."""
import base64
import json
import os
import re
import secrets
import subprocess
import urllib.request

import pytest

from conftest import BIN, look, sign_in

PASSWORD = "onboard-pass-2026"


def admin(demo, *args):
    env = dict(os.environ, TAGTRAIL_PASSWORD=PASSWORD)
    p = subprocess.run([BIN, "admin", "--database-url", demo["db"], *args],
                       capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 0, f"tagtrail admin {' '.join(args)} exited {p.returncode}:\n{p.stdout}\n{p.stderr}"
    return p.stdout


def api(demo, path, user_key):
    auth = base64.b64encode(f"{demo['creds']['vendor_key']}:{user_key}".encode()).decode()
    req = urllib.request.Request(demo["base"] + path, headers={"Authorization": f"Basic {auth}"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def new_license(demo, kind, manager, full_name):
    """The operator's steps 1: an account (create-employee) and a license naming it."""
    n = secrets.randbelow(9_000_000) + 1_000_000
    lic = f"C10-{n:07d}-LIC"
    admin(demo, "create-employee", "--username", manager, "--full-name", full_name,
          "--employee-license-number", f"EMP-{n}")
    out = admin(demo, "create-license", "--license-number", lic, "--license-type", "retailer",
                "--name", f"Harbor Lights {n}", "--license-kind", kind, "--account-manager", manager)
    assert lic in out
    return lic


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_onboarding_steps_1_to_4(demo, request, width):
    page = request.getfixturevalue(width)
    w = width[0]
    tag = secrets.token_hex(3)
    manager, clerk = f"am{w}{tag}", f"clerk{w}{tag}"
    base = demo["base"]

    # Step 1: the license is issued; nobody has access until the training is recorded.
    lic = new_license(demo, "annual", manager, "Alma Reyes")
    creds = {"username": manager, "password": PASSWORD}
    sign_in(page, base, creds)
    refusal = page.inner_text(".flash.error")
    assert "account-manager training" in refusal and "not yet recorded as complete" in refusal, refusal
    assert page.input_value("#username") == manager, "the username stays as typed"
    look(page, f"onboarding-refused-{w}")

    # Step 2: the operator records the training; the account manager signs in.
    out = admin(demo, "record-training", "--license-number", lic)
    assert "recorded as complete" in out
    sign_in(page, base, creds)
    assert lic in page.inner_text("main"), "the license is among the account manager's facilities"
    look(page, f"onboarding-home-{w}")

    # Step 3: an employee with permissions; a refused form keeps what was typed.
    lic_url = f"{base}/ui/l/{lic}"
    page.goto(lic_url + "/employees")
    form = "form[method=post][action$='/employees']"
    page.fill(f"{form} input[name=username]", clerk)
    page.fill(f"{form} input[name=full_name]", "Sam Okoye")
    page.fill(f"{form} input[name=employee_license_number]", f"EMP-{tag}")
    page.fill(f"{form} input[name=password]", "short")
    page.check(f"{form} input[value='View Packages']")
    page.check(f"{form} input[value='Manage Tags']")
    # The browser's own check (minlength) would stop a short password; the ledger's is tested.
    page.eval_on_selector(f"{form} input[name=password]", "e => e.removeAttribute('minlength')")
    page.click(f"{form} button[type=submit]")
    assert "A password needs at least 8 characters" in page.inner_text(".flash.error")
    assert page.input_value(f"{form} input[name=username]") == clerk, "kept as typed"
    assert page.is_checked(f"{form} input[value='Manage Tags']"), "ticks kept as typed"
    look(page, f"onboarding-employees-{w}")
    page.fill(f"{form} input[name=password]", PASSWORD)
    page.click(f"{form} button[type=submit]")
    assert "added with 2 permission(s)" in page.inner_text(".flash")
    assert "Sam Okoye" in page.inner_text("h1")
    look(page, f"onboarding-employee-{w}")

    # Permissions changed: Manage Tags off, View Employees on.
    page.uncheck("input[value='Manage Tags']")
    page.check("input[value='View Employees']")
    page.click("form[action$='/permissions'] button[type=submit]")
    assert "Permissions saved" in page.inner_text(".flash")
    facts = page.inner_text(".card")
    assert "View Employees" in facts and "Manage Tags" not in facts

    # The employee's API key: shown once, and it opens the API for that employee.
    page.click("form[action$='/key'] button[type=submit]")
    key = page.input_value("#issued-key")
    assert re.fullmatch(r"[A-Za-z0-9_-]{48}", key), key
    look(page, f"onboarding-key-{w}")
    employee_url = page.url.rsplit("/key", 1)[0]
    page.goto(employee_url)
    assert key not in page.content(), "never shown again"
    assert re.search(r"Active API keys\s+1", page.inner_text(".card"))
    facilities = api(demo, "/facilities/v2", key)
    assert [f["License"]["Number"] for f in facilities] == [lic]

    # Tags ordered by the account manager.
    page.goto(lic_url + "/tags")
    page.fill("form[action$='/tags/order'] input[name=package]", "20")
    page.click("form[action$='/tags/order'] button[type=submit]")
    placed = page.inner_text(".flash")
    order_id = re.search(r"Tag order (\d+) placed", placed).group(1)
    look(page, f"onboarding-tags-ordered-{w}")

    # Step 4: the supplier ships them; the account manager records their receipt.
    admin(demo, "ship-tags", "--order-id", order_id)
    page.reload()
    row = f"#orders tr:has(td:text-is('{order_id}'))"
    page.click(f"{row} summary:has-text('Record receipt')")
    panel = page.inner_text(f"{row} details[open]")
    assert f"order {order_id}" in panel and "20 package tags" in panel, panel
    page.click(f"{row} details[open] button[name=confirmed]")
    assert f"Receipt of tag order {order_id} recorded" in page.inner_text(".flash")
    assert page.inner_text("#package-available").strip() == "20"
    look(page, f"onboarding-tags-received-{w}")

    # Every tag, paged; a tag's page: its order date and its UID as a barcode.
    page.goto(lic_url + "/tags/all?size=10")
    assert "20 in all" in page.inner_text(".pager")
    look(page, f"onboarding-tag-list-{w}")
    page.click("#tags tbody tr >> nth=0 >> a")
    card = page.inner_text(".tag-card")
    assert "Ordered" in card and "Received, available" in card
    uid = page.inner_text("h1").strip()
    assert page.get_attribute(".barcode", "data-encodes") == uid
    assert page.locator(".barcode svg rect").count() > 20, "drawn bars"
    look(page, f"onboarding-tag-{w}")

    # The employee leaves: deactivated (asked first), and off the list.
    page.goto(employee_url)
    page.click("#deactivate summary:has-text('Deactivate')")
    assert "loses access" in page.inner_text("#deactivate details[open]")
    page.click("#deactivate details[open] button[name=confirmed]")
    assert "deactivated" in page.inner_text(".flash")
    assert clerk not in page.inner_text("#employees")

    # Each step is in the license's journal, by its door.
    page.goto(lic_url + "/journal")
    journal = page.inner_text("main")
    for entry in ["Issue a license (operator)", "Record account-manager training (operator)",
                  "Add an employee (web)", "Change an employee's permissions (web)",
                  "Issue an employee's API key (web)", "Order UID tags (web)",
                  "Ship a tag order (operator)", "Record receipt of UID tags (web)",
                  "Deactivate an employee (web)"]:
        assert entry in journal, f"{entry} missing from the journal:\n{journal}"
    look(page, f"onboarding-journal-{w}")


def test_a_temporary_license_never_opens(demo, page):
    manager = f"temp{secrets.token_hex(3)}"
    lic = new_license(demo, "temporary", manager, "Theo Marsh")
    admin(demo, "record-training", "--license-number", lic)
    sign_in(page, demo["base"], {"username": manager, "password": PASSWORD})
    refusal = page.inner_text(".flash.error")
    assert "temporary license" in refusal and lic in refusal, refusal
