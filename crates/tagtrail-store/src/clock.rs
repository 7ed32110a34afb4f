//! The ledger's clock: the time each journal entry carries, and the horizon a windowed read may
//! safely answer up to.
//!
//! Integrations poll `lastModifiedStart..lastModifiedEnd` windows back to back. That loses a record
//! in two ways unless the ledger prevents them:
//! 1. a write reads the clock, then waits for the write turn while a later reading commits first,
//!    so a later `seq` carries an earlier `LastModified`;
//! 2. a write has read its time but not yet committed when a poll's window ends past that time;
//!    the poll does not see it, and the next window starts after it.
//!
//! (1) is closed by reading the time inside the write turn, strictly after the head's
//! ([`Clock::stamp`]). (2) is closed by [`crate::Store::horizon`]: a windowed read first waits for
//! any write in flight, then takes a time every later write will exceed, and answers nothing past
//! it.
//!
//! In sandbox mode the clock can be shifted ([`Clock::set_offset`]) to play a server whose clock
//! runs ahead or behind. The offset is added to the reading before the bounds above are applied,
//! so both guarantees hold whatever it is set to: shifting it back cannot stamp an entry at or
//! before the head or a horizon already handed out (stamps wait at head + 1 µs until the shifted
//! clock passes the head), and horizons never go back.

use chrono::{SubsecRound, TimeDelta, Utc};
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};
use tagtrail_domain::time::Timestamp;

/// The journal stores times to the microsecond.
const TICK: TimeDelta = TimeDelta::microseconds(1);

/// The process's view of time for writes. On SQLite the system clock is the only clock, and the
/// floor keeps it from handing a write a time at or before a horizon already given to a reader
/// (the system clock may step back). On PostgreSQL the database's clock is read instead, so that
/// several ledger processes on one database agree (see `Store::begin`).
#[derive(Debug, Default)]
pub(crate) struct Clock {
    floor: Mutex<Option<Timestamp>>,
    /// Microseconds added to every reading (sandbox mode; zero otherwise). An atomic, not part of
    /// the floor's lock, because setting it needs no ordering with readings: any reading taken
    /// with either value is bounded by the same floor and head.
    offset_us: AtomicI64,
}

pub(crate) fn system_now() -> Timestamp {
    Utc::now().trunc_subsecs(6)
}

impl Clock {
    /// Shifts every later reading by `offset` (negative: the clock runs behind).
    pub(crate) fn set_offset(&self, offset: TimeDelta) {
        self.offset_us
            .store(offset.num_microseconds().unwrap_or(0), Ordering::SeqCst);
    }

    pub(crate) fn offset(&self) -> TimeDelta {
        TimeDelta::microseconds(self.offset_us.load(Ordering::SeqCst))
    }

    /// `now` as this clock reads it: shifted by the offset, to the microsecond. A shift that
    /// would leave chrono's range (not reachable with the bounded offsets the ledger accepts)
    /// reads unshifted rather than failing a write.
    pub(crate) fn shifted(&self, now: Timestamp) -> Timestamp {
        now.checked_add_signed(self.offset())
            .unwrap_or(now)
            .trunc_subsecs(6)
    }

    /// The time for an entry appended after `head`: `now` (shifted), but strictly after the
    /// head's time and after every horizon handed out.
    pub(crate) fn stamp(&self, now: Timestamp, head: Option<Timestamp>) -> Timestamp {
        let floor = *self.floor.lock().unwrap_or_else(|p| p.into_inner());
        let mut t = self.shifted(now);
        for bound in [head, floor].into_iter().flatten() {
            t = t.max(bound + TICK);
        }
        t
    }

    /// A horizon taken at `now` while no write is in flight: everything at or before it is
    /// committed, and every later stamp exceeds it.
    pub(crate) fn horizon(&self, now: Timestamp) -> Timestamp {
        let mut floor = self.floor.lock().unwrap_or_else(|p| p.into_inner());
        let h = self.shifted(now) - TICK;
        let h = floor.map_or(h, |f| f.max(h));
        *floor = Some(h);
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_follow_the_head_and_every_horizon() {
        let clock = Clock::default();
        let t0 = system_now();
        let head = t0 + TimeDelta::seconds(5);
        assert_eq!(
            clock.stamp(t0, Some(head)),
            head + TICK,
            "never at or before the head"
        );
        let h = clock.horizon(t0 + TimeDelta::seconds(10));
        assert!(
            clock.stamp(t0, None) > h,
            "a write after a horizon is later than it"
        );
        assert!(clock.horizon(t0) >= h, "horizons never go back");
    }

    #[test]
    fn an_offset_shifts_readings_within_the_same_bounds() {
        let clock = Clock::default();
        let t0 = system_now();
        clock.set_offset(TimeDelta::seconds(3600));
        assert_eq!(clock.stamp(t0, None), t0 + TimeDelta::seconds(3600));
        let ahead = clock.horizon(t0);
        assert_eq!(ahead, t0 + TimeDelta::seconds(3600) - TICK);

        // Set back: neither the head nor the horizon already handed out is undercut.
        clock.set_offset(TimeDelta::seconds(-3600));
        assert_eq!(clock.offset(), TimeDelta::seconds(-3600));
        assert_eq!(
            clock.stamp(t0, None),
            ahead + TICK,
            "never at or before a horizon"
        );
        let head = t0 + TimeDelta::seconds(7200);
        assert_eq!(
            clock.stamp(t0, Some(head)),
            head + TICK,
            "never at or before the head"
        );
        assert_eq!(clock.horizon(t0), ahead, "horizons never go back");

        // On a clock with no history the shift shows as it is.
        let fresh = Clock::default();
        fresh.set_offset(TimeDelta::seconds(-3600));
        let old_head = t0 - TimeDelta::seconds(7200);
        assert_eq!(
            fresh.stamp(t0, Some(old_head)),
            t0 - TimeDelta::seconds(3600)
        );
        assert_eq!(fresh.horizon(t0), t0 - TimeDelta::seconds(3600) - TICK);
    }
}
