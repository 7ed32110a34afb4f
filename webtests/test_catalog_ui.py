"""The catalog screens (issue 9): items, strains, locations and sublocations, drivers and
vehicles, each a grid like Metrc's with create, edit and archive; at a desktop's and a phone's
width, every page looked at (screenshot, axe-core, no sideways scroll on the phone).

Each test writes only records it creates itself (names carry the window's width), so the demo's
own records stay as the other suites expect them."""
import csv
import io

import pytest
from conftest import look, sign_in

WIDTHS = ["desktop", "phone"]


def lic_of(demo, kind):
    return next(l for l in demo["creds"]["licenses"] if l["license_type"] == kind)


def at(demo, page, kind):
    """Signs in as the demo user of `kind` and answers the license's address."""
    lic = lic_of(demo, kind)
    sign_in(page, demo["base"], lic)
    return f"{demo['base']}/ui/l/{lic['license_number']}"


def field_error(page, name):
    """The problems shown under the field `name` (the error follows the field's label)."""
    return page.locator(f"label.field:has([name={name}]) + .field-error, "
                        f".cat-measure:has([name={name}]) + .field-error")


def grid_names(page):
    return [t.strip() for t in page.locator("#catalog tbody tr td:first-child").all_inner_texts()]


def create_location(page, base, name, kind="Storage"):
    page.goto(base + "/locations/new")
    page.fill("input[name=name]", name)
    page.select_option("select[name=location_type]", kind)
    page.click("form.cat-form button[type=submit]")
    assert f"Created location {name}" in page.inner_text(".flash")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_bad_unit_keeps_what_was_typed_and_says_so_under_the_field(demo, request, width):
    page = request.getfixturevalue(width)
    base = at(demo, page, "manufacturer")
    page.goto(base + "/items")
    assert "Mango Gummies 10x10mg" in grid_names(page)
    look(page, f"catalog-items-{width}")
    # A brand of its own first: the item form offers the facility's brands.
    page.click("nav.cat-tabs >> text=Brands")
    look(page, f"catalog-brands-{width}")
    brand = f"Orchard {width}"
    page.click("text=New brand")
    page.fill("input[name=name]", brand)
    page.click("form.cat-form button[type=submit]")
    assert f"Created brand {brand}" in page.inner_text(".flash")
    page.click("nav.cat-tabs >> text=Items")
    page.click("text=New item")
    look(page, f"catalog-item-new-{width}")
    name = f"Peach Rings 5x10mg ({width})"
    page.select_option("select[name=brand]", brand)
    page.fill("input[name=name]", name)
    page.select_option("select[name=category]", "Edible (Each)")
    page.select_option("select[name=unit]", "Grams")
    page.fill("input[name=thc_content]", "50")
    page.select_option("select[name=thc_content_unit]", "Milligrams")
    page.fill("textarea[name=description]", "Peach rings, ten pieces")
    page.click("form.cat-form button[type=submit]")
    # Refused: the same form, everything as typed, the problem under the unit in words.
    assert page.url.endswith("/items/new")
    assert page.input_value("input[name=name]") == name
    assert page.input_value("select[name=category]") == "Edible (Each)"
    assert page.input_value("input[name=thc_content]") == "50"
    assert page.input_value("textarea[name=description]") == "Peach rings, ten pieces"
    problem = field_error(page, "unit").inner_text()
    assert "count unit" in problem and "Grams" in problem, problem
    assert "UnitOfMeasure" not in page.inner_text("main"), "words, not the API's field names"
    look(page, f"catalog-item-refused-{width}")
    # A number that is not one is named under its own field, and the rest is kept.
    page.select_option("select[name=unit]", "Each")
    page.fill("input[name=thc_content]", "ten")
    page.click("form.cat-form button[type=submit]")
    assert "not a number" in field_error(page, "thc_content").inner_text()
    assert page.input_value("input[name=name]") == name
    page.fill("input[name=thc_content]", "50")
    page.click("form.cat-form button[type=submit]")
    assert f"Created item {name}" in page.inner_text(".flash")
    assert brand in page.locator("#catalog tbody tr", has_text=name).inner_text()


