//! What the engine writes down: a transition with its audit line and what
//! it says, resources recorded mid-step, a note with no change. Every write
//! goes through the store as owed work (`Admission::Owed`).

use super::{Inner, StepError};
use crate::domain::audit::{Action, Actor, AuditEvent, Outcome};
use crate::domain::ids::JobId;
use crate::domain::job::{Change, Job, Resources};
use crate::domain::lifecycle::Transition;
use crate::ports::chat::{Note, Outgoing};
use crate::store::ChangeError;

pub(super) fn engine_event(job: JobId, action: Action, at: u64) -> AuditEvent {
    AuditEvent {
        at,
        job: Some(job),
        actor: Actor::Engine,
        action,
        outcome: Outcome::Unstated,
        rule: None,
    }
}

impl Inner {
    /// Applies `t` to the job as stored, with its audit line and what it
    /// says in chat (`says` of the changed job, into the outbox with it).
    pub(super) async fn transition(
        &self,
        id: JobId,
        t: Transition,
        says: impl Fn(&Job) -> Vec<Outgoing> + Send + Sync + 'static,
    ) -> Result<Job, ChangeError> {
        let action = t.action();
        let event = engine_event(id, action.clone(), self.now());
        let job = self
            .parts
            .store
            .update_saying(self.admission(id), id, event, t, says)
            .await?;
        tracing::info!(job = %id, action = %action, state = %job.state().key(), "job changed");
        Ok(job)
    }

    /// Saves resources mid-step (an intent recorded before a cloud effect).
    pub(super) async fn save_resources(
        &self,
        id: JobId,
        resources: &Resources,
    ) -> Result<(), StepError> {
        let change = Change::RecordResources(resources.clone());
        self.parts
            .store
            .update(
                self.admission(id),
                id,
                engine_event(id, Action::ResourcesRecorded, self.now()),
                change,
            )
            .await
            .map(|_| ())
            .map_err(|e| StepError::from(crate::text!("err-record-resources", error = e)))
    }

    /// A note that goes with no change (a wait's "still waiting").
    pub(super) async fn say(&self, job: &Job, note: Note) {
        let said = self
            .parts
            .store
            .say(
                self.admission(job.id()),
                job.id(),
                vec![Outgoing::Note(note)],
                self.now(),
            )
            .await;
        if let Err(e) = said {
            tracing::warn!(job = %job.id(), error = %e, "could not record a progress note");
        }
    }
}
