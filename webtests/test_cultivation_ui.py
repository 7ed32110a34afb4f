"""The cultivator's pages (issue 12) in a real browser, at a desktop's and a phone's width: a lot
planted from a package of clones, tagged into the vegetative phase, moved, wasted, flowered,
harvested, packaged from the harvest screen and finished, every page looked at (screenshot,
axe-core, no sideways scroll on a phone). Rule numbers are cctt-rules.md's.

The demo cultivator's data grows with the demo, so nothing here counts what it starts with: each
test makes what it needs through the forms and names it after the window's width."""
import os
import re

import pytest
from conftest import look, sign_in

WIDTHS = ["desktop", "phone"]
HERE = os.path.dirname(os.path.abspath(__file__))
README_SHOT = os.path.join(HERE, "..", "docs", "screenshots", "cultivation-plants.jpg")

# What the pages must never show a cultivator: the API's addresses and field names.
API_WORDS = re.compile(r"/v2/|PlantBatchName|UntrackedCount|GrowthPhase\b|NewLocation|StartingTag|"
                       r"WasteWeight|ActualDate|UnitOfWeight|DryingLocation|HarvestName")


def cultivator(demo):
    return next(l for l in demo["creds"]["licenses"] if l["license_type"] == "cultivator")


def at(demo, page):
    lic = cultivator(demo)
    sign_in(page, demo["base"], lic)
    return f"{demo['base']}/ui/l/{lic['license_number']}"


def flash(page):
    return page.inner_text(".flash")


def words_not_paths(page, what):
    text = page.inner_text("main")
    assert not API_WORDS.search(text), f"{what}: {API_WORDS.search(text).group(0)!r} in {text[:400]}"


def options(page, select):
    return [o for o in page.locator(f"{select} option").evaluate_all("els => els.map(e => e.value)") if o]


def fullest_source(page):
    """The package of clones or seeds with the most left (its option reads `… (n left)`)."""
    best, most = None, -1.0
    for o in page.locator("#plant-form select[name=source_package] option").all():
        m = re.search(r"\(([\d.]+) left\)", o.inner_text())
        if m and float(m.group(1)) > most:
            best, most = o.get_attribute("value"), float(m.group(1))
    return best, most


def plant_a_lot(page, base, name, count):
    """Plants `count` clones into lot `name` from the fullest package of clones (rule 22: a lot
    names its source)."""
    page.goto(base + "/plantbatches")
    source, left = fullest_source(page)
    assert source and left >= count, f"a package of clones with {count} left"
    page.fill("#plant-form input[name=name]", name)
    page.select_option("#plant-form select[name=type]", "Clone")
    page.fill("#plant-form input[name=count]", str(count))
    page.select_option("#plant-form select[name=source_package]", source)
    page.click("#plant-form button[type=submit]")
    return source


def tick(page, labels):
    for label in labels:
        page.check(f"#plants input[name=plant][value='{label}']")


def test_the_plants_page_shows_the_demo_growing(demo, desktop):
    """The plants page with the demo's plants, before the tests below add theirs: the README's
    picture of it is taken here (TAGTRAIL_README_SHOTS=1), at a desktop's width."""
    base = at(demo, desktop)
    desktop.goto(base + "/plants")
    assert desktop.locator("#plants tbody tr").count() > 0, "the demo grows vegetative plants"
    look(desktop, "cultivation-plants-demo")
    if os.environ.get("TAGTRAIL_README_SHOTS"):
        height = desktop.evaluate("document.documentElement.scrollHeight")
        desktop.screenshot(path=README_SHOT, type="jpeg", quality=80, full_page=True,
                           clip={"x": 0, "y": 0, "width": 1366, "height": min(height, 1300)})


