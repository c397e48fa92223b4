//! The job runner: takes approved jobs through the create steps, and
//! rollback/delete jobs through teardown, one worker per job.
//!
//! The engine keeps nothing in memory that matters: every step is recorded in
//! the store before and after it runs, and every step is an "ensure" that
//! looks for earlier work before creating anything. A crash at any point
//! followed by [`Engine::resume`] therefore finishes the job without
//! duplicating a resource. What a job says in chat is written with the
//! change that causes it (the store's outbox); the engine never calls a
//! chat platform.

mod claims;
mod error;
mod record;
mod repair;
mod settings;
mod steps;
mod teardown;
mod workers;

pub use error::StepError;
pub use settings::{EngineSettings, HookPoint, StepHook};

use std::sync::Arc;
use std::time::Duration;

use tracing::Instrument;

use crate::cards;
use crate::domain::ids::JobId;
use crate::domain::job::{Job, JobState, Resources, StateKey, Step, Teardown};
use crate::domain::lifecycle::Transition;
use crate::i18n::Text;
use crate::ports::chat::Outgoing;
use crate::ports::clock::Clock;
use crate::ports::cloud::{CloudAccess, Vendor};
use crate::retry::{Effect, RetryPolicy};
use crate::store::{ChangeError, Store};
use workers::Workers;

/// What the engine needs from the rest of the bot.
pub struct EngineParts {
    pub store: Arc<Store>,
    pub cloud: Arc<dyn CloudAccess>,
    pub vendor: Arc<dyn Vendor>,
    pub clock: Arc<dyn Clock>,
    pub settings: EngineSettings,
    pub metrics: Arc<crate::metrics::Metrics>,
    pub hook: Option<Arc<dyn StepHook>>,
}

#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    parts: EngineParts,
    workers: Arc<Workers>,
    /// Set by `stop_gracefully`: workers end at their next record point
    /// and no new one starts.
    stopping: std::sync::atomic::AtomicBool,
    /// The engine itself, for work that starts another job's worker (a
    /// repair moving the jobs that shared its endpoint).
    me: std::sync::Weak<Inner>,
    /// Who this replica is, on the leases it holds.
    replica: String,
    /// The lease each running worker holds on its job.
    leases: std::sync::Mutex<std::collections::HashMap<JobId, crate::store::Lease>>,
}

/// Tries of a step that keeps failing transiently, before it fails.
const STEP_ATTEMPTS: u32 = 4;

/// Refused changes in a row after which a worker stops trying.
const MAX_REFUSALS: u32 = 5;

impl Engine {
    pub fn new(parts: EngineParts) -> Self {
        Self {
            inner: Arc::new_cyclic(|me| Inner {
                parts,
                workers: Arc::default(),
                stopping: std::sync::atomic::AtomicBool::new(false),
                me: me.clone(),
                replica: claims::replica_name(),
                leases: Default::default(),
            }),
        }
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.inner.parts.store
    }

    /// Starts workers for every job the engine owes work (approved, running,
    /// tearing down), as after a restart. Returns their ids.
    pub async fn resume(&self) -> Result<Vec<JobId>, crate::store::StoreError> {
        let owed = self.store().jobs_in_states(&StateKey::OWED_WORK).await?;
        let mut ids: Vec<JobId> = owed.iter().map(|j| j.id()).collect();
        ids.sort();
        for id in &ids {
            tracing::info!(job = %id, "resuming job");
            self.kick(*id);
        }
        Ok(ids)
    }

    /// Makes sure a worker will look at `id` after its latest change; at
    /// most one runs per job (see `workers`).
    pub fn kick(&self, id: JobId) {
        self.inner.kick(id);
    }

    /// Waits until no worker is running for `id`.
    pub async fn wait(&self, id: JobId) {
        self.inner.workers.wait(id).await
    }

    /// Waits until no worker is running for any job.
    pub async fn wait_all(&self) {
        self.inner.workers.wait_all().await
    }

    /// Lets every running step reach its next record point, for at most
    /// `grace`, then stops whatever is still running (as `halt`). Nothing
    /// new starts meanwhile. Either way a later `resume` finishes the jobs.
    pub async fn stop_gracefully(&self, grace: Duration) {
        self.inner
            .stopping
            .store(true, std::sync::atomic::Ordering::SeqCst);
        if tokio::time::timeout(grace, self.wait_all()).await.is_err() {
            tracing::warn!(
                workers = self.workers(),
                "steps still running after the shutdown grace; they resume on the next start"
            );
        }
        self.halt().await;
    }

