//! The `lastModified` windows a sync walks.
//!
//! Metrc answers list endpoints for a `lastModifiedStart..lastModifiedEnd` window no wider than
//! it allows (24 hours is the documented v1 rule, and tagtrail's ledger's default). Licensee
//! software that polls back-to-back windows loses a record whenever the server stamps it with a
//! time the previous window already covered: clock drift between servers, or a write that
//! committed after the poll with an earlier time. So every window here starts `overlap` before
//! the previous one ended, and the records seen twice are de-duplicated by id and LastModified.

use crate::Timestamp;
use chrono::TimeDelta;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// The widest window the server accepts.
    pub max_width: TimeDelta,
    /// How far each window reaches back into the one before it.
    pub overlap: TimeDelta,
}

impl Policy {
    /// Checks the policy can make progress: a window must reach further than it overlaps.
    pub fn validate(&self) -> Result<(), String> {
        if self.max_width <= TimeDelta::zero() {
            return Err("the window width must be positive".into());
        }
        if self.overlap < TimeDelta::zero() {
            return Err("the overlap cannot be negative".into());
        }
        if self.overlap * 2 >= self.max_width {
            return Err(format!(
                "an overlap of {}s leaves windows of {}s too little room; keep it under half the width",
                self.overlap.num_seconds(),
                self.max_width.num_seconds()
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: Timestamp,
    pub end: Timestamp,
}

/// Where the next run starts: `overlap` before the end of the last window completed, or at
/// `first` when nothing was completed yet.
pub fn resume_from(
    last_completed_end: Option<Timestamp>,
    first: Timestamp,
    p: &Policy,
) -> Timestamp {
    match last_completed_end {
        Some(end) => end - p.overlap,
        None => first,
    }
}

/// The windows from `from` to `now`: each at most `max_width` wide, each starting `overlap`
/// before the previous end, the last ending at `now`. Empty when `from >= now`.
pub fn plan(from: Timestamp, now: Timestamp, p: &Policy) -> Vec<Window> {
    let mut out = Vec::new();
    if p.validate().is_err() || from >= now {
        return out;
    }
    let mut start = from;
    loop {
        let end = (start + p.max_width).min(now);
        out.push(Window { start, end });
        if end >= now {
            return out;
        }
        start = end - p.overlap;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use proptest::prelude::*;

    fn t(s: i64) -> Timestamp {
        Utc.timestamp_opt(1_700_000_000 + s, 0).single().unwrap()
    }

    #[test]
    fn a_day_and_a_half_is_two_overlapping_windows() {
        let p = Policy {
            max_width: TimeDelta::hours(24),
            overlap: TimeDelta::minutes(5),
        };
        let w = plan(t(0), t(36 * 3600), &p);
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].end, t(24 * 3600));
        assert_eq!(w[1].start, t(24 * 3600 - 300));
        assert_eq!(w[1].end, t(36 * 3600));
    }

    #[test]
    fn a_run_resumes_overlapping_the_last_completed_window() {
        let p = Policy {
            max_width: TimeDelta::hours(24),
            overlap: TimeDelta::minutes(5),
        };
        assert_eq!(resume_from(Some(t(1000)), t(0), &p), t(700));
        assert_eq!(resume_from(None, t(0), &p), t(0));
    }

    #[test]
    fn overlaps_that_leave_no_progress_are_refused() {
        let p = Policy {
            max_width: TimeDelta::minutes(10),
            overlap: TimeDelta::minutes(5),
        };
        assert!(p.validate().is_err());
        assert!(plan(t(0), t(10_000), &p).is_empty());
    }

    proptest! {
        /// Every instant from `from` to `now` lies in some window; no window is wider than the
        /// server allows; each overlaps the one before by exactly the margin.
        #[test]
        fn windows_cover_without_gaps(span in 1i64..400_000, width in 60i64..100_000, overlap_pct in 0i64..49) {
            let p = Policy { max_width: TimeDelta::seconds(width), overlap: TimeDelta::seconds(width * overlap_pct / 100) };
            let w = plan(t(0), t(span), &p);
            prop_assert!(!w.is_empty());
            prop_assert_eq!(w[0].start, t(0));
            prop_assert_eq!(w[w.len() - 1].end, t(span));
            for x in &w {
                prop_assert!(x.end > x.start);
                prop_assert!(x.end - x.start <= p.max_width);
            }
            for pair in w.windows(2) {
                prop_assert_eq!(pair[1].start, pair[0].end - p.overlap);
            }
        }
    }
}
