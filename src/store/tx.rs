//! What each change does inside its transaction, written once for every
//! backend: a job's change with its indexes, slot, owners, audit line and
//! chat effects; the outbox's bookings; an audit line alone.
//!
//! The bodies may run more than once (a backend runs a body again after a
//! conflict), so what they are handed must have no side effects.

use std::collections::BTreeMap;

use super::ChangeError;
use super::backend::{Lease, Tx, TxError};
use super::outbox;
use crate::domain::audit::{AuditEvent, Outcome};
use crate::domain::ids::JobId;
use crate::domain::job::{Change, Job, JobState, Living, MessageRef, Origin};
use crate::ports::chat::Outgoing;

/// The chat effects of one change (see [`apply`]).
pub(super) struct ChatEffects<'a> {
    pub says: &'a (dyn Fn(&Job) -> Vec<Outgoing> + Send + Sync),
    pub delivered: Option<u64>,
}

/// `job` at the store's change counter `version`: only the store sets it,
/// in the transaction that makes the change.
pub(super) fn stamped(job: Job, version: u64) -> Job {
    let mut parts = job.into_parts();
    parts.version = version;
    Job::from_parts(parts)
}

/// Changes job `id` to what `next` makes of its current value, with its
/// indexes, its slot, its owners, an audit event and its chat effects:
/// `chat.says` of the changed job goes into the outbox, and the entry
/// `chat.delivered` (a card just posted) leaves it. A `fence` refuses the
/// change unless the writer still holds the job's lease.
pub(super) fn apply(
    tx: &mut dyn Tx,
    id: JobId,
    event: &AuditEvent,
    fence: Option<Lease>,
    next: &dyn Fn(Option<Job>) -> Result<Job, ChangeError>,
    chat: &ChatEffects<'_>,
) -> Result<Job, TxError> {
    if let Some(lease) = fence {
        tx.fence(lease)?;
    }
    let current = tx.job(id)?;
    let version = current.as_ref().map_or(1, |c| c.version() + 1);
    let job = stamped(next(current.clone())?, version);
    tx.put_job(current.as_ref(), &job)?;

    let held_before = current.as_ref().is_some_and(|c| c.state().holds_slot());
    move_slot(tx, &job, held_before, job.state().holds_slot())?;
    move_holdings(tx, current.as_ref(), &job)?;

    let mut event = event.clone();
    if event.outcome == Outcome::Unstated {
        event.outcome = Outcome::Reached(job.state().key());
    }
    // Every line about a job names the rule it lives under.
    if event.rule.is_none() {
        event.rule = job.guard().rule.clone();
    }
    tx.append_audit(&event)?;
    if let Some(seq) = chat.delivered {
        outbox::discard(tx, id, seq)?;
    }
    outbox::enqueue(tx, id, &(chat.says)(&job), event.at)?;
    Ok(job)
}

/// Writes chat effects that change no job (a "still waiting" note).
pub(super) fn say(
    tx: &mut dyn Tx,
    job: JobId,
    fence: Option<Lease>,
    messages: &[Outgoing],
    now: u64,
) -> Result<(), TxError> {
    if let Some(lease) = fence {
        tx.fence(lease)?;
    }
    outbox::enqueue(tx, job, messages, now)
}

/// Books a delivered living message (a card update, the checklist, a
/// wait's note): where it was `posted` in the thread, if this delivery
/// posted it, goes on the job; its entry leaves the outbox unless what it
/// shows changed while it was delivered (`shown` false of the job as
/// stored now, or a newer note replaced it). Then the entry stays where it
/// is, to be delivered again, so the last change is always shown and
/// nothing written after it overtakes it. True when it left.
pub(super) fn living_delivered(
    tx: &mut dyn Tx,
    id: JobId,
    seq: u64,
    delivered: &Outgoing,
    posted: Option<&(Living, MessageRef)>,
    shown: &(dyn Fn(&Job) -> bool + Send + Sync),
) -> Result<bool, TxError> {
    let Some(mut job) = tx.job(id)? else {
        return outbox::remove(tx, id, seq, delivered);
    };
    if let Some((which, at)) = posted {
        let before = job.clone();
        let version = job.version() + 1;
        job.change(Change::LivingPosted(*which, at.clone()))
            .map_err(ChangeError::from)?;
        job = stamped(job, version);
        tx.put_job(Some(&before), &job)?;
    }
    if !shown(&job) {
        return Ok(false);
    }
    outbox::remove(tx, id, seq, delivered)
}

/// Appends an audit event that changes no job. A refusal about a job names
/// the rule the job lives under.
pub(super) fn append_audit(tx: &mut dyn Tx, event: &AuditEvent) -> Result<(), TxError> {
    let mut event = event.clone();
    if let (None, Some(id)) = (&event.rule, event.job)
        && let Ok(Some(job)) = tx.job(id)
    {
        event.rule = job.guard().rule.clone();
    }
    tx.append_audit(&event)
}

/// Keeps the owners of every resource in step with what the job holds:
/// the job becomes a user of what it newly records and stops being one of
/// what it no longer holds; an entry with no users left is dropped.
fn move_holdings(tx: &mut dyn Tx, before: Option<&Job>, after: &Job) -> Result<(), TxError> {
    let old: BTreeMap<String, Origin> = before
        .map(|j| j.holdings())
        .unwrap_or_default()
        .into_iter()
        .map(|h| (h.resource.key(), h.origin))
        .collect();
    let new: BTreeMap<String, Origin> = after
        .holdings()
        .into_iter()
        .map(|h| (h.resource.key(), h.origin))
        .collect();
    for (key, origin) in &new {
        if old.get(key) == Some(origin) {
            continue;
        }
        let mut entry = tx.owners(key)?.unwrap_or_default();
        entry.add(after.id(), *origin);
        tx.put_owners(key, &entry)?;
    }
    // A handoff (or taking back) is recorded on everything the job holds,
    // so that a job sharing it knows Terraform manages it now.
    let handed = |j: &Job| matches!(j.state(), JobState::HandedOver { .. });
    if before.is_some_and(handed) != handed(after) {
        for key in new.keys() {
            let mut entry = tx.owners(key)?.unwrap_or_default();
            match handed(after) {
                true => entry.terraform.insert(after.id()),
                false => entry.terraform.remove(&after.id()),
            };
            tx.put_owners(key, &entry)?;
        }
    }
    for key in old.keys().filter(|k| !new.contains_key(*k)) {
        let mut entry = tx.owners(key)?.unwrap_or_default();
        entry.users.remove(&after.id());
        entry.terraform.remove(&after.id());
        if entry.users.is_empty() {
            tx.remove_owners(key)?;
        } else {
            tx.put_owners(key, &entry)?;
        }
    }
    Ok(())
}

/// Takes or releases the job's (VPC, region) slot as its state requires.
fn move_slot(
    tx: &mut dyn Tx,
    job: &Job,
    held_before: bool,
    holds_now: bool,
) -> Result<(), TxError> {
    if held_before == holds_now {
        return Ok(());
    }
    let slot = job.slot();
    let holder = tx.slot_holder(&slot)?;
    match (held_before, holds_now) {
        (false, true) => match holder {
            Some(h) if h != job.id() => Err(ChangeError::SlotTaken(h).into()),
            _ => tx.take_slot(&slot, job.id()),
        },
        (true, false) => {
            if holder == Some(job.id()) {
                tx.free_slot(&slot)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}
