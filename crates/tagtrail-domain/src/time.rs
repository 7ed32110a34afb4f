//! Timestamps as the ledger writes them.
//!
//! Every stored instant is UTC with exactly six fractional digits and a `+00:00` offset, the
//! shape Metrc uses for `LastModified`. A fixed width makes the text sort in time order, which is
//! what lets both databases filter `lastModified` windows with plain string comparison.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

pub type Timestamp = DateTime<Utc>;

pub fn format(ts: Timestamp) -> String {
    ts.to_rfc3339_opts(SecondsFormat::Micros, false)
}

/// Parses an ISO 8601 instant as Metrc clients send it: `Z`, `+hh:mm`, any number of
/// fractional digits, or (facility-local wall time) no offset at all, taken as UTC here.
pub fn parse_instant(s: &str) -> Option<Timestamp> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s, fmt) {
            return Some(t.and_utc());
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

pub fn format_date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_sort_in_time_order() {
        let a = parse_instant("2026-01-01T00:00:00Z").unwrap();
        let b = parse_instant("2026-01-01T00:00:00.5+00:00").unwrap();
        assert!(format(a) < format(b));
        assert_eq!(format(a), "2026-01-01T00:00:00.000000+00:00");
    }

    #[test]
    fn parses_the_shapes_metrc_clients_send() {
        for s in [
            "2018-01-17T06:30:00Z",
            "2018-01-17T06:30:00+00:00",
            "2018-01-17T06:30:00.123456789-07:00",
            "2018-01-17T06:30:00.000",
            "2018-01-17",
        ] {
            assert!(parse_instant(s).is_some(), "{s}");
        }
        assert!(parse_instant("yesterday").is_none());
    }
}
