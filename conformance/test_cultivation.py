"""Cultivation over the wire (reference §12 PlantBatches, Plants, Harvests; Packages for
`/packages/v2/plantings` and `/packages/v2/{id}/source/harvests`): plantings from a clones
package, growth phases, batch and plant changes, waste and destruction, harvests, manicure and
packages from a harvest, all through thunkmetrc-client.

Only the demo cultivator grows (rule 12's capability `CanGrowPlants`); the clones it plants come
from an opening package the operator records with `tagtrail admin opening-package`."""

import pytest

from helpers import (
    assert_envelope,
    assert_ids,
    assert_message,
    assert_pascal,
    assert_rows,
    call_empty,
    expect_error,
    list_all,
    uniq,
)

CANOPY = "Greenhouse A"
DRYING = "Drying Room"
STORAGE = "Vault"
CLONES = "Sour Diesel Clones"
STRAIN = "Sour Diesel"
FLOWER = "Blue Dream Flower"


def admin(server, *args):
    p = server.cli("admin", "--database-url", server.verify_url, *args)
    assert p.returncode == 0, f"tagtrail admin {' '.join(args)} exited {p.returncode}:\n{p.stdout}\n{p.stderr}"
    return p.stdout


def package_tag(api):
    tags = [t["Label"] for t in api.tags_get_package_available_v2(license_number=api.lic)]
    assert tags, f"{api.lic} has no package tag left"
    return tags[0]


def plant_tags(api):
    return [t["Label"] for t in api.tags_get_plant_available_v2(license_number=api.lic)]


def clones_package(server, api, n):
    """A package of `n` clones at the cultivator (the operator's opening balance); its label."""
    tag = package_tag(api)
    admin(server, "opening-package", "--license-number", api.lic, "--tag", tag, "--item", CLONES,
          "--quantity", str(n), "--unit", "Each", "--location", STORAGE)
    return tag


def planting_body(label, name, count, **extra):
    body = {"PackageLabel": label, "PackageAdjustmentAmount": count, "PackageAdjustmentUnitOfMeasureName": "Each",
            "PlantBatchName": name, "PlantBatchType": "Clone", "PlantCount": count, "LocationName": CANOPY,
            "StrainName": STRAIN}
    body.update(extra)
    return body


def plant(server, api, n):
    """A new batch of `n` clones planted through `POST /packages/v2/plantings`; (id, name, package label)."""
    label = clones_package(server, api, n)
    name = uniq("Lot")
    (bid,) = assert_ids(api.packages_create_plantings_v2(body=[planting_body(label, name, n)], license_number=api.lic), 1)
    return bid, name, label


def batch(api, bid):
    return api.plant_batches_get_v2(str(bid), license_number=api.lic)


def grow(api, name, n, phase="Vegetative"):
    """`n` plants of batch `name` tagged into `phase` (rule 20: one plant tag per plant); their ids."""
    tags = plant_tags(api)
    assert len(tags) >= n, f"{api.lic} has {len(tags)} plant tags, {n} needed"
    out = api.plant_batches_create_growthphase_v2(
        body=[{"Name": name, "Count": n, "StartingTag": tags[0], "GrowthPhase": phase, "NewLocation": CANOPY}],
        license_number=api.lic)
    return assert_ids(out, n)


def active_batch_ids(api):
    return {b["Id"] for b in list_all(api.plant_batches_get_active_v2, license_number=api.lic)}


def package_quantity(api, label):
    return api.packages_get_by_label_v2(label, license_number=api.lic)["Quantity"]


# ---------------------------------------------------------------------------------------------
# Plant batches


