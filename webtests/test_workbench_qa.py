"""Distribution's QA release gate in a browser (issue 11): the QA queue and a lot's page looked at
on a desktop (1280 px) and a phone (390 px) with axe-core's check and no sideways scroll; on the
desktop the COA sits beside the review, on the phone above it. The lot is one waiting in QA in
the demo (else any active package of the license). Each person with the QA role looks at it:
the one who prepared its review reads why they cannot release it, the other is offered the
release with the code."""
from urllib.parse import urlparse

from conftest import look, sideways_scroll
# The workbench's fixtures and helpers (a fixture is found where it is imported).
from test_workbench_ui import grants, license_of, sign_in, sized, workbench  # noqa: F401


def qa_people(wb):
    people = [u for u in wb["users"].values() if any(r == "qa" for _, r in grants(u))]
    if not people:
        import pytest
        pytest.skip("no person with the QA role in the workbench's credentials")
    return people


def a_lot(page, base, lic_url):
    """The address of a lot's QA page: one waiting in the queue, else any active package's."""
    page.goto(lic_url + "/qa")
    waiting = page.locator("table.qa-queue tbody tr td:first-child a")
    ready = page.locator("table.qa-queue tbody tr", has_text="Ready for a second person")
    if ready.count():
        return base + ready.first.locator("td:first-child a").get_attribute("href")
    if waiting.count():
        return base + waiting.first.get_attribute("href")
    page.goto(lic_url + "/packages")
    href = page.locator("main tbody tr td a").first.get_attribute("href")
    return base + href.replace("/packages/", "/qa/", 1)


def test_qa_queue_and_lot_page_fit(workbench, sized):
    page = sized
    base = workbench["url"]
    width = page.viewport_size["width"]
    for i, person in enumerate(qa_people(workbench)):
        if i:
            page.click("form.signout button")
        sign_in(page, workbench, person)
        lic = license_of(person, "qa")
        l = f"{base}/l/{lic}"
        page.goto(l + "/qa")
        assert "Not found" not in page.title()
        main = page.inner_text("main")
        for heading in ("Waiting for QA", "Sellable inventory", "Flagged labels"):
            assert heading in main, heading
        look(page, f"wb-qa-queue-{person['username']}")
        assert sideways_scroll(page) <= 0, f"the queue scrolls sideways at {width} px"

        lot = a_lot(page, base, l)
        page.goto(lot)
        assert "Not found" not in page.title(), lot
        assert lic in page.inner_text(".band")
        look(page, f"wb-qa-lot-{person['username']}")
        assert sideways_scroll(page) <= 0, f"the lot page scrolls sideways at {width} px"
        left = page.locator(".qa-left").bounding_box()
        right = page.locator(".qa-right").bounding_box()
        if width >= 1000:
            assert right["x"] >= left["x"] + left["width"] - 1, "the COA sits beside the review"
            assert abs(right["y"] - left["y"]) < 2
        else:
            assert right["y"] >= left["y"] + left["height"] - 1, "the review comes below the COA"
        # What this person may do about the release: the form with the code, or the reasons.
        decision = page.inner_text("#decision")
        if page.locator("#release-code").count() == 0 and "Released" not in decision:
            assert "You cannot release this lot now" in decision
        # The COA's download link, if a COA is attached, is the license's own address.
        link = page.locator("#coa a[download]").first
        if link.count():
            path = urlparse(base + link.get_attribute("href")).path
            assert path.startswith(f"/l/{lic}/coa/"), path
