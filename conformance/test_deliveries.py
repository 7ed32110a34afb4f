"""Retail delivery (reference §Sales, the delivery endpoints; rule 65, §15049.3; rules 49 and 63
through the sale lines): sales deliveries recorded, edited, completed with a return and voided;
the hub steps (no California license is a sales delivery hub: 401); retailer deliveries — the
delivery inventory ledger — created, edited and voided before departure, departed, sold from,
restocked and ended. Every delivery call goes through the PyPI client (thunkmetrc-client 0.2.2 knows all 23 of
them); package quantities are read raw. Assertions are about the wire and relative quantity
changes, since the suite shares one demo server."""

import pytest

from helpers import (
    assert_envelope,
    assert_ids,
    assert_message,
    assert_pascal,
    assert_rows,
    call_empty,
    expect_error,
    expect_raw,
)

COURIER = {
    "DriverEmployeeId": "EMP-9001",
    "DriverName": "Dana Ruiz",
    "DriversLicenseNumber": "D7654321",
    "PhoneNumberForQuestions": "916-555-0199",
    "VehicleMake": "Toyota",
    "VehicleModel": "Prius",
    "VehicleLicensePlateNumber": "9DLV123",
}


def call(api, method, path, body=None, **params):
    return api.raw(method, path, params={"licenseNumber": api.lic, **params}, json=body)


def stock(api, n=2):
    """The retailer's `n` largest passed packages counted in Each (label, quantity)."""
    rows = assert_envelope(expect_raw(call(api, "GET", "/packages/v2/active"), 200).json())
    usable = [
        p for p in rows
        if p["UnitOfMeasureName"] == "Each" and p["LabTestingState"] in ("TestPassed", "RetestPassed")
        and not p.get("IsOnHold") and p["Quantity"] >= 20
    ]
    usable.sort(key=lambda p: -p["Quantity"])
    if len(usable) < n:
        pytest.skip(f"the demo retailer has {len(usable)} sellable packages of 20 Each or more")
    return [p["Label"] for p in usable[:n]]


def quantity(api, label):
    return expect_raw(call(api, "GET", f"/packages/v2/{label}"), 200).json()["Quantity"]


def delivery(label, qty, **over):
    d = dict(COURIER)
    d.update({
        "SalesDateTime": "2026-11-30T10:15:00",
        "SalesCustomerType": "Consumer",
        "RecipientName": "Pat Lee",
        "RecipientAddressStreet1": "1500 Capitol Ave",
        "RecipientAddressCity": "Sacramento",
        "RecipientAddressCounty": "Sacramento",
        "RecipientAddressState": "CA",
        "RecipientAddressPostalCode": "95814",
        "EstimatedDepartureDateTime": "2026-11-30T10:30:00",
        "EstimatedArrivalDateTime": "2026-11-30T11:00:00",
        "Transactions": [{"PackageLabel": label, "Quantity": qty, "UnitOfMeasure": "Each", "TotalAmount": 5 * qty}],
    })
    d.update(over)
    return d


def route(loads, **over):
    d = dict(COURIER)
    d.update({
        "DateTime": "2026-11-30T08:00:00",
        "EstimatedDepartureDateTime": "2026-11-30T08:30:00",
        "Destinations": [],
        "Packages": [{"PackageLabel": l, "Quantity": q, "UnitOfMeasure": "Each", "TotalPrice": 10 * q} for l, q in loads],
    })
    d.update(over)
    return d


def sale(rid, label, qty, **over):
    s = {
        "RetailerDeliveryId": rid,
        "SalesDateTime": "2026-11-30T12:05:00",
        "SalesCustomerType": "Consumer",
        "RecipientAddressCity": "Davis",
        "RecipientAddressCounty": "Yolo",
        "RecipientAddressPostalCode": "95616",
        "Transactions": [{"PackageLabel": label, "Quantity": qty, "UnitOfMeasure": "Each", "TotalAmount": 20 * qty}],
    }
    s.update(over)
    return s


def ids(fn, api, body, n=1):
    return assert_ids(fn(body=body, license_number=api.lic), n)


def refused(status, fn, api, body):
    return expect_error(status, fn, body=body, license_number=api.lic)


def active_ids(api, **kw):
    return {r["Id"] for r in assert_envelope(api.sales_get_deliveries_active_v2(license_number=api.lic, **kw))}


