"""Package screens (issue 9): new packages from source packages, repackaging, testing samples,
finish and unfinish, change item, and the printable 4 x 2 in label with a Code 128 barcode and a
QR code. Each workflow at a desktop's and a phone's width, every page looked at (screenshot,
axe-core, no sideways scroll on a phone). Rule numbers are cctt-rules.md's."""
import re

import pytest
from conftest import confirm, look, sign_in

WIDTHS = ["desktop", "phone"]


def lic_of(demo, kind):
    return next(l for l in demo["creds"]["licenses"] if l["license_type"] == kind)


def at(demo, page, kind):
    lic = lic_of(demo, kind)
    sign_in(page, demo["base"], lic)
    return f"{demo['base']}/ui/l/{lic['license_number']}"


def package_url(page, base, item):
    """The active package of `item` holding the most, at the license."""
    page.goto(base + "/packages?sort=quantity&dir=desc&item=" + item.replace(" ", "+"))
    return page.locator("#packages tbody tr >> nth=0 >> a").first.get_attribute("href")


def quantity(page):
    """The package page's quantity: (amount, unit)."""
    m = re.search(r"Quantity\s+([\d.]+) (\w+) of", page.inner_text("#facts"))
    return float(m.group(1)), m.group(2)


def uid(page):
    return page.inner_text("h1").strip()


def create_from(page, demo, base, source_href, item, qty, unit, location, name):
    """Makes a package from the package at `source_href` through the new-package form; returns
    its page's address."""
    page.goto(demo["base"] + source_href)
    page.click("#actions a:has-text('New package from this')")
    page.select_option("select[name=item]", item)
    page.fill("input[name=quantity]", str(qty))
    page.select_option("select[name=unit]", unit)
    page.select_option("select[name=location]", location)
    page.click("#create-form button:has-text('Review and create')")
    look(page, f"{name}-review")
    page.click("button[name=confirmed]")
    assert "created" in page.inner_text(".flash"), page.inner_text("main")
    return page.url


