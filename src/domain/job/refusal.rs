//! Why a transition was refused, as a value the caller decides on by
//! kind and tells the person who asked in their language.

use super::{JobState, Millis};
use crate::domain::ids::{JobId, UserRef};
use crate::domain::policy::Denied;
use crate::i18n::{Locale, Text};
use crate::text;

/// Why a transition was refused, told to the person who asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    AlreadyDecided {
        job: JobId,
        state: JobState,
        by: Option<UserRef>,
    },
    ExpiredUndecided(JobId),
    NotDue(JobId),
    NothingToCancel {
        job: JobId,
        state: JobState,
    },
    NotRetryable {
        job: JobId,
        state: JobState,
    },
    TeardownNotRetryable(JobId),
    NotRollbackable {
        job: JobId,
        state: JobState,
    },
    NotDeletable {
        job: JobId,
        state: JobState,
    },
    /// The engine's view of the job is out of date (someone moved it).
    Moved {
        job: JobId,
        state: JobState,
    },
    /// The policy does not let this person do it.
    Denied(Denied),
    /// Only a succeeded job's link is repaired or accepted.
    NotRepairable {
        job: JobId,
        state: JobState,
    },
    /// Nothing told drifted is the bot's to put back.
    NothingToRepair(JobId),
    /// Nothing is told drifted.
    NothingToAccept(JobId),
    /// The endpoint is shared and another job tells (and repairs) it.
    RepairElsewhere {
        job: JobId,
        other: JobId,
    },
    /// Terraform manages the link since it was handed over.
    ManagedByTerraform {
        job: JobId,
        since: Millis,
    },
    /// Only a succeeded link is handed over.
    NotHandable {
        job: JobId,
        state: JobState,
    },
    /// Only a handed-over link is taken back.
    NotHandedOver {
        job: JobId,
        state: JobState,
    },
    /// This approver's approval is already counted.
    AlreadyApproved {
        job: JobId,
        by: UserRef,
    },
}

impl From<Denied> for Refusal {
    fn from(d: Denied) -> Self {
        Refusal::Denied(d)
    }
}

impl Refusal {
    /// The refusal, to be told in the reader's language.
    pub fn text(&self) -> Text {
        match self {
            Refusal::AlreadyDecided { job, state, by } => match by {
                Some(by) => text!(
                    "refusal-already-decided-by",
                    job = job,
                    state = state.text(),
                    by = by
                ),
                None => text!("refusal-already-decided", job = job, state = state.text()),
            },
            Refusal::ExpiredUndecided(job) => text!("refusal-expired", job = job),
            Refusal::NotDue(job) => text!("refusal-not-due", job = job),
            Refusal::NothingToCancel { job, state } => {
                text!("refusal-nothing-to-cancel", job = job, state = state.text())
            }
            Refusal::NotRetryable { job, state } => {
                text!("refusal-not-retryable", job = job, state = state.text())
            }
            Refusal::TeardownNotRetryable(job) => {
                text!("refusal-teardown-not-retryable", job = job)
            }
            Refusal::NotRollbackable { job, state } => {
                text!("refusal-not-rollbackable", job = job, state = state.text())
            }
            Refusal::NotDeletable { job, state } => {
                text!("refusal-not-deletable", job = job, state = state.text())
            }
            Refusal::Moved { job, state } => {
                text!("refusal-moved", job = job, state = state.text())
            }
            Refusal::Denied(d) => d.0.clone(),
            Refusal::NotRepairable { job, state } => {
                text!("refusal-not-repairable", job = job, state = state.text())
            }
            Refusal::NothingToRepair(job) => text!("refusal-nothing-to-repair", job = job),
            Refusal::NothingToAccept(job) => text!("refusal-nothing-to-accept", job = job),
            Refusal::RepairElsewhere { job, other } => {
                text!("refusal-repair-elsewhere", job = job, other = other)
            }
            Refusal::ManagedByTerraform { job, since } => text!(
                "refusal-managed-by-terraform",
                job = job,
                since = crate::domain::words::rfc3339(*since)
            ),
            Refusal::NotHandable { job, state } => {
                text!("refusal-not-handable", job = job, state = state.text())
            }
            Refusal::NotHandedOver { job, state } => {
                text!("refusal-not-handed-over", job = job, state = state.text())
            }
            Refusal::AlreadyApproved { job, by } => {
                text!("refusal-already-approved", job = job, by = by)
            }
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text().render(Locale::En))
    }
}

impl std::error::Error for Refusal {}
