"""Items and item brands (reference §12 Items; rules 29, 30, 70, 71)."""

import pytest

from helpers import (
    assert_envelope,
    assert_ids,
    assert_message,
    assert_numbers,
    assert_pascal,
    assert_rows,
    call_empty,
    category_usable,
    expect_error,
    ids_of,
    ITEM_NUMBER_FIELDS,
    is_int,
    item_body,
    list_all,
    names_of,
    uniq,
)


# --- fixtures ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def count_cat(categories):
    """'Edible (Each)': count-based, no strain (used by rule 29)."""
    cat = categories.get("Edible (Each)")
    assert cat is not None, f"no 'Edible (Each)' category: {sorted(categories)}"
    assert cat["QuantityType"] == "CountBased", cat
    assert category_usable(cat) and not cat.get("RequiresItemBrand"), cat
    return cat


@pytest.fixture(scope="module")
def buds_cat(categories):
    cat = categories.get("Buds")
    assert cat is not None, f"no 'Buds' category: {sorted(categories)}"
    assert cat["RequiresStrain"] is True, f"Buds must require a strain: {cat!r}"
    assert cat["QuantityType"] == "WeightBased", cat
    return cat


@pytest.fixture(scope="module")
def cult_strain(cult):
    """A strain of our own at the cultivator with a mixed-case name."""
    name = uniq("Conf Strain MiXeD")
    out = cult.strains_create_v2(body=[{"Name": name, "TestingStatus": "None", "ThcLevel": 0.2, "CbdLevel": 0.01, "IndicaPercentage": 60.0, "SativaPercentage": 40.0}], license_number=cult.lic)
    (sid,) = assert_ids(out, 1)
    return {"Id": sid, "Name": name}


def _active_items(api):
    return list_all(api.items_get_active_v2, license_number=api.lic)


def _inactive_items(api):
    return list_all(api.items_get_inactive_v2, license_number=api.lic)


def _create_item(api, body):
    out = api.items_create_v2(body=[body], license_number=api.lic)
    (iid,) = assert_ids(out, 1)
    return iid


# --- reads -------------------------------------------------------------------------------------

def test_categories_paged(manu):
    body = manu.items_get_categories_v2(license_number=manu.lic, page_number="1", page_size="20")
    data = assert_envelope(body, page=1, page_size=20)
    assert data
    assert_pascal(data)
    for c in data:
        assert isinstance(c.get("Name"), str) and c["Name"]
        assert c.get("QuantityType") in ("CountBased", "WeightBased", "VolumeBased"), c
        assert isinstance(c.get("RequiresStrain"), bool), c


def test_categories_without_license_number(manu):
    """licenseNumber is optional on GET /items/v2/categories (reference §3)."""
    body = manu.items_get_categories_v2(page_number="1", page_size="20")
    assert assert_envelope(body, page=1, page_size=20)


def test_active_items_shape(manu):
    items = _active_items(manu)
    assert items, "the demo manufacturer has items"
    assert_pascal(items)
    for it in items:
        assert is_int(it.get("Id")) and isinstance(it.get("Name"), str), it
        assert isinstance(it.get("ProductCategoryName"), str), it
        assert isinstance(it.get("UnitOfMeasureName"), str), it
        assert_numbers(it, ITEM_NUMBER_FIELDS, f"item {it.get('Id')}: ")


def test_brands_paged(manu):
    body = manu.items_get_brands_v2(license_number=manu.lic, page_number="1", page_size="20")
    data = assert_envelope(body, page=1, page_size=20)
    assert data, "the demo has item brands"
    assert_pascal(data)
    for b in data:
        assert is_int(b.get("Id")) and isinstance(b.get("Name"), str), b


# --- create / get / update / delete ------------------------------------------------------------

def test_item_lifecycle(manu, uoms, count_cat):
    name = uniq("Conf Gummy")
    body = item_body(count_cat, name, uoms)
    before = _active_items(manu)
    iid = _create_item(manu, body)
    assert iid not in ids_of(before)

    got = manu.items_get_v2(str(iid), license_number=manu.lic)
    assert_pascal(got)
    assert got["Id"] == iid and got["Name"] == name, got
    assert got["ProductCategoryName"] == count_cat["Name"], got
    assert got["QuantityType"] == "CountBased", got
    assert got["UnitOfMeasureName"] == body["UnitOfMeasure"], got
    # licenseNumber is optional on by-Id GETs
    assert manu.items_get_v2(str(iid))["Id"] == iid

    after = _active_items(manu)
    assert iid in ids_of(after)
    assert len(after) == len(before) + 1

    new_name = uniq("Conf Gummy Renamed")
    call_empty(manu.items_update_v2, body=[dict(body, Id=iid, Name=new_name)], license_number=manu.lic)
    got = manu.items_get_v2(str(iid), license_number=manu.lic)
    assert got["Name"] == new_name, f"PUT /items/v2 did not rename: {got!r}"

    call_empty(manu.items_delete_v2, str(iid), license_number=manu.lic)
    assert iid not in ids_of(_active_items(manu)), "deleted item still active"
    inactive = _inactive_items(manu)
    assert iid in ids_of(inactive), "deleted item not in /items/v2/inactive"


