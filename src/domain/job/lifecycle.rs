//! The job's life cycle as pure rules: which transition is allowed in which
//! state, and what it does to the job.
//!
//! The service and the engine name a [`Transition`]; the store applies it
//! (as a [`Change`](super::Change), with [`Job::apply`]) inside the
//! transaction that persists it, against the
//! job as stored (after the policy has been checked against that same
//! stored job), so a decision made on a stale read is refused, never
//! applied to a state nobody looked at.

pub use super::refusal::Refusal;
use super::{Job, JobState, Millis, Resources, Step, StepRecord, Teardown};
use crate::domain::audit::Action;
use crate::domain::ids::{JobId, UserRef};
use crate::i18n::Text;

/// Something that may happen to a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    /// An approver approves a pending request.
    Approve { by: UserRef, at: Millis },
    /// An approver rejects a pending request.
    Reject { by: UserRef, at: Millis },
    /// Withdraw a pending request, or ask a running job to stop at its
    /// next step boundary.
    Cancel { by: UserRef },
    /// The approval window has passed.
    Expire { at: Millis },
    /// Run a failed create again from the failed step.
    Retry,
    /// Undo a failed or cancelled job, or finish a failed teardown.
    Rollback,
    /// Remove a private link that is no longer wanted (once as many
    /// distinct approvers as its rule needs asked), or finish a failed
    /// teardown.
    Delete { by: UserRef },
    /// The engine honours a requested cancel at a step boundary.
    StopCancelled,
    /// The engine starts `step`.
    EnterStep { step: Step, at: Millis },
    /// The engine finished `step`, with what it made and learnt.
    FinishStep {
        step: Step,
        resources: Resources,
        note: String,
        at: Millis,
    },
    /// The engine could not do `step`.
    FailStep { step: Step, error: Text },
    /// The teardown removed (or left, as shared) everything.
    FinishTeardown,
    /// The teardown failed part-way.
    FailTeardown { error: Text },
    /// Put a drifted link back (see `drift::repair`).
    Repair { by: UserRef, at: Millis },
    /// Move a link onto the endpoint another job's repair made in place
    /// of the one they shared.
    RepairShared { after: JobId },
    /// Accept what the watch told drifted as it is: it is not told again.
    AcceptDrift { by: UserRef },
    /// Hand a succeeded link over to Terraform (after its export).
    HandOver { by: UserRef, at: Millis },
    /// Take a handed-over link back under the bot's care.
    TakeBack { by: UserRef },
}

/// What an allowed transition did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The job moved to a new state.
    Moved,
    /// A cancel on a running job: the engine stops at the next boundary.
    CancelRequested,
    /// A record that moves no state (see `Change`).
    Recorded,
}

impl Job {
    /// Applies `t` if the job's state allows it. Pure: the caller persists
    /// the result (the store does, in one transaction with the audit line).
    pub fn apply(&mut self, t: Transition) -> Result<Outcome, Refusal> {
        use Transition as T;
        match t {
            T::Approve { .. } | T::Reject { .. } | T::Cancel { .. } | T::Expire { .. } => {
                self.apply_decision(t)
            }
            T::Retry | T::Rollback | T::Delete { .. } => self.apply_operation(t),
            T::StopCancelled
            | T::EnterStep { .. }
            | T::FinishStep { .. }
            | T::FailStep { .. }
            | T::FinishTeardown
            | T::FailTeardown { .. } => self.apply_engine(t),
            T::Repair { .. } | T::RepairShared { .. } | T::AcceptDrift { .. } => {
                self.apply_repair(t)
            }
            T::HandOver { .. } | T::TakeBack { .. } => self.apply_handoff(t),
        }
    }

