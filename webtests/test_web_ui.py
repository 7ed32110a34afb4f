"""The web UI, driven through a real browser against `tagtrail demo`."""
import os
import re

from conftest import sign_in


def lic_of(demo, kind):
    return next(l for l in demo["creds"]["licenses"] if l["license_type"] == kind)


def test_sign_in_rejects_a_wrong_password(demo, page):
    lic = lic_of(demo, "manufacturer")
    page.goto(demo["base"] + "/ui")
    assert page.url.endswith("/ui/login")
    page.fill("#username", lic["username"])
    page.fill("#password", "not-the-password")
    page.click("button[type=submit]")
    assert "Unknown username or wrong password" in page.inner_text(".flash.error")


def test_facilities_are_scoped_to_the_employee(demo, page):
    lic = lic_of(demo, "manufacturer")
    sign_in(page, demo["base"], lic)
    text = page.inner_text("main")
    assert lic["license_number"] in text
    for other in demo["creds"]["licenses"]:
        if other["license_number"] != lic["license_number"]:
            assert other["license_number"] not in text
    # Another license's pages answer as the API would: 401, nothing shown.
    other = lic_of(demo, "retailer")
    resp = page.goto(f"{demo['base']}/ui/l/{other['license_number']}/items")
    assert resp.status == 401
    assert "not authorized" in page.inner_text(".flash.error")


def test_pages_list_the_license_data(demo, page):
    lic = lic_of(demo, "cultivator")
    sign_in(page, demo["base"], lic)
    base = f"{demo['base']}/ui/l/{lic['license_number']}"
    page.goto(base + "/items")
    assert "Blue Dream Flower" in page.inner_text("table")
    page.goto(base + "/strains")
    assert "Sour Diesel" in page.inner_text("table")
    page.goto(base + "/locations")
    assert "Greenhouse A" in page.inner_text("main")
    page.goto(base + "/employees")
    assert lic["username"] in page.inner_text("table")
    page.screenshot(path=os.path.join(demo["data_dir"], "employees.png"))


def available_count(page):
    return int(page.inner_text("#package-available").strip())


def test_receive_and_void_tags_are_journaled(demo, page):
    """Rule 11: shipped tags become available only once receipt is recorded; rule 14: void once.
    Both are irreversible, so each asks for confirmation naming what it affects (issue 9)."""
    lic = lic_of(demo, "distributor")
    sign_in(page, demo["base"], lic)
    base = f"{demo['base']}/ui/l/{lic['license_number']}"
    page.goto(base + "/tags")
    before = available_count(page)
    page.click("#orders summary:has-text('Record receipt') >> nth=0")
    page.click("#orders details[open] button[name=confirmed]")
    assert "recorded" in page.inner_text(".flash")
    assert available_count(page) == before + 10
    page.goto(base + "/tags/all?kind=Package&status=Received")
    label = page.inner_text("#tags tbody tr >> nth=0 >> td >> nth=0").strip()
    assert len(label) == 24
    for attempt in range(2):
        page.goto(base + "/tags/all")
        page.fill("form.void-tag input[name=label]", label)
        page.fill("form.void-tag input[name=reason]", "Damaged tag")
        page.click("form.void-tag button[type=submit]")
        # The confirmation names the tag before anything is written.
        assert label in page.inner_text("main")
        page.click("button[name=confirmed]")
        if attempt == 0:
            assert "voided" in page.inner_text(".flash")
        else:
            assert "already voided" in page.inner_text(".flash.error")
    page.goto(base + "/journal")
    journal = page.inner_text("table")
    assert "Record receipt of UID tags (web)" in journal
    assert "Damaged tag" in journal
    assert f"web:{lic['username']}" in journal
    page.screenshot(path=os.path.join(demo["data_dir"], "journal.png"))


def test_sign_out_ends_the_session(demo, page):
    lic = lic_of(demo, "retailer")
    sign_in(page, demo["base"], lic)
    page.click("text=Sign out")
    assert page.url.endswith("/ui/login")
    page.goto(f"{demo['base']}/ui/l/{lic['license_number']}/items")
    assert page.url.endswith("/ui/login")
