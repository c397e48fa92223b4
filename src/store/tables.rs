//! The sled trees and everything done to them, synchronously: the reads
//! ([`Reader`]) and the changes the writer thread applies. Nothing here is
//! async and nothing here flushes: flushing is the writer's job, once per
//! batch.

use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};
use sled::{Db, Transactional, Tree};

use super::outbox::{self};
use super::record;
use super::{ChangeError, StoreError};
use crate::domain::ids::JobId;
use crate::ports::chat::Outgoing;
use std::collections::BTreeMap;

use crate::domain::audit::{AuditEvent, Outcome};
use crate::domain::job::{Change, Job, JobState, Living, MessageRef, Origin};
use crate::domain::ownership::Owners;

/// The first job number handed out: short, human ids such as `PL-1042`.
const FIRST_JOB_NUMBER: u64 = 1000;

/// The store's trees. Cloning is cheap (sled handles are shared).
#[derive(Clone)]
pub(super) struct Trees {
    pub(super) db: Db,
    pub(super) jobs: Tree,
    pub(super) audit: Tree,
    pub(super) by_status: Tree,
    pub(super) by_requester: Tree,
    pub(super) by_vpc: Tree,
    pub(super) slots: Tree,
    pub(super) deliveries: Tree,
    /// Per cloud resource (`Resource::key`): who made it, who uses it.
    pub(super) owners: Tree,
    /// Chat effects waiting for delivery (`outbox`).
    pub(super) outbox: Tree,
}

pub(super) fn job_key(id: JobId) -> [u8; 8] {
    id.number().to_be_bytes()
}

pub(super) fn index_key(prefix: &str, id: JobId) -> Vec<u8> {
    let mut k = index_prefix(prefix);
    k.extend_from_slice(&job_key(id));
    k
}

pub(super) fn index_prefix(prefix: &str) -> Vec<u8> {
    let mut k = prefix.as_bytes().to_vec();
    k.push(0);
    k
}

pub(super) fn job_id_from(bytes: &[u8]) -> Option<JobId> {
    <[u8; 8]>::try_from(bytes)
        .ok()
        .map(|b| JobId::new(u64::from_be_bytes(b)))
}

type Abort = ConflictableTransactionError<ChangeError>;

fn transaction_error(e: TransactionError<ChangeError>) -> ChangeError {
    match e {
        TransactionError::Abort(e) => e,
        TransactionError::Storage(e) => StoreError::from(e).into(),
    }
}

/// The chat effects of one change (see `Trees::apply`).
pub(super) struct ChatEffects<'a> {
    pub says: &'a (dyn Fn(&Job) -> Vec<Outgoing> + Send + Sync),
    pub delivered: Option<u64>,
}

fn abort(e: ChangeError) -> Abort {
    ConflictableTransactionError::Abort(e)
}

fn json_abort(e: serde_json::Error) -> Abort {
    abort(ChangeError::Store(StoreError::Corrupt(e)))
}

fn record_abort(e: record::RecordError) -> Abort {
    abort(ChangeError::Store(StoreError::Record(e)))
}

/// `job` at the store's change counter `version`: only the store sets it,
/// in the transaction that makes the change.
fn stamped(job: Job, version: u64) -> Job {
    let mut parts = job.into_parts();
    parts.version = version;
    Job::from_parts(parts)
}

impl Trees {
    pub(super) fn open(db: Db) -> Result<Self, StoreError> {
        Ok(Self {
            jobs: db.open_tree("jobs")?,
            audit: db.open_tree("audit")?,
            by_status: db.open_tree("idx_status")?,
            by_requester: db.open_tree("idx_requester")?,
            by_vpc: db.open_tree("idx_vpc")?,
            slots: db.open_tree("slots")?,
            deliveries: db.open_tree("deliveries")?,
            owners: db.open_tree("owners")?,
            outbox: db.open_tree("outbox")?,
            db,
        })
    }

    /// Hands out the next job id. A number that reached a stored job is
    /// never reused: sled persists in order, so the flush after the job's
    /// insert covers the counter, and a number lost in a crash before that
    /// was never shown to anyone.
    pub(super) fn next_job_id(&self) -> Result<JobId, StoreError> {
        let next = self.db.update_and_fetch("next_job_number", |old| {
            let n = old
                .and_then(|b| <[u8; 8]>::try_from(b).ok())
                .map(u64::from_be_bytes)
                .unwrap_or(FIRST_JOB_NUMBER - 1);
            Some((n + 1).to_be_bytes().to_vec())
        })?;
        Ok(next
            .and_then(|b| job_id_from(&b))
            .unwrap_or(JobId::new(FIRST_JOB_NUMBER)))
    }

