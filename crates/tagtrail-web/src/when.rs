//! Times as people read them: in the facility's zone, to the minute, with the exact UTC instant
//! on hover (and in the `datetime` attribute for machines). The ledger keeps UTC with
//! microseconds; nobody at a loading dock wants to read that.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use maud::{Markup, html};
use tagtrail_domain::time;

/// California's zone: every CCTT facility's.
pub const CALIFORNIA: Tz = chrono_tz::America::Los_Angeles;

/// The zone pages show times in.
#[derive(Debug, Clone, Copy)]
pub struct Zone(pub Tz);

impl Default for Zone {
    fn default() -> Self {
        Zone(CALIFORNIA)
    }
}

impl Zone {
    /// The zone with this IANA name (`America/Los_Angeles`).
    pub fn named(name: &str) -> Result<Zone, String> {
        name.trim()
            .parse::<Tz>()
            .map(Zone)
            .map_err(|_| format!("{name} is not a time zone name (try America/Los_Angeles)"))
    }

    /// A wall-clock time typed in this zone (`2026-11-30T14:05`, as a `datetime-local` input
    /// sends it, seconds optional) as its instant. A time the spring change skips is none; one
    /// the autumn change repeats is the earlier.
    pub fn instant(&self, local: &str) -> Option<DateTime<Utc>> {
        let t = local.trim();
        let naive = chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S")
            .or_else(|_| chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M"))
            .ok()?;
        naive
            .and_local_timezone(self.0)
            .earliest()
            .map(|x| x.with_timezone(&Utc))
    }

    /// The facility's date at instant `now` (`2026-11-30`): what a blank date on a form means.
    /// The UTC date would be tomorrow's from 4 pm on in California.
    pub fn today(&self, now: DateTime<Utc>) -> String {
        now.with_timezone(&self.0).format("%Y-%m-%d").to_string()
    }

    /// `Nov 30, 2026, 2:58 PM PST`, or the text as stored if it is not a time.
    pub fn text(&self, stamp: &str) -> String {
        match parse(stamp) {
            Some(t) => t
                .with_timezone(&self.0)
                .format("%b %-d, %Y, %-I:%M %p %Z")
                .to_string(),
            None => stamp.to_string(),
        }
    }

    /// A `<time>` element: the local minute, the UTC instant on hover.
    pub fn when(&self, stamp: &str) -> Markup {
        match parse(stamp) {
            Some(t) => html! {
                time datetime=(t.to_rfc3339()) title={ (t.format("%Y-%m-%d %H:%M:%S UTC")) } {
                    (self.text(stamp))
                }
            },
            None => html! { (stamp) },
        }
    }

    /// An optional time; nothing when absent.
    pub fn maybe(&self, stamp: Option<&str>) -> Markup {
        match stamp.filter(|s| !s.is_empty()) {
            Some(s) => self.when(s),
            None => html! {},
        }
    }
}

/// A calendar date (`2026-11-30`) as `Nov 30, 2026`; anything else as stored. Dates carry no
/// zone: a packaged date is the facility's own day.
pub fn date(d: &str) -> String {
    match NaiveDate::parse_from_str(d.get(..10).unwrap_or(d), "%Y-%m-%d") {
        Ok(day) => day.format("%b %-d, %Y").to_string(),
        Err(_) => d.to_string(),
    }
}

fn parse(stamp: &str) -> Option<DateTime<Utc>> {
    time::parse_instant(stamp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_in_californias_zone_to_the_minute() {
        let z = Zone::default();
        // 06:58 UTC on Nov 30 is 10:58 PM the day before in Los Angeles (PST, UTC-8).
        assert_eq!(
            z.text("2026-11-30T06:58:29.738871+00:00"),
            "Nov 29, 2026, 10:58 PM PST"
        );
        // Summer time.
        assert_eq!(
            z.text("2026-07-01T19:05:00.000000+00:00"),
            "Jul 1, 2026, 12:05 PM PDT"
        );
        let html = z.when("2026-11-30T06:58:29.738871+00:00").into_string();
        assert!(html.contains("title=\"2026-11-30 06:58:29 UTC\""), "{html}");
        assert_eq!(z.text("not a time"), "not a time");
        assert_eq!(date("2026-11-30"), "Nov 30, 2026");
    }

    #[test]
    fn a_blank_date_is_the_facility_s_date_not_utc_s() {
        let z = Zone::default();
        // 01:30 UTC on Dec 1 is 5:30 pm on Nov 30 in California.
        let now = "2026-12-01T01:30:00Z"
            .parse::<DateTime<Utc>>()
            .expect("instant");
        assert_eq!(z.today(now), "2026-11-30");
        let noon = "2026-12-01T20:00:00Z"
            .parse::<DateTime<Utc>>()
            .expect("instant");
        assert_eq!(z.today(noon), "2026-12-01");
    }

    #[test]
    fn a_typed_wall_clock_time_is_the_facility_s_instant() {
        let z = Zone::default();
        let at = |t: &str| z.instant(t).map(|x| x.to_rfc3339());
        assert_eq!(
            at("2026-11-30T14:05"),
            Some("2026-11-30T22:05:00+00:00".into())
        );
        assert_eq!(
            at("2026-07-01T12:05:30"),
            Some("2026-07-01T19:05:30+00:00".into())
        );
        // 2:30 AM on the spring change does not exist in California.
        assert_eq!(at("2026-03-08T02:30"), None);
        // 1:30 AM on the autumn change happens twice: the first (PDT).
        assert_eq!(
            at("2026-11-01T01:30"),
            Some("2026-11-01T08:30:00+00:00".into())
        );
        assert_eq!(at("yesterday"), None);
    }
}