@pytest.mark.parametrize("width", WIDTHS)
def test_create_a_package_from_a_source_moves_quantities_and_journals_the_web_door(demo, request, width):
    """Rule 23: a new package names its source; rule 28: what it takes leaves the source; rules 11
    and 13: only received, unused package tags are offered, and the one used is gone after."""
    page = request.getfixturevalue(width)
    base = at(demo, page, "manufacturer")
    source = package_url(page, base, "Blue Dream Distillate")
    page.goto(demo["base"] + source)
    src_uid, (before, unit) = uid(page), quantity(page)
    assert unit == "Grams"

    page.goto(base + "/packages")
    page.click("a:has-text('New package')")
    look(page, f"package-new-{width}")
    tags = page.locator("select[name=tag] option").all_inner_texts()
    assert tags and all(re.fullmatch(r"[0-9A-F]{24}", t) for t in tags), tags
    tag = page.input_value("select[name=tag]")
    # Sources are this facility's active packages, each with what is left and its lab state.
    options = page.locator("select[name=source1] option").all_inner_texts()
    assert any(src_uid in o and "Test passed" in o for o in options), options
    page.select_option("select[name=item]", "Blue Dream Distillate")
    page.fill("input[name=quantity]", "12.5")
    page.select_option("select[name=unit]", "Grams")
    page.select_option("select[name=location]", "Packaging Line")
    page.select_option("select[name=source1]", src_uid)
    page.fill("input[name=note]", f"web split {width}")
    page.click("#create-form button:has-text('Review and create')")

    # The review names the tag used for good and the source before and after.
    review = page.inner_text("main")
    assert f"Tag {tag} becomes 12.5 Grams of Blue Dream Distillate at Packaging Line" in review, review
    assert f"from {src_uid} ({before:g} → {before - 12.5:g} Grams)" in review, review
    assert "used for good" in review
    look(page, f"package-new-review-{width}")
    page.click("button[name=confirmed]")

    assert f"Package {tag} created" in page.inner_text(".flash")
    look(page, f"package-created-{width}")
    assert uid(page) == tag
    assert quantity(page) == (12.5, "Grams")
    assert src_uid in page.inner_text("#lineage"), "the lineage names the source"
    assert "Packaging Line" in page.inner_text("#facts")
    # The journal names the action and the web door it came through.
    assert "Create packages" in page.inner_text("table.journal") and "(web)" in page.inner_text("table.journal")
    page.click("table.journal tr:has-text('Create packages') a")
    entry = page.inner_text("main")
    assert "/packages/new" in entry and f"web split {width}" in entry, entry

    page.goto(demo["base"] + source)
    assert quantity(page) == (before - 12.5, "Grams"), "the source lost what the package took"
    # The tag is used: no longer offered.
    page.goto(base + "/packages/new")
    assert tag not in page.locator("select[name=tag] option").all_inner_texts()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_refused_create_keeps_every_typed_value_with_the_problem_under_its_field(demo, request, width):
    """Rule 29: the unit must measure the way the item does (the ledger refuses after the review);
    rule 28: a source never goes below zero (the review refuses before asking). Either way the
    form comes back as typed and nothing is written."""
    page = request.getfixturevalue(width)
    base = at(demo, page, "manufacturer")
    source = package_url(page, base, "Blue Dream Distillate")
    page.goto(demo["base"] + source)
    src_uid, (before, _) = uid(page), quantity(page)

    page.goto(base + "/packages/new")
    tags = page.locator("select[name=tag] option").all_inner_texts()
    tag = tags[min(2, len(tags) - 1)]
    typed = {
        "tag": tag,
        "item": "Blue Dream Vape 1g",
        "unit": "Grams",
        "location": "Finished Goods",
        "source1": src_uid,
    }
    for name, value in typed.items():
        page.select_option(f"select[name={name}]", value)
    page.fill("input[name=quantity]", "4")
    page.fill("input[name=take1]", "4")
    page.select_option("select[name=take_unit1]", "Grams")
    page.fill("input[name=note]", "cartridges, wrong unit")
    page.fill("input[name=date]", "2026-01-15")
    page.click("#create-form button:has-text('Review and create')")
    page.click("button[name=confirmed]")

    error = page.inner_text(".flash.error")
    assert "Unit of measure Grams" in error and "counted" in error, error
    assert "WeightBased" not in error, "plain words, not the API's"
    for name, value in typed.items():
        assert page.input_value(f"select[name={name}]") == value, name
    assert page.input_value("input[name=quantity]") == "4"
    assert page.input_value("input[name=take1]") == "4"
    assert page.input_value("select[name=take_unit1]") == "Grams"
    assert page.input_value("input[name=note]") == "cartridges, wrong unit"
    assert page.input_value("input[name=date]") == "2026-01-15"
    under = page.locator("#create-form .field-error").all_inner_texts()
    assert any("Unit of measure Grams" in e for e in under), under
    look(page, f"package-new-refused-{width}")

    # Rule 28: more than the source holds is refused before anything is asked.
    page.select_option("select[name=item]", "Blue Dream Distillate")
    page.fill("input[name=quantity]", "100000")
    page.fill("input[name=take1]", "")
    page.click("#create-form button:has-text('Review and create')")
    error = page.inner_text(".flash.error")
    assert f"Package {src_uid} has {before:g} Grams" in error and "cannot be taken" in error, error
    assert page.input_value("input[name=quantity]") == "100000"
    assert page.input_value("select[name=source1]") == src_uid
    assert page.input_value("select[name=tag]") == tag
    assert any(src_uid in e for e in page.locator(".source-row .field-error").all_inner_texts())

    page.goto(demo["base"] + source)
    assert quantity(page)[0] == before, "nothing was taken"
    page.goto(base + "/packages/new")
    assert tag in page.locator("select[name=tag] option").all_inner_texts(), "the tag is still free"


@pytest.mark.parametrize("width", WIDTHS)
def test_a_testing_sample_is_a_new_package_with_its_own_tag_and_submits_its_source(demo, request, width):
    """Rule 36: a test sample is a new package with its own package tag, pulled from an existing
    package; the untested source then waits as Submitted for testing."""
    page = request.getfixturevalue(width)
    base = at(demo, page, "cultivator")
    source = package_url(page, base, "OG Kush Trim")
    page.goto(demo["base"] + source)
    src_uid, (before, _) = uid(page), quantity(page)
    page.click("#actions a:has-text('Testing sample')")
    assert "New testing sample" in page.inner_text("h1")
    # Started from the package: its item, unit, location and itself as the source.
    assert page.input_value("select[name=source1]") == src_uid
    assert page.input_value("select[name=item]") == "OG Kush Trim"
    assert page.input_value("select[name=unit]") == "Grams"
    assert page.input_value("select[name=location]") == "Vault"
    look(page, f"package-sample-{width}")
    page.fill("input[name=quantity]", "3.5")
    page.click("#create-form button:has-text('Review and create')")
    assert f"from {src_uid} ({before:g} → {before - 3.5:g} Grams)" in page.inner_text("main")
    page.click("button[name=confirmed]")

    assert "Testing sample" in page.inner_text(".flash")
    facts = page.inner_text("#facts")
    assert "Submitted for testing" in page.inner_text("#lab-state")
    assert re.search(r"Testing sample\s+yes", facts), facts
    assert quantity(page) == (3.5, "Grams")
    look(page, f"package-sample-created-{width}")
    page.goto(demo["base"] + source)
    assert quantity(page)[0] == before - 3.5
    assert "Submitted for testing" in page.inner_text("#lab-state")


