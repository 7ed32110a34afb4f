"""Strains (reference §12 Strains, §12b Strain; rules 70, 71)."""

from helpers import (
    assert_envelope,
    assert_ids,
    assert_message,
    assert_numbers,
    assert_pascal,
    assert_rows,
    call_empty,
    expect_error,
    ids_of,
    STRAIN_NUMBER_FIELDS,
    is_int,
    list_all,
    names_of,
    uniq,
)


def strain(name, **kw):
    body = {"Name": name, "TestingStatus": "None", "ThcLevel": 0.18, "CbdLevel": 0.02, "IndicaPercentage": 70.0, "SativaPercentage": 30.0}
    body.update(kw)
    return body


def _active(api):
    return list_all(api.strains_get_active_v2, license_number=api.lic)


def _inactive(api):
    return list_all(api.strains_get_inactive_v2, license_number=api.lic)


def test_active_strains_shape(cult):
    body = cult.strains_get_active_v2(license_number=cult.lic, page_number="1", page_size="20")
    data = assert_envelope(body, page=1, page_size=20)
    assert data, "the demo cultivator has strains"
    assert_pascal(data)
    for s in data:
        assert is_int(s.get("Id")) and isinstance(s.get("Name"), str), s
        assert_numbers(s, STRAIN_NUMBER_FIELDS, f"strain {s.get('Id')}: ")


def test_strain_lifecycle(cult):
    name = uniq("Conf Kush")
    out = cult.strains_create_v2(body=[strain(name)], license_number=cult.lic)
    (sid,) = assert_ids(out, 1)

    got = cult.strains_get_v2(str(sid), license_number=cult.lic)
    assert_pascal(got)
    assert got["Id"] == sid and got["Name"] == name, got
    assert sid in ids_of(_active(cult))

    new_name = uniq("Conf Kush Renamed")
    call_empty(cult.strains_update_v2, body=[strain(new_name, Id=sid, IndicaPercentage=55.0, SativaPercentage=45.0)], license_number=cult.lic)
    got = cult.strains_get_v2(str(sid), license_number=cult.lic)
    assert got["Name"] == new_name, f"PUT /strains/v2 not applied: {got!r}"

    call_empty(cult.strains_delete_v2, str(sid), license_number=cult.lic)
    assert sid not in ids_of(_active(cult))
    assert sid in ids_of(_inactive(cult)), "deleted strain not in /strains/v2/inactive"


def test_strain_numbers_round_trip(cult):
    """ThcLevel, CbdLevel, Indica/SativaPercentage are JSON numbers and round-trip (reference §4)."""
    (sid,) = assert_ids(cult.strains_create_v2(body=[strain(uniq("Conf Numbers"))], license_number=cult.lic), 1)
    got = cult.strains_get_v2(str(sid), license_number=cult.lic)
    sent = strain("x")
    for k in STRAIN_NUMBER_FIELDS:
        assert not isinstance(got.get(k), str) and got.get(k) == sent[k], f"{k}: sent {sent[k]!r}, got {got.get(k)!r}"
    call_empty(cult.strains_update_v2, body=[strain(got["Name"], Id=sid, IndicaPercentage=55.0, SativaPercentage=45.0)], license_number=cult.lic)
    got = cult.strains_get_v2(str(sid), license_number=cult.lic)
    assert got.get("IndicaPercentage") == 55.0 and got.get("SativaPercentage") == 45.0, f"PUT /strains/v2 numbers not applied: {got!r}"


def test_inactive_strains_paged(cult):
    body = cult.strains_get_inactive_v2(license_number=cult.lic, page_number="1", page_size="20")
    assert_envelope(body, page=1, page_size=20)


def test_strain_other_facility_is_401(cult, manu):
    (sid,) = assert_ids(cult.strains_create_v2(body=[strain(uniq("Conf Local"))], license_number=cult.lic), 1)
    r = expect_error(401, manu.strains_get_v2, str(sid), license_number=manu.lic)
    assert_message(r)


def test_strain_validation_all_or_nothing(cult):
    good = uniq("Conf Strain Good")
    r = expect_error(400, cult.strains_create_v2, body=[strain(good), strain("")], license_number=cult.lic)
    assert_rows(r, [1])
    assert good not in names_of(_active(cult))


def test_strain_duplicate_name_case_insensitive_rule_71(cult):
    name = uniq("Conf Dup Strain")
    assert_ids(cult.strains_create_v2(body=[strain(name)], license_number=cult.lic), 1)
    r = expect_error(400, cult.strains_create_v2, body=[strain(name.upper())], license_number=cult.lic)
    assert_rows(r, [0])


def test_strain_update_unknown_id_is_400(cult):
    r = expect_error(400, cult.strains_update_v2, body=[strain(uniq("Conf Nobody"), Id=987654321)], license_number=cult.lic)
    assert_rows(r, [0])


def test_strain_13_objects_413_rule_70(cult):
    names = [uniq(f"Conf Many {i}") for i in range(13)]
    r = expect_error(413, cult.strains_create_v2, body=[strain(n) for n in names], license_number=cult.lic)
    assert_message(r)
    assert not (set(names) & names_of(_active(cult)))


def test_strain_update_body_not_array_400(cult):
    (sid,) = assert_ids(cult.strains_create_v2(body=[strain(uniq("Conf Obj"))], license_number=cult.lic), 1)
    r = expect_error(400, cult.strains_update_v2, body=strain(uniq("Conf Obj New"), Id=sid), license_number=cult.lic)
    assert_message(r)
