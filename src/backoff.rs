//! Capped exponential backoff with jitter, for waits and vendor retries.

use std::time::Duration;

/// Delays grow from `initial` by doubling up to `max`; each is scaled by a
/// random factor in [0.5, 1.0] so that many waiters do not poll in lockstep.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub initial: Duration,
    pub max: Duration,
}

impl Backoff {
    pub fn delay(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.min(20));
        let capped = self.initial.saturating_mul(factor).min(self.max);
        capped.mul_f64(rand::random_range(0.5..=1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_stay_under_the_cap() {
        let b = Backoff {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(2),
        };
        for attempt in 0..30 {
            let d = b.delay(attempt);
            assert!(d <= Duration::from_secs(2));
            let cap =
                Duration::from_millis(100 * 2u64.pow(attempt.min(5))).min(Duration::from_secs(2));
            assert!(d >= cap / 2, "attempt {attempt}: {d:?} < half of {cap:?}");
        }
    }
}
