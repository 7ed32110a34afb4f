"""The transfer screens (issue 9), driven through a real browser against `tagtrail demo`: the
lists as grids (sort, page size, paging, CSV, state filter) with planned times in the facility's
zone and one name per concept; the transfer page and editor at desktop and phone widths; and the
receipt screen, which shows each package's lab testing state, asks where accepted packages go,
keeps every choice of a refused receipt, and fits a phone. Every page is looked at."""
import re

from conftest import confirm, look, sign_in
from test_lab_ui import open_the_sample, record_pesticides, release_if_pending


def lic_of(demo, kind):
    return next(l for l in demo["creds"]["licenses"] if l["license_type"] == kind)


def transfers_url(demo, lic, rest=""):
    return f"{demo['base']}/ui/l/{lic['license_number']}/transfers{rest}"


def label_of_item(page, item, extra=""):
    """The tag UID of the first package of `item` offered in the editor."""
    row = page.locator(f"#packages tbody tr:has-text('{item}'){extra}").first
    assert row.count() == 1, f"a {item} package is free to ship"
    return row.locator("td.mono").inner_text().strip()


def new_transfer(page, demo, lic, recipient, labels, transporter=None):
    """Registers a transfer through the editor; returns its page's address and manifest number."""
    page.goto(transfers_url(demo, lic, "/new"))
    page.select_option("#recipient", recipient["license_number"])
    if transporter:
        page.select_option("#transporter", transporter["license_number"])
    for field, value in (("driver", "D4481237"), ("vehicle", "8TGT123")):
        if page.locator(f"#{field} option[value='{value}']").count():
            page.select_option(f"#{field}", value)
        else:
            page.fill(f"input[name={field}_other]", value)
    for label in labels:
        page.check(f"#packages input[name=pick][value='{label}']")
    page.click("button[value=save]")
    assert "registered" in page.inner_text(".flash"), page.inner_text("main")
    number = re.search(r"Manifest (\d{10})", page.inner_text("h1")).group(1)
    return page.url.split("?")[0], number


def as_license(url, frm, to):
    return url.replace(frm["license_number"], to["license_number"])


def test_the_lists_are_grids_in_the_facilitys_time(demo, desktop, phone):
    dist = lic_of(demo, "distributor")
    for page, width in ((desktop, "desktop"), (phone, "phone")):
        sign_in(page, demo["base"], dist)
        for tab in ("outgoing", "incoming", "templates", "rejected", "transporting"):
            page.goto(transfers_url(demo, dist, f"?tab={tab}"))
            look(page, f"transfers-{tab}-{width}")
        # One name per concept, explained once.
        page.goto(transfers_url(demo, dist, "?tab=incoming"))
        assert page.locator(".glossary-line").count() == 1
        assert "manifest number" in page.inner_text(".glossary-line")
        grid = page.inner_text("#transfers")
        # Planned times in the facility's zone, to the minute, not the stored text.
        assert "8:00 AM PST" in grid and "2026-11-20T08:00" not in grid
        assert page.locator("#transfers time[title$='UTC']").count() >= 2
        # A state filter, and a sortable state column.
        page.select_option("#transfer-filters select[name=status]", "InTransit")
        page.click("#transfer-filters button")
        states = page.locator("#transfers tbody tr").evaluate_all("rs => rs.map(r => r.dataset.state)")
        assert states and set(states) == {"InTransit"}, states
        page.goto(transfers_url(demo, dist, "?tab=incoming"))
        page.click("#transfers th a.sort:has-text('State')")
        assert page.locator("#transfers th[aria-sort=ascending]").count() == 1
        first = page.locator("#transfers tbody tr").evaluate_all("rs => rs.map(r => r.dataset.state)")
        assert first == sorted(first), first
        # Page size and paging.
        page.goto(transfers_url(demo, dist, "?tab=outgoing&size=10"))
        assert "page 1 of" in page.inner_text(".pager")
        assert page.locator(".pager select[name=size] option[selected]").inner_text() == "10"
        # CSV of the current view.
        csv = page.request.get(transfers_url(demo, dist, "?tab=incoming&format=csv"))
        assert csv.status == 200 and csv.text().startswith("Manifest number,")
        assert "InTransit" in csv.text()
        page.context.clear_cookies()


