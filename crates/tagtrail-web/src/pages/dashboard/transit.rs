//! Manifests still on their way, for each role the license plays on them (shipper, recipient,
//! transporter), and which of them are overdue: the estimated arrival has passed and the
//! vehicle has not arrived. The clock is passed in, so the rule is tested at fixed times.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use tagtrail_app::reads::{Column, ListQuery};
use tagtrail_app::{AppResult, Ledger, Scope};
use tagtrail_domain::records::{Transfer, TransferDelivery, TransferState, TransferTransport};

/// The lists of a manifest not yet received: registered (not departed), on the road, arrived
/// and awaiting the recipient.
pub const OPEN: [&str; 3] = ["Outgoing", "InTransit", "Delivered"];

/// The most manifests read per role. A facility with more open manifests than this has bigger
/// problems than a dashboard; the transfer lists page through them all.
const MOST: u32 = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Shipper,
    Recipient,
    Transporter,
}

impl Role {
    pub fn words(self) -> &'static str {
        match self {
            Role::Shipper => "shipper",
            Role::Recipient => "recipient",
            Role::Transporter => "transporter",
        }
    }
}

/// A manifest not yet received, with every role the license plays on it.
#[derive(Debug, Clone)]
pub struct Open {
    pub transfer: Transfer,
    pub roles: Vec<Role>,
}

/// The license's manifests not yet received, whichever party it is, each once.
pub async fn open(ledger: &Ledger, scope: &Scope) -> AppResult<Vec<Open>> {
    let q = || {
        ListQuery {
            page: Some((1, MOST)),
            newest_first: true,
            ..Default::default()
        }
        .with(Column::Status, OPEN)
    };
    let shipped = ledger.manifests(scope, q()).await?.rows;
    let incoming = ledger
        .manifests_via::<TransferDelivery>(scope, q())
        .await?
        .rows;
    let carried = ledger
        .manifests_via::<TransferTransport>(scope, q())
        .await?
        .rows;
    Ok(merge(vec![
        (Role::Shipper, shipped),
        (Role::Recipient, incoming),
        (Role::Transporter, carried),
    ]))
}

/// One entry per manifest, gathering the roles of the lists it is on (a distributor carrying
/// goods to itself is recipient and transporter of one manifest).
pub fn merge(lists: Vec<(Role, Vec<Transfer>)>) -> Vec<Open> {
    let mut out: Vec<Open> = Vec::new();
    for (role, rows) in lists {
        for t in rows {
            // The index rows follow the manifest, but a list read a moment before a receipt
            // may still hold one: what the manifest itself says decides.
            if !OPEN.contains(&t.state.as_str()) {
                continue;
            }
            match out.iter_mut().find(|o| o.transfer.id == t.id) {
                Some(o) if !o.roles.contains(&role) => o.roles.push(role),
                Some(_) => {}
                None => out.push(Open {
                    transfer: t,
                    roles: vec![role],
                }),
            }
        }
    }
    out
}

