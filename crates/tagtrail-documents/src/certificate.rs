//! The certificate of analysis (COA): a testing laboratory's report of the results for one
//! sample. The ledger stores COAs as PDF blobs next to the lab results that name them; the demo
//! seeder produces its certificates with [`certificate_pdf`].
//!
//! Same furniture as the manifest (title, shaded sections, "Label: value" fields, "Page N of M"
//! in every footer), then the results as a table: test, result, pass or fail, note.

use crate::layout::{
    self, BODY, BODY_LEAD, GAP, HANG, PAD, SECTION_SPACE, SMALL, SMALL_LEAD, heading,
};
use crate::pdf::{
    self, BLACK, Band, Cell, DocumentError, Flow, Fonts, GRAY, GREEN, LEFT, RED, RIGHT, RULE, Span,
    WIDTH, bold, labelled, regular,
};

/// A certificate of analysis as printed. Text fields are printed as given; an empty one shows
/// as a dash so the gap is visible.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Certificate {
    /// The testing laboratory's name.
    pub lab_name: String,
    /// The laboratory's license number.
    pub lab_license: String,
    /// UID of the sample package that was tested.
    pub sample_label: String,
    /// Name of the item the sample is of.
    pub item_name: String,
    /// License number of the licensee the sample came from (the lab's client, who owns the
    /// sample and the lots it stands for).
    pub owner_license: String,
    /// The packages or production batches the sample was taken from, whose status the results
    /// decide.
    pub batch_labels: Vec<String>,
    /// The results, in the order printed.
    pub results: Vec<CertificateResult>,
    /// When the laboratory issued the results, as printed (for example `2026-05-02`).
    pub issued: String,
}

/// One test's outcome.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CertificateResult {
    /// The test, as Metrc names the type (for example `Cannabinoids`, `Heavy Metals`).
    pub test_type: String,
    /// The measured value, with its unit where it has one (for example `9.8`, `0.12 %`).
    pub value: String,
    /// Whether the result meets the limits: printed PASS or FAIL.
    pub passed: bool,
    /// Anything the laboratory adds (units, method, the limit applied).
    pub note: Option<String>,
}

/// The certificate as a PDF (US Letter; a few tens of kilobytes, far below Metrc's 5 MB limit
/// for attached certificates).
pub fn certificate_pdf(c: &Certificate) -> Result<Vec<u8>, DocumentError> {
    let fonts = pdf::fonts()?;
    let pages = layout(fonts, c);
    let title = format!("Certificate of Analysis {}", shown(&c.sample_label));
    let footer = format!(
        "{title} \u{00B7} {} ({})",
        shown(&c.lab_name),
        shown(&c.lab_license)
    );
    pdf::render(fonts, &title, &footer, pages)
}

fn shown(v: &str) -> &str {
    let v = v.trim();
    if v.is_empty() { "\u{2014}" } else { v }
}

fn overall(c: &Certificate) -> (String, bool) {
    let failed = c.results.iter().filter(|r| !r.passed).count();
    let n = c.results.len();
    if n == 0 {
        ("No results recorded".into(), false)
    } else if failed == 0 {
        (format!("PASS \u{2014} all {n} tests passed"), true)
    } else {
        (format!("FAIL \u{2014} {failed} of {n} tests failed"), false)
    }
}