def test_rule_22_plantings_from_a_clones_package(server, cult):
    """Rule 22: a planting names its source, here a package of clones whose count goes down by the
    plants planted; rule 19: at most 100 plants a lot. `[good, bad]` writes nothing."""
    label = clones_package(server, cult, 10)
    name = uniq("Lot")
    out = cult.packages_create_plantings_v2(body=[planting_body(label, name, 4, PlantedDate="2026-01-05")], license_number=cult.lic)
    (bid,) = assert_ids(out, 1)
    b = batch(cult, bid)
    assert_pascal(b)
    assert (b["Name"], b["PlantBatchTypeName"], b["UntrackedCount"], b["StrainName"], b["LocationName"]) == (
        name, "Clone", 4, STRAIN, CANOPY)
    assert b["SourcePackageLabel"] == label and b["PlantedDate"] == "2026-01-05", b
    assert package_quantity(cult, label) == 6
    assert bid in active_batch_ids(cult)

    # The same planting through the plant batch door with tagtrail's SourcePackage extension.
    (other,) = assert_ids(cult.plant_batches_create_plantings_v2(
        body=[{"Name": uniq("Lot"), "Type": "Clone", "Count": 2, "Strain": STRAIN, "Location": CANOPY, "SourcePackage": label}],
        license_number=cult.lic), 1)
    assert batch(cult, other)["SourcePackageLabel"] == label
    assert package_quantity(cult, label) == 4

    before = active_batch_ids(cult)
    # No source (rule 22), more than the package holds, more than 100 plants (rule 19), an
    # adjustment that is not the plant count: one row each, nothing written.
    assert_rows(expect_error(400, cult.packages_create_plantings_v2,
                             body=[planting_body(label, uniq("Lot"), 1), planting_body("", uniq("Lot"), 1)],
                             license_number=cult.lic), [1])
    assert_rows(expect_error(400, cult.packages_create_plantings_v2,
                             body=[planting_body(label, uniq("Lot"), 5)], license_number=cult.lic), [0])
    assert_rows(expect_error(400, cult.packages_create_plantings_v2,
                             body=[planting_body(label, uniq("Lot"), 101)], license_number=cult.lic), [0])
    assert_rows(expect_error(400, cult.packages_create_plantings_v2,
                             body=[planting_body(label, uniq("Lot"), 1, PackageAdjustmentAmount=2)], license_number=cult.lic), [0])
    assert_rows(expect_error(400, cult.plant_batches_create_plantings_v2,
                             body=[{"Name": uniq("Lot"), "Type": "Clone", "Count": 1, "Strain": STRAIN, "Location": CANOPY}],
                             license_number=cult.lic), [0])
    assert active_batch_ids(cult) == before
    assert package_quantity(cult, label) == 4


def test_plant_batch_reads(cult, manu):
    types = assert_envelope(cult.plant_batches_get_types_v2(page_number="1", page_size="20"), page=1, page_size=20)
    assert sorted(t["Name"] for t in types) == ["Clone", "Seed"]
    assert_pascal(types)
    reasons = cult.plant_batches_get_waste_reasons_v2(license_number=cult.lic)
    assert_pascal(reasons)
    assert {r["Name"] for r in assert_envelope(reasons)} >= {"Contamination", "Male Plants"}
    assert_pascal(assert_envelope(cult.plant_batches_get_waste_v2(license_number=cult.lic, page_number="1", page_size="20"),
                                  page=1, page_size=20))
    assert_pascal(assert_envelope(cult.plant_batches_get_active_v2(license_number=cult.lic, page_number="1", page_size="20"),
                                  page=1, page_size=20))
    assert_envelope(cult.plant_batches_get_inactive_v2(license_number=cult.lic, page_number="1", page_size="20"), page=1, page_size=20)
    # Errors in Metrc's shapes: unknown id 404, another facility's batch 401, a manufacturer may
    # not plant (403).
    assert_message(expect_error(404, cult.plant_batches_get_v2, "987654321", license_number=cult.lic))
    any_batch = next(iter(active_batch_ids(cult)), None)
    if any_batch is not None:
        assert_message(expect_error(401, manu.plant_batches_get_v2, str(any_batch), license_number=manu.lic))
    assert_message(expect_error(403, manu.plant_batches_create_plantings_v2,
                                body=[{"Name": uniq("Lot"), "Type": "Clone", "Count": 1, "Strain": STRAIN, "Location": CANOPY}],
                                license_number=manu.lic))
    assert_message(expect_error(403, manu.packages_create_plantings_v2,
                                body=[planting_body("1A4000000000000000000001", uniq("Lot"), 1)], license_number=manu.lic))


