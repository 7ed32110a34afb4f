"""Additives over the wire (reference §12 AdditivesTemplates, and the additive endpoints of
PlantBatches and Plants): the cultivator's additive templates, and fertilizers, pesticides and
other additives applied to tagged plants, to every plant of a location and to plant batches,
named in full or taken from a template, through thunkmetrc-client.

Rule 17: every application carries what was applied, how much (amount and unit), when, and to
what; rule 16: the date is required and never in the future; rule 24: no amount below zero.
Every test plants its own batch and plants, so nothing depends on the demo's counts."""

from datetime import datetime, timedelta, timezone

import pytest

from helpers import (
    assert_envelope,
    assert_ids,
    assert_message,
    assert_numbers,
    assert_pascal,
    assert_rows,
    call_empty,
    ensure_tags,
    expect_error,
    grow_plants,
    list_all,
    now_window,
    past_window,
    uniq,
)
from test_cultivation import CANOPY, batch, plant

TODAY = datetime.now(timezone.utc).date().isoformat()
TOMORROW = (datetime.now(timezone.utc) + timedelta(days=2)).date().isoformat()
ADDITIVE_NUMBERS = ("TotalAmountApplied",)


def new_batch(server, api, n):
    """A new batch of `n` clones (its own opening package of clones); (id, name)."""
    ensure_tags(server, api, package=1)
    bid, name, _ = plant(server, api, n)
    return bid, name


def template_body(name, **extra):
    body = {
        "Name": name, "AdditiveType": "Fertilizer", "ProductTradeName": "Grow Big", "ProductSupplier": "FoxFarm",
        "EpaRegistrationNumber": "12345-6", "ApplicationDevice": "Watering can", "Note": "conformance",
        "RestrictiveEntryIntervalQuantityDescription": "4", "RestrictiveEntryIntervalTimeDescription": "Hours",
        "ActiveIngredients": [{"Name": "Nitrogen", "Percentage": 6}, {"Name": "Phosphate", "Percentage": 4.5}],
    }
    body.update(extra)
    return body


def direct(**extra):
    """A product named in full (`POST /plants/v2/additives`, `…/bylocation`, `/plantbatches/v2/additives`)."""
    body = {
        "AdditiveType": "Pesticide", "ProductTradeName": "Neem Oil", "EpaRegistrationNumber": "70051-2",
        "ProductSupplier": "Garden Safe", "ApplicationDevice": "Backpack sprayer", "TotalAmountApplied": 1.25,
        "TotalAmountUnitOfMeasure": "Liters", "ActiveIngredients": [{"Name": "Azadirachtin", "Percentage": 0.9}],
        "ActualDate": TODAY,
    }
    body.update(extra)
    return body


def using(template_name, **extra):
    """A product from a template (the `…/usingtemplate` endpoints)."""
    body = {"AdditivesTemplateName": template_name, "Rate": "2 ml/l", "Volume": "10 l", "TotalAmountApplied": 20,
            "TotalAmountUnitOfMeasure": "Milliliters", "ActualDate": TODAY}
    body.update(extra)
    return body


def additives_by_id(api):
    out = {a["Id"]: a for a in list_all(api.plants_get_additives_v2, license_number=api.lic)}
    assert_pascal(list(out.values()))
    for a in out.values():
        assert_numbers(a, ADDITIVE_NUMBERS, "PlantAdditive.")
    return out


def active_templates(api):
    return {t["Id"]: t for t in list_all(api.additives_templates_get_active_v2, license_number=api.lic)}


def new_template(api, **extra):
    name = uniq("Tpl")
    (tid,) = assert_ids(api.additives_templates_create_v2(body=[template_body(name, **extra)], license_number=api.lic), 1)
    return tid, name


def location_type_of(api, name):
    for loc in list_all(api.locations_get_active_v2, license_number=api.lic):
        if loc["Name"] == name:
            return loc["LocationTypeName"]
    pytest.fail(f"{api.lic} has no location {name}")