    /// A person's decision on a pending job, a cancel, or the expiry.
    fn apply_decision(&mut self, t: Transition) -> Result<Outcome, Refusal> {
        use JobState as S;
        use Transition as T;
        let id = self.id;
        match (&self.state, t) {
            (S::PendingApproval, T::Approve { at, .. } | T::Reject { at, .. })
                if at >= self.expires_at =>
            {
                Err(Refusal::ExpiredUndecided(id))
            }
            // Each approver counts once; the job starts on the approval
            // that makes the number its rule asks for.
            (S::PendingApproval, T::Approve { by, .. }) => {
                if self.guard.approvals.contains(&by) {
                    return Err(Refusal::AlreadyApproved { job: id, by });
                }
                self.guard.approvals.push(by.clone());
                if self.guard.approvals.len() < usize::from(self.guard.needed.create.max(1)) {
                    return Ok(Outcome::Recorded);
                }
                self.decide(JobState::Approved, by);
                Ok(Outcome::Moved)
            }
            (S::PendingApproval, T::Reject { by, .. }) => {
                self.decide(JobState::Rejected, by);
                Ok(Outcome::Moved)
            }
            (S::PendingApproval, T::Cancel { by }) => {
                self.decide(JobState::Cancelled, by);
                Ok(Outcome::Moved)
            }
            (S::PendingApproval, T::Expire { at }) if at >= self.expires_at => {
                self.state = JobState::Expired;
                Ok(Outcome::Moved)
            }
            (_, T::Expire { .. }) => Err(Refusal::NotDue(id)),
            (state, T::Approve { .. } | T::Reject { .. }) => Err(Refusal::AlreadyDecided {
                job: id,
                state: state.clone(),
                by: self.decided_by.clone(),
            }),

            // The engine owns running jobs; a cancel stops it at the next
            // step boundary, where nothing is half done.
            (S::Approved | S::Running { .. }, T::Cancel { .. }) => {
                self.cancel_requested = true;
                Ok(Outcome::CancelRequested)
            }
            (state, T::Cancel { .. }) => Err(Refusal::NothingToCancel {
                job: id,
                state: state.clone(),
            }),
            (state, _) => Err(Refusal::Moved {
                job: id,
                state: state.clone(),
            }),
        }
    }

    /// The engine's record of its own progress through steps and teardown.
    fn apply_engine(&mut self, t: Transition) -> Result<Outcome, Refusal> {
        use JobState as S;
        use Transition as T;
        let id = self.id;
        if let S::Repairing { .. } = self.state {
            return self.apply_repair_step(t);
        }
        match (&self.state, t) {
            (S::Approved | S::Running { .. }, T::StopCancelled) if self.cancel_requested => {
                self.state = JobState::Cancelled;
                self.cancel_requested = false;
                Ok(Outcome::Moved)
            }
            (S::Approved, T::EnterStep { step, at }) => {
                self.state = JobState::Running { step };
                let open = self
                    .steps
                    .iter()
                    .any(|s| s.step == step && s.finished_at.is_none());
                if !open {
                    self.steps.push(StepRecord {
                        step,
                        started_at: at,
                        finished_at: None,
                        note: None,
                    });
                }
                Ok(Outcome::Moved)
            }
            (
                S::Running { step: running },
                T::FinishStep {
                    step,
                    resources,
                    note,
                    at,
                },
            ) if *running == step => {
                self.resources = resources;
                for r in self.steps.iter_mut().filter(|r| r.step == step) {
                    r.finished_at.get_or_insert(at);
                    r.note = Some(note.clone());
                }
                // `Approved` between steps keeps "what to run next" derived
                // from the step records alone.
                self.state = match step.next() {
                    Some(_) => JobState::Approved,
                    None => JobState::Succeeded,
                };
                Ok(Outcome::Moved)
            }
            (S::Running { step: running }, T::FailStep { step, error }) if *running == step => {
                self.state = JobState::Failed { step, error };
                Ok(Outcome::Moved)
            }
            (S::TearingDown { reason }, T::FinishTeardown) => {
                self.state = match reason {
                    Teardown::Rollback => JobState::RolledBack,
                    Teardown::Delete => JobState::Deleted,
                };
                self.resources = Resources::default();
                Ok(Outcome::Moved)
            }
            (S::TearingDown { reason }, T::FailTeardown { error }) => {
                self.state = JobState::TeardownFailed {
                    reason: *reason,
                    error,
                };
                Ok(Outcome::Moved)
            }
            (state, _) => Err(Refusal::Moved {
                job: id,
                state: state.clone(),
            }),
        }
    }

