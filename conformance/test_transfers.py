"""Transfers (reference §12 Transfers; cctt-rules §1.F rules 31, 34, 35, 38-48; bulletin IV, the
package-list upload).

Every Metrc endpoint of the group goes through thunkmetrc-client 0.2.2's own methods:

    transfers_get_types_v2, transfers_get_deliveries_packages_states_v2,
    transfers_get_outgoing_v2 / _incoming_v2 / _rejected_v2 / _templates_outgoing_v2,
    transfers_get_delivery_v2                        GET /transfers/v2/{id}/deliveries
    transfers_get_delivery_package_v2                GET /transfers/v2/deliveries/{id}/packages
    transfers_get_delivery_package_wholesale_v2      .../deliveries/{id}/packages/wholesale
    transfers_get_delivery_transporters_v2           .../deliveries/{id}/transporters
    transfers_get_delivery_transporters_details_v2   .../deliveries/{id}/transporters/details
    transfers_get_delivery_package_requiredlabtestbatches_v2
    transfers_get_templates_outgoing_delivery{,_package,_transporters,_transporters_details}_v2
    transfers_create / _update / _delete_templates_outgoing_v2
    packages_get_intransit_v2, packages_get_transferred_v2

The client has no method for `GET /transfers/v2/manifest/{id}/pdf` and `/html`; those, and
tagtrail's own lifecycle endpoints (`/tagtrail/v1/transfers/...`: register, edit, void,
package-list upload, depart, arrive, receive, returns, transporting), go through raw httpx with
the same Basic auth.

The demo's distributor (drivers D4481237 and D9920054, van 8TGT123) transports every manifest
(rule 39). The seeded manifests are found through the lists, never by id. Every test works on
packages it makes itself with fresh tags, so the packages other files rely on stay where they are.
"""

import base64
import functools
import io
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pypdf
import pytest

from helpers import (
    assert_envelope,
    assert_ids,
    assert_message,
    assert_numbers,
    assert_pascal,
    assert_rows,
    call_empty,
    describe,
    expect_error,
    expect_raw,
    is_int,
    list_all,
    now_window,
    past_window,
    too_long_window,
    uniq,
)

DRIVERS = {"D4481237": "Luis Ortega", "D9920054": "Mei Tanaka"}
LUIS, MEI = "D4481237", "D9920054"
PLATE = "8TGT123"
VAPE = "Blue Dream Vape 1g"
TRANSFER_NUMBER_FIELDS = ("ShippedQuantity", "ReceivedQuantity", "GrossWeight")


def D(v) -> Decimal:
    assert isinstance(v, (int, float)) and not isinstance(v, bool), f"not a JSON number: {v!r}"
    return Decimal(str(v))


