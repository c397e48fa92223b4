//! Jobs: a stored private-link request and everything that happened to it.
//!
//! A job carries its own record of the cloud resources it created or adopted,
//! so that retry resumes, and rollback removes exactly what this job owns and
//! nothing else.

use serde::{Deserialize, Serialize};

use super::command::CreateRequest;
use super::drift::Health;
use super::ids::{AccountId, ChannelId, ClusterId, EndpointId, JobId, UserRef, ZoneId};
use super::plan::Finding;
use crate::i18n::Locale;

mod change;
mod handoff;
pub mod lifecycle;
mod refusal;
mod repair;
mod state;
pub use change::Change;
pub use state::{JobState, StateKey, Step, Teardown};

/// Milliseconds since the Unix epoch. Stored as a plain number so that the
/// record stays readable and independent of any time crate.
pub type Millis = u64;

/// Whether the job made a resource or found it already there. Teardown removes
/// only what the job made or explicitly adopted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Created,
    Adopted,
}

/// The VPC endpoint the job owns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointRecord {
    pub id: EndpointId,
    pub origin: Origin,
    pub dns_name: Option<String>,
    pub hosted_zone_id: Option<ZoneId>,
}

/// One cluster's DNS: its private link host, the zone named after it and the
/// alias record in that zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterDns {
    pub cluster: ClusterId,
    pub private_link_address: String,
    pub host: String,
    pub zone_id: Option<ZoneId>,
    pub zone_origin: Option<Origin>,
    pub record: bool,
}

/// Everything the job has made, adopted or learnt, recorded as it happens.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resources {
    pub endpoint_service: Option<String>,
    /// The service admits only allowed AWS accounts (Zilliz's
    /// `whitelistRequired`): the job allows its account in first.
    pub whitelist_required: bool,
    pub endpoint: Option<EndpointRecord>,
    /// Whether the job registered the endpoint with Zilliz itself (false when
    /// it found the registration already there).
    pub registration: Option<Origin>,
    pub clusters: Vec<ClusterDns>,
}

/// What a step did, as stored: started and, once done, finished.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRecord {
    pub step: Step,
    pub started_at: Millis,
    pub finished_at: Option<Millis>,
    pub note: Option<String>,
}

/// A chat message the job is attached to (its approval card), as the
/// platform identifies it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MessageRef {
    pub platform: super::ids::Platform,
    pub channel: ChannelId,
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
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Thread {
    pub progress: Option<MessageRef>,
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    pub platform: super::ids::Platform,
    pub channel: ChannelId,
}

/// A private-link job. Its fields are private: a job is made pending
/// ([`Job::pending`]), changed only by [`Job::change`] (the life cycle's
/// [`Transition`](super::lifecycle::Transition)s and the few records that
/// are not transitions), and rebuilt from its stored parts by the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    id: JobId,
    request: CreateRequest,
    requester: UserRef,
    conversation: Conversation,
    card: Option<MessageRef>,
    thread: Thread,
    state: JobState,
    created_at: Millis,
    expires_at: Millis,
    decided_by: Option<UserRef>,
    findings: Vec<Finding>,
    account: Option<AccountId>,
    steps: Vec<StepRecord>,
    resources: Resources,
    cancel_requested: bool,
    version: u64,
    locale: Locale,
    health: Health,
    guard: Guard,
}

/// What a new job starts from: a request waiting for approval.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub id: JobId,
    pub request: CreateRequest,
    pub requester: UserRef,
    pub conversation: Conversation,
    pub created_at: Millis,
    pub expires_at: Millis,
    pub findings: Vec<Finding>,
    pub account: Option<AccountId>,
    /// What preflight learnt (the endpoint service, whether it needs the
    /// account allowed in).
    pub resources: Resources,
    pub locale: Locale,
    /// The rule the request matched, and what it needs.
    pub guard: Guard,
}

/// A job's every field, in the open: what a store's record converts to
/// and from, and what a test builds a job in a given state from. Nothing
/// else names it (`tests/it/architecture.rs` keeps that), so that state
/// changes only by [`Job::change`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobParts {
    pub id: JobId,
    pub request: CreateRequest,
    pub requester: UserRef,
    pub conversation: Conversation,
    pub card: Option<MessageRef>,
    pub thread: Thread,
    pub state: JobState,
    pub created_at: Millis,
    pub expires_at: Millis,
    pub decided_by: Option<UserRef>,
    pub findings: Vec<Finding>,
    pub account: Option<AccountId>,
    pub steps: Vec<StepRecord>,
    pub resources: Resources,
    pub cancel_requested: bool,
    /// The number of stored changes, set by the store in the transaction
    /// that makes each one.
    pub version: u64,
    pub locale: Locale,
    /// What the drift watch knows of the link (succeeded jobs).
    pub health: Health,
    /// The rule the request was made under and the approvals it has.
    pub guard: Guard,
}

