//! Packed JSON: how the store keeps the JSON it writes most and reads least, in a fraction of
//! the bytes (issue 14's storage goal: a package all-in under 1.5 KB).
//!
//! A packed value is text, so it fits the same `TEXT` column as plain JSON on both backends:
//! `~1` and then, in unpadded base64, the zstd frame of the JSON compressed against dictionary 1
//! ([`DICTIONARY_1`], a few typical journal entries and records). JSON never begins with `~`, so
//! a column may hold either and a reader tells them apart by the first byte; rows written before
//! packing existed stay plain and read as they always did. Packing is lossless — the JSON's exact
//! bytes come back — so the journal's hashes (over the canonical JSON of the parsed values) and a
//! backup's byte-for-byte copy of each entry are untouched by it.
//!
//! What is packed: the journal's `request` and `changes` (written once, read by an audit, a
//! record's history, a backup), and on SQLite the `data` of the history tier of packages and of
//! package adjustments and links (one or more per package; read by id, never searched inside).
//! Hot rows — active packages, identities — stay plain, read without inflating anything.
//!
//! Dictionary 1 must never change: every packed value written with it names it. A better
//! dictionary is `~2`, read beside `~1` for as long as any value holds it.

use crate::{Result, StoreError};
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use std::borrow::Cow;
use std::cell::RefCell;
use std::io::Read;
use std::sync::OnceLock;
use zstd::dict::{DecoderDictionary, EncoderDictionary};

/// Typical content of what gets packed: zstd finds a record's keys and common values here, so a
/// single record compresses as well as a batch of them would.
pub(crate) const DICTIONARY_1: &[u8] = include_bytes!("packing/dictionary-1.txt");

const PREFIX_1: &str = "~1";

/// zstd's default level: packing is on the write path, and higher levels buy little on JSON.
const LEVEL: i32 = 3;

/// Values shorter than this stay plain: the frame's own overhead would eat the saving.
const MIN_PACKED: usize = 96;

fn encoder_dictionary() -> &'static EncoderDictionary<'static> {
    static D: OnceLock<EncoderDictionary<'static>> = OnceLock::new();
    D.get_or_init(|| EncoderDictionary::copy(DICTIONARY_1, LEVEL))
}

fn decoder_dictionary() -> &'static DecoderDictionary<'static> {
    static D: OnceLock<DecoderDictionary<'static>> = OnceLock::new();
    D.get_or_init(|| DecoderDictionary::copy(DICTIONARY_1))
}

thread_local! {
    // One compression context per thread, reused: creating one per value costs more than
    // compressing a record.
    static COMPRESSOR: RefCell<Option<zstd::bulk::Compressor<'static>>> = const { RefCell::new(None) };
}

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("a packed value does not unpack: {what}"))
}

/// `json` packed, or as it is when packing would not make it shorter.
pub fn pack(json: &str) -> Result<Cow<'_, str>> {
    if json.len() < MIN_PACKED {
        return Ok(Cow::Borrowed(json));
    }
    let frame = COMPRESSOR.with(|c| -> Result<Vec<u8>> {
        let mut c = c.borrow_mut();
        let c = match c.as_mut() {
            Some(c) => c,
            None => c.insert(
                zstd::bulk::Compressor::with_prepared_dictionary(encoder_dictionary())
                    .map_err(|e| StoreError::Corrupt(format!("zstd: {e}")))?,
            ),
        };
        c.compress(json.as_bytes())
            .map_err(|e| StoreError::Corrupt(format!("zstd: {e}")))
    })?;
    let mut out = String::with_capacity(PREFIX_1.len() + frame.len() * 4 / 3 + 4);
    out.push_str(PREFIX_1);
    STANDARD_NO_PAD.encode_string(&frame, &mut out);
    Ok(if out.len() < json.len() {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(json)
    })
}

/// The JSON a stored value holds: itself when plain, inflated when packed.
pub fn unpack(stored: &str) -> Result<Cow<'_, str>> {
    let Some(body) = stored.strip_prefix('~') else {
        return Ok(Cow::Borrowed(stored));
    };
    let Some(b64) = body.strip_prefix('1') else {
        return Err(corrupt(
            "it names a dictionary this release of tagtrail does not have",
        ));
    };
    let frame = STANDARD_NO_PAD.decode(b64).map_err(corrupt)?;
    let mut d = zstd::stream::read::Decoder::with_prepared_dictionary(
        std::io::BufReader::new(frame.as_slice()),
        decoder_dictionary(),
    )
    .map_err(corrupt)?;
    let mut json = String::new();
    d.read_to_string(&mut json).map_err(corrupt)?;
    Ok(Cow::Owned(json))
}

/// `unpack`, owned.
pub(crate) fn unpacked(stored: String) -> Result<String> {
    match unpack(&stored)? {
        Cow::Borrowed(_) => Ok(stored),
        Cow::Owned(json) => Ok(json),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    #[test]
    fn dictionary_1_never_changes() {
        // Every value packed with it names it; editing it would make them unreadable.
        assert_eq!(
            hex::encode(Sha256::digest(DICTIONARY_1)),
            "c37d26a3a0b5150ef253c1d6840e18c739e6aaa8b0d80f69dd559fc7c1381371"
        );
    }

    #[test]
    fn packing_is_lossless_and_smaller() {
        let package = r#"{"id":12,"license_number":"CDPH-10003301","label":"1A4000000000000000000012","package_type":"Product","item_id":5,"item_name":"Blue Dream Distillate","item_category":"Concentrate","item_strain_name":null,"quantity":0,"unit_of_measure":"Grams","original_quantity":1000.50,"location_id":null,"location_name":"Finished Goods","note":"a note with ünïcödé","state":"Finished","active":false,"last_modified":"2026-12-01T13:43:29.360132+00:00"}"#;
        let packed = pack(package).unwrap();
        assert!(packed.starts_with("~1"), "{packed}");
        assert!(packed.len() * 3 < package.len(), "{} bytes", packed.len());
        assert_eq!(unpack(&packed).unwrap(), package);
        // Short values and plain JSON pass through.
        assert_eq!(pack("[]").unwrap(), "[]");
        assert_eq!(unpack("[1,2]").unwrap(), "[1,2]");
    }

    #[test]
    fn a_damaged_or_unknown_packing_is_refused_not_misread() {
        let packed = pack(&"[1,".repeat(100)).unwrap().into_owned();
        let mut damaged = packed.clone();
        damaged.truncate(packed.len() - 4);
        assert!(unpack(&damaged).is_err());
        assert!(unpack("~2AAAA").is_err());
        assert!(unpack("~1!!!").is_err());
    }
}
