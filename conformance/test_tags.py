"""Tags (reference §12 Tags, §12b Tag/StagedTag) and tagtrail's tag-order extension
(/tagtrail/v1/tags/...; rules 11, 12, 13, 14). The extension is not in the PyPI client, so it
is called with raw httpx using the same Basic auth."""

import pytest

from helpers import (
    assert_envelope,
    assert_ids,
    assert_message,
    assert_pascal,
    assert_rows,
    describe,
    expect_error,
    expect_raw,
    is_int,
    uniq,
)

KINDS = ["cultivator", "manufacturer", "distributor", "testing_lab", "retailer"]


def _check_tags(tags, lic=None):
    assert isinstance(tags, list), f"tag lists are plain JSON arrays: {str(tags)[:300]}"
    assert_pascal(tags)
    for t in tags:
        assert is_int(t.get("Id")), t
        assert isinstance(t.get("Label"), str) and len(t["Label"]) == 24, f"Label must be 24 characters: {t!r}"
        assert isinstance(t.get("TagTypeName"), str) and t["TagTypeName"], t
    labels = [t["Label"] for t in tags]
    assert len(labels) == len(set(labels)), "a label is listed twice"
    return {t["Label"] for t in tags}


def package_labels(api):
    return _check_tags(api.tags_get_package_available_v2(license_number=api.lic))


def plant_labels(api):
    return _check_tags(api.tags_get_plant_available_v2(license_number=api.lic))


# --- Metrc v2 tag lists ------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_package_tags_available_nonempty(all_apis, kind):
    assert package_labels(all_apis[kind]), f"{kind} has received package tags in the demo"


@pytest.mark.parametrize("kind", KINDS)
def test_plant_tags_available_only_cultivator(all_apis, kind):
    labels = plant_labels(all_apis[kind])
    if kind == "cultivator":
        assert labels, "the cultivator has received plant tags in the demo"
    else:
        assert not labels, f"{kind} cannot hold plant tags (rule 12)"


def test_package_and_plant_labels_disjoint(cult):
    assert not (package_labels(cult) & plant_labels(cult))


def test_tags_not_shared_between_facilities_rule_13(all_apis):
    seen = {}
    for kind, api in all_apis.items():
        for label in package_labels(api):
            assert label not in seen, f"label {label} available at both {seen[label]} and {kind}"
            seen[label] = kind


@pytest.mark.parametrize("kind", KINDS)
def test_staged_tags_array(all_apis, kind):
    api = all_apis[kind]
    out = api.tags_get_staged_v2(license_number=api.lic)
    assert isinstance(out, list), f"/tags/v2/staged is a plain JSON array: {out!r}"
    assert_pascal(out)
    for t in out:
        assert is_int(t.get("Id")) and isinstance(t.get("Label"), str) and len(t["Label"]) == 24, t


def test_tags_missing_license_is_400(cult):
    assert_message(expect_error(400, cult.tags_get_plant_available_v2))


def test_tags_foreign_license_is_401(cult, retail):
    assert_message(expect_error(401, cult.tags_get_package_available_v2, license_number=retail.lic))


# --- tagtrail tag-order extension ----------------------------------------------------------------

ORDERS = "/tagtrail/v1/tags/orders"


def place_order(api, plant=0, package=0):
    r = api.raw("POST", ORDERS, params={"licenseNumber": api.lic}, json=[{"PlantTags": plant, "PackageTags": package}])
    expect_raw(r, 200)
    (oid,) = assert_ids(r.json(), 1)
    return oid


def orders(api):
    out, page = [], 1
    while True:
        r = expect_raw(api.raw("GET", ORDERS, params={"licenseNumber": api.lic, "pageNumber": str(page), "pageSize": "20"}), 200)
        body = r.json()
        data = assert_envelope(body, page=page, page_size=20)
        out.extend(data)
        if not data or page * 20 >= body["Total"]:
            break
        page += 1
    assert_pascal(out)
    for o in out:
        assert is_int(o.get("Id")) and o.get("Status") in ("Ordered", "Shipped", "Received"), o
    return {o["Id"]: o for o in out}


