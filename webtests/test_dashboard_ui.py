"""The dashboard per license (issue 9): what a person would rather look at than read. Numbers are
the fresh demo's (crates/tagtrail-demo/src): the distributor holds five active packages (its
remediated vape lot, and four that passed: the gummies lot, whose sample passed, the sample
itself, its own vapes and the cartridges it received), two manifests are overdue (the
manufacturer's distillate on the road and the wholesale manifest to the retailer that never
left, both due Nov 20, 2026, 12:30 PM), and of its opening order of 50 package tags 43 are
left, with a reorder of 10 shipped and not yet received."""
import os
import re

from conftest import look, sign_in

HERE = os.path.dirname(os.path.abspath(__file__))
README_SHOT = os.path.join(HERE, "..", "docs", "screenshots", "dashboard-desktop.png")


def lic_of(demo, kind):
    return next(l for l in demo["creds"]["licenses"] if l["license_type"] == kind)


def dashboard(demo, lic_number):
    return f"{demo['base']}/ui/l/{lic_number}/dashboard"


def number(page, selector):
    return int(page.inner_text(selector).strip())


def test_the_distributors_dashboard_shows_the_demos_counts_and_its_bars_open_the_lists(demo, desktop):
    lic = lic_of(demo, "distributor")
    sign_in(desktop, demo["base"], lic)
    # The license's own address is its dashboard, as the header's license link is.
    desktop.goto(f"{demo['base']}/ui/l/{lic['license_number']}")
    assert desktop.inner_text("h1") == "Golden State Distribution"
    assert desktop.get_attribute("nav.sub a[aria-current=page]", "href").endswith("/dashboard")
    look(desktop, "dashboard-distributor")
    if os.environ.get("TAGTRAIL_README_SHOTS"):
        os.makedirs(os.path.dirname(README_SHOT), exist_ok=True)
        desktop.screenshot(path=README_SHOT, full_page=True)

    # At a glance, and the same numbers in the charts' tables.
    assert number(desktop, "#kpi-active .n") == 5
    assert number(desktop, "#by-lab tr[data-lab=TestPassed] td.n") == 4
    assert number(desktop, "#by-lab tr[data-lab=Remediated] td.n") == 1
    assert number(desktop, "#by-lab tfoot td.n") == 5
    # The lab states' bars wear their badges' colours: passed green, remediated purple.
    svg = desktop.inner_html("#by-lab figure")
    assert "#1F6A3A" in svg and "#5B2D86" in svg
    assert number(desktop, "#kpi-overdue .n") == 2
    assert "alert" in desktop.get_attribute("#kpi-overdue", "class")
    assert number(desktop, "#kpi-transit .n") == 1
    transit = desktop.inner_text("#transit")
    for manifest in ("0000000003", "0000000004"):
        row = desktop.locator(f"#transit li:has-text('{manifest}')")
        assert "Overdue" in row.inner_text(), transit
    assert "Not departed" in desktop.inner_text("#transit li:has-text('0000000004')")
    assert "recipient and transporter" in desktop.inner_text("#transit li:has-text('0000000003')")
    assert "Nov 20, 2026, 12:30 PM PST" in transit, "the estimate in the facility's zone"
    assert number(desktop, "#tags tr[data-kind=Package] td.n >> nth=0") == 43
    assert number(desktop, "#tags tr[data-kind=Package] td.n >> nth=1") == 10
    assert number(desktop, "#kpi-tags .n") == 43
    # The journal's latest entries, in words, each leading to its entry.
    assert "Register transfer manifests" in desktop.inner_text("#latest")

    # A bar opens the package list filtered by its lab state, holding as many packages.
    desktop.click("#by-lab svg a[href$='lab=TestPassed']")
    assert re.search(r"/packages\?lab=TestPassed$", desktop.url), desktop.url
    rows = desktop.locator("#packages tbody tr")
    assert rows.count() == 4
    assert all(rows.nth(i).get_attribute("data-lab") == "TestPassed" for i in range(4))

    # A location's bar opens the list filtered by that location.
    desktop.goto(dashboard(demo, lic["license_number"]))
    assert number(desktop, "#by-location tr:has-text('Quarantine Cage') td.n") == 1
    desktop.click("#by-location svg a[href*='location=Quarantine']")
    assert "location=Quarantine+Cage" in desktop.url
    rows = desktop.locator("#packages tbody tr")
    assert rows.count() == 1 and "Quarantine Cage" in rows.inner_text()

    # An overdue manifest leads to its page.
    desktop.goto(dashboard(demo, lic["license_number"]))
    desktop.click("#transit li:has-text('0000000003') a")
    assert "0000000003" in desktop.inner_text("main")


