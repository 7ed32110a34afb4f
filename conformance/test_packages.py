"""Packages (reference §12 Packages; rules 11, 13, 23, 28, 29, 33, 34, 36, 72; bulletin I
"Packaged By" = PackagedByFacilityLicenseNumber; bulletin III: a finished package is unfinished
before anything else).

Metrc endpoints go through thunkmetrc-client's flat methods; the ones it lacks
(`GET /packages/v2/adjustments`, `PUT /packages/v2/finishedgood/{flag,unflag}`) and tagtrail's
lineage extension (`GET /tagtrail/v1/packages/{id}/lineage`) through raw httpx with the same Basic
auth. Operator actions (holds, opening balances, tag shipments) go through `tagtrail admin`.

Other files of the session may have touched the demo's packages, so sources are chosen by what
they are (item, lab state, enough quantity) and the tests work on packages they make themselves.
"""

import sqlite3
import subprocess
from decimal import Decimal

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
)

PACKAGE_NUMBER_FIELDS = ("Quantity", "OriginalPackageQuantity")
PACKAGE_TYPES = ["Product", "ImmaturePlant", "VegetativePlant", "PlantWaste", "HarvestWaste", "MotherPlant"]


def D(v) -> Decimal:
    """A JSON number as an exact decimal (via its shortest repr, which is what the server sent)."""
    assert isinstance(v, (int, float)) and not isinstance(v, bool), f"not a JSON number: {v!r}"
    return Decimal(str(v))


# --- helpers -----------------------------------------------------------------------------------

def active(api, **kw):
    return list_all(api.packages_get_active_v2, license_number=api.lic, **kw)


def inactive(api):
    return list_all(api.packages_get_inactive_v2, license_number=api.lic)


def onhold(api):
    return list_all(api.packages_get_onhold_v2, license_number=api.lic)


def ids_in(records):
    return {r["Id"] for r in records}


def get(api, key):
    return api.packages_get_v2(str(key), license_number=api.lic)


def free_tags(api):
    return [t["Label"] for t in api.tags_get_package_available_v2(license_number=api.lic)]


def fresh_tag(api):
    tags = free_tags(api)
    assert tags, f"{api.lic} has no package tag left"
    return tags[0]


def body(tag, item, qty, unit, location, ingredients=()):
    return {
        "Tag": tag, "Item": item, "Quantity": qty, "UnitOfMeasure": unit, "Location": location,
        "Ingredients": [{"Package": p, "Quantity": q, "UnitOfMeasure": u} for p, q, u in ingredients],
    }


def create(api, *bodies, testing=False):
    fn = api.packages_create_testing_v2 if testing else api.packages_create_v2
    return assert_ids(fn(body=list(bodies), license_number=api.lic), len(bodies))


def source(api, item, min_qty, states=None, unit=None):
    """The facility's fullest active, unheld, non-sample package of `item` (or of any item in
    `unit` when `item` is None)."""
    found = [
        p for p in active(api)
        if (item is None or p["Item"]["Name"] == item)
        and (unit is None or p["UnitOfMeasureName"] == unit)
        and not p["IsOnHold"] and not p["IsTestingSample"]
        and D(p["Quantity"]) >= Decimal(str(min_qty))
        and (states is None or p["LabTestingState"] in states)
    ]
    assert found, f"{api.lic} has no active package of {item or unit} with {min_qty} in {states}"
    return max(found, key=lambda p: D(p["Quantity"]))


def make(api, src, qty, location):
    """A package of `qty` of the source's item, taking `qty` of the source (same unit)."""
    unit = src["UnitOfMeasureName"]
    (pid,) = create(api, body(fresh_tag(api), src["Item"]["Name"], qty, unit, location, [(src["Label"], qty, unit)]))
    return get(api, pid)


def adj(label, qty, reason, note=None, unit=None):
    a = {"Label": label, "Quantity": qty, "AdjustmentReason": reason}
    if note is not None:
        a["ReasonNote"] = note
    if unit is not None:
        a["UnitOfMeasure"] = unit
    return a


