//! The embedded backend: sled trees in one process. The transaction runs
//! on the writer thread, across every tree a change touches, and sled's
//! own conflict retry runs the body again; the writer flushes once per
//! batch. One process holds the store's file lock, so a job's lease is
//! never contested here (the store grants claims itself).

mod kind;
mod reads;

use ::sled::transaction::{
    ConflictableTransactionError, TransactionError, TransactionalTree, UnabortableTransactionError,
};
use ::sled::{Db, Transactional, Tree};
use std::cell::RefCell;

pub(in crate::store) use kind::settle;
pub use kind::{StoreKind, start_sandbox_over};
pub(super) use reads::SledReads;

use super::backend::{Backend, Lease, Tx, TxError};
use super::outbox::{META, Meta, Stored};
use super::record;
use super::{ChangeError, StoreError};
use crate::domain::audit::AuditEvent;
use crate::domain::ids::JobId;
use crate::domain::job::Job;
use crate::domain::ownership::Owners;

/// The first job number handed out: short, human ids such as `PL-1042`.
pub(super) const FIRST_JOB_NUMBER: u64 = 1000;

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
    /// Chat effects waiting for delivery (`outbox`), keyed
    /// `job (8 bytes) ++ seq (8 bytes)` big-endian; seq 0 is the job's
    /// bookkeeping.
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

pub(super) fn outbox_key(job: JobId, seq: u64) -> [u8; 16] {
    let mut k = [0u8; 16];
    k[..8].copy_from_slice(&job.number().to_be_bytes());
    k[8..].copy_from_slice(&seq.to_be_bytes());
    k
}

pub(super) fn split_outbox_key(k: &[u8]) -> Option<(JobId, u64)> {
    let job = <[u8; 8]>::try_from(k.get(..8)?).ok()?;
    let seq = <[u8; 8]>::try_from(k.get(8..16)?).ok()?;
    Some((JobId::new(u64::from_be_bytes(job)), u64::from_be_bytes(seq)))
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
}

/// One sled transaction over every tree, as a [`Tx`].
struct SledTx<'a> {
    jobs: &'a TransactionalTree,
    audit: &'a TransactionalTree,
    by_status: &'a TransactionalTree,
    by_requester: &'a TransactionalTree,
    by_vpc: &'a TransactionalTree,
    slots: &'a TransactionalTree,
    owners: &'a TransactionalTree,
    outbox: &'a TransactionalTree,
}

impl From<UnabortableTransactionError> for TxError {
    fn from(e: UnabortableTransactionError) -> Self {
        match e {
            UnabortableTransactionError::Conflict => TxError::Conflict,
            UnabortableTransactionError::Storage(e) => StoreError::from(e).into(),
        }
    }
}

impl From<::sled::Error> for TxError {
    fn from(e: ::sled::Error) -> Self {
        StoreError::from(e).into()
    }
}

