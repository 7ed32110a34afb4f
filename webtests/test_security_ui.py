"""The web UI's defences, driven through a real browser against `tagtrail demo`: CSRF tokens on
every form, sessions kept in the database across a restart, sign-in throttling, and security
headers."""
import re

from conftest import sign_in


def lic_of(demo, kind):
    return next(l for l in demo["creds"]["licenses"] if l["license_type"] == kind)


def newest_entry(page, base):
    page.goto(base + "/journal")
    return int(page.inner_text("table tbody tr >> nth=0 >> td >> nth=0").strip())


def shipped_order(page, base):
    """A tag order awaiting receipt, if the tags page offers one."""
    page.goto(base + "/tags")
    form = page.locator("form[action$='/tags/receive']")
    return form.first.locator("input[name=order_id]").input_value() if form.count() else None


def test_a_post_without_or_with_a_wrong_csrf_token_is_refused_and_writes_nothing(demo, page):
    lic = lic_of(demo, "manufacturer")
    sign_in(page, demo["base"], lic)
    base = f"{demo['base']}/ui/l/{lic['license_number']}"
    before = newest_entry(page, base)
    page.goto(base + "/tags/all")
    label_form = {"label": "1A4000000000000000009999", "reason": "forged", "confirmed": "yes"}
    void = base + "/tags/void"
    # The browser's own cookies go with these requests: only the token is missing or wrong.
    for form in [label_form, {**label_form, "csrf": "not-the-token"}, {**label_form, "csrf": ""}]:
        resp = page.request.post(void, form=form, max_redirects=0)
        assert resp.status == 403, form
        assert "did not come from a current page" in resp.text()
    # The token of the page, from another site's page: refused by its Origin.
    token = page.locator("form[action$='/tags/void'] input[name=csrf]").input_value()
    resp = page.request.post(void, form={**label_form, "csrf": token}, max_redirects=0,
                             headers={"Origin": "http://evil.example"})
    assert resp.status == 403
    # Another site's form, posted by the signed-in browser: no token to give, and no session
    # cookie sent along with a cross-site post (SameSite=Lax).
    page.goto("about:blank")
    page.set_content(f"""<form method="post" action="{void}">
        <input name="label" value="{label_form['label']}"><input name="reason" value="forged">
        <button type="submit">Win a prize</button></form>""")
    with page.expect_navigation():
        page.click("text=Win a prize")
    assert "voided" not in page.content()
    assert newest_entry(page, base) == before, "a refused post writes nothing"


def test_a_signed_in_session_survives_a_restart(demo, page):
    lic = lic_of(demo, "retailer")
    sign_in(page, demo["base"], lic)
    items = f"{demo['base']}/ui/l/{lic['license_number']}/items"
    page.goto(items)
    assert page.url == items
    demo["restart"]()
    resp = page.goto(items)
    assert resp.status == 200 and page.url == items, "still signed in after the restart"
    assert lic["username"] in page.inner_text("header")
    # A form served before the restart still carries a good token: signing out works.
    page.click("text=Sign out")
    assert page.url.endswith("/ui/login")
    page.goto(items)
    assert page.url.endswith("/ui/login")


def test_the_page_asked_for_is_shown_after_signing_in(demo, page):
    lic = lic_of(demo, "cultivator")
    wanted = f"{demo['base']}/ui/l/{lic['license_number']}/strains"
    page.goto(wanted)
    assert page.url.endswith("/ui/login")
    page.fill("#username", lic["username"])
    page.fill("#password", lic["password"])
    page.click("button[type=submit]")
    assert page.url == wanted
    assert "Sour Diesel" in page.inner_text("table")


def submit_sign_in(page, base, username, password):
    page.goto(base + "/ui/login")
    page.fill("#username", username)
    page.fill("#password", password)
    with page.expect_response(lambda r: r.url.endswith("/ui/login") and r.request.method == "POST") as info:
        page.click("button[type=submit]")
    return info.value.status


def test_repeated_wrong_passwords_get_429_before_the_password_is_checked(demo, page):
    # The restricted clerk: no other test signs in as them, so locking the account is harmless.
    clerk = demo["creds"]["restricted"][0]
    for attempt in range(5):
        assert submit_sign_in(page, demo["base"], clerk["username"], f"wrong-{attempt}") == 401
        assert "Unknown username or wrong password" in page.inner_text(".flash.error")
    assert submit_sign_in(page, demo["base"], clerk["username"], "wrong-again") == 429
    assert "Too many sign-in attempts; try again in a few minutes." in page.inner_text(".flash.error")
    # Locked: not even the right password is checked now.
    assert submit_sign_in(page, demo["base"], clerk["username"], clerk["password"]) == 429
    assert page.url.endswith("/ui/login")


def test_security_headers_are_on_every_response(demo, page):
    lic = lic_of(demo, "distributor")
    responses = [page.goto(demo["base"] + "/ui/login")]
    sign_in(page, demo["base"], lic)
    base = f"{demo['base']}/ui/l/{lic['license_number']}"
    for path in ["/packages", "/transfers", "/journal"]:
        responses.append(page.goto(base + path))
    responses.append(page.goto(f"{demo['base']}/ui/l/{lic_of(demo, 'retailer')['license_number']}/items"))
    for resp in responses:
        h = resp.headers
        csp = h.get("content-security-policy", "")
        for part in ["default-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "form-action 'self'"]:
            assert part in csp, (resp.url, csp)
        assert "unsafe-inline" not in csp
        assert h.get("x-content-type-options") == "nosniff"
        assert h.get("x-frame-options") == "DENY"
        assert h.get("referrer-policy") == "same-origin"
        assert h.get("cache-control") == "no-store", resp.url
    assert responses[-1].status == 401
    # The stylesheet is the page's only resource, and it applied (the header is the brand colour).
    page.goto(base + "/packages")
    colour = page.eval_on_selector("header", "e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(47, 107, 79)", colour
    # The printable manifest keeps its own inline style, allowed by its hash alone.
    page.goto(base + "/transfers")
    page.click("#transfers tbody tr >> nth=0 >> a")
    href = page.locator("#manifest-pdf").evaluate("a => a.href").replace(".pdf", ".html")
    resp = page.goto(href)
    csp = resp.headers["content-security-policy"]
    assert re.search(r"style-src 'self' 'sha256-[A-Za-z0-9+/=]+'", csp), csp
    assert page.eval_on_selector("h1", "e => getComputedStyle(e).textTransform") is not None
