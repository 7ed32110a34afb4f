"""Locations and sublocations (reference §12 Locations, Sublocations; §12b Location, LocationType,
IdName; rules 70, 71)."""

import pytest

from helpers import (
    assert_envelope,
    assert_ids,
    assert_message,
    assert_pascal,
    assert_rows,
    call_empty,
    expect_error,
    ids_of,
    is_int,
    list_all,
    names_of,
    uniq,
)


@pytest.fixture(scope="module")
def loc_types(dist):
    types = list_all(dist.locations_get_types_v2, license_number=dist.lic)
    assert types, "no location types at the distributor"
    assert_pascal(types)
    for t in types:
        assert is_int(t.get("Id")) and isinstance(t.get("Name"), str) and t["Name"], t
        for k in ("ForPlantBatches", "ForPlants", "ForHarvests", "ForPackages"):
            assert isinstance(t.get(k), bool), f"LocationType.{k}: {t!r}"
    return types


@pytest.fixture(scope="module")
def loc_type(loc_types):
    names = [t["Name"] for t in loc_types]
    return "Storage" if "Storage" in names else names[0]


def _active(api):
    return list_all(api.locations_get_active_v2, license_number=api.lic)


def _inactive(api):
    return list_all(api.locations_get_inactive_v2, license_number=api.lic)


# --- locations ---------------------------------------------------------------------------------

def test_location_types_paged(dist):
    body = dist.locations_get_types_v2(license_number=dist.lic, page_number="1", page_size="20")
    assert assert_envelope(body, page=1, page_size=20)


def test_active_locations_shape(dist):
    body = dist.locations_get_active_v2(license_number=dist.lic, page_number="1", page_size="20")
    data = assert_envelope(body, page=1, page_size=20)
    assert data, "the demo distributor has locations"
    assert_pascal(data)
    for l in data:
        assert is_int(l.get("Id")) and isinstance(l.get("Name"), str) and isinstance(l.get("LocationTypeName"), str), l


def test_location_lifecycle(dist, loc_types, loc_type):
    name = uniq("Conf Vault")
    (lid,) = assert_ids(dist.locations_create_v2(body=[{"Name": name, "LocationTypeName": loc_type}], license_number=dist.lic), 1)
    got = dist.locations_get_v2(str(lid), license_number=dist.lic)
    assert_pascal(got)
    assert got["Id"] == lid and got["Name"] == name and got["LocationTypeName"] == loc_type, got
    assert lid in ids_of(_active(dist))

    other_type = next((t["Name"] for t in loc_types if t["Name"] != loc_type), loc_type)
    new_name = uniq("Conf Vault Renamed")
    call_empty(dist.locations_update_v2, body=[{"Id": lid, "Name": new_name, "LocationTypeName": other_type}], license_number=dist.lic)
    got = dist.locations_get_v2(str(lid), license_number=dist.lic)
    assert got["Name"] == new_name and got["LocationTypeName"] == other_type, f"PUT /locations/v2 not applied: {got!r}"

    call_empty(dist.locations_delete_v2, str(lid), license_number=dist.lic)
    assert lid not in ids_of(_active(dist))
    assert lid in ids_of(_inactive(dist)), "deleted location not in /locations/v2/inactive"


def test_inactive_locations_paged(dist):
    assert_envelope(dist.locations_get_inactive_v2(license_number=dist.lic, page_number="1", page_size="20"), page=1, page_size=20)


def test_location_type_case_insensitive_rule_71(dist, loc_type):
    (lid,) = assert_ids(dist.locations_create_v2(body=[{"Name": uniq("Conf Lc Type"), "LocationTypeName": loc_type.swapcase()}], license_number=dist.lic), 1)
    assert dist.locations_get_v2(str(lid), license_number=dist.lic)["LocationTypeName"] == loc_type


def test_location_unknown_type_all_or_nothing(dist, loc_type):
    good = uniq("Conf Loc Good")
    r = expect_error(400, dist.locations_create_v2,
                     body=[{"Name": good, "LocationTypeName": loc_type}, {"Name": uniq("Conf Loc Bad"), "LocationTypeName": uniq("No Such Type")}],
                     license_number=dist.lic)
    assert_rows(r, [1])
    assert good not in names_of(_active(dist))