impl Tx for SledTx<'_> {
    fn job(&mut self, id: JobId) -> Result<Option<Job>, TxError> {
        match self.jobs.get(job_key(id))? {
            Some(b) => Ok(Some(record::decode(&b)?)),
            None => Ok(None),
        }
    }

    fn put_job(&mut self, before: Option<&Job>, job: &Job) -> Result<(), TxError> {
        let id = job.id();
        if let Some(old) = before {
            self.by_status
                .remove(index_key(old.state().key().as_str(), id))?;
        }
        self.by_status
            .insert(index_key(job.state().key().as_str(), id), &[])?;
        self.by_requester
            .insert(index_key(&job.requester().to_string(), id), &[])?;
        self.by_vpc
            .insert(index_key(job.request().vpc.as_str(), id), &[])?;
        self.jobs
            .insert(&job_key(id), record::encode(job, job.version())?)?;
        Ok(())
    }

    fn fence(&mut self, _lease: Lease) -> Result<(), TxError> {
        // One process holds the store: a claim it made is never taken.
        Ok(())
    }

    fn slot_holder(&mut self, slot: &str) -> Result<Option<JobId>, TxError> {
        Ok(self
            .slots
            .get(slot.as_bytes())?
            .map(|b| job_id_from(&b).unwrap_or(JobId::new(0))))
    }

    fn take_slot(&mut self, slot: &str, job: JobId) -> Result<(), TxError> {
        self.slots.insert(slot.as_bytes(), &job_key(job))?;
        Ok(())
    }

    fn free_slot(&mut self, slot: &str) -> Result<(), TxError> {
        self.slots.remove(slot.as_bytes())?;
        Ok(())
    }

    fn owners(&mut self, resource: &str) -> Result<Option<Owners>, TxError> {
        match self.owners.get(resource.as_bytes())? {
            Some(b) => Ok(Some(serde_json::from_slice(&b)?)),
            None => Ok(None),
        }
    }

    fn put_owners(&mut self, resource: &str, owners: &Owners) -> Result<(), TxError> {
        self.owners
            .insert(resource.as_bytes(), serde_json::to_vec(owners)?)?;
        Ok(())
    }

    fn remove_owners(&mut self, resource: &str) -> Result<(), TxError> {
        self.owners.remove(resource.as_bytes())?;
        Ok(())
    }

    fn append_audit(&mut self, event: &AuditEvent) -> Result<(), TxError> {
        // sled's monotonic id: the log's key order is the order things
        // happened.
        let key = self.audit.generate_id()?.to_be_bytes();
        self.audit.insert(&key, serde_json::to_vec(event)?)?;
        Ok(())
    }

    fn outbox_meta(&mut self, job: JobId) -> Result<Meta, TxError> {
        match self.outbox.get(outbox_key(job, META))? {
            Some(b) => Ok(serde_json::from_slice(&b)?),
            None => Ok(Meta::default()),
        }
    }

    fn put_outbox_meta(&mut self, job: JobId, meta: &Meta) -> Result<(), TxError> {
        if *meta == Meta::default() {
            self.outbox.remove(&outbox_key(job, META))?;
        } else {
            self.outbox
                .insert(&outbox_key(job, META), serde_json::to_vec(meta)?)?;
        }
        Ok(())
    }

    fn outbox_entry(&mut self, job: JobId, seq: u64) -> Result<Option<Stored>, TxError> {
        match self.outbox.get(outbox_key(job, seq))? {
            Some(b) => Ok(Some(serde_json::from_slice(&b)?)),
            None => Ok(None),
        }
    }

    fn put_outbox_entry(&mut self, job: JobId, seq: u64, entry: &Stored) -> Result<(), TxError> {
        self.outbox
            .insert(&outbox_key(job, seq), serde_json::to_vec(entry)?)?;
        Ok(())
    }

    fn remove_outbox_entry(&mut self, job: JobId, seq: u64) -> Result<bool, TxError> {
        Ok(self.outbox.remove(&outbox_key(job, seq))?.is_some())
    }

    fn next_outbox_seq(&mut self) -> Result<u64, TxError> {
        // sled's ids start at 0, which is the bookkeeping key.
        Ok(self.outbox.generate_id()? + 1)
    }
}

impl Backend for Trees {
    fn run(
        &mut self,
        body: &mut dyn FnMut(&mut dyn Tx) -> Result<(), TxError>,
    ) -> Result<(), ChangeError> {
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
        // sled's transaction wants `Fn`; the body runs once per attempt.
        let body = RefCell::new(body);
        let result = trees.transaction(
            |(jobs, audit, by_status, by_requester, by_vpc, slots, owners, outbox)| {
                let mut tx = SledTx {
                    jobs,
                    audit,
                    by_status,
                    by_requester,
                    by_vpc,
                    slots,
                    owners,
                    outbox,
                };
                let mut body = body.borrow_mut();
                match (*body)(&mut tx) {
                    Ok(()) => Ok(()),
                    Err(TxError::Conflict) => Err(ConflictableTransactionError::Conflict),
                    Err(TxError::Change(e)) => Err(ConflictableTransactionError::Abort(e)),
                }
            },
        );
        result.map_err(|e| match e {
            TransactionError::Abort(e) => e,
            TransactionError::Storage(e) => StoreError::from(e).into(),
        })
    }

    /// A number that reached a stored job is never reused: sled persists
    /// in order, so the flush after the job's insert covers the counter,
    /// and a number lost in a crash before that was never shown to anyone.
    fn next_job_id(&mut self) -> Result<JobId, StoreError> {
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

    fn first_delivery(&mut self, delivery: &str, at: u64) -> Result<bool, StoreError> {
        Ok(self
            .deliveries
            .compare_and_swap(
                delivery.as_bytes(),
                None as Option<&[u8]>,
                Some(&at.to_be_bytes()[..]),
            )?
            .is_ok())
    }

    fn forget_deliveries_before(&mut self, before: u64) -> Result<usize, StoreError> {
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

    fn flush(&mut self) -> Result<(), StoreError> {
        self.db.flush()?;
        Ok(())
    }
}