# ---------------------------------------------------------------------------------------------
# Types and templates


def test_additive_types_need_no_license(cult, manu):
    """`GET /plants/v2/additives/types` is an enumeration any caller may read (no licenseNumber)."""
    types = cult.plants_get_additives_types_v2()
    assert types == ["Fertilizer", "Pesticide", "Other"], types
    assert manu.plants_get_additives_types_v2() == types


def test_rules_70_71_additives_templates(cult):
    """A template names a product once; its name is unique (case-insensitively) among the
    facility's active templates; ingredient percentages are numbers within 0..100 adding up to at
    most 100. `[good, bad]` → row 1 and nothing written."""
    name = uniq("Tpl")
    other = uniq("Tpl")
    out = cult.additives_templates_create_v2(
        body=[template_body(name), template_body(other, AdditiveType="other", ActiveIngredients=[])], license_number=cult.lic)
    tid, oid = assert_ids(out, 2)
    t = cult.additives_templates_get_v2(str(tid), license_number=cult.lic)
    assert_pascal(t)
    assert (t["Id"], t["Name"], t["AdditiveTypeName"], t["ProductTradeName"], t["ProductSupplier"], t["EpaRegistrationNumber"],
            t["ApplicationDevice"], t["IsActive"]) == (tid, name, "Fertilizer", "Grow Big", "FoxFarm", "12345-6", "Watering can", True), t
    ings = {i["Name"]: i["Percentage"] for i in t["ActiveIngredients"]}
    assert ings == {"Nitrogen": 6, "Phosphate": 4.5}, t
    for i in t["ActiveIngredients"]:
        assert_numbers(i, ("Percentage",), "ActiveIngredients.")
    # Case-insensitive type (rule 71), stored in Metrc's spelling.
    assert cult.additives_templates_get_v2(str(oid), license_number=cult.lic)["AdditiveTypeName"] == "Other"
    active = active_templates(cult)
    assert {tid, oid} <= set(active)
    assert_pascal(list(active.values()))
    inactive = assert_envelope(cult.additives_templates_get_inactive_v2(license_number=cult.lic, page_number="1", page_size="20"),
                               page=1, page_size=20)
    assert not {tid, oid} & {t["Id"] for t in inactive}

    # The lastModified window of the active list (reference §10).
    start, end = now_window()
    assert tid in {x["Id"] for x in list_all(cult.additives_templates_get_active_v2, license_number=cult.lic,
                                             last_modified_start=start, last_modified_end=end)}
    start, end = past_window()
    assert tid not in {x["Id"] for x in list_all(cult.additives_templates_get_active_v2, license_number=cult.lic,
                                                 last_modified_start=start, last_modified_end=end)}

    # Update: every field is replaced, the id stays.
    renamed = uniq("Tpl")
    call_empty(cult.additives_templates_update_v2,
               body=[template_body(renamed, Id=tid, ProductTradeName="Big Bloom", ActiveIngredients=[{"Name": "Potash", "Percentage": 100}])],
               license_number=cult.lic)
    t = cult.additives_templates_get_v2(str(tid), license_number=cult.lic)
    assert (t["Name"], t["ProductTradeName"]) == (renamed, "Big Bloom"), t
    assert [(i["Name"], i["Percentage"]) for i in t["ActiveIngredients"]] == [("Potash", 100)], t

    before = active_templates(cult)
    # Duplicate name (another case), unknown type, a percentage above 100, percentages adding up
    # above 100, no trade name: one row each; `[good, bad]` writes nothing.
    fresh = uniq("Tpl")
    assert_rows(expect_error(400, cult.additives_templates_create_v2,
                             body=[template_body(fresh), template_body(renamed.upper())], license_number=cult.lic), [1])
    assert_rows(expect_error(400, cult.additives_templates_create_v2,
                             body=[template_body(uniq("Tpl"), AdditiveType="Fungus"),
                                   template_body(uniq("Tpl"), ActiveIngredients=[{"Name": "N", "Percentage": 101}]),
                                   template_body(uniq("Tpl"), ActiveIngredients=[{"Name": "N", "Percentage": 60}, {"Name": "P", "Percentage": 41}]),
                                   template_body(uniq("Tpl"), ActiveIngredients=[{"Name": "N", "Percentage": -1}]),
                                   template_body(uniq("Tpl"), ProductTradeName=""),
                                   template_body(fresh, AdditiveType="Other")],
                             license_number=cult.lic), [0, 1, 2, 3, 4])
    assert_rows(expect_error(400, cult.additives_templates_create_v2, body=[template_body(fresh), template_body(fresh.lower())],
                             license_number=cult.lic), [1])
    # PUT: unknown id, and a name another active template holds.
    assert_rows(expect_error(400, cult.additives_templates_update_v2,
                             body=[template_body(uniq("Tpl"), Id=oid), template_body(uniq("Tpl"), Id=987654321)], license_number=cult.lic), [1])
    assert_rows(expect_error(400, cult.additives_templates_update_v2,
                             body=[template_body(renamed, Id=oid)], license_number=cult.lic), [0])
    assert active_templates(cult) == before, "a refused request changed the templates"
    assert fresh not in {t["Name"] for t in before.values()}

    # Not an array, and the 11-object limit (rule 70).
    assert_message(expect_error(400, cult.additives_templates_create_v2, body=template_body(uniq("Tpl")), license_number=cult.lic))
    assert_message(expect_error(413, cult.additives_templates_create_v2,
                                body=[template_body(uniq("Tpl")) for _ in range(11)], license_number=cult.lic))
    assert active_templates(cult) == before


