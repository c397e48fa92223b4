//! Worker scheduling: at most one worker per job, under every interleaving
//! of `kick`, `wait`, `resume` and `halt`.
//!
//! A kick replaces the job's registered worker with a new one that first
//! waits for the old one, so a change made while a worker was finishing is
//! never missed and two never run at once. `wait` only watches a worker,
//! it never takes it out of the registry (taking it out is what once let a
//! kick during a wait start a second worker beside the first). A worker
//! removes itself when it finishes, so the registry holds running work only.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use tracing::Instrument;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::domain::ids::JobId;

#[derive(Default)]
pub(super) struct Workers {
    running: Mutex<HashMap<JobId, Worker>>,
    generations: AtomicU64,
}

struct Worker {
    /// Tells a finishing worker whether it is still the registered one.
    generation: u64,
    handle: JoinHandle<()>,
    /// Turns true when the worker has finished (and left the registry).
    finished: watch::Receiver<bool>,
}

/// A worker handle that aborts its task when dropped: aborting a worker
/// must abort the older one it waits for too, or a hard stop would leave
/// the older one running.
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Workers {
    /// Registers a worker for `id` that runs `work` once the job's previous
    /// worker, if any, has finished.
    pub fn kick(self: &Arc<Self>, id: JobId, work: impl Future<Output = ()> + Send + 'static) {
        let Ok(mut running) = self.running.lock() else {
            return;
        };
        let previous = running.remove(&id).map(|w| AbortOnDrop(w.handle));
        let generation = self.generations.fetch_add(1, Ordering::Relaxed);
        let (tell, finished) = watch::channel(false);
        let registry: Weak<Self> = Arc::downgrade(self);
        // The registry's lock is held until the worker is registered, so
        // even a worker that finishes at once finds itself there to remove.
        // Every log line of the job's work carries its id.
        let span = tracing::info_span!("job", job = %id);
        let handle = tokio::spawn(
            async move {
                if let Some(mut previous) = previous {
                    let _ = (&mut previous.0).await;
                }
                work.await;
                if let Some(registry) = registry.upgrade() {
                    registry.forget(id, generation);
                }
                let _ = tell.send(true);
            }
            .instrument(span),
        );
        running.insert(
            id,
            Worker {
                generation,
                handle,
                finished,
            },
        );
    }

    /// Removes `id`'s worker if it is still generation `generation`.
    fn forget(&self, id: JobId, generation: u64) {
        if let Ok(mut running) = self.running.lock()
            && running.get(&id).is_some_and(|w| w.generation == generation)
        {
            running.remove(&id);
        }
    }

    /// Waits until no worker is running for `id`, including workers kicked
    /// while waiting.
    pub async fn wait(&self, id: JobId) {
        loop {
            let watched = match self.running.lock() {
                Ok(running) => running.get(&id).map(|w| (w.generation, w.finished.clone())),
                Err(_) => None,
            };
            let Some((generation, mut finished)) = watched else {
                return;
            };
            if finished.wait_for(|done| *done).await.is_err() {
                // The worker ended without finishing (it panicked or was
                // aborted): it is gone all the same.
                self.forget(id, generation);
            }
        }
    }

    /// Waits until no worker is running for any job.
    pub async fn wait_all(&self) {
        loop {
            let ids: Vec<JobId> = match self.running.lock() {
                Ok(running) => running.keys().copied().collect(),
                Err(_) => return,
            };
            if ids.is_empty() {
                return;
            }
            for id in ids {
                self.wait(id).await;
            }
        }
    }

    /// Stops every worker where it stands, as a crash would.
    pub async fn halt(&self) {
        let handles: Vec<JoinHandle<()>> = match self.running.lock() {
            Ok(mut running) => running.drain().map(|(_, w)| w.handle).collect(),
            Err(_) => return,
        };
        for h in handles {
            h.abort();
            let _ = h.await;
        }
    }

    /// Whether a worker is registered for `id`.
    pub fn has(&self, id: JobId) -> bool {
        self.running.lock().is_ok_and(|r| r.contains_key(&id))
    }

    /// How many jobs have a worker registered (finished ones never do).
    pub fn registered(&self) -> usize {
        self.running.lock().map(|r| r.len()).unwrap_or(0)
    }
}