@pytest.mark.parametrize("width", WIDTHS)
def test_repackage_splits_one_source_into_several_packages_in_one_step(demo, request, width):
    """Rules 23 and 28: several new packages from one source in one request; each takes its
    quantity, the source loses the sum, all are made or none."""
    page = request.getfixturevalue(width)
    base = at(demo, page, "cultivator")
    source = package_url(page, base, "Blue Dream Flower")
    page.goto(demo["base"] + source)
    src_uid, (before, _) = uid(page), quantity(page)
    page.click("#actions a:has-text('Repackage')")
    page.select_option("select[name=count]", "2")
    page.click("button:has-text('Show rows')")
    assert page.locator("#new-packages li").count() == 2
    tags = [page.input_value("select[name=tag1]"), page.input_value("select[name=tag2]")]
    assert tags[0] != tags[1], "each row starts on its own free tag"
    look(page, f"package-repackage-{width}")
    page.fill("input[name=quantity1]", "28")
    page.fill("input[name=quantity2]", "14")
    page.click("button:has-text('Review and repackage')")
    review = page.inner_text("main")
    assert f"({before:g} → {before - 28:g} Grams)" in review, review
    assert f"({before - 28:g} → {before - 42:g} Grams)" in review, review
    look(page, f"package-repackage-review-{width}")
    page.click("button[name=confirmed]")
    assert f"Packages {tags[0]}, {tags[1]} created" in page.inner_text(".flash")
    assert uid(page) == src_uid, "back on the source"
    assert quantity(page)[0] == before - 42
    lineage = page.inner_text("#lineage")
    assert tags[0] in lineage and tags[1] in lineage

    # Too much for the source: refused, nothing made, rows as typed.
    page.click("#actions a:has-text('Repackage')")
    page.fill("input[name=quantity1]", str(int(before)))
    page.fill("input[name=quantity2]", "1")
    page.click("button:has-text('Review and repackage')")
    assert "cannot be taken" in page.inner_text(".flash.error")
    assert page.input_value("input[name=quantity1]") == str(int(before))
    assert page.input_value("input[name=quantity2]") == "1"
    look(page, f"package-repackage-refused-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_finish_and_unfinish_ask_first_naming_the_package(demo, request, width):
    """Rule 33: only an empty package can be finished; finishing and unfinishing each confirm,
    naming the package."""
    page = request.getfixturevalue(width)
    base = at(demo, page, "cultivator")
    trim = package_url(page, base, "OG Kush Trim")
    url = create_from(page, demo, base, trim, "OG Kush Trim", 2, "Grams", "Drying Room", f"finish-{width}")
    label = uid(page)
    assert page.locator("#finish-form").count() == 0, "not offered while the package holds anything"
    page.fill("#adjust-form input[name=quantity]", "-2")
    page.select_option("#adjust-form select[name=reason]", "Drying")
    page.click("#adjust-form button")
    page.click("button[name=confirmed]")
    assert quantity(page)[0] == 0

    page.click("#actions summary:has-text('Finish')")
    panel = page.inner_text("#actions details[open]")
    assert f"Package {label} is finished" in panel, panel
    look(page, f"package-finish-confirm-{width}")
    page.click("#actions details[open] button[name=confirmed]")
    assert "Done" in page.inner_text(".flash")
    assert "Finished" in page.inner_text("#facts")
    look(page, f"package-finished-{width}")

    page.click("#actions summary:has-text('Unfinish')")
    panel = page.inner_text("#actions details[open]")
    assert f"Package {label} returns to active inventory" in panel, panel
    page.click("#actions details[open] button[name=confirmed]")
    assert "Done" in page.inner_text(".flash")
    assert "Active" in page.inner_text("#facts")
    # A post that skipped the panel is asked again, not taken.
    page.goto(url)
    csrf = page.locator("#finish-form input[name=csrf]").get_attribute("value")
    resp = page.request.post(url + "/finish", form={"csrf": csrf}, headers={"Origin": demo["base"]})
    assert resp.status == 200 and "Yes, finish" in resp.text()
    page.reload()
    assert "Active" in page.inner_text("#facts"), "not finished without the confirmation"


@pytest.mark.parametrize("width", WIDTHS)
def test_change_item_offers_only_items_measured_like_the_package(demo, request, width):
    """Rule 29: the new item must measure the way the package's unit does."""
    page = request.getfixturevalue(width)
    base = at(demo, page, "cultivator")
    flower = package_url(page, base, "Blue Dream Flower")
    create_from(page, demo, base, flower, "Blue Dream Flower", 5, "Grams", "Vault", f"item-{width}")
    offered = page.locator("#item-form select[name=item] option").all_inner_texts()
    assert any("OG Kush Trim" in o for o in offered), offered
    assert not any("Clones" in o for o in offered), "counted items are not offered for grams"
    assert not any(o.startswith("Blue Dream Flower") for o in offered), "not the item it has"
    look(page, f"package-change-item-{width}")
    page.select_option("#item-form select[name=item]", "OG Kush Trim")
    page.click("#item-form button")
    assert "Done" in page.inner_text(".flash")
    assert "OG Kush Trim" in page.inner_text("#facts")
    assert "Change package items" in page.inner_text("table.journal")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_label_carries_both_barcodes_and_fits_4_by_2_inches_when_printed(demo, request, width):
    page = request.getfixturevalue(width)
    base = at(demo, page, "manufacturer")
    page.goto(demo["base"] + package_url(page, base, "Blue Dream Distillate"))
    label = uid(page)
    page.click("#label-link")
    look(page, f"package-label-{width}")
    box = page.locator("article.label")
    # Both symbols are drawn as SVG: the UID in Code 128, the package's address in the QR code.
    assert box.locator(".bars svg rect").count() > 20
    assert box.locator(".bars").get_attribute("data-encodes") == label
    assert box.locator(".qr svg path").count() == 1
    assert box.locator(".qr").get_attribute("data-encodes") == f"{demo['base']}/ui/packages/{label}"
    text = box.inner_text()
    for want in [label, "Blue Dream Distillate", "Grams", "Packaged by", lic_of(demo, "manufacturer")["license_number"],
                 "Golden State Kitchens", "Lab: Test passed"]:
        assert want in text, (want, text)
    # The QR code's address opens the package.
    page.goto(f"{demo['base']}/ui/packages/{label}")
    assert uid(page) == label
    page.go_back()

    page.emulate_media(media="print")
    size = box.bounding_box()
    assert abs(size["width"] - 384) < 1 and abs(size["height"] - 192) < 1, size  # 4 x 2 in at 96 px/in
    fits = box.evaluate("e => e.scrollHeight <= e.clientHeight + 1 && e.scrollWidth <= e.clientWidth + 1")
    assert fits, "nothing spills out of the label"
    for hidden in ["header", "nav.sub", ".screen-only"]:
        assert not page.locator(hidden).first.is_visible(), f"{hidden} does not print"
    qr, bars = box.locator(".qr").bounding_box(), box.locator(".bars").bounding_box()
    for part in (qr, bars):
        assert part["x"] >= size["x"] - 0.5 and part["x"] + part["width"] <= size["x"] + size["width"] + 0.5
        assert part["y"] >= size["y"] - 0.5 and part["y"] + part["height"] <= size["y"] + size["height"] + 0.5
    assert qr["width"] >= 96, "the QR code is at least an inch square"
    # Printed, the label is one page of its own size.
    pdf = page.pdf(prefer_css_page_size=True)
    page.emulate_media(media="screen")
    assert len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf)) == 1, "one page"
    assert re.search(rb"/MediaBox\s*\[\s*0 0 288 144\s*\]", pdf), "4 x 2 in (288 x 144 pt)"

    # The same label as a PDF.
    resp = page.request.get(page.url + ".pdf")
    assert resp.status == 200 and resp.headers["content-type"] == "application/pdf"
    assert resp.body().startswith(b"%PDF")


@pytest.mark.parametrize("width", WIDTHS)
def test_an_inspector_sees_the_package_and_its_label_but_no_forms(demo, request, width):
    page = request.getfixturevalue(width)
    inspector = demo["creds"]["inspector"]
    sign_in(page, demo["base"], inspector)
    mfg = lic_of(demo, "manufacturer")
    base = f"{demo['base']}/ui/l/{mfg['license_number']}"
    href = package_url(page, base, "Blue Dream Distillate")
    assert page.locator("main a:has-text('New package')").count() == 0
    page.goto(demo["base"] + href)
    look(page, f"package-inspector-{width}")
    assert page.locator("main form").count() == 0, "an inspector is read-only"
    assert page.locator("#actions").count() == 0
    page.click("#label-link")
    assert page.locator("article.label .qr svg").count() == 1
    look(page, f"package-label-inspector-{width}")
    for url in [base + "/packages/new", base + "/packages/sample", demo["base"] + href + "/repackage"]:
        resp = page.goto(url)
        assert resp.status == 403, (url, resp.status)