/// The guardrail a job was requested under (`domain::rules`): the rule's
/// name, how many distinct approvals each change needs (fixed at request
/// time, so a later config change does not move a job's bar), and who
/// approved its create so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Guard {
    pub rule: Option<String>,
    pub needed: crate::domain::rules::Approvals,
    pub approvals: Vec<UserRef>,
    /// Who asked to delete the link so far, while more must.
    pub deleting: Vec<UserRef>,
    /// Who asked to repair the link so far, while more must.
    pub repairing: Vec<UserRef>,
}

impl Job {
    /// A request waiting for approval, not yet stored (version 0).
    pub fn pending(new: NewJob) -> Job {
        Job {
            id: new.id,
            request: new.request,
            requester: new.requester,
            conversation: new.conversation,
            card: None,
            thread: Thread::default(),
            state: JobState::PendingApproval,
            created_at: new.created_at,
            expires_at: new.expires_at,
            decided_by: None,
            findings: new.findings,
            account: new.account,
            steps: Vec::new(),
            resources: new.resources,
            cancel_requested: false,
            version: 0,
            locale: new.locale,
            health: Health::default(),
            guard: new.guard,
        }
    }

    /// A job as its parts say (the store, reading a record).
    pub fn from_parts(p: JobParts) -> Job {
        Job {
            id: p.id,
            request: p.request,
            requester: p.requester,
            conversation: p.conversation,
            card: p.card,
            thread: p.thread,
            state: p.state,
            created_at: p.created_at,
            expires_at: p.expires_at,
            decided_by: p.decided_by,
            findings: p.findings,
            account: p.account,
            steps: p.steps,
            resources: p.resources,
            cancel_requested: p.cancel_requested,
            version: p.version,
            locale: p.locale,
            health: p.health,
            guard: p.guard,
        }
    }

    /// The job's parts (the store, writing a record).
    pub fn into_parts(self) -> JobParts {
        JobParts {
            id: self.id,
            request: self.request,
            requester: self.requester,
            conversation: self.conversation,
            card: self.card,
            thread: self.thread,
            state: self.state,
            created_at: self.created_at,
            expires_at: self.expires_at,
            decided_by: self.decided_by,
            findings: self.findings,
            account: self.account,
            steps: self.steps,
            resources: self.resources,
            cancel_requested: self.cancel_requested,
            version: self.version,
            locale: self.locale,
            health: self.health,
            guard: self.guard,
        }
    }

    pub fn id(&self) -> JobId {
        self.id
    }

    pub fn request(&self) -> &CreateRequest {
        &self.request
    }

    pub fn requester(&self) -> &UserRef {
        &self.requester
    }

    /// Where the request came from and where its card lives.
    pub fn conversation(&self) -> &Conversation {
        &self.conversation
    }

    /// Where the approval card was posted, once it was.
    pub fn card(&self) -> Option<&MessageRef> {
        self.card.as_ref()
    }

    /// The living messages in the card's thread (the progress checklist,
    /// long waits' notes), once posted.
    pub fn thread(&self) -> &Thread {
        &self.thread
    }

    pub fn state(&self) -> &JobState {
        &self.state
    }

    pub fn created_at(&self) -> Millis {
        self.created_at
    }

    /// When an undecided request expires.
    pub fn expires_at(&self) -> Millis {
        self.expires_at
    }

    /// Who approved, rejected or withdrew the request.
    pub fn decided_by(&self) -> Option<&UserRef> {
        self.decided_by.as_ref()
    }

    /// What preflight found, shown on the card.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// The AWS account of the VPC, once known.
    pub fn account(&self) -> Option<&AccountId> {
        self.account.as_ref()
    }

    pub fn steps(&self) -> &[StepRecord] {
        &self.steps
    }

    /// Everything the job has made, adopted or learnt.
    pub fn resources(&self) -> &Resources {
        &self.resources
    }

    /// Whether `cancel` asked a running job to stop at its next step.
    pub fn cancel_requested(&self) -> bool {
        self.cancel_requested
    }

    /// The number of stored changes. Cards carry it, so an older rendering
    /// never replaces a newer one (`chat::ordered`).
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The language of the job's card and thread: the workspace's or
    /// guild's where the platform says, else the configured one.
    pub fn locale(&self) -> Locale {
        self.locale
    }

    /// What the drift watch knows of the link.
    pub fn health(&self) -> &Health {
        &self.health
    }

    /// The rule the job was requested under and its approvals.
    pub fn guard(&self) -> &Guard {
        &self.guard
    }

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
