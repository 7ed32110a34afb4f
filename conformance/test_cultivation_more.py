"""More cultivation over the wire (reference §12 PlantBatches, Plants, Harvests), the endpoints
test_cultivation.py leaves out: packages of immature plants from a batch, from a plant and from
a batch's mother plant, plantings from a mother plant and the mother plant lists, plant waste records and what they name, the plant-group
endpoints California refuses, restoring harvested plants, testing packages from a harvest and the
harvest waste list, through thunkmetrc-client.

Every test plants its own batch and plants, so nothing depends on the demo's counts."""

from datetime import datetime, timezone

from helpers import (
    assert_envelope,
    assert_ids,
    assert_message,
    assert_numbers,
    assert_pascal,
    assert_rows,
    available_tags,
    call_empty,
    describe,
    ensure_tags,
    expect_error,
    grow_plants,
    is_int,
    list_all,
    uniq,
)
from test_cultivation import CANOPY, CLONES, FLOWER, STORAGE, STRAIN, active_batch_ids, batch, cut, harvest_by_name, plant

TODAY = datetime.now(timezone.utc).date().isoformat()


def new_batch(server, api, n):
    """A new batch of `n` clones (its own opening package of clones); (id, name)."""
    ensure_tags(server, api, package=1)
    bid, name, _ = plant(server, api, n)
    return bid, name


def ids_in(fn, api):
    return {x["Id"] for x in list_all(fn, license_number=api.lic)}


def package_tag(server, api):
    ensure_tags(server, api, package=1)
    return available_tags(api, "package")[0]


def get_plant(api, pid):
    return api.plants_get_v2(str(pid), license_number=api.lic)


def plants_of(api, labels):
    return [api.plants_get_by_label_v2(label, license_number=api.lic) for label in labels]


def assert_refused(resp, rows):
    """A 400 in either of Metrc's shapes: per-row errors for `rows`, or one `{"Message"}`."""
    assert resp.status_code == 400, describe(resp)
    if isinstance(resp.json(), list):
        assert_rows(resp, rows)
    else:
        assert_message(resp)


# ---------------------------------------------------------------------------------------------
# Plant batches


def test_rule_24_packages_of_immature_plants_from_a_batch(server, cult, manu):
    """`POST /plantbatches/v2/packages`: plants leave the batch in an ImmaturePlant package of an
    Immature Plants item counted in Each; rule 24: never more than the batch holds; rules 11/13:
    a received, unused package tag. `[good, bad]` → row 1 and nothing written."""
    bid, name = new_batch(server, cult, 6)
    ensure_tags(server, cult, package=3)
    tag, other_tag = available_tags(cult, "package")[:2]
    (pid,) = assert_ids(cult.plant_batches_create_package_v2(
        body=[{"PlantBatch": name, "Count": 2, "Location": STORAGE, "Item": CLONES, "Tag": tag, "Note": "conformance",
               "ActualDate": TODAY}], license_number=cult.lic), 1)
    pkg = cult.packages_get_by_label_v2(tag, license_number=cult.lic)
    assert_pascal(pkg)
    assert (pkg["Id"], pkg["Quantity"], pkg["UnitOfMeasureName"], pkg["PackageType"], pkg["Item"]["Name"], pkg["LocationName"]) == (
        pid, 2, "Each", "ImmaturePlant", CLONES, STORAGE), pkg
    assert_numbers(pkg, ("Quantity",), "Package.")
    assert tag not in available_tags(cult, "package")
    assert batch(cult, bid)["UntrackedCount"] == 4

    good = {"PlantBatch": name, "Count": 1, "Location": STORAGE, "Item": CLONES, "Tag": other_tag}
    for bad in ({**good, "Count": 5, "Tag": None},                         # rule 24: 4 left, and no tag
                {**good, "Count": 4, "Tag": tag},                          # the tag is used (rule 11)
                {**good, "Tag": "1A4000000000000999999999"},                # not this facility's tag (rule 13)
                {**good, "Item": FLOWER},                                  # not an immature plant item
                {**good, "PlantBatch": uniq("No Lot")},
                {**good, "Count": 0},
                {**good, "Location": uniq("Nowhere")}):
        assert_rows(expect_error(400, cult.plant_batches_create_package_v2, body=[good, bad], license_number=cult.lic), [1])
    assert batch(cult, bid)["UntrackedCount"] == 4
    assert other_tag in available_tags(cult, "package"), "a refused request used a tag"
    # `isFromMotherPlant=true` packages plants of a batch planted from a mother plant; this one
    # was planted from a package. The user of another facility answers 401 at this license.
    assert_refused(expect_error(400, cult.plant_batches_create_package_v2, body=[good], is_from_mother_plant="true",
                                license_number=cult.lic), [0])
    assert_message(expect_error(401, manu.plant_batches_create_package_v2, body=[good], license_number=cult.lic))
    assert batch(cult, bid)["UntrackedCount"] == 4
    assert other_tag in available_tags(cult, "package")


