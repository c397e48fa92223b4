//! Jobs: a stored private-link request and everything that happened to it.
//!
//! A job carries its own record of the cloud resources it created or adopted,
//! so that retry resumes, and rollback removes exactly what this job owns and
//! nothing else.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::command::CreateRequest;
use super::ids::{ClusterId, EndpointId, JobId, UserRef};
use super::plan::Finding;
use crate::i18n::{Arg, Locale, Text};
use crate::text;

/// Milliseconds since the Unix epoch. Stored as a plain number so that the
/// record stays readable and independent of any time crate.
pub type Millis = u64;

/// The steps of a create job, in order (the design's table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    ResolveService,
    EnsureEndpoint,
    EnsureRegistration,
    WaitAccepted,
    ReadAddresses,
    EnsureZones,
    UpsertRecords,
    Verify,
}

impl Step {
    pub const ALL: [Step; 8] = [
        Step::ResolveService,
        Step::EnsureEndpoint,
        Step::EnsureRegistration,
        Step::WaitAccepted,
        Step::ReadAddresses,
        Step::EnsureZones,
        Step::UpsertRecords,
        Step::Verify,
    ];

    pub fn number(self) -> usize {
        Step::ALL.iter().position(|s| *s == self).unwrap_or(0) + 1
    }

    /// A short, stable name (metrics labels, logs).
    pub fn name(self) -> &'static str {
        match self {
            Step::ResolveService => "resolve_service",
            Step::EnsureEndpoint => "ensure_endpoint",
            Step::EnsureRegistration => "ensure_registration",
            Step::WaitAccepted => "wait_accepted",
            Step::ReadAddresses => "read_addresses",
            Step::EnsureZones => "ensure_zones",
            Step::UpsertRecords => "upsert_records",
            Step::Verify => "verify",
        }
    }

    /// The catalogue key of what the step does.
    pub fn describe_key(self) -> &'static str {
        match self {
            Step::ResolveService => "step-resolve-service",
            Step::EnsureEndpoint => "step-ensure-endpoint",
            Step::EnsureRegistration => "step-ensure-registration",
            Step::WaitAccepted => "step-wait-accepted",
            Step::ReadAddresses => "step-read-addresses",
            Step::EnsureZones => "step-ensure-zones",
            Step::UpsertRecords => "step-upsert-records",
            Step::Verify => "step-verify",
        }
    }

    /// "3/8 register the endpoint with the Zilliz project", to be told in
    /// the reader's language.
    pub fn text(self) -> Text {
        text!(
            "step",
            number = self.number(),
            what = Arg::Message(self.describe_key().to_owned())
        )
    }

    pub fn next(self) -> Option<Step> {
        Step::ALL.get(self.number()).copied()
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text().render(Locale::En))
    }
}

/// Why a teardown runs: to undo a failed or cancelled job, or to remove a
/// private link that is no longer wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Teardown {
    Rollback,
    Delete,
}

/// Where a job is in its life. Which state follows which is decided by
/// `Job::apply` (see `lifecycle`), never by assigning to this field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum JobState {
    PendingApproval,
    Approved,
    Running {
        step: Step,
    },
    Succeeded,
    /// A create step failed: retry resumes from it, rollback undoes the job.
    Failed {
        step: Step,
        error: String,
    },
    Cancelled,
    Rejected,
    Expired,
    TearingDown {
        reason: Teardown,
    },
    /// A rollback or delete failed part-way. Never retried into a create:
    /// rolling back or deleting again finishes the teardown.
    TeardownFailed {
        reason: Teardown,
        error: String,
    },
    RolledBack,
    Deleted,
}

/// A state's kind, without its data: what indexes, filters and audit lines
/// name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StateKey {
    PendingApproval,
    Approved,
    Running,
    Succeeded,
    Failed,
    Cancelled,
    Rejected,
    Expired,
    RollingBack,
    Deleting,
    TeardownFailed,
    RolledBack,
    Deleted,
}

impl StateKey {
    pub const ALL: [StateKey; 13] = [
        StateKey::PendingApproval,
        StateKey::Approved,
        StateKey::Running,
        StateKey::Succeeded,
        StateKey::Failed,
        StateKey::Cancelled,
        StateKey::Rejected,
        StateKey::Expired,
        StateKey::RollingBack,
        StateKey::Deleting,
        StateKey::TeardownFailed,
        StateKey::RolledBack,
        StateKey::Deleted,
    ];

