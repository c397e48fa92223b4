//! The store's job changes: a new job, and a `Change` made to a stored one
//! (`Job::change`, judged in the transaction against the job as stored),
//! each atomic with the job's indexes, slot, owners, audit line and what it
//! says in chat, and durable before the caller hears of it.

use super::tx::{self, ChatEffects};
use super::{Admission, ChangeError, Store};
use crate::domain::audit::AuditEvent;
use crate::domain::ids::JobId;
use crate::domain::job::{Change, Job};
use crate::domain::lifecycle::Refusal;
use crate::ports::chat::Outgoing;

impl Store {
    /// Stores a new job, taking its slot, with an audit event and its card
    /// in the outbox.
    pub async fn insert(
        &self,
        admission: Admission,
        job: &Job,
        event: AuditEvent,
    ) -> Result<(), ChangeError> {
        let id = job.id();
        let job = job.clone();
        self.write(
            admission,
            format!("{} {id}", event.action),
            true,
            move |b| {
                let says = |_: &Job| vec![Outgoing::Card];
                let chat = ChatEffects {
                    says: &says,
                    delivered: None,
                };
                let next = |current: Option<Job>| match current {
                    Some(_) => Err(ChangeError::Exists(id)),
                    None => Ok(job.clone()),
                };
                b.transact(|t| tx::apply(t, id, &event, None, &next, &chat))
            },
        )
        .await?;
        self.outbox.wrote();
        Ok(())
    }

    /// Makes `change` to a job, if its rules allow, atomically with its
    /// indexes, its slot and an audit event, durably.
    pub async fn update(
        &self,
        admission: Admission,
        id: JobId,
        event: AuditEvent,
        change: impl Into<Change>,
    ) -> Result<Job, ChangeError> {
        let change = change.into();
        self.change(admission, id, event, anyone, change, |_| Vec::new(), None)
            .await
    }

    /// As `update`, with what the change says in chat: `says` of the
    /// changed job goes into the outbox in the same transaction.
    pub async fn update_saying(
        &self,
        admission: Admission,
        id: JobId,
        event: AuditEvent,
        change: impl Into<Change>,
        says: impl Fn(&Job) -> Vec<Outgoing> + Send + Sync + 'static,
    ) -> Result<Job, ChangeError> {
        let change = change.into();
        self.change(admission, id, event, anyone, change, says, None)
            .await
    }

    /// As `update_saying`, for a person's request: `allowed` (the policy)
    /// judges the job as stored, in the same transaction, before the
    /// change's own rules do. It reads the job; it cannot change it.
    pub async fn update_if_allowed(
        &self,
        admission: Admission,
        id: JobId,
        event: AuditEvent,
        allowed: impl Fn(&Job) -> Result<(), Refusal> + Send + Sync + 'static,
        change: impl Into<Change>,
        says: impl Fn(&Job) -> Vec<Outgoing> + Send + Sync + 'static,
    ) -> Result<Job, ChangeError> {
        let change = change.into();
        self.change(admission, id, event, allowed, change, says, None)
            .await
    }

    // Each argument is one part of the change; bundling them would only
    // rename them.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn change(
        &self,
        admission: Admission,
        id: JobId,
        event: AuditEvent,
        allowed: impl Fn(&Job) -> Result<(), Refusal> + Send + Sync + 'static,
        change: Change,
        says: impl Fn(&Job) -> Vec<Outgoing> + Send + Sync + 'static,
        delivered: Option<u64>,
    ) -> Result<Job, ChangeError> {
        let fence = admission.lease();
        let job = self
            .write(
                admission,
                format!("{} {id}", event.action),
                true,
                move |b| {
                    let chat = ChatEffects {
                        says: &says,
                        delivered,
                    };
                    let next = |current: Option<Job>| {
                        let mut job = current.ok_or(ChangeError::NotFound(id))?;
                        allowed(&job)?;
                        job.change(change.clone())?;
                        Ok(job)
                    };
                    b.transact(|t| tx::apply(t, id, &event, fence, &next, &chat))
                },
            )
            .await?;
        self.outbox.wrote();
        Ok(job)
    }
}

/// The judgement of a change nobody asked for in person: the bot's own
/// records and the engine's steps, which only the job's rules judge.
pub(super) fn anyone(_: &Job) -> Result<(), Refusal> {
    Ok(())
}