# ---------------------------------------------------------------------------------------------
# Plants


def test_rule_22_plantings_from_a_mother_plant(server, cult, manu):
    """Rule 22: a planting from a plant names it as its source, and the plant becomes a mother
    plant (listed under `/mother`, no longer under `/vegetative`); rule 19: at most 100 plants a
    lot. A destroyed mother plant is listed under `/mother/inactive` (rule 72)."""
    _, name = new_batch(server, cult, 2)
    (mid, mlabel), (sid, slabel) = grow_plants(server, cult, name, 2)
    lot = uniq("Lot")
    body = {"PlantLabel": mlabel, "PlantBatchName": lot, "PlantBatchType": "Clone", "PlantCount": 5, "LocationName": CANOPY,
            "StrainName": STRAIN, "ActualDate": TODAY}
    (bid,) = assert_ids(cult.plants_create_plantings_v2(body=[body], license_number=cult.lic), 1)
    b = batch(cult, bid)
    assert (b["Name"], b["UntrackedCount"], b["SourcePlantLabel"], b["SourcePlantId"], b["PlantBatchTypeName"]) == (
        lot, 5, mlabel, mid, "Clone"), b
    m = get_plant(cult, mid)
    assert m["MotherPlantDate"] and m["ClonedCount"] == 5, m
    assert mid in ids_in(cult.plants_get_mother_v2, cult)
    assert mid not in ids_in(cult.plants_get_vegetative_v2, cult)
    assert sid in ids_in(cult.plants_get_vegetative_v2, cult) and sid not in ids_in(cult.plants_get_mother_v2, cult)

    before = active_batch_ids(cult)
    for bad in ({**body, "PlantBatchName": uniq("Lot"), "PlantLabel": "1A4000000000000999999999"},
                {**body, "PlantBatchName": uniq("Lot"), "PlantCount": 101},      # rule 19
                {**body, "PlantBatchName": uniq("Lot"), "PlantLabel": None},     # rule 22
                {**body, "PlantBatchName": uniq("Lot"), "PlantBatchType": "Cutting"},
                {**body, "PlantBatchName": lot}):                                # the name is taken
        assert_rows(expect_error(400, cult.plants_create_plantings_v2,
                                 body=[{**body, "PlantBatchName": uniq("Lot")}, bad], license_number=cult.lic), [1])
    assert_message(expect_error(401, manu.plants_create_plantings_v2, body=[{**body, "PlantBatchName": uniq("Lot")}],
                                license_number=cult.lic))
    assert active_batch_ids(cult) == before
    assert get_plant(cult, mid)["ClonedCount"] == 5

    for fn in (cult.plants_get_mother_inactive_v2, cult.plants_get_mother_onhold_v2):
        assert_pascal(assert_envelope(fn(license_number=cult.lic, page_number="1", page_size="20"), page=1, page_size=20))
    assert mid not in ids_in(cult.plants_get_mother_inactive_v2, cult)
    assert_ids(cult.plants_delete_v2(body=[{"Label": mlabel, "WasteMethodName": "Compost", "WasteWeight": 40,
                                            "WasteUnitOfMeasureName": "Grams", "WasteReasonName": "Contamination",
                                            "ActualDate": TODAY}], license_number=cult.lic), 1)
    assert mid in ids_in(cult.plants_get_mother_inactive_v2, cult)
    assert mid not in ids_in(cult.plants_get_mother_v2, cult)
    assert mid not in ids_in(cult.plants_get_mother_onhold_v2, cult)
    assert_message(expect_error(401, manu.plants_get_mother_inactive_v2, license_number=cult.lic))