def test_templates_belong_to_their_facility(cult, manu):
    """Another facility's template answers 401; an unknown id 404; a license that grows no plants
    has no additives templates to manage (403) and lists none of another's."""
    tid, _ = new_template(cult)
    assert_message(expect_error(404, cult.additives_templates_get_v2, "987654321", license_number=cult.lic))
    assert_message(expect_error(401, manu.additives_templates_get_v2, str(tid), license_number=manu.lic))
    assert_message(expect_error(401, manu.additives_templates_get_v2, str(tid), license_number=cult.lic))
    assert_message(expect_error(403, manu.additives_templates_create_v2, body=[template_body(uniq("Tpl"))], license_number=manu.lic))
    assert_message(expect_error(403, manu.additives_templates_update_v2, body=[template_body(uniq("Tpl"), Id=tid)],
                                license_number=manu.lic))
    assert tid not in {t["Id"] for t in list_all(manu.additives_templates_get_active_v2, license_number=manu.lic)}
    assert_message(expect_error(401, manu.additives_templates_update_v2, body=[template_body(uniq("Tpl"), Id=tid)],
                                license_number=cult.lic))
    assert_message(expect_error(400, cult.additives_templates_get_active_v2))
    assert cult.additives_templates_get_v2(str(tid), license_number=cult.lic)["IsActive"] is True


# ---------------------------------------------------------------------------------------------
# Applications


