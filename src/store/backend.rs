//! The seam between the store and the engine that keeps its tables: sled
//! (embedded, one process) or PostgreSQL (several replicas).
//!
//! What a change does is written once, in [`super::tx`] and
//! [`super::outbox`], against [`Tx`]: the handful of table operations one
//! transaction may make. A backend supplies the transaction ([`Backend`])
//! and the queries ([`Reads`]); it never decides what a change means. So
//! the slot rule, the owners' bookkeeping and the outbox's collapsing are
//! the same on both, and the store's tests hold for both.

use std::time::Duration;

use super::outbox::{Meta, Pending, Stored};
use super::{ChangeError, StoreError};
use crate::domain::audit::AuditEvent;
use crate::domain::ids::{JobId, UserRef, VpcId};
use crate::domain::job::{Job, StateKey};
use crate::domain::ownership::Owners;

/// Why a transaction's body stopped.
#[derive(Debug)]
pub(super) enum TxError {
    /// Another writer changed what this one read: the backend runs the
    /// body again from the start, on fresh reads.
    Conflict,
    /// The change is refused or failed: the transaction is undone and the
    /// caller told.
    Change(ChangeError),
}

impl From<ChangeError> for TxError {
    fn from(e: ChangeError) -> Self {
        TxError::Change(e)
    }
}

impl From<StoreError> for TxError {
    fn from(e: StoreError) -> Self {
        TxError::Change(e.into())
    }
}

impl From<serde_json::Error> for TxError {
    fn from(e: serde_json::Error) -> Self {
        TxError::Change(StoreError::Corrupt(e).into())
    }
}

impl From<super::record::RecordError> for TxError {
    fn from(e: super::record::RecordError) -> Self {
        TxError::Change(StoreError::Record(e).into())
    }
}

impl From<crate::domain::lifecycle::Refusal> for TxError {
    fn from(e: crate::domain::lifecycle::Refusal) -> Self {
        TxError::Change(e.into())
    }
}

/// A replica's claim on a job: only the holder of the newest epoch may
/// write for the job's work, and only until the claim expires (fencing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lease {
    pub job: JobId,
    /// Goes up by one at every claim of the job, by anyone.
    pub epoch: u64,
}

/// The table operations of one transaction. Reads see the transaction's
/// own writes; nothing is visible to anyone else until it commits.
pub(super) trait Tx {
    fn job(&mut self, id: JobId) -> Result<Option<Job>, TxError>;
    /// Writes `job` (already at its new version) and its indexes; `before`
    /// is the job as this transaction read it (none for a new job).
    fn put_job(&mut self, before: Option<&Job>, job: &Job) -> Result<(), TxError>;
    /// Refuses with [`ChangeError::Fenced`] unless `lease` is still the
    /// job's newest, unexpired claim.
    fn fence(&mut self, lease: Lease) -> Result<(), TxError>;

    fn slot_holder(&mut self, slot: &str) -> Result<Option<JobId>, TxError>;
    fn take_slot(&mut self, slot: &str, job: JobId) -> Result<(), TxError>;
    fn free_slot(&mut self, slot: &str) -> Result<(), TxError>;

    fn owners(&mut self, resource: &str) -> Result<Option<Owners>, TxError>;
    fn put_owners(&mut self, resource: &str, owners: &Owners) -> Result<(), TxError>;
    fn remove_owners(&mut self, resource: &str) -> Result<(), TxError>;

    /// Appends to the audit log, after everything appended before.
    fn append_audit(&mut self, event: &AuditEvent) -> Result<(), TxError>;

    fn outbox_meta(&mut self, job: JobId) -> Result<Meta, TxError>;
    /// Writes the job's bookkeeping; the empty one is removed.
    fn put_outbox_meta(&mut self, job: JobId, meta: &Meta) -> Result<(), TxError>;
    fn outbox_entry(&mut self, job: JobId, seq: u64) -> Result<Option<Stored>, TxError>;
    fn put_outbox_entry(&mut self, job: JobId, seq: u64, entry: &Stored) -> Result<(), TxError>;
    /// True when there was an entry to remove.
    fn remove_outbox_entry(&mut self, job: JobId, seq: u64) -> Result<bool, TxError>;
    /// A number above every entry's so far (never 0: 0 is no entry).
    fn next_outbox_seq(&mut self) -> Result<u64, TxError>;
}