@pytest.mark.parametrize("width", WIDTHS)
def test_a_lot_grows_from_clones_to_a_finished_harvest_through_the_pages(demo, request, width):
    """Rules 19-22, 17, 57 and 72 as a cultivator meets them in the pages: a lot from a package of
    clones, tagged plant by plant, moved, wasted, flowered in a canopy, harvested, packaged and
    finished, each page linked to the next."""
    page = request.getfixturevalue(width)
    base = at(demo, page)
    lot, harvest = f"UI-Lot-{width}", f"UI-Harvest-{width}"

    # The cultivator's navigation offers the three sections.
    page.goto(base + "/dashboard")
    nav = page.locator("nav.sub")
    for section in ("Plant batches", "Plants", "Harvests"):
        assert nav.locator(f"a:text-is('{section}')").count() == 1, section
    nav.locator("a:text-is('Plant batches')").click()
    look(page, f"cultivation-batches-{width}")
    words_not_paths(page, "plant batches")

    # Planted from the package of clones with the most left; the strain is the source's.
    source = plant_a_lot(page, base, lot, 3)
    assert "Lot planted" in flash(page), flash(page)
    row = page.locator("#plant-batches tbody tr", has_text=lot)
    assert row.count() == 1
    assert source in row.inner_text() and "Clone" in row.inner_text()
    strain = row.locator("td[data-th=Strain]").inner_text().strip()
    item = page.locator(f"#plant-form select[name=source_package] option[value='{source}']").inner_text()
    assert strain and strain in item, (strain, item)
    look(page, f"cultivation-batches-planted-{width}")

    # The lot's page: its count and its forms.
    row.locator("a").first.click()
    assert page.inner_text("h1").strip() == f"Lot {lot}"
    assert page.inner_text("#count").strip() == "3"
    look(page, f"cultivation-lot-{width}")
    words_not_paths(page, "lot")

    # Into the vegetative phase: each plant its own tag, counted from the starting tag (rule 20).
    phase = page.locator("#phase-form")
    start = phase.locator("select[name=starting_tag]").input_value()
    assert re.fullmatch(r"[0-9A-F]{24}", start), start
    assert f"uses {start}" in phase.inner_text(), "the tags a move uses are named before it"
    phase.locator("input[name=count]").fill("2")
    phase.locator("select[name=phase]").select_option("Vegetative")
    phase.locator("button[type=submit]").click()
    assert "2 plants tagged and moved to vegetative" in flash(page), flash(page)
    assert page.inner_text("#count").strip() == "1", "one plant is left in the lot"
    tagged = page.locator("#lot-plants tbody tr")
    assert tagged.count() == 2
    plants = sorted(t.strip() for t in tagged.locator("td[data-th=Tag]").all_inner_texts())
    assert plants[0] == start, (plants, start)
    look(page, f"cultivation-lot-tagged-{width}")

    # Each tagged plant leads to the list it is in: the vegetative plants.
    tagged.first.locator("a:has-text('Growing')").click()
    assert "tab=vegetative" in page.url
    rows = page.locator("#plants tbody tr", has_text=lot)
    assert rows.count() == 2
    look(page, f"cultivation-plants-vegetative-{width}")
    words_not_paths(page, "plants")

    # Another location for one plant; its row says so.
    places = options(page, "#plant-actions select[name=location]")
    assert len(places) >= 1
    here = rows.filter(has_text=plants[0]).locator("td[data-th=Location]").inner_text().strip()
    there = next((p for p in places if p != here), here)
    tick(page, plants[:1])
    page.select_option("#plant-actions select[name=location]", there)
    page.click("#plant-actions button:has-text('Change location')")
    assert "1 plants moved" in flash(page) or "1 plant moved" in flash(page), flash(page)
    assert there in page.locator("#plants tbody tr", has_text=plants[0]).inner_text()

    # Waste recorded for both (rule 57), the plants keep growing.
    tick(page, plants)
    page.fill("#plant-actions input[name=weight]", "12.5")
    page.select_option("#plant-actions select[name=unit]", "Grams")
    page.click("#plant-actions button:has-text('Record waste')")
    assert "Waste recorded" in flash(page), flash(page)
    assert page.locator("#plants tbody tr", has_text=lot).count() == 2

    # Into flowering, in a canopy location (rule 21).
    tick(page, plants)
    page.select_option("#plant-actions select[name=location]", there)
    page.click("#plant-actions button:has-text('Move to flowering')")
    assert "2 plants flowering" in flash(page), flash(page)
    page.click("nav.tabs a:has-text('Flowering')")
    rows = page.locator("#plants tbody tr", has_text=lot)
    assert rows.count() == 2
    look(page, f"cultivation-plants-flowering-{width}")

    # Harvested, each plant with its wet weight; on to the harvest's page.
    tick(page, plants)
    page.fill(f"#plants input[name='weight_{plants[0]}']", "410")
    page.fill(f"#plants input[name='weight_{plants[1]}']", "395.5")
    page.fill("#harvest-fields input[name=harvest_name]", harvest)
    page.select_option("#harvest-fields select[name=unit_of_weight]", "Grams")
    page.click("#harvest-fields button:has-text('Harvest')")
    assert "2 plants harvested" in flash(page), flash(page)

    # The harvest's page: its weights, its plants, times in the facility's zone.
    assert page.inner_text("h1").strip() == f"Harvest {harvest}"
    facts = page.inner_text("#facts")
    assert "805.5 Grams" in facts, facts
    assert re.search(r"\d{1,2}:\d\d [AP]M P[SD]T", facts), f"the facility's zone: {facts}"
    for p in plants:
        assert p in page.inner_text("#harvest-plants")
    look(page, f"cultivation-harvest-{width}")
    words_not_paths(page, "harvest")
    harvest_url = page.url

    # The package-from-harvest screen: a new tag, a weighed item, a weight, a location.
    form = page.locator("#package-form")
    tag = form.locator("select[name=tag]").input_value()
    form.locator("input[name=weight]").fill("700")
    form.locator("select[name=unit]").select_option("Grams")
    form.locator("button[type=submit]").click()
    assert "Package made from harvest" in flash(page), flash(page)
    assert tag in page.inner_text("h1")
    assert harvest in page.inner_text("#source-harvests")
    look(page, f"cultivation-package-from-harvest-{width}")
    page.click(f"#source-harvests a:has-text('{harvest}')")
    assert page.url == harvest_url
    assert "105.5 Grams" in page.inner_text("#current")
    assert tag in page.inner_text("#harvest-packages"), "the harvest lists its packages"

    # Finishing asks first, saying what remains and how it is undone; confirmed, the harvest is
    # finished (rule 72).
    finish = page.locator("#finish-form")
    finish.locator("summary:has-text('Finish')").click()
    panel = finish.locator("details[open] .confirm-panel").inner_text()
    assert harvest in panel and "105.5 Grams" in panel and "unfinished" in panel, panel
    assert "cannot be undone" not in panel, "unfinishing undoes it"
    look(page, f"cultivation-harvest-finish-asks-{width}")
    finish.locator("button[name=confirmed]").click()
    assert "Harvest finished" in flash(page), flash(page)
    assert "Finished" in page.inner_text("#facts")
    assert page.locator("#package-form").count() == 0, "a finished harvest takes no packages"
    look(page, f"cultivation-harvest-finished-{width}")
    page.click("#cultivation-links a:has-text('Harvests')")
    assert harvest not in page.inner_text("main")
    page.click("nav.tabs a:has-text('Finished')")
    assert harvest in page.inner_text("#harvests")
    look(page, f"cultivation-harvests-finished-{width}")

    # The harvest's plants lead back to their lot, whose last plant is destroyed after a
    # confirmation naming the lot (rule 17: its waste is recorded).
    page.click(f"#harvests a:has-text('{harvest}')")
    page.click(f"#harvest-plants a:has-text('{lot}') >> nth=0")
    assert page.inner_text("h1").strip() == f"Lot {lot}"
    destroy = page.locator("#destroy-form")
    destroy.locator("input[name=count]").fill("1")
    destroy.locator("input[name=weight]").fill("3")
    destroy.locator("summary:has-text('Destroy')").click()
    assert lot in destroy.locator("details[open] .confirm-panel").inner_text()
    look(page, f"cultivation-lot-destroy-asks-{width}")
    destroy.locator("button[name=confirmed]").click()
    assert "Plants destroyed" in flash(page), flash(page)
    assert page.inner_text("#count").strip() == "0"
    assert page.locator("#lot-closed").count() == 1 and page.locator("#destroy-form").count() == 0
    page.goto(base + "/plantbatches")
    assert lot not in page.inner_text("#plant-batches"), "an empty lot leaves the active list"