def row_error(api, fn, *bodies, row=0, contains=None):
    """The write is refused with exactly one row error, at `row`; returns its message."""
    r = expect_error(400, fn, body=list(bodies), license_number=api.lic)
    (err,) = assert_rows(r, [row])
    if contains is not None:
        assert contains.lower() in err["message"].lower(), f"expected {contains!r} in {err!r}"
    return err["message"]


def lineage(api, key, depth=None):
    params = {"licenseNumber": api.lic}
    if depth is not None:
        params["depth"] = str(depth)
    r = expect_raw(api.raw("GET", f"/tagtrail/v1/packages/{key}/lineage", params=params), 200)
    out = r.json()
    assert_pascal(out)
    return out


def steps(lin, side):
    return [(s["Depth"], s["Package"]["Label"]) for s in lin[side]]


def adjustments(api):
    out, page = [], 1
    while True:
        r = expect_raw(api.raw("GET", "/packages/v2/adjustments",
                               params={"licenseNumber": api.lic, "pageNumber": str(page), "pageSize": "20"}), 200)
        b = r.json()
        data = assert_envelope(b, page=page, page_size=20)
        out.extend(data)
        if not data or page * 20 >= b["Total"]:
            return out
        page += 1


def raw_put(api, path, payload):
    return api.raw("PUT", path, params={"licenseNumber": api.lic}, json=payload)


def admin(server, *args):
    p = server.cli("admin", "--database-url", server.verify_url, *args)
    assert p.returncode == 0, f"tagtrail admin {' '.join(args)} exited {p.returncode}:\n{p.stdout}\n{p.stderr}"
    return p.stdout


