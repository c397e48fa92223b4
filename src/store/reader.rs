//! The store's synchronous reads over the sled trees: a job, the slot and
//! owners tables, the audit log, the state and requester indexes, the
//! outbox.

use sled::Tree;

use super::StoreError;
use super::outbox::{self, Pending};
use super::record;
use super::tables::{Trees, index_prefix, job_id_from, job_key};
use crate::domain::audit::AuditEvent;
use crate::domain::ids::{JobId, UserRef, VpcId};
use crate::domain::job::{Job, StateKey};
use crate::domain::ownership::{Owners, Resource};

/// The store's reads, synchronous. On the async runtime use the `Store`'s
/// own async reads, which run these on the blocking pool; call these
/// directly only off the runtime (the admin CLI, tests).
#[derive(Clone)]
pub struct Reader(pub(super) Trees);

impl Reader {
    pub fn get(&self, id: JobId) -> Result<Option<Job>, StoreError> {
        match self.0.jobs.get(job_key(id))? {
            Some(bytes) => Ok(Some(record::decode(&bytes)?)),
            None => Ok(None),
        }
    }

    /// The job holding the (VPC, region) slot `slot`, if any.
    pub fn slot_holder(&self, slot: &str) -> Result<Option<JobId>, StoreError> {
        Ok(self
            .0
            .slots
            .get(slot.as_bytes())?
            .and_then(|b| job_id_from(&b)))
    }

    /// Who made `resource` and who uses it now.
    pub fn owners(&self, resource: &Resource) -> Result<Owners, StoreError> {
        match self.0.owners.get(resource.key().as_bytes())? {
            Some(b) => Ok(serde_json::from_slice(&b)?),
            None => Ok(Owners::default()),
        }
    }

    /// Audit events, oldest first, optionally for one job.
    pub fn audit_log(&self, job: Option<JobId>) -> Result<Vec<AuditEvent>, StoreError> {
        let mut out = Vec::new();
        for item in self.0.audit.iter() {
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
            if let Some(id) = job_id_from(tail)
                && let Some(job) = self.get(id)?
            {
                out.push(job);
            }
        }
        Ok(out)
    }

    /// Jobs whose state is of kind `state`.
    pub fn jobs_in_state(&self, state: StateKey) -> Result<Vec<Job>, StoreError> {
        self.jobs_in(&self.0.by_status, state.as_str())
    }

    /// How many jobs are in each state, from the index alone (no job is
    /// read): what a metrics scrape needs, at any store size.
    pub fn job_counts(&self) -> Result<Vec<(StateKey, usize)>, StoreError> {
        let mut out = Vec::new();
        for state in StateKey::ALL {
            let mut n = 0;
            for item in self.0.by_status.scan_prefix(index_prefix(state.as_str())) {
                item?;
                n += 1;
            }
            out.push((state, n));
        }
        Ok(out)
    }

    pub fn jobs_requested_by(&self, user: &UserRef) -> Result<Vec<Job>, StoreError> {
        self.jobs_in(&self.0.by_requester, &user.to_string())
    }

    pub fn jobs_for_vpc(&self, vpc: &VpcId) -> Result<Vec<Job>, StoreError> {
        self.jobs_in(&self.0.by_vpc, vpc.as_str())
    }

    /// Every chat effect waiting for delivery, per job in order.
    pub fn outbox(&self) -> Result<Vec<Pending>, StoreError> {
        outbox::all(&self.0.outbox)
    }

    /// The first waiting chat effect of one job.
    pub fn outbox_head(&self, job: JobId) -> Result<Option<Pending>, StoreError> {
        outbox::head_of(&self.0.outbox, job)
    }

    /// The first waiting chat effect of each job.
    pub fn outbox_heads(&self) -> Result<Vec<Pending>, StoreError> {
        outbox::heads(&self.0.outbox)
    }

    pub fn all_jobs(&self) -> Result<Vec<Job>, StoreError> {
        let mut out = Vec::new();
        for item in self.0.jobs.iter() {
            let (_, v) = item?;
            out.push(record::decode(&v)?);
        }
        Ok(out)
    }
}
