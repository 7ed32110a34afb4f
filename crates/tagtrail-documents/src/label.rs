//! A package label, 4 × 2 inches, as a PDF for label printers: the UID as a Code 128 barcode
//! (what handheld scanners read) and in text, a QR code of the package's address (what a phone
//! camera opens), the item, the quantity, who packaged it and when (bulletin I: Packaged By),
//! and the lab testing state.
//!
//! The bars and modules come from the same crates as the web page's SVG (`barcoders`,
//! `qrcode`) and are drawn as filled rectangles, so the PDF needs no image and prints sharp at
//! any resolution.

use crate::pdf::{self, BLACK, DocumentError, GRAY, Op, RED, regular};
use barcoders::sym::code128::Code128;
use qrcode::QrCode;

/// The label's size in points: 4 × 2 inches.
pub const LABEL_WIDTH: f32 = 288.0;
pub const LABEL_HEIGHT: f32 = 144.0;
const MARGIN: f32 = 8.0;
/// Code 128 wants ten modules of white either side; the margin and this inset give it that.
const BAR_INSET: f32 = 6.0;
const BAR_TOP: f32 = 7.0;
const BAR_HEIGHT: f32 = 36.0;
const QR_SIZE: f32 = 80.0;

/// What a package label says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// The package's tag UID.
    pub uid: String,
    pub item: String,
    /// The quantity and its unit, as printed (`198 Each`).
    pub quantity: String,
    pub packaged_by_license: String,
    pub packaged_by_name: String,
    /// The packaged date as people read it (`May 1, 2026`).
    pub packaged_date: String,
    /// The lab testing state in words (`Test passed`).
    pub lab_state: String,
    /// Whether the lot failed its tests: its state prints in red and says it is not for sale.
    pub failed: bool,
    /// What the QR code holds: the package's address on the ledger's site.
    pub address: String,
}

/// The label's Code 128 modules (1 = bar), character set B as the web page's barcode.
pub fn code128_modules(text: &str) -> Result<Vec<u8>, DocumentError> {
    if text.is_empty() || !text.chars().all(|c| c.is_ascii_graphic() || c == ' ') {
        return Err(DocumentError::new(format!(
            "{text:?} cannot be drawn as a Code 128 barcode"
        )));
    }
    Code128::new(format!("\u{0181}{text}"))
        .map(|c| c.encode())
        .map_err(|e| DocumentError::new(e.to_string()))
}

/// Filled rectangles for each run of bars, `module` points wide each, from `x`.
fn bar_ops(modules: &[u8], x: f32, y: f32, module: f32, height: f32) -> Vec<Op> {
    let mut ops = vec![];
    let mut i = 0;
    while i < modules.len() {
        if modules[i] == 1 {
            let start = i;
            while i < modules.len() && modules[i] == 1 {
                i += 1;
            }
            ops.push(Op::Rect {
                x: x + start as f32 * module,
                y,
                w: (i - start) as f32 * module,
                h: height,
                fill: Some(BLACK),
                stroke: None,
            });
        } else {
            i += 1;
        }
    }
    ops
}

/// The QR code of `text` as filled rectangles (a row's dark run at a time), `size` points square
/// with a four-module quiet zone inside it.
fn qr_ops(text: &str, x: f32, y: f32, size: f32) -> Result<Vec<Op>, DocumentError> {
    let code = QrCode::new(text.as_bytes()).map_err(|e| DocumentError::new(e.to_string()))?;
    let n = code.width();
    let colors = code.to_colors();
    let module = size / (n + 8) as f32;
    let (x0, y0) = (x + 4.0 * module, y + 4.0 * module);
    let mut ops = vec![];
    for row in 0..n {
        let dark = |col: usize| colors.get(row * n + col) == Some(&qrcode::Color::Dark);
        let mut col = 0;
        while col < n {
            if dark(col) {
                let start = col;
                while col < n && dark(col) {
                    col += 1;
                }
                ops.push(Op::Rect {
                    x: x0 + start as f32 * module,
                    y: y0 + row as f32 * module,
                    w: (col - start) as f32 * module,
                    // A hair taller, so rows meet without a white seam in any viewer.
                    h: module + 0.05,
                    fill: Some(BLACK),
                    stroke: None,
                });
            } else {
                col += 1;
            }
        }
    }
    Ok(ops)
}

