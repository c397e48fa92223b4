//! The sled backend's queries: a job, the slot and owners tables, the
//! audit log, the state, requester and VPC indexes (never a scan), the
//! outbox.

use ::sled::Tree;

use super::{Trees, index_prefix, job_id_from, job_key, outbox_key, split_outbox_key};
use crate::domain::audit::AuditEvent;
use crate::domain::ids::{JobId, UserRef, VpcId};
use crate::domain::job::{Job, StateKey};
use crate::domain::ownership::Owners;
use crate::store::StoreError;
use crate::store::backend::Reads;
use crate::store::outbox::{META, Pending, Stored};
use crate::store::record;

/// Reads over the trees; cheap to clone.
#[derive(Clone)]
pub(in crate::store) struct SledReads(pub(in crate::store) Trees);

impl SledReads {
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
}

impl Reads for SledReads {
    fn get(&self, id: JobId) -> Result<Option<Job>, StoreError> {
        match self.0.jobs.get(job_key(id))? {
            Some(bytes) => Ok(Some(record::decode(&bytes)?)),
            None => Ok(None),
        }
    }

    fn slot_holder(&self, slot: &str) -> Result<Option<JobId>, StoreError> {
        Ok(self
            .0
            .slots
            .get(slot.as_bytes())?
            .and_then(|b| job_id_from(&b)))
    }

    fn owners(&self, resource: &str) -> Result<Owners, StoreError> {
        match self.0.owners.get(resource.as_bytes())? {
            Some(b) => Ok(serde_json::from_slice(&b)?),
            None => Ok(Owners::default()),
        }
    }

    fn audit_log(&self, job: Option<JobId>) -> Result<Vec<AuditEvent>, StoreError> {
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

    fn jobs_in_state(&self, state: StateKey) -> Result<Vec<Job>, StoreError> {
        self.jobs_in(&self.0.by_status, state.as_str())
    }

    /// From the index alone (no job is read): what a metrics scrape
    /// needs, at any store size.
    fn job_counts(&self) -> Result<Vec<(StateKey, usize)>, StoreError> {
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

    fn jobs_requested_by(&self, user: &UserRef) -> Result<Vec<Job>, StoreError> {
        self.jobs_in(&self.0.by_requester, &user.to_string())
    }

    fn jobs_for_vpc(&self, vpc: &VpcId) -> Result<Vec<Job>, StoreError> {
        self.jobs_in(&self.0.by_vpc, vpc.as_str())
    }

    fn all_jobs(&self) -> Result<Vec<Job>, StoreError> {
        let mut out = Vec::new();
        for item in self.0.jobs.iter() {
            let (_, v) = item?;
            out.push(record::decode(&v)?);
        }
        Ok(out)
    }

    fn outbox(&self) -> Result<Vec<Pending>, StoreError> {
        decoded(self.0.outbox.iter()).collect()
    }

    fn outbox_head(&self, job: JobId) -> Result<Option<Pending>, StoreError> {
        decoded(
            self.0
                .outbox
                .range(outbox_key(job, META)..=outbox_key(job, u64::MAX)),
        )
        .next()
        .transpose()
    }

    fn outbox_heads(&self) -> Result<Vec<Pending>, StoreError> {
        let mut out: Vec<Pending> = Vec::new();
        for p in decoded(self.0.outbox.iter()) {
            let p = p?;
            if out.last().is_none_or(|last| last.job != p.job) {
                out.push(p);
            }
        }
        Ok(out)
    }

    fn unclaimed(&self, states: &[StateKey]) -> Result<Vec<JobId>, StoreError> {
        // One process: nobody else can hold a claim.
        let mut out = Vec::new();
        for &state in states {
            out.extend(self.jobs_in_state(state)?.iter().map(|j| j.id()));
        }
        Ok(out)
    }
}

/// The outbox's entries (not the bookkeeping) as `Pending`, in key order.
fn decoded(
    items: impl Iterator<Item = ::sled::Result<(::sled::IVec, ::sled::IVec)>>,
) -> impl Iterator<Item = Result<Pending, StoreError>> {
    items.filter_map(|item| {
        let (k, v) = match item {
            Ok(kv) => kv,
            Err(e) => return Some(Err(e.into())),
        };
        let (job, seq) = split_outbox_key(&k)?;
        if seq == META {
            return None;
        }
        Some(
            serde_json::from_slice::<Stored>(&v)
                .map(|s| s.pending(job, seq))
                .map_err(StoreError::from),
        )
    })
}
