"""What one license sees of another's records (issue 8): lineage shows another license's
package as its label and item only, and a testing sample's results and certificate reach its
owner only once the laboratory releases them."""
import re

from conftest import confirm, sign_in
from test_packages_ui import minimal_pdf


def lic_of(demo, kind):
    return next(l for l in demo["creds"]["licenses"] if l["license_type"] == kind)


def released_column(page):
    """The Released cell of every lab result row on a package page."""
    return [t.strip() for t in page.locator("#results tbody tr td:nth-child(6)").all_inner_texts()]


def test_the_shipper_of_a_sample_sees_results_and_coa_only_once_released(demo, browser, tmp_path):
    lab, dist = lic_of(demo, "testing_lab"), lic_of(demo, "distributor")
    lab_ctx, dist_ctx = browser.new_context(), browser.new_context()
    try:
        lp, dp = lab_ctx.new_page(), dist_ctx.new_page()
        sign_in(lp, demo["base"], lab)
        sign_in(dp, demo["base"], dist)
        lab_base = f"{demo['base']}/ui/l/{lab['license_number']}"
        dist_base = f"{demo['base']}/ui/l/{dist['license_number']}"

        # The laboratory records results with a certificate, and does not release them yet.
        lp.goto(lab_base + "/labsamples")
        lp.click("#samples tbody tr >> nth=0 >> a")
        sample_url = lp.url
        sample_id = re.search(r"/labsamples/(\d+)$", sample_url).group(1)
        if lp.locator("#release").count():  # results an earlier test left unreleased
            lp.click("#release summary:has-text('Release results')")
            lp.click("#release details[open] button[name=confirmed]")
        sample_page = f"/packages/{sample_id}"
        dp.goto(dist_base + sample_page)
        assert dp.url.endswith(sample_page), "the shipper owns its sample's package page"
        shown_before = released_column(dp)
        assert "no" not in shown_before

        pdf = tmp_path / "unreleased.pdf"
        minimal_pdf(pdf, "Unreleased COA")
        lp.fill("#q_3", "0.07")
        lp.check("#record input[name=o_3][value=passed]")
        lp.set_input_files("#coa", str(pdf))
        lp.click("#record button[type=submit]")
        assert "1 result(s) recorded" in lp.inner_text(".flash")
        # The laboratory sees its recorded result and certificate.
        lp.goto(lab_base + sample_page)
        assert "no" in released_column(lp)
        doc = max(int(re.search(r"/documents/(\d+)", h).group(1))
                  for h in lp.locator("#results a").evaluate_all("as => as.map(a => a.href)"))

        # The shipper sees nothing new: no unreleased row, no link to the certificate, and the
        # certificate itself is refused.
        dp.goto(dist_base + sample_page)
        assert released_column(dp) == shown_before
        assert f"/documents/{doc}" not in dp.content()
        assert "Unreleased COA" not in dp.content()
        coa = dp.request.get(f"{dist_base}/documents/{doc}")
        assert coa.status in (401, 404) and not coa.body().startswith(b"%PDF")
        dp.goto(dist_base + "/labsamples")
        assert "recorded" not in dp.inner_text("main"), "the sample list shows released results only"

        # Released: now the shipper sees the result and gets the certificate.
        lp.goto(sample_url)
        lp.click("#release summary:has-text('Release results')")
        lp.click("#release details[open] button[name=confirmed]")
        assert "released" in lp.inner_text(".flash")
        dp.goto(dist_base + sample_page)
        assert len(released_column(dp)) == len(shown_before) + 1
        assert "no" not in released_column(dp)
        coa = dp.request.get(f"{dist_base}/documents/{doc}")
        assert coa.status == 200 and coa.body().startswith(b"%PDF")
    finally:
        lab_ctx.close()
        dist_ctx.close()


def lineage_rows(page):
    return page.locator("#lineage tbody tr")


def test_lineage_shows_another_licenses_packages_as_label_and_item_only(demo, browser):
    """The manufacturer ships a vape cartridge made from its distillate to the distributor. Each
    then sees the other's side of the lineage as a label and an item: no link, no quantity, no
    lab state, no license."""
    mfg, dist = lic_of(demo, "manufacturer"), lic_of(demo, "distributor")
    mctx, dctx = browser.new_context(), browser.new_context()
    try:
        mp, dp = mctx.new_page(), dctx.new_page()
        sign_in(mp, demo["base"], mfg)
        sign_in(dp, demo["base"], dist)
        mbase = f"{demo['base']}/ui/l/{mfg['license_number']}"
        dbase = f"{demo['base']}/ui/l/{dist['license_number']}"

        # The cartridge and its source, as the manufacturer sees them.
        mp.goto(mbase + "/packages?item=Blue+Dream+Vape+1g")
        mp.click("table tbody tr >> nth=0 >> a")
        vape = mp.inner_text("h1").strip()
        source_row = lineage_rows(mp).filter(has_text="Blue Dream Distillate").first
        source = source_row.locator("td >> nth=1").inner_text().strip()
        source_link = source_row.locator("a").get_attribute("href")
        source_qty = source_row.locator("td >> nth=3").inner_text().strip()

        # Ship it: registered by the manufacturer, carried and received by the distributor.
        mp.goto(mbase + "/transfers/new")
        mp.select_option("#recipient", dist["license_number"])
        mp.select_option("#transporter", dist["license_number"])
        mp.select_option("#driver", "D4481237")
        mp.select_option("#vehicle", "8TGT123")
        mp.check(f"#packages input[name=pick][value='{vape}']")
        mp.click("button[value=save]")
        assert "registered" in mp.inner_text(".flash"), mp.inner_text("main")
        number = re.search(r"Manifest (\d{10})", mp.inner_text("h1")).group(1)
        dp.goto(dbase + "/transfers?tab=transporting")
        dp.click(f"#transfers a:has-text('{number}')")
        confirm(dp, "Depart")
        assert "departed" in dp.inner_text(".flash")
        dp.click("#receive-link")
        dp.locator(".receipt-line input[value=accept]").check()
        dp.click("#receipt button")
        assert "Receipt recorded: 1 accepted" in dp.inner_text(".flash")

        # The distributor's cartridge: its source is the manufacturer's, shown as what it is.
        dp.click(f"#lines a:has-text('{vape}')")
        row = lineage_rows(dp).filter(has_text=source)
        assert row.count() == 1
        cells = [t.strip() for t in row.locator("td").all_inner_texts()]
        assert cells[1:3] == [source, "Blue Dream Distillate"], cells
        assert "another license's package" in cells[3]
        assert row.locator("a").count() == 0, "no link into another license's records"
        text = row.inner_text()
        assert mfg["license_number"] not in text and source_qty not in text
        assert dp.request.get(demo["base"] + source_link.replace(mfg["license_number"], dist["license_number"])).status == 401

        # The manufacturer's distillate: the cartridge it made is now the distributor's.
        mp.goto(demo["base"] + source_link)
        row = lineage_rows(mp).filter(has_text=vape)
        assert row.count() == 1
        assert row.locator("a").count() == 0
        assert "another license's package" in row.inner_text()
        assert dist["license_number"] not in row.inner_text()
        # Its own finished offcut is still its own: linked, with its quantity.
        own = lineage_rows(mp).filter(has_text=mfg["license_number"])
        assert own.locator("a").count() >= 1
    finally:
        mctx.close()
        dctx.close()