def test_rule_17_additives_to_plants(server, cult, manu):
    """Rule 17: an application to tagged plants records the product, amount and unit, date, the
    plants and their batch; from a template it copies the template's product. Rules 16, 24: no
    future date, no amount at or below zero. `[good, bad]` → row 1, nothing written."""
    _, name = new_batch(server, cult, 4)
    plants = grow_plants(server, cult, name, 3)
    labels = [label for _, label in plants]
    tid, tname = new_template(cult)

    (aid,) = assert_ids(cult.plants_create_additives_v2(body=[direct(PlantLabels=labels[:2])], license_number=cult.lic), 1)
    (uid,) = assert_ids(cult.plants_create_additives_usingtemplate_v2(
        body=[using(tname.upper(), PlantLabels=[labels[2].lower()])], license_number=cult.lic), 1)
    recs = additives_by_id(cult)
    a = recs[aid]
    assert (a["AdditiveTypeName"], a["ProductTradeName"], a["ProductSupplier"], a["EpaRegistrationNumber"],
            a["ApplicationDevice"], a["TotalAmountApplied"], a["AmountUnitOfMeasure"], a["ActualDate"][:10]) == (
        "Pesticide", "Neem Oil", "Garden Safe", "70051-2", "Backpack sprayer", 1.25, "Liters", TODAY), a
    assert sorted(a["PlantLabels"]) == sorted(labels[:2]) and a["PlantCount"] == 2 and a["PlantBatchName"] == name, a
    assert a["AdditivesTemplateName"] is None and [i["Name"] for i in a["ActiveIngredients"]] == ["Azadirachtin"], a
    assert isinstance(a["RecordedByUserName"], str) and a["RecordedByUserName"], a
    u = recs[uid]
    assert (u["AdditivesTemplateName"], u["ProductTradeName"], u["AdditiveTypeName"], u["Rate"], u["Volume"],
            u["TotalAmountApplied"], u["AmountUnitOfMeasure"], u["PlantLabels"], u["PlantCount"]) == (
        tname, "Grow Big", "Fertilizer", "2 ml/l", "10 l", 20, "Milliliters", [labels[2]], 1), u
    # The lastModified window of the list (reference §10).
    start, end = now_window()
    assert aid in {x["Id"] for x in list_all(cult.plants_get_additives_v2, license_number=cult.lic,
                                             last_modified_start=start, last_modified_end=end)}
    start, end = past_window()
    assert aid not in {x["Id"] for x in list_all(cult.plants_get_additives_v2, license_number=cult.lic,
                                                 last_modified_start=start, last_modified_end=end)}

    before = set(additives_by_id(cult))
    good = direct(PlantLabels=labels[:1])
    # [good, bad]: only the bad row is named, nothing is written.
    for bad in (direct(PlantLabels=labels[:1], TotalAmountApplied=-1),      # rule 24
                direct(PlantLabels=labels[:1], TotalAmountApplied=0),
                direct(PlantLabels=labels[:1], TotalAmountUnitOfMeasure="Buckets"),
                direct(PlantLabels=labels[:1], TotalAmountUnitOfMeasure=None),
                direct(PlantLabels=labels[:1], ActualDate=TOMORROW),          # rule 16
                direct(PlantLabels=labels[:1], ActualDate=None),              # rule 17
                direct(PlantLabels=labels[:1], AdditiveType="Fungus"),
                direct(PlantLabels=labels[:1], ProductTradeName=None),
                direct(PlantLabels=[]),
                direct(PlantLabels=[labels[0], labels[0].lower()]),
                direct(PlantLabels=["1A4000000000000999999999"])):
        assert_rows(expect_error(400, cult.plants_create_additives_v2, body=[good, bad], license_number=cult.lic), [1])
    for bad in (using(uniq("No Such Template"), PlantLabels=labels[:1]),
                using(tname, PlantLabels=labels[:1], TotalAmountApplied=-5),          # rule 24
                using(tname, PlantLabels=labels[:1], TotalAmountUnitOfMeasure="Scoops"),
                using(None, PlantLabels=labels[:1])):
        assert_rows(expect_error(400, cult.plants_create_additives_usingtemplate_v2,
                                 body=[using(tname, PlantLabels=labels[:1]), bad], license_number=cult.lic), [1])
    assert_message(expect_error(400, cult.plants_create_additives_v2, body=good, license_number=cult.lic))
    assert_message(expect_error(413, cult.plants_create_additives_v2, body=[good] * 11, license_number=cult.lic))
    # Another facility's plants: a user of another facility answers 401 at this license, and a
    # license that grows no plants may not record additives (403).
    assert_message(expect_error(401, manu.plants_create_additives_v2, body=[good], license_number=cult.lic))
    assert_message(expect_error(401, manu.plants_get_additives_v2, license_number=cult.lic))
    assert_message(expect_error(403, manu.plants_create_additives_v2, body=[good], license_number=manu.lic))
    assert set(additives_by_id(cult)) == before, "a refused request recorded additives"
    # Every read is scoped: the manufacturer's own list shows none of the cultivator's records.
    assert not before & {a["Id"] for a in list_all(manu.plants_get_additives_v2, license_number=manu.lic)}
    assert_message(expect_error(400, cult.plants_get_additives_v2))

    # A destroyed plant takes no additive.
    assert_ids(cult.plants_delete_v2(body=[{"Label": labels[0], "WasteMethodName": "Compost", "WasteWeight": 10,
                                            "WasteUnitOfMeasureName": "Grams", "WasteReasonName": "Contamination",
                                            "ActualDate": TODAY}], license_number=cult.lic), 1)
    assert_rows(expect_error(400, cult.plants_create_additives_v2, body=[direct(PlantLabels=[labels[0]])], license_number=cult.lic), [0])
    assert set(additives_by_id(cult)) == before