def test_rules_20_21_batch_growth_phase_and_changes(server, cult):
    """Rule 20: a plant leaving its batch gets its own plant tag; rule 21: flowering only in a
    canopy location; rule 24: counts never go below zero."""
    bid, name, _ = plant(server, cult, 12)
    tags = plant_tags(cult)
    plants = grow(cult, name, 2)
    assert {p for p in plants} <= {p["Id"] for p in list_all(cult.plants_get_vegetative_v2, license_number=cult.lic)}
    assert not set(tags[:2]) & set(plant_tags(cult)), "the two tags are used"
    b = batch(cult, bid)
    assert (b["UntrackedCount"], b["TrackedCount"]) == (10, 2)
    # Rule 21: not flowering in storage; rule 20: no tag, no plant.
    assert_rows(expect_error(400, cult.plant_batches_create_growthphase_v2,
                             body=[{"Name": name, "Count": 1, "StartingTag": plant_tags(cult)[0], "GrowthPhase": "Flowering", "NewLocation": STORAGE}],
                             license_number=cult.lic), [0])
    assert_rows(expect_error(400, cult.plant_batches_create_growthphase_v2,
                             body=[{"Name": name, "Count": 1, "GrowthPhase": "Flowering", "NewLocation": CANOPY}],
                             license_number=cult.lic), [0])
    flowering = grow(cult, name, 1, "Flowering")
    assert set(flowering) <= {p["Id"] for p in list_all(cult.plants_get_flowering_v2, license_number=cult.lic)}

    assert_ids(cult.plant_batches_create_adjust_v2(
        body=[{"PlantBatchName": name, "Quantity": -1, "AdjustmentReason": "Spoilage", "AdjustmentDate": "2026-01-06"}],
        license_number=cult.lic), 1)
    assert batch(cult, bid)["UntrackedCount"] == 8
    assert_rows(expect_error(400, cult.plant_batches_create_adjust_v2,
                             body=[{"PlantBatchName": name, "Quantity": -100, "AdjustmentReason": "Spoilage"}],
                             license_number=cult.lic), [0])
    split_name = uniq("Split")
    (sid,) = assert_ids(cult.plant_batches_create_split_v2(
        body=[{"PlantBatch": name, "GroupName": split_name, "Count": 3, "Strain": "OG Kush"}], license_number=cult.lic), 1)
    s = batch(cult, sid)
    assert (s["Name"], s["UntrackedCount"], s["StrainName"]) == (split_name, 3, "OG Kush")
    assert batch(cult, bid)["UntrackedCount"] == 5

    call_empty(cult.plant_batches_update_location_v2, body=[{"Name": split_name, "Location": CANOPY}], license_number=cult.lic)
    assert_rows(expect_error(400, cult.plant_batches_update_location_v2, body=[{"Name": split_name, "Location": STORAGE}],
                             license_number=cult.lic), [0])
    renamed = uniq("Renamed")
    call_empty(cult.plant_batches_update_name_v2, body=[{"Id": sid, "NewGroup": renamed}], license_number=cult.lic)
    assert batch(cult, sid)["Name"] == renamed
    call_empty(cult.plant_batches_update_strain_v2, body=[{"Name": renamed, "StrainName": "Blue Dream"}], license_number=cult.lic)
    assert batch(cult, sid)["StrainName"] == "Blue Dream"
    tag = plant_tags(cult)[0]
    call_empty(cult.plant_batches_update_tag_v2, body=[{"Id": sid, "NewTag": tag}], license_number=cult.lic)
    assert tag not in plant_tags(cult)
    assert_rows(expect_error(400, cult.plant_batches_update_tag_v2, body=[{"Id": bid, "NewTag": tag}], license_number=cult.lic), [0])


def test_rule_57_batch_waste_and_destruction(server, cult):
    """Rule 57: waste names its method, reason and weight; destroyed plants leave the batch, and a
    batch with no plant left is inactive (rule 72: still readable)."""
    bid, name, _ = plant(server, cult, 4)
    assert_ids(cult.plant_batches_create_waste_v2(
        body=[{"PlantBatchName": name, "WasteMethodName": "Compost", "WasteWeight": 12.5, "UnitOfMeasureName": "Grams",
               "ReasonName": "Trimming/Pruning", "WasteDate": "2026-01-08"}], license_number=cult.lic), 1)
    waste = [w for w in list_all(cult.plant_batches_get_waste_v2, license_number=cult.lic) if w.get("PlantBatchName") == name]
    assert len(waste) == 1 and waste[0]["WasteWeight"] == 12.5, waste
    assert_pascal(waste)
    assert_rows(expect_error(400, cult.plant_batches_create_waste_v2,
                             body=[{"PlantBatchName": name, "WasteMethodName": "Compost", "WasteWeight": 1, "UnitOfMeasureName": "Each",
                                    "ReasonName": "Contamination"}], license_number=cult.lic), [0])
    assert_ids(cult.plant_batches_delete_v2(
        body=[{"PlantBatch": name, "Count": 4, "WasteMethodName": "Compost", "WasteReasonName": "Unhealthy or Died",
               "WasteWeight": 50, "WasteUnitOfMeasure": "Grams"}], license_number=cult.lic), 1)
    assert bid not in active_batch_ids(cult)
    assert bid in {b["Id"] for b in list_all(cult.plant_batches_get_inactive_v2, license_number=cult.lic)}
    assert batch(cult, bid)["DestroyedCount"] == 4
    assert_rows(expect_error(400, cult.plant_batches_delete_v2,
                             body=[{"PlantBatch": name, "Count": 1, "WasteMethodName": "Compost", "WasteReasonName": "Unhealthy or Died",
                                    "WasteWeight": 1, "WasteUnitOfMeasure": "Grams"}], license_number=cult.lic), [0])


