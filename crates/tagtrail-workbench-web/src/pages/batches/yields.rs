//! Yield over time (issue 11): every completed batch's yield — the weight of its outputs as a
//! share of its inputs' — against the day it was completed, one series per product (the item
//! of its output), with the same numbers as a table beneath.
//!
//! Drawn on the server as SVG by `plotters` with only its SVG backend, as the ledger's
//! dashboard draws its charts (`tagtrail-web`, `pages/dashboard/chart.rs`): no fonts or C
//! library, text left to the browser to set in the page's font, and the coordinate mapping
//! exposed so each point can carry its own hover title. Colours are SVG presentation attributes,
//! which the style policy (`style-src 'self'`) allows; nothing is a `style` attribute.
//!
//! The drawing is one image to assistive technology (`role="img"`, named by its `<title>` and
//! summarised by its `<desc>`); the table carries every number and links to each batch, for
//! screen readers, keyboards and a phone's narrow screen.

use super::Lic;
use crate::page::when;
use chrono::{DateTime, NaiveDate};
use maud::{Markup, PreEscaped, html};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::collections::BTreeMap;
use tagtrail_web::Zone;
use tagtrail_workbench::batches::YieldPoint;

/// The drawing's width in its own units; it scales to its box (CSS), so this sets the text's
/// size relative to the plot — narrow enough that the labels stay legible on a phone.
const WIDTH: u32 = 400;
/// The plot's own height, axes included; the legend's rows go beneath it.
const PLOT_H: u32 = 240;
const LEGEND_ROW: u32 = 24;
/// Font size as plotters takes it (it draws at size / 1.24).
const FONT: f64 = 19.0;
const FAMILY: &str = "system-ui, sans-serif";
const INK: RGBColor = RGBColor(0x1d, 0x2a, 0x22);
const GRID: RGBColor = RGBColor(0xe1, 0xe8, 0xe4);
const AXIS: RGBColor = RGBColor(0x56, 0x66, 0x5c);
/// Out of tolerance: the stylesheet's `--bad`, as a ring, so it reads without colour too
/// (hollow against filled).
const BAD: RGBColor = RGBColor(0xa3, 0x28, 0x1a);
/// One colour per product, in the order products first appear: distinct from one another and
/// from the out-of-tolerance red; after eight they repeat (the legend still names each).
const PALETTE: [RGBColor; 8] = [
    RGBColor(0x1d, 0x4f, 0x91),
    RGBColor(0xb8, 0x6e, 0x0c),
    RGBColor(0x2f, 0x6b, 0x4f),
    RGBColor(0x5b, 0x2d, 0x86),
    RGBColor(0x0e, 0x74, 0x90),
    RGBColor(0xa0, 0x52, 0x7a),
    RGBColor(0x56, 0x66, 0x5c),
    RGBColor(0x7a, 0x6a, 0x00),
];
/// The longest product name drawn in full in the legend; the table has them whole.
const LABEL_MAX: usize = 28;
/// Rows in the table: the most recent batches (the chart draws them all).
const TABLE_ROWS: usize = 12;

fn short(label: &str) -> String {
    if label.chars().count() <= LABEL_MAX {
        return label.to_string();
    }
    let cut: String = label.chars().take(LABEL_MAX - 1).collect();
    format!("{}…", cut.trim_end())
}

/// "97.5 %": two decimals at most, as the balance computes it, without trailing zeros.
fn percent(p: Decimal) -> String {
    format!("{} %", p.round_dp(2).normalize())
}

/// A product's name, or words for a batch whose output names none.
fn product_name(p: &YieldPoint) -> &str {
    if p.product.trim().is_empty() {
        "(no output item)"
    } else {
        &p.product
    }
}

/// A completion time as days since 1970 on the facility's wall clock, so whole numbers fall
/// on the facility's midnights.
fn local_days(zone: &Zone, p: &YieldPoint) -> f64 {
    let local = p.ran_at.with_timezone(&zone.0).naive_local();
    local.and_utc().timestamp() as f64 / 86_400.0
}

