"""Sales receipts and the Sales reference lists (reference §Sales; rules 49, 63 and 64,
bulletin III, state machine 2.8) through the PyPI client (thunkmetrc-client 0.2.2 knows every
receipt endpoint): a sale takes quantity from the package, a finalized receipt is frozen until
unfinalized (409), a void gives the quantity back, a finished package must be unfinished before
a sale is recorded or voided from it. Each test sells from packages it opens itself (`tagtrail
admin opening-package`), so the shared demo's stock is left alone; assertions are about the wire
and relative quantities."""

from datetime import datetime, timedelta, timezone

from helpers import (
    assert_envelope,
    assert_ids,
    assert_message,
    assert_pascal,
    assert_rows,
    available_tags,
    call_empty,
    ensure_tags,
    expect_error,
    expect_raw,
    uniq,
)

GUMMIES = "Mango Gummies 10x10mg"


def admin(server, *args):
    p = server.cli("admin", "--database-url", server.verify_url, *args)
    assert p.returncode == 0, f"tagtrail admin {' '.join(args)} exited {p.returncode}:\n{p.stdout}\n{p.stderr}"


def opened(server, api, qty, lab_state="TestPassed"):
    """A new package of `qty` Each gummies at the retailer, in `lab_state`; its label."""
    ensure_tags(server, api, package=2)
    tag = available_tags(api, "package")[0]
    admin(server, "opening-package", "--license-number", api.lic, "--tag", tag, "--item", GUMMIES,
          "--quantity", str(qty), "--unit", "Each", "--location", "Sales Floor", "--lab-state", lab_state)
    return tag


def quantity(api, label):
    return expect_raw(api.raw("GET", f"/packages/v2/{label}", params={"licenseNumber": api.lic}), 200).json()["Quantity"]


