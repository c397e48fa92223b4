//! The engine's claims on jobs: a worker works on a job only under a lease
//! it holds (see `store::leases`), renews it while it works, and lets go
//! when it stops. Its records are fenced by the lease, so a worker that
//! stalled past its lease has its next record refused and stops, and the
//! replica that took the job over goes on from what is recorded. With
//! several replicas, each adopts jobs whose lease lapsed (a replica died).

use std::time::Duration;

use super::{Engine, Inner};
use crate::domain::ids::JobId;
use crate::domain::job::StateKey;
use crate::store::{Admission, Lease};

/// Aborts the renewing task (if the lease needs one) when the worker
/// ends, however it ends.
pub(super) struct Renewing(Option<tokio::task::JoinHandle<()>>);

impl Drop for Renewing {
    fn drop(&mut self) {
        if let Some(task) = &self.0 {
            task.abort();
        }
    }
}

/// Who this process is, for the leases it holds: the pod's name when it
/// has one, the process id and a random part (a restarted pod is another
/// owner than the one it replaced).
pub(super) fn replica_name() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "replica".to_owned());
    format!(
        "{host}-{}-{:08x}",
        std::process::id(),
        rand::random::<u32>()
    )
}

impl Inner {
    /// How the worker for `id` writes: under its lease when it holds one.
    pub(super) fn admission(&self, id: JobId) -> Admission {
        match self.leases.lock().ok().and_then(|l| l.get(&id).copied()) {
            Some(lease) => Admission::Leased(lease),
            None => Admission::Owed,
        }
    }

    /// Claims `id` for this replica, and keeps renewing the claim until
    /// the returned guard drops. None when another replica works on it.
    pub(super) async fn claim(&self, id: JobId) -> Option<(Lease, Renewing)> {
        let ttl = self.parts.settings.lease;
        let store = self.parts.store.clone();
        let lease = match store.claim(id, &self.replica, ttl).await {
            Ok(Some(lease)) => lease,
            Ok(None) => {
                tracing::info!(job = %id, "another replica works on this job");
                return None;
            }
            Err(e) => {
                tracing::error!(job = %id, error = %e, "could not claim the job; it is left for later");
                return None;
            }
        };
        if let Ok(mut leases) = self.leases.lock() {
            leases.insert(id, lease);
        }
        self.parts.metrics.lease_claimed();
        // On a store no other process shares, nobody can take it.
        if !store.shared() {
            return Some((lease, Renewing(None)));
        }
        let renewing = tokio::spawn(async move {
            loop {
                tokio::time::sleep(ttl / 3).await;
                match store.renew(lease, ttl).await {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::warn!(job = %id, "lost the job's lease; its next record will be refused");
                        return;
                    }
                    Err(e) => {
                        tracing::warn!(job = %id, error = %e, "could not renew the job's lease")
                    }
                }
            }
        });
        Some((lease, Renewing(Some(renewing))))
    }

    /// Lets go of `lease` once the worker is done with the job.
    pub(super) async fn let_go(&self, lease: Lease, renewing: Renewing) {
        drop(renewing);
        if let Ok(mut leases) = self.leases.lock()
            && leases.get(&lease.job) == Some(&lease)
        {
            leases.remove(&lease.job);
        }
        self.parts.metrics.lease_released();
        if let Err(e) = self.parts.store.release(lease).await {
            tracing::warn!(job = %lease.job, error = %e, "could not let go of the job's lease; it lapses by itself");
        }
    }

    /// Forgets a lease the store refused (another replica took the job).
    pub(super) fn lost(&self, lease: Lease) {
        if let Ok(mut leases) = self.leases.lock()
            && leases.get(&lease.job) == Some(&lease)
        {
            leases.remove(&lease.job);
        }
        self.parts.metrics.lease_lost();
    }
}

impl Engine {
    /// With replicas sharing the store: adopts every job owing work whose
    /// lease lapsed or was let go, now and whenever `every` passes or
    /// another replica lets go of one. Runs until dropped.
    pub async fn adopt(&self, every: Duration) {
        let woken = self.store().jobs_woken();
        loop {
            match self.store().unclaimed(&StateKey::OWED_WORK).await {
                Ok(ids) => {
                    for id in ids {
                        if !self.inner.workers.has(id) {
                            tracing::info!(job = %id, "adopting a job nobody works on");
                            self.kick(id);
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "could not look for jobs to adopt"),
            }
            match &woken {
                Some(woken) => {
                    tokio::select! {
                        _ = tokio::time::sleep(every) => {}
                        _ = woken.notified() => {}
                    }
                }
                None => tokio::time::sleep(every).await,
            }
        }
    }
}
