//! Barcodes for tags and labels, drawn by well-kept crates: Code 128 (what UID tags carry, and
//! what handheld scanners read) with `barcoders`, QR (what a phone camera reads) with `qrcode`.
//! Both come out as SVG text, to embed in a page or a printable label.

use barcoders::generators::svg::SVG;
use barcoders::sym::code128::Code128;
use qrcode::QrCode;
use qrcode::render::svg;

/// A Code 128 barcode of `text` (printable ASCII), `height` units tall, as SVG. The bars are
/// drawn on a white quiet zone so a scanner finds the edges.
pub fn code128_svg(text: &str, height: u32) -> Result<String, String> {
    if text.is_empty() || !text.chars().all(|c| c.is_ascii_graphic() || c == ' ') {
        return Err(format!("{text:?} cannot be drawn as a Code 128 barcode"));
    }
    // Character set B covers upper- and lower-case letters, digits and punctuation.
    let code = Code128::new(format!("\u{0181}{text}")).map_err(|e| e.to_string())?;
    SVG::new(height)
        .xdim(2)
        .generate(code.encode())
        .map_err(|e| e.to_string())
}

/// A QR code of `text` as SVG, at least `size` pixels square, with its quiet zone.
pub fn qr_svg(text: &str, size: u32) -> Result<String, String> {
    let code = QrCode::new(text.as_bytes()).map_err(|e| e.to_string())?;
    Ok(code
        .render::<svg::Color>()
        .min_dimensions(size, size)
        .quiet_zone(true)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_uid_draws_in_both_symbologies() {
        let uid = "1A4AE90C51F9E21000000001";
        let bars = code128_svg(uid, 60).expect("a UID is Code 128 text");
        assert!(bars.starts_with("<svg") && bars.contains("<rect"), "{bars}");
        // Longer text, more bars.
        let longer = code128_svg(&format!("{uid}{uid}"), 60).expect("longer text");
        assert!(longer.matches("<rect").count() > bars.matches("<rect").count());
        let qr = qr_svg(&format!("https://ledger.example/ui/inspect?uid={uid}"), 120)
            .expect("a link fits a QR code");
        assert!(qr.contains("<svg") && qr.contains("<path"), "{qr}");
        assert!(code128_svg("Peña", 60).is_err(), "not ASCII");
        assert!(code128_svg("", 60).is_err());
    }
}
