//! A per-person rate limit on commands and clicks: a token bucket each,
//! refilled at the configured rate. Keeps the bot answering everyone when
//! one person (or a script with their token) floods it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use crate::domain::ids::UserRef;

/// The most people tracked at once; beyond it, full buckets are forgotten
/// (a forgotten bucket is a full one, so nothing is lost).
const MAX_TRACKED: usize = 10_000;

pub struct RateLimit {
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<UserRef, (f64, Instant)>>,
}

impl RateLimit {
    pub fn new(per_minute: u32, burst: u32) -> Self {
        Self {
            per_second: f64::from(per_minute.max(1)) / 60.0,
            burst: f64::from(burst.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `user`; false when their bucket is empty.
    pub fn admit(&self, user: &UserRef) -> bool {
        self.admit_at(user, Instant::now())
    }

    fn admit_at(&self, user: &UserRef, now: Instant) -> bool {
        // A poisoned lock (a panic elsewhere while holding it) must not
        // stop intake: the map is still consistent.
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() >= MAX_TRACKED && !buckets.contains_key(user) {
            let (rate, burst) = (self.per_second, self.burst);
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.saturating_duration_since(*at).as_secs_f64() * rate < burst
            });
            // A flood of distinct people (each signed by the platform) can
            // keep every bucket partly spent: start over rather than scan
            // a full map on every request. Forgetting grants a fresh burst,
            // which is the safe side for people and bounded for memory.
            if buckets.len() >= MAX_TRACKED / 2 {
                buckets.clear();
            }
        }
        let (tokens, at) = buckets.entry(user.clone()).or_insert((self.burst, now));
        let refilled = *tokens + now.saturating_duration_since(*at).as_secs_f64() * self.per_second;
        *tokens = refilled.min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::Platform;
    use std::time::Duration;

    #[test]
    fn a_burst_then_the_rate_and_each_person_alone() {
        let limit = RateLimit::new(60, 3);
        let (alice, bob) = (
            UserRef::new(Platform::Slack, "UALICE"),
            UserRef::new(Platform::Slack, "UBOB"),
        );
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limit.admit_at(&alice, t0));
        }
        assert!(!limit.admit_at(&alice, t0), "the burst is spent");
        assert!(limit.admit_at(&bob, t0), "bob has his own bucket");
        assert!(!limit.admit_at(&alice, t0 + Duration::from_millis(500)));
        assert!(
            limit.admit_at(&alice, t0 + Duration::from_millis(1100)),
            "one a second"
        );
        assert!(!limit.admit_at(&alice, t0 + Duration::from_millis(1200)));
    }
}