def test_the_transfer_page_and_the_editor_at_both_widths(demo, desktop, phone):
    dist = lic_of(demo, "distributor")
    for page, width in ((desktop, "desktop"), (phone, "phone")):
        sign_in(page, demo["base"], dist)
        page.goto(transfers_url(demo, dist, "?tab=outgoing"))
        page.click("#transfers tr:has-text('Sunset Dispensary'):has-text('Registered') >> a")
        assert page.inner_text("h1").startswith("Transfer · Manifest ")
        parties = page.inner_text("#parties")
        assert "PST" in parties and "T08:00" not in parties, "times in the facility's zone"
        assert page.locator("#lines .badge").count() >= 1, "each package's lab testing state"
        assert "Depart" in page.inner_text("#actions") and "Void manifest" in page.inner_text("#actions")
        look(page, f"transfer-page-{width}")
        page.goto(transfers_url(demo, dist, "/new"))
        # Every input is labelled (axe: the price, weight, unit and file inputs were not).
        for sel in ("input[name^=price_]", "input[name^=weight_]", "select[name^=unit_]"):
            assert page.locator(sel).first.get_attribute("aria-label"), sel
        look(page, f"transfer-editor-{width}")
        page.context.clear_cookies()


def test_receive_into_a_location_and_find_the_package_there(demo, browser, desktop, phone):
    cult, dist = lic_of(demo, "cultivator"), lic_of(demo, "distributor")
    sign_in(desktop, demo["base"], cult)
    desktop.goto(transfers_url(demo, cult, "/new"))
    trim = label_of_item(desktop, "OG Kush Trim")
    url, number = new_transfer(desktop, demo, cult, dist, [trim], transporter=dist)

    # The distributor carries it (rule 39) and receives it, on a phone.
    sign_in(phone, demo["base"], dist)
    phone.goto(as_license(url, cult, dist))
    confirm(phone, "Depart")
    assert "departed" in phone.inner_text(".flash")
    look(phone, "transfer-departed-phone")
    phone.click("#receive-link")
    look(phone, "receipt-phone")
    card = phone.locator(f".receipt-line[data-label='{trim}']")
    # Its lab testing state is shown, in a state's tone (other tests may have tested this lot).
    tones = ("passed", "failed", "treated", "testing", "untested")
    badge = card.locator(".badge[data-lab]").first
    assert badge.get_attribute("data-lab") == card.get_attribute("data-lab")
    assert any(t in (badge.get_attribute("class") or "").split() for t in tones), "its lab state"
    assert badge.inner_text().strip(), "in words"
    # Accept and Reject are on screen at 390 px, no sideways scrolling to reach them.
    for choice in ("accept", "reject"):
        box = card.locator(f"input[value={choice}]").bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, (choice, box)
    options = phone.locator("#location option").all_inner_texts()
    assert any("Quarantine Cage" in o for o in options)
    assert not any("Greenhouse" in o or "Vault" in o for o in options), "the receiver's own only"
    phone.select_option("#location", "Quarantine Cage")
    card.locator("input[value=accept]").check()
    phone.click("#receipt button")
    assert "Receipt recorded: 1 accepted, 0 rejected" in phone.inner_text(".flash")
    assert "no location yet" not in phone.inner_text(".flash")
    look(phone, "receipt-recorded-phone")

    # The package is there.
    phone.goto(f"{demo['base']}/ui/l/{dist['license_number']}/packages?location=quarantine")
    row = phone.locator(f"#packages tr:has-text('{trim}')")
    assert row.count() == 1 and "Quarantine Cage" in row.inner_text()
    look(phone, "received-in-location-phone")