def test_a_held_lot_is_in_its_tile_and_leads_to_its_package(demo, desktop, phone):
    lic = lic_of(demo, "manufacturer")
    for page, name in ((desktop, "desktop"), (phone, "phone")):
        sign_in(page, demo["base"], lic)
        page.goto(dashboard(demo, lic["license_number"]))
        look(page, f"dashboard-manufacturer-{name}")
        assert number(page, "#kpi-hold .n") >= 1
        assert "alert" in page.get_attribute("#kpi-hold", "class")
        lot = page.locator("#attention li:has-text('Mango Gummies')")
        assert "On hold" in lot.inner_text()
        assert "DCC embargo pending label review" in lot.inner_text()
    label = phone.inner_text("#attention li:has-text('Mango Gummies') a")
    phone.click("#attention li:has-text('Mango Gummies') a")
    assert re.search(r"/packages/\d+$", phone.url), phone.url
    assert label in phone.inner_text("main")
    assert "On hold" in phone.inner_text(".banner.hold")
    look(phone, "dashboard-held-lot-phone")


def test_on_a_phone_the_tiles_stack_and_nothing_scrolls_sideways(demo, phone):
    lic = lic_of(demo, "distributor")
    sign_in(phone, demo["base"], lic)
    phone.goto(dashboard(demo, lic["license_number"]))
    look(phone, "dashboard-distributor-phone")
    width = phone.viewport_size["width"]
    boxes = [phone.locator(f"#{t}").bounding_box() for t in ("by-lab", "attention", "transit", "tags")]
    for above, below in zip(boxes, boxes[1:]):
        assert below["y"] >= above["y"] + above["height"], "tiles are one below the other"
        assert abs(below["x"] - above["x"]) < 1
    for b in boxes:
        assert b["x"] >= 0 and b["x"] + b["width"] <= width
    for chart in phone.locator("svg.chart").all():
        b = chart.bounding_box()
        assert b["x"] + b["width"] <= width, "charts shrink to the screen"
    # Two numbers a row at a glance.
    first, second = (phone.locator("section.kpis a").nth(i).bounding_box() for i in (0, 1))
    assert abs(first["y"] - second["y"]) < 1 and second["x"] > first["x"]


def test_the_inspector_sees_the_same_dashboard_read_only(demo, desktop, phone):
    inspector = demo["creds"]["inspector"]
    distributor = lic_of(demo, "distributor")
    sign_in(desktop, demo["base"], distributor)
    desktop.goto(dashboard(demo, distributor["license_number"]))
    employee_sees = {t: desktop.inner_text(f"#{t} table") for t in ("by-lab", "by-location", "tags")}
    for page, name in ((phone, "phone"), (desktop, "desktop")):
        page.context.clear_cookies()
        sign_in(page, demo["base"], inspector)
        page.goto(dashboard(demo, distributor["license_number"]))
        look(page, f"dashboard-inspector-{name}")
        assert "Inspection (read-only)" in page.inner_text(".dash-head")
        for tile, text in employee_sees.items():
            assert page.inner_text(f"#{tile} table") == text, tile
        assert number(page, "#kpi-overdue .n") == 2
        # Nothing to post but signing out.
        assert page.locator("main form[method=post]").count() == 0


def test_a_clerk_sees_only_what_their_permissions_cover(demo, desktop):
    """The restricted clerk (View Employees, Manage Tags) gets a dashboard with the tags tile,
    not a refusal, and no package, transfer or journal tile."""
    clerk = demo["creds"]["restricted"][0]
    sign_in(desktop, demo["base"], clerk)
    desktop.goto(dashboard(demo, clerk["license_number"]))
    look(desktop, "dashboard-clerk")
    assert desktop.locator("#tags").count() == 1
    for tile in ("#by-lab", "#attention", "#transit", "#latest", "#kpi-active"):
        assert desktop.locator(tile).count() == 0, tile
    assert number(desktop, "#kpi-tags .n") == 43
