//! Webhook signatures: `X-Tagtrail-Signature: v1=<hex HMAC-SHA256(secret, timestamp "." body)>`
//! with `X-Tagtrail-Timestamp` in Unix seconds. Signing the timestamp with the body lets a
//! receiver refuse a captured delivery replayed later: it checks the signature, then that the
//! timestamp is recent (five minutes is the suggested tolerance).

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header naming a batch (stable across its retries): receivers de-duplicate by it or by
/// each item's `Cursor`.
pub const ID_HEADER: &str = "x-tagtrail-webhook-id";
pub const TIMESTAMP_HEADER: &str = "x-tagtrail-timestamp";
pub const SIGNATURE_HEADER: &str = "x-tagtrail-signature";

/// The tolerance [`verify`] allows between the timestamp and the receiver's clock.
pub const TOLERANCE_SECONDS: i64 = 300;

/// The signature header's value for `body` sent at `timestamp`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    format!("v1={}", hex::encode(mac(secret, timestamp, body)))
}

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> Vec<u8> {
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    m.update(timestamp.to_string().as_bytes());
    m.update(b".");
    m.update(body);
    m.finalize().into_bytes().to_vec()
}

/// What a receiver checks: the signature (in constant time) over the body as received and the
/// timestamp header, and that the timestamp is within [`TOLERANCE_SECONDS`] of `now`.
pub fn verify(secret: &str, timestamp: &str, signature: &str, body: &[u8], now: i64) -> bool {
    let Ok(ts) = timestamp.trim().parse::<i64>() else {
        return false;
    };
    if (now - ts).abs() > TOLERANCE_SECONDS {
        return false;
    }
    let Some(given) = signature
        .split(',')
        .filter_map(|p| p.trim().strip_prefix("v1="))
        .find_map(|h| hex::decode(h).ok())
    else {
        return false;
    };
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    m.update(timestamp.trim().as_bytes());
    m.update(b".");
    m.update(body);
    m.verify_slice(&given).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_and_a_tampered_or_old_one_does_not() {
        let body = br#"{"items":[]}"#;
        let sig = signature("whsec_x", 1_700_000_000, body);
        assert!(verify("whsec_x", "1700000000", &sig, body, 1_700_000_010));
        assert!(!verify(
            "whsec_x",
            "1700000000",
            &sig,
            br#"{"items":[1]}"#,
            1_700_000_010
        ));
        assert!(!verify("whsec_y", "1700000000", &sig, body, 1_700_000_010));
        assert!(!verify("whsec_x", "1700000001", &sig, body, 1_700_000_010));
        assert!(!verify(
            "whsec_x",
            "1700000000",
            &sig,
            body,
            1_700_000_000 + 301
        ));
    }
}
