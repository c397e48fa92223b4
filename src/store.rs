//! The sled store: jobs, the append-only audit log, indexes, the one-active-
//! job-per-(VPC, region) slots and the seen delivery ids.
//!
//! Every change to a job is one sled transaction across all the trees it
//! touches (job, indexes, slot, audit), followed by a flush before the caller
//! may tell anyone it happened. A crash therefore leaves either the old or
//! the new state, never a half.

use std::path::Path;

use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};
use sled::{Db, Transactional, Tree};

use crate::domain::ids::{JobId, UserRef, VpcId};
use crate::domain::job::{AuditEvent, Job};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store: {0}")]
    Sled(#[from] sled::Error),
    #[error("store: corrupt record: {0}")]
    Corrupt(#[from] serde_json::Error),
}

/// Why a change was not made.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error("there is no job {0}")]
    NotFound(JobId),
    /// The change was refused by its own rule (for example, wrong state).
    #[error("{0}")]
    Refused(String),
    /// Another job holds this job's (VPC, region) slot.
    #[error("{0} is already active for this VPC and region")]
    SlotTaken(JobId),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The bot's persistent state.
pub struct Store {
    db: Db,
    jobs: Tree,
    audit: Tree,
    by_status: Tree,
    by_requester: Tree,
    by_vpc: Tree,
    slots: Tree,
    deliveries: Tree,
}

/// The first job number handed out: short, human ids such as `PL-1042`.
const FIRST_JOB_NUMBER: u64 = 1000;

fn job_key(id: JobId) -> [u8; 8] {
    id.number().to_be_bytes()
}

fn index_key(prefix: &str, id: JobId) -> Vec<u8> {
    let mut k = prefix.as_bytes().to_vec();
    k.push(0);
    k.extend_from_slice(&job_key(id));
    k
}

fn index_prefix(prefix: &str) -> Vec<u8> {
    let mut k = prefix.as_bytes().to_vec();
    k.push(0);
    k
}

type Abort = ConflictableTransactionError<ChangeError>;

fn abort(e: ChangeError) -> Abort {
    ConflictableTransactionError::Abort(e)
}

fn json_abort(e: serde_json::Error) -> Abort {
    abort(ChangeError::Store(StoreError::Corrupt(e)))
}

impl Store {
    /// Opens (or creates) the store at `path`. If another instance still
    /// holds the store's lock (a restart racing the old process's exit, or
    /// sled's IO threads finishing), waits up to ten seconds for it.
    pub fn open(path: &Path, cache_capacity: u64) -> Result<Self, StoreError> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let mut delay = std::time::Duration::from_millis(5);
        loop {
            match sled::Config::new()
                .path(path)
                .cache_capacity(cache_capacity)
                .open()
            {
                Ok(db) => return Self::from_db(db),
                Err(sled::Error::Io(e))
                    if e.kind() == std::io::ErrorKind::WouldBlock
                        && std::time::Instant::now() < deadline =>
                {
                    tracing::warn!(path = %path.display(), "the store is locked by another instance; waiting");
                    std::thread::sleep(delay);
                    delay = (delay * 2).min(std::time::Duration::from_millis(200));
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// A store that lives in memory only (benchmarks).
    pub fn temporary() -> Result<Self, StoreError> {
        Self::from_db(sled::Config::new().temporary(true).open()?)
    }

    fn from_db(db: Db) -> Result<Self, StoreError> {
        Ok(Self {
            jobs: db.open_tree("jobs")?,
            audit: db.open_tree("audit")?,
            by_status: db.open_tree("idx_status")?,
            by_requester: db.open_tree("idx_requester")?,
            by_vpc: db.open_tree("idx_vpc")?,
            slots: db.open_tree("slots")?,
            deliveries: db.open_tree("deliveries")?,
            db,
        })
    }

    async fn flush(&self) -> Result<(), StoreError> {
        self.db.flush_async().await?;
        Ok(())
    }

    /// Hands out the next job id. A number that reached a stored job is never reused.
    pub async fn next_job_id(&self) -> Result<JobId, StoreError> {
        let next = self.db.update_and_fetch("next_job_number", |old| {
            let n = old
                .and_then(|b| <[u8; 8]>::try_from(b).ok())
                .map(u64::from_be_bytes)
                .unwrap_or(FIRST_JOB_NUMBER - 1);
            Some((n + 1).to_be_bytes().to_vec())
        })?;
        // No flush of its own: sled persists in order, so the flush after
        // the job's insert covers the counter, and a number lost in a crash
        // before that was never shown to anyone.
        let n = next
            .and_then(|b| <[u8; 8]>::try_from(b.as_ref()).ok())
            .map(u64::from_be_bytes)
            .unwrap_or(FIRST_JOB_NUMBER);
        Ok(JobId::new(n))
    }

    pub fn get(&self, id: JobId) -> Result<Option<Job>, StoreError> {
        match self.jobs.get(job_key(id))? {
            Some(bytes) => Ok(Some(serde_json::from_slice(&bytes)?)),
            None => Ok(None),
        }
    }

    /// The job holding the (VPC, region) slot `slot`, if any.
    pub fn slot_holder(&self, slot: &str) -> Result<Option<JobId>, StoreError> {
        Ok(self
            .slots
            .get(slot.as_bytes())?
            .and_then(|b| <[u8; 8]>::try_from(b.as_ref()).ok())
            .map(|b| JobId::new(u64::from_be_bytes(b))))
    }

    /// Stores a new job, taking its slot, with an audit event.
    pub async fn insert(&self, job: &Job, event: AuditEvent) -> Result<(), ChangeError> {
        self.apply(job.id, event, |current| match current {
            Some(_) => Err(ChangeError::Refused(format!("{} exists already", job.id))),
            None => Ok(job.clone()),
        })
        .await
        .map(|_| ())
    }

    /// Changes a job by `change`, atomically with its indexes, its slot and
    /// an audit event, then flushes. `change` may run more than once (sled
    /// retries conflicting transactions), so it must not have side effects.
    pub async fn update(
        &self,
        id: JobId,
        event: AuditEvent,
        change: impl Fn(&mut Job) -> Result<(), String>,
    ) -> Result<Job, ChangeError> {
        self.apply(id, event, |current| {
            let mut job = current.ok_or(ChangeError::NotFound(id))?;
            change(&mut job).map_err(ChangeError::Refused)?;
            Ok(job)
        })
        .await
    }

    async fn apply(
        &self,
        id: JobId,
        event: AuditEvent,
        next: impl Fn(Option<Job>) -> Result<Job, ChangeError>,
    ) -> Result<Job, ChangeError> {
        let trees = (
            &self.jobs,
            &self.audit,
            &self.by_status,
            &self.by_requester,
            &self.by_vpc,
            &self.slots,
        );
        let result = trees.transaction(|(jobs, audit, by_status, by_requester, by_vpc, slots)| {
            let key = job_key(id);
            let current: Option<Job> = match jobs.get(key)? {
                Some(b) => Some(serde_json::from_slice(&b).map_err(json_abort)?),
                None => None,
            };
            let mut job = next(current.clone()).map_err(abort)?;
            job.version = current.as_ref().map_or(1, |c| c.version + 1);

            if let Some(old) = &current {
                by_status.remove(index_key(old.state.key(), id))?;
            }
            by_status.insert(index_key(job.state.key(), id), &[])?;
            by_requester.insert(index_key(&job.requester.to_string(), id), &[])?;
            by_vpc.insert(index_key(job.request.vpc.as_str(), id), &[])?;

            let held_before = current.as_ref().is_some_and(|c| c.state.holds_slot());
            let holds_now = job.state.holds_slot();
            move_slot(slots, &job, held_before, holds_now)?;

            jobs.insert(&key, serde_json::to_vec(&job).map_err(json_abort)?)?;
            let mut event = event.clone();
            if event.outcome.is_empty() {
                event.outcome = job.state.key().to_owned();
            }
            let audit_key = audit.generate_id()?.to_be_bytes();
            audit.insert(&audit_key, serde_json::to_vec(&event).map_err(json_abort)?)?;
            Ok(job)
        });
        let job = match result {
            Ok(job) => job,
            Err(TransactionError::Abort(e)) => return Err(e),
            Err(TransactionError::Storage(e)) => return Err(StoreError::Sled(e).into()),
        };
        self.flush().await?;
        Ok(job)
    }

    /// Appends an audit event that changes no job (a refused click, say).
    pub async fn audit(&self, event: AuditEvent) -> Result<(), StoreError> {
        // Same monotonic counter as the transactional appends, so the log's
        // key order is the order things happened.
        let key = self.db.generate_id()?.to_be_bytes();
        self.audit.insert(key, serde_json::to_vec(&event)?)?;
        self.flush().await
    }

    /// Audit events, oldest first, optionally for one job.
    pub fn audit_log(&self, job: Option<JobId>) -> Result<Vec<AuditEvent>, StoreError> {
        let mut out = Vec::new();
        for item in self.audit.iter() {
            let (_, v) = item?;
            let event: AuditEvent = serde_json::from_slice(&v)?;
            if job.is_none() || event.job == job {
                out.push(event);
            }
        }
        Ok(out)
    }

    fn jobs_in(&self, tree: &Tree, prefix: &str) -> Result<Vec<Job>, StoreError> {
        let mut out = Vec::new();
        for item in tree.scan_prefix(index_prefix(prefix)) {
            let (k, _) = item?;
            let tail = &k[k.len().saturating_sub(8)..];
            if let Ok(bytes) = <[u8; 8]>::try_from(tail)
                && let Some(job) = self.get(JobId::new(u64::from_be_bytes(bytes)))?
            {
                out.push(job);
            }
        }
        Ok(out)
    }

    /// Jobs whose state key (see `JobState::key`) is `state`.
    pub fn jobs_in_state(&self, state: &str) -> Result<Vec<Job>, StoreError> {
        self.jobs_in(&self.by_status, state)
    }

    pub fn jobs_requested_by(&self, user: &UserRef) -> Result<Vec<Job>, StoreError> {
        self.jobs_in(&self.by_requester, &user.to_string())
    }

    pub fn jobs_for_vpc(&self, vpc: &VpcId) -> Result<Vec<Job>, StoreError> {
        self.jobs_in(&self.by_vpc, vpc.as_str())
    }

    pub fn all_jobs(&self) -> Result<Vec<Job>, StoreError> {
        let mut out = Vec::new();
        for item in self.jobs.iter() {
            let (_, v) = item?;
            out.push(serde_json::from_slice(&v)?);
        }
        Ok(out)
    }

    /// Records a platform delivery id; true the first time it is seen, false
    /// for a duplicate delivery that must have no further effect.
    pub async fn first_delivery(&self, delivery: &str, at: u64) -> Result<bool, StoreError> {
        let fresh = self
            .deliveries
            .compare_and_swap(
                delivery.as_bytes(),
                None as Option<&[u8]>,
                Some(&at.to_be_bytes()[..]),
            )?
            .is_ok();
        if fresh {
            self.flush().await?;
        }
        Ok(fresh)
    }

    /// Forgets delivery ids older than `before`: platforms redeliver within
    /// minutes, so the table need not grow without bound.
    pub fn forget_deliveries_before(&self, before: u64) -> Result<usize, StoreError> {
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

/// Takes or releases the job's (VPC, region) slot as its state requires.
fn move_slot(
    slots: &TransactionalTree,
    job: &Job,
    held_before: bool,
    holds_now: bool,
) -> Result<(), Abort> {
    let slot = job.slot();
    let ours = job_key(job.id);
    let holder = slots.get(slot.as_bytes())?;
    match (held_before, holds_now) {
        (false, true) => match holder {
            Some(h) if h.as_ref() != ours => {
                let other = <[u8; 8]>::try_from(h.as_ref())
                    .map(u64::from_be_bytes)
                    .unwrap_or_default();
                Err(abort(ChangeError::SlotTaken(JobId::new(other))))
            }
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