/// A backend's changes. Runs on the store's writer thread only.
pub(super) trait Backend: Send {
    /// Runs `body` in one transaction, again from the start on a
    /// [`TxError::Conflict`], and commits it when it succeeds.
    fn run(
        &mut self,
        body: &mut dyn FnMut(&mut dyn Tx) -> Result<(), TxError>,
    ) -> Result<(), ChangeError>;
    fn next_job_id(&mut self) -> Result<JobId, StoreError>;
    fn first_delivery(&mut self, delivery: &str, at: u64) -> Result<bool, StoreError>;
    fn forget_deliveries_before(&mut self, before: u64) -> Result<usize, StoreError>;
    /// Makes every change so far durable (and, on PostgreSQL, visible):
    /// the end of the writer's batch.
    fn flush(&mut self) -> Result<(), StoreError>;
    /// Whether changes are waiting for `flush` to be seen at all (an open
    /// transaction): then the batch is flushed even if none of its changes
    /// asked to be durable.
    fn uncommitted(&self) -> bool {
        false
    }
    /// Claims job `id` for this replica (`owner`) for `ttl`, if nobody
    /// else holds a live claim; a claim this owner holds is renewed under
    /// a new epoch. By default (one process per store) always granted.
    fn claim(
        &mut self,
        id: JobId,
        _owner: &str,
        _ttl: Duration,
    ) -> Result<Option<Lease>, StoreError> {
        Ok(Some(Lease { job: id, epoch: 0 }))
    }
    /// Extends `lease` by `ttl`; false when it was lost (expired or taken).
    fn renew(&mut self, _lease: Lease, _ttl: Duration) -> Result<bool, StoreError> {
        Ok(true)
    }
    /// Lets go of `lease`, if it is still held, so another may claim at once.
    fn release(&mut self, _lease: Lease) -> Result<(), StoreError> {
        Ok(())
    }
}

impl dyn Backend + '_ {
    /// [`Backend::run`] for a body with an answer.
    pub(super) fn transact<T>(
        &mut self,
        mut body: impl FnMut(&mut dyn Tx) -> Result<T, TxError>,
    ) -> Result<T, ChangeError> {
        let mut answer = None;
        self.run(&mut |tx| {
            answer = Some(body(tx)?);
            Ok(())
        })?;
        answer.ok_or(ChangeError::Store(StoreError::Closed))
    }
}

/// A backend's queries. Synchronous: async callers run them on the
/// blocking pool (`Store::read`).
pub(super) trait Reads: Send + Sync {
    /// Whether a query must not run on a thread that drives async tasks
    /// (the synchronous PostgreSQL client starts a runtime of its own).
    fn needs_a_thread_off_the_runtime(&self) -> bool {
        false
    }
    fn get(&self, id: JobId) -> Result<Option<Job>, StoreError>;
    fn slot_holder(&self, slot: &str) -> Result<Option<JobId>, StoreError>;
    fn owners(&self, resource: &str) -> Result<Owners, StoreError>;
    fn audit_log(&self, job: Option<JobId>) -> Result<Vec<AuditEvent>, StoreError>;
    fn jobs_in_state(&self, state: StateKey) -> Result<Vec<Job>, StoreError>;
    fn job_counts(&self) -> Result<Vec<(StateKey, usize)>, StoreError>;
    fn jobs_requested_by(&self, user: &UserRef) -> Result<Vec<Job>, StoreError>;
    fn jobs_for_vpc(&self, vpc: &VpcId) -> Result<Vec<Job>, StoreError>;
    fn all_jobs(&self) -> Result<Vec<Job>, StoreError>;
    fn outbox(&self) -> Result<Vec<Pending>, StoreError>;
    fn outbox_head(&self, job: JobId) -> Result<Option<Pending>, StoreError>;
    fn outbox_heads(&self) -> Result<Vec<Pending>, StoreError>;
    /// Jobs owing work (`OWED_WORK`) that no replica holds a live claim
    /// on: what a replica may adopt.
    fn unclaimed(&self, states: &[StateKey]) -> Result<Vec<JobId>, StoreError>;
}