@pytest.mark.parametrize("width", WIDTHS)
def test_a_refused_planting_keeps_what_was_typed_rule_19(demo, request, width):
    """Rule 19: at most 100 plants to a lot. The browser stops a count over 100 before it is
    sent; a form sent anyway (validation off, as an old browser or a script would) is refused
    by the ledger with the rule's words under the field, every typed value kept, nothing
    written."""
    page = request.getfixturevalue(width)
    base = at(demo, page)
    page.goto(base + "/plantbatches")
    source, _ = fullest_source(page)
    name = f"Too-Big-{width}"
    page.fill("#plant-form input[name=name]", name)
    page.select_option("#plant-form select[name=type]", "Seed")
    page.fill("#plant-form input[name=count]", "150")
    page.select_option("#plant-form select[name=source_package]", source)
    page.click("#plant-form button[type=submit]")
    assert page.evaluate("document.querySelector('#plant-form input[name=count]').validity.rangeOverflow")
    assert page.locator(".flash").count() == 0, "nothing was sent"

    page.evaluate("document.querySelector('#plant-form').noValidate = true")
    page.click("#plant-form button[type=submit]")
    assert "cannot exceed 100" in page.inner_text(".flash.error"), page.inner_text("main")
    problems = page.locator("#plant-form .field-error")
    assert problems.count() == 1, "under the count, and under no other field"
    assert "cannot exceed 100" in problems.inner_text()
    assert page.locator("#plant-form label:has(input[name=count]) + .field-error").count() == 1
    assert page.input_value("#plant-form input[name=name]") == name
    assert page.input_value("#plant-form input[name=count]") == "150"
    assert page.input_value("#plant-form select[name=type]") == "Seed"
    assert page.input_value("#plant-form select[name=source_package]") == source
    words_not_paths(page, "refused planting")
    look(page, f"cultivation-batches-refused-{width}")
    assert name not in page.inner_text("#plant-batches"), "nothing was planted"


@pytest.mark.parametrize("width", WIDTHS)
def test_every_cultivation_tab_is_looked_at(demo, request, width):
    """The tabs no workflow above opened: mother plants, on hold, harvested or destroyed, and
    the drying harvests."""
    page = request.getfixturevalue(width)
    base = at(demo, page)
    for tab in ("mother", "onhold", "inactive"):
        page.goto(f"{base}/plants?tab={tab}")
        assert page.locator("nav.tabs [aria-current=page]").count() == 1
        words_not_paths(page, tab)
        look(page, f"cultivation-plants-{tab}-{width}")
    page.goto(base + "/harvests")
    look(page, f"cultivation-harvests-{width}")
