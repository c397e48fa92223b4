//! Jobs as the store keeps them: versioned record types, apart from the
//! domain's [`Job`], converting to and from it. The domain may change its
//! shape freely; what is on disk changes only here, with a new schema
//! number and the conversion from the old one.
//!
//! Schema 1 is the first numbered one; 2 adds the drift watch's `health`; 3 the
//! guardrail (`guard`: the rule and the approvals). Records written before numbering
//! (read as schema 0) differ in three ways, all handled here and nowhere
//! else: fields added since (the thread, the language, whether the service
//! needs whitelisting) are absent; failures and findings may be plain
//! English instead of a catalogue key; and a teardown that failed was
//! stored as `failed` with every create step finished. A record from a
//! newer schema than this version knows is refused, never half read.

mod health;
mod parts;
mod resources;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::domain::command::CreateRequest;
use crate::domain::ids::{AccountId, JobId, UserRef};
use crate::domain::job::{Guard, Job, JobParts, JobState, Millis, Teardown};
use crate::i18n::Locale;
use health::HealthRecord;
use parts::{
    ConversationRecord, FindingRecord, MessageRefRecord, StateRecord, StepRecordRecord,
    ThreadRecord,
};
use resources::ResourcesRecord;

/// The schema this version writes. 2 added what the drift watch knows
/// (`health`), absent before: never checked.
pub const SCHEMA: u32 = 3;

/// Why a stored record cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("not a job record: {0}")]
    Json(#[from] serde_json::Error),
    #[error("written by a newer version (schema {found}; this version reads up to {SCHEMA})")]
    Newer { found: u32 },
}

/// A job as stored, schema 1 (and, read leniently, the records before).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct JobRecord {
    /// Absent in records written before schemas were numbered.
    #[serde(default)]
    schema: u32,
    id: JobId,
    request: CreateRequest,
    requester: UserRef,
    conversation: ConversationRecord,
    card: Option<MessageRefRecord>,
    #[serde(default)]
    thread: ThreadRecord,
    state: StateRecord,
    created_at: Millis,
    expires_at: Millis,
    decided_by: Option<UserRef>,
    findings: Vec<FindingRecord>,
    account: Option<AccountId>,
    steps: Vec<StepRecordRecord>,
    resources: ResourcesRecord,
    cancel_requested: bool,
    version: u64,
    /// Absent before the bot spoke two languages: those jobs are English.
    #[serde(default)]
    locale: Locale,
    /// Schema 2.
    #[serde(default)]
    health: HealthRecord,
    /// Schema 3; absent before: no rule, one approval each.
    #[serde(default)]
    guard: GuardRecord,
}

/// The rule a job was requested under and its approvals, as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct GuardRecord {
    #[serde(default)]
    rule: Option<String>,
    #[serde(default = "one")]
    create: u8,
    #[serde(default = "one")]
    delete: u8,
    #[serde(default = "one")]
    repair: u8,
    #[serde(default)]
    approvals: Vec<UserRef>,
    #[serde(default)]
    deleting: Vec<UserRef>,
    #[serde(default)]
    repairing: Vec<UserRef>,
}

fn one() -> u8 {
    1
}

impl Default for GuardRecord {
    fn default() -> Self {
        Guard::default().into()
    }
}

impl From<Guard> for GuardRecord {
    fn from(g: Guard) -> Self {
        Self {
            rule: g.rule,
            create: g.needed.create,
            delete: g.needed.delete,
            repair: g.needed.repair,
            approvals: g.approvals,
            deleting: g.deleting,
            repairing: g.repairing,
        }
    }
}

impl From<GuardRecord> for Guard {
    fn from(g: GuardRecord) -> Self {
        Self {
            rule: g.rule,
            needed: crate::domain::rules::Approvals {
                create: g.create,
                delete: g.delete,
                repair: g.repair,
            },
            approvals: g.approvals,
            deleting: g.deleting,
            repairing: g.repairing,
        }
    }
}

/// `job` as stored bytes, at `version`.
pub fn encode(job: &Job, version: u64) -> Result<Vec<u8>, serde_json::Error> {
    let p = job.clone().into_parts();
    let record = JobRecord {
        schema: SCHEMA,
        id: p.id,
        request: p.request,
        requester: p.requester,
        conversation: p.conversation.into(),
        card: p.card.map(Into::into),
        thread: p.thread.into(),
        state: p.state.into(),
        created_at: p.created_at,
        expires_at: p.expires_at,
        decided_by: p.decided_by,
        findings: p.findings.into_iter().map(Into::into).collect(),
        account: p.account,
        steps: p.steps.into_iter().map(Into::into).collect(),
        resources: p.resources.into(),
        cancel_requested: p.cancel_requested,
        version,
        locale: p.locale,
        health: p.health.into(),
        guard: p.guard.into(),
    };
    serde_json::to_vec(&record)
}

/// The job stored as `bytes`.
pub fn decode(bytes: &[u8]) -> Result<Job, RecordError> {
    let r: JobRecord = serde_json::from_slice(bytes)?;
    if r.schema > SCHEMA {
        return Err(RecordError::Newer { found: r.schema });
    }
    let steps: Vec<_> = r.steps.into_iter().map(Into::into).collect();
    let mut state: JobState = r.state.into();
    if r.schema == 0 {
        state = from_before_teardown_failed(state, &steps);
    }
    Ok(Job::from_parts(JobParts {
        id: r.id,
        request: r.request,
        requester: r.requester,
        conversation: r.conversation.into(),
        card: r.card.map(Into::into),
        thread: r.thread.into(),
        state,
        created_at: r.created_at,
        expires_at: r.expires_at,
        decided_by: r.decided_by,
        findings: r.findings.into_iter().map(Into::into).collect(),
        account: r.account,
        steps,
        resources: r.resources.into(),
        cancel_requested: r.cancel_requested,
        version: r.version,
        locale: r.locale,
        health: r.health.into(),
        guard: r.guard.into(),
    }))
}

/// Before `teardown_failed` existed, a failed delete was stored as
/// `failed`. Only a succeeded job is deleted, and only a succeeded job has
/// every create step finished: such a `failed` is a failed delete, and
/// reads as one (so retry refuses it, and delete finishes it).
fn from_before_teardown_failed(
    state: JobState,
    steps: &[crate::domain::job::StepRecord],
) -> JobState {
    let all_finished = crate::domain::job::Step::ALL.iter().all(|s| {
        steps
            .iter()
            .any(|r| r.step == *s && r.finished_at.is_some())
    });
    match state {
        JobState::Failed { error, .. } if all_finished => JobState::TeardownFailed {
            reason: Teardown::Delete,
            error,
        },
        state => state,
    }
}