# ---------------------------------------------------------------------------------------------
# Plants


def test_plant_reads_and_changes(server, cult, manu):
    """Rule 21: a flowering plant stays in the canopy; rule 20: a new tag replaces the old one.
    Another facility's plant answers 401 by id and by label."""
    _, name, _ = plant(server, cult, 3)
    ids = grow(cult, name, 2)
    p = cult.plants_get_v2(str(ids[0]), license_number=cult.lic)
    assert_pascal(p)
    assert (p["GrowthPhase"], p["PlantBatchName"], p["StrainName"]) == ("Vegetative", name, STRAIN)
    label = p["Label"]
    assert cult.plants_get_by_label_v2(label, license_number=cult.lic)["Id"] == ids[0]
    assert_message(expect_error(404, cult.plants_get_by_label_v2, "1A4000000000000999999999", license_number=cult.lic))
    assert_message(expect_error(401, manu.plants_get_v2, str(ids[0]), license_number=manu.lic))
    assert_message(expect_error(401, manu.plants_get_by_label_v2, label, license_number=manu.lic))

    assert cult.plants_get_growth_phases_v2(license_number=cult.lic) == ["Vegetative", "Flowering"]
    for fn in (cult.plants_get_vegetative_v2, cult.plants_get_flowering_v2, cult.plants_get_mother_v2,
               cult.plants_get_onhold_v2, cult.plants_get_inactive_v2):
        assert_pascal(assert_envelope(fn(license_number=cult.lic, page_number="1", page_size="20"), page=1, page_size=20))
    methods = assert_envelope(cult.plants_get_waste_methods_all_v2(page_number="1", page_size="20"), page=1, page_size=20)
    assert methods and all(isinstance(m["Name"], str) for m in methods)
    reasons = assert_envelope(cult.plants_get_waste_reasons_v2(license_number=cult.lic))
    assert {r["Name"] for r in reasons} >= {"Contamination"}

    assert_rows(expect_error(400, cult.plants_update_growthphase_v2,
                             body=[{"Id": ids[0], "GrowthPhase": "Flowering", "NewLocation": STORAGE}], license_number=cult.lic), [0])
    call_empty(cult.plants_update_growthphase_v2, body=[{"Label": label, "GrowthPhase": "Flowering", "NewLocation": CANOPY}],
               license_number=cult.lic)
    assert cult.plants_get_by_label_v2(label, license_number=cult.lic)["GrowthPhase"] == "Flowering"
    assert ids[0] in {x["Id"] for x in list_all(cult.plants_get_flowering_v2, license_number=cult.lic)}
    call_empty(cult.plants_update_location_v2, body=[{"Id": ids[1], "Location": CANOPY}], license_number=cult.lic)
    assert_rows(expect_error(400, cult.plants_update_location_v2, body=[{"Id": ids[0], "Location": STORAGE}],
                             license_number=cult.lic), [0])
    call_empty(cult.plants_update_strain_v2, body=[{"Id": ids[1], "StrainName": "OG Kush"}], license_number=cult.lic)
    assert cult.plants_get_v2(str(ids[1]), license_number=cult.lic)["StrainName"] == "OG Kush"
    assert_rows(expect_error(400, cult.plants_update_strain_v2, body=[{"Id": ids[1], "StrainName": uniq("Nope")}],
                             license_number=cult.lic), [0])
    new_tag = plant_tags(cult)[0]
    call_empty(cult.plants_update_tag_v2, body=[{"Id": ids[1], "NewTag": new_tag}], license_number=cult.lic)
    assert cult.plants_get_v2(str(ids[1]), license_number=cult.lic)["Label"] == new_tag