def test_rule_17_additives_by_location(server, cult):
    """An application by location treats every growing plant there (and only those): direct and
    from a template. A location with no growing plant, or an unknown one, is refused on its row."""
    loc_type = location_type_of(cult, CANOPY)
    room = uniq("Conf Room")
    empty = uniq("Conf Empty")
    assert_ids(cult.locations_create_v2(body=[{"Name": room, "LocationTypeName": loc_type},
                                              {"Name": empty, "LocationTypeName": loc_type}], license_number=cult.lic), 2)
    _, name = new_batch(server, cult, 3)
    plants = grow_plants(server, cult, name, 3, location=room)
    labels = sorted(label for _, label in plants)
    # One of them dies: it is no longer treated.
    assert_ids(cult.plants_delete_v2(body=[{"Label": labels[2], "WasteMethodName": "Compost", "WasteWeight": 5,
                                            "WasteUnitOfMeasureName": "Grams", "WasteReasonName": "Contamination",
                                            "ActualDate": TODAY}], license_number=cult.lic), 1)
    _, tname = new_template(cult)

    (lid,) = assert_ids(cult.plants_create_additives_bylocation_v2(body=[direct(LocationName=room.lower())], license_number=cult.lic), 1)
    (tlid,) = assert_ids(cult.plants_create_additives_bylocation_usingtemplate_v2(
        body=[using(tname, LocationName=room)], license_number=cult.lic), 1)
    recs = additives_by_id(cult)
    for rid, product in ((lid, "Neem Oil"), (tlid, "Grow Big")):
        r = recs[rid]
        assert (r["LocationName"], sorted(r["PlantLabels"]), r["PlantCount"], r["ProductTradeName"]) == (
            room, labels[:2], 2, product), r
    assert recs[tlid]["AdditivesTemplateName"] == tname

    # One plant moves to a sublocation of the room: an application to the sublocation treats it
    # alone, and an empty sublocation is refused.
    bench, spare = uniq("Conf Bench"), uniq("Conf Shelf")
    assert_ids(cult.sublocations_create_v2(body=[{"Name": bench}, {"Name": spare}], license_number=cult.lic), 2)
    call_empty(cult.plants_update_location_v2, body=[{"Label": labels[1], "Location": room, "Sublocation": bench}],
               license_number=cult.lic)
    (sid,) = assert_ids(cult.plants_create_additives_bylocation_v2(
        body=[direct(LocationName=room, SublocationName=bench)], license_number=cult.lic), 1)
    recs = additives_by_id(cult)
    assert (recs[sid]["LocationName"], recs[sid]["SublocationName"], recs[sid]["PlantLabels"], recs[sid]["PlantCount"]) == (
        room, bench, [labels[1]], 1), recs[sid]
    assert_rows(expect_error(400, cult.plants_create_additives_bylocation_v2,
                             body=[direct(LocationName=room), direct(LocationName=room, SublocationName=spare)],
                             license_number=cult.lic), [1])

    before = set(recs)
    for fn, good, bad in (
        (cult.plants_create_additives_bylocation_v2, direct(LocationName=room), direct(LocationName=empty)),
        (cult.plants_create_additives_bylocation_v2, direct(LocationName=room), direct(LocationName=uniq("Nowhere"))),
        (cult.plants_create_additives_bylocation_v2, direct(LocationName=room), direct(LocationName=room, TotalAmountApplied=-0.5)),
        (cult.plants_create_additives_bylocation_usingtemplate_v2, using(tname, LocationName=room), using(tname, LocationName=empty)),
        (cult.plants_create_additives_bylocation_usingtemplate_v2, using(tname, LocationName=room),
         using(uniq("No Such Template"), LocationName=room)),
    ):
        assert_rows(expect_error(400, fn, body=[good, bad], license_number=cult.lic), [1])
    assert set(additives_by_id(cult)) == before