/// Text in one line of at most `width` points: the first line the layout would wrap to, so a
/// long name is cut at a word rather than printed over the QR code.
fn line(
    fonts: &pdf::Fonts,
    text: &str,
    (x, baseline): (f32, f32),
    size: f32,
    bold: bool,
    width: f32,
) -> Vec<Op> {
    let mut span = regular(text);
    span.bold = bold;
    pdf::wrap(fonts, &[span], size, width, 0.0)
        .into_iter()
        .next()
        .unwrap_or_default()
        .into_iter()
        .map(|r| Op::Text {
            x: x + r.dx,
            baseline,
            size,
            bold,
            color: BLACK,
            text: r.text,
        })
        .collect()
}

/// The label's drawing, in points from its top left.
pub fn label_ops(l: &Label) -> Result<Vec<Op>, DocumentError> {
    let fonts = pdf::fonts()?;
    let mut ops = vec![];
    let modules = code128_modules(&l.uid)?;
    let bars_width = LABEL_WIDTH - 2.0 * (MARGIN + BAR_INSET);
    let module = bars_width / modules.len().max(1) as f32;
    ops.extend(bar_ops(
        &modules,
        MARGIN + BAR_INSET,
        BAR_TOP,
        module,
        BAR_HEIGHT,
    ));
    let uid_size = 9.0;
    let uid_w = fonts.width(&l.uid, true, uid_size);
    ops.push(Op::Text {
        x: (LABEL_WIDTH - uid_w) / 2.0,
        baseline: BAR_TOP + BAR_HEIGHT + 10.0,
        size: uid_size,
        bold: true,
        color: BLACK,
        text: l.uid.clone(),
    });
    let qr_x = LABEL_WIDTH - MARGIN - QR_SIZE;
    let qr_y = LABEL_HEIGHT - MARGIN - QR_SIZE + 4.0;
    ops.extend(qr_ops(&l.address, qr_x, qr_y, QR_SIZE)?);
    let width = qr_x - MARGIN - 4.0;
    let x = MARGIN + 2.0;
    // The item may take two lines; the rest one each.
    let mut item_lines = pdf::wrap(fonts, &[pdf::bold(&l.item)], 10.0, width, 0.0).into_iter();
    let mut y = 68.0;
    for _ in 0..2 {
        if let Some(runs) = item_lines.next() {
            for r in runs {
                ops.push(Op::Text {
                    x: x + r.dx,
                    baseline: y,
                    size: 10.0,
                    bold: true,
                    color: BLACK,
                    text: r.text,
                });
            }
            y += 12.0;
        }
    }
    ops.extend(line(fonts, &l.quantity, (x, y + 2.0), 11.0, true, width));
    y += 15.0;
    let by = format!("Packaged by {}", l.packaged_by_license);
    ops.extend(line(fonts, &by, (x, y), 7.0, false, width));
    ops.extend(line(
        fonts,
        &l.packaged_by_name,
        (x, y + 8.5),
        7.0,
        false,
        width,
    ));
    ops.extend(line(
        fonts,
        &format!("Packaged {}", l.packaged_date),
        (x, y + 17.0),
        7.0,
        false,
        width,
    ));
    let lab = if l.failed {
        format!("Lab: {} · NOT FOR SALE", l.lab_state)
    } else {
        format!("Lab: {}", l.lab_state)
    };
    for mut op in line(fonts, &lab, (x, y + 27.5), 8.0, true, width) {
        if let Op::Text { color, .. } = &mut op {
            *color = if l.failed { RED } else { BLACK };
        }
        ops.push(op);
    }
    // A hairline under the bars' text, as on Metrc-style labels, separates the scan from the
    // reading.
    ops.push(Op::Line {
        x1: MARGIN,
        y1: BAR_TOP + BAR_HEIGHT + 13.5,
        x2: LABEL_WIDTH - MARGIN,
        y2: BAR_TOP + BAR_HEIGHT + 13.5,
        width: 0.4,
        color: GRAY,
    });
    Ok(ops)
}

