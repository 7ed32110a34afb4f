"""Every page of the UI, as each demo user and the inspector sees it, at a desktop's and a
phone's width: it answers, passes axe-core's accessibility check, fits a phone's screen (wide
grids scroll inside their box, never the page), and is saved as a screenshot for review."""
import re
from urllib.parse import urlparse

import pytest
from conftest import look, sign_in

# Pages not to follow: downloads and documents, and the sign-out form's target.
SKIP = re.compile(r"(\.pdf|\.html|format=csv|/documents/|/logout|/label)")


def users(demo):
    out = [(l["license_type"], l) for l in demo["creds"]["licenses"]]
    out.append(("inspector", demo["creds"]["inspector"]))
    return out


# Kinds of page already looked at, across the users (the tests run in order, in one process):
# a kind looked at as the manufacturer is not looked at again as the retailer. This keeps the
# walk to about a hundred pages at each width (it was 720 looks, eight minutes, without it).
LOOKED = set()


def kind_of(path):
    """A page's kind: its path with the license, ids and UIDs taken out, and its query's keys
    without their values (every package page is one kind; every list tab another)."""
    u = urlparse(path)
    p = re.sub(r"/ui/l/[^/]+", "/ui/l/L", u.path)
    p = re.sub(r"/(\d+|[0-9A-Fa-f]{24})(?=/|$)", "/N", p)
    keys = sorted({kv.split("=")[0] for kv in u.query.split("&") if kv})
    return p + "?" + "&".join(keys)


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
        page.goto(base + path)
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
    name, user = next((n, u) for n, u in users(demo) if n == who)
    for label, viewport in (("desktop", {"width": 1366, "height": 900}), ("phone", {"width": 390, "height": 844})):
        ctx = browser.new_context(viewport=viewport)
        try:
            page = ctx.new_page()
            sign_in(page, demo["base"], user)
            if label == "desktop":
                # The inspector sees every kind again: the read-only rendering of each.
                paths = [p for p in pages_of(page, demo["base"])
                         if who == "inspector" or kind_of(p) not in LOOKED]
            for path in paths:
                resp = page.goto(demo["base"] + path)
                assert resp is not None and resp.status < 500, f"{path}: {resp and resp.status}"
                slug = re.sub(r"[^A-Za-z0-9]+", "-", path.strip("/")) or "start"
                look(page, f"{who}-{slug}")
        finally:
            ctx.close()
    LOOKED.update(kind_of(p) for p in paths)
