"""The Data Import page (issue 12; rule 73, the July 2020 bulletin's V-VII) in a real browser, at
a desktop's and a phone's width, for Immature Plant Additives: the format guide made from the
parser's columns, its example file downloaded, a file with a bad line refused with the line
named (the chosen import type kept), a good file previewed (which lot gets which additive) and
applied, and the grid saying so. Every page is looked at (screenshot, axe-core, no sideways
scroll on a phone).

The demo cultivator's data grows with the demo, so each run plants its own lot, named after the
window's width, through the plant batches page."""
import re
import time

import pytest
from conftest import confirm, look, sign_in

WIDTHS = ["desktop", "phone"]
KIND = "immature-plant-additives"
HEADER = ("PlantBatchName,AdditiveType,ProductTradeName,ProductSupplier,ActiveIngredients,"
          "TotalAmountApplied,TotalAmountUnitOfMeasure,ActualDate")


def cultivator(demo):
    return next(l for l in demo["creds"]["licenses"] if l["license_type"] == "cultivator")


def plant_a_lot(page, base, name, count):
    """Plants `count` clones into lot `name` from the package of clones with the most left."""
    page.goto(base + "/plantbatches")
    best, most = None, -1.0
    for o in page.locator("#plant-form select[name=source_package] option").all():
        m = re.search(r"\(([\d.]+) left\)", o.inner_text())
        if m and float(m.group(1)) > most:
            best, most = o.get_attribute("value"), float(m.group(1))
    assert best and most >= count, f"a package of clones with {count} left"
    page.fill("#plant-form input[name=name]", name)
    page.select_option("#plant-form select[name=type]", "Clone")
    page.fill("#plant-form input[name=count]", str(count))
    page.select_option("#plant-form select[name=source_package]", best)
    page.click("#plant-form button[type=submit]")
    assert "planted" in page.inner_text(".flash"), page.inner_text(".flash")


def row(lot, amount, unit="Gallons"):
    return f"{lot},Fertilizer,Grow Big,FoxFarm,Nitrogen=6,{amount},{unit},2026-01-10"


def upload(page, base, name, text):
    """Chooses the tab, then the file, and sends it; the upload's own page follows."""
    page.goto(f"{base}/imports?type={KIND}")
    page.set_input_files("#upload input[type=file]",
                         files=[{"name": name, "mimeType": "text/csv", "buffer": text.encode()}])
    page.click("#upload button[type=submit]")
    page.wait_for_url(re.compile(r"/imports/\d+$"))


def settled(page, timeout=180):
    """Waits while the upload's page reloads itself (its check or apply is running)."""
    deadline = time.monotonic() + timeout
    while page.locator("meta[http-equiv=refresh]").count() > 0:
        assert time.monotonic() < deadline, "the import is still running"
        page.wait_for_timeout(500)
        page.reload()
    return page.inner_text("#status")


@pytest.mark.parametrize("width", WIDTHS)
def test_an_additives_file_is_guided_refused_by_line_previewed_and_applied(demo, request, width, tmp_path):
    page = request.getfixturevalue(width)
    lic = cultivator(demo)
    sign_in(page, demo["base"], lic)
    base = f"{demo['base']}/ui/l/{lic['license_number']}"
    lot = f"Import Lot {width}"
    plant_a_lot(page, base, lot, 4)

    # The page: a tab per type, the upload form and the grid.
    page.goto(base + "/imports")
    tabs = page.locator("nav.cat-tabs a").all_inner_texts()
    assert tabs == ["Plant Additives", "Immature Plant Additives", "Plantings", "Sales Receipts"], tabs
    look(page, "imports")
    page.click("nav.cat-tabs a:has-text('Immature Plant Additives')")
    assert page.locator("nav.cat-tabs a[aria-current=page]").inner_text() == "Immature Plant Additives"

    # The format guide, made from the parser's columns, and its example file.
    page.click("#guide-link")
    assert "CSV format" in page.inner_text("h1")
    columns = page.locator("#columns tbody tr td[data-th=Column]").all_inner_texts()
    assert columns[:2] == ["PlantBatchName", "AdditivesTemplateName"], columns
    assert "TotalAmountUnitOfMeasure" in columns and "ActualDate" in columns
    look(page, f"imports-guide-{KIND}")
    with page.expect_download() as d:
        page.click("#example")
    example = open(d.value.path(), encoding="utf-8").read()
    assert d.value.suggested_filename == f"{KIND}-example.csv"
    assert example.startswith("PlantBatchName,AdditivesTemplateName,"), example
    shown = page.inner_text("#example-text")
    assert example.replace("\r\n", "\n").strip() == shown.replace("\r\n", "\n").strip(), shown

    # A bad line: named by its line, nothing applied, the type chosen kept.
    bad = "\n".join([HEADER, row(lot, "2.5"), row("No Such Lot", "1"), row(lot, "1", "Buckets")])
    upload(page, base, f"bad-{width}.csv", bad)
    status = settled(page)
    assert "Failed: 2 errors" in status, status
    errors = page.locator("#errors li").all_inner_texts()
    assert errors[0].startswith("Line 3: ") and "No Such Lot" in errors[0], errors
    assert errors[1].startswith("Line 4: ") and "Buckets" in errors[1], errors
    assert page.locator("#apply").count() == 0, "nothing to apply"
    look(page, "import-failed")
    page.click("a:has-text('← Data import')")
    assert page.locator("nav.cat-tabs a[aria-current=page]").inner_text() == "Immature Plant Additives"

    # A good file: the preview says which lot gets what; then applied, all at once.
    good = "\n".join([HEADER, row(lot, "2.5"), row(lot, "1.5")])
    upload(page, base, f"good-{width}.csv", good)
    status = settled(page)
    assert "Ready to apply" in status, status
    preview = page.inner_text("#preview")
    assert f"Plant batch {lot}" in preview, preview
    assert "2.5 Gallons of Grow Big (Fertilizer, Nitrogen 6%), applied 2026-01-10" in preview, preview
    totals = page.inner_text("#totals")
    assert "2 application(s) of Grow Big: 4 Gallons in all, on 1 plant batch(es)" in totals, totals
    look(page, "import-preview")
    confirm(page, "Apply", within="#apply")
    status = settled(page)
    assert "Applied" in status, status
    look(page, "import-applied")

    # The grid says where each upload stands.
    page.goto(base + "/imports")
    grid = page.locator("#imports tbody tr")
    good_row = grid.filter(has_text=f"good-{width}.csv").inner_text()
    bad_row = grid.filter(has_text=f"bad-{width}.csv").inner_text()
    assert "Applied" in good_row and "Immature Plant Additives" in good_row, good_row
    assert "Failed: 2 errors" in bad_row, bad_row
    look(page, "imports-grid")