    /// Stops every worker where it stands, as a crash or a hard shutdown
    /// would. Nothing is cleaned up: a later `resume` picks the jobs up.
    pub async fn halt(&self) {
        self.inner.workers.halt().await
    }

    /// How many jobs have a worker right now; finished workers are pruned.
    pub fn workers(&self) -> usize {
        self.inner.workers.registered()
    }
}

/// What follows a piece of a job's work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    /// Another step waits: the worker goes on.
    More,
    /// Nothing more for now: the job ended, failed, waits for a person, or
    /// is gone.
    Done,
}

impl Inner {
    fn now(&self) -> u64 {
        self.parts.clock.now()
    }

    /// Makes sure a worker will look at `id` (see [`Engine::kick`]).
    fn kick(&self, id: JobId) {
        if self.stopping() {
            return;
        }
        let Some(inner) = self.me.upgrade() else {
            return;
        };
        self.workers.kick(id, async move { inner.run(id).await });
    }

    fn stopping(&self) -> bool {
        self.stopping.load(std::sync::atomic::Ordering::SeqCst)
    }

    async fn run(&self, id: JobId) {
        let Some((lease, renewing)) = self.claim(id).await else {
            return;
        };
        if self.work(id).await {
            self.let_go(lease, renewing).await;
        } else {
            self.lost(lease);
        }
    }

    /// Works on the job until it needs nothing more for now. False when
    /// the job's lease was lost (another replica has it now).
    async fn work(&self, id: JobId) -> bool {
        let mut refusals = 0;
        loop {
            // A record point: on shutdown, the job rests here and resumes
            // on the next start.
            if self.stopping() {
                tracing::info!(job = %id, "stopping at a record point");
                return true;
            }
            match self.advance(id).await {
                Ok(Next::More) => refusals = 0,
                Ok(Next::Done) => return true,
                // Someone else moved the job first (a cancel, say): the
                // next look at the job decides what, if anything, to do.
                // Backed off and capped, so a rule that keeps refusing
                // cannot spin the worker.
                Err(ChangeError::Refused(why)) => {
                    refusals += 1;
                    if refusals > MAX_REFUSALS {
                        tracing::error!(job = %id, %why, refusals, "the job keeps changing under the engine; this worker gives up until the next kick or restart");
                        return true;
                    }
                    tracing::info!(job = %id, %why, "job changed under the engine; looking again");
                    tokio::time::sleep(self.parts.settings.backoff.delay(refusals)).await;
                }
                // This replica stalled past its lease and another took
                // the job: what it would record next is not its to say.
                Err(ChangeError::Fenced(_)) => {
                    tracing::warn!(job = %id, "this replica lost the job's lease; it stops working on it");
                    return false;
                }
                Err(e) => {
                    // The store failed: stop; the job stays where it was
                    // recorded and resumes on the next start.
                    tracing::error!(job = %id, error = %e, "engine stopped on a store error");
                    return true;
                }
            }
        }
    }

    /// Does the next piece of work for the job, and says whether more follows.
    async fn advance(&self, id: JobId) -> Result<Next, ChangeError> {
        let Some(job) = self.parts.store.get(id).await? else {
            return Ok(Next::Done);
        };
        // A cancel stops a create job between steps; a teardown always finishes.
        if job.cancel_requested()
            && matches!(job.state(), JobState::Approved | JobState::Running { .. })
        {
            self.transition(id, Transition::StopCancelled, |j| {
                vec![
                    Outgoing::Card,
                    Outgoing::Progress,
                    Outgoing::Note(cards::cancelled(j)),
                ]
            })
            .await?;
            return Ok(Next::Done);
        }
        match job.state().clone() {
            JobState::Approved => {
                let Some(step) = job.next_step() else {
                    return Ok(Next::Done);
                };
                self.enter_step(&job, step).await?;
                Ok(Next::More)
            }
            JobState::Running { step } | JobState::Repairing { step } => {
                self.run_step(job, step).await
            }
            JobState::TearingDown { reason } => {
                self.run_teardown(job, reason).await?;
                Ok(Next::Done)
            }
            _ => Ok(Next::Done),
        }
    }

    /// Records that `step` starts (state and step record in one change);
    /// the card and the checklist show it.
    async fn enter_step(&self, job: &Job, step: Step) -> Result<Job, ChangeError> {
        let at = self.now();
        self.transition(job.id(), Transition::EnterStep { step, at }, |_| {
            vec![Outgoing::Card, Outgoing::Progress]
        })
        .await
    }

