//! At most one worker per job: a kick while someone waits for the job must
//! not start a second worker beside the first, and finished workers leave
//! the registry.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::Poll;

use async_trait::async_trait;
use privatelink_bot::domain::ids::JobId;
use privatelink_bot::domain::job::{JobState, Step};
use privatelink_bot::engine::{HookPoint, StepHook};
use privatelink_bot::ports::chat::Action;
use tokio::sync::{Notify, Semaphore};

use crate::harness::Harness;

/// Counts workers inside a step at once, and holds `hold` at its start
/// until the gate closes.
struct Overlap {
    hold: Step,
    inside: AtomicUsize,
    most: AtomicUsize,
    reached: Notify,
    gate: Semaphore,
}

#[async_trait]
impl StepHook for Overlap {
    async fn at(&self, _job: JobId, step: Step, point: HookPoint) {
        match point {
            HookPoint::Started => {
                let now = self.inside.fetch_add(1, Ordering::SeqCst) + 1;
                self.most.fetch_max(now, Ordering::SeqCst);
                if step == self.hold {
                    self.reached.notify_one();
                    // Closed by the test: every holder goes on.
                    let _ = self.gate.acquire().await;
                }
            }
            HookPoint::Effected => {
                self.inside.fetch_sub(1, Ordering::SeqCst);
            }
        }
    }
}

#[tokio::test]
async fn a_kick_during_a_wait_never_runs_two_workers_for_one_job() {
    let overlap = Arc::new(Overlap {
        hold: Step::EnsureRegistration,
        inside: AtomicUsize::new(0),
        most: AtomicUsize::new(0),
        reached: Notify::new(),
        gate: Semaphore::new(0),
    });
    let h = Harness::start_with(1, |_| {}, Some(overlap.clone())).await;
    let id = h.create().await;
    h.click("bob", Action::Approve, id).await;
    overlap.reached.notified().await;

    // Someone starts waiting for the job (polled once, so it is waiting
    // before the kicks), then the job is kicked, as a click or a resume would.
    let engine = h.app().engine.clone();
    let mut waiting = Box::pin(engine.wait(id));
    let first = std::future::poll_fn(|cx| Poll::Ready(waiting.as_mut().poll(cx))).await;
    assert!(first.is_pending(), "the worker is held, so the wait waits");
    for _ in 0..3 {
        engine.kick(id);
    }
    overlap.gate.close();
    waiting.await;

    assert_eq!(
        overlap.most.load(Ordering::SeqCst),
        1,
        "two workers ran a step of one job at once"
    );
    assert_eq!(h.state(id), JobState::Succeeded, "{}", h.transcript().await);
    assert_eq!(h.registered().len(), 1);
    h.end_state()
        .await
        .verify(&h.sandbox.hosts())
        .expect("one of each");
    assert_eq!(engine.workers(), 0, "finished workers are pruned");
}