    /// Retry, roll back or delete, asked by a person after the fact.
    fn apply_operation(&mut self, t: Transition) -> Result<Outcome, Refusal> {
        use JobState as S;
        use Transition as T;
        let id = self.id;
        if let (S::HandedOver { at, .. }, T::Rollback | T::Delete { .. }) = (&self.state, &t) {
            return Err(Refusal::ManagedByTerraform {
                job: id,
                since: *at,
            });
        }
        match (&self.state, t) {
            (S::Failed { .. }, T::Retry) if self.next_step().is_some() => {
                self.state = JobState::Approved;
                self.cancel_requested = false;
                Ok(Outcome::Moved)
            }
            (S::TeardownFailed { .. }, T::Retry) => Err(Refusal::TeardownNotRetryable(id)),
            (state, T::Retry) => Err(Refusal::NotRetryable {
                job: id,
                state: state.clone(),
            }),
            (S::Failed { .. } | S::Cancelled | S::TeardownFailed { .. }, T::Rollback) => {
                self.state = JobState::TearingDown {
                    reason: Teardown::Rollback,
                };
                Ok(Outcome::Moved)
            }
            (state, T::Rollback) => Err(Refusal::NotRollbackable {
                job: id,
                state: state.clone(),
            }),
            (S::Succeeded, T::Delete { by }) => {
                let needed = self.guard.needed.delete;
                if !count(id, &mut self.guard.deleting, by, needed)? {
                    return Ok(Outcome::Recorded);
                }
                self.state = JobState::TearingDown {
                    reason: Teardown::Delete,
                };
                Ok(Outcome::Moved)
            }
            // Finishing a delete already approved takes no new approvals.
            (S::TeardownFailed { .. }, T::Delete { .. }) => {
                self.state = JobState::TearingDown {
                    reason: Teardown::Delete,
                };
                Ok(Outcome::Moved)
            }
            (state, T::Delete { .. }) => Err(Refusal::NotDeletable {
                job: id,
                state: state.clone(),
            }),
            (state, _) => Err(Refusal::Moved {
                job: id,
                state: state.clone(),
            }),
        }
    }

    fn decide(&mut self, state: JobState, by: UserRef) {
        self.state = state;
        self.decided_by = Some(by);
    }
}

/// Counts `by`'s approval among `so_far` (each approver once): whether
/// they now reach `needed`, which clears them for the next time.
pub(super) fn count(
    job: JobId,
    so_far: &mut Vec<UserRef>,
    by: UserRef,
    needed: u8,
) -> Result<bool, Refusal> {
    if so_far.contains(&by) {
        return Err(Refusal::AlreadyApproved { job, by });
    }
    so_far.push(by);
    if so_far.len() < usize::from(needed.max(1)) {
        return Ok(false);
    }
    so_far.clear();
    Ok(true)
}

impl Transition {
    /// The audit log's name for this change.
    pub fn action(&self) -> Action {
        match self {
            Transition::Approve { .. } => Action::Approve,
            Transition::Reject { .. } => Action::Reject,
            Transition::Cancel { .. } | Transition::StopCancelled => Action::Cancel,
            Transition::Expire { .. } => Action::Expire,
            Transition::Retry => Action::Retry,
            Transition::Rollback => Action::RollBack,
            Transition::Delete { .. } => Action::Delete,
            Transition::EnterStep { .. } => Action::StepStarted,
            Transition::FinishStep { .. } => Action::StepFinished,
            Transition::FailStep { .. } => Action::StepFailed,
            Transition::FinishTeardown => Action::TeardownFinished,
            Transition::FailTeardown { .. } => Action::TeardownFailed,
            Transition::Repair { .. } | Transition::RepairShared { .. } => Action::Repair,
            Transition::AcceptDrift { .. } => Action::AcceptDrift,
            Transition::HandOver { .. } => Action::HandOver,
            Transition::TakeBack { .. } => Action::TakeBack,
        }
    }
}

#[cfg(test)]
#[path = "lifecycle_table.rs"]
pub(super) mod table;