/// The facility's calendar day `days` falls on.
fn day_of(days: f64) -> Option<NaiveDate> {
    DateTime::from_timestamp((days.floor() * 86_400.0) as i64, 0).map(|t| t.date_naive())
}

fn date_words(zone: &Zone, p: &YieldPoint) -> String {
    p.ran_at
        .with_timezone(&zone.0)
        .format("%b %-d, %Y")
        .to_string()
}

/// The products in the order they first appear (oldest batch first), each with its colour.
fn products(points: &[YieldPoint]) -> Vec<(&str, RGBColor)> {
    let mut out: Vec<(&str, RGBColor)> = vec![];
    for p in points {
        let name = product_name(p);
        if !out.iter().any(|(n, _)| *n == name) {
            out.push((name, PALETTE[out.len() % PALETTE.len()]));
        }
    }
    out
}

/// The x axis: the range in days, and a tick at midday of each labelled day, at most about
/// six of them, so a label names the day its points lie in.
fn x_axis(points: &[(f64, f64)]) -> (f64, f64, Vec<f64>) {
    let first = points.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
    let last = points.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
    let (start, end) = (first.floor(), last.floor() + 1.0);
    let pad = ((end - start) / 20.0).max(1.0);
    let (lo, hi) = (start - pad, end + pad);
    let span = hi - lo;
    let step = [1.0, 2.0, 7.0, 14.0, 30.0, 61.0, 91.0, 182.0, 365.0]
        .into_iter()
        .find(|s| span / s <= 6.0)
        .unwrap_or((span / 6.0).ceil());
    let mut keys = vec![];
    let mut d = lo.ceil();
    while d + 0.5 < hi {
        keys.push(d + 0.5);
        d += step;
    }
    (lo, hi, keys)
}

/// The y axis in percent: the yields with room above and below, on multiples of five.
fn y_axis(points: &[(f64, f64)]) -> (f64, f64) {
    let min = points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let max = points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    let lo = (((min - 2.0) / 5.0).floor() * 5.0).max(0.0);
    let hi = (((max + 2.0) / 5.0).ceil() * 5.0).max(lo + 10.0);
    (lo, hi)
}

/// What the chart shows, in a sentence per product: its `<desc>`.
fn summary(zone: &Zone, points: &[YieldPoint]) -> String {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return String::new();
    };
    let mut by: BTreeMap<&str, Vec<&YieldPoint>> = BTreeMap::new();
    for p in points {
        by.entry(product_name(p)).or_default().push(p);
    }
    let mut s = format!(
        "{} completed {} from {} to {}.",
        points.len(),
        if points.len() == 1 {
            "batch"
        } else {
            "batches"
        },
        date_words(zone, first),
        date_words(zone, last)
    );
    for (name, ps) in &by {
        let lo = ps.iter().map(|p| p.yield_percent).min().unwrap_or_default();
        let hi = ps.iter().map(|p| p.yield_percent).max().unwrap_or_default();
        let latest = ps.last().map(|p| p.yield_percent).unwrap_or_default();
        s.push_str(&format!(
            " {name}: {} {}, yield from {} to {}, latest {}.",
            ps.len(),
            if ps.len() == 1 { "batch" } else { "batches" },
            percent(lo),
            percent(hi),
            percent(latest)
        ));
    }
    let out = points.iter().filter(|p| !p.within_tolerance).count();
    s.push_str(&match out {
        0 => " Every batch balanced within its tolerance.".to_string(),
        1 => " 1 batch was out of tolerance (a hollow red ring).".to_string(),
        n => format!(" {n} batches were out of tolerance (hollow red rings)."),
    });
    s
}

/// Where each point was drawn, in pixels, with its hover words.
type Spot = (i32, i32, String);