def inactive_ids(api):
    return {r["Id"] for r in assert_envelope(api.sales_get_deliveries_inactive_v2(license_number=api.lic))}


def test_sales_delivery_record_update_complete_rule_65(retail):
    (label, _) = stock(retail)
    before = quantity(retail, label)
    (did,) = ids(retail.sales_create_delivery_v2, retail, [delivery(label, 3)])
    assert quantity(retail, label) == before - 3
    d = retail.sales_get_delivery_v2(str(did), license_number=retail.lic)
    assert_pascal(d)
    assert d["SalesDeliveryState"] == "InTransit" and d["RecipientAddressPostalCode"] == "95814"
    assert isinstance(d["TotalPrice"], (int, float)) and not isinstance(d["TotalPrice"], bool)
    assert did in active_ids(retail)
    assert did in active_ids(retail, sales_date_start="2026-11-30", sales_date_end="2026-11-30")
    assert did not in active_ids(retail, sales_date_start="2026-11-29", sales_date_end="2026-11-29")
    assert_message(expect_error(400, retail.sales_get_deliveries_active_v2, license_number=retail.lic,
                                sales_date_start="2026-11-30", last_modified_start="2026-11-30T00:00:00Z"))
    call_empty(retail.sales_update_delivery_v2, body=[delivery(label, 4, Id=did)], license_number=retail.lic)
    assert quantity(retail, label) == before - 4
    # Rule 65: completion needs its time; refused → row 0, nothing written.
    assert_rows(refused(400, retail.sales_update_delivery_complete_v2, retail, [{"Id": did, "AcceptedPackages": [label]}]), [0])
    call_empty(retail.sales_update_delivery_complete_v2, body=[{
        "Id": did, "ActualArrivalDateTime": "2026-11-30T11:05:00", "PaymentType": "Cash", "AcceptedPackages": [],
        "ReturnedPackages": [{"Label": label, "ReturnQuantityVerified": 1, "ReturnUnitOfMeasure": "Each", "ReturnReason": "Damaged"}],
    }], license_number=retail.lic)
    assert quantity(retail, label) == before - 3, "the returned unit went back to the package"
    assert did in inactive_ids(retail) and did not in active_ids(retail)
    assert retail.sales_get_delivery_v2(str(did), license_number=retail.lic)["SalesDeliveryState"] == "Delivered"


def test_sales_delivery_void_rows_and_refusals(retail, cult):
    (label, _) = stock(retail)
    before = quantity(retail, label)
    bad = delivery(label, 1)
    for k in ("DriverName", "RecipientAddressCounty", "RecipientAddressPostalCode"):
        bad.pop(k)
    assert_rows(refused(400, retail.sales_create_delivery_v2, retail, [delivery(label, 1), bad]), [1])
    assert quantity(retail, label) == before, "nothing written"
    (did,) = ids(retail.sales_create_delivery_v2, retail, [delivery(label, 2)])
    # Another facility's delivery → 401; a cultivator does not deliver sales → 403.
    assert_message(expect_error(401, cult.sales_get_delivery_v2, str(did), license_number=cult.lic))
    assert_message(refused(403, cult.sales_create_delivery_v2, cult, [delivery(label, 1)]))
    # Hub steps: a retailer is not a sales delivery hub (401; refused by design).
    for fn in (retail.sales_update_delivery_hub_v2, retail.sales_update_delivery_hub_accept_v2,
               retail.sales_update_delivery_hub_depart_v2, retail.sales_update_delivery_hub_verify_id_v2):
        assert "hub" in assert_message(refused(401, fn, retail, [{"Id": did, "PaymentType": "Cash"}]))
    call_empty(retail.sales_delete_delivery_v2, str(did), license_number=retail.lic)
    assert quantity(retail, label) == before
    assert retail.sales_get_delivery_v2(str(did), license_number=retail.lic)["SalesDeliveryState"] == "Voided"
    assert_message(expect_error(409, retail.sales_delete_delivery_v2, str(did), license_number=retail.lic))