/// An estimated time as the ledger keeps it, as an instant. A time with an offset is taken as
/// written; one without (as the manifest form and Metrc clients send it) is the facility's wall
/// clock in `zone`; a bare date lasts until the end of that day.
pub fn instant(stamp: &str, zone: Tz) -> Option<DateTime<Utc>> {
    let s = stamp.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    let wall = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    .or_else(|| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(23, 59, 59))
    })?;
    // A wall time skipped by the spring change (02:30 on that Sunday) is read an hour later.
    zone.from_local_datetime(&wall)
        .earliest()
        .or_else(|| {
            zone.from_local_datetime(&(wall + Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
}

/// How late a manifest is at `now`: its estimated arrival has passed and it has not arrived
/// (registered but not departed, or on the road). `None` when it is not overdue: arrived,
/// received, voided, a template, or with no estimate to be late against.
pub fn overdue(t: &Transfer, now: DateTime<Utc>, zone: Tz) -> Option<Duration> {
    let on_its_way = matches!(t.state, TransferState::Outgoing | TransferState::InTransit);
    if !on_its_way || t.voided || t.actual_arrival.is_some() {
        return None;
    }
    let due = instant(&t.estimated_arrival, zone)?;
    (now > due).then(|| now - due)
}

/// A lateness in words, to the largest whole unit: `40 minutes`, `5 hours`, `10 days`.
pub fn late_words(d: Duration) -> String {
    let plural = |n: i64, unit: &str| {
        if n == 1 {
            format!("1 {unit}")
        } else {
            format!("{n} {unit}s")
        }
    };
    if d.num_days() >= 1 {
        plural(d.num_days(), "day")
    } else if d.num_hours() >= 1 {
        plural(d.num_hours(), "hour")
    } else {
        plural(d.num_minutes().max(1), "minute")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tagtrail_domain::records::Party;

    const LA: Tz = chrono_tz::America::Los_Angeles;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn party(l: &str) -> Party {
        Party {
            license_number: l.into(),
            name: l.into(),
            address: None,
        }
    }

    fn manifest(id: i64, state: TransferState, arrival: &str) -> Transfer {
        Transfer {
            id,
            license_number: "CDPH-10003301".into(),
            manifest_number: format!("{id:010}"),
            name: None,
            state,
            template_id: None,
            transfer_type: "Transfer".into(),
            shipper: party("CDPH-10003301"),
            recipient: party("C11-0000701-LIC"),
            transporter: party("C11-0000701-LIC"),
            driver_name: "Mei Tanaka".into(),
            driver_license_number: "D9920054".into(),
            driver_employee_id: None,
            vehicle_make: "Ford".into(),
            vehicle_model: "Transit 250".into(),
            vehicle_plate: "8TGT123".into(),
            phone_for_questions: None,
            invoice_number: None,
            planned_route: None,
            estimated_departure: "2026-11-20T08:00:00".into(),
            estimated_arrival: arrival.into(),
            actual_departure: None,
            actual_arrival: None,
            received_at: None,
            lines: vec![],
            accepted_count: 0,
            rejected_count: 0,
            rejected_returned_at: None,
            contains_testing_sample: false,
            contains_trade_sample: false,
            contains_donation: false,
            contains_remediation: false,
            created_at: "2026-11-19T16:00:00.000000+00:00".into(),
            created_by: "maker".into(),
            voided: false,
            active: true,
            last_modified: "2026-11-19T16:00:00.000000+00:00".into(),
        }
    }

    /// The demo's estimate, 12:30 on Nov 20 in California, is 20:30 UTC (PST, UTC-8): a
    /// manifest on the road is overdue from that minute, not eight hours earlier.
    #[test]
    fn an_estimate_without_offset_is_the_facilitys_wall_clock() {
        let t = manifest(2, TransferState::InTransit, "2026-11-20T12:30:00");
        assert_eq!(overdue(&t, at("2026-11-20T20:29:00Z"), LA), None);
        let late = overdue(&t, at("2026-11-20T21:15:00Z"), LA);
        assert_eq!(late, Some(Duration::minutes(45)));
        assert_eq!(
            overdue(&t, at("2026-11-30T20:30:00Z"), LA).map(late_words),
            Some("10 days".to_string())
        );
        // With an offset, the time is taken as written.
        let t = manifest(2, TransferState::InTransit, "2026-11-20T12:30:00Z");
        assert!(overdue(&t, at("2026-11-20T12:31:00Z"), LA).is_some());
        // A bare date is late only once that day is over.
        let t = manifest(2, TransferState::InTransit, "2026-11-20");
        assert_eq!(overdue(&t, at("2026-11-21T07:00:00Z"), LA), None);
        assert!(overdue(&t, at("2026-11-21T08:01:00Z"), LA).is_some());
    }

    /// Only a manifest that has not arrived can be late: one still waiting to depart after its
    /// arrival time is; an arrived, received, voided or template one is not; nor one without
    /// an estimate.
    #[test]
    fn only_manifests_not_yet_arrived_are_overdue() {
        let now = at("2026-11-30T12:00:00Z");
        let past = "2026-11-20T12:30:00";
        let late = |t: &Transfer| overdue(t, now, LA).is_some();
        assert!(late(&manifest(1, TransferState::Outgoing, past)));
        assert!(late(&manifest(1, TransferState::InTransit, past)));
        for s in [
            TransferState::Delivered,
            TransferState::Received,
            TransferState::Voided,
            TransferState::Template,
        ] {
            assert!(!late(&manifest(1, s, past)), "{s:?}");
        }
        let mut arrived = manifest(1, TransferState::InTransit, past);
        arrived.actual_arrival = Some("2026-11-20T20:00:00.000000+00:00".into());
        assert!(!late(&arrived));
        let mut voided = manifest(1, TransferState::Outgoing, past);
        voided.voided = true;
        assert!(!late(&voided));
        assert!(!late(&manifest(1, TransferState::InTransit, "")));
        assert!(!late(&manifest(1, TransferState::InTransit, "soon")));
        assert!(!late(&manifest(
            1,
            TransferState::InTransit,
            "2026-12-01T09:00:00"
        )));
    }

    #[test]
    fn a_skipped_wall_time_is_read_an_hour_later() {
        // 02:30 on Mar 8, 2026 does not exist in California; 03:30 PDT is 10:30 UTC.
        assert_eq!(
            instant("2026-03-08T02:30:00", LA),
            Some(at("2026-03-08T10:30:00Z"))
        );
    }

    #[test]
    fn a_manifest_is_listed_once_with_every_role() {
        let t = manifest(7, TransferState::InTransit, "2026-11-20T12:30:00");
        let done = manifest(8, TransferState::Received, "2026-11-20T12:30:00");
        let merged = merge(vec![
            (Role::Shipper, vec![]),
            (Role::Recipient, vec![t.clone(), done]),
            (Role::Transporter, vec![t]),
        ]);
        assert_eq!(merged.len(), 1);
        assert_eq!(merged[0].roles, [Role::Recipient, Role::Transporter]);
    }

    #[test]
    fn lateness_reads_in_the_largest_whole_unit() {
        assert_eq!(late_words(Duration::seconds(20)), "1 minute");
        assert_eq!(late_words(Duration::minutes(59)), "59 minutes");
        assert_eq!(late_words(Duration::minutes(61)), "1 hour");
        assert_eq!(late_words(Duration::hours(49)), "2 days");
    }
}
