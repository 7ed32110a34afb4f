"""Production batches in the workbench's web UI (issue 11): the board and a batch's page at a
desktop's 1280 px and a phone's 390 px, each looked at (screenshot, axe-core) and neither
scrolling sideways; and the recall page. The demo's workbench has batches; when it has none, one
is planned through the board's form and worked a little so its page has something to show."""
import time

import pytest

from conftest import look, sideways_scroll
from test_workbench_ui import grants, sign_in, sized, workbench  # noqa: F401 (fixtures)


def producer(wb):
    """A person who may plan and work batches (an administrator, a compliance manager or an
    operator), and the licenses they hold it in."""
    for role in ("admin", "compliance_manager", "operator"):
        for u in wb["users"].values():
            lics = [lic for lic, r in grants(u) if lic and r == role]
            if lics:
                return u, lics
    pytest.skip("no one in the workbench's credentials may work batches")


def a_batch(page, base, lics):
    """The address of a batch page: the first the demo made, or one planned now."""
    for lic in lics:
        page.goto(f"{base}/l/{lic}/batches")
        cards = page.locator("li.bcard a")
        if cards.count() > 0:
            return lic, base + cards.first.get_attribute("href")
    lic = lics[0]
    page.goto(f"{base}/l/{lic}/batches")
    # A refused plan keeps what was typed.
    page.fill("#plan-name", f"Browser batch {int(time.time())}")
    page.select_option("#plan-type", "packaging")
    page.fill("#plan-tolerance", "a lot")
    page.fill("#plan-text", "Fill and label")
    page.click("#plan button[type=submit]")
    assert "must be a number" in page.inner_text("main")
    assert page.input_value("#plan-text") == "Fill and label"
    page.fill("#plan-tolerance", "")
    page.click("#plan button[type=submit]")
    assert "planned" in page.inner_text("main")
    page.click("#actions button:has-text('Start the batch')")
    options = page.locator("#packages option")
    if options.count() > 0:
        page.fill("#input-package", options.first.get_attribute("value"))
        page.fill("#input-quantity", "1")
        page.click("form:has(#input-package) button[type=submit]")
        assert "Input recorded" in page.inner_text("main")
    return lic, page.url.split("#")[0]


def test_batch_board_and_page_fit(workbench, sized):
    page = sized
    base = workbench["url"]
    user, lics = producer(workbench)
    sign_in(page, workbench, user)
    lic, url = a_batch(page, base, lics)
    width = page.viewport_size["width"]

    page.goto(f"{base}/l/{lic}/batches")
    assert "Not found" not in page.title()
    for status in ("Planned", "In progress", "Completed", "Submitted", "Accepted by Metrc"):
        assert status in page.inner_text(".board")
    assert page.locator("#plan").count() == 1, "a producer may plan a batch"
    look(page, "wb-batches")
    assert sideways_scroll(page) <= 0, f"the board scrolls sideways at {width} px"

    page.goto(url)
    assert "Not found" not in page.title()
    main = page.inner_text("main")
    assert "Mass balance" in main and "Lines" in main
    look(page, "wb-batch")
    assert sideways_scroll(page) <= 0, f"the batch page scrolls sideways at {width} px"
    # The flow, where there is one, says what it shows.
    if page.locator("svg.flow").count():
        assert page.locator("svg.flow title").count() == 1
        assert "g in from" in page.locator("svg.flow desc").text_content()

    page.goto(f"{base}/l/{lic}/recall")
    assert "licenses you hold a role in" in page.inner_text("main")
    options = page.locator("#recall-packages option")
    if options.count() > 0:
        page.fill("#recall-label", options.first.get_attribute("value"))
        page.click("form.recall-search button")
        assert "Made from it" in page.inner_text("main")
    look(page, "wb-recall")
    assert sideways_scroll(page) <= 0, f"the recall page scrolls sideways at {width} px"