/// The drawing, or nothing when there is nothing to draw (or, which the String backend does
/// not do, drawing fails: the table still has the numbers).
fn draw(zone: &Zone, points: &[YieldPoint]) -> Option<String> {
    if points.is_empty() {
        return None;
    }
    let xy: Vec<(f64, f64)> = points
        .iter()
        .map(|p| {
            (
                local_days(zone, p),
                p.yield_percent.to_f64().unwrap_or_default(),
            )
        })
        .collect();
    let (x0, x1, keys) = x_axis(&xy);
    let (y0, y1) = y_axis(&xy);
    let years_differ = day_of(x0).map(|d| d.format("%Y").to_string())
        != day_of(x1).map(|d| d.format("%Y").to_string());
    let products = products(points);
    let any_out = points.iter().any(|p| !p.within_tolerance);
    // The ring's key only when a ring is drawn: the summary says when every batch balanced.
    let legend_rows = products.len() as u32 + u32::from(any_out);
    let height = PLOT_H + legend_rows * LEGEND_ROW + 6;
    let text = TextStyle::from((FAMILY, FONT).into_font()).color(&INK);
    let small = TextStyle::from((FAMILY, FONT * 0.9).into_font()).color(&AXIS);
    let mut out = String::new();
    let mut spots: Vec<Spot> = Vec::with_capacity(points.len());
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, height)).into_drawing_area();
        let (plot, legend) = root.split_vertically(PLOT_H);
        let mut chart = ChartBuilder::on(&plot)
            .margin_top(10)
            .margin_right(16)
            .x_label_area_size(30)
            .y_label_area_size(52)
            .build_cartesian_2d(x0..x1, y0..y1)
            .ok()?;
        // plotters picks round numbers for an f64 axis, not days: the days are drawn here, a
        // grid line and a label at each key's midday.
        let day_label = |v: f64| {
            day_of(v)
                .map(|d| {
                    if years_differ {
                        d.format("%b %-d, %y").to_string()
                    } else {
                        d.format("%b %-d").to_string()
                    }
                })
                .unwrap_or_default()
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_labels(6)
            .y_label_formatter(&|v| format!("{v:.0} %"))
            .y_label_style(small.clone())
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .axis_style(AXIS)
            .draw()
            .ok()?;
        let below = small.pos(Pos::new(HPos::Center, VPos::Top));
        for k in &keys {
            chart
                .draw_series([PathElement::new(vec![(*k, y0), (*k, y1)], GRID)])
                .ok()?;
            let (px, py) = chart.backend_coord(&(*k, y0));
            plot.draw(&Text::new(day_label(*k), (px, py + 8), below.clone()))
                .ok()?;
        }
        for (name, colour) in &products {
            let series: Vec<(f64, f64)> = points
                .iter()
                .zip(&xy)
                .filter(|(p, _)| product_name(p) == *name)
                .map(|(_, xy)| *xy)
                .collect();
            // Oldest first already (the workbench orders by completion): the line runs in time.
            chart
                .draw_series([PathElement::new(series, colour.stroke_width(2))])
                .ok()?;
        }
        for (p, at) in points.iter().zip(&xy) {
            let colour = products
                .iter()
                .find(|(n, _)| *n == product_name(p))
                .map(|(_, c)| *c)
                .unwrap_or(INK);
            if p.within_tolerance {
                chart
                    .draw_series([Circle::new(*at, 5, colour.filled())])
                    .ok()?;
            } else {
                chart
                    .draw_series([
                        Circle::new(*at, 7, WHITE.filled()),
                        Circle::new(*at, 6, BAD.stroke_width(3)),
                    ])
                    .ok()?;
            }
            let (px, py) = chart.backend_coord(at);
            spots.push((
                px,
                py,
                format!(
                    "{}: {}, {} on {}{}",
                    p.name,
                    product_name(p),
                    percent(p.yield_percent),
                    date_words(zone, p),
                    if p.within_tolerance {
                        ""
                    } else {
                        ", out of tolerance"
                    }
                ),
            ));
        }
        // The legend beneath the plot, a row per product and one for the ring, so long names
        // never sit over the points.
        let left = text.pos(Pos::new(HPos::Left, VPos::Center));
        let row_y = |i: u32| (i * LEGEND_ROW + LEGEND_ROW / 2 + 2) as i32;
        for (i, (name, colour)) in products.iter().enumerate() {
            let y = row_y(i as u32);
            legend
                .draw(&PathElement::new(
                    vec![(56, y), (80, y)],
                    colour.stroke_width(2),
                ))
                .ok()?;
            legend
                .draw(&Circle::new((68, y), 5, colour.filled()))
                .ok()?;
            legend
                .draw(&Text::new(short(name), (90, y), left.clone()))
                .ok()?;
        }
        if any_out {
            let y = row_y(products.len() as u32);
            legend
                .draw(&Circle::new((68, y), 6, BAD.stroke_width(3)))
                .ok()?;
            legend
                .draw(&Text::new(
                    "out of tolerance".to_string(),
                    (90, y),
                    left.clone(),
                ))
                .ok()?;
        }
        root.present().ok()?;
    }
    Some(labelled(&out, zone, points, &spots))
}

