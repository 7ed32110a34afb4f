"""The laboratory's screens (issue 9), driven through a real browser against `tagtrail demo`: the
samples as a filterable grid, a page per sample, result entry where every outcome is chosen (no
pre-ticked "Passed") with each test's unit and limit shown, a refused entry that keeps what was
typed, release that asks first naming the sample and what the owner will see, and the owner
seeing the released results. Every page is looked at (screenshot, axe-core, phone fit)."""
import re

from conftest import look, sign_in
from test_packages_ui import minimal_pdf


def lic_of(demo, kind):
    return next(l for l in demo["creds"]["licenses"] if l["license_type"] == kind)


def samples_url(demo, lic):
    return f"{demo['base']}/ui/l/{lic['license_number']}/labsamples"


def open_the_sample(page, demo, lab):
    """The demo's sample (the distributor's gummies), opened from the laboratory's grid."""
    page.goto(samples_url(demo, lab))
    page.click("#samples tbody tr >> nth=0 >> a")
    assert re.search(r"/labsamples/\d+$", page.url), page.url
    return page.url


def release_if_pending(page):
    """Releases results left pending (by an earlier test), so the result form is offered."""
    if page.locator("#release").count():
        page.click("#release summary:has-text('Release results')")
        page.click("#release details[open] button[name=confirmed]")
        assert "released" in page.inner_text(".flash")


def record_pesticides(page, outcome, tmp_path, name="coa.pdf"):
    pdf = tmp_path / name
    minimal_pdf(pdf, "COA " + outcome)
    page.fill("#q_5", "0.4")
    page.check(f"#record input[name=o_5][value={outcome}]")
    page.set_input_files("#coa", str(pdf))
    page.click("#record button[type=submit]")
    assert "1 result(s) recorded" in page.inner_text(".flash")


def test_the_samples_grid_filters_and_opens_a_sample_page(demo, desktop, phone):
    lab, dist = lic_of(demo, "testing_lab"), lic_of(demo, "distributor")
    for page, width in ((desktop, "desktop"), (phone, "phone")):
        sign_in(page, demo["base"], lab)
        page.goto(samples_url(demo, lab))
        look(page, f"lab-samples-grid-{width}")
        rows = page.locator("#samples tbody tr")
        assert rows.count() >= 1
        label = rows.nth(0).get_attribute("data-label")
        # Partial, any-case UID match; a UID that is not there matches nothing.
        page.fill("#sample-filters input[name=uid]", label[-6:].lower())
        page.click("#sample-filters button")
        assert label in page.inner_text("#samples")
        page.fill("#sample-filters input[name=uid]", "ZZZZZZ")
        page.click("#sample-filters button")
        assert page.locator("#samples tbody tr").count() == 0
        assert "No samples match" in page.inner_text("main")
        # Who sent it is a filter and a column.
        page.goto(samples_url(demo, lab) + "?from=" + dist["license_number"])
        assert dist["license_number"] in page.inner_text("#samples")
        # The sample page: what it is, who sent it, the manifest it came on.
        page.click("#samples tbody tr >> nth=0 >> a")
        facts = page.inner_text("#sample-facts")
        assert "Mango Gummies" in facts and dist["license_number"] in facts
        assert re.search(r"\d{10}", page.inner_text("#sample-manifests")), "the manifest it came on"
        look(page, f"lab-sample-page-{width}")
        # CSV of the view.
        csv = page.request.get(samples_url(demo, lab) + "?format=csv")
        assert csv.status == 200 and csv.text().startswith("Tag UID,Item")
        page.context.clear_cookies()


