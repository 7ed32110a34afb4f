//! The parts the documents share, so a manifest and a certificate look like they come from the
//! same system: the title line, shaded section headings, "Label: value" fields two to a line,
//! and the running header of continuation pages.

use crate::pdf::{
    self, BLACK, Band, Cell, Fonts, LEFT, Op, Placed, RIGHT, SHADE, Span, WIDTH, bold, labelled,
};

// Type sizes and leading, in points. Body text is 9 pt: a manifest of 200 packages stays
// readable at about 12 packages to a page.
pub const TITLE: f32 = 18.0;
/// The document's number beside the title.
pub const NUMBER: f32 = 12.0;
pub const HEADING: f32 = 8.5;
pub const HEADING_BAR: f32 = 15.0;
pub const BODY: f32 = 9.0;
pub const BODY_LEAD: f32 = 12.0;
pub const SMALL: f32 = 7.5;
pub const SMALL_LEAD: f32 = 10.0;
pub const CAPTION: f32 = 7.0;
/// Text inside a section sits this far in from the heading bar's edges.
pub const PAD: f32 = 4.0;
/// Between two label and value pairs on one line, and between columns.
pub const GAP: f32 = 16.0;
/// Continuation lines of a wrapped value start this far in (unless aligned with the value).
pub const HANG: f32 = 10.0;
/// Between sections.
pub const SECTION_SPACE: f32 = 8.0;

/// The first line of the spans across the text width from `x`: for one-line furniture that
/// names the document but does not carry its content, so cutting an overlong one loses nothing.
pub fn first_line(fonts: &Fonts, spans: &[Span], size: f32, x: f32) -> Vec<Placed> {
    pdf::wrap(fonts, spans, size, RIGHT - x, 0.0)
        .into_iter()
        .next()
        .unwrap_or_default()
}

/// The title in large bold type with `number` (the document's identifier) at the right, on the
/// same baseline, and a heavy rule beneath. A number too long to share the line goes beneath.
pub fn title(fonts: &Fonts, title: &str, number: &str) -> Vec<Band> {
    let title_w = fonts.width(title, true, TITLE);
    let number_w = fonts.width(number, true, NUMBER);
    let mut band = Band::empty(28.0);
    let baseline = fonts.baseline(TITLE, band.height);
    band.ops.push(Op::Text {
        x: LEFT,
        baseline,
        size: TITLE,
        bold: true,
        color: BLACK,
        text: title.into(),
    });
    let mut bands = Vec::new();
    if LEFT + title_w + GAP + number_w <= RIGHT {
        band.ops.push(Op::Text {
            x: RIGHT - number_w,
            baseline,
            size: NUMBER,
            bold: true,
            color: BLACK,
            text: number.into(),
        });
        bands.push(band);
    } else {
        bands.push(band);
        bands.extend(pdf::paragraph(
            fonts,
            vec![bold(number)],
            LEFT,
            WIDTH,
            NUMBER,
            NUMBER * 1.35,
            HANG,
        ));
    }
    bands.push(pdf::rule_band(6.0, 1.5, BLACK));
    bands
}

/// Atop every page after the first: which document the page belongs to (left) and a notice or
/// reference (right), over a rule. Two lines when they do not fit on one.
pub fn running_header(fonts: &Fonts, left: &str, right: Span) -> Vec<Band> {
    let size = BODY;
    let left = [bold(left)];
    let left_w = fonts.width(&left[0].text, true, size);
    let right_w = fonts.width(&right.text, right.bold, size);
    let mut bands = Vec::new();
    let mut band = Band::empty(16.0);
    band.text(fonts, LEFT, size, first_line(fonts, &left, size, LEFT));
    if LEFT + left_w + GAP + right_w <= RIGHT {
        let x = RIGHT - right_w;
        band.text(fonts, x, size, first_line(fonts, &[right], size, x));
        bands.push(band);
    } else {
        bands.push(band);
        let mut second = Band::empty(14.0);
        second.text(fonts, LEFT, size, first_line(fonts, &[right], size, LEFT));
        bands.push(second);
    }
    bands.push(pdf::rule_band(8.0, 0.8, BLACK));
    bands
}

/// A section heading on a shaded bar across the page.
pub fn heading(fonts: &Fonts, title: &str) -> Band {
    let mut band = Band::empty(HEADING_BAR);
    band.ops.push(Op::Rect {
        x: LEFT,
        y: 0.0,
        w: WIDTH,
        h: HEADING_BAR,
        fill: Some(SHADE),
        stroke: None,
    });
    let x = LEFT + PAD;
    let line = pdf::wrap(fonts, &[bold(title)], HEADING, WIDTH - 2.0 * PAD, 0.0)
        .into_iter()
        .next()
        .unwrap_or_default();
    band.text(fonts, x, HEADING, line);
    band
}

/// One line of text from `x`, cut at the margin: for short fixed text such as "No packages.".
pub fn text_line(fonts: &Fonts, x: f32, spans: &[Span]) -> Band {
    let mut band = Band::empty(BODY_LEAD);
    band.text(fonts, x, BODY, first_line(fonts, spans, BODY, x));
    band
}

/// A field as a cell: "Label: value", with a wrapped value's continuation lines aligned under
/// the value when the label is short, else indented a little.
pub fn field_cell(fonts: &Fonts, label: &str, value: &str, x: f32, width: f32) -> Cell {
    let spans = labelled(label, value);
    let label_w = fonts.width(&spans[0].text, true, BODY);
    Cell {
        x,
        width,
        hang: if label_w <= width * 0.35 {
            label_w
        } else {
            HANG
        },
        spans,
    }
}

/// Fields two to a line, in order; a field too long for half the width gets a whole line, so
/// it wraps as little as possible.
pub fn field_grid(fonts: &Fonts, fields: &[(&str, &str)]) -> Vec<Band> {
    let x = LEFT + PAD;
    let width = WIDTH - 2.0 * PAD;
    let half = (width - GAP) / 2.0;
    let natural = |(label, value): (&str, &str)| {
        fonts.width(&format!("{label}: "), true, BODY) + fonts.width(value, false, BODY)
    };
    let row = |cells: Vec<Cell>| pdf::columns(fonts, cells, BODY, BODY_LEAD);
    let mut bands = Vec::new();
    let mut pending: Option<(&str, &str)> = None;
    for &(label, value) in fields {
        if natural((label, value)) <= half {
            match pending.take() {
                Some((l, v)) => bands.extend(row(vec![
                    field_cell(fonts, l, v, x, half),
                    field_cell(fonts, label, value, x + half + GAP, half),
                ])),
                None => pending = Some((label, value)),
            }
        } else {
            if let Some((l, v)) = pending.take() {
                bands.extend(row(vec![field_cell(fonts, l, v, x, half)]));
            }
            bands.extend(row(vec![field_cell(fonts, label, value, x, width)]));
        }
    }
    if let Some((l, v)) = pending {
        bands.extend(row(vec![field_cell(fonts, l, v, x, half)]));
    }
    bands
}

/// A titled section: heading bar, then the fields. One block, so it is not split from its
/// heading unless it is longer than a page.
pub fn section(fonts: &Fonts, title: &str, fields: &[(&str, &str)]) -> Vec<Band> {
    let mut bands = vec![heading(fonts, title), Band::empty(3.0)];
    bands.extend(field_grid(fonts, fields));
    bands
}
