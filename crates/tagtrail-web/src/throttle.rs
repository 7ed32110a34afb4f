//! Sign-in throttling: wrong passwords are counted per account and per client address, and once
//! either has spent its budget, sign-in is refused (429) *before* the password is checked, so a
//! guesser can neither try many passwords nor make the server spend argon2 time on them.
//!
//! governor's keyed GCRA limiters count the failures. GCRA has no way to ask "is there room?"
//! without spending a cell, and only failures may spend one (an employee signing in many times a
//! day is not a guesser), so when a failure spends the last cell the key is locked until the
//! limiter would let the next failure through, and attempts ask the lock.

use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tagtrail_domain::records::fold;

/// Whose failures are counted together: one address, or every client when the server is not
/// told addresses (then they all share one budget, which still stops a flood).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Client {
    /// An IPv4 address, or an IPv6 /64 (one subscriber's usual allocation, so that hopping
    /// addresses within it does not buy new guesses).
    Address(IpAddr),
    Unknown,
}

impl Client {
    pub fn of(addr: Option<IpAddr>) -> Client {
        match addr {
            Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
                Some(v4) => Client::Address(IpAddr::V4(v4)),
                None => {
                    let s = v6.segments();
                    let net = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                    Client::Address(IpAddr::V6(net))
                }
            },
            Some(v4) => Client::Address(v4),
            None => Client::Unknown,
        }
    }
}

/// A budget: `burst` failures at once, one more every `every`.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub burst: u32,
    pub every: Duration,
}

/// Failures counted for one kind of key.
struct Gate<K: Hash + Eq + Clone> {
    limiter: RateLimiter<K, DefaultKeyedStateStore<K>, DefaultClock, StateInformationMiddleware>,
    locked: Mutex<HashMap<K, Instant>>,
}

impl<K: Hash + Eq + Clone> Gate<K> {
    fn new(b: Budget) -> Gate<K> {
        let burst = NonZeroU32::new(b.burst).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(b.every)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst);
        Gate {
            limiter: RateLimiter::keyed(quota).with_middleware::<StateInformationMiddleware>(),
            locked: Mutex::new(HashMap::new()),
        }
    }

    fn open(&self, key: &K) -> bool {
        let mut locked = self.locked.lock().unwrap_or_else(|p| p.into_inner());
        match locked.get(key) {
            Some(until) if *until > Instant::now() => false,
            Some(_) => {
                locked.remove(key);
                true
            }
            None => true,
        }
    }

    fn failed(&self, key: &K) {
        let spent = match self.limiter.check_key(key) {
            Ok(state) => state.remaining_burst_capacity() == 0,
            Err(_) => true,
        };
        if !spent {
            return;
        }
        // Refused without spending: when would the next failure be let through?
        let wait = match self.limiter.check_key(key) {
            Err(not_until) => not_until.wait_time_from(self.limiter.clock().now()),
            Ok(_) => return,
        };
        let mut locked = self.locked.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        // Only keys over their budget are here; drop the ones whose lock has run out.
        locked.retain(|_, until| *until > now);
        locked.insert(key.clone(), now + wait);
        drop(locked);
        self.limiter.retain_recent();
    }
}

/// The sign-in throttle.
pub struct Throttle {
    accounts: Gate<String>,
    clients: Gate<Client>,
}

/// How many wrong passwords sign-in takes before it answers 429: per account and per client
/// address.
#[derive(Debug, Clone, Copy)]
pub struct SignInLimits {
    pub per_account: Budget,
    pub per_client: Budget,
}

impl Default for SignInLimits {
    /// Per account, five wrong passwords at once, then one a minute (five again after five
    /// minutes); per address, twenty at once, then one every fifteen seconds.
    fn default() -> Self {
        SignInLimits {
            per_account: Budget {
                burst: 5,
                every: Duration::from_secs(60),
            },
            per_client: Budget {
                burst: 20,
                every: Duration::from_secs(15),
            },
        }
    }
}

/// Usernames are looked up folded; count them the same way, and keep a flood of long invented
/// names from growing the table without bound.
fn account(username: &str) -> String {
    fold(username).chars().take(64).collect()
}

impl Throttle {
    pub fn of(limits: SignInLimits) -> Throttle {
        Throttle::new(limits.per_account, limits.per_client)
    }

    pub fn new(per_account: Budget, per_client: Budget) -> Throttle {
        Throttle {
            accounts: Gate::new(per_account),
            clients: Gate::new(per_client),
        }
    }

    /// Whether a sign-in for `username` from `client` may be checked now.
    pub fn allows(&self, username: &str, client: Client) -> bool {
        self.accounts.open(&account(username)) && self.clients.open(&client)
    }

    /// Counts a wrong password (or unknown username).
    pub fn failed(&self, username: &str, client: Client) {
        self.accounts.failed(&account(username));
        self.clients.failed(&client);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv6Addr;

    fn slow(burst: u32) -> Budget {
        Budget {
            burst,
            every: Duration::from_secs(3600),
        }
    }

    #[test]
    fn an_account_is_locked_after_its_budget_of_failures() {
        let t = Throttle::new(slow(5), slow(100));
        let a = Client::of(Some("10.0.0.1".parse().unwrap()));
        for i in 0..5 {
            assert!(t.allows("Ana", a), "attempt {i}");
            t.failed("ana ", a);
        }
        assert!(
            !t.allows("ANA", a),
            "the sixth attempt is refused before any check"
        );
        assert!(t.allows("bob", a), "other accounts are not affected");
    }

    #[test]
    fn an_address_is_locked_across_accounts() {
        let t = Throttle::new(slow(100), slow(3));
        let a = Client::of(Some("10.0.0.1".parse().unwrap()));
        let b = Client::of(Some("10.0.0.2".parse().unwrap()));
        for name in ["a", "b", "c"] {
            t.failed(name, a);
        }
        assert!(!t.allows("d", a));
        assert!(t.allows("d", b));
    }

    #[test]
    fn a_lock_runs_out() {
        let t = Throttle::new(
            Budget {
                burst: 1,
                every: Duration::from_millis(50),
            },
            slow(100),
        );
        t.failed("ana", Client::Unknown);
        assert!(!t.allows("ana", Client::Unknown));
        std::thread::sleep(Duration::from_millis(80));
        assert!(t.allows("ana", Client::Unknown));
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64() {
        let one: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let two: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        assert_eq!(Client::of(Some(one)), Client::of(Some(two)));
        let mapped = IpAddr::V6(Ipv6Addr::from([0, 0, 0, 0, 0, 0xffff, 0x0a00, 0x0001]));
        assert_eq!(
            Client::of(Some(mapped)),
            Client::of(Some("10.0.0.1".parse().unwrap()))
        );
        assert_eq!(Client::of(None), Client::Unknown);
    }
}