/// The label as a one-page PDF, 4 × 2 inches.
pub fn label_pdf(l: &Label) -> Result<Vec<u8>, DocumentError> {
    let fonts = pdf::fonts()?;
    pdf::render_page(
        fonts,
        &format!("Package label {}", l.uid),
        LABEL_WIDTH,
        LABEL_HEIGHT,
        label_ops(l)?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::testing::{flat, page_texts};

    fn label(failed: bool) -> Label {
        Label {
            uid: "1A4AE90C51F9E21000000001".into(),
            item: "Blue Dream Vape 1g, a name long enough to need two lines on the label".into(),
            quantity: "198 Each".into(),
            packaged_by_license: "CDPH-10003301".into(),
            packaged_by_name: "Golden State Kitchens".into(),
            packaged_date: "May 1, 2026".into(),
            lab_state: if failed { "Test failed" } else { "Test passed" }.into(),
            failed,
            address: "https://ledger.example/ui/packages/1A4AE90C51F9E21000000001".into(),
        }
    }

    #[test]
    fn a_label_is_one_4_by_2_inch_page_with_what_it_says() {
        let pdf = label_pdf(&label(false)).expect("a label renders");
        let doc = lopdf::Document::load_mem(&pdf).expect("a PDF");
        assert_eq!(doc.get_pages().len(), 1);
        let text = flat(&page_texts(&pdf).join(" "));
        for want in [
            "1A4AE90C51F9E21000000001",
            "198 Each",
            "Packaged by CDPH-10003301",
            "Golden State Kitchens",
            "Packaged May 1, 2026",
            "Lab: Test passed",
        ] {
            assert!(text.contains(want), "{want:?} not in {text:?}");
        }
        let failed = flat(&page_texts(&label_pdf(&label(true)).unwrap()).join(" "));
        assert!(failed.contains("NOT FOR SALE"), "{failed}");
    }

    #[test]
    fn everything_drawn_stays_on_the_label() {
        for op in label_ops(&label(true)).unwrap() {
            let (x0, y0, x1, y1) = match op {
                Op::Rect { x, y, w, h, .. } => (x, y, x + w, y + h),
                Op::Line { x1, y1, x2, y2, .. } => (x1, y1, x2, y2),
                Op::Text { x, baseline, .. } => (x, baseline, x, baseline),
            };
            assert!(x0 >= 0.0 && x1 <= LABEL_WIDTH, "{x0}..{x1}");
            assert!(y0 >= 0.0 && y1 <= LABEL_HEIGHT, "{y0}..{y1}");
        }
    }

    #[test]
    fn bars_are_the_code_128_modules_and_reject_what_it_cannot_carry() {
        let m = code128_modules("1A4AE90C51F9E21000000001").unwrap();
        // Start, 24 symbols and the check symbol at 11 modules each, and a 13-module stop.
        assert_eq!(m.len(), 26 * 11 + 13);
        let ops = bar_ops(&m, 0.0, 0.0, 1.0, 10.0);
        let dark: f32 = ops
            .iter()
            .map(|o| match o {
                Op::Rect { w, .. } => *w,
                _ => 0.0,
            })
            .sum();
        assert_eq!(dark as usize, m.iter().filter(|b| **b == 1).count());
        assert!(code128_modules("Peña").is_err());
    }
}
