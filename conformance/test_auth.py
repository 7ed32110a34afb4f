"""Authentication, facility scoping and permissions (reference §2-3, §8; rules 66, 4, 5)."""

import httpx

from helpers import assert_message, category_usable, expect_error, item_body, list_all, names_of, uniq


def test_bad_vendor_key_is_401_rule_66(make_api, licenses):
    api = make_api(licenses["cultivator"]["user_key"], vendor_key="not-a-vendor-key")
    r = expect_error(401, api.facilities_get_all_v2)
    assert_message(r)


def test_bad_user_key_is_401_rule_66(make_api, licenses):
    api = make_api("not-a-user-key", lic=licenses["cultivator"]["license_number"])
    r = expect_error(401, api.items_get_active_v2, license_number=api.lic, page_number="1", page_size="20")
    assert_message(r)


def test_swapped_keys_are_401_rule_66(make_api, creds, licenses):
    # vendor key in the user slot and vice versa: Basic auth must bind username=vendor, password=user
    api = make_api(creds["vendor_key"], vendor_key=licenses["cultivator"]["user_key"])
    r = expect_error(401, api.facilities_get_all_v2)
    assert_message(r)


def test_missing_authorization_is_401_rule_66(base_url, licenses):
    r = httpx.get(base_url + "/facilities/v2", timeout=30)
    assert r.status_code == 401, f"{r.status_code} {r.text[:300]}"
    assert_message(r)
    r = httpx.get(base_url + "/items/v2/active", params={"licenseNumber": licenses["cultivator"]["license_number"]}, timeout=30)
    assert r.status_code == 401, f"{r.status_code} {r.text[:300]}"
    assert_message(r)


def test_bad_keys_on_write_are_401_and_write_nothing_rule_66(make_api, manu):
    bad = make_api("not-a-user-key", lic=manu.lic)
    name = uniq("Conf Unauth Strain")
    r = expect_error(401, bad.strains_create_v2, body=[{"Name": name, "TestingStatus": "None", "ThcLevel": 0.1, "CbdLevel": 0.1, "IndicaPercentage": 50.0, "SativaPercentage": 50.0}], license_number=manu.lic)
    assert_message(r)
    assert name not in names_of(list_all(manu.strains_get_active_v2, license_number=manu.lic))


def test_missing_license_number_is_400(cult):
    r = expect_error(400, cult.items_get_active_v2, page_number="1", page_size="20")
    assert_message(r)
    r = expect_error(400, cult.locations_get_types_v2)
    assert_message(r)
    r = expect_error(400, cult.tags_get_package_available_v2)
    assert_message(r)


def test_missing_license_number_on_write_is_400(cult):
    r = expect_error(400, cult.sublocations_create_v2, body=[{"Name": uniq("Conf NoLic Sub")}])
    assert_message(r)


def test_unknown_license_number_is_401(cult):
    r = expect_error(401, cult.strains_get_active_v2, license_number="NO-SUCH-LICENSE-0000", page_number="1", page_size="20")
    assert_message(r)


def test_foreign_license_get_is_401(cult, dist):
    # the cultivator's user is not employed at the distributor
    r = expect_error(401, cult.items_get_active_v2, license_number=dist.lic, page_number="1", page_size="20")
    assert_message(r)
    r = expect_error(401, cult.employees_get_all_v2, license_number=dist.lic, page_number="1", page_size="20")
    assert_message(r)


def test_foreign_license_write_is_401_and_writes_nothing(cult, dist):
    name = uniq("Conf Foreign Sub")
    r = expect_error(401, cult.sublocations_create_v2, body=[{"Name": name}], license_number=dist.lic)
    assert_message(r)
    assert name not in names_of(list_all(dist.sublocations_get_active_v2, license_number=dist.lic))


def test_restricted_user_lacks_manage_items_403_rule_66(restricted, dist, uoms, categories):
    """Restricted distributor user: POST /items/v2 and GET /items/v2/active at its own license -> 403."""
    r = expect_error(403, restricted.items_get_active_v2, license_number=restricted.lic, page_number="1", page_size="20")
    assert_message(r)
    cat = next(c for c in categories.values() if category_usable(c) and not c.get("RequiresStrain") and not c.get("RequiresItemBrand"))
    name = uniq("Conf Forbidden Item")
    body = [item_body(cat, name, uoms)]
    r = expect_error(403, restricted.items_create_v2, body=body, license_number=restricted.lic)
    assert_message(r)
    assert name not in names_of(list_all(dist.items_get_active_v2, license_number=dist.lic))


def test_restricted_user_keeps_its_other_permissions(restricted):
    """The 403 above is about the permission, not a blanket refusal: View Employees still works."""
    body = restricted.employees_get_all_v2(license_number=restricted.lic, page_number="1", page_size="20")
    assert isinstance(body, dict) and isinstance(body.get("Data"), list) and body["Data"]


def test_restricted_user_foreign_license_is_401(restricted, manu):
    r = expect_error(401, restricted.employees_get_all_v2, license_number=manu.lic, page_number="1", page_size="20")
    assert_message(r)