def test_results_need_an_explicit_outcome_and_a_refused_entry_keeps_what_was_typed(demo, desktop, phone, tmp_path):
    lab = lic_of(demo, "testing_lab")
    sign_in(desktop, demo["base"], lab)
    open_the_sample(desktop, demo, lab)
    release_if_pending(desktop)
    form = desktop.locator("#record")
    # Nothing is marked passed or failed for the user: every test starts as Not tested.
    assert form.locator("input[value=passed]:checked").count() == 0
    assert form.locator("input[value=failed]:checked").count() == 0
    assert form.locator("input[type=radio][value='']:checked").count() >= 9
    # Each test shows its unit and its limit beside the value.
    pest = desktop.locator("fieldset.test[data-test=Pesticides]")
    assert "µg/g" in pest.inner_text() and "Category I" in pest.inner_text()
    myco = desktop.locator("fieldset.test[data-test=Mycotoxins]").inner_text()
    assert "µg/kg" in myco and "20" in myco
    look(desktop, "lab-record-form-desktop")

    # A value without an outcome is refused; everything typed comes back, with the problem
    # under its test and the chosen certificate named.
    pdf = tmp_path / "batch-mg.pdf"
    minimal_pdf(pdf, "Batch MG COA")
    desktop.fill("#q_5", "0.4")
    desktop.fill("#q_8", "0.03")
    desktop.check("#record input[name=o_8][value=passed]")
    desktop.fill("#q_1", "9.7")
    desktop.set_input_files("#coa", str(pdf))
    desktop.click("#record button[type=submit]")
    assert "Pesticides: choose Passed or Failed" in desktop.inner_text(".flash.error")
    pest = desktop.locator("fieldset.test[data-test=Pesticides]")
    assert "choose Passed or Failed" in pest.locator(".field-error").inner_text()
    assert desktop.input_value("#q_5") == "0.4"
    assert desktop.input_value("#q_8") == "0.03"
    assert desktop.input_value("#q_1") == "9.7"
    assert desktop.locator("#record input[name=o_8][value=passed]").is_checked()
    assert "batch-mg.pdf" in desktop.inner_text("#coa-again")
    assert desktop.locator("#record").count() == 1, "nothing was recorded"
    look(desktop, "lab-record-refused-desktop")

    # Chosen explicitly, the results are recorded with their units.
    desktop.check("#record input[name=o_5][value=failed]")
    desktop.set_input_files("#coa", str(pdf))
    desktop.click("#record button[type=submit]")
    assert "3 result(s) recorded" in desktop.inner_text(".flash")
    results = desktop.locator("#sample-results tbody")
    failed = results.locator("tr:has-text('Pesticides')").last
    assert "0.4 µg/g" in failed.inner_text() and failed.locator(".badge.failed").count() == 1
    passed = results.locator("tr:has-text('Heavy Metals')").last
    assert passed.locator(".badge.passed").count() == 1
    assert "Not yet" in failed.inner_text(), "recorded, not released"
    assert desktop.locator("#record").count() == 0, "no second entry before release"
    look(desktop, "lab-recorded-desktop")

    # On a phone: the form is a card per test and fits the screen; a refusal keeps the values.
    sign_in(phone, demo["base"], lab)
    open_the_sample(phone, demo, lab)
    release_if_pending(phone)
    phone.fill("#q_7", "25")
    phone.click("#record button[type=submit]")
    assert "Mycotoxins: choose Passed or Failed" in phone.inner_text(".flash.error")
    assert phone.input_value("#q_7") == "25"
    look(phone, "lab-record-refused-phone")


def test_release_asks_first_naming_the_sample_and_the_owner_then_sees_the_results(demo, browser, desktop, tmp_path):
    lab, dist = lic_of(demo, "testing_lab"), lic_of(demo, "distributor")
    sign_in(desktop, demo["base"], lab)
    sample_url = open_the_sample(desktop, demo, lab)
    label = desktop.inner_text("h1").replace("Sample", "").strip()
    if desktop.locator("#record").count():
        record_pesticides(desktop, "failed", tmp_path)
    # Pesticides failed are pending (recorded here, or by the test before).
    assert "Failed: Pesticides" in desktop.inner_text("#release")

    # Release asks first: the panel names the sample, who will see what, and the outcome.
    desktop.click("#release summary:has-text('Release results')")
    panel = desktop.inner_text("#release .confirm-panel")
    assert label in panel and dist["license_number"] in panel, panel
    assert "will see every result and the certificate" in panel
    assert "Test failed" in panel and "cannot be undone" in panel
    look(desktop, "lab-release-confirm-desktop")
    # A post without the confirmation gets the question as a page, not a release.
    with desktop.expect_navigation():
        desktop.evaluate("""() => {
            const f = document.querySelector('#release');
            const c = document.createElement('form');
            c.method = 'post'; c.action = f.action;
            c.innerHTML = '<input type="hidden" name="csrf" value="' + f.querySelector('[name=csrf]').value + '">';
            document.body.appendChild(c); c.submit();
        }""")
    assert "Release results?" in desktop.inner_text("h1")
    assert label in desktop.inner_text("main")
    look(desktop, "lab-release-asked-desktop")
    desktop.goto(sample_url)
    assert desktop.locator("#release").count() == 1, "still not released"
    desktop.click("#release summary:has-text('Release results')")
    desktop.click("#release details[open] button[name=confirmed]")
    assert "released" in desktop.inner_text(".flash")
    # A failed sample reads as failed at a glance: badge, banner and grid row.
    assert desktop.locator("#sample-lab .badge.failed").count() == 1
    assert desktop.locator(".banner.failed").count() == 1
    look(desktop, "lab-released-failed-desktop")
    desktop.goto(samples_url(demo, lab) + "?status=failed")
    row = desktop.locator(f"#samples tr[data-label='{label}']")
    assert row.count() == 1 and row.locator(".badge.failed").count() == 1
    assert row.get_attribute("data-lab") in ("TestFailed", "RetestFailed")
    look(desktop, "lab-samples-failed-desktop")

    # The owner now sees the released results on its own sample page, at both widths.
    for viewport in ({"width": 1366, "height": 900}, {"width": 390, "height": 844}):
        ctx = browser.new_context(viewport=viewport)
        try:
            op = ctx.new_page()
            sign_in(op, demo["base"], dist)
            op.goto(samples_url(demo, dist))
            assert label in op.inner_text("#samples")
            look(op, f"owner-samples-{viewport['width']}")
            op.click(f"#samples tr[data-label='{label}'] a")
            results = op.inner_text("#sample-results")
            assert "Pesticides" in results and "Failed" in results and "Not yet" not in results
            assert op.locator("#record").count() == 0 and op.locator("#release").count() == 0
            assert op.locator("#sample-results a:has-text('Certificate')").count() >= 1
            look(op, f"owner-sample-page-{viewport['width']}")
        finally:
            ctx.close()
