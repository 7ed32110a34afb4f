"""Every page of the UI, as each demo user and the inspector sees it, at a desktop's and a
phone's width: it answers, passes axe-core's accessibility check, fits a phone's screen (wide
grids scroll inside their box, never the page), and is saved as a screenshot for review."""
import re
from urllib.parse import urlparse

import pytest
from conftest import look, sign_in

# Pages not to follow: downloads and documents, and the sign-out form's target.
SKIP = re.compile(r"(\\.pdf|\\.html|format=csv|/documents/|/logout|/label)")


def users(demo):
    out = [(l["license_type"], l) for l in demo["creds"]["licenses"]]
    out.append(("inspector", demo["creds"]["inspector"]))
    return out


def pages_of(page, base):
    """The UI's pages linked from the start page and the license sections (one level deep)."""
    seen, todo = [], ["/ui"]
    while todo and len(seen) < 60:
        path = todo.pop(0)
        if path in seen:
            continue
        seen.append(path)
        page.goto(base + path)
        if path.count("/") > 5:
            continue
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            u = urlparse(href)
            if u.netloc or not u.path.startswith("/ui") or SKIP.search(href):
                continue
            p = u.path + (("?" + u.query) if u.query else "")
            if p not in seen and p not in todo and "page=" not in p and "sort=" not in p:
                todo.append(p)
    return seen


@pytest.mark.parametrize("who", ["manufacturer", "distributor", "testing_lab", "retailer", "cultivator", "inspector"])
def test_every_page_answers_is_accessible_and_fits_a_phone(demo, browser, who):
    name, user = next((n, u) for n, u in users(demo) if n == who)
    for label, viewport in (("desktop", {"width": 1366, "height": 900}), ("phone", {"width": 390, "height": 844})):
        ctx = browser.new_context(viewport=viewport)
        try:
            page = ctx.new_page()
            sign_in(page, demo["base"], user)
            paths = pages_of(page, demo["base"]) if label == "desktop" else paths
            for path in paths:
                resp = page.goto(demo["base"] + path)
                assert resp is not None and resp.status < 500, f"{path}: {resp and resp.status}"
                slug = re.sub(r"[^A-Za-z0-9]+", "-", path.strip("/")) or "start"
                look(page, f"{who}-{slug}")
        finally:
            ctx.close()