@pytest.mark.parametrize("width", WIDTHS)
def test_edit_a_strain_comes_prefilled_and_saves(demo, request, width):
    page = request.getfixturevalue(width)
    base = at(demo, page, "cultivator")
    page.goto(base + "/strains")
    look(page, f"catalog-strains-{width}")
    # Each width edits its own demo strain (THC 21 % and 19.5 %, indica and sativa 60/40, 50/50).
    strain, before = ("Sour Diesel", "21") if width == "desktop" else ("OG Kush", "19.5")
    page.click(f"#catalog >> text={strain}")
    # Pre-filled with the strain as it is: levels as percentages (the ledger keeps fractions).
    assert page.input_value("input[name=name]") == strain
    assert page.input_value("select[name=testing_status]") == "ThirdParty"
    assert page.input_value("input[name=thc]") == before
    look(page, f"catalog-strain-edit-{width}")
    thc = "22.75" if width == "desktop" else "23.5"
    # Indica and sativa over 100 together is refused, and what was typed stays.
    page.fill("input[name=thc]", thc)
    page.fill("input[name=indica]", "70")
    page.click("form.cat-form button[type=submit]")
    assert "Indica" in field_error(page, "indica").inner_text()
    assert page.input_value("input[name=thc]") == thc
    page.fill("input[name=indica]", "40")
    page.click("form.cat-form button[type=submit]")
    assert f"Saved strain {strain}" in page.inner_text(".flash")
    row = page.locator("#catalog tbody tr", has_text=strain).inner_text()
    assert f"{thc} %" in row, row


@pytest.mark.parametrize("width", WIDTHS)
def test_archiving_a_location_asks_first_and_then_it_is_archived(demo, request, width):
    page = request.getfixturevalue(width)
    base = at(demo, page, "manufacturer")
    page.goto(base + "/locations")
    look(page, f"catalog-locations-{width}")
    name = f"Cold Room {width}"
    page.goto(base + "/locations/new")
    look(page, f"catalog-location-new-{width}")
    create_location(page, base, name)
    page.click(f"#catalog >> text={name}")
    assert page.input_value("input[name=name]") == name
    # The archive button opens a panel naming the location; nothing happens until confirmed.
    page.click("form.cat-archive summary")
    panel = page.inner_text("form.cat-archive details[open] .confirm-panel")
    assert name in panel and "cannot be undone" in panel
    look(page, f"catalog-location-archive-{width}")
    # Sent without the confirmation (an old page, a replayed form), the server asks instead.
    # Waiting for the navigation the submit starts: a bare wait_for_load_state can return on
    # the page being left, before the answer has loaded.
    with page.expect_navigation():
        page.eval_on_selector("form.cat-archive", "f => f.submit()")
    assert page.inner_text("h1") == "Archive location?"
    assert name in page.inner_text("main")
    look(page, f"catalog-location-archive-ask-{width}")
    page.goto(base + "/locations")
    assert name in grid_names(page), "still active until confirmed"
    page.click(f"#catalog >> text={name}")
    page.click("form.cat-archive summary")
    page.click("form.cat-archive button[name=confirmed]")
    assert f"Archived location {name}" in page.inner_text(".flash")
    assert name not in grid_names(page)
    # The journal names the action and the web door it came through.
    page.goto(base + "/journal")
    assert "Archive location (web)" in page.locator("table.journal tbody tr").first.inner_text()
    page.goto(base + "/locations")
    page.click("nav.cat-state >> text=Archived")
    assert name in grid_names(page)
    look(page, f"catalog-locations-archived-{width}")
    # Its page is read-only now.
    page.click(f"#catalog >> text={name}")
    assert "Archived" in page.inner_text("h1")
    assert page.locator("form.cat-form").count() == 0
    assert page.locator("form.cat-archive").count() == 0


@pytest.mark.parametrize("width", WIDTHS)
def test_a_partial_name_finds_a_record_on_the_archived_list(demo, request, width):
    page = request.getfixturevalue(width)
    base = at(demo, page, "retailer")
    name = f"Overflow Cage {width}"
    create_location(page, base, name, "Quarantine")
    page.click(f"#catalog >> text={name}")
    page.click("form.cat-archive summary")
    page.click("form.cat-archive button[name=confirmed]")
    page.goto(base + "/locations?state=archived")
    # Part of the name, in another case, finds it among the archived.
    page.fill("form.filters input[name=name]", f"FLOW cage {width[:3].upper()}")
    page.click("form.filters button[type=submit]")
    assert "state=archived" in page.url
    assert grid_names(page) == [name]
    look(page, f"catalog-locations-archived-filtered-{width}")
    page.fill("form.filters input[name=name]", "no such place")
    page.click("form.filters button[type=submit]")
    assert grid_names(page) == []
    assert "No archived locations match" in page.inner_text("main")


