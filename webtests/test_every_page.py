"""Every page of the UI, as each demo user and the inspector sees it, at a desktop's and a
phone's width: it answers, passes axe-core's accessibility check, fits a phone's screen (wide
grids scroll inside their box, never the page), and is saved as a screenshot for review."""
import re
from urllib.parse import urlparse

import pytest
from conftest import LOOKED, kind_of, look, sign_in

# Pages not to follow: downloads and documents, and the sign-out form's target.
SKIP = re.compile(r"(\.pdf|\.html|\.csv|format=csv|/documents/|/logout|/label)")


def users(demo):
    out = [(l["license_type"], l) for l in demo["creds"]["licenses"]]
    out.append(("inspector", demo["creds"]["inspector"]))
    return out


def pages_of(page, base):
    """One page of each kind reachable from the start page and the license sections."""
    seen, kinds, todo = [], set(), ["/ui"]
    while todo and len(seen) < 80:
        path = todo.pop(0)
        kind = kind_of(path)
        if kind in kinds:
            continue
        kinds.add(kind)
        seen.append(path)
        resp = page.goto(base + path)
        assert resp is not None and resp.status < 500, f"{path}: {resp and resp.status}"
        if path.count("/") > 5:
            continue
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            u = urlparse(href)
            if u.netloc or not u.path.startswith("/ui") or SKIP.search(href):
                continue
            p = u.path + (("?" + u.query) if u.query else "")
            if kind_of(p) not in kinds and p not in todo and "page=" not in p and "sort=" not in p:
                todo.append(p)
    return seen


@pytest.mark.parametrize("who", ["manufacturer", "distributor", "testing_lab", "retailer", "cultivator", "inspector"])
def test_every_page_answers_is_accessible_and_fits_a_phone(demo, browser, who):
    """Each kind of page is looked at once at each width, by whichever test (this walk runs last
    and takes the kinds nobody looked at); the inspector's pages are all looked at again, as the
    read-only rendering of each."""
    name, user = next((n, u) for n, u in users(demo) if n == who)
    paths = None
    for viewport in ({"width": 1366, "height": 900}, {"width": 390, "height": 844}):
        ctx = browser.new_context(viewport=viewport)
        try:
            page = ctx.new_page()
            sign_in(page, demo["base"], user)
            if paths is None:
                paths = pages_of(page, demo["base"])
            for path in paths:
                if who != "inspector" and (kind_of(path), viewport["width"]) in LOOKED:
                    continue
                resp = page.goto(demo["base"] + path)
                assert resp is not None and resp.status < 500, f"{path}: {resp and resp.status}"
                slug = re.sub(r"[^A-Za-z0-9]+", "-", path.strip("/")) or "start"
                look(page, f"{who}-{slug}")
        finally:
            ctx.close()
