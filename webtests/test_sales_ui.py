"""The retailer's pages (issue 13, "Web UI") in a real browser, at a desktop's and a phone's
width: a sale rung up on the point-of-sale screen (a UID typed as a scanner types it, Enter
adding a line), refused with the wrong line named in words and everything kept, recorded
(rule 63), finalized (rule 64: no edit until unfinalized), edited with the same form and voided
after a confirmation; the receipts' tabs and the deliveries pages. Every page is looked at
(screenshot, axe-core, no sideways scroll on a phone).

The demo's retailer sells from its packages through the day, so nothing here counts what it
starts with: each test sells one unit from the sellable package with the most left."""
import os
import re

import pytest
from conftest import confirm, look, sign_in

WIDTHS = ["desktop", "phone"]
HERE = os.path.dirname(os.path.abspath(__file__))
README_SHOT = os.path.join(HERE, "..", "docs", "screenshots", "sales-pos.jpg")

# What the pages must never show a budtender: the API's addresses and field names.
API_WORDS = re.compile(r"/v2/|PackageLabel|UnitOfMeasure|TotalAmount|SalesDateTime|"
                       r"SalesCustomerType|Transactions\b|PatientLicenseNumber")


def retailer(demo):
    return next(l for l in demo["creds"]["licenses"] if l["license_type"] == "retailer")


def at(demo, page):
    lic = retailer(demo)
    sign_in(page, demo["base"], lic)
    return f"{demo['base']}/ui/l/{lic['license_number']}"


def words_not_paths(page, what):
    text = page.inner_text("main")
    assert not API_WORDS.search(text), f"{what}: {API_WORDS.search(text).group(0)!r} in {text[:400]}"


def fullest(page):
    """The sellable package with the most on hand (the UID suggestions read `item · n unit`)."""
    best, most = None, -1.0
    for o in page.locator("#sellable option").all():
        m = re.search(r"· ([\d.]+) ", o.inner_text() or o.get_attribute("label") or "")
        qty = float(m.group(1)) if m else 0.0
        if qty > most:
            best, most = o.get_attribute("value"), qty
    return best, most


@pytest.mark.parametrize("width", WIDTHS)
def test_a_sale_is_rung_up_finalized_edited_and_voided_rules_63_64(demo, request, width):
    page = request.getfixturevalue(width)
    base = at(demo, page)
    page.goto(base + "/sales")
    look(page, "sales-receipts")
    page.click("#new-sale")
    look(page, "sales-pos")
    uid, left = fullest(page)
    if uid is None or left < 1:
        pytest.skip("the demo's retailer has no sellable package with a unit left")
    # A scanner types the UID and presses Enter: a line is added, nothing recorded, and the
    # package's item and unit show beside the line.
    page.fill("#line-1 input[name=uid]", uid)
    page.press("#line-1 input[name=uid]", "Enter")
    page.wait_for_selector("#line-1 .line-package")
    assert "on hand" in page.inner_text("#line-1 .line-package")
    # Too much: refused, the line named in words, everything as typed.
    page.fill("#line-1 input[name=qty]", str(int(left) + 1000))
    page.fill("#line-1 input[name=price]", "12.50")
    page.select_option("select[name=customer]", "NonResidentConsumer")
    page.click("#record")
    assert page.url.endswith("/sales/new")
    err = page.inner_text("#line-1 .field-error")
    assert err.startswith("Line 1:") and "cannot be sold" in err, err
    assert page.input_value("#line-1 input[name=uid]") == uid
    assert page.input_value("#line-1 input[name=price]") == "12.50"
    assert page.input_value("select[name=customer]") == "NonResidentConsumer"
    words_not_paths(page, "a refused sale")
    look(page, "sales-pos-refused")
    if width == "desktop" and os.environ.get("TAGTRAIL_README_SHOTS"):
        page.screenshot(path=README_SHOT, type="jpeg", quality=80, full_page=True)
    # One unit: recorded, and the receipt's page links its line to the package.
    page.fill("#line-1 input[name=qty]", "1")
    page.click("#record")
    assert re.search(r"/sales/\d+$", page.url), page.url
    assert "Sale recorded" in page.inner_text(".flash")
    assert page.locator(f"#receipt-lines a:has-text('{uid}')").count() == 1
    look(page, "sales-receipt")
    receipt = page.url
    # Finalized (rule 64): greyed, no edit, until unfinalized.
    page.click("#receipt-actions button:has-text('Finalize')")
    assert "finalized" in page.inner_text(".flash")
    assert page.locator("#edit").count() == 0
    assert page.locator("#receipt.done").count() == 1
    look(page, "sales-receipt-finalized")
    page.goto(base + "/sales?tab=finalized")
    assert page.locator(f"#receipts a[href$='{receipt.rsplit('/', 1)[1]}']").count() == 1
    page.goto(receipt)
    page.click("#receipt-actions button:has-text('Unfinalize')")
    # Edited with the same form: a new price.
    page.click("#edit")
    assert page.input_value("#line-1 input[name=uid]") == uid
    look(page, "sales-receipt-edit")
    page.fill("#line-1 input[name=price]", "10.00")
    page.click("#record")
    assert page.url == receipt
    assert "$10.00" in page.inner_text("#receipt-total")
    # Void asks first.
    confirm(page, "Void", within="#receipt-actions")
    assert "voided" in page.inner_text(".flash")
    assert "voided" in page.inner_text("#receipt-state")
    page.goto(base + "/sales?tab=voided")
    look(page, "sales-receipts-voided")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_deliveries_pages_show_routes_and_deliveries(demo, request, width):
    page = request.getfixturevalue(width)
    base = at(demo, page)
    page.goto(base + "/deliveries")
    assert "Delivery routes" in page.inner_text("main")
    look(page, "sales-deliveries")
    route = page.locator("#routes a").first
    if route.count():
        route.click()
        assert page.locator("#route-packages").count() == 1
        look(page, "sales-route")


def test_a_grower_has_no_sales_pages(demo, desktop):
    lic = next(l for l in demo["creds"]["licenses"] if l["license_type"] == "cultivator")
    sign_in(desktop, demo["base"], lic)
    base = f"{demo['base']}/ui/l/{lic['license_number']}"
    desktop.goto(base + "/dashboard")
    assert desktop.locator("nav.sub a:has-text('Sales')").count() == 0
    r = desktop.goto(base + "/sales")
    assert r.status == 404
