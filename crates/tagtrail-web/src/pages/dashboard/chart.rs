//! Horizontal bar charts drawn on the server as SVG by `plotters`, with only its SVG backend.
//!
//! Why plotters: with `default-features = false, features = ["svg_backend"]` it brings three
//! small pure-Rust crates (no font files, no system fonts, no C library), writes text as SVG
//! `<text>` so the browser sets it in the page's own font, and exposes its coordinate mapping,
//! which is what lets every bar be a link to the list it counts. (charts-rs, the other
//! candidate, embeds a 170 KB font to measure text, and its layout is internal, so its bars
//! cannot be made into links without redoing that layout.)
//!
//! Each chart is decoration for the eye: it is hidden from screen readers, and its links are
//! out of the tab order, because the table printed with every chart carries the same numbers
//! and the same links for keyboards, screen readers and people who prefer numbers.

use crate::status::Tone;
use maud::{Markup, PreEscaped, html};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One bar: what it counts, how many, its colour, and the list it links to.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: i64,
    pub colour: RGBColor,
    pub href: Option<String>,
}

/// The colour of a lab testing state's bars: the strong colour of its badge in `base.css`
/// (`--bad`, `--ok`, `--treat`, `--info`), and a plain grey for untested lots.
pub fn tone_colour(t: Tone) -> RGBColor {
    match t {
        Tone::Failed => RGBColor(0xa3, 0x28, 0x1a),
        Tone::Passed => RGBColor(0x1f, 0x6a, 0x3a),
        Tone::Treated => RGBColor(0x5b, 0x2d, 0x86),
        Tone::Testing => RGBColor(0x1d, 0x4f, 0x91),
        Tone::Untested => RGBColor(0x80, 0x80, 0x80),
    }
}

/// The site's accent (`--accent`), for counts that carry no state.
pub const ACCENT: RGBColor = RGBColor(0x2f, 0x6b, 0x4f);
/// Something on its way that needs doing (the hold banner's amber).
pub const PENDING: RGBColor = RGBColor(0xb8, 0x6e, 0x0c);
/// Something further off (`--info`, lightened).
pub const LATER: RGBColor = RGBColor(0x5b, 0x80, 0xb5);

/// The drawing's width; it scales to its box (CSS), so this sets the text's size relative to
/// the bars.
const WIDTH: u32 = 400;
/// Each bar's row, and the share of it the bar fills.
const ROW: u32 = 34;
const FILL: f64 = 0.64;
/// Font size as plotters takes it (it draws at size / 1.24: 15.3 units).
const FONT: f64 = 19.0;
const FAMILY: &str = "system-ui, sans-serif";
const INK: RGBColor = RGBColor(0x1d, 0x2a, 0x22);
const GRID: RGBColor = RGBColor(0xe1, 0xe8, 0xe4);
const AXIS: RGBColor = RGBColor(0x56, 0x66, 0x5c);
/// The longest label drawn in full; longer ones are cut with an ellipsis (the table beside the
/// chart has them whole).
const LABEL_MAX: usize = 22;

/// A label short enough for the chart.
fn short(label: &str) -> String {
    if label.chars().count() <= LABEL_MAX {
        return label.to_string();
    }
    let cut: String = label.chars().take(LABEL_MAX - 1).collect();
    format!("{}…", cut.trim_end())
}

/// The chart as inline SVG, or nothing when there is nothing to draw (or, which the String
/// backend does not do, drawing fails: the table still has the numbers).
pub fn bars(rows: &[Bar]) -> Option<Markup> {
    let svg = draw(rows)?;
    Some(html! { (PreEscaped(svg)) })
}

/// Where a row lies in the drawing, in pixels: top and bottom.
type Band = (i32, i32);

