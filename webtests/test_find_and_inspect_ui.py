"""Finding a tag (issue 9): the search box on every page takes part of a UID in any case, and an
inspector on a phone looks a tag up and reads its package card, and can change nothing."""
import re

import pytest
from conftest import look, sign_in


def lic_of(demo, kind):
    return next(l for l in demo["creds"]["licenses"] if l["license_type"] == kind)


def a_package_label(page, demo, lic):
    page.goto(f"{demo['base']}/ui/l/{lic['license_number']}/packages")
    label = page.inner_text("#packages tbody tr >> nth=0 >> td >> nth=0").strip().split()[0]
    assert re.fullmatch(r"[0-9A-F]{24}", label), label
    return label


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_the_search_box_finds_a_partial_uid_in_any_case(demo, request, width):
    page = request.getfixturevalue(width)
    dist = lic_of(demo, "distributor")
    sign_in(page, demo["base"], dist)
    label = a_package_label(page, demo, dist)
    page.fill("header form.search input[name=q]", label[-7:].lower())
    page.press("header form.search input[name=q]", "Enter")
    page.wait_for_load_state()
    assert label in page.inner_text("main"), page.inner_text("main")
    look(page, f"search-partial-uid-{width}")
    # Nothing at this license: said so, not an empty page.
    page.fill("header form.search input[name=q]", "zzzz-no-such-tag")
    page.press("header form.search input[name=q]", "Enter")
    page.wait_for_load_state()
    assert page.locator("#no-hits").count() == 1
    # /ui/packages/<UID> opens the package by its tag.
    page.goto(f"{demo['base']}/ui/packages/{label}")
    assert label in page.inner_text("h1"), page.inner_text("h1")
    page.context.clear_cookies()


def test_an_inspector_reads_a_tag_on_a_phone_and_can_change_nothing(demo, desktop, phone):
    dist = lic_of(demo, "distributor")
    sign_in(desktop, demo["base"], dist)
    label = a_package_label(desktop, demo, dist)
    desktop.goto(f"{demo['base']}/ui/packages/{label}")
    before = desktop.inner_text("main")

    inspector = demo["creds"]["inspector"]
    sign_in(phone, demo["base"], inspector)
    phone.click("header >> text=Inspect a tag")
    phone.fill("#uid", label.lower())
    phone.click("#lookup button[type=submit]")
    card = phone.locator("#card")
    assert card.count() == 1, phone.inner_text("main")
    text = card.inner_text()
    assert label in text and "Packaged by" in text.replace("PACKAGED BY", "Packaged by")
    assert card.locator(".badge[data-lab]").count() >= 1, "the lab testing state"
    look(phone, "inspect-card-phone")
    # Part of a UID lists the packages it may be.
    phone.fill("#uid", label[-5:])
    phone.click("#lookup button[type=submit]")
    assert phone.locator(f"#matches a:has-text('{label}')").count() == 1
    # The full package page offers no action, and a forged action is refused.
    phone.goto(f"{demo['base']}/ui/packages/{label}")
    assert phone.locator("main form[method=post]").count() == 0
    token = phone.locator("header input[name=csrf]").first.input_value()
    adjust = phone.url.rstrip("/") + "/adjust"
    resp = phone.request.post(adjust, form={"csrf": token, "quantity": "-1", "reason": "Scale Variance",
                                            "confirmed": "yes"}, max_redirects=0)
    assert resp.status in (303, 403), resp.status
    desktop.goto(f"{demo['base']}/ui/packages/{label}")
    assert desktop.inner_text("main") == before, "nothing was adjusted"
