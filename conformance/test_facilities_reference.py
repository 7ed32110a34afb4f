"""Facilities, Employees, UnitsOfMeasure, WasteMethods (reference §12: Facilities, Employees,
UnitsOfMeasure, WasteMethods; §12b Facility, Employee, UnitOfMeasure, WasteMethod)."""

import pytest

from helpers import assert_envelope, assert_pascal, list_all


def _facilities(api):
    out = api.facilities_get_all_v2()
    assert isinstance(out, list), f"GET /facilities/v2 must be a plain JSON array, got {type(out).__name__}"
    assert_pascal(out)
    for f in out:
        assert isinstance(f.get("License"), dict), f"Facility.License missing: {f!r}"
        assert isinstance(f["License"].get("Number"), str) and f["License"]["Number"]
        assert isinstance(f["License"].get("LicenseType"), str) and f["License"]["LicenseType"]
        assert isinstance(f.get("FacilityType"), dict), f"Facility.FacilityType missing: {f!r}"
        assert isinstance(f["FacilityType"].get("CanGrowPlants"), bool)
        assert isinstance(f.get("Name"), str)
    return {f["License"]["Number"]: f for f in out}


@pytest.mark.parametrize("kind", ["cultivator", "manufacturer", "distributor", "testing_lab", "retailer"])
def test_facilities_lists_own_facility_only(all_apis, licenses, kind):
    """Each demo user holds permissions at its own facility only, so that is all it can see."""
    by_number = _facilities(all_apis[kind])
    own = licenses[kind]["license_number"]
    assert own in by_number, f"{kind} user does not see its own facility {own}: {sorted(by_number)}"
    others = {l["license_number"] for t, l in licenses.items() if t != kind}
    assert not (others & set(by_number)), f"{kind} user sees facilities it is not employed at: {sorted(others & set(by_number))}"


def test_facility_type_can_grow_plants(cult, retail):
    c = _facilities(cult)[cult.lic]
    r = _facilities(retail)[retail.lic]
    assert c["FacilityType"]["CanGrowPlants"] is True, "cultivator's FacilityType.CanGrowPlants must be true"
    assert r["FacilityType"]["CanGrowPlants"] is False, "retailer's FacilityType.CanGrowPlants must be false"


def test_restricted_user_sees_its_facility(restricted):
    assert restricted.lic in _facilities(restricted)


# --- Employees -------------------------------------------------------------------------------

def _employees(api):
    emps = list_all(api.employees_get_all_v2, license_number=api.lic)
    assert emps, "no employees"
    assert_pascal(emps)
    for e in emps:
        assert isinstance(e.get("FullName"), str) and e["FullName"], f"Employee.FullName: {e!r}"
        lic = e.get("License")
        assert isinstance(lic, dict), f"Employee.License: {e!r}"
        assert isinstance(lic.get("EmployeeLicenseNumber"), str) and lic["EmployeeLicenseNumber"], f"License.EmployeeLicenseNumber: {e!r}"
    return emps


def test_employees_paged(dist):
    body = dist.employees_get_all_v2(license_number=dist.lic, page_number="1", page_size="20")
    data = assert_envelope(body, page=1, page_size=20)
    assert data


def test_employees_permissions_lowercase(dist):
    """Distributor: one employee holds 'manage items'; the restricted one lacks it but has
    'view employees'. Names are lower-case strings (reference §12 Employees)."""
    emps = _employees(dist)
    perms_by_emp = {}
    for e in emps:
        eln = e["License"]["EmployeeLicenseNumber"]
        perms = dist.employees_get_permissions_v2(employee_license_number=eln, license_number=dist.lic)
        assert isinstance(perms, list), f"permissions must be a plain JSON array: {perms!r}"
        for p in perms:
            assert isinstance(p, str) and p, f"permission names are strings: {perms!r}"
            assert p == p.lower(), f"permission names are lower-case: {p!r}"
        perms_by_emp[eln] = set(perms)
    assert any("manage items" in ps for ps in perms_by_emp.values()), perms_by_emp
    assert any("manage items" not in ps and "view employees" in ps for ps in perms_by_emp.values()), perms_by_emp


def test_employees_paging_second_record(dist):
    emps = _employees(dist)
    assert len(emps) >= 2, "the distributor has the full user and the restricted user"
    first_two = dist.employees_get_all_v2(license_number=dist.lic, page_number="1", page_size="2")
    d2 = assert_envelope(first_two, page=1, page_size=2)
    second = dist.employees_get_all_v2(license_number=dist.lic, page_number="2", page_size="1")
    d1 = assert_envelope(second, page=2, page_size=1)
    assert len(d1) == 1 and d1[0] == d2[1], f"pageSize=1&pageNumber=2 must return the second record: {d1!r} vs {d2!r}"


# --- Units of measure, waste methods -----------------------------------------------------------

def _check_uoms(out):
    assert isinstance(out, list), f"units of measure must be a plain JSON array: {out!r}"
    assert_pascal(out)
    for u in out:
        for k in ("QuantityType", "Name", "Abbreviation"):
            assert isinstance(u.get(k), str) and u[k], f"UnitOfMeasure.{k}: {u!r}"
        assert u["QuantityType"] in ("CountBased", "WeightBased", "VolumeBased"), u


def test_units_of_measure_active(cult):
    out = cult.units_of_measure_get_active_v2()
    _check_uoms(out)
    by_name = {u["Name"]: u for u in out}
    assert by_name.get("Grams", {}).get("QuantityType") == "WeightBased", f"Grams: {by_name.get('Grams')!r}"
    assert by_name.get("Each", {}).get("QuantityType") == "CountBased", f"Each: {by_name.get('Each')!r}"


def test_units_of_measure_inactive(cult):
    out = cult.units_of_measure_get_inactive_v2()
    _check_uoms(out)
    active = {u["Name"] for u in cult.units_of_measure_get_active_v2()}
    assert not (active & {u["Name"] for u in out}), "a unit cannot be both active and inactive"


def test_waste_methods(cult):
    out = cult.waste_methods_get_all_v2()
    assert isinstance(out, list) and out, f"waste methods must be a non-empty plain JSON array: {out!r}"
    assert_pascal(out)
    for w in out:
        assert isinstance(w.get("Name"), str) and w["Name"], w


def test_reference_lists_need_no_license(restricted):
    """Global reference lists take no licenseNumber and need no permission."""
    assert isinstance(restricted.units_of_measure_get_active_v2(), list)
    assert isinstance(restricted.waste_methods_get_all_v2(), list)
