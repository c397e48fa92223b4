//! The store's synchronous reads, whichever backend keeps the tables.

use std::sync::Arc;

use super::StoreError;
use super::backend::Reads;
use super::outbox::Pending;
use crate::domain::audit::AuditEvent;
use crate::domain::ids::{JobId, UserRef, VpcId};
use crate::domain::job::{Job, StateKey};
use crate::domain::ownership::{Owners, Resource};

/// The store's reads, synchronous. On the async runtime use the `Store`'s
/// own async reads, which run these on the blocking pool; call these
/// directly only off the runtime (the admin CLI, tests).
#[derive(Clone)]
pub struct Reader(pub(super) Arc<dyn Reads>);

impl Reader {
    pub fn get(&self, id: JobId) -> Result<Option<Job>, StoreError> {
        self.0.get(id)
    }

    /// The job holding the (VPC, region) slot `slot`, if any.
    pub fn slot_holder(&self, slot: &str) -> Result<Option<JobId>, StoreError> {
        self.0.slot_holder(slot)
    }

    /// Who made `resource` and who uses it now.
    pub fn owners(&self, resource: &Resource) -> Result<Owners, StoreError> {
        self.0.owners(&resource.key())
    }

    /// Audit events, oldest first, optionally for one job.
    pub fn audit_log(&self, job: Option<JobId>) -> Result<Vec<AuditEvent>, StoreError> {
        self.0.audit_log(job)
    }

    /// Jobs whose state is of kind `state`.
    pub fn jobs_in_state(&self, state: StateKey) -> Result<Vec<Job>, StoreError> {
        self.0.jobs_in_state(state)
    }

    /// How many jobs are in each state, from the index alone.
    pub fn job_counts(&self) -> Result<Vec<(StateKey, usize)>, StoreError> {
        self.0.job_counts()
    }

    pub fn jobs_requested_by(&self, user: &UserRef) -> Result<Vec<Job>, StoreError> {
        self.0.jobs_requested_by(user)
    }

    pub fn jobs_for_vpc(&self, vpc: &VpcId) -> Result<Vec<Job>, StoreError> {
        self.0.jobs_for_vpc(vpc)
    }

    /// Every chat effect waiting for delivery, per job in order.
    pub fn outbox(&self) -> Result<Vec<Pending>, StoreError> {
        self.0.outbox()
    }

    /// The first waiting chat effect of one job.
    pub fn outbox_head(&self, job: JobId) -> Result<Option<Pending>, StoreError> {
        self.0.outbox_head(job)
    }

    /// The first waiting chat effect of each job.
    pub fn outbox_heads(&self) -> Result<Vec<Pending>, StoreError> {
        self.0.outbox_heads()
    }

    pub fn all_jobs(&self) -> Result<Vec<Job>, StoreError> {
        self.0.all_jobs()
    }
}