def test_item_numbers_round_trip(manu, uoms, count_cat):
    """Numeric inputs come back as the same JSON numbers (reference §4: decimals are numbers)."""
    body = dict(item_body(count_cat, uniq("Conf Numbers"), uoms), UnitWeight=2.5, UnitWeightUnitOfMeasure="Grams")
    got = manu.items_get_v2(str(_create_item(manu, body)), license_number=manu.lic)
    sent = {k: v for k, v in body.items() if isinstance(v, (int, float))}
    assert sent, "the body carries numeric fields"
    for k, v in sent.items():
        assert k in got and not isinstance(got[k], str) and got[k] == v, f"{k}: sent {v!r}, got {got.get(k)!r}"


def test_create_ids_in_request_order(manu, uoms, count_cat):
    names = [uniq(f"Conf Order {i}") for i in range(3)]
    out = manu.items_create_v2(body=[item_body(count_cat, n, uoms) for n in names], license_number=manu.lic)
    ids = assert_ids(out, 3)
    for iid, n in zip(ids, names):
        assert manu.items_get_v2(str(iid), license_number=manu.lic)["Name"] == n


def test_buds_item_with_strain(cult, uoms, buds_cat, cult_strain):
    name = uniq("Conf Flower")
    iid = _create_item(cult, item_body(buds_cat, name, uoms, strain=cult_strain["Name"], unit="Grams"))
    got = cult.items_get_v2(str(iid), license_number=cult.lic)
    assert got["StrainId"] == cult_strain["Id"] and got["StrainName"] == cult_strain["Name"], got


def test_strain_lookup_case_insensitive_rule_71(cult, uoms, buds_cat, cult_strain):
    lower = cult_strain["Name"].lower()
    assert lower != cult_strain["Name"]
    name = uniq("Conf Flower Lc")
    iid = _create_item(cult, item_body(buds_cat, name, uoms, strain=lower, unit="Grams"))
    got = cult.items_get_v2(str(iid), license_number=cult.lic)
    assert got["StrainId"] == cult_strain["Id"], f"lower-case strain name did not resolve to the strain: {got!r}"


def test_item_get_other_facility_record_is_401(manu, cult, uoms, count_cat):
    """By-Id GET with licenseNumber of a facility the record does not belong to -> 401 (§2)."""
    iid = _create_item(manu, item_body(count_cat, uniq("Conf Elsewhere"), uoms))
    # cultivator asks at its own license for the manufacturer's item
    r = expect_error(401, cult.items_get_v2, str(iid), license_number=cult.lic)
    assert_message(r)
    # cultivator asks at the manufacturer's license: not employed there
    r = expect_error(401, cult.items_get_v2, str(iid), license_number=manu.lic)
    assert_message(r)
    # no licenseNumber: the record is not reachable by this user either
    expect_error((401, 404), cult.items_get_v2, str(iid))


def test_item_get_unknown_id(manu):
    expect_error((401, 404), manu.items_get_v2, "987654321", license_number=manu.lic)


# --- validation --------------------------------------------------------------------------------

def test_rule_29_count_category_with_weight_unit_is_400(manu, uoms, count_cat):
    name = uniq("Conf Bad Uom")
    body = item_body(count_cat, name, uoms, unit="Grams")
    r = expect_error(400, manu.items_create_v2, body=[body], license_number=manu.lic)
    assert_rows(r, [0])
    assert name not in names_of(_active_items(manu))


def test_rule_29_weight_category_with_count_unit_is_400(cult, uoms, buds_cat, cult_strain):
    name = uniq("Conf Bad Uom Buds")
    body = item_body(buds_cat, name, uoms, strain=cult_strain["Name"], unit="Each")
    r = expect_error(400, cult.items_create_v2, body=[body], license_number=cult.lic)
    assert_rows(r, [0])


def test_rule_30_buds_without_strain_is_400(cult, uoms, buds_cat):
    name = uniq("Conf No Strain")
    body = item_body(buds_cat, name, uoms, strain="placeholder", unit="Grams")
    del body["Strain"]
    r = expect_error(400, cult.items_create_v2, body=[body], license_number=cult.lic)
    assert_rows(r, [0])
    assert name not in names_of(_active_items(cult))


def test_rule_30_unknown_strain_is_400(cult, uoms, buds_cat):
    body = item_body(buds_cat, uniq("Conf Ghost Strain"), uoms, strain=uniq("No Such Strain"), unit="Grams")
    r = expect_error(400, cult.items_create_v2, body=[body], license_number=cult.lic)
    assert_rows(r, [0])


