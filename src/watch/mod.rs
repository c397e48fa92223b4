//! The drift watch: every so often, every succeeded job's link is read
//! again (`observe`, with as few calls as the providers allow) and judged
//! against what the job made (`domain::drift`). A drift confirmed by two
//! checks in a row is told once in the job's thread, and the card shows
//! it; a link that holds again is told restored. Reads that fail are tried
//! at the next sweep and tell nothing; refused reads are kept on the job
//! for `status`.
//!
//! The watch only reads: it never changes a resource, and it leaves alone
//! a job whose VPC and region another job holds (its steps are running).

mod observe;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;

use crate::cards;
use crate::domain::audit::{Action, Actor, AuditEvent, Outcome};
use crate::domain::drift::{self, Drift, News};
use crate::domain::ids::{EndpointId, JobId, RoleArn, ZillizRegion};
use crate::domain::job::{Change, Job, JobState, Origin, StateKey};
use crate::metrics::Metrics;
use crate::ports::chat::Outgoing;
use crate::ports::clock::Clock;
use crate::ports::cloud::{CloudAccess, Vendor};
use crate::store::{Admission, Store};

/// `[watch]` in the config.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WatchSettings {
    /// Off: no sweep runs (a check still runs on `verify`).
    pub enabled: bool,
    /// Between two checks of one link; each link waits up to a tenth
    /// more, spread by its job, so that links made together are not
    /// checked in step.
    #[serde(with = "humantime_serde")]
    pub interval: Duration,
}

impl Default for WatchSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            interval: Duration::from_secs(6 * 60 * 60),
        }
    }
}

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    /// Succeeded jobs checked.
    pub checked: usize,
    /// Left for the next sweep: another job holds their VPC and region,
    /// or the engine has work in their account and region.
    pub skipped: usize,
    /// Calls to AWS and Zilliz Cloud the sweep made.
    pub calls: usize,
    /// Jobs whose link is known out of shape after it.
    pub drifted: usize,
}

/// Why a job's link was not checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unwatched {
    NoSuchJob,
    /// Only a succeeded job's link is watched.
    NotSucceeded(JobState),
    /// It moved on while it was read.
    Moved,
    Store(String),
}

pub struct Watch {
    metrics: Arc<Metrics>,
    store: Arc<Store>,
    cloud: Arc<dyn CloudAccess>,
    vendor: Arc<dyn Vendor>,
    clock: Arc<dyn Clock>,
    settings: WatchSettings,
}

impl Watch {
    pub fn new(
        metrics: Arc<Metrics>,
        store: Arc<Store>,
        cloud: Arc<dyn CloudAccess>,
        vendor: Arc<dyn Vendor>,
        clock: Arc<dyn Clock>,
        settings: WatchSettings,
    ) -> Self {
        Self {
            metrics,
            store,
            cloud,
            vendor,
            clock,
            settings,
        }
    }

    /// Between two checks of one link.
    pub fn interval(&self) -> std::time::Duration {
        self.settings.interval
    }

    /// Checks every succeeded job's link once, due or not.
    pub async fn sweep(&self) -> Swept {
        self.sweep_where(|_| true).await
    }

    /// Checks the links due a check now: each every `interval`, spread
    /// by its job (see `Health::due_at`). One sweep's reads serve every
    /// link checked in it.
    pub async fn sweep_due(&self) -> Swept {
        let (now, every) = (self.clock.now(), self.interval_millis());
        self.sweep_where(|job| {
            let since = job
                .steps()
                .iter()
                .filter_map(|s| s.finished_at)
                .max()
                .unwrap_or(job.created_at());
            now >= job.health().due_at(since, every, job.id().number())
        })
        .await
    }

    fn interval_millis(&self) -> u64 {
        u64::try_from(self.settings.interval.as_millis()).unwrap_or(u64::MAX)
    }

    async fn sweep_where(&self, due: impl Fn(&Job) -> bool) -> Swept {
        let mut swept = Swept::default();
        // A link handed over to Terraform is still read and told: only
        // the repair is no longer the bot's.
        const WATCHED: [StateKey; 2] = [StateKey::Succeeded, StateKey::HandedOver];
        let jobs = match self.store.jobs_in_states(&WATCHED).await {
            Ok(jobs) => jobs,
            Err(e) => {
                tracing::warn!(error = %e, "the drift watch could not list the succeeded jobs");
                return swept;
            }
        };
        // The watch comes last: where the engine has work (an account
        // and region a job is running, repairing or tearing down in), its
        // reads wait for the next tick rather than share the provider's
        // limits with the steps.
        let busy: HashSet<(ZillizRegion, Option<RoleArn>)> =
            match self.store.jobs_in_states(&StateKey::OWED_WORK).await {
                Ok(owed) => owed.iter().map(account_and_region).collect(),
                Err(e) => {
                    tracing::warn!(error = %e, "the drift watch could not list the jobs at work");
                    return swept;
                }
            };
        let mut watched = Vec::with_capacity(jobs.len());
        for job in jobs.into_iter().filter(|j| due(j)) {
            if busy.contains(&account_and_region(&job)) {
                swept.skipped += 1;
                continue;
            }
            match self.store.slot_holder(&job.slot()).await {
                Ok(None) => watched.push(job),
                Ok(Some(_)) | Err(_) => swept.skipped += 1,
            }
        }
        if watched.is_empty() {
            return swept;
        }
        let mut sweep = observe::Sweep::new(self.cloud.as_ref(), self.vendor.as_ref());
        sweep.read_shared(&watched).await;
        let tellers = endpoint_tellers(&watched);
        for job in &watched {
            let observed = sweep.observed(job).await;
            let check = drift::judge(job.resources(), &observed);
            let told_by = job
                .resources()
                .endpoint
                .as_ref()
                .and_then(|e| tellers.get(&e.id).copied())
                .filter(|teller| *teller != job.id());
            if let Some(after) = self.record(job, check, told_by).await {
                swept.checked += 1;
                swept.drifted += usize::from(after.health().is_drifted());
            }
        }
        swept.calls = sweep.calls;
        let in_shape = swept.checked - swept.drifted;
        self.metrics.swept(swept.calls, in_shape, swept.drifted);
        tracing::info!(?swept, "drift sweep done");
        swept
    }