def test_location_other_facility_is_401(dist, retail, loc_type):
    (lid,) = assert_ids(dist.locations_create_v2(body=[{"Name": uniq("Conf Mine"), "LocationTypeName": loc_type}], license_number=dist.lic), 1)
    r = expect_error(401, retail.locations_get_v2, str(lid), license_number=retail.lic)
    assert_message(r)


def test_location_update_11_objects_413_rule_70(dist, loc_type):
    (lid,) = assert_ids(dist.locations_create_v2(body=[{"Name": uniq("Conf Big"), "LocationTypeName": loc_type}], license_number=dist.lic), 1)
    before = dist.locations_get_v2(str(lid), license_number=dist.lic)["Name"]
    body = [{"Id": lid, "Name": uniq("Conf Big New"), "LocationTypeName": loc_type} for _ in range(11)]
    r = expect_error(413, dist.locations_update_v2, body=body, license_number=dist.lic)
    assert_message(r)
    assert dist.locations_get_v2(str(lid), license_number=dist.lic)["Name"] == before


# --- sublocations ------------------------------------------------------------------------------

def _sub_active(api):
    return list_all(api.sublocations_get_active_v2, license_number=api.lic)


def _sub_inactive(api):
    return list_all(api.sublocations_get_inactive_v2, license_number=api.lic)


def test_active_sublocations_shape(manu):
    body = manu.sublocations_get_active_v2(license_number=manu.lic, page_number="1", page_size="20")
    data = assert_envelope(body, page=1, page_size=20)
    assert data, "the demo has at least one sublocation"
    assert_pascal(data)
    for s in data:
        assert is_int(s.get("Id")) and isinstance(s.get("Name"), str), s


def test_sublocation_lifecycle(manu):
    name = uniq("Conf Shelf")
    (sid,) = assert_ids(manu.sublocations_create_v2(body=[{"Name": name}], license_number=manu.lic), 1)
    got = manu.sublocations_get_v2(str(sid), license_number=manu.lic)
    assert_pascal(got)
    assert got["Id"] == sid and got["Name"] == name, got
    assert sid in ids_of(_sub_active(manu))

    new_name = uniq("Conf Shelf Renamed")
    call_empty(manu.sublocations_update_v2, body=[{"Id": sid, "Name": new_name}], license_number=manu.lic)
    assert manu.sublocations_get_v2(str(sid), license_number=manu.lic)["Name"] == new_name

    call_empty(manu.sublocations_delete_v2, str(sid), license_number=manu.lic)
    assert sid not in ids_of(_sub_active(manu))
    assert sid in ids_of(_sub_inactive(manu)), "deleted sublocation not in /sublocations/v2/inactive"


def test_inactive_sublocations_paged(manu):
    assert_envelope(manu.sublocations_get_inactive_v2(license_number=manu.lic, page_number="1", page_size="20"), page=1, page_size=20)


def test_sublocations_exactly_10_accepted_in_order_rule_70(manu):
    names = [uniq(f"Conf Bin {i}") for i in range(10)]
    ids = assert_ids(manu.sublocations_create_v2(body=[{"Name": n} for n in names], license_number=manu.lic), 10)
    for sid, n in zip(ids, names):
        assert manu.sublocations_get_v2(str(sid), license_number=manu.lic)["Name"] == n, "Ids not in request order"


def test_sublocations_11_is_413_rule_70(manu):
    names = [uniq(f"Conf Bin X{i}") for i in range(11)]
    r = expect_error(413, manu.sublocations_create_v2, body=[{"Name": n} for n in names], license_number=manu.lic)
    assert_message(r)
    assert not (set(names) & names_of(_sub_active(manu)))


def test_sublocation_validation_all_or_nothing(manu):
    good = uniq("Conf Sub Good")
    r = expect_error(400, manu.sublocations_create_v2, body=[{"Name": good}, {"Name": ""}], license_number=manu.lic)
    assert_rows(r, [1])
    assert good not in names_of(_sub_active(manu))


def test_sublocation_body_not_array_400(manu):
    name = uniq("Conf Sub Obj")
    r = expect_error(400, manu.sublocations_create_v2, body={"Name": name}, license_number=manu.lic)
    assert_message(r)
    assert name not in names_of(_sub_active(manu))


def test_sublocation_other_facility_is_401(manu, cult):
    (sid,) = assert_ids(manu.sublocations_create_v2(body=[{"Name": uniq("Conf Sub Mine")}], license_number=manu.lic), 1)
    r = expect_error(401, cult.sublocations_get_v2, str(sid), license_number=cult.lic)
    assert_message(r)