    /// The kinds of the states in which the engine owes the job work.
    pub const OWED_WORK: [StateKey; 4] = [
        StateKey::Approved,
        StateKey::Running,
        StateKey::RollingBack,
        StateKey::Deleting,
    ];

    /// A short, stable name: the stored index key and the audit outcome.
    pub fn as_str(self) -> &'static str {
        match self {
            StateKey::PendingApproval => "pending_approval",
            StateKey::Approved => "approved",
            StateKey::Running => "running",
            StateKey::Succeeded => "succeeded",
            StateKey::Failed => "failed",
            StateKey::Cancelled => "cancelled",
            StateKey::Rejected => "rejected",
            StateKey::Expired => "expired",
            StateKey::RollingBack => "rolling_back",
            StateKey::Deleting => "deleting",
            StateKey::TeardownFailed => "teardown_failed",
            StateKey::RolledBack => "rolled_back",
            StateKey::Deleted => "deleted",
        }
    }
}

impl fmt::Display for StateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl JobState {
    pub fn key(&self) -> StateKey {
        match self {
            JobState::PendingApproval => StateKey::PendingApproval,
            JobState::Approved => StateKey::Approved,
            JobState::Running { .. } => StateKey::Running,
            JobState::Succeeded => StateKey::Succeeded,
            JobState::Failed { .. } => StateKey::Failed,
            JobState::Cancelled => StateKey::Cancelled,
            JobState::Rejected => StateKey::Rejected,
            JobState::Expired => StateKey::Expired,
            JobState::TearingDown {
                reason: Teardown::Rollback,
            } => StateKey::RollingBack,
            JobState::TearingDown {
                reason: Teardown::Delete,
            } => StateKey::Deleting,
            JobState::TeardownFailed { .. } => StateKey::TeardownFailed,
            JobState::RolledBack => StateKey::RolledBack,
            JobState::Deleted => StateKey::Deleted,
        }
    }

    /// States in which the engine owes the job work; these are resumed at start.
    pub fn engine_owes_work(&self) -> bool {
        StateKey::OWED_WORK.contains(&self.key())
    }

    /// States that hold the (VPC, region) slot: one such job at a time.
    pub fn holds_slot(&self) -> bool {
        matches!(self, JobState::PendingApproval) || self.engine_owes_work()
    }
}

impl JobState {
    /// The state in words ("failed at step 2/8 …: …"), to be told in the
    /// reader's language.
    pub fn text(&self) -> Text {
        match self {
            JobState::PendingApproval => text!("state-pending-approval"),
            JobState::Approved => text!("state-approved"),
            JobState::Running { step } => text!("state-running", step = step.text()),
            JobState::Succeeded => text!("state-succeeded"),
            JobState::Failed { step, error } => {
                text!("state-failed", step = step.text(), error = error.as_str())
            }
            JobState::Cancelled => text!("state-cancelled"),
            JobState::Rejected => text!("state-rejected"),
            JobState::Expired => text!("state-expired"),
            JobState::TearingDown {
                reason: Teardown::Rollback,
            } => text!("state-rolling-back"),
            JobState::TearingDown {
                reason: Teardown::Delete,
            } => text!("state-deleting"),
            JobState::TeardownFailed {
                reason: Teardown::Rollback,
                error,
            } => text!("state-rollback-failed", error = error.as_str()),
            JobState::TeardownFailed {
                reason: Teardown::Delete,
                error,
            } => text!("state-delete-failed", error = error.as_str()),
            JobState::RolledBack => text!("state-rolled-back"),
            JobState::Deleted => text!("state-deleted"),
        }
    }
}

impl fmt::Display for JobState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text().render(Locale::En))
    }
}

/// Whether the job made a resource or found it already there. Teardown removes
/// only what the job made or explicitly adopted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    Created,
    Adopted,
}

/// The VPC endpoint the job owns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointRecord {
    pub id: EndpointId,
    pub origin: Origin,
    pub dns_name: Option<String>,
    pub hosted_zone_id: Option<String>,
}

/// One cluster's DNS: its private link host, the zone named after it and the
/// alias record in that zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterDns {
    pub cluster: ClusterId,
    pub private_link_address: String,
    pub host: String,
    pub zone_id: Option<String>,
    pub zone_origin: Option<Origin>,
    pub record: bool,
}