fn draw(rows: &[Bar]) -> Option<String> {
    if rows.is_empty() {
        return None;
    }
    let n = rows.len();
    let max = rows.iter().map(|r| r.value).max().unwrap_or(0).max(1);
    let longest = rows
        .iter()
        .map(|r| short(&r.label).chars().count())
        .max()
        .unwrap_or(0);
    // Estimated like plotters' own (no font is measured): about 0.56 em a character.
    let label_area = (longest as f64 * FONT * 0.45 + 14.0).clamp(60.0, 200.0) as u32;
    let value_room = (max.to_string().len() as f64 * FONT * 0.5 + 18.0) as u32;
    let height = ROW * n as u32 + 30;
    let text = TextStyle::from((FAMILY, FONT).into_font()).color(&INK);
    let small = TextStyle::from((FAMILY, FONT * 0.85).into_font()).color(&AXIS);
    let mut out = String::new();
    let mut bands: Vec<Band> = Vec::with_capacity(n);
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, height)).into_drawing_area();
        let top = n as f64;
        let mut chart = ChartBuilder::on(&root)
            .margin_top(4)
            .margin_left(4)
            .margin_right(value_room)
            .x_label_area_size(24)
            .y_label_area_size(label_area)
            .build_cartesian_2d(0i64..max, 0f64..top)
            .ok()?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .disable_y_axis()
            .x_labels(5)
            .x_label_formatter(&|v| v.to_string())
            .x_label_style(small.clone())
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .axis_style(AXIS)
            .draw()
            .ok()?;
        // Row 0 at the top: the y axis runs upwards.
        let y_of = |i: usize| top - i as f64;
        chart
            .draw_series(rows.iter().enumerate().map(|(i, r)| {
                let gap = (1.0 - FILL) / 2.0;
                Rectangle::new(
                    [(0, y_of(i) - gap), (r.value.max(0), y_of(i) - 1.0 + gap)],
                    r.colour.filled(),
                )
            }))
            .ok()?;
        for (i, r) in rows.iter().enumerate() {
            let (x0, top_px) = chart.backend_coord(&(0, y_of(i)));
            let (_, bottom_px) = chart.backend_coord(&(0, y_of(i) - 1.0));
            let (x1, mid) = chart.backend_coord(&(r.value.max(0), y_of(i) - 0.5));
            bands.push((top_px, bottom_px));
            let left = text.pos(Pos::new(HPos::Left, VPos::Center));
            let right = text.pos(Pos::new(HPos::Right, VPos::Center));
            root.draw(&Text::new(r.value.to_string(), (x1 + 6, mid), left))
                .ok()?;
            root.draw(&Text::new(short(&r.label), (x0 - 8, mid), right))
                .ok()?;
        }
        root.present().ok()?;
    }
    Some(linked(&out, rows, &bands))
}

