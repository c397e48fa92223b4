//! The chat outbox: every chat effect of a job change is
//! written here in the same transaction as the change, and leaves only when
//! `delivery` has delivered it. So nothing is said before the store holds
//! it, and nothing the store holds goes unsaid after a crash or an outage.
//!
//! Entries are keyed by job and `seq`, a number from the backend that only
//! grows: a job's entries come out in the order they were written. Each
//! job has its bookkeeping ([`Meta`]): which entry holds
//! each of its living messages (the card, the progress checklist, a long
//! wait's note), so that the outbox stays bounded while a platform is down:
//! a newer version of a living message waiting to be delivered collapses
//! into the entry already waiting (the card and the checklist render the
//! job as it is when delivered; a wait's newer words replace the older),
//! and the entry counts how many it absorbed. Every other note is a
//! decision, a warning, a failure or an outcome, a handful per job, and is
//! never dropped.
//!
//! Delivered entries are removed at once: the tree holds only what waits.
//! An entry replaced while it was being delivered stays, to be delivered
//! again with what replaced it.

use serde::{Deserialize, Serialize};

use super::backend::{Tx, TxError};
use crate::domain::ids::JobId;
use crate::ports::chat::{Blocked, Living, Outgoing};

/// A job's outbox bookkeeping: the entry holding each living message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Meta {
    /// The pending card entry, if there is one.
    card: Option<u64>,
    /// The pending entries of the job's living thread messages.
    #[serde(default)]
    living: Vec<(Living, u64)>,
}

impl Meta {
    /// The waiting entry a new `message` collapses into, if any.
    fn pending(&self, message: &Outgoing) -> Option<u64> {
        match (message, message.living()) {
            (Outgoing::Card, _) => self.card,
            (_, Some(which)) => self
                .living
                .iter()
                .find(|(w, _)| *w == which)
                .map(|(_, seq)| *seq),
            _ => None,
        }
    }

    fn track(&mut self, message: &Outgoing, seq: u64) {
        match (message, message.living()) {
            (Outgoing::Card, _) => self.card = Some(seq),
            (_, Some(which)) => self.living.push((which, seq)),
            _ => {}
        }
    }

    fn untrack(&mut self, seq: u64) {
        if self.card == Some(seq) {
            self.card = None;
        }
        self.living.retain(|(_, s)| *s != seq);
    }
}

/// One waiting entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Stored {
    message: Outgoing,
    written_at: u64,
    #[serde(default)]
    attempts: u32,
    #[serde(default)]
    last_error: Option<String>,
    /// The requester was told privately that the card is late.
    #[serde(default)]
    requester_told: bool,
    /// The platform refuses it for good until a person acts, and why.
    #[serde(default)]
    blocked: Option<Blocked>,
    /// The requester was told, directly, what blocks it.
    #[serde(default)]
    blocked_told: bool,
    /// Later versions of this living message that collapsed into it while
    /// it waited (edits never sent, since this one shows the latest).
    #[serde(default)]
    collapsed: u32,
}

/// What one failed delivery leaves on its entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub error: String,
    /// The requester has now been told the card is late.
    pub requester_told: bool,
    /// Refused until a person acts (the latest failure's reason).
    pub blocked: Option<Blocked>,
    /// The requester has now been told what blocks it.
    pub blocked_told: bool,
}

/// One waiting entry, as the dispatcher and the admin view see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub job: JobId,
    pub seq: u64,
    pub message: Outgoing,
    /// When the change that caused it was made (ms since the epoch).
    pub written_at: u64,
    /// Failed deliveries so far.
    pub attempts: u32,
    pub last_error: Option<String>,
    pub requester_told: bool,
    pub blocked: Option<Blocked>,
    pub blocked_told: bool,
    /// Later versions that collapsed into this entry while it waited.
    pub collapsed: u32,
}

/// The job's bookkeeping entry, in a backend that keeps it beside the
/// entries (sled keys it as seq 0).
pub(super) const META: u64 = 0;

/// Writes `messages` for `job`, inside the change's transaction.
pub(super) fn enqueue(
    tx: &mut dyn Tx,
    job: JobId,
    messages: &[Outgoing],
    now: u64,
) -> Result<(), TxError> {
    if messages.is_empty() {
        return Ok(());
    }
    let mut meta = tx.outbox_meta(job)?;
    for message in messages {
        if let Some(seq) = meta.pending(message) {
            if let Some(mut stored) = tx.outbox_entry(job, seq)? {
                stored.collapsed = stored.collapsed.saturating_add(1);
                // A wait's newer words replace the older; the card and
                // the checklist render the job when delivered.
                stored.message = message.clone();
                tx.put_outbox_entry(job, seq, &stored)?;
                continue;
            }
            meta.untrack(seq);
        }
        let seq = tx.next_outbox_seq()?;
        meta.track(message, seq);
        let stored = Stored {
            message: message.clone(),
            written_at: now,
            attempts: 0,
            last_error: None,
            requester_told: false,
            blocked: None,
            blocked_told: false,
            collapsed: 0,
        };
        tx.put_outbox_entry(job, seq, &stored)?;
    }
    tx.put_outbox_meta(job, &meta)
}

/// Removes a delivered entry, inside a transaction, unless what waits there
/// is no longer what was `delivered` (a newer version replaced it while it
/// was being delivered): then it stays, to be delivered again. True when
/// it was removed (or was already gone).
pub(super) fn remove(
    tx: &mut dyn Tx,
    job: JobId,
    seq: u64,
    delivered: &Outgoing,
) -> Result<bool, TxError> {
    let Some(stored) = tx.outbox_entry(job, seq)? else {
        return Ok(true);
    };
    if stored.message != *delivered {
        return Ok(false);
    }
    discard(tx, job, seq)?;
    Ok(true)
}

/// Removes an entry whatever it holds now (an operator gave up on it).
pub(super) fn discard(tx: &mut dyn Tx, job: JobId, seq: u64) -> Result<(), TxError> {
    if tx.remove_outbox_entry(job, seq)? {
        let mut meta = tx.outbox_meta(job)?;
        meta.untrack(seq);
        tx.put_outbox_meta(job, &meta)?;
    }
    Ok(())
}

/// Records a failed delivery on the entry, inside a transaction.
pub(super) fn record_failure(
    tx: &mut dyn Tx,
    job: JobId,
    seq: u64,
    failure: &Failure,
) -> Result<(), TxError> {
    let Some(mut stored) = tx.outbox_entry(job, seq)? else {
        return Ok(());
    };
    stored.attempts = stored.attempts.saturating_add(1);
    stored.last_error = Some(failure.error.clone());
    stored.requester_told |= failure.requester_told;
    stored.blocked = failure.blocked;
    stored.blocked_told |= failure.blocked_told;
    tx.put_outbox_entry(job, seq, &stored)
}

impl Stored {
    /// The entry as the dispatcher and the admin view see it.
    pub(super) fn pending(self, job: JobId, seq: u64) -> Pending {
        Pending {
            job,
            seq,
            message: self.message,
            written_at: self.written_at,
            attempts: self.attempts,
            last_error: self.last_error,
            requester_told: self.requester_told,
            blocked: self.blocked,
            blocked_told: self.blocked_told,
            collapsed: self.collapsed,
        }
    }
}
