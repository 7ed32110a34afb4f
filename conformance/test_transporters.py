"""Transporters (reference §12 Transporters; rule 39: only a licensed distributor transports, in
vehicles it owns or leases)."""

from helpers import (
    assert_envelope,
    assert_ids,
    assert_message,
    assert_pascal,
    assert_rows,
    call_empty,
    expect_error,
    uniq,
)


def test_drivers_through_the_client(dist):
    before = assert_envelope(dist.transporters_get_drivers_v2(license_number=dist.lic))
    dl = uniq("D")
    (did,) = assert_ids(dist.transporters_create_driver_v2(body=[{"Name": "Pat Reyes", "DriversLicenseNumber": dl, "EmployeeId": "E-77"}], license_number=dist.lic), 1)
    d = dist.transporters_get_driver_v2(str(did), license_number=dist.lic)
    assert_pascal(d)
    assert (d["Name"], d["DriversLicenseNumber"], d["EmployeeId"]) == ("Pat Reyes", dl, "E-77")
    after = assert_envelope(dist.transporters_get_drivers_v2(license_number=dist.lic, page_number="1", page_size="20"), page=1, page_size=20)
    assert len(after) == min(len(before) + 1, 20)
    # Metrc's own example sends the Id as a string.
    call_empty(dist.transporters_update_driver_v2, body=[{"Id": str(did), "Name": "Pat Reyes-Ortiz", "DriversLicenseNumber": dl}], license_number=dist.lic)
    assert dist.transporters_get_driver_v2(str(did), license_number=dist.lic)["Name"] == "Pat Reyes-Ortiz"
    assert_rows(expect_error(400, dist.transporters_create_driver_v2, body=[{"Name": "Dup", "DriversLicenseNumber": dl.lower()}], license_number=dist.lic), [0])
    call_empty(dist.transporters_delete_driver_v2, str(did), license_number=dist.lic)
    ids = {x["Id"] for x in assert_envelope(dist.transporters_get_drivers_v2(license_number=dist.lic))}
    assert did not in ids


def test_vehicles_through_the_client(dist):
    plate = uniq("P")[:10]
    (vid,) = assert_ids(dist.transporters_create_vehicle_v2(body=[{"Make": "Ford", "Model": "Transit", "LicensePlateNumber": plate.lower()}], license_number=dist.lic), 1)
    v = dist.transporters_get_vehicle_v2(str(vid), license_number=dist.lic)
    assert v["LicensePlateNumber"] == plate.upper() and v["FacilityId"] is not None
    call_empty(dist.transporters_update_vehicle_v2, body=[{"Id": str(vid), "Make": "Ford", "Model": "Transit 350", "LicensePlateNumber": plate}], license_number=dist.lic)
    assert dist.transporters_get_vehicle_v2(str(vid), license_number=dist.lic)["Model"] == "Transit 350"
    assert_rows(expect_error(400, dist.transporters_create_vehicle_v2, body=[{"Make": "", "Model": "X", "LicensePlateNumber": "Z"}], license_number=dist.lic), [0])
    call_empty(dist.transporters_delete_vehicle_v2, str(vid), license_number=dist.lic)
    assert vid not in {x["Id"] for x in assert_envelope(dist.transporters_get_vehicles_v2(license_number=dist.lic))}


def test_rule_39_only_distributors_transport(cult, manu, lab, retail, dist, restricted):
    for api in (cult, manu, lab, retail):
        assert_message(expect_error(403, api.transporters_create_driver_v2, body=[{"Name": "X", "DriversLicenseNumber": uniq("D")}], license_number=api.lic))
        assert_message(expect_error(403, api.transporters_create_vehicle_v2, body=[{"Make": "X", "Model": "Y", "LicensePlateNumber": uniq("P")[:10]}], license_number=api.lic))
    any_driver = assert_envelope(dist.transporters_get_drivers_v2(license_number=dist.lic))[0]["Id"]
    assert_message(expect_error(401, retail.transporters_get_driver_v2, str(any_driver), license_number=retail.lic))
    assert_message(expect_error(403, restricted.transporters_get_drivers_v2, license_number=restricted.lic))


def test_transfer_reference_lists(dist):
    """Rule 42: California's transfer types; §2.6: delivery package states."""
    types = assert_envelope(dist.transfers_get_types_v2(license_number=dist.lic, page_number="1", page_size="20"), page=1, page_size=20)
    assert {t["Name"] for t in types} == {"Transfer", "Wholesale Manifest", "Return"}
    assert_pascal(types[0])
    assert dist.transfers_get_deliveries_packages_states_v2() == ["Shipped", "Rejected", "Accepted", "Returned"]