fn layout(fonts: &Fonts, c: &Certificate) -> Vec<Vec<pdf::Op>> {
    let mut flow = Flow::new(layout::running_header(
        fonts,
        &format!(
            "Certificate of Analysis {} (continued)",
            shown(&c.sample_label)
        ),
        Span {
            text: shown(&c.lab_name).into(),
            bold: false,
            color: GRAY,
        },
    ));
    flow.block(layout::title(
        fonts,
        "Certificate of Analysis",
        &format!("Issued {}", shown(&c.issued)),
    ));
    flow.space(SECTION_SPACE);
    flow.block(layout::section(
        fonts,
        "Laboratory",
        &[
            ("Name", shown(&c.lab_name)),
            ("License No.", shown(&c.lab_license)),
        ],
    ));
    flow.space(SECTION_SPACE);
    let batches = c
        .batch_labels
        .iter()
        .map(|b| b.trim())
        .filter(|b| !b.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    flow.block(layout::section(
        fonts,
        "Sample",
        &[
            ("Sample UID", shown(&c.sample_label)),
            ("Item", shown(&c.item_name)),
            ("Client License No.", shown(&c.owner_license)),
            ("Issued", shown(&c.issued)),
            ("Source Packages", shown(&batches)),
        ],
    ));

    flow.space(SECTION_SPACE + 2.0);
    let cols = Columns::new();
    let results_heading = heading(fonts, &format!("Results ({})", c.results.len()));
    let header = cols.header(fonts);
    if c.results.is_empty() {
        flow.block(vec![
            results_heading,
            Band::empty(3.0),
            layout::text_line(fonts, LEFT + PAD, &[regular("No results recorded.")]),
        ]);
    } else {
        for (i, r) in c.results.iter().enumerate() {
            let mut bands = Vec::new();
            if i == 0 {
                bands.push(results_heading.clone());
                bands.extend(header.clone());
            }
            bands.extend(cols.row(fonts, r));
            flow.block(bands);
            if i == 0 {
                let mut cont = vec![heading(fonts, "Results, continued")];
                cont.extend(header.clone());
                flow.set_continued(Some(Band::stack(cont)));
            }
        }
        flow.set_continued(None);
    }

    flow.space(SECTION_SPACE);
    let (summary, passed) = overall(c);
    let mut spans = labelled("Overall Result", &summary);
    spans[1].bold = true;
    spans[1].color = if passed { GREEN } else { RED };
    flow.block(pdf::paragraph(
        fonts,
        spans,
        LEFT + PAD,
        WIDTH - 2.0 * PAD,
        10.0,
        14.0,
        HANG,
    ));
    flow.finish()
}

/// The results table's columns: test, result, status, note.
struct Columns {
    test: (f32, f32),
    value: (f32, f32),
    status: (f32, f32),
    note: (f32, f32),
}

impl Columns {
    fn new() -> Self {
        let x = LEFT + PAD;
        let w = RIGHT - PAD - x - 3.0 * GAP;
        let test = (x, w * 0.32);
        let value = (test.0 + test.1 + GAP, w * 0.18);
        let status = (value.0 + value.1 + GAP, w * 0.10);
        let note = (status.0 + status.1 + GAP, w * 0.40);
        Columns {
            test,
            value,
            status,
            note,
        }
    }

    fn cells(&self, spans: [Vec<Span>; 4]) -> Vec<Cell> {
        let [a, b, c, d] = spans;
        [
            (self.test, a),
            (self.value, b),
            (self.status, c),
            (self.note, d),
        ]
        .into_iter()
        .map(|((x, width), spans)| Cell {
            x,
            width,
            spans,
            hang: 0.0,
        })
        .collect()
    }

    fn header(&self, fonts: &Fonts) -> Vec<Band> {
        let mut bands = vec![Band::empty(2.0)];
        bands.extend(pdf::columns(
            fonts,
            self.cells([
                vec![bold("Test")],
                vec![bold("Result")],
                vec![bold("Status")],
                vec![bold("Note")],
            ]),
            SMALL,
            SMALL_LEAD,
        ));
        bands.push(pdf::rule_band(5.0, 0.8, BLACK));
        bands
    }

    fn row(&self, fonts: &Fonts, r: &CertificateResult) -> Vec<Band> {
        let status = Span {
            text: if r.passed { "PASS" } else { "FAIL" }.into(),
            bold: true,
            color: if r.passed { GREEN } else { RED },
        };
        let mut bands = pdf::columns(
            fonts,
            self.cells([
                vec![regular(shown(&r.test_type))],
                vec![regular(shown(&r.value))],
                vec![status],
                vec![regular(r.note.as_deref().unwrap_or("").trim())],
            ]),
            BODY,
            BODY_LEAD,
        );
        bands.push(pdf::rule_band(5.0, 0.4, RULE));
        bands
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::pdf::testing::{lines as flat, page_texts};

    /// The demo seeder's panel, with accents in the names to prove they survive.
    pub(crate) fn sample() -> Certificate {
        let panel = [
            ("Cannabinoids", "9.8", true, Some("THC mg per unit")),
            ("Moisture Content", "0.12", true, None),
            ("Residual Solvents", "0", true, None),
            ("Pesticides", "0", true, None),
            ("Microbial Impurities", "0", true, None),
            ("Mycotoxins", "0", true, None),
            ("Heavy Metals", "0.02", true, None),
            ("Foreign Material", "0", true, None),
        ];
        Certificate {
            lab_name: "Señora Analítica Labs".into(),
            lab_license: "C8-0000005-LIC".into(),
            sample_label: "1A4000000000007000000042".into(),
            item_name: "Mango Gummies 10pk (testing sample)".into(),
            owner_license: "C11-0000001-LIC".into(),
            batch_labels: vec![
                "1A4000000000007000000040".into(),
                "1A4000000000007000000041".into(),
            ],
            results: panel
                .iter()
                .map(|(t, v, p, n)| CertificateResult {
                    test_type: (*t).into(),
                    value: (*v).into(),
                    passed: *p,
                    note: n.map(String::from),
                })
                .collect(),
            issued: "2026-05-02".into(),
        }
    }

    #[test]
    fn certificate_carries_its_fields() {
        let pdf = certificate_pdf(&sample()).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(
            pdf.len() < 5 * 1024 * 1024,
            "Metrc's limit for certificates"
        );
        let pages = page_texts(&pdf);
        assert_eq!(pages.len(), 1);
        let text = flat(&pages[0]);
        for needle in [
            "Certificate of Analysis",
            "Name: Señora Analítica Labs",
            "License No.: C8-0000005-LIC",
            "Sample UID: 1A4000000000007000000042",
            "Item: Mango Gummies 10pk (testing sample)",
            "Client License No.: C11-0000001-LIC",
            "Source Packages: 1A4000000000007000000040, 1A4000000000007000000041",
            "Issued: 2026-05-02",
            "Cannabinoids 9.8 PASS THC mg per unit",
            "Heavy Metals 0.02 PASS",
            "Overall Result: PASS \u{2014} all 8 tests passed",
            "Page 1 of 1",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in\n{text}");
        }
    }

    #[test]
    fn failures_and_long_panels() {
        let mut c = sample();
        c.results[6].passed = false;
        c.results[6].note = Some("Lead 0.6 \u{b5}g/g over the 0.5 \u{b5}g/g limit".into());
        let text = flat(&page_texts(&certificate_pdf(&c).unwrap()).join("\n"));
        assert!(text.contains("Heavy Metals 0.02 FAIL Lead 0.6 µg/g over the 0.5 µg/g limit"));
        assert!(text.contains("Overall Result: FAIL \u{2014} 1 of 8 tests failed"));

        // A panel too long for one page continues with its heading and page numbers.
        c.results = (0..120)
            .map(|i| CertificateResult {
                test_type: format!("Analyte {i}"),
                value: format!("{i}.0"),
                passed: true,
                note: None,
            })
            .collect();
        let pages = page_texts(&certificate_pdf(&c).unwrap());
        let total = pages.len();
        assert!(total > 1);
        for (i, p) in pages.iter().enumerate() {
            assert!(p.contains(&format!("Page {} of {total}", i + 1)));
            if i > 0 {
                assert!(p.contains("Results, continued"), "{p}");
            }
        }
        assert!(flat(&pages.join("\n")).contains("Analyte 119 119.0 PASS"));

        let empty = Certificate::default();
        let text = flat(&page_texts(&certificate_pdf(&empty).unwrap()).join("\n"));
        assert!(text.contains("No results recorded."));
        assert!(text.contains("Sample UID: \u{2014}"));
    }
}