    async fn run_step(&self, job: Job, step: Step) -> Result<Next, ChangeError> {
        if let Some(hook) = &self.parts.hook {
            hook.at(job.id(), step, HookPoint::Started).await;
        }
        let started = std::time::Instant::now();
        let outcome = self
            .perform_patiently(&job, step)
            .instrument(tracing::info_span!("step", step = step.name()))
            .await;
        self.parts.metrics.step_took(step.name(), started.elapsed());
        let repairing = matches!(job.state(), JobState::Repairing { .. });
        match outcome {
            Ok((resources, detail)) => {
                let detail = detail.render(job.locale());
                if let Some(hook) = &self.parts.hook {
                    hook.at(job.id(), step, HookPoint::Effected).await;
                }
                let finished = Transition::FinishStep {
                    step,
                    resources,
                    note: detail.clone(),
                    at: self.now(),
                };
                if repairing {
                    return self.finish_repair_step(job, finished, detail).await;
                }
                let job = self
                    .transition(job.id(), finished, move |j| {
                        // The checklist ticks; only the outcome is a new
                        // message, the last one, for the requester.
                        let mut says = vec![Outgoing::Progress];
                        if *j.state() == JobState::Succeeded {
                            says.push(Outgoing::Card);
                            says.push(Outgoing::Note(cards::summary(j)));
                        }
                        says
                    })
                    .await?;
                if *job.state() == JobState::Succeeded {
                    return Ok(Next::Done);
                }
                // `Approved` between steps keeps "what to run next" derived
                // from the step records alone.
                Ok(Next::More)
            }
            Err(error) => {
                let text = error.text();
                let failed = Transition::FailStep {
                    step,
                    error: text.clone(),
                };
                let job = self
                    .transition(job.id(), failed, move |j| match repairing {
                        true => vec![
                            Outgoing::Card,
                            Outgoing::Note(cards::drift::repair_failed(j, step, &text)),
                        ],
                        false => vec![
                            Outgoing::Progress,
                            Outgoing::Card,
                            Outgoing::Note(cards::failed(j, step, &text)),
                        ],
                    })
                    .await?;
                tracing::warn!(
                    job = %job.id(),
                    step = step.name(),
                    %error,
                    request_id = error.request_id().unwrap_or_default(),
                    "step failed"
                );
                Ok(Next::Done)
            }
        }
    }

    async fn run_teardown(&self, job: Job, reason: Teardown) -> Result<(), ChangeError> {
        // A teardown looks before it removes (and tolerates what is gone),
        // so a transient failure runs it again, like a step.
        let what = format!("{} teardown", job.id());
        let result = self
            .patience()
            .run(&what, Effect::Read, || self.teardown(&job))
            .await;
        match result {
            Ok(kept) => {
                self.transition(job.id(), Transition::FinishTeardown, move |j| {
                    vec![
                        Outgoing::Card,
                        Outgoing::Note(cards::torn_down(j, reason, &kept)),
                    ]
                })
                .await?;
            }
            Err(error) => {
                let text = error.text();
                let failed = Transition::FailTeardown {
                    error: text.clone(),
                };
                let job = self
                    .transition(job.id(), failed, move |j| {
                        vec![
                            Outgoing::Card,
                            Outgoing::Note(cards::teardown_failed(j, reason, &text)),
                        ]
                    })
                    .await?;
                tracing::warn!(job = %job.id(), %error, "teardown failed");
            }
        }
        Ok(())
    }

    /// Runs a step through the one retry helper: when it fails in a way the
    /// provider calls transient (throttled, unavailable), it runs again with
    /// backoff, from the job as stored now (a step may have recorded an
    /// intent). Every step is an ensure that looks before it acts, so this
    /// never repeats an effect blindly.
    async fn perform_patiently(
        &self,
        job: &Job,
        step: Step,
    ) -> Result<(Resources, Text), StepError> {
        let policy = self.patience();
        let tries = std::sync::atomic::AtomicU32::new(0);
        let what = format!("{} step {step}", job.id());
        policy
            .run(&what, Effect::Read, || async {
                let job = match tries.fetch_add(1, std::sync::atomic::Ordering::Relaxed) {
                    0 => job.clone(),
                    _ => self
                        .parts
                        .store
                        .get(job.id())
                        .await
                        .ok()
                        .flatten()
                        .ok_or_else(|| {
                            StepError::from(crate::text!("err-job-unreadable", job = job.id()))
                        })?,
                };
                self.perform(&job, step).await
            })
            .await
    }

    /// How a step or a teardown that fails transiently is run again.
    fn patience(&self) -> RetryPolicy {
        RetryPolicy {
            backoff: self.parts.settings.backoff,
            attempts: STEP_ATTEMPTS,
        }
    }
}