def test_csv_of_a_filtered_view_holds_only_the_matching_rows(demo, desktop):
    page = desktop
    base = at(demo, page, "manufacturer")
    page.goto(base + "/items")
    page.fill("form.filters input[name=name]", "blue dream")
    page.click("form.filters button[type=submit]")
    shown = grid_names(page)
    assert shown and all("blue dream" in n.lower() for n in shown), shown
    assert "Mango Gummies 10x10mg" not in shown
    with page.expect_download() as d:
        page.click("text=Download CSV")
    text = open(d.value.path(), encoding="utf-8").read()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Name" and rows[0][-1] == "Last modified (UTC)"
    assert sorted(r[0] for r in rows[1:]) == sorted(shown)
    # Sorted by name, descending: the grid's own order.
    page.click("#catalog th >> text=Name")
    page.click("#catalog th >> text=Name")
    assert grid_names(page) == sorted(shown, key=str.lower, reverse=True)
    # A category filter narrows it too.
    page.select_option("select[name=category]", "Concentrate")
    page.click("form.filters button[type=submit]")
    assert grid_names(page) == ["Blue Dream Distillate"]


@pytest.mark.parametrize("width", WIDTHS)
def test_an_inspector_sees_the_lists_and_no_forms(demo, request, width):
    page = request.getfixturevalue(width)
    sign_in(page, demo["base"], demo["creds"]["inspector"])
    lic = lic_of(demo, "distributor")["license_number"]
    base = f"{demo['base']}/ui/l/{lic}"
    for path, slug, expect in [("/items", "items", "Mango Gummies 10x10mg"),
                               ("/strains", "strains", "Blue Dream"),
                               ("/locations", "locations", "Quarantine Cage"),
                               ("/transporters", "drivers", "Luis Ortega")]:
        page.goto(base + path)
        assert expect in grid_names(page), (path, grid_names(page))
        assert page.locator("a.act", has_text="New").count() == 0, f"{path} offers to create"
        look(page, f"catalog-inspector-{slug}-{width}")
    page.goto(base + "/items")
    page.click("#catalog >> text=Mango Gummies 10x10mg")
    assert "Edible (Each)" in page.inner_text("dl.cat-facts")
    assert page.locator("form.cat-form, form.cat-archive").count() == 0
    look(page, f"catalog-inspector-item-{width}")
    resp = page.goto(base + "/items/new")
    assert resp.status == 403


@pytest.mark.parametrize("width", WIDTHS)
def test_drivers_vehicles_and_sublocations(demo, request, width):
    page = request.getfixturevalue(width)
    base = at(demo, page, "distributor")
    page.goto(base + "/items")
    page.click("nav.sub >> text=Drivers & vehicles")
    assert "Luis Ortega" in grid_names(page)
    page.click("nav.cat-tabs >> text=Vehicles")
    assert "8TGT123" in grid_names(page)
    look(page, f"catalog-vehicles-{width}")
    page.click("text=New vehicle")
    look(page, f"catalog-vehicle-new-{width}")
    plate = "7ABC001" if width == "desktop" else "7ABC002"
    page.fill("input[name=make]", "Mercedes")
    page.fill("input[name=model]", "Sprinter")
    page.fill("input[name=plate]", "8tgt123")
    page.click("form.cat-form button[type=submit]")
    # A plate already registered is refused under the plate, the make and model kept.
    assert "already exists" in field_error(page, "plate").inner_text()
    assert page.input_value("input[name=model]") == "Sprinter"
    page.fill("input[name=plate]", plate.lower())
    page.click("form.cat-form button[type=submit]")
    assert f"Created vehicle {plate}" in page.inner_text(".flash")
    page.click(f"#catalog >> text={plate}")
    assert page.input_value("input[name=make]") == "Mercedes"
    look(page, f"catalog-vehicle-edit-{width}")
    page.goto(base + "/transporters/vehicles")
    page.click("nav.cat-tabs >> text=Drivers")
    page.fill("form.filters input[name=name]", "tanaka")
    page.click("form.filters button[type=submit]")
    assert grid_names(page) == ["Mei Tanaka"]
    look(page, f"catalog-drivers-{width}")
    page.click("#catalog >> text=Mei Tanaka")
    assert page.input_value("input[name=drivers_license]") == "D9920054"
    look(page, f"catalog-driver-edit-{width}")
    page.goto(base + "/sublocations")
    assert "Shelf 1" in grid_names(page)
    look(page, f"catalog-sublocations-{width}")
    # A license that does not transport is told why, and offered no form (rule 39).
    page.click("form.signout button")
    retailer = at(demo, page, "retailer")
    page.goto(retailer + "/transporters")
    note = page.inner_text("p.cat-note")
    assert "distributor" in note and "rule 39" in note
    assert page.locator("a.act", has_text="New driver").count() == 0
    look(page, f"catalog-transporters-retailer-{width}")
    page.goto(retailer + "/transporters/drivers/new")
    assert page.locator("form.cat-form").count() == 0
