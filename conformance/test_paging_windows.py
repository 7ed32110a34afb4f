"""Paging (reference §5, rule 68) and lastModified windows (reference §6-7, rules 67, 71)."""

import pytest

from helpers import (
    assert_envelope,
    assert_ids,
    assert_message,
    expect_error,
    item_body,
    now_window,
    past_window,
    too_long_window,
    uniq,
)

PAGED = [
    ("items_get_active_v2", "manufacturer"),
    ("items_get_inactive_v2", "manufacturer"),
    ("items_get_brands_v2", "manufacturer"),
    ("items_get_categories_v2", "manufacturer"),
    ("strains_get_active_v2", "cultivator"),
    ("strains_get_inactive_v2", "cultivator"),
    ("locations_get_active_v2", "distributor"),
    ("locations_get_inactive_v2", "distributor"),
    ("locations_get_types_v2", "distributor"),
    ("sublocations_get_active_v2", "retailer"),
    ("sublocations_get_inactive_v2", "retailer"),
    ("employees_get_all_v2", "testing_lab"),
]


@pytest.mark.parametrize("method,kind", PAGED)
def test_page_size_21_is_400_rule_68(all_apis, method, kind):
    api = all_apis[kind]
    r = expect_error(400, getattr(api, method), license_number=api.lic, page_number="1", page_size="21")
    assert_message(r)


@pytest.mark.parametrize("method,kind", PAGED)
def test_page_size_20_envelope_rule_68(all_apis, method, kind):
    api = all_apis[kind]
    body = getattr(api, method)(license_number=api.lic, page_number="1", page_size="20")
    assert_envelope(body, page=1, page_size=20)


def _two_items(manu, uoms, categories):
    cat = categories["Edible (Each)"]
    out = manu.items_create_v2(body=[item_body(cat, uniq("Conf Page A"), uoms), item_body(cat, uniq("Conf Page B"), uoms)], license_number=manu.lic)
    return assert_ids(out, 2)


def test_page_size_1_page_2_is_second_record(manu, uoms, categories):
    _two_items(manu, uoms, categories)
    first_two = assert_envelope(manu.items_get_active_v2(license_number=manu.lic, page_number="1", page_size="2"), page=1, page_size=2)
    assert len(first_two) == 2
    p1 = assert_envelope(manu.items_get_active_v2(license_number=manu.lic, page_number="1", page_size="1"), page=1, page_size=1)
    p2 = assert_envelope(manu.items_get_active_v2(license_number=manu.lic, page_number="2", page_size="1"), page=2, page_size=1)
    assert [r["Id"] for r in p1] == [first_two[0]["Id"]]
    assert [r["Id"] for r in p2] == [first_two[1]["Id"]], "pageSize=1&pageNumber=2 must return the second record"


def test_pages_partition_the_list(cult):
    """Reading page by page with pageSize 3 yields every record exactly once, and TotalPages pages."""
    first = cult.strains_get_active_v2(license_number=cult.lic, page_number="1", page_size="3")
    assert_envelope(first, page=1, page_size=3)
    total, pages = first["Total"], first["TotalPages"]
    seen = []
    for p in range(1, pages + 1):
        data = assert_envelope(cult.strains_get_active_v2(license_number=cult.lic, page_number=str(p), page_size="3"), page=p, page_size=3)
        seen.extend(r["Id"] for r in data)
    assert len(seen) == total and len(set(seen)) == total, f"pages overlap or miss records: {seen} vs Total {total}"


def test_page_past_the_end_is_empty(cult):
    first = cult.strains_get_active_v2(license_number=cult.lic, page_number="1", page_size="20")
    beyond = first["TotalPages"] + 1
    body = cult.strains_get_active_v2(license_number=cult.lic, page_number=str(beyond), page_size="20")
    assert assert_envelope(body, page=beyond, page_size=20) == []


# --- lastModified windows ------------------------------------------------------------------------

def _windowed_ids(fn, api, start, end):
    out, page = [], 1
    while True:
        body = fn(license_number=api.lic, page_number=str(page), page_size="20", last_modified_start=start, last_modified_end=end)
        data = assert_envelope(body, page=page, page_size=20)
        out.extend(r["Id"] for r in data)
        if not data or page * 20 >= body["Total"]:
            return set(out)
        page += 1


def _create(kind, api, uoms, categories):
    if kind == "items":
        return assert_ids(api.items_create_v2(body=[item_body(categories["Edible (Each)"], uniq("Conf Win Item"), uoms)], license_number=api.lic), 1)[0]
    if kind == "strains":
        return assert_ids(api.strains_create_v2(body=[{"Name": uniq("Conf Win Strain"), "TestingStatus": "None", "ThcLevel": 0.1, "CbdLevel": 0.1, "IndicaPercentage": 50.0, "SativaPercentage": 50.0}], license_number=api.lic), 1)[0]
    if kind == "locations":
        types = api.locations_get_types_v2(license_number=api.lic, page_number="1", page_size="20")["Data"]
        return assert_ids(api.locations_create_v2(body=[{"Name": uniq("Conf Win Loc"), "LocationTypeName": types[0]["Name"]}], license_number=api.lic), 1)[0]
    if kind == "sublocations":
        return assert_ids(api.sublocations_create_v2(body=[{"Name": uniq("Conf Win Sub")}], license_number=api.lic), 1)[0]
    raise AssertionError(kind)


WINDOWED = [
    ("items", "items_get_active_v2"),
    ("strains", "strains_get_active_v2"),
    ("locations", "locations_get_active_v2"),
    ("sublocations", "sublocations_get_active_v2"),
]


@pytest.mark.parametrize("kind,method", WINDOWED)
def test_last_modified_window_filters_rule_67(manu, uoms, categories, kind, method):
    fn = getattr(manu, method)
    rid = _create(kind, manu, uoms, categories)
    start, end = now_window("Z")
    assert rid in _windowed_ids(fn, manu, start, end), f"record {rid} created now is missing from window {start}..{end}"
    start, end = past_window()
    assert rid not in _windowed_ids(fn, manu, start, end), f"record {rid} created now appears in past window {start}..{end}"


@pytest.mark.parametrize("kind,method", WINDOWED)
def test_last_modified_window_with_offset_rule_71(manu, uoms, categories, kind, method):
    """`+00:00` offsets (sent as %2B by httpx) parse like `Z`."""
    fn = getattr(manu, method)
    rid = _create(kind, manu, uoms, categories)
    start, end = now_window("offset")
    assert "+" in start
    assert rid in _windowed_ids(fn, manu, start, end)


@pytest.mark.parametrize("kind,method", WINDOWED)
def test_window_over_24h_is_400_rule_67(manu, kind, method):
    start, end = too_long_window()
    r = expect_error(400, getattr(manu, method), license_number=manu.lic, page_number="1", page_size="20", last_modified_start=start, last_modified_end=end)
    assert_message(r)


def test_window_garbage_timestamp_is_400(manu):
    r = expect_error(400, manu.items_get_active_v2, license_number=manu.lic, page_number="1", page_size="20", last_modified_start="yesterday", last_modified_end="today")
    assert_message(r)