def test_validation_is_all_or_nothing(manu, uoms, count_cat):
    """[good, bad] -> 400 with row 1 only, and the good element is not written."""
    good = uniq("Conf Good Half")
    bad = uniq("Conf Bad Half")
    body = [item_body(count_cat, good, uoms), item_body(count_cat, bad, uoms, unit="Grams")]
    r = expect_error(400, manu.items_create_v2, body=body, license_number=manu.lic)
    assert_rows(r, [1])
    names = names_of(_active_items(manu))
    assert good not in names and bad not in names, "a rejected request wrote something"


def test_one_error_per_bad_row(manu, uoms, count_cat, categories):
    body = [
        item_body(count_cat, uniq("Conf Bad A"), uoms, unit="Grams"),  # rule 29
        item_body(count_cat, uniq("Conf Good B"), uoms),
        dict(item_body(count_cat, uniq("Conf Bad C"), uoms), ItemCategory=uniq("No Such Category")),
    ]
    r = expect_error(400, manu.items_create_v2, body=body, license_number=manu.lic)
    assert_rows(r, [0, 2])


def test_update_validation_writes_nothing(manu, uoms, count_cat):
    name = uniq("Conf Upd")
    body = item_body(count_cat, name, uoms)
    iid = _create_item(manu, body)
    renamed = uniq("Conf Upd Renamed")
    r = expect_error(400, manu.items_update_v2,
                     body=[dict(body, Id=iid, Name=renamed), dict(body, Id=iid, Name=uniq("x"), UnitOfMeasure="Grams")],
                     license_number=manu.lic)
    assert_rows(r, [1])
    assert manu.items_get_v2(str(iid), license_number=manu.lic)["Name"] == name


def test_more_than_10_objects_is_413_rule_70(manu, uoms, count_cat):
    names = [uniq(f"Conf Bulk {i}") for i in range(11)]
    r = expect_error(413, manu.items_create_v2, body=[item_body(count_cat, n, uoms) for n in names], license_number=manu.lic)
    assert_message(r)
    assert not (set(names) & names_of(_active_items(manu)))


def test_body_not_an_array_is_400(manu, uoms, count_cat):
    name = uniq("Conf Object Body")
    r = expect_error(400, manu.items_create_v2, body=item_body(count_cat, name, uoms), license_number=manu.lic)
    assert_message(r)
    assert name not in names_of(_active_items(manu))


def test_missing_license_number_on_items_write_is_400(manu, uoms, count_cat):
    r = expect_error(400, manu.items_create_v2, body=[item_body(count_cat, uniq("Conf NoLic"), uoms)])
    assert_message(r)


def test_foreign_license_item_delete_is_401(manu, cult, uoms, count_cat):
    iid = _create_item(manu, item_body(count_cat, uniq("Conf Keep"), uoms))
    r = expect_error(401, cult.items_delete_v2, str(iid), license_number=manu.lic)
    assert_message(r)
    assert iid in ids_of(_active_items(manu))


# --- brands ------------------------------------------------------------------------------------

def _brands(api):
    return list_all(api.items_get_brands_v2, license_number=api.lic)


def test_brand_lifecycle(manu):
    name = uniq("Conf Brand")
    out = manu.items_create_brand_v2(body=[{"Name": name}], license_number=manu.lic)
    (bid,) = assert_ids(out, 1)
    brands = {b["Id"]: b for b in _brands(manu)}
    assert bid in brands and brands[bid]["Name"] == name

    new_name = uniq("Conf Brand Renamed")
    call_empty(manu.items_update_brand_v2, body=[{"Id": bid, "Name": new_name}], license_number=manu.lic)
    brands = {b["Id"]: b for b in _brands(manu)}
    assert brands.get(bid, {}).get("Name") == new_name, f"PUT /items/v2/brand did not rename: {brands.get(bid)!r}"

    call_empty(manu.items_delete_brand_v2, str(bid), license_number=manu.lic)
    assert bid not in ids_of(_brands(manu)), "deleted brand still listed in /items/v2/brands"


def test_brand_validation(manu):
    good = uniq("Conf Brand Good")
    r = expect_error(400, manu.items_create_brand_v2, body=[{"Name": good}, {"Name": ""}], license_number=manu.lic)
    assert_rows(r, [1])
    assert good not in names_of(_brands(manu))


def test_item_with_brand(manu, uoms, count_cat):
    bname = uniq("Conf Brand Item")
    (bid,) = assert_ids(manu.items_create_brand_v2(body=[{"Name": bname}], license_number=manu.lic), 1)
    iid = _create_item(manu, item_body(count_cat, uniq("Conf Branded"), uoms, brand=bname))
    got = manu.items_get_v2(str(iid), license_number=manu.lic)
    assert got.get("ItemBrandId") == bid, f"ItemBrand not linked: {got!r}"