def test_rule_57_plant_waste_records_name_their_plants(server, cult, manu):
    """Rule 57: a plant waste record names its method, reason and weight; `/waste/{id}/plant`
    lists the plants it names with each one's share, `/waste/{id}/package` the packages made from
    it (none: tagtrail packages no plant waste)."""
    _, name = new_batch(server, cult, 2)
    plants = grow_plants(server, cult, name, 2)
    labels = sorted(label for _, label in plants)
    (wid,) = assert_ids(cult.plants_create_waste_v2(
        body=[{"WasteMethodName": "Compost", "WasteWeight": 30.5, "UnitOfMeasureName": "Grams", "ReasonName": "Trimming/Pruning",
               "WasteDate": TODAY, "PlantLabels": labels}], license_number=cult.lic), 1)
    waste = {w["Id"]: w for w in list_all(cult.plants_get_waste_v2, license_number=cult.lic)}
    assert_pascal(list(waste.values()))
    w = waste[wid]
    # PlantCount counts plants destroyed with the waste: none here, the plants keep growing.
    assert (w["WasteMethodName"], w["WasteWeight"], w["WasteReasonName"], w["PlantCount"]) == (
        "Compost", 30.5, "Trimming/Pruning", 0), w
    assert {p["Id"] for p in plants_of(cult, labels)} <= ids_in(cult.plants_get_vegetative_v2, cult)
    assert_numbers(w, ("WasteWeight",), "PlantWaste.")

    rows = assert_envelope(cult.plants_get_waste_plant_v2(str(wid), license_number=cult.lic, page_number="1", page_size="20"),
                           page=1, page_size=20)
    assert_pascal(rows)
    assert sorted(r["Label"] for r in rows) == labels, rows
    assert all(r["PlantWasteId"] == wid and is_int(r["PlantId"]) for r in rows), rows
    for r in rows:
        assert_numbers(r, ("WasteAmount",), "PlantWastePlant.")
    assert sum(r["WasteAmount"] for r in rows) == 30.5, rows
    assert assert_envelope(cult.plants_get_waste_package_v2(str(wid), license_number=cult.lic, page_number="1", page_size="20"),
                           page=1, page_size=20) == []

    for fn in (cult.plants_get_waste_plant_v2, cult.plants_get_waste_package_v2):
        assert_message(expect_error(404, fn, "987654321", license_number=cult.lic))
        assert_message(expect_error(400, fn, str(wid)))
        assert_message(expect_error(401, getattr(manu, fn.__name__), str(wid), license_number=manu.lic))
    # Waste of a location (no plant named) names no plant.
    (lwid,) = assert_ids(cult.plants_create_waste_v2(
        body=[{"WasteMethodName": "Compost", "WasteWeight": 3, "UnitOfMeasureName": "Grams", "ReasonName": "Trimming/Pruning",
               "LocationName": CANOPY, "WasteDate": TODAY}], license_number=cult.lic), 1)
    assert assert_envelope(cult.plants_get_waste_plant_v2(str(lwid), license_number=cult.lic)) == []
    waste = {w["Id"]: w for w in list_all(cult.plants_get_waste_v2, license_number=cult.lic)}
    assert waste[lwid]["WasteWeight"] == 3
    # A waste record needs plants or a location, a weight unit and a known reason: nothing is
    # written otherwise.
    good = {"WasteMethodName": "Compost", "WasteWeight": 1, "UnitOfMeasureName": "Grams", "ReasonName": "Contamination",
            "PlantLabels": labels[:1]}
    for bad in ({**good, "UnitOfMeasureName": "Each"}, {**good, "ReasonName": uniq("Reason")},
                {**good, "PlantLabels": ["1A4000000000000999999999"]}, {**good, "WasteWeight": -1},
                {**good, "PlantLabels": []}):
        assert_rows(expect_error(400, cult.plants_create_waste_v2, body=[good, bad], license_number=cult.lic), [1])
    assert set(w["Id"] for w in list_all(cult.plants_get_waste_v2, license_number=cult.lic)) == set(waste)


def test_rule_20_plant_groups_are_refused_in_california(server, cult):
    """Rule 20: every plant in the canopy carries its own tag in California, so the plant-group
    endpoints of other states (`PUT /plants/v2/split`, `/merge`, `/adjust`) answer 400 and write
    nothing."""
    _, name = new_batch(server, cult, 2)
    (a, la), (b, lb) = grow_plants(server, cult, name, 2)
    before = [get_plant(cult, a), get_plant(cult, b)]
    tags = available_tags(cult, "plant")
    calls = (
        (cult.plants_update_split_v2, [{"SourcePlantLabel": la, "PlantCount": 1, "TagLabel": tags[0], "StrainLabel": STRAIN,
                                        "SplitDate": TODAY}]),
        (cult.plants_update_merge_v2, [{"TargetPlantGroupLabel": la, "SourcePlantGroupLabel": lb, "MergeDate": TODAY}]),
        (cult.plants_update_adjust_v2, [{"Label": la, "AdjustCount": -1, "AdjustReason": "Spoilage", "AdjustmentDate": TODAY}]),
    )
    for fn, body in calls:
        assert_refused(expect_error(400, fn, body=body, license_number=cult.lic), [0])
    assert [get_plant(cult, a), get_plant(cult, b)] == before
    assert set(tags) <= set(available_tags(cult, "plant"))


