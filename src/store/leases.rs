//! Claims on jobs, for several replicas on one database: a replica works
//! on a job only under a lease (owner, epoch, expiry), renews it while a
//! step runs, and lets go when it is done. Every record the work writes is
//! fenced by the lease ([`Admission::Leased`]), so a replica that stalled
//! past its lease finds its next write refused. On sled one process holds
//! the store and every claim succeeds.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use super::{Admission, Lease, Singleton, Store, StoreError};
use crate::domain::ids::JobId;
use crate::domain::job::StateKey;

impl Store {
    /// Claims job `id` for `owner` for `ttl`; none when another replica
    /// holds a live claim on it. A store no other process shares grants
    /// it at once, without a write: nobody can contest it.
    pub async fn claim(
        &self,
        id: JobId,
        owner: &str,
        ttl: Duration,
    ) -> Result<Option<Lease>, StoreError> {
        if !self.shared() {
            return Ok(Some(Lease { job: id, epoch: 0 }));
        }
        let owner = owner.to_owned();
        self.write(Admission::Owed, format!("claim {id}"), false, move |b| {
            b.claim(id, &owner, ttl)
        })
        .await
    }

    /// Extends `lease` by `ttl`; false when it was lost.
    pub async fn renew(&self, lease: Lease, ttl: Duration) -> Result<bool, StoreError> {
        if !self.shared() {
            return Ok(true);
        }
        self.write(
            Admission::Owed,
            format!("renew {}", lease.job),
            false,
            move |b| b.renew(lease, ttl),
        )
        .await
    }

    /// Lets go of `lease` so another replica may claim the job at once.
    pub async fn release(&self, lease: Lease) -> Result<(), StoreError> {
        if !self.shared() {
            return Ok(());
        }
        self.write(
            Admission::Owed,
            format!("release {}", lease.job),
            false,
            move |b| b.release(lease),
        )
        .await
    }

    /// Jobs in `states` that no replica holds a live claim on.
    pub async fn unclaimed(&self, states: &'static [StateKey]) -> Result<Vec<JobId>, StoreError> {
        self.read("unclaimed jobs", move |r| r.unclaimed(states))
            .await
    }
}

impl Store {
    /// Waits until this replica holds the singleton `name` (the Discord
    /// gateway, the expiry sweep, the drift watch's scheduler, the chat
    /// dispatcher); `held_elsewhere` is called each time another replica
    /// is found holding it. With one process per store it is held at once.
    pub async fn singleton(
        &self,
        name: &'static str,
        held_elsewhere: &(dyn Fn() + Sync),
    ) -> Singleton {
        match &self.extras {
            Some(extras) => extras.singleton(name, held_elsewhere).await,
            None => Singleton::alone(name),
        }
    }

    /// Woken when another replica lets go of a job (PostgreSQL only).
    pub fn jobs_woken(&self) -> Option<Arc<Notify>> {
        self.extras.as_ref().map(|e| e.jobs_woken().clone())
    }

    /// Whether the shared database answers (none for sled, which has no
    /// database to lose).
    pub fn database_up(&self) -> Option<bool> {
        self.extras.as_ref().map(|e| e.listening())
    }
}
