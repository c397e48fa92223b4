//! The delivery dispatcher: the one thing that talks to chat platforms about
//! jobs. It reads the store's outbox (every chat effect of every job change,
//! written with the change) and delivers it:
//!
//! - each job's entries in the order they were written, one at a time, so a
//!   note never overtakes the card it belongs under;
//! - each channel on its own lane: a channel being throttled (429 and its
//!   `Retry-After`) or paced (at most one message or edit per `pacing`)
//!   holds up only itself; jobs sharing a lane take turns, so three jobs in
//!   one channel finish delivering together rather than one after another;
//! - a failed delivery is tried again with capped backoff, for as long as it
//!   takes; the entry stays in the store meanwhile, so a restart picks it up;
//! - a channel that refuses the bot until a person acts (not invited,
//!   archived, gone) is tried only every `blocked_retry`, and the requester
//!   is told once, directly, what to fix (`send::tell_if_blocked`); a
//!   deleted card is posted afresh.
//!
//! A card entry renders the job as it is when delivered (`delivery::send`),
//! so cards are projections of the store, never of a moment in a worker.
//! An entry leaves the outbox only after the platform accepted it; the one
//! window in which something is said twice is a crash between the platform's
//! answer and that removal (a thread note repeated; card edits are
//! idempotent, and a card's first post records its reference in the same
//! transaction that removes the entry).

mod send;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Deserialize;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Instant;

use crate::backoff::Backoff;
use crate::domain::ids::{JobId, Platform};
use crate::ports::chat::ChatSink;
use crate::ports::clock::Clock;
use crate::store::Store;
use send::{Outcome, send};

/// Delivery settings from config (`[delivery]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeliverySettings {
    /// The first wait before a failed delivery is tried again; it doubles
    /// per failure up to `backoff_max`.
    #[serde(with = "humantime_serde")]
    pub backoff_initial: Duration,
    #[serde(with = "humantime_serde")]
    pub backoff_max: Duration,
    /// A card still not posted this long after its job was created: the
    /// requester is told privately, where the platform allows it.
    #[serde(with = "humantime_serde")]
    pub card_overdue: Duration,
    /// How often a channel that refuses the bot until a person acts (not
    /// invited, archived, gone) is tried again: without hammering it, and
    /// so that delivery resumes by itself once it is fixed.
    #[serde(with = "humantime_serde")]
    pub blocked_retry: Duration,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        Self {
            backoff_initial: Duration::from_secs(1),
            backoff_max: Duration::from_secs(60),
            card_overdue: Duration::from_secs(120),
            blocked_retry: Duration::from_secs(30),
        }
    }
}

/// Where a message goes: a platform's channel. Each lane is throttled and
/// paced on its own.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Lane {
    pub platform: Platform,
    pub channel: String,
}

/// The channel a job's messages go to: its card's, once posted (the
/// platform may have moved it), else the conversation it was asked in.
fn channel_of(job: &crate::domain::job::Job) -> &str {
    job.card()
        .as_ref()
        .map_or(job.conversation().channel.as_str(), |c| c.channel.as_str())
}

/// What the dispatcher has done, for `settled`.
#[derive(Debug, Clone, Copy, Default)]
struct Progress {
    /// The outbox write count it had seen when it last looked.
    seen: u64,
    /// Nothing in flight and nothing ready or merely paced when it last
    /// looked: what remains waits out a failure.
    idle: bool,
    /// Another replica delivers: this one found the dispatcher's lock
    /// held elsewhere (never on a store no other process shares).
    standby: bool,
}

struct Inner {
    store: Arc<Store>,
    chat: Arc<dyn ChatSink>,
    clock: Arc<dyn Clock>,
    settings: DeliverySettings,
    metrics: Arc<crate::metrics::Metrics>,
    progress: watch::Sender<Progress>,
}

/// A handle on the dispatcher; `start` runs it, dropping the last handle
/// or `halt` stops it.
#[derive(Clone)]
pub struct Dispatcher {
    inner: Arc<Inner>,
    task: Arc<Mutex<Option<JoinHandle<()>>>>,
}

impl Dispatcher {
    pub fn new(
        store: Arc<Store>,
        chat: Arc<dyn ChatSink>,
        clock: Arc<dyn Clock>,
        settings: DeliverySettings,
        metrics: Arc<crate::metrics::Metrics>,
    ) -> Self {
        let (progress, _) = watch::channel(Progress::default());
        Self {
            inner: Arc::new(Inner {
                store,
                chat,
                clock,
                settings,
                metrics,
                progress,
            }),
            task: Arc::default(),
        }
    }

