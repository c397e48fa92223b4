//! Handing a link over to Terraform, and taking it back: `Succeeded →
//! HandedOver → Succeeded`. While handed over, the bot changes nothing
//! of the link (delete, rollback and repair refuse, naming since when);
//! the watch still reads it and tells its drift.

use super::lifecycle::{Outcome, Refusal, Transition};
use super::{Job, JobState};

impl Job {
    pub(super) fn apply_handoff(&mut self, t: Transition) -> Result<Outcome, Refusal> {
        let id = self.id;
        match (&self.state, t) {
            (JobState::Succeeded, Transition::HandOver { by, at }) => {
                self.state = JobState::HandedOver { at, by };
                Ok(Outcome::Moved)
            }
            (state, Transition::HandOver { .. }) => Err(Refusal::NotHandable {
                job: id,
                state: state.clone(),
            }),
            (JobState::HandedOver { .. }, Transition::TakeBack { .. }) => {
                self.state = JobState::Succeeded;
                Ok(Outcome::Moved)
            }
            (state, _) => Err(Refusal::NotHandedOver {
                job: id,
                state: state.clone(),
            }),
        }
    }
}