def when(hours: float) -> str:
    return (datetime.now(timezone.utc) + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%S")


# --- bodies --------------------------------------------------------------------------------------

def element(recipient, labels, *, kind="Transfer", transporter=None, driver=LUIS, plate=PLATE, prices=None,
            name=None, invoice=None, route="I-80 W, no stops", gross=None, **dest):
    """One Metrc template/manifest body element with a single destination."""
    packages = []
    for i, label in enumerate(labels):
        p = {"PackageLabel": label}
        if prices is not None:
            p["WholesalePrice"] = prices[i]
        if gross is not None and gross[i] is not None:
            p["GrossWeight"], p["GrossUnitOfWeightName"] = gross[i]
        packages.append(p)
    destination = {
        "RecipientLicenseNumber": recipient,
        "InvoiceNumber": invoice,
        "TransferTypeName": kind,
        "PlannedRoute": route,
        "EstimatedDepartureDateTime": when(1),
        "EstimatedArrivalDateTime": when(3),
        "Transporters": [],
        "Packages": packages,
    }
    destination.update(dest)
    body = {
        "TransporterFacilityLicenseNumber": transporter,
        "DriverLicenseNumber": driver,
        "PhoneNumberForQuestions": "916-555-0142",
        "VehicleMake": "Ford",
        "VehicleModel": "Transit 250",
        "VehicleLicensePlateNumber": plate,
        "Destinations": [destination],
    }
    if name is not None:
        body["Name"] = name
    return body


# --- tagtrail lifecycle (raw: the PyPI client has no such methods) -------------------------------

def post(api, path, payload, lic=None):
    return api.raw("POST", path, params={"licenseNumber": lic or api.lic}, json=payload)


def register(api, *elements):
    return post(api, "/tagtrail/v1/transfers/outgoing", list(elements))


def registered(api, *elements) -> list:
    return assert_ids(expect_raw(register(api, *elements), 200).json(), len(elements))


def edit(api, *elements):
    return api.raw("PUT", "/tagtrail/v1/transfers/outgoing", params={"licenseNumber": api.lic}, json=list(elements))


def void(api, tid):
    return api.raw("DELETE", f"/tagtrail/v1/transfers/outgoing/{tid}", params={"licenseNumber": api.lic})


def depart(api, *tids):
    return post(api, "/tagtrail/v1/transfers/depart", [{"TransferId": t} for t in tids])


def arrive(api, *tids):
    return post(api, "/tagtrail/v1/transfers/arrive", [{"TransferId": t} for t in tids])


def take_back(api, *tids):
    return post(api, "/tagtrail/v1/transfers/returns", [{"TransferId": t} for t in tids])


def receive(api, tid, lines):
    return post(api, f"/tagtrail/v1/transfers/deliveries/{tid}/receive", lines)


def upload(api, tid, text, content_type="text/csv"):
    return api.raw("PUT", f"/tagtrail/v1/transfers/{tid}/packagelist", params={"licenseNumber": api.lic},
                   content=text.encode(), headers={"Content-Type": content_type})


def ok_empty(resp):
    """tagtrail's lifecycle writes answer like Metrc's PUT/DELETE: 200 with an empty body."""
    assert resp.status_code == 200 and resp.content == b"", f"expected 200 with an empty body, got {describe(resp)}"
    return resp


def one_row(resp, contains=None, row=0):
    (err,) = assert_rows(expect_raw(resp, 400), [row])
    if contains is not None:
        assert contains.lower() in err["message"].lower(), f"expected {contains!r} in {err!r}"
    return err["message"]


def message(resp, status, contains=None):
    msg = assert_message(expect_raw(resp, status))
    if contains is not None:
        assert contains.lower() in msg.lower(), f"expected {contains!r} in {msg!r}"
    return msg


# --- reads ---------------------------------------------------------------------------------------

def outgoing(api, **kw):
    return list_all(api.transfers_get_outgoing_v2, license_number=api.lic, **kw)


def incoming(api, **kw):
    return list_all(api.transfers_get_incoming_v2, license_number=api.lic, **kw)


def rejected(api):
    return list_all(api.transfers_get_rejected_v2, license_number=api.lic)


def templates(api, **kw):
    return list_all(api.transfers_get_templates_outgoing_v2, license_number=api.lic, **kw)


def transporting(api, **params):
    """tagtrail's `GET /tagtrail/v1/transfers/transporting`, every page."""
    out, page = [], 1
    while True:
        r = expect_raw(api.raw("GET", "/tagtrail/v1/transfers/transporting",
                               params={"licenseNumber": api.lic, "pageNumber": str(page), "pageSize": "20", **params}), 200)
        b = r.json()
        data = assert_envelope(b, page=page, page_size=20)
        out.extend(data)
        if not data or page * 20 >= b["Total"]:
            return out
        page += 1


def paged(fn, tid):
    """Every page of a per-manifest list read through a client method that takes the id."""
    return list_all(functools.partial(fn, str(tid)))


def row(rows, tid):
    found = [r for r in rows if r.get("Id") == tid]
    assert len(found) == 1, f"expected manifest {tid} once in the list, got {[r.get('Id') for r in rows]}"
    return found[0]


def ids(rows):
    return {r.get("Id") for r in rows}


def lines_of(api, tid):
    """Delivery packages by label (client, no licenseNumber: any party may read)."""
    rows = paged(api.transfers_get_delivery_package_v2, tid)
    assert_pascal(rows)
    for r in rows:
        assert_numbers(r, TRANSFER_NUMBER_FIELDS, f"delivery package {r.get('PackageLabel')}: ")
    return {r["PackageLabel"]: r for r in rows}


def labels_in(rows):
    return {r.get("Label") for r in rows}


def active(api):
    return list_all(api.packages_get_active_v2, license_number=api.lic)


def intransit(api):
    return list_all(api.packages_get_intransit_v2, license_number=api.lic)


def transferred(api):
    return list_all(api.packages_get_transferred_v2, license_number=api.lic)


def pdf_text(api, tid, lic=None):
    r = expect_raw(api.raw("GET", f"/transfers/v2/manifest/{tid}/pdf", params={"licenseNumber": lic or api.lic}), 200)
    doc = r.json()
    assert_pascal(doc)
    assert doc["ContentType"] == "application/pdf" and doc["HttpStatusCode"] == "OK", {k: v for k, v in doc.items() if k != "FileContents"}
    assert isinstance(doc["FileDownloadName"], str) and doc["FileDownloadName"].endswith(".pdf"), doc["FileDownloadName"]
    raw = base64.b64decode(doc["FileContents"], validate=True)
    assert raw.startswith(b"%PDF-"), raw[:20]
    reader = pypdf.PdfReader(io.BytesIO(raw))
    assert len(reader.pages) >= 1
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def html_text(api, tid, lic=None):
    r = expect_raw(api.raw("GET", f"/transfers/v2/manifest/{tid}/html", params={"licenseNumber": lic or api.lic}), 200)
    assert r.headers.get("content-type", "").startswith("text/html"), describe(r)
    assert "<html" in r.text.lower(), r.text[:200]
    return r.text


# --- packages made for these tests ---------------------------------------------------------------

def free_tags(api):
    return [t["Label"] for t in api.tags_get_package_available_v2(license_number=api.lic)]


def reserved(api):
    """Labels on the license's registered manifests that have not departed."""
    out = set()
    for t in outgoing(api):
        if t["TagtrailState"] == "Outgoing":
            out |= set(lines_of(api, t["Id"]))
    return out


def source_lot(api, item, min_qty, states, unit=None):
    """The fullest active, unheld, non-sample lot of `item` (or of any item in `unit`) that has a
    location and is on no open manifest."""
    taken = reserved(api)
    found = [p for p in active(api)
             if (item is None or p["Item"]["Name"] == item) and (unit is None or p["UnitOfMeasureName"] == unit)
             and p["LabTestingState"] in states and not p["IsOnHold"] and not p["IsTestingSample"]
             and p["LocationName"] and p["Label"] not in taken and D(p["Quantity"]) >= min_qty]
    assert found, f"{api.lic} has no free {item or unit} lot with {min_qty} in {states}"
    return max(found, key=lambda p: D(p["Quantity"]))


def make(api, src, n, qty=1):
    """`n` new packages of `qty` each from lot `src`, with fresh tags; returns their labels."""
    tags = free_tags(api)
    assert len(tags) >= n, f"{api.lic} has only {len(tags)} package tags left"
    tags = tags[:n]
    unit = src["UnitOfMeasureName"]
    body = [{"Tag": t, "Location": src["LocationName"], "Item": src["Item"]["Name"], "Quantity": qty,
             "UnitOfMeasure": unit, "Ingredients": [{"Package": src["Label"], "Quantity": qty, "UnitOfMeasure": unit}]}
            for t in tags]
    assert_ids(api.packages_create_v2(body=body, license_number=api.lic), n)
    return tags


@pytest.fixture(scope="module")
def vapes(dist):
    """The distributor's TestPassed vape lot the tests draw their packages from."""
    return source_lot(dist, VAPE, 20, {"TestPassed"})


@pytest.fixture
def fresh(dist, vapes):
    """fresh(n, qty=1): n new TestPassed vape packages at the distributor."""
    return functools.partial(make, dist, vapes)


@pytest.fixture(scope="module")
def flower(cult):
    """The cultivator's untested (NotSubmitted) flower lot."""
    return source_lot(cult, None, 10, {"NotSubmitted"}, unit="Grams")


def admin(server, *args):
    """An operator command (holds are set by the operator, as in test_packages.py)."""
    p = server.cli("admin", "--database-url", server.verify_url, *args)
    assert p.returncode == 0, f"tagtrail admin {' '.join(args)} exited {p.returncode}:\n{p.stdout}\n{p.stderr}"
    return p.stdout


def pkg(api, label):
    return api.packages_get_by_label_v2(label, license_number=api.lic)


def check_row(t, tid=None):
    """What every manifest row carries (rule 39: the distributor transports, with its drivers and
    van; the manifest number is the id, zero-padded to 10 digits)."""
    assert_pascal(t)
    if tid is not None:
        assert t["Id"] == tid, t
    assert is_int(t["Id"]) and t["DeliveryId"] == t["Id"], t
    assert t["ManifestNumber"] == f"{t['Id']:010d}", t
    assert t["VehicleLicensePlateNumber"] == PLATE, t
    assert t["DriverVehicleLicenseNumber"] in DRIVERS, t
    assert t["DriverName"] == DRIVERS[t["DriverVehicleLicenseNumber"]], t
    assert isinstance(t["IsVoided"], bool) and is_int(t["PackageCount"]), t


# --- reference lists -----------------------------------------------------------------------------

def test_reference_lists(dist):
    types = assert_envelope(dist.transfers_get_types_v2(license_number=dist.lic, page_number="1", page_size="20"), page=1, page_size=20)
    by_name = {t["Name"]: t for t in types}
    assert set(by_name) == {"Transfer", "Wholesale Manifest", "Return"}, "rule 42: California's transfer types"
    assert by_name["Wholesale Manifest"]["TransactionType"] == "Wholesale", by_name
    assert_pascal(types)
    assert dist.transfers_get_deliveries_packages_states_v2() == ["Shipped", "Rejected", "Accepted", "Returned"]


# --- the demo's manifests, found through the lists -----------------------------------------------

def test_seeded_manifests_through_the_lists(manu, dist, lab, retail):
    d_out, d_in = outgoing(dist), incoming(dist)
    m_out, l_in, r_in = outgoing(manu), incoming(lab), incoming(retail)
    carried = transporting(dist)
    for t in d_out + d_in + m_out + l_in + r_in + carried:
        check_row(t)
        assert t["TransporterFacilityLicenseNumber"] == dist.lic, f"rule 39: the distributor transports every manifest: {t!r}"
    # The distributor's testing sample went to the lab and was received.
    to_lab = [t for t in d_out if t["RecipientFacilityLicenseNumber"] == lab.lic and t["TagtrailState"] == "Received"
              and t["ContainsTestingSample"] is True]
    assert to_lab, "the demo's sample manifest to the lab"
    assert ids(to_lab) <= ids(l_in)
    # The manufacturer's two manifests to the distributor: one received, one on the road.
    m_to_d = [t for t in m_out if t["RecipientFacilityLicenseNumber"] == dist.lic]
    states = {t["TagtrailState"] for t in m_to_d}
    assert {"Received", "InTransit"} <= states, m_to_d
    assert ids(m_to_d) <= ids(d_in), "the distributor's incoming list shows the manufacturer's manifests"
    on_road = next(t for t in m_to_d if t["TagtrailState"] == "InTransit")
    assert isinstance(on_road["ActualDepartureDateTime"], str) and on_road["ReceivedDateTime"] is None, on_road
    # Its package is the manufacturer's, in transit, and among its transferred lines.
    lines = lines_of(manu, on_road["Id"])
    assert lines and all(l["ShipmentPackageState"] == "Shipped" for l in lines.values()), lines
    assert set(lines) <= labels_in(intransit(manu))
    shipped = {x["PackageLabel"]: x for x in transferred(manu) if x["ManifestNumber"] == on_road["ManifestNumber"]}
    assert set(shipped) == set(lines), shipped
    # The wholesale manifest to the retailer waits for its driver.
    waiting = [t for t in r_in if t["ShipperFacilityLicenseNumber"] == dist.lic and t["ShipmentTypeName"] == "Wholesale Manifest"
               and t["TagtrailState"] == "Outgoing"]
    assert waiting, r_in
    for t in waiting:
        assert t["ActualDepartureDateTime"] is None and t["ShipmentTransactionType"] == "Wholesale", t
        prices = paged(retail.transfers_get_delivery_package_wholesale_v2, t["Id"])
        assert prices and all(p["ShipperWholesalePrice"] is not None for p in prices), f"rule 42: {prices!r}"
    # The distributor's transport list covers every manifest it carries, whoever ships.
    assert ids(m_to_d) | ids(to_lab) | ids(waiting) <= ids(carried)


# --- registration rules and error shapes ---------------------------------------------------------

def test_manifest_rules_one_row_per_bad_element(dist, manu, cult, retail, fresh):
    (p,) = fresh(1)
    rl = retail.lic
    two_dest = element(rl, [p])
    two_dest["Destinations"].append(dict(two_dest["Destinations"][0]))
    two_transporters = element(rl, [p], Transporters=[{"TransporterFacilityLicenseNumber": dist.lic}] * 2)
    no_arrival = element(rl, [p])
    del no_arrival["Destinations"][0]["EstimatedArrivalDateTime"]
    cases = [
        (two_dest, "single destination and a single transporter"),                 # rule 41
        (two_transporters, "single destination and a single transporter"),         # rule 41
        (element(rl, [p], transporter=manu.lic), "Transporter must hold a distributor license"),  # rule 39
        (element(rl, [p], driver="D0000000"), "DriverLicenseNumber"),                # rule 39/40
        (element(rl, [p], plate="NOPLATE1"), "VehicleLicensePlateNumber"),           # rule 39/40
        (no_arrival, "EstimatedArrivalDateTime"),                                    # rule 40
        (element(rl, [p], kind="Wholesale Manifest"), "WholesalePrice is required"),  # rule 42
        (element(cult.lic, [p]), "cannot receive"),                                  # rule 31: no vapes to a cultivator
        (element("C99-0000000-LIC", [p]), "does not exist"),
    ]
    before = ids(outgoing(dist))
    r = expect_raw(register(dist, *[c for c, _ in cases]), 400)
    errors = assert_rows(r, range(len(cases)))
    for i, (_, text) in enumerate(cases):
        msgs = [e["message"] for e in errors if e["row"] == i]
        assert any(text.lower() in m.lower() for m in msgs), f"row {i}: expected {text!r} in {msgs!r}"
    # [good, bad]: only row 1 is reported and nothing is written, so the package is still free.
    one_row(register(dist, element(rl, [p]), element(rl, [p], transporter=manu.lic)), row=1)
    assert ids(outgoing(dist)) == before, "a refused request registers nothing"
    # Two good elements of one request cannot carry the same package.
    one_row(register(dist, element(rl, [p]), element(rl, [p])), row=1, contains="already on another manifest")
    assert ids(outgoing(dist)) == before
    # Request-level errors: {"Message"}.
    message(dist.raw("POST", "/tagtrail/v1/transfers/outgoing", params={"licenseNumber": dist.lic}, json=element(rl, [p])), 400)
    message(register(dist, *[element(rl, [p])] * 11), 413)
    message(dist.raw("POST", "/tagtrail/v1/transfers/outgoing", json=[element(rl, [p])]), 400, "licenseNumber")
    assert ids(outgoing(dist)) == before
    (tid,) = registered(dist, element(rl, [p]))
    ok_empty(void(dist, tid))


def test_rule_47_at_most_200_packages(dist, retail):
    """The count is checked before any package: 201 labels that do not exist are refused for
    the count alone; 200 of them get the per-package errors instead."""
    labels = [f"1A4C0FFEE{n:015d}" for n in range(201)]
    assert all(len(x) == 24 for x in labels)
    before = ids(outgoing(dist))
    msg = one_row(register(dist, element(retail.lic, labels)), contains="more than 200 packages")
    assert "A transfer cannot contain more than 200 packages" in msg, msg
    r = expect_error(400, dist.transfers_create_templates_outgoing_v2,
                     body=[element(retail.lic, labels, name=uniq("Too big"))], license_number=dist.lic)
    (err,) = assert_rows(r, [0])
    assert "more than 200 packages" in err["message"], err
    errors = assert_rows(expect_raw(register(dist, element(retail.lic, labels[:200])), 400), [0])
    assert len(errors) == 200 and not any("more than 200" in e["message"] for e in errors), errors[:3]
    assert all(e["message"].startswith(f"Packages[{j}]: ") and "not in active inventory" in e["message"]
               for j, e in enumerate(errors)), errors[:3]
    assert ids(outgoing(dist)) == before


# --- rule 46 and rule 34: what may go to a retailer ----------------------------------------------

def test_on_hold_and_untested_packages_cannot_go_to_the_retailer(manu, cult, dist, retail, flower):
    held = [p for p in list_all(manu.packages_get_onhold_v2, license_number=manu.lic) if p["Item"]["Name"] == "Mango Gummies 10x10mg"]
    assert held, "the demo embargoes the manufacturer's gummies"
    held = held[0]
    m_before = ids(outgoing(manu))
    # Rule 34: a held package is not transferred (the transporter is the distributor, rule 39).
    msg = one_row(register(manu, element(retail.lic, [held["Label"]], transporter=dist.lic)), contains="on hold")
    assert msg.startswith("Packages[0]: "), msg
    assert ids(outgoing(manu)) == m_before
    assert pkg(manu, held["Label"])["IsOnHold"] is True
    # Rule 46: an untested (NotSubmitted) package cannot go to a retailer ...
    (label,) = make(cult, flower, 1, qty=2)
    assert pkg(cult, label)["LabTestingState"] == "NotSubmitted"
    c_before = ids(outgoing(cult))
    one_row(register(cult, element(retail.lic, [label], transporter=dist.lic)),
            contains="cannot receive packages in lab testing state NotSubmitted")
    # ... nor be planned for one on a template.
    r = expect_error(400, cult.transfers_create_templates_outgoing_v2,
                     body=[element(retail.lic, [label], transporter=dist.lic, name=uniq("Retail run"))], license_number=cult.lic)
    assert "NotSubmitted" in assert_rows(r, [0])[0]["message"]
    assert ids(outgoing(cult)) == c_before
    # The same package may go to the distributor (the rule is the retailer's).
    (tid,) = registered(cult, element(dist.lic, [label], transporter=dist.lic))
    assert row(incoming(dist), tid)["ShipperFacilityLicenseNumber"] == cult.lic
    ok_empty(void(cult, tid))


# --- the whole trip: register, edit, depart, arrive, receive with a rejection, take back ---------

def test_wholesale_trip_with_a_rejection_and_return(dist, retail, cult, restricted, fresh):
    a, b = fresh(2, qty=3)
    start, end = now_window()
    invoice = uniq("INV")
    (tid,) = registered(dist, element(retail.lic, [a, b], kind="Wholesale Manifest", prices=[12.5, 10],
                                      gross=[(1.2, "Pounds"), None], invoice=invoice, route="I-5 S to US-101 S"))
    mn = f"{tid:010d}"

    # Lists: the shipper's outgoing (in the window), the recipient's incoming, the transporter's.
    t = row(outgoing(dist, last_modified_start=start, last_modified_end=end), tid)
    check_row(t, tid)
    assert (t["ShipperFacilityLicenseNumber"], t["RecipientFacilityLicenseNumber"], t["TransporterFacilityLicenseNumber"]) == (dist.lic, retail.lic, dist.lic)
    assert (t["TagtrailState"], t["ShipmentTypeName"], t["ShipmentTransactionType"]) == ("Outgoing", "Wholesale Manifest", "Wholesale")
    assert (t["DriverVehicleLicenseNumber"], t["DriverName"], t["InvoiceNumber"]) == (LUIS, "Luis Ortega", invoice)
    assert t["PackageCount"] == 2 and t["IsVoided"] is False and t["ActualDepartureDateTime"] is None, t
    assert row(incoming(retail, last_modified_start=start, last_modified_end=end), tid)["ManifestNumber"] == mn
    assert row(transporting(dist, lastModifiedStart=start, lastModifiedEnd=end), tid)["ManifestNumber"] == mn

    # Per-manifest reads, by every party (client calls carry no licenseNumber, as Metrc's).
    for api in (dist, retail):
        (dl,) = assert_envelope(api.transfers_get_delivery_v2(str(tid)))
        assert_pascal(dl)
        assert (dl["Id"], dl["ManifestNumber"], dl["RecipientFacilityLicenseNumber"]) == (tid, mn, retail.lic), dl
        assert dl["PlannedRoute"] == "I-5 S to US-101 S" and dl["DeliveryPackageCount"] == 2, dl
        assert dl["ShipmentTypeName"] == "Wholesale Manifest" and dl["InvoiceNumber"] == invoice, dl
    lines = lines_of(retail, tid)
    assert set(lines) == {a, b}
    for label in (a, b):
        l = lines[label]
        assert (l["ShipmentPackageState"], l["ItemName"], l["LabTestingState"]) == ("Shipped", VAPE, "TestPassed"), l
        assert D(l["ShippedQuantity"]) == 3 and l["ShippedUnitOfMeasureName"] == "Each" and l["ReceivedQuantity"] is None, l
    assert D(lines[a]["GrossWeight"]) == Decimal("1.2") and lines[a]["GrossUnitOfWeightName"] == "Pounds", lines[a]
    prices = {p["PackageLabel"]: p for p in paged(dist.transfers_get_delivery_package_wholesale_v2, tid)}
    assert_pascal(list(prices.values()))
    assert D(prices[a]["ShipperWholesalePrice"]) == Decimal("12.5") and D(prices[b]["ShipperWholesalePrice"]) == 10, prices
    assert prices[a]["ReceiverWholesalePrice"] is None, prices
    (tr,) = paged(retail.transfers_get_delivery_transporters_v2, tid)
    assert_pascal(tr)
    assert (tr["ShipmentDeliveryId"], tr["TransporterFacilityLicenseNumber"]) == (tid, dist.lic), tr
    (det,) = paged(dist.transfers_get_delivery_transporters_details_v2, tid)
    assert_pascal(det)
    assert (det["DriverName"], det["DriverVehicleLicenseNumber"], det["VehicleLicensePlateNumber"]) == ("Luis Ortega", LUIS, PLATE), det
    assert (det["VehicleMake"], det["VehicleModel"]) == ("Ford", "Transit 250"), det

    # Edits before departure (tagtrail PUT): the driver changes; a bad one is refused, nothing changes.
    ok_empty(edit(dist, {"TransferId": tid, "DriverLicenseNumber": MEI}))
    one_row(edit(dist, {"TransferId": tid, "VehicleLicensePlateNumber": "NOPLATE1"}), contains="VehicleLicensePlateNumber")
    one_row(edit(dist, {"DriverLicenseNumber": MEI}), contains="TransferId")
    (det,) = paged(dist.transfers_get_delivery_transporters_details_v2, tid)
    assert (det["DriverName"], det["DriverVehicleLicenseNumber"], det["VehicleLicensePlateNumber"]) == ("Mei Tanaka", MEI, PLATE), det
    assert set(lines_of(dist, tid)) == {a, b}, "an edit that leaves Destinations out keeps the packages"
    assert row(outgoing(dist), tid)["DriverName"] == "Mei Tanaka"
    # Only the users with Manage Transfers write (the clerk has neither permission).
    message(post(restricted, "/tagtrail/v1/transfers/depart", [{"TransferId": tid}]), 403)

    # Arrival comes after departure, and only from the transporter or the recipient.
    one_row(arrive(retail, tid), contains="not in transit")
    # Rule 43: only the transporter departs.
    one_row(depart(retail, tid), contains="Only the transporter")
    ok_empty(depart(dist, tid))
    t = row(outgoing(dist), tid)
    assert t["TagtrailState"] == "InTransit" and isinstance(t["ActualDepartureDateTime"], str), t
    assert {a, b} <= labels_in(intransit(dist)), "departed packages are in transit"
    assert not ({a, b} & labels_in(active(retail))), "not the recipient's yet"
    sent = {x["PackageLabel"]: x for x in transferred(dist) if x["ManifestNumber"] == mn}
    assert set(sent) == {a, b}, sent
    assert_pascal(list(sent.values()))
    for label in (a, b):
        x = sent[label]
        assert (x["RecipientFacilityLicenseNumber"], x["ShipmentPackageStateName"], x["ProductName"]) == (retail.lic, "Shipped", VAPE), x
        assert D(x["ShippedQuantity"]) == 3 and isinstance(x["ActualDepartureDateTime"], str), x
        assert_numbers(x, TRANSFER_NUMBER_FIELDS + ("ShipperWholesalePrice", "ReceiverWholesalePrice"))
    # The line's required lab-test batches: California has none (an empty paged list).
    assert paged(retail.transfers_get_delivery_package_requiredlabtestbatches_v2, sent[a]["Id"]) == []

    # Rule 35: the shipper cannot change a package in transit.
    r = expect_error(400, dist.packages_create_adjust_v2,
                     body=[{"Label": a, "Quantity": -1, "AdjustmentReason": "Spoilage"}], license_number=dist.lic)
    assert "in transit" in assert_rows(r, [0])[0]["message"]
    # The manifest is fixed after departure (rule 39: 409), cannot be voided (rule 48) or departed again.
    msg = message(edit(dist, {"TransferId": tid, "DriverLicenseNumber": LUIS}), 409)
    assert msg == "Manifest cannot be modified after departure.", msg
    message(upload(dist, tid, f"{a}\n"), 409, "after departure")
    message(void(dist, tid), 409, "departed")  # rule 48: a state conflict, as an edit after departure (rule 39)
    message(depart(dist, tid), 409, "already departed")

    # Arrival (by the recipient), then the receipt (rule 44: whole packages, no partial receipt).
    one_row(arrive(cult, tid), contains="Only the transporter or the recipient")
    ok_empty(arrive(retail, tid))
    assert row(incoming(retail), tid)["TagtrailState"] == "Delivered"
    message(receive(retail, tid, [{"PackageLabel": a, "Accepted": True}]), 400, "Partial receipt is not allowed")
    # A receipt body may list up to 200 packages (not Metrc's usual 10 objects): 11 unknown labels
    # are 11 row errors, 201 elements are too many.
    bogus = [{"PackageLabel": f"1A4C0FFEE{n:015d}", "Accepted": True} for n in range(201)]
    assert_rows(expect_raw(receive(retail, tid, bogus[:11]), 400), range(11))
    message(receive(retail, tid, bogus), 413)
    one_row(receive(retail, tid, [{"PackageLabel": a, "Accepted": True}, {"PackageLabel": b, "Accepted": False}]),
            row=1, contains="reason")
    one_row(receive(retail, tid, [{"PackageLabel": a, "Accepted": True}, {"PackageLabel": b, "Accepted": True},
                                  {"PackageLabel": "1A4C0FFEE000000000000999", "Accepted": True}]), row=2)
    # Only the recipient receives: to anyone else the delivery does not exist (404).
    message(receive(cult, tid, [{"PackageLabel": a, "Accepted": True}, {"PackageLabel": b, "Accepted": True}]), 404, "not addressed to")
    assert {l["ShipmentPackageState"] for l in lines_of(dist, tid).values()} == {"Shipped"}, "refused receipts change nothing"

    r = expect_raw(receive(retail, tid, [
        {"PackageLabel": a, "Accepted": True, "ReceivedQuantity": 2, "ReceiverWholesalePrice": 20},
        {"PackageLabel": b, "Accepted": False, "RejectionReason": "Damaged seal"},
    ]), 200)
    out = r.json()
    assert assert_ids(out, 1) == [tid], out
    assert isinstance(out["Warnings"], list) and any(a in w for w in out["Warnings"]), f"a quantity variance is a warning: {out!r}"
    message(receive(retail, tid, [{"PackageLabel": a, "Accepted": True}, {"PackageLabel": b, "Accepted": True}]), 409)

    # Accepted: the retailer's package now (same id and label), at the received quantity.
    got = pkg(retail, a)
    assert got["Id"] == lines[a]["PackageId"] and D(got["Quantity"]) == 2, got
    assert a in labels_in(active(retail))
    # Rejected (rule 45): still the shipper's, in transit back; not the retailer's.
    assert b not in labels_in(active(retail))
    assert b in labels_in(intransit(dist)) and pkg(dist, b)["Id"] == lines[b]["PackageId"]
    lines = lines_of(retail, tid)
    assert (lines[a]["ShipmentPackageState"], D(lines[a]["ReceivedQuantity"])) == ("Accepted", 2), lines[a]
    assert (lines[b]["ShipmentPackageState"], lines[b]["RejectionReason"]) == ("Rejected", "Damaged seal"), lines[b]
    prices = {p["PackageLabel"]: p for p in paged(retail.transfers_get_delivery_package_wholesale_v2, tid)}
    assert D(prices[a]["ReceiverWholesalePrice"]) == 20, prices
    t = row(rejected(dist), tid)
    assert t["TagtrailState"] == "Rejected" and isinstance(t["ReceivedDateTime"], str), t
    sent = {x["PackageLabel"]: x for x in transferred(dist) if x["ManifestNumber"] == mn}
    assert sent[a]["ShipmentPackageStateName"] == "Accepted" and D(sent[a]["ReceivedQuantity"]) == 2, sent[a]
    assert sent[b]["ShipmentPackageStateName"] == "Rejected", sent[b]

    # Rule 45: the shipper takes the rejected package back into active inventory.
    message(take_back(retail, tid), 404, "does not exist")
    ok_empty(take_back(dist, tid))
    back = pkg(dist, b)
    assert back["Id"] == lines[b]["PackageId"] and D(back["Quantity"]) == 3, back
    assert b in labels_in(active(dist))
    assert b not in labels_in(intransit(dist)), "a package taken back is no longer in transit"
    assert lines_of(dist, tid)[b]["ShipmentPackageState"] == "Returned"
    assert row(rejected(dist), tid)["TagtrailState"] == "Returned"
    (dl,) = assert_envelope(dist.transfers_get_delivery_v2(str(tid)))
    assert dl["RejectedPackagesReturned"] is True and isinstance(dl["ReceivedDateTime"], str), dl
    message(take_back(dist, tid), 409, "already back")
    # The package taken back can be shipped again.
    (again,) = registered(dist, element(retail.lic, [b], kind="Wholesale Manifest", prices=[10]))
    ok_empty(void(dist, again))

    # The manifest document tells the whole story.
    text = pdf_text(retail, tid)
    for s in (mn, dist.lic, retail.lic, MEI, PLATE, a, b, "Damaged seal"):
        assert s in text, f"{s!r} missing from the manifest PDF:\n{text}"


def test_departed_packages_leave_active_inventory(dist, retail, fresh):
    (p,) = fresh(1)
    (tid,) = registered(dist, element(retail.lic, [p]))
    assert p in labels_in(active(dist))
    ok_empty(depart(dist, tid))
    assert p in labels_in(intransit(dist))
    assert p not in labels_in(active(dist)), "a departed package is not in /packages/v2/active"


def test_departure_rechecks_the_packages_rule_34(server, dist, retail, fresh):
    """A package put on hold after registration stops the departure until it is released."""
    (p,) = fresh(1)
    (tid,) = registered(dist, element(retail.lic, [p]))
    admin(server, "hold", "--license-number", dist.lic, "--label", p, "--reason", "conformance: hold after registration")
    msg = one_row(depart(dist, tid), contains="on hold")
    assert p in msg, msg
    assert row(outgoing(dist), tid)["TagtrailState"] == "Outgoing", "a refused departure changes nothing"
    admin(server, "release", "--license-number", dist.lic, "--label", p, "--reason", "conformance: released")
    ok_empty(void(dist, tid))


# --- void before departure (rule 48) -------------------------------------------------------------

def test_void_before_departure_rule_48(dist, retail, fresh):
    (p,) = fresh(1)
    (tid,) = registered(dist, element(retail.lic, [p]))
    one_row(register(dist, element(retail.lic, [p])), contains="already on another manifest")
    message(void(retail, tid), 404, "does not exist")
    ok_empty(void(dist, tid))
    t = row(outgoing(dist), tid)
    assert t["IsVoided"] is True and t["TagtrailState"] == "Voided", "a voided manifest stays in outgoing, marked"
    message(void(dist, tid), 400, "already voided")
    one_row(depart(dist, tid), contains="cannot depart")
    one_row(edit(dist, {"TransferId": tid, "DriverLicenseNumber": MEI}))
    assert "VOIDED" in pdf_text(dist, tid)
    message(void(dist, 987654321), 404)
    # Its package is free again.
    (again,) = registered(dist, element(retail.lic, [p]))
    ok_empty(void(dist, again))


# --- templates -----------------------------------------------------------------------------------

def test_templates_create_update_archive_and_register(dist, retail, fresh):
    p1, p2, p3 = fresh(3)
    name = uniq("Weekly retail run")
    start, end = now_window()
    (tid,) = assert_ids(dist.transfers_create_templates_outgoing_v2(
        body=[element(retail.lic, [p1], kind="Wholesale Manifest", prices=[9.5], name=name)], license_number=dist.lic), 1)
    t = row(templates(dist, last_modified_start=start, last_modified_end=end), tid)
    assert_pascal(t)
    assert (t["Name"], t["TagtrailState"], t["ManifestNumber"]) == (name, "Template", None), t
    assert (t["RecipientFacilityLicenseNumber"], t["TransporterFacilityLicenseNumber"]) == (retail.lic, dist.lic), t
    assert tid not in ids(outgoing(dist)) and tid not in ids(incoming(retail)), "a template is not a manifest"
    assert tid not in ids(templates(dist, last_modified_start=past_window()[0], last_modified_end=past_window()[1]))

    # Template reads through the client.
    (dl,) = assert_envelope(dist.transfers_get_templates_outgoing_delivery_v2(str(tid)))
    assert dl["Id"] == tid and dl["ManifestNumber"] is None and dl["RecipientFacilityLicenseNumber"] == retail.lic, dl
    assert [p["PackageLabel"] for p in paged(dist.transfers_get_templates_outgoing_delivery_package_v2, tid)] == [p1]
    (tr,) = paged(dist.transfers_get_templates_outgoing_delivery_transporters_v2, tid)
    assert tr["TransporterFacilityLicenseNumber"] == dist.lic, tr
    details = dist.transfers_get_templates_outgoing_delivery_transporters_details_v2(str(tid))
    assert isinstance(details, list) and len(details) == 1, f"a plain JSON array: {details!r}"
    assert (details[0]["DriverVehicleLicenseNumber"], details[0]["VehicleLicensePlateNumber"]) == (LUIS, PLATE), details
    # Templates belong to the shipper alone.
    assert_message(expect_error(401, retail.transfers_get_templates_outgoing_delivery_v2, str(tid)))
    assert_message(expect_error(404, dist.transfers_get_templates_outgoing_delivery_v2, "987654321"))

    # A template reserves nothing: another may name the same package; archive it.
    (other,) = assert_ids(dist.transfers_create_templates_outgoing_v2(
        body=[element(retail.lic, [p1], kind="Wholesale Manifest", prices=[9.5], name=uniq("Spare"))], license_number=dist.lic), 1)
    call_empty(dist.transfers_delete_templates_outgoing_v2, str(other), license_number=dist.lic)
    assert other not in ids(templates(dist))
    assert_message(expect_error(400, dist.transfers_delete_templates_outgoing_v2, str(other), license_number=dist.lic))
    # Validation rows: no Name; and PUT without TransferTemplateId.
    r = expect_error(400, dist.transfers_create_templates_outgoing_v2,
                     body=[element(retail.lic, [p1], prices=[1], kind="Wholesale Manifest")], license_number=dist.lic)
    assert "Name" in assert_rows(r, [0])[0]["message"]
    r = expect_error(400, dist.transfers_update_templates_outgoing_v2, body=[{"Name": "x"}], license_number=dist.lic)
    assert "TransferTemplateId" in assert_rows(r, [0])[0]["message"]

    # Update through the client (200, empty body): name, driver and packages.
    name2 = uniq("Weekly retail run v2")
    call_empty(dist.transfers_update_templates_outgoing_v2, body=[dict(
        element(retail.lic, [p1, p2], kind="Wholesale Manifest", prices=[9.5, 8], driver=MEI, name=name2),
        TransferTemplateId=tid)], license_number=dist.lic)
    t = row(templates(dist), tid)
    assert (t["Name"], t["DriverVehicleLicenseNumber"], t["DriverName"]) == (name2, MEI, "Mei Tanaka"), t
    assert {p["PackageLabel"] for p in paged(dist.transfers_get_templates_outgoing_delivery_package_v2, tid)} == {p1, p2}
    r = expect_error(400, dist.transfers_update_templates_outgoing_v2,
                     body=[{"TransferTemplateId": tid, "VehicleLicensePlateNumber": "NOPLATE1"}], license_number=dist.lic)
    assert_rows(r, [0])
    assert row(templates(dist), tid)["VehicleLicensePlateNumber"] == PLATE, "a refused update changes nothing"

    # A package list can fill a template too (bulletin IV): prices stay with the packages kept; a
    # new package on this wholesale template has no price, so its line is refused.
    msg = one_row(upload(dist, tid, f"{p1}\n{p3}\n"), row=1, contains="WholesalePrice")
    assert msg.startswith("Line 2: "), msg
    ok_empty(upload(dist, tid, f"{p2}\n{p1}\n", content_type="text/plain"))
    assert [p["PackageLabel"] for p in paged(dist.transfers_get_templates_outgoing_delivery_package_v2, tid)] == [p2, p1]

    # Register from the template (tagtrail): its plan becomes a manifest with a number.
    (mid,) = registered(dist, {"TransferTemplateId": tid})
    m = row(outgoing(dist), mid)
    check_row(m, mid)
    assert (m["OriginatingTemplateId"], m["TagtrailState"], m["ShipmentTypeName"]) == (tid, "Outgoing", "Wholesale Manifest"), m
    assert (m["DriverVehicleLicenseNumber"], m["RecipientFacilityLicenseNumber"]) == (MEI, retail.lic), m
    assert set(lines_of(dist, mid)) == {p1, p2}
    prices = {p["PackageLabel"]: D(p["ShipperWholesalePrice"]) for p in paged(dist.transfers_get_delivery_package_wholesale_v2, mid)}
    assert prices == {p1: Decimal("9.5"), p2: 8}, prices
    assert mid in ids(incoming(retail))
    # The manifest reserved the packages: the template cannot be registered again as it is ...
    errors = assert_rows(expect_raw(register(dist, {"TransferTemplateId": tid}), 400), [0])
    assert sorted(e["message"] for e in errors) == sorted(
        f"Packages[{j}]: Package {x} is already on another manifest." for j, x in enumerate([p2, p1])), errors
    # ... but fields given replace the template's.
    (mid2,) = registered(dist, {"TransferTemplateId": tid, "DriverLicenseNumber": LUIS,
                                "Destinations": [{"Packages": [{"PackageLabel": p3, "WholesalePrice": 5}]}]})
    m2 = row(outgoing(dist), mid2)
    assert (m2["DriverVehicleLicenseNumber"], m2["RecipientFacilityLicenseNumber"], m2["OriginatingTemplateId"]) == (LUIS, retail.lic, tid), m2
    assert set(lines_of(dist, mid2)) == {p3}

    # Archive (client DELETE, 200 empty): gone from the list, not registrable.
    call_empty(dist.transfers_delete_templates_outgoing_v2, str(tid), license_number=dist.lic)
    assert tid not in ids(templates(dist))
    one_row(register(dist, {"TransferTemplateId": tid}), contains="does not exist")
    assert row(outgoing(dist), mid)["OriginatingTemplateId"] == tid, "manifests outlive their template"
    for x in (mid, mid2):
        ok_empty(void(dist, x))


# --- package-list upload (bulletin IV) -----------------------------------------------------------

def test_package_list_upload_bulletin_iv(dist, manu, retail, fresh):
    a, b, c = fresh(3)
    held = list_all(manu.packages_get_onhold_v2, license_number=manu.lic)[0]["Label"]
    (tid,) = registered(dist, element(retail.lic, [a]))
    ok_empty(upload(dist, tid, f"Label\r\n\r\n{a}\r\n{b}\r\n"))
    assert set(lines_of(dist, tid)) == {a, b}
    ok_empty(upload(dist, tid, f"{c}\n\n{a}\n", content_type="text/plain"))
    assert set(lines_of(dist, tid)) == {a, c}
    assert row(outgoing(dist), tid)["PackageCount"] == 2

    # Bad lines: row = the line's 0-based index (blank lines count), message "Line N: ..."; all of
    # them are reported and nothing is applied.
    text = f"Label\n\n{a}\nNOT-A-TAG\n{b},{c}\n{a}\n"
    errors = assert_rows(expect_raw(upload(dist, tid, text), 400), [3, 4, 5])
    by_row = {e["row"]: e["message"] for e in errors}
    for r in (3, 4, 5):
        assert by_row[r].startswith(f"Line {r + 1}: "), by_row
    assert "several values" in by_row[4] and "listed already" in by_row[5], by_row
    # A line naming a package that cannot be shipped is a bad line too.
    msg = one_row(upload(dist, tid, f"Label\n{a}\n{held}\n"), row=2)
    assert msg.startswith("Line 3: ") and "not in active inventory" in msg, msg
    assert set(lines_of(dist, tid)) == {a, c}, "a refused list changes nothing"
    # Whole-list problems: {"Message"}.
    message(upload(dist, tid, "".join(f"1A4C0FFEE{n:015d}\n" for n in range(201))), 400, "200")
    message(upload(dist, tid, "Label\n\n"), 400)
    message(upload(dist, 987654321, f"{a}\n"), 404)
    assert set(lines_of(dist, tid)) == {a, c}
    # b was released by the second upload: another manifest may carry it.
    (other,) = registered(dist, element(retail.lic, [b]))
    for x in (tid, other):
        ok_empty(void(dist, x))


# --- manifest document (rule 40) -----------------------------------------------------------------

def test_manifest_pdf_and_html_rule_40(cult, dist, manu, retail, lab, flower):
    """Shipper, transporter and recipient are three licensees here: cultivator → manufacturer,
    carried by the distributor."""
    (label,) = make(cult, flower, 1, qty=3)
    (tid,) = registered(cult, element(manu.lic, [label], transporter=dist.lic, driver=MEI, route="CA-99 S"))
    mn = f"{tid:010d}"
    must = (mn, cult.lic, dist.lic, manu.lic, MEI, "Mei Tanaka", PLATE, "Ford", "Transit 250", label, "Blue Dream Flower")
    for api in (cult, dist, manu):
        text = pdf_text(api, tid)
        for s in must:
            assert s in text, f"{s!r} missing from the manifest PDF read by {api.lic}:\n{text}"
        html = html_text(api, tid)
        for s in must:
            assert s in html, f"{s!r} missing from the manifest HTML read by {api.lic}"
    # Only the parties read it; licenseNumber is required; unknown ids are 404.
    for api in (retail, lab):
        message(api.raw("GET", f"/transfers/v2/manifest/{tid}/pdf", params={"licenseNumber": api.lic}), 401)
        message(api.raw("GET", f"/transfers/v2/manifest/{tid}/html", params={"licenseNumber": api.lic}), 401)
    message(cult.raw("GET", f"/transfers/v2/manifest/{tid}/pdf"), 400, "licenseNumber")
    message(cult.raw("GET", "/transfers/v2/manifest/987654321/pdf", params={"licenseNumber": cult.lic}), 404)
    ok_empty(void(cult, tid))


# --- lists, windows, scoping ---------------------------------------------------------------------

def test_lists_windows_and_scoping(dist, retail, cult, lab, restricted, fresh):
    (p,) = fresh(1)
    (tid,) = registered(dist, element(retail.lic, [p]))
    start, end = now_window("+00:00")
    old_start, old_end = past_window()
    long_start, long_end = too_long_window()
    for fn, api in ((dist.transfers_get_outgoing_v2, dist), (retail.transfers_get_incoming_v2, retail)):
        assert tid in ids(list_all(fn, license_number=api.lic, last_modified_start=start, last_modified_end=end))
        assert tid not in ids(list_all(fn, license_number=api.lic, last_modified_start=old_start, last_modified_end=old_end))
        assert_message(expect_error(400, fn, license_number=api.lic, last_modified_start=long_start, last_modified_end=long_end))
        assert_message(expect_error(400, fn, license_number=api.lic, page_number="1", page_size="21"))
        assert_message(expect_error(400, fn))
    assert tid not in ids(transporting(dist, lastModifiedStart=old_start, lastModifiedEnd=old_end))
    message(dist.raw("GET", "/tagtrail/v1/transfers/transporting",
                     params={"licenseNumber": dist.lic, "lastModifiedStart": long_start, "lastModifiedEnd": long_end}), 400)
    assert_message(expect_error(400, dist.transfers_get_templates_outgoing_v2, license_number=dist.lic,
                                last_modified_start=long_start, last_modified_end=long_end))
    # Paging: page 2 of size 1 is the second record.
    first = assert_envelope(dist.transfers_get_outgoing_v2(license_number=dist.lic, page_number="1", page_size="2"), page=1, page_size=2)
    second = assert_envelope(dist.transfers_get_outgoing_v2(license_number=dist.lic, page_number="2", page_size="1"), page=2, page_size=1)
    assert len(first) == 2 and [x["Id"] for x in second] == [first[1]["Id"]]
    assert_envelope(dist.transfers_get_rejected_v2(license_number=dist.lic, page_number="1", page_size="20"), page=1, page_size=20)
    # Not addressed to them: lists are per license; a license the user does not work at is 401.
    assert tid not in ids(incoming(cult)) and tid not in ids(outgoing(retail))
    assert tid not in ids(transporting(retail))
    assert_message(expect_error(401, cult.transfers_get_outgoing_v2, license_number=dist.lic))
    assert_message(expect_error(401, cult.transfers_get_incoming_v2, license_number=retail.lic))
    # Per-manifest reads: a non-party is 401, with or without its own licenseNumber.
    for api in (cult, lab):
        assert_message(expect_error(401, api.transfers_get_delivery_v2, str(tid)))
        assert_message(expect_error(401, api.transfers_get_delivery_package_v2, str(tid)))
        assert_message(expect_error(401, api.transfers_get_delivery_package_wholesale_v2, str(tid)))
        assert_message(expect_error(401, api.transfers_get_delivery_transporters_v2, str(tid)))
        assert_message(expect_error(401, api.transfers_get_delivery_transporters_details_v2, str(tid)))
        message(api.raw("GET", f"/transfers/v2/{tid}/deliveries", params={"licenseNumber": api.lic}), 401)
    # A party asking with another party's license it does not work at: 401 too.
    message(retail.raw("GET", f"/transfers/v2/deliveries/{tid}/packages", params={"licenseNumber": dist.lic}), 401)
    assert_message(expect_error(404, dist.transfers_get_delivery_v2, "987654321"))
    assert_message(expect_error(404, dist.transfers_get_delivery_package_requiredlabtestbatches_v2, "987654321"))
    # Permissions: the clerk has neither View nor Manage Transfers (nor the template ones).
    assert_message(expect_error(403, restricted.transfers_get_outgoing_v2, license_number=restricted.lic))
    assert_message(expect_error(403, restricted.transfers_get_templates_outgoing_v2, license_number=restricted.lic))
    assert_message(expect_error(403, restricted.transfers_create_templates_outgoing_v2,
                                body=[element(retail.lic, [p], name=uniq("Clerk"))], license_number=restricted.lic))
    message(register(restricted, element(retail.lic, [p])), 403)
    message(void(restricted, tid), 403)
    ok_empty(void(dist, tid))