def test_rule_57_plant_waste_and_destruction(server, cult):
    """Rule 57: plant waste names method, reason, weight; a destroyed plant is inactive (rule 72:
    still readable) and takes no more changes."""
    _, name, _ = plant(server, cult, 2)
    ids = grow(cult, name, 2)
    labels = [cult.plants_get_v2(str(i), license_number=cult.lic)["Label"] for i in ids]
    assert_ids(cult.plants_create_waste_v2(
        body=[{"WasteMethodName": "Compost", "WasteWeight": 20, "UnitOfMeasureName": "Grams", "ReasonName": "Trimming/Pruning",
               "PlantLabels": labels}], license_number=cult.lic), 1)
    assert_pascal(assert_envelope(cult.plants_get_waste_v2(license_number=cult.lic, page_number="1", page_size="20"), page=1, page_size=20))
    assert_ids(cult.plants_delete_v2(
        body=[{"Label": labels[0], "WasteMethodName": "Compost", "WasteWeight": 100, "WasteUnitOfMeasureName": "Grams",
               "WasteReasonName": "Contamination", "ActualDate": "2026-01-11"}], license_number=cult.lic), 1)
    assert ids[0] in {x["Id"] for x in list_all(cult.plants_get_inactive_v2, license_number=cult.lic)}
    assert ids[0] not in {x["Id"] for x in list_all(cult.plants_get_vegetative_v2, license_number=cult.lic)}
    assert_rows(expect_error(400, cult.plants_update_location_v2, body=[{"Id": ids[0], "Location": CANOPY}],
                             license_number=cult.lic), [0])
    assert_rows(expect_error(400, cult.plants_delete_v2,
                             body=[{"Label": labels[1], "WasteMethodName": "Compost", "WasteWeight": 1, "WasteUnitOfMeasureName": "Each",
                                    "WasteReasonName": "Contamination"}], license_number=cult.lic), [0])


# ---------------------------------------------------------------------------------------------
# Harvests


def harvest_by_name(api, name, fn=None):
    fn = fn or api.harvests_get_active_v2
    found = [h for h in list_all(fn, license_number=api.lic) if h["Name"] == name]
    assert len(found) == 1, f"harvest {name}: {found}"
    return found[0]


def cut(label, grams, name):
    return {"Plant": label, "Weight": grams, "UnitOfWeight": "Grams", "DryingLocation": DRYING, "HarvestName": name}