    /// Checks one job's link now (`verify`): the job as kept after, and
    /// what this check found. The check counts as the watch's: a drift it
    /// sees is told once the next check sees it too.
    pub async fn verify(&self, id: JobId) -> Result<(Job, drift::Check), Unwatched> {
        let job = match self.store.get(id).await {
            Ok(Some(job)) => job,
            Ok(None) => return Err(Unwatched::NoSuchJob),
            Err(e) => return Err(Unwatched::Store(e.to_string())),
        };
        if !matches!(
            job.state(),
            JobState::Succeeded | JobState::HandedOver { .. }
        ) {
            return Err(Unwatched::NotSucceeded(job.state().clone()));
        }
        let mut sweep = observe::Sweep::new(self.cloud.as_ref(), self.vendor.as_ref());
        sweep.read_shared(std::slice::from_ref(&job)).await;
        let observed = sweep.observed(&job).await;
        let check = drift::judge(job.resources(), &observed);
        let told_by = job.health().endpoint_told_by;
        match self.record(&job, check.clone(), told_by).await {
            Some(after) => Ok((after, check)),
            None => Err(Unwatched::Moved),
        }
    }

    /// Keeps the check on the job, with what it tells in chat, in one
    /// change; the job as it is after, if the change was made.
    async fn record(&self, job: &Job, check: drift::Check, told_by: Option<JobId>) -> Option<Job> {
        let now = self.clock.now();
        let event = AuditEvent {
            at: now,
            job: Some(job.id()),
            actor: Actor::Bot,
            action: Action::DriftChecked,
            outcome: Outcome::Unstated,
            rule: None,
        };
        let change = Change::Checked(now, check, told_by);
        let said = self
            .store
            .update_saying(Admission::Owed, job.id(), event, change, says)
            .await;
        match said {
            Ok(after) => Some(after),
            Err(e) => {
                // Moved on since it was read (a delete, say): not watched.
                tracing::debug!(job = %job.id(), error = %e, "a drift check was not kept");
                None
            }
        }
    }

    /// Checks the links that are due, every few minutes (a twelfth of
    /// the interval, between one and thirty minutes), until the task is
    /// stopped; never returns.
    pub async fn run(self: Arc<Self>) {
        if !self.settings.enabled {
            return std::future::pending().await;
        }
        let tick = (self.settings.interval / 12)
            .clamp(Duration::from_secs(60), Duration::from_secs(30 * 60));
        loop {
            tokio::time::sleep(tick).await;
            self.sweep_due().await;
        }
    }
}

/// Where a job's calls go: its region, as its role (its account) or the
/// bot's own.
fn account_and_region(job: &Job) -> (ZillizRegion, Option<RoleArn>) {
    let r = job.request();
    (r.region.clone(), r.role.clone())
}

/// The job whose thread tells each shared endpoint's drift: the one that
/// made it, else the oldest using it. One report, however many jobs use
/// the endpoint; the others' cards point there.
fn endpoint_tellers(jobs: &[Job]) -> HashMap<EndpointId, JobId> {
    let mut tellers: HashMap<EndpointId, (bool, JobId)> = HashMap::new();
    for job in jobs {
        let Some(e) = &job.resources().endpoint else {
            continue;
        };
        let candidate = (e.origin != Origin::Created, job.id());
        tellers
            .entry(e.id.clone())
            .and_modify(|best| *best = (*best).min(candidate))
            .or_insert(candidate);
    }
    tellers.into_iter().map(|(e, (_, id))| (e, id)).collect()
}

/// What a check tells in chat: a drift, once, or that the link holds
/// again; with the card, which shows it. A shared endpoint's drift is
/// told in its teller's thread only.
fn says(job: &Job) -> Vec<Outgoing> {
    match &job.health().news {
        News::Quiet => Vec::new(),
        News::Drifted(drifts) => {
            let own: Vec<Drift> = match job.health().endpoint_told_by {
                Some(_) => drifts
                    .iter()
                    .filter(|d| !d.is_the_endpoints())
                    .cloned()
                    .collect(),
                None => drifts.clone(),
            };
            if own.is_empty() {
                return vec![Outgoing::Card];
            }
            vec![Outgoing::Note(cards::drifted(job, &own)), Outgoing::Card]
        }
        News::Restored => vec![Outgoing::Note(cards::restored(job)), Outgoing::Card],
    }
}