# ---------------------------------------------------------------------------------------------
# Harvests


def test_restore_harvested_plants(server, cult, manu):
    """`PUT /harvests/v2/restore/harvestedplants`: a plant harvested by mistake goes back to
    flowering and its wet weight leaves the harvest (as restored weight). Only a plant harvested
    into that harvest can be restored, once; `[good, bad]` → row 1 and nothing written."""
    _, name = new_batch(server, cult, 3)
    plants = grow_plants(server, cult, name, 3, "Flowering")
    labels = [label for _, label in plants]
    hname = uniq("H")
    call_empty(cult.plants_update_harvest_v2, body=[cut(labels[0], 1000, hname), cut(labels[1], 250.25, hname)],
               license_number=cult.lic)
    h = harvest_by_name(cult, hname)
    hid = h["Id"]
    assert (h["CurrentWeight"], h["PlantCount"]) == (1250.25, 2), h

    out = cult.harvests_update_restore_harvested_plants_v2(body=[{"HarvestId": hid, "PlantTags": [labels[1]]}],
                                                            license_number=cult.lic)
    assert_ids(out, 1)
    h = cult.harvests_get_v2(str(hid), license_number=cult.lic)
    assert (h["CurrentWeight"], h["TotalRestoredWeight"], h["PlantCount"]) == (1000, 250.25, 1), h
    assert_numbers(h, ("CurrentWeight", "TotalRestoredWeight", "TotalWetWeight"), "Harvest.")
    p = get_plant(cult, plants[1][0])
    assert (p["GrowthPhase"], p["HarvestId"]) == ("Flowering", None), p
    assert plants[1][0] in ids_in(cult.plants_get_flowering_v2, cult)
    assert plants[1][0] not in ids_in(cult.plants_get_inactive_v2, cult)

    good = {"HarvestId": hid, "PlantTags": [labels[0]]}
    for bad in ({"HarvestId": hid, "PlantTags": [labels[1]]},          # restored already
                {"HarvestId": hid, "PlantTags": [labels[2]]},          # never harvested
                {"HarvestId": hid, "PlantTags": []},
                {"HarvestId": 987654321, "PlantTags": [labels[0]]}):
        r = expect_error(400, cult.harvests_update_restore_harvested_plants_v2, body=[good, bad], license_number=cult.lic)
        assert_rows(r, [1])
    assert_message(expect_error(401, manu.harvests_update_restore_harvested_plants_v2, body=[good], license_number=cult.lic))
    h2 = cult.harvests_get_v2(str(hid), license_number=cult.lic)
    assert (h2["CurrentWeight"], h2["PlantCount"]) == (1000, 1), h2
    assert get_plant(cult, plants[0][0])["HarvestId"] == hid

    # The restored plant can be harvested again.
    call_empty(cult.plants_update_harvest_v2, body=[cut(labels[1], 200, hname)], license_number=cult.lic)
    assert cult.harvests_get_v2(str(hid), license_number=cult.lic)["CurrentWeight"] == 1200