def test_retailer_delivery_ledger_rule_65(retail):
    (a, b) = stock(retail, 2)
    qa, qb = quantity(retail, a), quantity(retail, b)
    incomplete = route([])
    incomplete.pop("DriverName")
    incomplete.pop("DateTime")
    assert_rows(refused(400, retail.sales_create_delivery_retailer_v2, retail, [route([(a, 1)]), incomplete]), [1])
    assert quantity(retail, a) == qa
    (rid,) = ids(retail.sales_create_delivery_retailer_v2, retail, [route([(a, 10), (b, 5)])])
    assert (quantity(retail, a), quantity(retail, b)) == (qa - 10, qb - 5), "loading takes the quantities into the van"
    r = retail.sales_get_delivery_retailer_v2(str(rid), license_number=retail.lic)
    assert_pascal(r)
    assert r["RetailerDeliveryState"] == "Pending" and r["TotalPackages"] == 2
    assert rid in {x["Id"] for x in assert_envelope(retail.sales_get_deliveries_retailer_active_v2(license_number=retail.lic))}
    # Rule 65: no sale without an active (departed, not ended) ledger.
    body = assert_rows(refused(400, retail.sales_create_delivery_retailer_sale_v2, retail, [sale(rid, a, 1)]), [0])
    assert "Delivery requires an active delivery inventory ledger" in body[0]["message"]
    ids(retail.sales_update_delivery_retailer_v2, retail, [route([(a, 12)], Id=rid)])
    assert (quantity(retail, a), quantity(retail, b)) == (qa - 12, qb)
    call_empty(retail.sales_create_delivery_retailer_depart_v2, body=[{"RetailerDeliveryId": rid}], license_number=retail.lic)
    assert_message(expect_error(409, retail.sales_delete_delivery_retailer_v2, str(rid), license_number=retail.lic))
    # Only what is on it, up to what is on it.
    assert_rows(refused(400, retail.sales_create_delivery_retailer_sale_v2, retail, [sale(rid, b, 1)]), [0])
    assert_rows(refused(400, retail.sales_create_delivery_retailer_sale_v2, retail, [sale(rid, a, 13)]), [0])
    (sid,) = ids(retail.sales_create_delivery_retailer_sale_v2, retail, [sale(rid, a, 2)])
    s = retail.sales_get_delivery_v2(str(sid), license_number=retail.lic)
    assert (s["SalesDeliveryState"], s["RecipientAddressCounty"], s["RecipientAddressPostalCode"]) == ("Delivered", "Yolo", "95616")
    assert quantity(retail, a) == qa - 12, "a route sale takes from the van"
    ids(retail.sales_create_delivery_retailer_restock_v2, retail, [{
        "RetailerDeliveryId": rid, "DateTime": "2026-11-30T13:00:00",
        "Packages": [{"PackageLabel": b, "Quantity": 3, "UnitOfMeasure": "Each", "TotalPrice": 30}]}])
    assert quantity(retail, b) == qb - 3
    ids(retail.sales_create_delivery_retailer_end_v2, retail, [{
        "RetailerDeliveryId": rid, "ActualArrivalDateTime": "2026-11-30T17:00:00",
        "Packages": [{"Label": a, "EndQuantity": 10, "EndUnitOfMeasure": "Each"},
                     {"Label": b, "EndQuantity": 3, "EndUnitOfMeasure": "Each"}]}])
    assert (quantity(retail, a), quantity(retail, b)) == (qa - 2, qb), "ending gives back what was not sold"
    assert rid in {x["Id"] for x in assert_envelope(retail.sales_get_deliveries_retailer_inactive_v2(license_number=retail.lic))}
    assert_rows(refused(400, retail.sales_create_delivery_retailer_sale_v2, retail, [sale(rid, a, 1)]), [0])


def test_retailer_delivery_void_and_scope(retail, manu):
    (a, _) = stock(retail)
    qa = quantity(retail, a)
    (rid,) = ids(retail.sales_create_delivery_retailer_v2, retail, [route([(a, 4)])])
    assert_message(expect_error(401, manu.sales_get_delivery_retailer_v2, str(rid), license_number=manu.lic))
    assert_message(refused(403, manu.sales_create_delivery_retailer_v2, manu, [route([(a, 1)])]))
    call_empty(retail.sales_delete_delivery_retailer_v2, str(rid), license_number=retail.lic)
    assert quantity(retail, a) == qa
    assert rid in {x["Id"] for x in assert_envelope(retail.sales_get_deliveries_retailer_inactive_v2(license_number=retail.lic))}