/// The drawing with each row made a link (an invisible band over label and bar, titled with
/// the row's words), hidden from screen readers and the tab order.
fn linked(svg: &str, rows: &[Bar], bands: &[Band]) -> String {
    let links = html! {
        @for (r, (top, bottom)) in rows.iter().zip(bands) {
            @if let Some(href) = &r.href {
                a href=(href) tabindex="-1" {
                    title { (r.label) ": " (r.value) }
                    rect.hit x="0" y=(top) width=(WIDTH) height=((bottom - top).max(1)) fill="transparent" {}
                }
            }
        }
    }
    .into_string();
    let end = svg.rfind("</svg>").unwrap_or(svg.len());
    let opened = svg[..end].replacen(
        "<svg ",
        "<svg class=\"chart\" aria-hidden=\"true\" focusable=\"false\" ",
        1,
    );
    format!("{opened}{links}</svg>")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, value: i64, href: Option<&str>) -> Bar {
        Bar {
            label: label.into(),
            value,
            colour: ACCENT,
            href: href.map(str::to_string),
        }
    }

    #[test]
    fn every_bar_is_drawn_in_its_colour_and_linked() {
        let rows = vec![
            Bar {
                colour: tone_colour(Tone::Failed),
                ..bar("Test failed", 3, Some("/ui/l/X/packages?lab=TestFailed"))
            },
            Bar {
                colour: tone_colour(Tone::Passed),
                ..bar("Test passed", 12, Some("/ui/l/X/packages?lab=TestPassed"))
            },
            bar("No location recorded", 2, None),
        ];
        let svg = bars(&rows).map(Markup::into_string).unwrap_or_default();
        assert!(
            svg.starts_with("<svg class=\"chart\" aria-hidden=\"true\""),
            "{svg}"
        );
        assert!(svg.trim_end().ends_with("</svg>"), "{svg}");
        assert_eq!(svg.matches("<svg").count(), 1);
        assert!(svg.contains("#A3281A") && svg.contains("#1F6A3A"), "{svg}");
        // Links are escaped as attributes, out of the tab order, one per linked row.
        assert!(svg.contains("href=\"/ui/l/X/packages?lab=TestFailed\" tabindex=\"-1\""));
        assert_eq!(svg.matches("<a ").count(), 2);
        assert!(svg.contains("<title>Test passed: 12</title>"));
        // Labels and values are text the browser sets.
        assert!(
            svg.contains("No location recorded") && svg.contains(">\n12\n<"),
            "{svg}"
        );
    }

    #[test]
    fn the_longest_bar_is_the_largest_count_and_rows_run_top_down() {
        let svg = draw(&[bar("A", 1, None), bar("B", 10, None)]).unwrap_or_default();
        let rects: Vec<(i32, i32)> = svg
            .match_indices("<rect x=")
            .filter_map(|(i, _)| {
                let tail = &svg[i..];
                let num = |key: &str| -> Option<i32> {
                    let s = tail.split(key).nth(1)?;
                    s.trim_start_matches('"').split('"').next()?.parse().ok()
                };
                Some((num("y=")?, num("width=")?))
            })
            .collect();
        assert_eq!(rects.len(), 2, "{svg}");
        assert!(rects[0].0 < rects[1].0, "row 0 is above row 1: {rects:?}");
        assert!(
            rects[1].1 > rects[0].1 * 5,
            "10 is drawn longer than 1: {rects:?}"
        );
    }

    #[test]
    fn text_from_the_ledger_is_escaped_and_long_names_cut() {
        let name = "Vault <b>&amp; \"cage\" with a very long name indeed";
        let svg = draw(&[bar(name, 4, Some("/x?location=a&b"))]).unwrap_or_default();
        assert!(!svg.contains("<b>"), "{svg}");
        assert!(svg.contains("&lt;b&gt;"), "{svg}");
        assert!(svg.contains("/x?location=a&amp;b"), "{svg}");
        assert!(svg.contains('…'));
        assert_eq!(short("Receiving Dock"), "Receiving Dock");
    }

    #[test]
    fn nothing_to_draw_draws_nothing_and_zero_is_a_row() {
        assert!(bars(&[]).is_none());
        let svg = draw(&[bar("On order", 0, None)]).unwrap_or_default();
        assert!(svg.contains("On order") && svg.contains(">\n0\n<"), "{svg}");
    }

    /// The bars of a lab testing state match its badge (status.rs, base.css): failed red,
    /// passed green, remediated purple, testing blue, untested grey.
    #[test]
    fn lab_state_colours_are_the_badges_colours() {
        let css = include_str!("../../css/base.css").to_lowercase();
        let hex = |c: RGBColor| format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2);
        for (tone, var) in [
            (Tone::Failed, "--bad:"),
            (Tone::Passed, "--ok:"),
            (Tone::Treated, "--treat:"),
            (Tone::Testing, "--info:"),
        ] {
            let want = format!("{var}{}", hex(tone_colour(tone)));
            assert!(css.contains(&want), "base.css has {want}");
        }
        let RGBColor(r, g, b) = tone_colour(Tone::Untested);
        assert!(r == g && g == b, "untested is grey");
    }
}