    /// Starts delivering (once; later calls do nothing). Everything left
    /// undelivered by an earlier process goes first.
    pub fn start(&self) {
        let Ok(mut task) = self.task.lock() else {
            return;
        };
        if task.is_none() {
            let inner = self.inner.clone();
            // One dispatcher across replicas: a job's messages go out in
            // order, each once.
            let standing_by = inner.clone();
            let singly = crate::supervise::Singly {
                // While another replica delivers, nothing here is this
                // one's to settle.
                held_elsewhere: Arc::new(move || {
                    standing_by.progress.send_modify(|p| p.standby = true)
                }),
                ..crate::supervise::Singly::new(
                    "chat delivery",
                    inner.store.clone(),
                    inner.metrics.clone(),
                )
            };
            *task = Some(tokio::spawn(crate::supervise::supervise_singly(
                singly,
                None,
                move || run(inner.clone()),
            )));
        }
    }

    /// Stops delivering and waits until the dispatcher has let go of the
    /// store (a crash in tests; the process's end otherwise).
    pub async fn halt(&self) {
        let task = self.task.lock().ok().and_then(|mut t| t.take());
        if let Some(task) = task {
            task.abort();
            let _ = task.await;
        }
    }

    /// Waits until the dispatcher has looked at everything written to the
    /// outbox before this call and has delivered all it can: what remains
    /// waits out a failure. Scripts and tests use it to read a settled
    /// transcript. On a replica standing by while another delivers, at
    /// once: nothing is this replica's to deliver.
    pub async fn settled(&self) {
        let target = self.inner.store.outbox_signal().written();
        let mut progress = self.inner.progress.subscribe();
        let _ = progress
            .wait_for(|p| p.standby || (p.seen >= target && p.idle))
            .await;
    }
}

/// What the loop remembers between looks at the outbox.
#[derive(Default)]
struct Lanes {
    busy_jobs: HashSet<JobId>,
    busy_lanes: HashSet<Lane>,
    /// When a job may be tried again (its head failed).
    job_ready: HashMap<JobId, Instant>,
    /// When a lane may be used again, and whether only its pace (not a
    /// throttle) holds it.
    lane_ready: HashMap<Lane, (Instant, bool)>,
    /// Failures of each job's head so far.
    failures: HashMap<(JobId, u64), u32>,
    /// When each job was last given its lane (a count of deliveries
    /// started): the job served longest ago goes first, so jobs sharing a
    /// channel take turns instead of queueing behind each other.
    served: HashMap<JobId, u64>,
    deliveries: u64,
}

impl Lanes {
    fn ready_at(&self, job: JobId, lane: &Lane) -> Option<Instant> {
        let a = self.job_ready.get(&job).copied();
        let b = self.lane_ready.get(lane).map(|(at, _)| *at);
        a.max(b)
    }

    /// Whether `job` waits only on its lane's pace: it is as good as on
    /// its way, unlike one waiting out a failure.
    fn only_paced(&self, job: JobId, lane: &Lane, now: Instant) -> bool {
        self.job_ready.get(&job).is_none_or(|at| *at <= now)
            && self.lane_ready.get(lane).is_some_and(|(_, paced)| *paced)
    }
}

async fn run(inner: Arc<Inner>) {
    let signal = inner.store.outbox_signal().clone();
    let backoff = Backoff {
        initial: inner.settings.backoff_initial,
        max: inner.settings.backoff_max,
    };
    let mut lanes = Lanes::default();
    let mut in_flight: JoinSet<Outcome> = JoinSet::new();
    // What each delivery task is about, so that even one that panicked
    // frees its job and lane (and is tried again) instead of wedging them.
    let mut tasks: Tasks = HashMap::new();
    loop {
        // Registered before looking, so a write made while looking wakes
        // the next wait instead of being missed.
        let notified = signal.notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let seen = signal.written();
        let now = Instant::now();
        let (next, ready_left) = start_ready(
            &inner,
            &mut lanes,
            &mut in_flight,
            &mut tasks,
            now,
            &backoff,
        )
        .await;
        inner.progress.send_replace(Progress {
            seen,
            idle: in_flight.is_empty() && !ready_left,
            standby: false,
        });
        let sleep =
            tokio::time::sleep_until(next.unwrap_or_else(|| now + Duration::from_secs(3600)));
        tokio::select! {
            _ = &mut notified => {}
            Some(done) = in_flight.join_next_with_id() => {
                let (id, outcome) = match done {
                    Ok((id, outcome)) => (id, outcome),
                    Err(e) => {
                        tracing::error!(error = %e, "a chat delivery task died; it will be tried again");
                        (e.id(), Outcome::Failed { retry_after: None, blocked: None })
                    }
                };
                if let Some((job, seq, lane)) = tasks.remove(&id) {
                    settle(&inner, &mut lanes, &backoff, job, seq, lane, outcome);
                }
            }
            _ = sleep => {}
        }
    }
}

