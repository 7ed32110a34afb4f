"""The retailer's delivery forms (rule 65, §15049.3) in a real browser, at a desktop's and a
phone's width: a delivery route is created with its driver, vehicle and load (a UID typed as a
scanner types it, Enter adding a line; a refusal keeps everything typed), departed after a
confirmation, sold from after a review (what is in the van, the recipient's city, county and
ZIP), and ended after a confirmation with what came back. Every page is looked at (screenshot,
axe-core, no sideways scroll on a phone).

The demo server is shared by the whole session and its retailer sells through the day, so each
test opens its own package (the API's opening balance) and loads its own route from it."""
import base64
import json
import re
import subprocess
import urllib.request

import pytest
from conftest import BIN, confirm, look, sign_in

WIDTHS = ["desktop", "phone"]

# What the pages must never show a driver or a budtender: the API's addresses and field names.
API_WORDS = re.compile(r"/v2/|PackageLabel|UnitOfMeasure|TotalAmount|SalesDateTime|DriverName|"
                       r"VehicleMake|EndQuantity|RecipientAddress|Packages\[|Transactions\[")


def retailer(demo):
    return next(l for l in demo["creds"]["licenses"] if l["license_type"] == "retailer")


def api(demo, path, body=None):
    """A call to the ledger's Metrc API as the retailer's integration (a POST with `body`)."""
    lic = retailer(demo)
    key = base64.b64encode(f"{demo['creds']['vendor_key']}:{lic['user_key']}".encode()).decode()
    sep = "&" if "?" in path else "?"
    req = urllib.request.Request(f"{demo['base']}{path}{sep}licenseNumber={lic['license_number']}",
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": "Basic " + key,
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        text = r.read().decode()
        return json.loads(text) if text.strip() else None


def new_package(demo, quantity):
    """A new tested package of the retailer's gummies with `quantity` Each (the operator's
    opening balance, as `tagtrail admin` enters it): its UID."""
    lic = retailer(demo)
    tags = api(demo, "/tags/v2/package/available")
    tag = (tags["Data"] if isinstance(tags, dict) else tags)[0]["Label"]
    p = subprocess.run([BIN, "admin", "--database-url", demo["db"], "opening-package",
                        "--license-number", lic["license_number"], "--tag", tag,
                        "--item", "Mango Gummies 10x10mg", "--quantity", str(quantity),
                        "--unit", "Each", "--location", "Sales Floor", "--lab-state", "TestPassed"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, f"opening-package exited {p.returncode}:\n{p.stdout}\n{p.stderr}"
    return tag


def on_hand(demo, uid):
    return float(api(demo, f"/packages/v2/{uid}")["Quantity"])


def words_not_paths(page, what):
    text = page.inner_text("main")
    found = API_WORDS.search(text)
    assert not found, f"{what}: {found.group(0)!r} in {text[:400]}"


@pytest.mark.parametrize("width", WIDTHS)
def test_a_route_is_created_departed_sold_from_and_ended_rule_65(demo, request, width):
    page = request.getfixturevalue(width)
    lic = retailer(demo)
    uid = new_package(demo, 12)
    sign_in(page, demo["base"], lic)
    base = f"{demo['base']}/ui/l/{lic['license_number']}"
    page.goto(base + "/deliveries")
    look(page, "deliveries-list")
    page.click("#new-route")
    look(page, "deliveries-new-route")
    # The driver and the vehicle; a scanner types the UID and presses Enter: a line is added,
    # nothing created, and the package's item and stock show beside the line.
    page.fill("input[name=driver_id]", "EMP-500777")
    page.fill("input[name=driver_license]", "D7700123")
    page.fill("input[name=make]", "Toyota")
    page.fill("input[name=model]", "Prius")
    page.fill("input[name=plate]", "7UIT" + width[:3].upper())
    page.fill("#line-1 input[name=uid]", uid)
    page.press("#line-1 input[name=uid]", "Enter")
    page.wait_for_selector("#line-1 .line-package")
    assert "on hand" in page.inner_text("#line-1 .line-package")
    # No driver's name and more than the package holds: refused, in words, all kept.
    page.fill("#line-1 input[name=qty]", "500")
    page.click("#create-route")
    assert page.url.endswith("/deliveries/routes/new")
    assert page.input_value("input[name=plate]") == "7UIT" + width[:3].upper()
    assert page.input_value("#line-1 input[name=uid]") == uid
    assert "Line 1:" in page.inner_text("#line-1 .field-error")
    assert "Driver's name" in page.inner_text(".flash.error")
    words_not_paths(page, "a refused route")
    look(page, "deliveries-new-route-refused")
    assert on_hand(demo, uid) == 12
    # Created: the load leaves the package.
    page.fill("input[name=driver_name]", "Rosa Browser")
    page.fill("#line-1 input[name=qty]", "5")
    page.click("#create-route")
    assert re.search(r"/deliveries/routes/\d+$", page.url), page.url
    route = page.url
    assert "Route created" in page.inner_text(".flash")
    assert "Loading" in page.inner_text("#route-state")
    assert on_hand(demo, uid) == 7
    look(page, "deliveries-route-loading")
    # Departed after a confirmation.
    confirm(page, "Depart", within="#route-actions")
    assert "departed" in page.inner_text(".flash")
    assert "On the road" in page.inner_text("#route-state")
    look(page, "deliveries-route-on-the-road")
    # A sale from the van, reviewed before it is recorded.
    page.click("#sell")
    look(page, "deliveries-route-sale")
    line = page.locator("#route-sale li.sale-line", has_text=uid)
    line.locator("input[name=qty]").fill("2")
    line.locator("input[name=price]").fill("36.00")
    page.fill("input[name=name]", "Sam Browser")
    page.fill("input[name=city]", "Davis")
    page.select_option("select[name=county]", "Yolo")
    page.fill("input[name=zip]", "95616")
    page.click("#record")
    assert "Davis, Yolo County 95616" in page.inner_text("main")
    look(page, "deliveries-route-sale-review")
    page.click("button[name=confirmed]")
    assert page.url == route
    assert "Delivery sale recorded" in page.inner_text(".flash")
    assert page.locator("#route-sales a").count() == 1
    assert on_hand(demo, uid) == 7, "a sale from the van leaves the package as it is"
    # Ended after a confirmation: two of the three left come back; the third is named a loss.
    end = page.locator("#end-route li.sale-line", has_text=uid)
    end.locator("input[name=end_qty]").fill("2")
    confirm(page, "End route", within="#end-route")
    assert page.url == route
    assert "neither sold nor returned" in page.inner_text(".flash")
    assert "Ended" in page.inner_text("#route-state")
    assert on_hand(demo, uid) == 9
    words_not_paths(page, "an ended route")
    look(page, "deliveries-route-ended")
    # The sale's own page.
    page.click("#route-sales a")
    assert "Davis" in page.inner_text("#facts")
    look(page, "deliveries-sale")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_sales_delivery_is_completed_with_a_return_rule_65(demo, request, width):
    page = request.getfixturevalue(width)
    lic = retailer(demo)
    uid = new_package(demo, 6)
    # A delivery on the road, recorded by the retailer's integration.
    ids = api(demo, "/sales/v2/deliveries", [{
        "SalesDateTime": "2026-11-30T10:15:00", "SalesCustomerType": "Consumer",
        "DriverEmployeeId": "EMP-9001", "DriverName": "Dana Ruiz", "DriversLicenseNumber": "D7654321",
        "VehicleMake": "Toyota", "VehicleModel": "Prius", "VehicleLicensePlateNumber": "9DLV123",
        "RecipientAddressCity": "Sacramento", "RecipientAddressCounty": "Sacramento",
        "RecipientAddressPostalCode": "95814",
        "Transactions": [{"PackageLabel": uid, "Quantity": 3, "UnitOfMeasure": "Each", "TotalAmount": 15}]}])
    delivery = (ids.get("Ids") if isinstance(ids, dict) else ids)[0]
    assert on_hand(demo, uid) == 3
    sign_in(page, demo["base"], lic)
    base = f"{demo['base']}/ui/l/{lic['license_number']}"
    page.goto(base + "/deliveries")
    page.click(f"#sales-deliveries a[href$='/deliveries/sales/{delivery}']")
    look(page, "deliveries-sale-on-the-road")
    # One pack came back: without a reason it is refused, everything kept.
    row = page.locator("#complete-delivery li.sale-line", has_text=uid)
    row.locator("select[name=fate]").select_option("returned")
    row.locator("input[name=ret_qty]").fill("1")
    confirm(page, "Complete delivery", within="#complete-delivery")
    assert "Return reason" in page.inner_text(".flash.error")
    assert row.locator("select[name=fate]").input_value() == "returned"
    assert row.locator("input[name=ret_qty]").input_value() == "1"
    words_not_paths(page, "a refused completion")
    look(page, "deliveries-sale-refused")
    row.locator("select[name=reason]").select_option("Customer Refused")
    confirm(page, "Complete delivery", within="#complete-delivery")
    assert "Delivery completed" in page.inner_text(".flash")
    assert "Customer Refused" in page.inner_text("#returned")
    assert on_hand(demo, uid) == 4
    look(page, "deliveries-sale-completed")