    /// Changes job `id` to what `next` makes of its current value, atomically
    /// with its indexes, its slot, an audit event and its chat effects:
    /// `chat.says` of the changed job goes into the outbox, and the entry
    /// `chat.delivered` (a card just posted) leaves it. `next` and `says`
    /// may run more than once (sled retries conflicting transactions), so
    /// they must not have side effects.
    pub(super) fn apply(
        &self,
        id: JobId,
        event: &AuditEvent,
        next: impl Fn(Option<Job>) -> Result<Job, ChangeError>,
        chat: &ChatEffects<'_>,
    ) -> Result<Job, ChangeError> {
        let trees = (
            &self.jobs,
            &self.audit,
            &self.by_status,
            &self.by_requester,
            &self.by_vpc,
            &self.slots,
            &self.owners,
            &self.outbox,
        );
        let result = trees.transaction(
            |(jobs, audit, by_status, by_requester, by_vpc, slots, owners, outbox)| {
                let key = job_key(id);
                let current: Option<Job> = match jobs.get(key)? {
                    Some(b) => Some(record::decode(&b).map_err(record_abort)?),
                    None => None,
                };
                let version = current.as_ref().map_or(1, |c| c.version() + 1);
                let job = stamped(next(current.clone()).map_err(abort)?, version);

                if let Some(old) = &current {
                    by_status.remove(index_key(old.state().key().as_str(), id))?;
                }
                by_status.insert(index_key(job.state().key().as_str(), id), &[])?;
                by_requester.insert(index_key(&job.requester().to_string(), id), &[])?;
                by_vpc.insert(index_key(job.request().vpc.as_str(), id), &[])?;

                let held_before = current.as_ref().is_some_and(|c| c.state().holds_slot());
                move_slot(slots, &job, held_before, job.state().holds_slot())?;
                move_holdings(owners, current.as_ref(), &job)?;

                let bytes = record::encode(&job, job.version()).map_err(json_abort)?;
                jobs.insert(&key, bytes)?;
                let mut event = event.clone();
                if event.outcome == Outcome::Unstated {
                    event.outcome = Outcome::Reached(job.state().key());
                }
                // Every line about a job names the rule it lives under.
                if event.rule.is_none() {
                    event.rule = job.guard().rule.clone();
                }
                let audit_key = audit.generate_id()?.to_be_bytes();
                audit.insert(&audit_key, serde_json::to_vec(&event).map_err(json_abort)?)?;
                if let Some(seq) = chat.delivered {
                    outbox::discard(outbox, id, seq)?;
                }
                outbox::enqueue(outbox, id, (chat.says)(&job), event.at)?;
                Ok(job)
            },
        );
        result.map_err(transaction_error)
    }

    /// Writes chat effects that change no job (a "still waiting" note).
    pub(super) fn say(
        &self,
        job: JobId,
        messages: Vec<Outgoing>,
        now: u64,
    ) -> Result<(), ChangeError> {
        self.outbox
            .transaction(|tx| outbox::enqueue(tx, job, messages.clone(), now))
            .map_err(transaction_error)
    }

    /// Removes a delivered entry, unless a newer version replaced it while
    /// it was delivered (then it stays, to go again). True when removed.
    pub(super) fn outbox_delivered(
        &self,
        job: JobId,
        seq: u64,
        delivered: &Outgoing,
    ) -> Result<bool, ChangeError> {
        self.outbox
            .transaction(|tx| outbox::remove(tx, job, seq, delivered))
            .map_err(transaction_error)
    }

    /// Removes an entry whatever it holds (an operator gave up on it).
    pub(super) fn outbox_discard(&self, job: JobId, seq: u64) -> Result<(), ChangeError> {
        self.outbox
            .transaction(|tx| outbox::discard(tx, job, seq))
            .map_err(transaction_error)
    }

    /// Books a delivered living message (a card update, the checklist, a
    /// wait's note): where it was `posted` in the thread, if this delivery
    /// posted it, goes on the job; its entry leaves the outbox unless what
    /// it shows changed while it was delivered (`shown` false of the job as
    /// stored now, or a newer note replaced it). Then the entry stays where
    /// it is, to be delivered again, so the last change is always shown and
    /// nothing written after it overtakes it. True when it left.
    pub(super) fn living_delivered(
        &self,
        id: JobId,
        seq: u64,
        delivered: &Outgoing,
        posted: Option<&(Living, MessageRef)>,
        shown: &(dyn Fn(&Job) -> bool + Send + Sync),
    ) -> Result<bool, ChangeError> {
        (&self.jobs, &self.outbox)
            .transaction(|(jobs, tx)| {
                let key = job_key(id);
                let Some(b) = jobs.get(key)? else {
                    return outbox::remove(tx, id, seq, delivered);
                };
                let mut job = record::decode(&b).map_err(record_abort)?;
                if let Some((which, at)) = posted {
                    let version = job.version() + 1;
                    job.change(Change::LivingPosted(*which, at.clone()))
                        .map_err(|e| abort(e.into()))?;
                    job = stamped(job, version);
                    let bytes = record::encode(&job, version).map_err(json_abort)?;
                    jobs.insert(&key, bytes)?;
                }
                if !shown(&job) {
                    return Ok(false);
                }
                outbox::remove(tx, id, seq, delivered)
            })
            .map_err(transaction_error)
    }

