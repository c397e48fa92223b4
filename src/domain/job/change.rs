//! Everything that may be done to a stored job, as one value: the store
//! applies a [`Change`] inside the transaction that persists it, against
//! the job as stored, so no caller holds a `&mut Job` and "only the rules
//! change a job" is the type system's to keep.

use super::lifecycle::{Outcome, Refusal, Transition};
use super::{Job, JobState, Living, MessageRef, Millis, Resources, Thread};
use crate::domain::drift::Check;

/// A change to a job: a life-cycle transition, or one of the records that
/// move no state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A transition of the life cycle (`lifecycle`), if the state allows it.
    Move(Transition),
    /// What a running step or teardown made or is about to make (an intent
    /// recorded before the cloud effect).
    RecordResources(Resources),
    /// The approval card was posted there.
    CardPosted(MessageRef),
    /// Someone deleted the card: the next message posts a fresh card, and
    /// the thread under it gets fresh living messages.
    CardLost,
    /// A living thread message was posted there.
    LivingPosted(Living, MessageRef),
    /// The drift watch checked a succeeded job's link at a time; the
    /// job that tells the drift of a shared endpoint, when it is another.
    Checked(Millis, Check, Option<crate::domain::ids::JobId>),
}

impl From<Transition> for Change {
    fn from(t: Transition) -> Self {
        Change::Move(t)
    }
}

impl Job {
    /// Applies `change` if the job's state allows it. Pure: the store
    /// persists the result in one transaction with its audit line.
    pub fn change(&mut self, change: Change) -> Result<Outcome, Refusal> {
        match change {
            Change::Move(t) => self.apply(t),
            Change::RecordResources(resources) => match &self.state {
                JobState::Running { .. }
                | JobState::Repairing { .. }
                | JobState::TearingDown { .. } => {
                    self.resources = resources;
                    Ok(Outcome::Recorded)
                }
                state => Err(Refusal::Moved {
                    job: self.id,
                    state: state.clone(),
                }),
            },
            Change::CardPosted(at) => {
                self.card = Some(at);
                Ok(Outcome::Recorded)
            }
            Change::CardLost => {
                self.card = None;
                self.thread = Thread::default();
                Ok(Outcome::Recorded)
            }
            Change::LivingPosted(which, at) => {
                self.thread.record(which, at);
                Ok(Outcome::Recorded)
            }
            Change::Checked(at, check, told_by) => match &self.state {
                // Only a finished link is watched; one a person has moved
                // on (a delete, say) since the check read it is not.
                JobState::Succeeded | JobState::HandedOver { .. } => {
                    self.health.endpoint_told_by = told_by;
                    self.health.take(at, check);
                    Ok(Outcome::Recorded)
                }
                state => Err(Refusal::Moved {
                    job: self.id,
                    state: state.clone(),
                }),
            },
        }
    }
}
