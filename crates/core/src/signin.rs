//! The limit on failed sign-ins, as pure logic (the caller passes the time): one
//! counter per (client address, username), shared by the web sign-in page and the
//! API token endpoint. A few failures are free; after that each further attempt
//! waits twice as long as the previous one, up to a ceiling. A stranger at another
//! address has a counter of its own, so it cannot lock the user out. Memory is
//! bounded: when the table is full, forgotten entries go first, then the oldest.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How strict the limit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Failures allowed before any wait.
    pub free_failures: u32,
    /// The wait after the first failure beyond the free ones; doubled at each next one.
    pub base_wait: Duration,
    /// The longest wait.
    pub max_wait: Duration,
    /// A counter with no failure for this long is forgotten.
    pub forget_after: Duration,
    /// At most this many counters are kept.
    pub capacity: usize,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            free_failures: 5,
            base_wait: Duration::from_secs(30),
            max_wait: Duration::from_secs(15 * 60),
            forget_after: Duration::from_secs(60 * 60),
            capacity: 20_000,
        }
    }
}

/// Who is signing in: the client address (as text; "" when unknown) and the
/// username (trimmed, lower case).
pub type Key = (String, String);

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    last: Instant,
}

/// The counters.
#[derive(Debug)]
pub struct Throttle {
    policy: Policy,
    map: HashMap<Key, Entry>,
}

impl Throttle {
    pub fn new(policy: Policy) -> Throttle {
        Throttle {
            policy,
            map: HashMap::new(),
        }
    }

    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// The key of an attempt: the address and the username as the sign-in reads it.
    pub fn key(address: &str, username: &str) -> Key {
        (address.to_string(), username.trim().to_lowercase())
    }

    /// The wait that `failures` failures impose after the last one.
    pub fn wait_after(&self, failures: u32) -> Duration {
        if failures < self.policy.free_failures {
            return Duration::ZERO;
        }
        let doublings = (failures - self.policy.free_failures).min(30);
        self.policy
            .base_wait
            .saturating_mul(1u32 << doublings)
            .min(self.policy.max_wait)
    }

    /// `Err(wait)` when an attempt under `key` must wait `wait` longer; the
    /// attempt is then not checked at all (and does not count).
    pub fn check(&self, key: &Key, now: Instant) -> Result<(), Duration> {
        let Some(e) = self.map.get(key) else {
            return Ok(());
        };
        let until = e.last + self.wait_after(e.failures);
        if until > now {
            Err(until - now)
        } else {
            Ok(())
        }
    }

    /// Records a failure; returns how many the key now has.
    pub fn fail(&mut self, key: &Key, now: Instant) -> u32 {
        if !self.map.contains_key(key) && self.map.len() >= self.policy.capacity {
            self.make_room(now);
        }
        let e = self.map.entry(key.clone()).or_insert(Entry {
            failures: 0,
            last: now,
        });
        if now.saturating_duration_since(e.last) > self.policy.forget_after {
            e.failures = 0;
        }
        e.failures = e.failures.saturating_add(1);
        e.last = now;
        e.failures
    }

    /// A successful sign-in clears the key.
    pub fn succeed(&mut self, key: &Key) {
        self.map.remove(key);
    }

    /// How many counters are held.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    fn make_room(&mut self, now: Instant) {
        let forget = self.policy.forget_after;
        self.map
            .retain(|_, e| now.saturating_duration_since(e.last) <= forget);
        if self.map.len() >= self.policy.capacity {
            // still full: drop the oldest tenth (a flood of addresses cannot grow memory)
            let mut ages: Vec<(Instant, Key)> =
                self.map.iter().map(|(k, e)| (e.last, k.clone())).collect();
            ages.sort_by_key(|(t, _)| *t);
            let drop = (self.policy.capacity / 10).max(1);
            for (_, k) in ages.into_iter().take(drop) {
                self.map.remove(&k);
            }
        }
    }
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle::new(Policy::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Throttle {
        Throttle::new(Policy {
            free_failures: 3,
            base_wait: Duration::from_secs(10),
            max_wait: Duration::from_secs(100),
            forget_after: Duration::from_secs(1000),
            capacity: 50,
        })
    }

    #[test]
    fn waits_double_after_the_free_failures_up_to_the_ceiling() {
        let t = small();
        let w: Vec<u64> = (0..8).map(|n| t.wait_after(n).as_secs()).collect();
        assert_eq!(w, vec![0, 0, 0, 10, 20, 40, 80, 100]);
        assert_eq!(t.wait_after(u32::MAX), Duration::from_secs(100));
    }

    #[test]
    fn a_stranger_elsewhere_does_not_lock_the_user_out() {
        let mut t = small();
        let now = Instant::now();
        let attacker = Throttle::key("203.0.113.9", "Rep1");
        let owner = Throttle::key("198.51.100.7", "rep1");
        for _ in 0..3 {
            assert!(t.check(&attacker, now).is_ok());
            t.fail(&attacker, now);
        }
        assert_eq!(t.check(&attacker, now), Err(Duration::from_secs(10)));
        assert!(t.check(&owner, now).is_ok());
        // the wait passes, another failure doubles it
        let later = now + Duration::from_secs(10);
        assert!(t.check(&attacker, later).is_ok());
        t.fail(&attacker, later);
        assert_eq!(t.check(&attacker, later), Err(Duration::from_secs(20)));
        // success clears
        t.succeed(&attacker);
        assert!(t.check(&attacker, later).is_ok());
    }

    #[test]
    fn a_failure_long_after_the_last_starts_again() {
        let mut t = small();
        let now = Instant::now();
        let k = Throttle::key("a", "u");
        for _ in 0..5 {
            t.fail(&k, now);
        }
        assert_eq!(t.fail(&k, now + Duration::from_secs(2000)), 1);
    }

    #[test]
    fn memory_stays_bounded_under_a_flood_of_addresses() {
        let mut t = small();
        let now = Instant::now();
        let victim = Throttle::key("10.0.0.1", "rep1");
        for _ in 0..4 {
            t.fail(&victim, now);
        }
        for i in 0..10_000u32 {
            t.fail(
                &Throttle::key(&format!("192.0.2.{i}"), "x"),
                now + Duration::from_millis(u64::from(i) + 1),
            );
            assert!(t.len() <= 50);
        }
    }
}