def test_rules_23_24_29_testing_packages_and_harvest_waste_list(server, cult, manu):
    """`POST /harvests/v2/packages/testing`: a testing sample weighs what it takes from the
    harvest (units convert), names its source harvest, is submitted for testing and so is the
    harvest. `GET /harvests/v2/waste` lists one harvest's waste only (harvestId required)."""
    _, name = new_batch(server, cult, 2)
    plants = grow_plants(server, cult, name, 2, "Flowering")
    hname = uniq("H")
    call_empty(cult.plants_update_harvest_v2, body=[cut(label, 500, hname) for _, label in plants], license_number=cult.lic)
    hid = harvest_by_name(cult, hname)["Id"]

    ensure_tags(server, cult, package=2)
    tag, spare = available_tags(cult, "package")[:2]
    body = {"Tag": tag, "Location": STORAGE, "Item": FLOWER, "UnitOfWeight": "Grams", "ActualDate": TODAY,
            "Ingredients": [{"HarvestId": hid, "HarvestName": hname, "Weight": 0.0125, "UnitOfWeight": "Kilograms"}]}
    (pid,) = assert_ids(cult.harvests_create_package_testing_v2(body=[body], license_number=cult.lic), 1)
    pkg = cult.packages_get_by_label_v2(tag, license_number=cult.lic)
    assert (pkg["Id"], pkg["Quantity"], pkg["UnitOfMeasureName"], pkg["IsTestingSample"], pkg["LabTestingState"]) == (
        pid, 12.5, "Grams", True, "SubmittedForTesting"), pkg
    assert [s["Name"] for s in cult.packages_get_source_harvest_v2(str(pid), license_number=cult.lic)] == [hname]
    h = cult.harvests_get_v2(str(hid), license_number=cult.lic)
    assert (h["CurrentWeight"], h["LabTestingState"], h["PackageCount"]) == (987.5, "SubmittedForTesting", 1), h

    good = {**body, "Tag": spare, "Ingredients": [{"HarvestId": hid, "Weight": 1, "UnitOfWeight": "Grams"}]}
    for bad in ({**good, "Tag": tag},                                                           # used tag (rule 11)
                {**good, "Ingredients": [{"HarvestId": hid, "Weight": 5000, "UnitOfWeight": "Grams"}]},  # more than it holds
                {**good, "Ingredients": [{"HarvestId": hid, "Weight": -1, "UnitOfWeight": "Grams"}]},    # rule 24
                {**good, "Ingredients": []},                                                     # rule 23
                {**good, "Item": CLONES}):                                                       # not weighed (rule 29)
        assert_rows(expect_error(400, cult.harvests_create_package_testing_v2, body=[good, bad], license_number=cult.lic), [1])
    assert_message(expect_error(401, manu.harvests_create_package_testing_v2, body=[good], license_number=cult.lic))
    assert cult.harvests_get_v2(str(hid), license_number=cult.lic)["CurrentWeight"] == 987.5
    assert spare in available_tags(cult, "package")

    # The waste list of one harvest.
    wtype = assert_envelope(cult.harvests_get_waste_types_v2())[0]["Name"]
    (wid,) = assert_ids(cult.harvests_create_waste_v2(
        body=[{"Id": hid, "WasteType": wtype, "UnitOfWeight": "Grams", "WasteWeight": 7.5, "ActualDate": TODAY}],
        license_number=cult.lic), 1)
    waste = assert_envelope(cult.harvests_get_waste_v2(harvest_id=str(hid), license_number=cult.lic, page_number="1",
                                                       page_size="20"), page=1, page_size=20)
    assert [(w["Id"], w["WasteWeight"], w["WasteTypeName"]) for w in waste] == [(wid, 7.5, wtype)], waste
    assert_numbers(waste[0], ("WasteWeight",), "HarvestWaste.")
    assert_message(expect_error(400, cult.harvests_get_waste_v2, license_number=cult.lic))
    assert_message(expect_error(400, cult.harvests_get_waste_v2, harvest_id="abc", license_number=cult.lic))
    assert_message(expect_error(404, cult.harvests_get_waste_v2, harvest_id="987654321", license_number=cult.lic))
    assert_message(expect_error(401, manu.harvests_get_waste_v2, harvest_id=str(hid), license_number=manu.lic))


# ---------------------------------------------------------------------------------------------
# Packages of clones cut from a plant (written last: these two routes were added during issue 12)


