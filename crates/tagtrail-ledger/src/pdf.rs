//! A minimal PDF writer: pages of text in Helvetica. Enough for certificates of analysis in the
//! demo and for printable documents; no fonts embedded, no images.

/// One line of text: size in points and the text (Latin-1 characters; others become '?').
pub struct Line {
    pub size: u8,
    pub text: String,
}

impl Line {
    pub fn new(size: u8, text: impl Into<String>) -> Self {
        Line {
            size,
            text: text.into(),
        }
    }
}

fn escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '(' | ')' | '\\' => format!("\\{c}"),
            c if (' '..='~').contains(&c) => c.to_string(),
            _ => "?".into(),
        })
        .collect()
}

/// Lays `lines` out top to bottom on US Letter pages and returns the PDF bytes.
pub fn render(title: &str, lines: &[Line]) -> Vec<u8> {
    const TOP: f32 = 750.0;
    const BOTTOM: f32 = 50.0;
    let mut pages: Vec<String> = Vec::new();
    let mut content = String::new();
    let mut y = TOP;
    for line in lines {
        let lead = f32::from(line.size) * 1.4;
        if y - lead < BOTTOM {
            pages.push(std::mem::take(&mut content));
            y = TOP;
        }
        y -= lead;
        content.push_str(&format!(
            "BT /F1 {} Tf 50 {:.1} Td ({}) Tj ET\n",
            line.size,
            y,
            escape(&line.text)
        ));
    }
    pages.push(content);

    // Objects: 1 catalog, 2 pages, 3 font, 4 info, then a (page, contents) pair per page.
    let mut objects: Vec<String> = Vec::new();
    let kids: Vec<String> = (0..pages.len())
        .map(|i| format!("{} 0 R", 5 + 2 * i))
        .collect();
    objects.push("<< /Type /Catalog /Pages 2 0 R >>".into());
    objects.push(format!(
        "<< /Type /Pages /Kids [{}] /Count {} >>",
        kids.join(" "),
        pages.len()
    ));
    objects.push(
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".into(),
    );
    objects.push(format!(
        "<< /Title ({}) /Producer (tagtrail) >>",
        escape(title)
    ));
    for (i, c) in pages.iter().enumerate() {
        objects.push(format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>", 6 + 2 * i));
        objects.push(format!("<< /Length {} >>\nstream\n{}endstream", c.len(), c));
    }
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.push_str(&format!("{} 0 obj\n{}\nendobj\n", i + 1, o));
    }
    let xref = out.len();
    out.push_str(&format!(
        "xref\n0 {}\n0000000000 65535 f \n",
        objects.len() + 1
    ));
    for off in offsets {
        out.push_str(&format!("{off:010} 00000 n \n"));
    }
    out.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R /Info 4 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xref_offsets_point_at_objects() {
        let lines: Vec<Line> = (0..80)
            .map(|i| Line::new(11, format!("line {i} (with parens)")))
            .collect();
        let pdf = render("t", &lines);
        let text = String::from_utf8(pdf.clone()).unwrap();
        assert!(text.starts_with("%PDF-1.4"));
        assert!(text.contains("/Count 2"), "80 lines need two pages");
        let xref_at: usize = text
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(text[xref_at..].starts_with("xref"));
        for (n, line) in text[xref_at..].lines().skip(3).take(4).enumerate() {
            let off: usize = line[..10].parse().unwrap();
            assert!(
                text[off..].starts_with(&format!("{} 0 obj", n + 1)),
                "object {}",
                n + 1
            );
        }
    }
}
