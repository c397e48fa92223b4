//! Liveness of the store: every store operation in flight is registered
//! with what it is doing and since when, and a watchdog thread trips when
//! one has run past the configured bound.
//!
//! Why: sled can block a thread for good (sled 0.34's concurrent-flush
//! hangs), and a process whose store is stuck still answers HTTP. Once
//! tripped, the bot must not look healthy: `/healthz` fails and `serve` /
//! `console` exit non-zero so a supervisor restarts it (resume is safe by
//! design). The trip is latched: a store that hung once is not trusted
//! again in this process.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use tokio::sync::watch;

/// A store operation that ran past the liveness bound.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the store has been stuck for {:.1?} on: {what} (bound {:?})", .stuck_for, .bound)]
pub struct Stall {
    /// What the operation was doing, e.g. "write: approve PL-1003".
    pub what: String,
    pub stuck_for: Duration,
    pub bound: Duration,
}

/// Operations in flight, and the latched verdict of the watchdog.
pub struct Liveness {
    bound: Duration,
    next: AtomicU64,
    in_flight: Mutex<BTreeMap<u64, (String, Instant)>>,
    verdict: watch::Sender<Option<Stall>>,
}

/// Keeps an operation registered until dropped.
pub struct InFlight {
    liveness: Arc<Liveness>,
    id: u64,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Ok(mut m) = self.liveness.in_flight.lock() {
            m.remove(&self.id);
        }
    }
}

impl Liveness {
    /// A tracker with `bound`, and its watchdog thread, which ends when the
    /// tracker is dropped.
    pub fn start(bound: Duration) -> std::io::Result<Arc<Self>> {
        let (verdict, _) = watch::channel(None);
        let liveness = Arc::new(Self {
            bound,
            next: AtomicU64::new(0),
            in_flight: Mutex::new(BTreeMap::new()),
            verdict,
        });
        let weak = Arc::downgrade(&liveness);
        // A quarter of the bound between looks: a stall is reported at most
        // 1.25 bounds after it began, without busy polling.
        let every = (bound / 4).clamp(Duration::from_millis(5), Duration::from_secs(1));
        std::thread::Builder::new()
            .name("store-watchdog".to_owned())
            .spawn(move || watch_over(weak, every))?;
        Ok(liveness)
    }

    pub fn bound(&self) -> Duration {
        self.bound
    }

    /// Registers an operation; it counts as in flight until the guard drops.
    pub fn begin(self: &Arc<Self>, what: impl Into<String>) -> InFlight {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut m) = self.in_flight.lock() {
            m.insert(id, (what.into(), Instant::now()));
        }
        InFlight {
            liveness: self.clone(),
            id,
        }
    }

    /// The oldest operation in flight past the bound, if any.
    fn overdue(&self) -> Option<Stall> {
        let m = self.in_flight.lock().ok()?;
        // Ids grow with time, so the first entry is the oldest.
        let (what, since) = m.values().next()?;
        let stuck_for = since.elapsed();
        (stuck_for > self.bound).then(|| Stall {
            what: what.clone(),
            stuck_for,
            bound: self.bound,
        })
    }

    /// The watchdog's verdict: `Some` once any operation overran the bound.
    pub fn stalled(&self) -> Option<Stall> {
        self.verdict.borrow().clone()
    }

    /// Resolves when the watchdog trips (never, while the store is live).
    pub async fn tripped(&self) -> Stall {
        let mut rx = self.verdict.subscribe();
        loop {
            if let Some(stall) = rx.borrow_and_update().clone() {
                return stall;
            }
            if rx.changed().await.is_err() {
                // The tracker is gone: nothing can trip any more.
                std::future::pending::<()>().await;
            }
        }
    }

    /// How many operations are in flight (for tests and figures).
    pub fn in_flight(&self) -> usize {
        self.in_flight.lock().map(|m| m.len()).unwrap_or(0)
    }
}

fn watch_over(liveness: Weak<Liveness>, every: Duration) {
    loop {
        std::thread::sleep(every);
        let Some(l) = liveness.upgrade() else { return };
        if l.verdict.borrow().is_some() {
            return;
        }
        if let Some(stall) = l.overdue() {
            tracing::error!(
                what = %stall.what,
                stuck_for = ?stall.stuck_for,
                bound = ?stall.bound,
                "a store operation overran its liveness bound; the bot is unhealthy and must be restarted"
            );
            l.verdict.send_replace(Some(stall));
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_operation_held_past_the_bound_trips_and_the_trip_is_latched() {
        let l = Liveness::start(Duration::from_millis(20)).expect("watchdog");
        let quick = l.begin("quick");
        drop(quick);
        assert_eq!(l.stalled(), None);
        let held = l.begin("write: approve PL-1000");
        let stall = tokio::time::timeout(Duration::from_secs(30), l.tripped())
            .await
            .expect("the watchdog trips");
        assert_eq!(stall.what, "write: approve PL-1000");
        assert!(stall.stuck_for > Duration::from_millis(20));
        drop(held);
        assert_eq!(l.stalled(), Some(stall), "a trip stays tripped");
    }

    #[tokio::test]
    async fn operations_that_finish_in_time_never_trip() {
        let l = Liveness::start(Duration::from_secs(5)).expect("watchdog");
        for i in 0..1000 {
            let _g = l.begin(format!("op {i}"));
        }
        assert_eq!(l.in_flight(), 0);
        assert_eq!(l.stalled(), None);
    }
}