def test_harvests_through_the_client(server, cult, manu):
    """Harvest weights are recorded per plant into a named harvest in a drying location; rule 25:
    what is trimmed from a flowering plant is a manicure against a harvest; rule 72: a finished harvest stays readable, and is unfinished to change it; packages from a
    harvest name it as their source harvest."""
    _, name, _ = plant(server, cult, 3)
    ids = grow(cult, name, 3, "Flowering")
    labels = [cult.plants_get_v2(str(i), license_number=cult.lic)["Label"] for i in ids]
    hname = uniq("H")
    call_empty(cult.plants_update_harvest_v2, body=[cut(labels[0], 1200.5, hname), cut(labels[1], 800, hname)], license_number=cult.lic)
    h = harvest_by_name(cult, hname)
    assert_pascal(h)
    hid = h["Id"]
    assert h["CurrentWeight"] == 2000.5 and h["DryingLocationName"] == DRYING, h
    got = cult.harvests_get_v2(str(hid), license_number=cult.lic)
    assert got["Name"] == hname and got["PlantCount"] == 2, got
    assert ids[0] in {x["Id"] for x in list_all(cult.plants_get_inactive_v2, license_number=cult.lic)}
    # A harvested plant is harvested once; a harvest needs a drying location.
    assert_rows(expect_error(400, cult.plants_update_harvest_v2, body=[cut(labels[0], 1, hname)], license_number=cult.lic), [0])
    bad = cut(labels[2], 1, uniq("H"))
    bad["DryingLocation"] = STORAGE
    assert_rows(expect_error(400, cult.plants_update_harvest_v2, body=[bad], license_number=cult.lic), [0])
    assert harvest_by_name(cult, hname)["CurrentWeight"] == 2000.5

    mname = uniq("M")
    assert_ids(cult.plants_create_manicure_v2(body=[cut(labels[2], 50, mname)], license_number=cult.lic), 1)
    m = harvest_by_name(cult, mname)
    assert m["HarvestType"] == "Product" or m["CurrentWeight"] == 50, m

    types = assert_envelope(cult.harvests_get_waste_types_v2(page_number="1", page_size="20"), page=1, page_size=20)
    assert_pascal(types)
    wtype = types[0]["Name"]
    (wid,) = assert_ids(cult.harvests_create_waste_v2(
        body=[{"Id": hid, "WasteType": wtype, "UnitOfWeight": "Grams", "WasteWeight": 200.5}], license_number=cult.lic), 1)
    waste = assert_envelope(cult.harvests_get_waste_v2(harvest_id=str(hid), license_number=cult.lic))
    assert [w["Id"] for w in waste] == [wid]
    assert_pascal(waste)
    assert harvest_by_name(cult, hname)["CurrentWeight"] == 1800
    assert_rows(expect_error(400, cult.harvests_create_waste_v2,
                             body=[{"Id": hid, "WasteType": wtype, "UnitOfWeight": "Grams", "WasteWeight": 99999}], license_number=cult.lic), [0])
    call_empty(cult.harvests_delete_waste_v2, str(wid), license_number=cult.lic)
    assert harvest_by_name(cult, hname)["CurrentWeight"] == 2000.5

    new_name = uniq("H")
    assert_ids(cult.harvests_update_rename_v2(body=[{"Id": hid, "NewName": new_name}], license_number=cult.lic), 1)
    assert_rows(expect_error(400, cult.harvests_update_rename_v2, body=[{"Id": hid, "NewName": mname.lower()}],
                             license_number=cult.lic), [0])
    assert_ids(cult.harvests_update_location_v2(body=[{"Id": hid, "DryingLocation": DRYING}], license_number=cult.lic), 1)
    assert_rows(expect_error(400, cult.harvests_update_location_v2, body=[{"Id": hid, "DryingLocation": STORAGE}],
                             license_number=cult.lic), [0])

    tag = package_tag(cult)
    (pid,) = assert_ids(cult.harvests_create_package_v2(
        body=[{"Tag": tag, "Location": STORAGE, "Item": FLOWER, "UnitOfWeight": "Grams",
               "Ingredients": [{"HarvestId": hid, "HarvestName": new_name, "Weight": 500, "UnitOfWeight": "Grams"}]}],
        license_number=cult.lic), 1)
    pkg = cult.packages_get_by_label_v2(tag, license_number=cult.lic)
    assert pkg["Id"] == pid and pkg["Quantity"] == 500, pkg
    sources = cult.packages_get_source_harvest_v2(str(pid), license_number=cult.lic)
    assert_pascal(sources)
    assert [s["Name"] for s in sources] == [new_name], sources
    assert harvest_by_name(cult, new_name)["CurrentWeight"] == 1500.5

    assert_ids(cult.harvests_update_finish_v2(body=[{"Id": hid}], license_number=cult.lic), 1)
    assert hid not in {x["Id"] for x in list_all(cult.harvests_get_active_v2, license_number=cult.lic)}
    assert hid in {x["Id"] for x in list_all(cult.harvests_get_inactive_v2, license_number=cult.lic)}
    assert_envelope(cult.harvests_get_onhold_v2(license_number=cult.lic, page_number="1", page_size="20"), page=1, page_size=20)
    assert_rows(expect_error(400, cult.harvests_create_waste_v2,
                             body=[{"Id": hid, "WasteType": wtype, "UnitOfWeight": "Grams", "WasteWeight": 1}], license_number=cult.lic), [0])
    assert_ids(cult.harvests_update_unfinish_v2(body=[{"Id": hid}], license_number=cult.lic), 1)
    assert hid in {x["Id"] for x in list_all(cult.harvests_get_active_v2, license_number=cult.lic)}

    assert_message(expect_error(404, cult.harvests_get_v2, "987654321", license_number=cult.lic))
    assert_message(expect_error(401, manu.harvests_get_v2, str(hid), license_number=manu.lic))
    assert_message(expect_error((401, 403), manu.plants_update_harvest_v2, body=[cut(labels[2], 1, uniq("H"))], license_number=manu.lic))


@pytest.mark.parametrize("fn_name", ["plants_get_vegetative_v2", "plant_batches_get_active_v2", "harvests_get_active_v2"])
def test_cultivation_lists_need_a_license(cult, fn_name):
    """A list without licenseNumber is refused with `{"Message"}`."""
    fn = getattr(cult, fn_name)
    assert_message(expect_error(400, fn))
