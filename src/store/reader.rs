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
    /// Runs `f` here, or, for a backend whose queries must not run on a
    /// thread driving async tasks (a test reading from async code), on a
    /// thread of its own. `Store`'s async reads never come this way: they
    /// already run on the blocking pool.
    fn run<T: Send>(
        &self,
        f: impl FnOnce(&dyn Reads) -> Result<T, StoreError> + Send,
    ) -> Result<T, StoreError> {
        let reads = self.0.as_ref();
        if !(reads.needs_a_thread_off_the_runtime()
            && tokio::runtime::Handle::try_current().is_ok())
        {
            return f(reads);
        }
        std::thread::scope(|scope| {
            std::thread::Builder::new()
                .name("store-read".to_owned())
                .spawn_scoped(scope, || f(reads))
                .map_err(StoreError::Thread)?
                .join()
                .map_err(|_| StoreError::Unexpected("a read panicked".to_owned()))?
        })
    }

    pub fn get(&self, id: JobId) -> Result<Option<Job>, StoreError> {
        self.run(|r| r.get(id))
    }

    /// The job holding the (VPC, region) slot `slot`, if any.
    pub fn slot_holder(&self, slot: &str) -> Result<Option<JobId>, StoreError> {
        self.run(|r| r.slot_holder(slot))
    }

    /// Who made `resource` and who uses it now.
    pub fn owners(&self, resource: &Resource) -> Result<Owners, StoreError> {
        self.run(|r| r.owners(&resource.key()))
    }

    /// Audit events, oldest first, optionally for one job.
    pub fn audit_log(&self, job: Option<JobId>) -> Result<Vec<AuditEvent>, StoreError> {
        self.run(|r| r.audit_log(job))
    }

    /// Jobs whose state is of kind `state`.
    pub fn jobs_in_state(&self, state: StateKey) -> Result<Vec<Job>, StoreError> {
        self.run(|r| r.jobs_in_state(state))
    }

    /// How many jobs are in each state, from the index alone.
    pub fn job_counts(&self) -> Result<Vec<(StateKey, usize)>, StoreError> {
        self.run(|r| r.job_counts())
    }

    pub fn jobs_requested_by(&self, user: &UserRef) -> Result<Vec<Job>, StoreError> {
        self.run(|r| r.jobs_requested_by(user))
    }

    pub fn jobs_for_vpc(&self, vpc: &VpcId) -> Result<Vec<Job>, StoreError> {
        self.run(|r| r.jobs_for_vpc(vpc))
    }

    /// Every chat effect waiting for delivery, per job in order.
    pub fn outbox(&self) -> Result<Vec<Pending>, StoreError> {
        self.run(|r| r.outbox())
    }

    /// The first waiting chat effect of one job.
    pub fn outbox_head(&self, job: JobId) -> Result<Option<Pending>, StoreError> {
        self.run(|r| r.outbox_head(job))
    }

    /// The first waiting chat effect of each job.
    pub fn outbox_heads(&self) -> Result<Vec<Pending>, StoreError> {
        self.run(|r| r.outbox_heads())
    }

    pub fn all_jobs(&self) -> Result<Vec<Job>, StoreError> {
        self.run(|r| r.all_jobs())
    }
}
