//! Jobs: a stored private-link request and everything that happened to it.
//!
//! A job carries its own record of the cloud resources it created or adopted,
//! so that retry resumes, and rollback removes exactly what this job owns and
//! nothing else.

use serde::{Deserialize, Serialize};

use super::command::CreateRequest;
use super::ids::{AccountId, ClusterId, EndpointId, JobId, UserRef};
use super::plan::Finding;
use crate::i18n::Locale;

mod state;
pub use state::{JobState, StateKey, Step, Teardown};

/// Milliseconds since the Unix epoch. Stored as a plain number so that the
/// record stays readable and independent of any time crate.
pub type Millis = u64;

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
    pub account: Option<AccountId>,
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
