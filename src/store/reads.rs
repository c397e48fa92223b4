//! The store's queries: a job, who holds a slot or a resource, the audit
//! log, and jobs by state, requester or VPC (from the indexes, never a
//! scan). Each runs on tokio's blocking pool.

use super::{Store, StoreError};
use crate::domain::audit::AuditEvent;
use crate::domain::ids::{JobId, UserRef, VpcId};
use crate::domain::job::{Job, StateKey};
use crate::domain::ownership::{Owners, Resource};

impl Store {
    pub async fn get(&self, id: JobId) -> Result<Option<Job>, StoreError> {
        self.read("get a job", move |r| r.get(id)).await
    }

    /// The job holding the (VPC, region) slot `slot`, if any.
    pub async fn slot_holder(&self, slot: &str) -> Result<Option<JobId>, StoreError> {
        let slot = slot.to_owned();
        self.read("slot holder", move |r| r.slot_holder(&slot))
            .await
    }

    /// Who made `resource` and who uses it now.
    pub async fn owners(&self, resource: &Resource) -> Result<Owners, StoreError> {
        let resource = resource.clone();
        self.read("owners", move |r| r.owners(&resource.key()))
            .await
    }

    /// Who made each resource `job` holds, by the resource's key (what
    /// an export names as made by another job).
    pub async fn makers(
        &self,
        job: &Job,
    ) -> Result<std::collections::BTreeMap<String, JobId>, StoreError> {
        let resources: Vec<Resource> = job.holdings().into_iter().map(|h| h.resource).collect();
        self.read("makers", move |r| {
            let mut made = std::collections::BTreeMap::new();
            for resource in &resources {
                if let Some(by) = r.owners(&resource.key())?.made_by {
                    made.insert(resource.key(), by);
                }
            }
            Ok(made)
        })
        .await
    }

    /// Audit events, oldest first, optionally for one job.
    pub async fn audit_log(&self, job: Option<JobId>) -> Result<Vec<AuditEvent>, StoreError> {
        self.read("audit log", move |r| r.audit_log(job)).await
    }

    /// Jobs whose state is of kind `state`.
    pub async fn jobs_in_state(&self, state: StateKey) -> Result<Vec<Job>, StoreError> {
        self.read("jobs in a state", move |r| r.jobs_in_state(state))
            .await
    }

    /// Jobs in any of `states`, in that order.
    pub async fn jobs_in_states(
        &self,
        states: &'static [StateKey],
    ) -> Result<Vec<Job>, StoreError> {
        self.read("jobs in states", move |r| {
            let mut all = Vec::new();
            for &state in states {
                all.extend(r.jobs_in_state(state)?);
            }
            Ok(all)
        })
        .await
    }

    /// How many jobs are in each state (read from the index only).
    pub async fn job_counts(&self) -> Result<Vec<(StateKey, usize)>, StoreError> {
        self.read("job counts", |r| r.job_counts()).await
    }

    pub async fn jobs_requested_by(&self, user: &UserRef) -> Result<Vec<Job>, StoreError> {
        let user = user.clone();
        self.read("jobs by requester", move |r| r.jobs_requested_by(&user))
            .await
    }

    pub async fn jobs_for_vpc(&self, vpc: &VpcId) -> Result<Vec<Job>, StoreError> {
        let vpc = vpc.clone();
        self.read("jobs by VPC", move |r| r.jobs_for_vpc(&vpc))
            .await
    }

    pub async fn all_jobs(&self) -> Result<Vec<Job>, StoreError> {
        self.read("all jobs", |r| r.all_jobs()).await
    }
}