def test_the_receipt_shows_a_failed_lot_and_a_refused_receipt_keeps_every_choice(demo, browser, desktop, phone, tmp_path):
    lab, dist, mfg = lic_of(demo, "testing_lab"), lic_of(demo, "distributor"), lic_of(demo, "manufacturer")
    # The laboratory fails the distributor's gummies lot (through its sample).
    lab_ctx = browser.new_context()
    try:
        lp = lab_ctx.new_page()
        sign_in(lp, demo["base"], lab)
        open_the_sample(lp, demo, lab)
        release_if_pending(lp)
        lot = lp.inner_text("#sample-facts tr:has-text('Taken from') td").strip()
        record_pesticides(lp, "failed", tmp_path)
        lp.click("#release summary:has-text('Release results')")
        lp.click("#release details[open] button[name=confirmed]")
        assert "released" in lp.inner_text(".flash")
    finally:
        lab_ctx.close()

    # The distributor ships the failed lot and a passed one to the manufacturer.
    sign_in(desktop, demo["base"], dist)
    desktop.goto(transfers_url(demo, dist, "/new"))
    failed_row = desktop.locator(f"#packages tr:has(input[value='{lot}'])")
    assert failed_row.locator(".badge.failed").count() == 1, "the editor shows the lot failed"
    passed = label_of_item(desktop, "Blue Dream Vape", ":has(.badge.passed)")
    url, number = new_transfer(desktop, demo, dist, mfg, [lot, passed])
    confirm(desktop, "Depart")
    assert "departed" in desktop.inner_text(".flash")
    assert desktop.locator(f"#lines tr[data-lab=TestFailed]").count() == 1

    for page, width in ((phone, "phone"), (desktop, "desktop")):
        page.context.clear_cookies()
        sign_in(page, demo["base"], mfg)
        page.goto(as_license(url, dist, mfg) + "/receive")
        # The failed lot reads as failed at a glance; the passed one as passed.
        assert "failed lab testing" in page.inner_text("#receipt-failed")
        bad = page.locator(f".receipt-line[data-label='{lot}']")
        good = page.locator(f".receipt-line[data-label='{passed}']")
        assert bad.locator(".badge.failed").count() == 1 and "may not be sold" in bad.inner_text()
        assert good.locator(".badge.passed").count() == 1
        look(page, f"receipt-failed-lot-{width}")

    # A refused receipt keeps every choice: decisions, quantity, each location.
    page = desktop
    page.select_option("#location", "Packaging Line")
    bad.locator("input[value=reject]").check()
    good.locator("input[value=accept]").check()
    good.locator("input[name^=qty_]").fill("299")
    good.locator("select[name^=loc_]").select_option("Finished Goods")
    page.click("#receipt button")
    assert "needs a reason" in page.inner_text(".flash.error")
    assert "needs a reason" in bad.locator(".field-error").inner_text(), "the problem is on its card"
    assert bad.locator("input[value=reject]").is_checked()
    assert good.locator("input[value=accept]").is_checked()
    assert good.locator("input[name^=qty_]").input_value() == "299"
    assert good.locator("select[name^=loc_]").input_value() == "Finished Goods"
    assert page.locator("#location").input_value() == "Packaging Line"
    look(page, "receipt-refused-desktop")
    # Both go back to the shipper, so the distributor's stock is as it was.
    bad.locator("input[name^=reason_]").fill("Failed lab testing")
    good.locator("input[value=reject]").check()
    good.locator("input[name^=reason_]").fill("Not ordered")
    page.click("#receipt button")
    assert "Receipt recorded: 0 accepted, 2 rejected" in page.inner_text(".flash")
    page.context.clear_cookies()
    sign_in(page, demo["base"], dist)
    page.goto(url)
    confirm(page, "Take rejected packages back")
    assert "back in inventory" in page.inner_text(".flash")
