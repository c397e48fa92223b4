//! The store's one writer: a dedicated OS thread (never a tokio worker)
//! that applies every change in arrival order and commits them in groups.
//!
//! Why one thread: sled 0.34 can hang for good when several threads flush
//! at once (sled issues 1308 and 1241), and its transactions block the
//! thread that runs them. Here only this thread runs transactions and only
//! this thread flushes (sled's own background flusher is off), so flushes
//! never overlap and the async runtime never blocks on the backend. On
//! PostgreSQL the same thread holds the one connection changes go through.
//!
//! Group commit: the writer takes every change waiting in the queue (up to
//! `max_batch`), applies each in its own transaction, flushes once, and
//! only then answers the callers of the batch. One fsync serves many
//! changes, and still nobody is told of a change before it is durable.
//! (On PostgreSQL the batch is one transaction, a savepoint per change,
//! and the flush is its commit, made after every batch.)

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::{mpsc, oneshot};

use super::StoreError;
use super::backend::{Backend, Reads};
use super::liveness::Liveness;

/// Why a batch could not be made durable (told to each of its callers).
#[derive(Debug, Clone)]
pub(super) struct NotDurable(pub String);

/// Tells a caller how its change ended, once the batch's flush is done.
pub(super) type Answer = Box<dyn FnOnce(Result<(), NotDurable>) + Send>;

/// A change, applied on the writer thread; what it returns answers its
/// caller once the batch is durable.
pub(super) type Apply = Box<dyn FnOnce(&mut dyn Backend) -> Answer + Send>;

/// One change waiting for the writer.
pub(super) struct Write {
    /// What it does, for the liveness log: "approve PL-1003".
    pub what: String,
    /// Whether its caller may be answered only after a flush.
    pub durable: bool,
    pub apply: Apply,
}

/// Called by the writer thread before each change. Tests use it to hold a
/// change (a stuck disk, as far as the bot can tell).
pub trait WriteHook: Send + Sync {
    fn before(&self, what: &str);
}

/// What the writer has done so far.
#[derive(Debug, Default)]
pub struct WriterCounters {
    changes: AtomicU64,
    batches: AtomicU64,
    flushes: AtomicU64,
}

/// A snapshot of [`WriterCounters`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriterFigures {
    pub changes: u64,
    pub batches: u64,
    pub flushes: u64,
}

impl WriterCounters {
    pub fn figures(&self) -> WriterFigures {
        WriterFigures {
            changes: self.changes.load(Ordering::Relaxed),
            batches: self.batches.load(Ordering::Relaxed),
            flushes: self.flushes.load(Ordering::Relaxed),
        }
    }
}

/// What opening a backend gives: its changes (kept by the writer) and its
/// reads (handed out).
pub(super) type Opened = (Box<dyn Backend>, Arc<dyn Reads>);

/// Opens the backend; run on the writer thread.
pub(super) type Open = Box<dyn FnOnce() -> Result<Opened, StoreError> + Send>;

pub(super) struct Writer {
    pub queue: mpsc::Receiver<Write>,
    pub liveness: Arc<Liveness>,
    pub counters: Arc<WriterCounters>,
    pub hook: Option<Arc<dyn WriteHook>>,
    pub max_batch: usize,
}

impl Writer {
    /// Starts the thread. It opens the store itself (sled's open and its
    /// lock wait block) and answers `ready` with the reads, or the error.
    pub fn spawn(
        self,
        open: Open,
        ready: oneshot::Sender<Result<Arc<dyn Reads>, StoreError>>,
    ) -> std::io::Result<()> {
        std::thread::Builder::new()
            .name("store-writer".to_owned())
            .spawn(move || self.run(open, ready))
            .map(|_| ())
    }

    fn run(mut self, open: Open, ready: oneshot::Sender<Result<Arc<dyn Reads>, StoreError>>) {
        let opened = {
            let _open = self.liveness.begin("open the store");
            open()
        };
        let (mut backend, reads) = match opened {
            Ok(opened) => opened,
            Err(e) => {
                let _ = ready.send(Err(e));
                return;
            }
        };
        if ready.send(Ok(reads)).is_err() {
            return;
        }
        let max_batch = self.max_batch.max(1);
        let mut batch = Vec::with_capacity(max_batch);
        while let Some(first) = self.queue.blocking_recv() {
            batch.push(first);
            while batch.len() < max_batch {
                match self.queue.try_recv() {
                    Ok(w) => batch.push(w),
                    Err(_) => break,
                }
            }
            self.commit(backend.as_mut(), &mut batch);
        }
        // Every handle is gone: make what is left durable before the thread
        // (and with it sled's file lock) goes.
        let _ = backend.flush();
    }

    /// Applies the batch in order, flushes once if any change needs it, then
    /// answers every caller.
    fn commit(&self, backend: &mut dyn Backend, batch: &mut Vec<Write>) {
        let durable = batch.iter().any(|w| w.durable);
        let mut answers = Vec::with_capacity(batch.len());
        for Write { what, apply, .. } in batch.drain(..) {
            let _op = self.liveness.begin(format!("write: {what}"));
            if let Some(hook) = &self.hook {
                hook.before(&what);
            }
            // A panic in one change must not end the writer: its caller's
            // answer is dropped with it, which the caller sees as an error.
            match std::panic::catch_unwind(AssertUnwindSafe(|| apply(&mut *backend))) {
                Ok(answer) => answers.push(answer),
                Err(_) => tracing::error!(%what, "a store change panicked"),
            }
        }
        self.counters
            .changes
            .fetch_add(answers.len() as u64, Ordering::Relaxed);
        self.counters.batches.fetch_add(1, Ordering::Relaxed);
        let flushed = if durable || backend.uncommitted() {
            let _op = self
                .liveness
                .begin(format!("flush {} change(s)", answers.len()));
            self.counters.flushes.fetch_add(1, Ordering::Relaxed);
            backend.flush().map_err(|e| NotDurable(e.to_string()))
        } else {
            Ok(())
        };
        if let Err(e) = &flushed {
            tracing::error!(error = %e.0, "the store could not flush; the batch's callers are told it failed");
        }
        for answer in answers {
            answer(flushed.clone());
        }
    }
}