def test_rule_17_additives_to_plant_batches(server, cult, manu):
    """An application to a plant batch counts the batch's untracked plants; a batch with no plant
    left, or an unknown one, is refused on its row; a template's product is copied."""
    bid, name = new_batch(server, cult, 5)
    _, tname = new_template(cult, AdditiveType="Other", ProductTradeName="Cal-Mag")
    (aid,) = assert_ids(cult.plant_batches_create_additives_v2(body=[direct(PlantBatchName=name.lower())], license_number=cult.lic), 1)
    (tid,) = assert_ids(cult.plant_batches_create_additives_usingtemplate_v2(
        body=[using(tname, PlantBatchName=name, TotalAmountApplied=0.005, TotalAmountUnitOfMeasure="Kilograms")],
        license_number=cult.lic), 1)
    recs = additives_by_id(cult)
    a, t = recs[aid], recs[tid]
    assert (a["PlantBatchId"], a["PlantBatchName"], a["PlantCount"], a["ProductTradeName"]) == (bid, name, 5, "Neem Oil"), a
    assert (t["PlantBatchName"], t["PlantCount"], t["ProductTradeName"], t["AdditiveTypeName"], t["AdditivesTemplateName"],
            t["TotalAmountApplied"], t["AmountUnitOfMeasure"]) == (name, 5, "Cal-Mag", "Other", tname, 0.005, "Kilograms"), t

    # Destroy every plant of the batch: it is inactive and takes no additive.
    assert_ids(cult.plant_batches_delete_v2(
        body=[{"PlantBatch": name, "Count": 5, "WasteMethodName": "Compost", "WasteReasonName": "Unhealthy or Died",
               "WasteWeight": 50, "WasteUnitOfMeasure": "Grams"}], license_number=cult.lic), 1)
    assert batch(cult, bid)["UntrackedCount"] == 0
    _, live = new_batch(server, cult, 2)
    before = set(additives_by_id(cult))
    for fn, good, bad in (
        (cult.plant_batches_create_additives_v2, direct(PlantBatchName=live), direct(PlantBatchName=name)),
        (cult.plant_batches_create_additives_v2, direct(PlantBatchName=live), direct(PlantBatchName=uniq("No Lot"))),
        (cult.plant_batches_create_additives_v2, direct(PlantBatchName=live), direct(PlantBatchName=live, TotalAmountApplied=-2)),
        (cult.plant_batches_create_additives_usingtemplate_v2, using(tname, PlantBatchName=live), using(tname, PlantBatchName=name)),
        (cult.plant_batches_create_additives_usingtemplate_v2, using(tname, PlantBatchName=live),
         using(tname, PlantBatchName=live, TotalAmountUnitOfMeasure="Pinches")),
    ):
        assert_rows(expect_error(400, fn, body=[good, bad], license_number=cult.lic), [1])
    assert_message(expect_error(401, manu.plant_batches_create_additives_v2, body=[direct(PlantBatchName=live)], license_number=cult.lic))
    assert_message(expect_error(403, manu.plant_batches_create_additives_usingtemplate_v2,
                                body=[using(tname, PlantBatchName=live)], license_number=manu.lic))
    assert set(additives_by_id(cult)) == before
