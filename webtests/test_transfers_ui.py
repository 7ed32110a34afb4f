"""Transfer pages, driven through a real browser against `tagtrail demo`: the lists, the editor
(add N packages, bulletin IV), the package-list upload, departure, the receipt screen and the
manifest PDF. Things are found through the UI, never by id."""
import re

from conftest import confirm, sign_in


def lic_of(demo, kind):
    return next(l for l in demo["creds"]["licenses"] if l["license_type"] == kind)


def tab(page, demo, lic, name):
    page.goto(f"{demo['base']}/ui/l/{lic['license_number']}/transfers?tab={name}")
    return page.inner_text("#transfers")


def line_labels(page):
    return [t.strip() for t in page.locator("#lines tbody tr td:first-child").all_inner_texts()]


def test_lists_show_the_demo_manifests(demo, page):
    dist, mfg = lic_of(demo, "distributor"), lic_of(demo, "manufacturer")
    sign_in(page, demo["base"], dist)
    outgoing = tab(page, demo, dist, "outgoing")
    assert "Sunset Dispensary" in outgoing and "Wholesale Manifest" in outgoing
    assert re.search(r"\b\d{10}\b", outgoing), "manifest numbers are listed"
    incoming = tab(page, demo, dist, "incoming")
    assert "Golden State Kitchens" in incoming
    assert "In transit" in incoming and "Received" in incoming
    assert "Transporting" in page.inner_text("main"), "a distributor has the transporting tab"
    assert "In transit" in tab(page, demo, dist, "transporting")
    # The registered wholesale manifest: its page offers what its parties may do.
    tab(page, demo, dist, "outgoing")
    # The demo's registered wholesale manifest (the retailer's day also received one from it).
    page.click("#transfers tr:has-text('Sunset Dispensary'):has-text('Registered') >> a")
    actions = page.inner_text("#actions")
    assert "Depart" in actions and "Void manifest" in actions
    assert "Wholesale" in page.inner_text("#parties")
    page.context.clear_cookies()
    sign_in(page, demo["base"], mfg)
    assert dist["license_number"] in tab(page, demo, mfg, "outgoing")
    assert "Transporting" not in page.inner_text("main")


def test_editor_upload_depart_receive_and_manifest_pdf(demo, page, browser):
    dist, mfg = lic_of(demo, "distributor"), lic_of(demo, "manufacturer")
    sign_in(page, demo["base"], dist)
    base = f"{demo['base']}/ui/l/{dist['license_number']}/transfers"
    page.goto(base)
    page.click("text=New transfer")
    available = [t.strip() for t in page.locator("#packages tbody tr td.mono").all_inner_texts()]
    assert len(available) >= 3, available
    page.select_option("#recipient", mfg["license_number"])
    page.select_option("#transfer_type", "Transfer")
    page.select_option("#driver", "D4481237")
    page.select_option("#vehicle", "8TGT123")
    page.fill("#route", "I-80 W; no stops")

    # Bulletin IV: add N packages with one click.
    page.fill("input[name=add_n]", "2")
    page.click("button[value=add]")
    assert "Added 2 package(s); 2 ticked" in page.inner_text(".flash")
    ticked = page.locator("#packages input[name=pick]:checked")
    assert ticked.count() == 2
    picked = [ticked.nth(i).get_attribute("value") for i in range(2)]
    assert picked == available[:2]
    assert page.input_value("#route") == "I-80 W; no stops", "the form keeps what was typed"
    page.click("button[value=save]")
    assert "registered" in page.inner_text(".flash")
    number = re.search(r"Manifest (\d{10})", page.inner_text("h1")).group(1)
    detail = page.url.split("?")[0]
    assert line_labels(page) == picked

    # A list with a bad line names the line and changes nothing.
    page.fill("#upload textarea[name=list]", f"Label\n{available[0]}\nnot-a-uid\n{available[0]}\n")
    page.click("#upload button")
    errors = page.inner_text(".flash.error")
    assert "Line 3" in errors and "Line 4" in errors and "line 2" in errors, errors
    assert line_labels(page) == picked
    # A good list replaces the packages.
    page.fill("#upload textarea[name=list]", f"{available[0]}\n{available[2]}\n")
    page.click("#upload button")
    assert "Package list applied: 2 package(s)" in page.inner_text(".flash")
    shipped = line_labels(page)
    assert shipped == [available[0], available[2]]

    # The distributor transports its own manifest: it departs.
    confirm(page, "Depart")
    assert "departed" in page.inner_text(".flash")
    assert "In transit" in page.inner_text("h1")
    assert "Void manifest" not in page.inner_text("#actions"), "no void after departure (rule 48)"

    # The manifest document: a PDF, to parties only.
    pdf = page.request.get(page.locator("#manifest-pdf").evaluate("a => a.href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    lab = lic_of(demo, "testing_lab")
    other = page.request.get(detail.replace(dist["license_number"], lab["license_number"]) + "/manifest.pdf")
    assert other.status != 200 and not other.body().startswith(b"%PDF")

    # The recipient decides each package: one accepted, one rejected with a reason.
    ctx = browser.new_context()
    rp = ctx.new_page()
    try:
        sign_in(rp, demo["base"], mfg)
        rbase = f"{demo['base']}/ui/l/{mfg['license_number']}/transfers"
        rp.goto(rbase + "?tab=incoming")
        rp.click(f"#transfers a:has-text('{number}')")
        rp.click("#receive-link")
        rows = rp.locator(".receipt-line")
        assert rows.count() == 2
        accept, reject = rows.nth(0), rows.nth(1)
        assert accept.locator("input[name^=qty_]").input_value() != "", "received quantity is prefilled"
        accept.locator("input[value=accept]").check()
        reject.locator("input[value=reject]").check()
        rp.click("#receipt button")
        assert "needs a reason" in rp.inner_text(".flash.error"), "rule 44: a rejection gives a reason"
        assert rp.locator(".receipt-line").nth(1).locator("input[value=reject]").is_checked()
        rp.locator(".receipt-line").nth(1).locator("input[name^=reason_]").fill("Seal broken")
        rp.click("#receipt button")
        assert "Receipt recorded: 1 accepted, 1 rejected" in rp.inner_text(".flash")
        states = rp.inner_text("#lines")
        assert "Accepted" in states and "Rejected" in states and "Seal broken" in states
    finally:
        ctx.close()

    # The shipper sees the rejection and takes the package back (rule 45).
    page.goto(base + "?tab=rejected")
    page.click(f"#transfers a:has-text('{number}')")
    confirm(page, "Take rejected packages back")
    assert "back in inventory" in page.inner_text(".flash")
    assert "Returned" in page.inner_text("#lines")
