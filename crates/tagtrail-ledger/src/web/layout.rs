//! Page frame and small shared pieces.

use maud::{DOCTYPE, Markup, html};

const STYLE: &str = r#"
:root{--ink:#1d2a22;--muted:#5b6b61;--line:#d9e2dc;--accent:#2f6b4f;--bad:#a23b2a;--bg:#f6f8f7}
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;color:var(--ink);background:var(--bg)}
header{background:var(--accent);color:#fff;padding:.6rem 1.2rem;display:flex;gap:1.2rem;align-items:center;flex-wrap:wrap}
header a{color:#fff;text-decoration:none}header .brand{font-weight:700;letter-spacing:.02em}
header form{margin-left:auto}header .muted{color:#e8f1ec}header button{background:transparent;color:#fff;border:1px solid #fff8;border-radius:4px;padding:.2rem .6rem;cursor:pointer}
nav.sub{display:flex;gap:.8rem;padding:.5rem 1.2rem;background:#fff;border-bottom:1px solid var(--line);flex-wrap:wrap}
nav.sub a{color:var(--accent);text-decoration:none}nav.sub a.on{font-weight:700;text-decoration:underline}
main{padding:1rem 1.2rem;max-width:1200px}h1{font-size:1.3rem;margin:.4rem 0 1rem}h2{font-size:1.05rem;margin:1.4rem 0 .5rem}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid var(--line)}th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid var(--line);vertical-align:top}
th{background:#eef3f0;font-weight:600}td.mono,.mono{font-family:ui-monospace,Menlo,monospace;font-size:.85em}
.muted{color:var(--muted)}.pill{display:inline-block;padding:0 .45rem;border-radius:9px;background:#e3efe8;font-size:.85em}
.pill.warn{background:#fbe9d0}.pill.off{background:#eee}.flash{padding:.6rem .8rem;border-radius:4px;margin-bottom:1rem;background:#e3efe8}
.flash.error{background:#f7dcd7;color:var(--bad)}form.inline{display:inline}
input,button,select{font:inherit}input[type=text],input[type=password]{padding:.35rem .5rem;border:1px solid var(--line);border-radius:4px}
button.act{background:var(--accent);color:#fff;border:0;border-radius:4px;padding:.3rem .7rem;cursor:pointer}
.card{background:#fff;border:1px solid var(--line);border-radius:6px;padding:1rem;margin-bottom:1rem}
.login{max-width:360px;margin:4rem auto}.login label{display:block;margin:.6rem 0 .2rem}.login input{width:100%}
"#;

pub struct Nav<'a> {
    pub license: Option<&'a str>,
    pub licenses: &'a [(String, String)],
    pub active: &'a str,
    pub username: &'a str,
}

pub fn page(title: &str, nav: Option<Nav<'_>>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · tagtrail" }
                style { (maud::PreEscaped(STYLE)) }
            }
            body {
                header {
                    a.brand href="/ui" { "tagtrail" }
                    @if let Some(n) = &nav {
                        @for (lic, name) in n.licenses {
                            a href={ "/ui/l/" (lic) "/packages" } title=(name) {
                                @if Some(lic.as_str()) == n.license { strong { (lic) } } @else { (lic) }
                            }
                        }
                        form method="post" action="/ui/logout" { span.muted { (n.username) " " } button type="submit" { "Sign out" } }
                    }
                }
                @if let Some(n) = &nav {
                    @if let Some(lic) = n.license {
                        nav.sub {
                            @for (slug, label) in [("packages", "Packages"), ("transfers", "Transfers"), ("labsamples", "Lab samples"), ("items", "Items"), ("strains", "Strains"), ("locations", "Locations"), ("tags", "Tags"), ("employees", "Employees"), ("journal", "Journal")] {
                                a class=@if n.active == slug { "on" } href={ "/ui/l/" (lic) "/" (slug) } { (label) }
                            }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

pub fn flash(msg: Option<&str>, error: bool) -> Markup {
    html! {
        @if let Some(m) = msg {
            div class=@if error { "flash error" } @else { "flash" } role="status" { (m) }
        }
    }
}

pub fn yes_no(b: bool) -> Markup {
    html! { @if b { span.pill { "yes" } } @else { span.pill.off { "no" } } }
}
