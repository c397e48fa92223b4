//! The store's chat side: what the delivery dispatcher and the admin view
//! ask of the outbox (what waits, what was delivered or failed, where a
//! card or a living thread message went), and the signal that wakes the
//! dispatcher. Every booking is one transaction with the job it concerns.

use std::sync::Arc;

use super::outbox::{self, Failure, Pending};
use super::{Admission, ChangeError, Store, StoreError, tx};
use crate::domain::audit::AuditEvent;
use crate::domain::ids::JobId;
use crate::domain::job::{Change, Job, Living, MessageRef};
use crate::ports::chat::Outgoing;

/// Tells the dispatcher that the outbox has new entries, after they are
/// durable; the count lets a caller wait until the dispatcher has seen
/// everything written before it asked (`delivery::Dispatcher::settled`).
#[derive(Default)]
pub struct OutboxSignal {
    pub written: std::sync::atomic::AtomicU64,
    pub notify: tokio::sync::Notify,
}

impl OutboxSignal {
    pub(super) fn wrote(&self) {
        self.written
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.notify.notify_one();
    }

    pub fn written(&self) -> u64 {
        self.written.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl Store {
    /// Records where a job's card was posted and, in the same transaction,
    /// that its outbox entry `seq` (if it was the card) is delivered. The
    /// card showed the job at version `rendered`; if it has changed since,
    /// a fresh card entry follows.
    pub async fn card_posted(
        &self,
        id: JobId,
        seq: Option<u64>,
        at: MessageRef,
        event: AuditEvent,
        rendered: u64,
    ) -> Result<Job, ChangeError> {
        // This change itself adds one to the version.
        let says = move |j: &Job| {
            if j.version() == rendered + 1 {
                Vec::new()
            } else {
                vec![Outgoing::Card]
            }
        };
        let change = Change::CardPosted(at);
        self.change(
            Admission::Owed,
            id,
            event,
            super::changes::anyone,
            change,
            says,
            seq,
        )
        .await
    }

    /// Writes chat effects that change no job (a "still waiting" note).
    pub async fn say(
        &self,
        admission: Admission,
        id: JobId,
        messages: Vec<Outgoing>,
        now: u64,
    ) -> Result<(), ChangeError> {
        let fence = admission.lease();
        self.write(admission, format!("say {id}"), true, move |b| {
            b.transact(|t| tx::say(t, id, fence, &messages, now))
        })
        .await?;
        self.outbox.wrote();
        Ok(())
    }

    /// Marks an outbox entry delivered: it leaves the outbox, unless a
    /// newer version replaced it meanwhile (a long wait's newer words).
    pub async fn outbox_delivered(
        &self,
        id: JobId,
        seq: u64,
        delivered: Outgoing,
    ) -> Result<(), ChangeError> {
        let removed = self
            .write(Admission::Owed, format!("delivered {id}"), true, move |b| {
                b.transact(|t| outbox::remove(t, id, seq, &delivered))
            })
            .await?;
        if !removed {
            self.outbox.wrote();
        }
        Ok(())
    }

    /// Removes an outbox entry whatever it holds: an operator gave up on it.
    pub async fn outbox_discard(&self, id: JobId, seq: u64) -> Result<(), ChangeError> {
        self.write(Admission::Owed, format!("discard {id}"), true, move |b| {
            b.transact(|t| outbox::discard(t, id, seq))
        })
        .await
    }

    /// Books a delivered living message, a card update or a thread
    /// message (see `Trees::living_delivered`): records where a thread
    /// message was posted, and keeps the entry for another delivery when
    /// what it shows changed meanwhile.
    pub async fn living_delivered(
        &self,
        id: JobId,
        seq: u64,
        delivered: Outgoing,
        posted: Option<(Living, MessageRef)>,
        shown: impl Fn(&Job) -> bool + Send + Sync + 'static,
    ) -> Result<(), ChangeError> {
        let left = self
            .write(Admission::Owed, format!("delivered {id}"), true, move |b| {
                b.transact(|t| {
                    tx::living_delivered(t, id, seq, &delivered, posted.as_ref(), &shown)
                })
            })
            .await?;
        if !left {
            self.outbox.wrote();
        }
        Ok(())
    }

    /// Records a failed delivery: why, and what the requester was told.
    pub async fn outbox_failed(
        &self,
        id: JobId,
        seq: u64,
        failure: Failure,
    ) -> Result<(), ChangeError> {
        self.write(
            Admission::Owed,
            format!("delivery failed {id}"),
            true,
            move |b| b.transact(|t| outbox::record_failure(t, id, seq, &failure)),
        )
        .await
    }

    /// The first waiting chat effect of one job: what holds its messages.
    pub async fn outbox_head(&self, id: JobId) -> Result<Option<Pending>, StoreError> {
        self.read("outbox head", move |r| r.outbox_head(id)).await
    }

    /// Forgets where a job's card was (someone deleted it): its next
    /// message posts a fresh card, and the thread goes on under that.
    pub async fn card_lost(&self, id: JobId, event: AuditEvent) -> Result<Job, ChangeError> {
        // The living messages were in the lost card's thread: the fresh
        // thread gets its own checklist.
        let says = |j: &Job| {
            if j.steps().is_empty() {
                Vec::new()
            } else {
                vec![Outgoing::Progress]
            }
        };
        let change = Change::CardLost;
        self.change(
            Admission::Owed,
            id,
            event,
            super::changes::anyone,
            change,
            says,
            None,
        )
        .await
    }

    /// The first waiting chat effect of each job.
    pub async fn outbox_heads(&self) -> Result<Vec<Pending>, StoreError> {
        self.read("outbox heads", |r| r.outbox_heads()).await
    }

    /// Every chat effect waiting, per job in order.
    pub async fn outbox(&self) -> Result<Vec<Pending>, StoreError> {
        self.read("outbox", |r| r.outbox()).await
    }

    /// The signal the dispatcher waits on.
    pub fn outbox_signal(&self) -> &Arc<OutboxSignal> {
        &self.outbox
    }
}