/// What each delivery task is about: its job, entry and lane.
type Tasks = HashMap<tokio::task::Id, (JobId, u64, Lane)>;

/// Starts a delivery for every job whose next message may go now (its job
/// and lane free, its pace and backoff past); says when to look again and
/// whether ready work was left waiting for a busy lane.
async fn start_ready(
    inner: &Arc<Inner>,
    lanes: &mut Lanes,
    in_flight: &mut JoinSet<Outcome>,
    tasks: &mut Tasks,
    now: Instant,
    backoff: &Backoff,
) -> (Option<Instant>, bool) {
    let mut next: Option<Instant> = None;
    let mut ready_left = false;
    match inner.store.outbox_heads().await {
        Ok(mut heads) => {
            let waiting: HashSet<JobId> = heads.iter().map(|h| h.job).collect();
            lanes.served.retain(|job, _| waiting.contains(job));
            heads.sort_by_key(|h| lanes.served.get(&h.job).copied().unwrap_or(0));
            for head in heads {
                if lanes.busy_jobs.contains(&head.job) {
                    continue;
                }
                let job = match inner.store.get(head.job).await {
                    Ok(Some(job)) => job,
                    Ok(None) => {
                        tracing::warn!(job = %head.job, "an outbox entry for a job that is not stored; dropping it");
                        let _ = inner.store.outbox_discard(head.job, head.seq).await;
                        continue;
                    }
                    Err(e) => {
                        tracing::warn!(job = %head.job, error = %e, "could not read a job to deliver its messages");
                        continue;
                    }
                };
                let lane = Lane {
                    platform: job.conversation().platform,
                    channel: channel_of(&job).to_owned(),
                };
                if lanes.busy_lanes.contains(&lane) {
                    ready_left = true;
                    continue;
                }
                if let Some(at) = lanes.ready_at(head.job, &lane).filter(|at| *at > now) {
                    next = Some(next.map_or(at, |n| n.min(at)));
                    ready_left |= lanes.only_paced(head.job, &lane, now);
                    continue;
                }
                lanes.deliveries += 1;
                lanes.served.insert(head.job, lanes.deliveries);
                lanes.busy_jobs.insert(head.job);
                lanes.busy_lanes.insert(lane.clone());
                let inner = inner.clone();
                let about = (head.job, head.seq, lane);
                let task = in_flight.spawn(async move { send(&inner, head, job).await });
                tasks.insert(task.id(), about);
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "could not read the outbox; looking again shortly");
            next = Some(now + backoff.initial);
        }
    }
    (next, ready_left)
}

/// Books a finished delivery: frees its job and lane, and sets when each
/// may go again.
fn settle(
    inner: &Inner,
    lanes: &mut Lanes,
    backoff: &Backoff,
    job: JobId,
    seq: u64,
    lane: Lane,
    outcome: Outcome,
) {
    lanes.busy_jobs.remove(&job);
    lanes.busy_lanes.remove(&lane);
    inner
        .metrics
        .delivery(lane.platform, matches!(outcome, Outcome::Delivered));
    let now = Instant::now();
    match outcome {
        Outcome::Delivered => {
            lanes.failures.remove(&(job, seq));
            lanes.job_ready.remove(&job);
            let pace = inner.chat.pacing(lane.platform);
            if !pace.is_zero() {
                lanes.lane_ready.insert(lane, (now + pace, true));
            }
        }
        Outcome::Failed {
            retry_after,
            blocked,
        } => {
            let n = lanes.failures.entry((job, seq)).or_insert(0);
            *n += 1;
            let wait = match blocked {
                Some(b) if b.is_channel() => inner.settings.blocked_retry,
                _ => backoff.delay(*n - 1),
            };
            lanes.job_ready.insert(job, now + wait);
            if let Some(wait) = retry_after {
                lanes.lane_ready.insert(lane, (now + wait, false));
            }
        }
    }
}