    /// Records a failed delivery on its entry.
    pub(super) fn outbox_failed(
        &self,
        job: JobId,
        seq: u64,
        failure: &outbox::Failure,
    ) -> Result<(), ChangeError> {
        self.outbox
            .transaction(|tx| outbox::record_failure(tx, job, seq, failure))
            .map_err(transaction_error)
    }

    /// Appends an audit event that changes no job.
    pub(super) fn append_audit(&self, event: &AuditEvent) -> Result<(), StoreError> {
        // A refusal about a job names the rule the job lives under.
        let mut event = event.clone();
        if let (None, Some(id)) = (&event.rule, event.job)
            && let Some(bytes) = self.jobs.get(job_key(id))?
            && let Ok(job) = record::decode(&bytes)
        {
            event.rule = job.guard().rule.clone();
        }
        // Same monotonic counter as the transactional appends, so the log's
        // key order is the order things happened.
        let key = self.db.generate_id()?.to_be_bytes();
        self.audit.insert(key, serde_json::to_vec(&event)?)?;
        Ok(())
    }

    /// Records a delivery id; true the first time it is seen.
    pub(super) fn first_delivery(&self, delivery: &str, at: u64) -> Result<bool, StoreError> {
        Ok(self
            .deliveries
            .compare_and_swap(
                delivery.as_bytes(),
                None as Option<&[u8]>,
                Some(&at.to_be_bytes()[..]),
            )?
            .is_ok())
    }

    pub(super) fn forget_deliveries_before(&self, before: u64) -> Result<usize, StoreError> {
        let mut n = 0;
        for item in self.deliveries.iter() {
            let (k, v) = item?;
            let at = <[u8; 8]>::try_from(v.as_ref())
                .map(u64::from_be_bytes)
                .unwrap_or(0);
            if at < before {
                self.deliveries.remove(k)?;
                n += 1;
            }
        }
        Ok(n)
    }
}

/// Keeps the owners of every resource in step with what the job holds:
/// the job becomes a user of what it newly records and stops being one of
/// what it no longer holds; an entry with no users left is dropped.
fn move_holdings(
    owners: &TransactionalTree,
    before: Option<&Job>,
    after: &Job,
) -> Result<(), Abort> {
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
    let read = |key: &str| -> Result<Owners, Abort> {
        match owners.get(key.as_bytes())? {
            Some(b) => serde_json::from_slice(&b).map_err(json_abort),
            None => Ok(Owners::default()),
        }
    };
    for (key, origin) in &new {
        if old.get(key) == Some(origin) {
            continue;
        }
        let mut entry = read(key)?;
        entry.add(after.id(), *origin);
        owners.insert(
            key.as_bytes(),
            serde_json::to_vec(&entry).map_err(json_abort)?,
        )?;
    }
    // A handoff (or taking back) is recorded on everything the job holds,
    // so that a job sharing it knows Terraform manages it now.
    let handed = |j: &Job| matches!(j.state(), JobState::HandedOver { .. });
    if before.is_some_and(handed) != handed(after) {
        for key in new.keys() {
            let mut entry = read(key)?;
            match handed(after) {
                true => entry.terraform.insert(after.id()),
                false => entry.terraform.remove(&after.id()),
            };
            owners.insert(
                key.as_bytes(),
                serde_json::to_vec(&entry).map_err(json_abort)?,
            )?;
        }
    }
    for key in old.keys().filter(|k| !new.contains_key(*k)) {
        let mut entry = read(key)?;
        entry.users.remove(&after.id());
        entry.terraform.remove(&after.id());
        if entry.users.is_empty() {
            owners.remove(key.as_bytes())?;
        } else {
            owners.insert(
                key.as_bytes(),
                serde_json::to_vec(&entry).map_err(json_abort)?,
            )?;
        }
    }
    Ok(())
}

/// Takes or releases the job's (VPC, region) slot as its state requires.
fn move_slot(
    slots: &TransactionalTree,
    job: &Job,
    held_before: bool,
    holds_now: bool,
) -> Result<(), Abort> {
    let slot = job.slot();
    let ours = job_key(job.id());
    let holder = slots.get(slot.as_bytes())?;
    match (held_before, holds_now) {
        (false, true) => match holder {
            Some(h) if h.as_ref() != ours => Err(abort(ChangeError::SlotTaken(
                job_id_from(&h).unwrap_or(JobId::new(0)),
            ))),
            _ => {
                slots.insert(slot.as_bytes(), &ours)?;
                Ok(())
            }
        },
        (true, false) => {
            if holder.as_deref() == Some(&ours[..]) {
                slots.remove(slot.as_bytes())?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}
