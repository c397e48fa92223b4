//! Keeps a long-lived task alive: when it ends or panics it is started
//! again, with capped backoff, and the failure is logged (never silent).
//! Socket Mode, the Discord gateway, housekeeping and chat delivery run
//! under it; where readiness depends on the task, its state is reported to
//! `/readyz` through `ports::readiness::Transports`.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;

use crate::backoff::Backoff;
use crate::ports::readiness::Transports;

/// How long a run must last to count as healthy again (backoff resets).
const STEADY: Duration = Duration::from_secs(60);

/// Runs `make()` until the process ends, restarting it when it stops. When
/// `report` is given, that transport reads "not connected" while the task
/// is down (the task itself says when it is connected).
pub async fn supervise<F, Fut>(name: &'static str, report: Option<Arc<Transports>>, mut make: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    let backoff = Backoff {
        initial: Duration::from_millis(500),
        max: Duration::from_secs(30),
    };
    let mut failures = 0;
    loop {
        let started = tokio::time::Instant::now();
        // In this very task, not a spawned one: aborting the supervisor
        // drops the task with it, at once (a halt lets go of the store).
        let ended = std::panic::AssertUnwindSafe(make()).catch_unwind().await;
        if let Some(t) = &report {
            t.set(name, false);
        }
        match ended {
            Ok(()) => tracing::warn!(task = name, "a long-lived task ended; starting it again"),
            Err(_) => {
                tracing::error!(task = name, "a long-lived task panicked; starting it again")
            }
        }
        if started.elapsed() >= STEADY {
            failures = 0;
        }
        tokio::time::sleep(backoff.delay(failures)).await;
        failures = failures.saturating_add(1);
    }
}

/// What a task that runs on one replica at a time is, beside its work.
pub struct Singly {
    pub name: &'static str,
    pub store: Arc<crate::store::Store>,
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Called whenever another replica is found holding it.
    pub held_elsewhere: Arc<dyn Fn() + Send + Sync>,
}

impl Singly {
    pub fn new(
        name: &'static str,
        store: Arc<crate::store::Store>,
        metrics: Arc<crate::metrics::Metrics>,
    ) -> Self {
        Self {
            name,
            store,
            metrics,
            held_elsewhere: Arc::new(|| {}),
        }
    }
}

/// [`supervise`] for work that runs on one replica at a time: each run of
/// `make`'s work waits until this replica holds the singleton.
pub async fn supervise_singly<F, Fut>(singly: Singly, report: Option<Arc<Transports>>, mut make: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    let singly = Arc::new(singly);
    supervise(singly.name, report, move || {
        run_singly(singly.clone(), make())
    })
    .await
}

/// Runs `work` only while this replica holds the singleton `name` (see
/// `Store::singleton`): waits for it, and stops the work the moment it is
/// lost, to wait again. With one process per store it is held at once and
/// never lost, so the work simply runs.
async fn run_singly<Fut>(singly: Arc<Singly>, work: Fut)
where
    Fut: Future<Output = ()>,
{
    let Singly {
        name,
        store,
        metrics,
        held_elsewhere,
    } = singly.as_ref();
    let mut held = store.singleton(name, held_elsewhere.as_ref()).await;
    metrics.singleton(name, true);
    tokio::select! {
        _ = work => {}
        _ = held.lost() => {}
    }
    metrics.singleton(name, false);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test(start_paused = true)]
    async fn a_task_that_panics_or_ends_is_started_again() {
        let runs = Arc::new(AtomicU32::new(0));
        let transports = Arc::new(Transports::default());
        transports.expect("flaky");
        let counted = runs.clone();
        let (done, finished) = tokio::sync::oneshot::channel::<()>();
        let done = std::sync::Mutex::new(Some(done));
        let watched = transports.clone();
        let supervisor = tokio::spawn(supervise("flaky", Some(transports.clone()), move || {
            let n = counted.fetch_add(1, Ordering::SeqCst);
            let watched = watched.clone();
            let done = if n == 2 {
                done.lock().unwrap().take()
            } else {
                None
            };
            async move {
                match n {
                    0 => panic!("the first run panics"),
                    1 => {}
                    _ => {
                        watched.set("flaky", true);
                        if let Some(d) = done {
                            let _ = d.send(());
                        }
                        std::future::pending::<()>().await
                    }
                }
            }
        }));
        finished.await.unwrap();
        assert_eq!(runs.load(Ordering::SeqCst), 3, "panicked, ended, then runs");
        assert!(transports.down().is_empty(), "the third run is connected");
        supervisor.abort();
    }
}