def ship(server, oid):
    p = server.cli("admin", "ship-tags", "--database-url", server.verify_url, "--order-id", str(oid))
    assert p.returncode == 0, f"tagtrail admin ship-tags exited {p.returncode}:\n{p.stdout}\n{p.stderr}"


def receive(api, oid):
    r = api.raw("PUT", ORDERS + "/receive", params={"licenseNumber": api.lic}, json=[{"Id": oid}])
    assert r.status_code == 200 and r.content == b"", f"receive: expected 200 with an empty body, got {describe(r)}"


def void(api, label):
    return api.raw("PUT", "/tagtrail/v1/tags/void", params={"licenseNumber": api.lic}, json=[{"Label": label}])


def test_package_tag_order_ship_receive_rules_11_12(server, manu):
    before = package_labels(manu)
    oid = place_order(manu, package=5)
    assert orders(manu)[oid]["Status"] == "Ordered"
    assert package_labels(manu) == before, "ordered tags must not be available (rule 11)"

    ship(server, oid)
    assert orders(manu)[oid]["Status"] == "Shipped"
    assert package_labels(manu) == before, "shipped but unreceived tags must not be available (rule 11)"

    receive(manu, oid)
    assert orders(manu)[oid]["Status"] == "Received"
    after = package_labels(manu)
    new = after - before
    assert before <= after and len(new) == 5, f"expected exactly 5 new package labels after receipt, got {sorted(new)}"
    assert not (new & plant_labels(manu))


def test_plant_tag_order_cultivator_rule_12(server, cult):
    before_plant, before_pkg = plant_labels(cult), package_labels(cult)
    oid = place_order(cult, plant=2, package=0)
    ship(server, oid)
    assert plant_labels(cult) == before_plant, "rule 11: not available before receipt"
    receive(cult, oid)
    after = plant_labels(cult)
    assert before_plant <= after and len(after - before_plant) == 2
    assert package_labels(cult) == before_pkg


@pytest.mark.parametrize("kind", ["manufacturer", "distributor", "testing_lab", "retailer"])
def test_non_cultivator_plant_tag_order_is_403_rule_12(all_apis, kind):
    api = all_apis[kind]
    before = set(orders(api))
    r = api.raw("POST", ORDERS, params={"licenseNumber": api.lic}, json=[{"PlantTags": 1, "PackageTags": 0}])
    expect_raw(r, 403)
    assert_message(r)
    assert set(orders(api)) == before, "a refused order was recorded"


def test_order_needs_license_and_auth(make_api, manu):
    r = manu.raw("POST", ORDERS, json=[{"PlantTags": 0, "PackageTags": 1}])
    expect_raw(r, 400)
    assert_message(r)
    bad = make_api("not-a-user-key", lic=manu.lic)
    r = bad.raw("GET", ORDERS, params={"licenseNumber": manu.lic})
    expect_raw(r, 401)
    assert_message(r)


def test_void_tag_rule_14(manu):
    labels = sorted(package_labels(manu))
    label = labels[-1]
    r = void(manu, label)
    assert r.status_code == 200 and r.content == b"", f"void: expected 200 with an empty body, got {describe(r)}"
    assert label not in package_labels(manu), "voided label still available"
    r = void(manu, label)
    assert_rows(r, [0])  # a voided tag is terminal


def test_void_other_facility_tag_is_400_rule_13(manu, retail):
    label = sorted(package_labels(retail))[0]
    r = void(manu, label)
    assert_rows(r, [0])
    assert label in package_labels(retail), "voiding from the wrong facility affected the owner"


def test_void_unknown_label_is_400(manu):
    r = void(manu, "Z" * 24)
    assert_rows(r, [0])


def test_void_all_or_nothing(manu):
    label = sorted(package_labels(manu))[0]
    r = manu.raw("PUT", "/tagtrail/v1/tags/void", params={"licenseNumber": manu.lic},
                 json=[{"Label": label}, {"Label": "NOT-A-LABEL-" + uniq("x").replace(" ", "")}])
    assert_rows(r, [1])
    assert label in package_labels(manu), "a rejected void request voided a tag"