/// Everything the job has made, adopted or learnt, recorded as it happens.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resources {
    pub endpoint_service: Option<String>,
    /// The service admits only allowed AWS accounts (Zilliz's
    /// `whitelistRequired`): the job allows its account in first.
    #[serde(default)]
    pub whitelist_required: bool,
    pub endpoint: Option<EndpointRecord>,
    /// Whether the job registered the endpoint with Zilliz itself (false when
    /// it found the registration already there).
    pub registration: Option<Origin>,
    pub clusters: Vec<ClusterDns>,
}

/// What a step did, as stored: started and, once done, finished.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRecord {
    pub step: Step,
    pub started_at: Millis,
    pub finished_at: Option<Millis>,
    pub note: Option<String>,
}

/// A chat message the job is attached to (its approval card), as the
/// platform identifies it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MessageRef {
    pub platform: super::ids::Platform,
    pub channel: String,
    pub id: String,
}

/// A message in a card's thread that is posted once and edited after.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Living {
    /// The progress checklist.
    Progress,
    /// The "still waiting" note of one step.
    Wait(Step),
}

/// Where a job's living thread messages are, once posted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thread {
    #[serde(default)]
    pub progress: Option<MessageRef>,
    #[serde(default)]
    pub waits: Vec<(Step, MessageRef)>,
}

impl Thread {
    pub fn at(&self, which: Living) -> Option<&MessageRef> {
        match which {
            Living::Progress => self.progress.as_ref(),
            Living::Wait(step) => self
                .waits
                .iter()
                .find(|(s, _)| *s == step)
                .map(|(_, at)| at),
        }
    }

    pub fn record(&mut self, which: Living, at: MessageRef) {
        match which {
            Living::Progress => self.progress = Some(at),
            Living::Wait(step) => {
                self.waits.retain(|(s, _)| *s != step);
                self.waits.push((step, at));
            }
        }
    }
}

/// Where a request came from and where its card lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversation {
    pub platform: super::ids::Platform,
    pub channel: String,
}

/// A private-link job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    pub id: JobId,
    pub request: CreateRequest,
    pub requester: UserRef,
    pub conversation: Conversation,
    pub card: Option<MessageRef>,
    /// The living messages in the card's thread (the progress checklist,
    /// long waits' notes), once posted. Jobs from before them have none.
    #[serde(default)]
    pub thread: Thread,
    pub state: JobState,
    pub created_at: Millis,
    pub expires_at: Millis,
    pub decided_by: Option<UserRef>,
    pub findings: Vec<Finding>,
    pub account: Option<String>,
    pub steps: Vec<StepRecord>,
    pub resources: Resources,
    /// Set by `cancel` on a running job; the engine stops at the next step.
    pub cancel_requested: bool,
    /// The number of stored changes, set by the store in the transaction
    /// that makes each one. Cards carry it, so an older rendering never
    /// replaces a newer one (`chat::ordered`).
    pub version: u64,
    /// The language of the job's card and thread: the workspace's or
    /// guild's where the platform says, else the configured one. Jobs
    /// stored before the bot spoke two languages are English.
    #[serde(default)]
    pub locale: Locale,
}

impl Job {
    /// The key under which only one job may be active at a time.
    pub fn slot(&self) -> String {
        self.request.slot()
    }

    /// The step to run next: the first create step not yet finished.
    pub fn next_step(&self) -> Option<Step> {
        Step::ALL.into_iter().find(|s| {
            !self
                .steps
                .iter()
                .any(|r| r.step == *s && r.finished_at.is_some())
        })
    }
}

/// One line of the append-only audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub at: Millis,
    pub job: Option<JobId>,
    pub actor: String,
    pub action: String,
    pub outcome: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owed_work_keys_are_the_keys_of_the_owed_states() {
        let owed = [
            JobState::Approved,
            JobState::Running { step: Step::Verify },
            JobState::TearingDown {
                reason: Teardown::Rollback,
            },
            JobState::TearingDown {
                reason: Teardown::Delete,
            },
        ];
        assert!(owed.iter().all(JobState::engine_owes_work));
        let keys: Vec<StateKey> = owed.iter().map(JobState::key).collect();
        assert_eq!(keys, StateKey::OWED_WORK);
        assert!(!JobState::Succeeded.engine_owes_work());
        assert!(!JobState::PendingApproval.engine_owes_work());
    }

    #[test]
    fn state_keys_are_distinct() {
        let mut names: Vec<&str> = StateKey::ALL.iter().map(|k| k.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), StateKey::ALL.len());
    }
}