def shipped_label(server, lic, order_id):
    """A label of a shipped tag order, as printed on the physical tags (read by the operator from
    the database: the API shows only received tags)."""
    if server.database_url:
        sql = (f"SELECT label FROM tags WHERE license_number = '{lic}' AND kind = 'Package' "
               f"AND status = 'Shipped' AND order_id = {int(order_id)} ORDER BY id LIMIT 1")
        p = subprocess.run(["psql", "-At", "-v", "ON_ERROR_STOP=1", server.database_url, "-c", sql],
                           capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, f"psql failed: {p.stdout}{p.stderr}"
        label = p.stdout.strip()
    else:
        con = sqlite3.connect(f"file:{server.verify_url}?mode=ro", uri=True, timeout=30)
        try:
            row = con.execute(
                "SELECT label FROM tags WHERE license_number = ? AND kind = 'Package' "
                "AND status = 'Shipped' AND order_id = ? ORDER BY id LIMIT 1", (lic, int(order_id))).fetchone()
        finally:
            con.close()
        label = row[0] if row else ""
    assert len(label) == 24, f"no shipped label for order {order_id}: {label!r}"
    return label


# --- fixtures ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def distillate(manu):
    """Label of the manufacturer's TestPassed Blue Dream Distillate (weight-based, 795 g in the demo)."""
    return source(manu, "Blue Dream Distillate", 100, {"TestPassed"})["Label"]


# --- reads -------------------------------------------------------------------------------------

@pytest.mark.parametrize("method", [
    "packages_get_active_v2", "packages_get_inactive_v2", "packages_get_onhold_v2",
    "packages_get_intransit_v2", "packages_get_transferred_v2",
])
def test_package_lists_are_paged_envelopes(manu, method):
    b = getattr(manu, method)(license_number=manu.lic, page_number="1", page_size="20")
    data = assert_envelope(b, page=1, page_size=20)
    assert_pascal(data)
    if method == "packages_get_transferred_v2":
        # TransferredPackage rows: the demo's manufacturer shipped cartridges (accepted by the
        # distributor) and distillate (still on the road).
        for t in data:
            assert is_int(t.get("PackageId")) and len(t["PackageLabel"]) == 24, t
            assert t["RecipientFacilityLicenseNumber"] == "C11-0000701-LIC", t
            assert len(t["ManifestNumber"]) == 10, t
        assert sorted(t["ShipmentPackageStateName"] for t in data) == ["Accepted", "Shipped"], data
        return
    for p in data:
        assert is_int(p.get("Id")) and isinstance(p.get("Label"), str) and len(p["Label"]) == 24, p
        assert_numbers(p, PACKAGE_NUMBER_FIELDS, f"package {p.get('Id')}: ")
        assert isinstance(p.get("Item"), dict) and isinstance(p["Item"].get("Name"), str), p
    if method == "packages_get_intransit_v2":
        assert [p["Item"]["Name"] for p in data] == ["Blue Dream Distillate"], "the demo's distillate is in transit"
    if method == "packages_get_active_v2":
        assert data, "the demo manufacturer has active packages"


def test_onhold_packages_are_also_active_rule_34(manu):
    held = onhold(manu)
    assert held, "the demo embargoes the manufacturer's gummies"
    assert all(p["IsOnHold"] is True for p in held), held
    assert ids_in(held) <= ids_in(active(manu)), "a held package stays in active inventory"


def test_package_types(manu):
    assert manu.packages_get_types_v2() == PACKAGE_TYPES


def test_adjust_reasons_paged(manu):
    b = manu.packages_get_adjust_reasons_v2(license_number=manu.lic, page_number="1", page_size="20")
    data = assert_envelope(b, page=1, page_size=20)
    assert_pascal(data)
    reasons = {r["Name"]: r for r in data}
    assert reasons["Typing/Entry Error"]["RequiresNote"] is True, reasons
    assert reasons["Drying"]["RequiresNote"] is False, reasons
    two = manu.packages_get_adjust_reasons_v2(license_number=manu.lic, page_number="2", page_size="2")
    assert [r["Name"] for r in assert_envelope(two, page=2, page_size=2)] == [r["Name"] for r in data[2:4]]


def test_get_by_id_label_and_scoping(manu, cult, distillate):
    p = get(manu, distillate)
    assert_pascal(p)
    assert manu.packages_get_by_label_v2(distillate, license_number=manu.lic)["Id"] == p["Id"]
    assert get(manu, p["Id"]) == p
    assert manu.packages_get_source_harvest_v2(str(p["Id"]), license_number=manu.lic) == []
    assert_message(expect_error(404, manu.packages_get_v2, "987654321", license_number=manu.lic))
    assert_message(expect_error(404, manu.packages_get_by_label_v2, "1A4" + "0" * 21, license_number=manu.lic))
    # Another license's package, asked for at one's own license: 401 (§2).
    assert_message(expect_error(401, cult.packages_get_v2, str(p["Id"]), license_number=cult.lic))
    assert_message(expect_error(401, cult.packages_get_by_label_v2, distillate, license_number=cult.lic))
    r = cult.raw("GET", f"/tagtrail/v1/packages/{p['Id']}/lineage", params={"licenseNumber": cult.lic})
    assert_message(expect_raw(r, 401))
    # A license the user does not work at: 401.
    assert_message(expect_error(401, cult.packages_get_active_v2, license_number=manu.lic))
    # licenseNumber is required on packages.
    assert_message(expect_error(400, manu.packages_get_active_v2))


# --- create ------------------------------------------------------------------------------------

def test_create_from_source_bulletin_i_and_lineage(manu, distillate):
    src = get(manu, distillate)
    tags = free_tags(manu)
    tag = tags[0]
    b = dict(body(tag, "Blue Dream Distillate", 0.5, "Grams", "Extraction Lab", [(distillate, 0.5, "Grams")]),
             Note="conformance retain", Sublocation="Shelf 1")
    (pid,) = create(manu, b)
    p = get(manu, pid)
    assert_pascal(p)
    assert p["Label"] == tag and p["Id"] == pid
    assert D(p["Quantity"]) == Decimal("0.5") and p["UnitOfMeasureName"] == "Grams", p
    assert p["Item"]["Name"] == "Blue Dream Distillate", p
    assert p["SourcePackageLabels"] == distillate, p
    assert p["PackagedByFacilityLicenseNumber"] == manu.lic, f"bulletin I: Packaged By is the creating license: {p!r}"
    assert p["LabTestingState"] == "TestPassed", "a repackage of one TestPassed lot carries its state"
    assert p["LocationName"] == "Extraction Lab" and p["SublocationName"] == "Shelf 1", p
    assert p["Note"] == "conformance retain"
    assert p["IsTestingSample"] is False and p["IsOnHold"] is False and p["IsFinished"] is False
    assert manu.packages_get_by_label_v2(tag, license_number=manu.lic) == p
    assert pid in ids_in(active(manu))
    # The source lost exactly 0.5 g, and the tag is used (rule 13).
    assert D(get(manu, distillate)["Quantity"]) == D(src["Quantity"]) - Decimal("0.5")
    after = free_tags(manu)
    assert tag not in after and len(after) == len(tags) - 1
    # Lineage both ways, with depth.
    assert steps(lineage(manu, pid), "Ancestors") == [(1, distillate)]
    assert (1, tag) in steps(lineage(manu, distillate), "Descendants")
    grandchild = make(manu, p, 0.25, "Extraction Lab")
    assert steps(lineage(manu, grandchild["Label"]), "Ancestors") == [(1, tag), (2, distillate)]
    down = steps(lineage(manu, distillate), "Descendants")
    assert (1, tag) in down and (2, grandchild["Label"]) in down, down
    assert all(d == 1 for d, _ in steps(lineage(manu, distillate, depth=1), "Descendants"))
    r = manu.raw("GET", f"/tagtrail/v1/packages/{pid}/lineage", params={"licenseNumber": manu.lic, "depth": "0"})
    assert_message(expect_raw(r, 400))


def test_create_ingredient_in_another_unit(manu, distillate):
    before = D(get(manu, distillate)["Quantity"])
    (pid,) = create(manu, body(fresh_tag(manu), "Blue Dream Distillate", 1, "Grams", "Extraction Lab",
                               [(distillate, 0.001, "Kilograms")]))
    assert D(get(manu, distillate)["Quantity"]) == before - 1, "0.001 kg is 1 g of a Grams source"
    assert D(get(manu, pid)["Quantity"]) == 1


def test_testing_sample_rule_36(cult):
    src = source(cult, None, 20, {"NotSubmitted"}, unit="Grams")
    lot = make(cult, src, 10, "Vault")
    assert lot["LabTestingState"] == "NotSubmitted"
    tag = fresh_tag(cult)
    (sid,) = create(cult, body(tag, lot["Item"]["Name"], 1, "Grams", "Vault", [(lot["Label"], 1, "Grams")]), testing=True)
    sample = get(cult, sid)
    assert sample["IsTestingSample"] is True, sample
    assert sample["LabTestingState"] == "SubmittedForTesting", sample
    assert sample["Label"] == tag and sample["SourcePackageLabels"] == lot["Label"]
    lot = get(cult, lot["Id"])
    assert lot["LabTestingState"] == "SubmittedForTesting", "the sampled lot is submitted for testing"
    assert D(lot["Quantity"]) == 9


def test_unreceived_tag_is_not_available_rule_11(server, cult):
    r = cult.raw("POST", "/tagtrail/v1/tags/orders", params={"licenseNumber": cult.lic},
                 json=[{"PlantTags": 0, "PackageTags": 1}])
    (oid,) = assert_ids(expect_raw(r, 200).json(), 1)
    admin(server, "ship-tags", "--order-id", str(oid))
    label = shipped_label(server, cult.lic, oid)
    assert label not in free_tags(cult)
    src = source(cult, None, 5, unit="Grams")
    before = D(src["Quantity"])
    b = body(label, src["Item"]["Name"], 1, "Grams", "Vault", [(src["Label"], 1, "Grams")])
    row_error(cult, cult.packages_create_v2, b, contains="not available")
    assert D(get(cult, src["Id"])["Quantity"]) == before, "a refused create draws nothing"
    r = cult.raw("PUT", "/tagtrail/v1/tags/orders/receive", params={"licenseNumber": cult.lic}, json=[{"Id": oid}])
    assert r.status_code == 200 and r.content == b"", describe(r)
    (pid,) = create(cult, b)
    assert get(cult, pid)["Label"] == label
    assert D(get(cult, src["Id"])["Quantity"]) == before - 1


def test_used_and_repeated_tags_rule_13(manu, distillate):
    src = get(manu, distillate)
    row_error(manu, manu.packages_create_v2,
              body(distillate, "Blue Dream Distillate", 1, "Grams", "Extraction Lab", [(distillate, 1, "Grams")]),
              contains="already been used")
    tag = fresh_tag(manu)
    b = body(tag, "Blue Dream Distillate", 1, "Grams", "Extraction Lab", [(distillate, 1, "Grams")])
    row_error(manu, manu.packages_create_v2, b, b, row=1, contains="more than once")
    assert tag in free_tags(manu), "a refused body uses no tag"
    assert D(get(manu, distillate)["Quantity"]) == D(src["Quantity"])


def test_source_package_required_rule_23(manu):
    tag = fresh_tag(manu)
    no_key = body(tag, "Blue Dream Distillate", 1, "Grams", "Extraction Lab")
    del no_key["Ingredients"]
    row_error(manu, manu.packages_create_v2, no_key, contains="source package")
    row_error(manu, manu.packages_create_v2, body(tag, "Blue Dream Distillate", 1, "Grams", "Extraction Lab"),
              contains="source package")
    assert tag in free_tags(manu)


def test_draws_never_below_zero_rule_28(manu, distillate):
    small = make(manu, get(manu, distillate), 5, "Extraction Lab")
    t0, t1 = free_tags(manu)[:2]

    def b(tag, take):
        return body(tag, "Blue Dream Distillate", 1, "Grams", "Extraction Lab", [(small["Label"], take, "Grams")])

    row_error(manu, manu.packages_create_v2, b(t0, 6), contains="cannot be taken")
    # Each row fits alone, not together: the second row sees the first row's draw.
    row_error(manu, manu.packages_create_v2, b(t0, 3), b(t1, 3), row=1)
    assert D(get(manu, small["Id"])["Quantity"]) == 5, "a refused create draws nothing"
    assert {t0, t1} <= set(free_tags(manu)), "a refused create uses no tag"
    create(manu, b(t0, 3), b(t1, 2))
    assert D(get(manu, small["Id"])["Quantity"]) == 0


def test_units_fit_item_and_source_rule_29(manu, distillate):
    tag = fresh_tag(manu)
    row_error(manu, manu.packages_create_v2,
              body(tag, "Blue Dream Vape 1g", 5, "Grams", "Packaging Line", [(distillate, 5, "Grams")]),
              contains="CountBased")
    row_error(manu, manu.packages_create_v2,
              body(tag, "Blue Dream Vape 1g", 5, "Each", "Packaging Line", [(distillate, 5, "Each")]))
    assert tag in free_tags(manu)


# --- adjust, finish, hold ----------------------------------------------------------------------

def test_adjust_post_put_and_adjustments_rule_28(manu, distillate):
    p = make(manu, get(manu, distillate), 10, "Extraction Lab")
    label = p["Label"]
    row_error(manu, manu.packages_create_adjust_v2, adj(label, -1, "Typing/Entry Error"), contains="ReasonNote")
    row_error(manu, manu.packages_create_adjust_v2, adj(label, -1, "No Such Reason"))
    row_error(manu, manu.packages_create_adjust_v2, adj(label, -11, "Scale Variance"), contains="below zero")
    row_error(manu, manu.packages_update_adjust_v2, adj(label, -1, "Scale Variance"), contains="below zero")
    assert D(get(manu, p["Id"])["Quantity"]) == 10

    out = manu.packages_create_adjust_v2(body=[adj(label, -2, "Typing/Entry Error", note="keyed 10 for 8", unit="Grams")],
                                         license_number=manu.lic)
    assert_ids(out, 1)
    assert D(get(manu, p["Id"])["Quantity"]) == 8
    mine = [a for a in adjustments(manu) if a["PackageLabel"] == label]
    assert_pascal(mine)
    (a,) = mine
    assert D(a["AdjustmentQuantity"]) == -2 and a["AdjustmentReasonName"] == "Typing/Entry Error", a
    assert a["AdjustmentNote"] == "keyed 10 for 8" and a["PackageId"] == p["Id"], a
    assert isinstance(a["AdjustedByUserName"], str) and a["AdjustedByUserName"], a

    call_empty(manu.packages_update_adjust_v2, body=[adj(label, 5, "Scale Variance")], license_number=manu.lic)
    assert D(get(manu, p["Id"])["Quantity"]) == 5, "PUT states the final quantity"
    mine = [a for a in adjustments(manu) if a["PackageLabel"] == label]
    assert sorted(D(a["AdjustmentQuantity"]) for a in mine) == [-3, -2], mine


def test_finish_and_unfinish_rules_33_72(manu, distillate):
    p = make(manu, get(manu, distillate), 1, "Extraction Lab")
    label = p["Label"]
    row_error(manu, manu.packages_update_finish_v2, {"Label": label}, contains="empty")
    assert p["Id"] in ids_in(active(manu))

    call_empty(manu.packages_update_adjust_v2, body=[adj(label, 0, "Internal QC Sampling")], license_number=manu.lic)
    call_empty(manu.packages_update_finish_v2, body=[{"Label": label}], license_number=manu.lic)
    assert p["Id"] not in ids_in(active(manu)), "a finished package leaves active inventory"
    listed = {x["Id"]: x for x in inactive(manu)}
    assert p["Id"] in listed and listed[p["Id"]]["IsFinished"] is True, "a finished package is in inactive (rule 72)"
    got = manu.packages_get_by_label_v2(label, license_number=manu.lic)
    assert got["IsFinished"] is True and isinstance(got["FinishedDate"], str), got

    # Bulletin III: nothing changes a finished package until it is unfinished.
    row_error(manu, manu.packages_create_adjust_v2, adj(label, 1, "Scale Variance"), contains="unfinish")
    row_error(manu, manu.packages_update_location_v2, {"Label": label, "Location": "Finished Goods"}, contains="unfinish")
    row_error(manu, manu.packages_update_note_v2, {"PackageLabel": label, "Note": "late"}, contains="unfinish")

    call_empty(manu.packages_update_unfinish_v2, body=[{"Label": label}], license_number=manu.lic)
    assert p["Id"] in ids_in(active(manu))
    back = get(manu, p["Id"])
    assert back["IsFinished"] is False and back["FinishedDate"] is None, back
    out = manu.packages_create_adjust_v2(body=[adj(label, 1, "Scale Variance")], license_number=manu.lic)
    assert_ids(out, 1)


def test_held_package_is_frozen_until_released_rule_34(server, manu, distillate):
    p = make(manu, get(manu, distillate), 2, "Extraction Lab")
    label = p["Label"]
    admin(server, "hold", "--license-number", manu.lic, "--label", label, "--reason", "conformance embargo")
    assert p["Id"] in ids_in(onhold(manu))
    listed = {x["Id"]: x for x in active(manu)}
    assert p["Id"] in listed and listed[p["Id"]]["IsOnHold"] is True, "a held package stays in active, flagged"

    row_error(manu, manu.packages_create_adjust_v2, adj(label, -1, "Spoilage"), contains="on hold")
    row_error(manu, manu.packages_update_location_v2, {"Label": label, "Location": "Finished Goods"}, contains="on hold")
    row_error(manu, manu.packages_create_v2,
              body(fresh_tag(manu), "Blue Dream Distillate", 1, "Grams", "Extraction Lab", [(label, 1, "Grams")]),
              contains="on hold")
    assert_message(expect_error(400, manu.packages_delete_v2, str(p["Id"]), license_number=manu.lic))
    assert D(get(manu, p["Id"])["Quantity"]) == 2

    admin(server, "release", "--license-number", manu.lic, "--label", label, "--reason", "label review done")
    assert p["Id"] not in ids_in(onhold(manu))
    assert_ids(manu.packages_create_adjust_v2(body=[adj(label, -1, "Spoilage")], license_number=manu.lic), 1)
    assert D(get(manu, p["Id"])["Quantity"]) == 1


# --- moves, items, notes, dates, external ids --------------------------------------------------

def test_location_item_note_dates_external_id(manu):
    vapes = source(manu, "Blue Dream Vape 1g", 10, {"TestPassed"})
    p = make(manu, vapes, 2, "Packaging Line")
    label, pid = p["Label"], p["Id"]

    call_empty(manu.packages_update_location_v2, body=[{"Label": label, "Location": "Finished Goods", "Sublocation": "Shelf 1"}],
               license_number=manu.lic)
    got = get(manu, pid)
    assert got["LocationName"] == "Finished Goods" and got["SublocationName"] == "Shelf 1", got
    row_error(manu, manu.packages_update_location_v2, {"Label": label, "Location": "No Such Room"})

    # Rule 29: the item may change only within the quantity type.
    row_error(manu, manu.packages_update_item_v2, {"Label": label, "Item": "Blue Dream Distillate"})
    call_empty(manu.packages_update_item_v2, body=[{"Label": label, "Item": "Mango Gummies 10x10mg"}], license_number=manu.lic)
    assert get(manu, pid)["Item"]["Name"] == "Mango Gummies 10x10mg"

    call_empty(manu.packages_update_note_v2, body=[{"PackageLabel": label, "Note": "shrink-wrapped"}], license_number=manu.lic)
    assert get(manu, pid)["Note"] == "shrink-wrapped"

    call_empty(manu.packages_update_usebydate_v2,
               body=[{"Label": label, "ExpirationDate": "2027-06-30", "SellByDate": "2027-05-31", "UseByDate": "2027-06-15"}],
               license_number=manu.lic)
    got = get(manu, pid)
    assert (got["ExpirationDate"], got["SellByDate"], got["UseByDate"]) == ("2027-06-30", "2027-05-31", "2027-06-15"), got

    call_empty(manu.packages_update_externalid_v2, body=[{"PackageLabel": label, "ExternalId": "ERP-7"}], license_number=manu.lic)
    got = get(manu, pid)
    assert got["ExternalId"] == "ERP-7" and D(got["Quantity"]) == 2, got


# --- flags, remediation, discontinue -------------------------------------------------------------

def test_flags_follow_the_license_type(manu, dist, retail):
    r_pkg = make(retail, source(retail, "Mango Gummies 10x10mg", 5, {"TestPassed"}), 1, "Sales Floor")
    d_pkg = make(dist, source(dist, "Blue Dream Vape 1g", 5, {"TestPassed"}), 1, "Sellable Inventory")

    # Donations: the retailer only (CanDonatePackages).
    call_empty(retail.packages_update_donation_flag_v2, body=[{"Label": r_pkg["Label"]}], license_number=retail.lic)
    assert get(retail, r_pkg["Id"])["IsDonation"] is True
    call_empty(retail.packages_update_donation_unflag_v2, body=[{"Label": r_pkg["Label"]}], license_number=retail.lic)
    assert get(retail, r_pkg["Id"])["IsDonation"] is False
    assert_message(expect_error(403, dist.packages_update_donation_flag_v2, body=[{"Label": d_pkg["Label"]}], license_number=dist.lic))
    assert get(dist, d_pkg["Id"])["IsDonation"] is False

    # Trade samples: not at retailers (or labs).
    call_empty(dist.packages_update_tradesample_flag_v2, body=[{"Label": d_pkg["Label"]}], license_number=dist.lic)
    assert get(dist, d_pkg["Id"])["IsTradeSample"] is True
    call_empty(dist.packages_update_tradesample_unflag_v2, body=[{"Label": d_pkg["Label"]}], license_number=dist.lic)
    assert get(dist, d_pkg["Id"])["IsTradeSample"] is False
    assert_message(expect_error(403, retail.packages_update_tradesample_flag_v2, body=[{"Label": r_pkg["Label"]}], license_number=retail.lic))

    # Finished goods (not in the PyPI client): manufacturers and distributors.
    r = raw_put(dist, "/packages/v2/finishedgood/flag", [{"Label": d_pkg["Label"]}])
    assert r.status_code == 200 and r.content == b"", describe(r)
    assert get(dist, d_pkg["Id"])["IsFinishedGood"] is True
    r = raw_put(dist, "/packages/v2/finishedgood/unflag", [{"Label": d_pkg["Label"]}])
    assert r.status_code == 200 and r.content == b"", describe(r)
    assert get(dist, d_pkg["Id"])["IsFinishedGood"] is False
    assert_message(expect_raw(raw_put(retail, "/packages/v2/finishedgood/flag", [{"Label": r_pkg["Label"]}]), 403))
    assert get(retail, r_pkg["Id"])["IsFinishedGood"] is False


def test_remediation_and_decontamination(server, dist):
    passed = source(dist, "Blue Dream Vape 1g", 1, {"TestPassed"})
    row_error(dist, dist.packages_update_remediate_v2,
              {"PackageLabel": passed["Label"], "RemediationMethodName": "Re-extraction"}, contains="failed")

    tag = fresh_tag(dist)
    admin(server, "opening-package", "--license-number", dist.lic, "--tag", tag, "--item", "Blue Dream Vape 1g",
          "--quantity", "40", "--unit", "Each", "--location", "Quarantine Cage", "--lab-state", "TestFailed")
    assert dist.packages_get_by_label_v2(tag, license_number=dist.lic)["LabTestingState"] == "TestFailed"
    call_empty(dist.packages_update_remediate_v2,
               body=[{"PackageLabel": tag, "RemediationMethodName": "Re-extraction", "RemediationSteps": "CAP-78"}],
               license_number=dist.lic)
    got = dist.packages_get_by_label_v2(tag, license_number=dist.lic)
    assert got["LabTestingState"] == "Remediated" and isinstance(got["RemediationDate"], str), got

    tag = fresh_tag(dist)
    admin(server, "opening-package", "--license-number", dist.lic, "--tag", tag, "--item", "Blue Dream Vape 1g",
          "--quantity", "20", "--unit", "Each", "--location", "Quarantine Cage", "--lab-state", "RetestFailed")
    call_empty(dist.packages_update_decontaminate_v2,
               body=[{"PackageLabel": tag, "DecontaminationMethodName": "Ozone", "DecontaminationSteps": "48 h"}],
               license_number=dist.lic)
    got = dist.packages_get_by_label_v2(tag, license_number=dist.lic)
    assert got["LabTestingState"] == "Decontaminated" and isinstance(got["DecontaminationDate"], str), got


def test_discontinue(retail):
    p = make(retail, source(retail, "Mango Gummies 10x10mg", 5, {"TestPassed"}), 1, "Sales Floor")
    call_empty(retail.packages_delete_v2, str(p["Id"]), license_number=retail.lic)
    assert p["Id"] not in ids_in(active(retail))
    listed = {x["Id"]: x for x in inactive(retail)}
    assert p["Id"] in listed and listed[p["Id"]]["IsFinished"] is False, "a discontinued package is in inactive"
    assert get(retail, p["Id"])["Id"] == p["Id"], "still readable"
    assert_message(expect_error(400, retail.packages_delete_v2, str(p["Id"]), license_number=retail.lic))
    assert_message(expect_error(404, retail.packages_delete_v2, "987654321", license_number=retail.lic))


# --- paging, windows, permissions ------------------------------------------------------------------

def test_active_paging_and_window(manu, distillate):
    p = make(manu, get(manu, distillate), 1, "Extraction Lab")
    first_two = assert_envelope(manu.packages_get_active_v2(license_number=manu.lic, page_number="1", page_size="2"), page=1, page_size=2)
    second = assert_envelope(manu.packages_get_active_v2(license_number=manu.lic, page_number="2", page_size="1"), page=2, page_size=1)
    assert len(first_two) == 2 and [x["Id"] for x in second] == [first_two[1]["Id"]]
    start, end = now_window()
    assert p["Id"] in ids_in(active(manu, last_modified_start=start, last_modified_end=end))
    start, end = past_window()
    assert p["Id"] not in ids_in(active(manu, last_modified_start=start, last_modified_end=end))


def test_clerk_lacks_package_permissions(restricted, dist):
    p = source(dist, "Blue Dream Vape 1g", 1, {"TestPassed"})
    lic = restricted.lic
    assert_message(expect_error(403, restricted.packages_get_active_v2, license_number=lic))
    assert_message(expect_error(403, restricted.packages_get_v2, str(p["Id"]), license_number=lic))
    assert_message(expect_error(403, restricted.packages_create_adjust_v2, body=[adj(p["Label"], -1, "Spoilage")], license_number=lic))
    assert_message(expect_error(403, restricted.packages_update_finish_v2, body=[{"Label": p["Label"]}], license_number=lic))
    assert_message(expect_error(403, restricted.packages_create_v2,
                                body=[body(fresh_tag(dist), "Blue Dream Vape 1g", 1, "Each", "Sellable Inventory", [(p["Label"], 1, "Each")])],
                                license_number=lic))
    assert_message(expect_error(403, restricted.packages_delete_v2, str(p["Id"]), license_number=lic))
    assert D(get(dist, p["Id"])["Quantity"]) == D(p["Quantity"]), "refused writes change nothing"
