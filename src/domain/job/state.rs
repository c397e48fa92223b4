//! Where a job is: its steps in order, its state and the state's kind (the
//! stored index key and the audit outcome). Which state follows which is
//! `lifecycle`'s to say.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::i18n::{Arg, Locale, Text};
use crate::text;

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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Teardown {
    Rollback,
    Delete,
}

/// Where a job is in its life. Which state follows which is decided by
/// `Job::apply` (see `lifecycle`), never by assigning to this field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobState {
    PendingApproval,
    Approved,
    Running {
        step: Step,
    },
    Succeeded,
    /// A succeeded job's link drifted and someone asked for it back: the
    /// create steps run again from the earliest one whose fact drifted
    /// (`drift::repair::plan`), each an ensure, then `Succeeded` again.
    Repairing {
        step: Step,
    },
    /// A succeeded link handed over to Terraform: the bot no longer
    /// changes it (no delete, rollback or repair); the watch still reads
    /// it and tells its drift.
    HandedOver {
        at: super::Millis,
        by: crate::domain::ids::UserRef,
    },
    /// A create step failed: retry resumes from it, rollback undoes the job.
    Failed {
        step: Step,
        /// What went wrong: our words as a catalogue key, the provider's
        /// apart, rendered in the reader's language when shown.
        error: Text,
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
        error: Text,
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
    Repairing,
    HandedOver,
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
    pub const ALL: [StateKey; 15] = [
        StateKey::PendingApproval,
        StateKey::Approved,
        StateKey::Running,
        StateKey::Succeeded,
        StateKey::Repairing,
        StateKey::HandedOver,
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
    pub const OWED_WORK: [StateKey; 5] = [
        StateKey::Approved,
        StateKey::Running,
        StateKey::Repairing,
        StateKey::RollingBack,
        StateKey::Deleting,
    ];

    /// The kind a stable name names (see [`StateKey::as_str`]).
    pub fn parse(word: &str) -> Option<StateKey> {
        StateKey::ALL.into_iter().find(|k| k.as_str() == word)
    }

    /// A short, stable name: the stored index key and the audit outcome.
    pub fn as_str(self) -> &'static str {
        match self {
            StateKey::PendingApproval => "pending_approval",
            StateKey::Approved => "approved",
            StateKey::Running => "running",
            StateKey::Succeeded => "succeeded",
            StateKey::Repairing => "repairing",
            StateKey::HandedOver => "handed_over",
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
            JobState::Repairing { .. } => StateKey::Repairing,
            JobState::HandedOver { .. } => StateKey::HandedOver,
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
            JobState::Repairing { step } => text!("state-repairing", step = step.text()),
            JobState::HandedOver { by, .. } => text!("state-handed-over", by = by),
            JobState::Failed { step, error } => {
                text!("state-failed", step = step.text(), error = error.clone())
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
            } => text!("state-rollback-failed", error = error.clone()),
            JobState::TeardownFailed {
                reason: Teardown::Delete,
                error,
            } => text!("state-delete-failed", error = error.clone()),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owed_work_keys_are_the_keys_of_the_owed_states() {
        let owed = [
            JobState::Approved,
            JobState::Running { step: Step::Verify },
            JobState::Repairing {
                step: Step::UpsertRecords,
            },
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