def test_rule_22_packages_of_clones_cut_from_a_plant(server, cult, manu):
    """`POST /plants/v2/plantbatch/packages`: `Count` cuttings of a plant become an ImmaturePlant
    package under `PackageTag` (an Immature Plants item counted in Each); the plant is a mother
    plant from then on and counts its clones. Rule 19: at most 100 a lot; rule 22: the source is
    the plant; rules 11/13: a received, unused package tag. `[good, bad]` → row 1, nothing written."""
    _, name = new_batch(server, cult, 1)
    ((mid, mlabel),) = grow_plants(server, cult, name, 1)
    ensure_tags(server, cult, package=3)
    tag, spare = available_tags(cult, "package")[:2]
    body = {"PlantLabel": mlabel, "PackageTag": tag, "PlantBatchType": "Clone", "Item": CLONES, "Location": STORAGE,
            "Count": 3, "Note": "conformance", "ActualDate": TODAY}
    (pid,) = assert_ids(cult.plants_create_plantbatch_package_v2(body=[body], license_number=cult.lic), 1)
    pkg = cult.packages_get_by_label_v2(tag, license_number=cult.lic)
    assert (pkg["Id"], pkg["Quantity"], pkg["UnitOfMeasureName"], pkg["PackageType"], pkg["Item"]["Name"]) == (
        pid, 3, "Each", "ImmaturePlant", CLONES), pkg
    assert tag not in available_tags(cult, "package")
    m = get_plant(cult, mid)
    assert m["MotherPlantDate"] and m["ClonedCount"] == 3, m
    assert mid in ids_in(cult.plants_get_mother_v2, cult)

    good = {**body, "PackageTag": spare, "Count": 1}
    for bad in ({**good, "Count": 101},                                   # rule 19
                {**good, "Count": 0},
                {**good, "PackageTag": tag},                              # used (rule 11)
                {**good, "PlantLabel": "1A4000000000000999999999"},        # no such plant (rule 22)
                {**good, "Item": FLOWER},                                 # not an immature plant item
                {**good, "PlantBatchType": "Cutting"}):
        assert_rows(expect_error(400, cult.plants_create_plantbatch_package_v2, body=[good, bad], license_number=cult.lic), [1])
    assert_message(expect_error(401, manu.plants_create_plantbatch_package_v2, body=[good], license_number=cult.lic))
    assert_message(expect_error(403, manu.plants_create_plantbatch_package_v2, body=[good], license_number=manu.lic))
    assert get_plant(cult, mid)["ClonedCount"] == 3
    assert spare in available_tags(cult, "package"), "a refused request used a tag"


def test_rule_22_packages_from_a_mother_plant(server, cult, manu):
    """`POST /plantbatches/v2/packages/frommotherplant` (and `/plantbatches/v2/packages` with
    `isFromMotherPlant=true`): new clones of the mother plant a batch was planted from are
    packaged; the batch keeps its count and the mother counts the clones. A batch planted from a
    package has no mother plant; rule 19 and `[good, bad]` as everywhere."""
    _, name = new_batch(server, cult, 1)
    ((mid, mlabel),) = grow_plants(server, cult, name, 1)
    lot = uniq("Lot")
    (bid,) = assert_ids(cult.plants_create_plantings_v2(
        body=[{"PlantLabel": mlabel, "PlantBatchName": lot, "PlantBatchType": "Clone", "PlantCount": 4, "LocationName": CANOPY,
               "StrainName": STRAIN, "ActualDate": TODAY}], license_number=cult.lic), 1)
    _, from_package = new_batch(server, cult, 2)
    ensure_tags(server, cult, package=3)
    tag, other, spare = available_tags(cult, "package")[:3]
    body = {"PlantBatch": lot, "Count": 2, "Location": STORAGE, "Item": CLONES, "Tag": tag, "ActualDate": TODAY}
    (pid,) = assert_ids(cult.plant_batches_create_package_frommotherplant_v2(body=[body], license_number=cult.lic), 1)
    pkg = cult.packages_get_by_label_v2(tag, license_number=cult.lic)
    assert (pkg["Id"], pkg["Quantity"], pkg["PackageType"], pkg["Item"]["Name"]) == (pid, 2, "ImmaturePlant", CLONES), pkg
    assert batch(cult, bid)["UntrackedCount"] == 4
    assert get_plant(cult, mid)["ClonedCount"] == 6
    # The same through the query flag of `POST /plantbatches/v2/packages`.
    (qid,) = assert_ids(cult.plant_batches_create_package_v2(body=[{**body, "Tag": other, "Count": 1}], is_from_mother_plant="true",
                                                            license_number=cult.lic), 1)
    assert cult.packages_get_by_label_v2(other, license_number=cult.lic)["Id"] == qid
    assert get_plant(cult, mid)["ClonedCount"] == 7

    good = {**body, "Tag": spare, "Count": 1}
    for bad in ({**good, "PlantBatch": from_package},                    # planted from a package: no mother
                {**good, "Count": 101},                                  # rule 19
                {**good, "Tag": tag},                                    # used (rule 11)
                {**good, "PlantBatch": uniq("No Lot")},
                {**good, "Item": FLOWER}):
        assert_rows(expect_error(400, cult.plant_batches_create_package_frommotherplant_v2, body=[good, bad],
                                 license_number=cult.lic), [1])
    assert_message(expect_error(401, manu.plant_batches_create_package_frommotherplant_v2, body=[good], license_number=cult.lic))
    assert get_plant(cult, mid)["ClonedCount"] == 7
    assert batch(cult, bid)["UntrackedCount"] == 4
    assert spare in available_tags(cult, "package")