def a_moment_ago():
    return (datetime.now(timezone.utc) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")


def receipt(lines, **over):
    r = {"SalesDateTime": a_moment_ago(), "SalesCustomerType": "Consumer",
         "Transactions": [{"PackageLabel": l, "Quantity": q, "UnitOfMeasure": "Each", "TotalAmount": 9.5 * q}
                          for l, q in lines]}
    r.update(over)
    return r


def record(api, body):
    return assert_ids(api.sales_create_receipt_v2(body=body, license_number=api.lic), len(body))


def active_ids(api, **kw):
    return {r["Id"] for r in assert_envelope(api.sales_get_receipts_active_v2(license_number=api.lic, **kw))}


def inactive_ids(api, **kw):
    return {r["Id"] for r in assert_envelope(api.sales_get_receipts_inactive_v2(license_number=api.lic, **kw))}


def test_receipt_record_read_update_rule_63(server, retail):
    label = opened(server, retail, 10)
    ext = uniq("POS-")
    (rid,) = record(retail, [receipt([(label, 3)], ExternalReceiptNumber=ext)])
    assert quantity(retail, label) == 7
    r = retail.sales_get_receipt_v2(str(rid), license_number=retail.lic)
    assert_pascal(r)
    assert r["IsFinal"] is False and r["ExternalReceiptNumber"] == ext and r["TotalPackages"] == 1
    assert isinstance(r["TotalPrice"], (int, float)) and not isinstance(r["TotalPrice"], bool)
    assert r["Transactions"][0]["PackageLabel"] == label
    assert retail.sales_get_receipts_external_by_external_number_v2(ext, license_number=retail.lic)["Id"] == rid
    assert_message(expect_error(404, retail.sales_get_receipts_external_by_external_number_v2, uniq("NONE-"),
                                license_number=retail.lic))
    assert rid in active_ids(retail) and rid not in inactive_ids(retail)
    day = r["SalesDateTime"][:10]
    assert rid in active_ids(retail, sales_date_start=day, sales_date_end=day)
    assert_message(expect_error(400, retail.sales_get_receipts_active_v2, license_number=retail.lic,
                                sales_date_start=day, last_modified_start=a_moment_ago()))
    # Edit: the old 3 go back, 5 are taken.
    call_empty(retail.sales_update_receipt_v2, body=[receipt([(label, 5)], Id=rid, ExternalReceiptNumber=ext)],
               license_number=retail.lic)
    assert quantity(retail, label) == 5
    # A second receipt may not reuse the number.
    assert_rows(expect_error(400, retail.sales_create_receipt_v2, body=[receipt([(label, 1)], ExternalReceiptNumber=ext)],
                             license_number=retail.lic), [0])


def test_receipt_bad_rows_write_nothing_rules_49_63(server, retail, dist):
    label = opened(server, retail, 10)
    failed = opened(server, retail, 10, "TestFailed")
    body = [
        receipt([(label, 2)]),
        receipt([(label, 5), (label, 4)]),              # 2 + 5 + 4 > 10 (rule 63)
        receipt([(failed, 1)]),                         # rule 49
        receipt([(label, 1)], SalesCustomerType="Tourist"),
        {**receipt([(label, 1)]), "Transactions": [{"PackageLabel": label, "Quantity": 1, "UnitOfMeasure": "Grams",
                                                    "TotalAmount": 1}]},
    ]
    assert_rows(expect_error(400, retail.sales_create_receipt_v2, body=body, license_number=retail.lic), [1, 2, 3, 4])
    assert quantity(retail, label) == 10, "nothing written"
    # Rule 63: only a retailer sells (a facility type without sales: 401, as Metrc answers).
    assert_message(expect_error(401, dist.sales_create_receipt_v2, body=[receipt([(label, 1)])], license_number=dist.lic))


def test_receipt_finalize_void_rule_64_and_bulletin_iii(server, retail, cult):
    label = opened(server, retail, 4)
    (rid,) = record(retail, [receipt([(label, 4)])])
    assert quantity(retail, label) == 0
    call_empty(retail.sales_update_receipt_finalize_v2, body=[{"Id": rid}], license_number=retail.lic)
    assert rid in inactive_ids(retail) and rid not in active_ids(retail)
    assert retail.sales_get_receipt_v2(str(rid), license_number=retail.lic)["IsFinal"] is True
    assert assert_message(expect_error(409, retail.sales_delete_receipt_v2, str(rid), license_number=retail.lic)) == \
        "Receipt is finalized"
    assert_message(expect_error(409, retail.sales_update_receipt_v2, body=[receipt([(label, 1)], Id=rid)],
                                license_number=retail.lic))
    assert_rows(expect_error(400, retail.sales_update_receipt_finalize_v2, body=[{"Id": rid}], license_number=retail.lic), [0])
    # Another facility's receipt → 401.
    assert_message(expect_error(401, cult.sales_get_receipt_v2, str(rid), license_number=cult.lic))
    call_empty(retail.sales_update_receipt_unfinalize_v2, body=[{"Id": rid}], license_number=retail.lic)
    assert rid in active_ids(retail)
    # The emptied package finishes; then the void must wait until it is unfinished (bulletin III).
    expect_raw(retail.raw("PUT", "/packages/v2/finish", params={"licenseNumber": retail.lic}, json=[{"Label": label}]), 200)
    assert "unfinished" in assert_message(expect_error(400, retail.sales_delete_receipt_v2, str(rid), license_number=retail.lic))
    expect_raw(retail.raw("PUT", "/packages/v2/unfinish", params={"licenseNumber": retail.lic}, json=[{"Label": label}]), 200)
    call_empty(retail.sales_delete_receipt_v2, str(rid), license_number=retail.lic)
    assert quantity(retail, label) == 4, "the void gave the quantity back"
    assert rid in inactive_ids(retail)
    assert retail.sales_get_receipt_v2(str(rid), license_number=retail.lic)["ArchivedDate"]


def test_sales_reference_lists(retail):
    counties = retail.sales_get_counties_v2()
    names = [c["Name"] for c in assert_envelope(counties)]
    assert len(names) == 58 and "Los Angeles" in names and counties["Total"] == 58
    assert retail.sales_get_customertypes_v2() == ["Consumer", "Patient", "Caregiver", "ExternalPatient",
                                                  "NonResidentConsumer"]
    pay = retail.sales_get_paymenttypes_v2(license_number=retail.lic)
    assert isinstance(pay, list) and pay[0]["Name"] == "Cash"
    locs = retail.sales_get_patient_registrations_locations_v2()
    assert isinstance(locs, list) and all(isinstance(l["Id"], int) for l in locs)
    reasons = assert_envelope(retail.sales_get_deliveries_returnreasons_v2(license_number=retail.lic,
                                                                        page_number="1", page_size="3"),
                              page=1, page_size=3)
    assert len(reasons) == 3 and all(isinstance(r["RequiresNote"], bool) for r in reasons)
