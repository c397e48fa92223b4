//! The repair of a drifted link, as the engine runs it: the same steps as
//! a create (each an ensure, resumed after a crash), recorded one by one
//! with only the card moving, and one note when it ends. A repair that
//! replaced a shared endpoint moves the other jobs that used it onto the
//! new one, one after the other (they share the VPC's slot).

use super::{Inner, Next};
use crate::cards;
use crate::domain::audit::Action;
use crate::domain::ids::EndpointId;
use crate::domain::job::{Job, JobState, StateKey};
use crate::domain::lifecycle::Transition;
use crate::ports::chat::Outgoing;
use crate::store::ChangeError;

use super::record::engine_event;

impl Inner {
    /// Records a finished repair step (`finished`, its `FinishStep`); the
    /// last one tells the thread, with `detail`, what verify found.
    pub(super) async fn finish_repair_step(
        &self,
        job: Job,
        finished: Transition,
        detail: String,
    ) -> Result<Next, ChangeError> {
        let after = self
            .transition(job.id(), finished, move |j| match j.state() {
                JobState::Succeeded => vec![
                    Outgoing::Card,
                    Outgoing::Note(cards::drift::repaired(j, &detail)),
                ],
                _ => vec![Outgoing::Card],
            })
            .await?;
        if *after.state() != JobState::Succeeded {
            return Ok(Next::More);
        }
        if let Some(replaced) = after.health().replaced.clone() {
            self.move_sharers(&after, &replaced).await;
        }
        Ok(Next::Done)
    }

    /// Starts the repair of the next job still recording the endpoint
    /// `repaired` replaced; that one's repair, when it ends, starts the
    /// next. A job that cannot move now (its slot is taken) stays told
    /// drifted by the watch, for a person to repair.
    async fn move_sharers(&self, repaired: &Job, replaced: &EndpointId) {
        let sharers = match self.parts.store.jobs_in_state(StateKey::Succeeded).await {
            Ok(jobs) => jobs,
            Err(e) => {
                tracing::warn!(job = %repaired.id(), error = %e, "could not look for jobs sharing the replaced endpoint");
                return;
            }
        };
        let mut sharers: Vec<Job> = sharers
            .into_iter()
            .filter(|j| j.resources().endpoint.as_ref().map(|e| &e.id) == Some(replaced))
            .collect();
        sharers.sort_by_key(Job::id);
        let Some(next) = sharers.first() else {
            return;
        };
        let (id, other) = (next.id(), repaired.id());
        let event = engine_event(id, Action::Repair, self.now());
        let moved = self
            .parts
            .store
            .update_saying(
                crate::store::Admission::Owed,
                id,
                event,
                Transition::RepairShared { after: other },
                move |j| {
                    vec![
                        Outgoing::Card,
                        Outgoing::Note(cards::drift::repair_shared(j, other)),
                    ]
                },
            )
            .await;
        match moved {
            Ok(_) => {
                self.kick(id);
            }
            Err(e) => {
                tracing::warn!(job = %id, error = %e, "a job sharing the replaced endpoint was not moved onto the new one")
            }
        }
    }
}