/// The drawing named and summarised for assistive technology, with a hover title over each
/// point for the mouse.
fn labelled(svg: &str, zone: &Zone, points: &[YieldPoint], spots: &[Spot]) -> String {
    let head = html! {
        title id="yield-title" { "Yield per batch over time, by product" }
        desc id="yield-desc" { (summary(zone, points)) }
    }
    .into_string();
    let hits = html! {
        @for (x, y, words) in spots {
            circle.hit cx=(x) cy=(y) r="9" fill="transparent" { title { (words) } }
        }
    }
    .into_string();
    let end = svg.rfind("</svg>").unwrap_or(svg.len());
    let body = &svg[..end];
    // The opening tag ends at its first '>': the title and desc go first inside it.
    let open_end = body.find('>').map_or(body.len(), |i| i + 1);
    let opened = body[..open_end].replacen(
        "<svg ",
        "<svg class=\"ychart\" role=\"img\" aria-labelledby=\"yield-title\" aria-describedby=\"yield-desc\" ",
        1,
    );
    format!("{opened}{head}{}{hits}</svg>", &body[open_end..])
}

/// The "Yield over time" card of the batch board.
pub fn card(l: &Lic, zone: &Zone, points: &[YieldPoint]) -> Markup {
    let recent: Vec<&YieldPoint> = points.iter().rev().take(TABLE_ROWS).collect();
    html! {
        section.card.yields aria-labelledby="yields-h" {
            h2 #yields-h { "Yield over time" }
            @if points.is_empty() {
                p.muted { "No batch has been completed yet: each completed batch's yield (the weight of its outputs as a share of its inputs') will be drawn here by product." }
            } @else {
                div.ygrid {
                    figure.ychart {
                        @if let Some(svg) = draw(zone, points) { (PreEscaped(svg)) }
                        figcaption.muted { "Yield: the weight of a batch's outputs as a share of its inputs' weight, by the day it ran (its latest process step, facility time). A hollow red ring is a batch whose weights were out of tolerance." }
                    }
                    div.ytable {
                        table.yields {
                            caption.sr { "Yield per completed batch, most recent first" }
                            thead { tr { th scope="col" { "Batch" } th scope="col" { "Product" } th scope="col" { "Ran" } th.num scope="col" { "Yield" } th scope="col" { "Within tolerance" } } }
                            tbody {
                                @for p in &recent {
                                    tr {
                                        th scope="row" data-label="Batch" { a href=(l.url(&format!("/batches/{}", p.batch_id))) { (p.name) } }
                                        td data-label="Product" { (product_name(p)) }
                                        td data-label="Ran" { (when(zone, p.ran_at)) }
                                        td.num data-label="Yield" { (percent(p.yield_percent)) }
                                        td data-label="Within tolerance" class=[(!p.within_tolerance).then_some("out")] {
                                            @if p.within_tolerance { "Yes" } @else { "No: out of tolerance" }
                                        }
                                    }
                                }
                            }
                        }
                        @if points.len() > recent.len() {
                            p.muted { "The " (recent.len()) " most recent of " (points.len()) " completed batches; the chart draws them all." }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tagtrail_workbench::model::batch::BatchType;

    fn point(id: i64, product: &str, at: &str, y: i64, within: bool) -> YieldPoint {
        YieldPoint {
            batch_id: id,
            name: format!("Batch {id}"),
            batch_type: BatchType::Packaging,
            product: product.into(),
            ran_at: DateTime::parse_from_rfc3339(at)
                .map(|t| t.to_utc())
                .unwrap_or_default(),
            yield_percent: Decimal::new(y, 1),
            within_tolerance: within,
        }
    }

    #[test]
    fn one_series_per_product_a_ring_when_out_and_a_summary() {
        let zone = Zone::default();
        let points = vec![
            point(1, "Blue Dream Vape 1g", "2026-06-01T18:00:00Z", 975, true),
            point(2, "Gummies <10 mg>", "2026-06-03T18:00:00Z", 880, false),
            point(3, "Blue Dream Vape 1g", "2026-06-05T18:00:00Z", 1000, true),
        ];
        let svg = draw(&zone, &points).unwrap_or_default();
        assert!(
            svg.starts_with("<svg class=\"ychart\" role=\"img\" aria-labelledby=\"yield-title\""),
            "{svg}"
        );
        assert_eq!(svg.matches("<svg").count(), 1);
        assert!(svg.trim_end().ends_with("</svg>"));
        // Two products, two colours; the red ring once on the plot and once in the legend.
        assert!(svg.contains("#1D4F91") && svg.contains("#B86E0C"), "{svg}");
        assert_eq!(svg.matches("stroke=\"#A3281A\"").count(), 2, "{svg}");
        // Names from outside are escaped, in the legend and in the summary.
        assert!(
            !svg.contains("<10 mg>") && svg.contains("&lt;10 mg&gt;"),
            "{svg}"
        );
        assert!(
            svg.contains("3 completed batches from Jun 1, 2026 to Jun 5, 2026.")
                && svg.contains(
                    "Blue Dream Vape 1g: 2 batches, yield from 97.5 % to 100 %, latest 100 %."
                )
                && svg.contains("1 batch was out of tolerance"),
            "{svg}"
        );
        // The days on the axis are the facility's.
        assert!(svg.contains("Jun 1") && svg.contains("Jun 5"), "{svg}");
        assert!(svg.contains("<title>Batch 2: Gummies &lt;10 mg&gt;, 88 % on Jun 3, 2026, out of tolerance</title>"), "{svg}");
    }

    #[test]
    fn nothing_to_draw_draws_nothing_and_one_day_still_has_a_range() {
        let zone = Zone::default();
        assert!(draw(&zone, &[]).is_none());
        let same_day = vec![
            point(1, "A", "2026-06-01T18:00:00Z", 960, true),
            point(2, "A", "2026-06-01T18:00:05Z", 1000, true),
        ];
        let svg = draw(&zone, &same_day).unwrap_or_default();
        assert!(svg.contains("Jun 1"), "{svg}");
        let (lo, hi, keys) = x_axis(&[(10.2, 90.0), (10.2, 95.0)]);
        assert!(
            lo < 10.2 && hi > 10.2 && !keys.is_empty(),
            "{lo} {hi} {keys:?}"
        );
        let (lo, hi) = y_axis(&[(0.0, 100.0)]);
        assert!(lo < 100.0 && hi > 100.0 && hi - lo >= 10.0);
    }

    #[test]
    fn a_year_of_batches_keeps_few_labels() {
        let xy: Vec<(f64, f64)> = (0..365).map(|d| (20_000.0 + d as f64, 95.0)).collect();
        let (_, _, keys) = x_axis(&xy);
        assert!(keys.len() <= 7 && keys.len() >= 3, "{keys:?}");
    }
}
