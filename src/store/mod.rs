//! The store: jobs, the append-only audit log, indexes, the one-active-
//! job-per-(VPC, region) slots, the owners of shared resources, the chat
//! outbox and the seen delivery ids, on sled (embedded, one process) or
//! PostgreSQL (several replicas), chosen in config.
//!
//! Every change to a job is one transaction across all the tables it
//! touches (job, indexes, slot, owners, audit, outbox), made durable
//! before the caller may tell anyone it happened. A crash therefore leaves
//! either the old or the new state, never a half. What a change does is
//! written once ([`tx`], [`outbox`]) over the backend seam ([`backend`]).
//!
//! Threading discipline (see ARCHITECTURE.md): every change goes through
//! one writer thread ([`writer`]) with group commit; reads run on tokio's
//! blocking pool; nothing here blocks an async worker thread. Every
//! operation is watched ([`liveness`]): one that overruns its bound makes
//! the bot unhealthy for good.

mod backend;
mod changes;
mod chat;
mod error;
mod leases;
mod liveness;
mod on_postgres;
mod on_sled;
pub mod outbox;
mod reader;
mod reads;
mod record;
mod tx;
mod writer;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

pub use backend::Lease;
pub use error::{Admission, ChangeError, StoreError};
pub use liveness::{Liveness, Stall};
pub use on_postgres::{PostgresOptions, SCHEMA_VERSION, Singleton};
pub use on_sled::{StoreKind, start_sandbox_over};
pub use reader::Reader;
pub use record::RecordError;
pub use writer::{WriteHook, WriterFigures};

use crate::domain::audit::AuditEvent;
use crate::domain::ids::JobId;
use backend::{Backend, Reads};
pub use chat::OutboxSignal;
pub use outbox::{Failure, Pending};
use writer::{Answer, NotDurable, Write, Writer, WriterCounters};

/// How the store runs.
#[derive(Clone)]
pub struct StoreOptions {
    /// sled's page cache; kept small, as sled 0.34 can grow past it.
    pub cache_capacity: u64,
    /// How long one store operation may take before the bot is declared
    /// unhealthy.
    pub liveness_bound: Duration,
    /// Changes that may wait for the writer; intake past it is refused.
    pub queue_limit: usize,
    /// Changes committed with one flush at the most. 1 means a flush per
    /// change (the benchmark's "before").
    pub max_batch: usize,
    /// Called before each change (tests).
    pub hook: Option<Arc<dyn WriteHook>>,
    /// What the store is for; opening the other kind is refused.
    pub kind: StoreKind,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            cache_capacity: 16 * 1024 * 1024,
            liveness_bound: Duration::from_secs(30),
            queue_limit: 1024,
            max_batch: 256,
            hook: None,
            kind: StoreKind::Production,
        }
    }
}

/// The bot's persistent state. All methods are safe to call from async
/// code: none blocks the calling thread.
pub struct Store {
    reads: Arc<dyn Reads>,
    writes: mpsc::Sender<Write>,
    liveness: Arc<Liveness>,
    counters: Arc<WriterCounters>,
    outbox: Arc<OutboxSignal>,
    /// What a store other processes share keeps beside the writer: the
    /// wake-up listener, the singletons' locks (PostgreSQL).
    extras: Option<on_postgres::Extras>,
}

/// How long `open` waits for another instance to release the store's lock
/// (a restart racing the old process's exit, or sled's IO threads finishing).
const LOCK_WAIT: Duration = Duration::from_secs(10);

impl Store {
    /// Opens (or creates) the sled store at `path`, on the writer thread.
    pub async fn open(path: &Path, options: StoreOptions) -> Result<Self, StoreError> {
        let config = sled::Config::new()
            .path(path)
            .cache_capacity(options.cache_capacity)
            .flush_every_ms(None);
        let path = path.to_owned();
        let kind = options.kind;
        Self::start(options, move || {
            let db = open_waiting_for_lock(&config, &path)?;
            on_sled::settle(&db, kind)?;
            sled_backend(db)
        })
        .await
    }

    /// A sled store that lives in memory only (benchmarks).
    pub async fn temporary(options: StoreOptions) -> Result<Self, StoreError> {
        let config = sled::Config::new().temporary(true).flush_every_ms(None);
        Self::start(options, move || sled_backend(config.open()?)).await
    }

    /// Opens the PostgreSQL store at `postgres`: runs the schema's
    /// migrations (refusing a schema newer than this build knows), and
    /// starts the wake-up listener.
    pub async fn open_postgres(
        postgres: PostgresOptions,
        options: StoreOptions,
    ) -> Result<Self, StoreError> {
        let kind = options.kind;
        let opening = postgres.clone();
        let mut store = Self::start(options, move || on_postgres::open(&opening, kind)).await?;
        store.extras = Some(on_postgres::Extras::start(postgres, store.outbox.clone()).await?);
        Ok(store)
    }

    async fn start(
        options: StoreOptions,
        open: impl FnOnce() -> Result<writer::Opened, StoreError> + Send + 'static,
    ) -> Result<Self, StoreError> {
        let liveness = Liveness::start(options.liveness_bound)?;
        let counters = Arc::new(WriterCounters::default());
        let (writes, queue) = mpsc::channel(options.queue_limit.max(1));
        let (ready, opened) = oneshot::channel();
        Writer {
            queue,
            liveness: liveness.clone(),
            counters: counters.clone(),
            hook: options.hook,
            max_batch: options.max_batch,
        }
        .spawn(Box::new(open), ready)?;
        // Opening can wait on another instance's lock; past the liveness
        // bound, start-up fails rather than hangs.
        let reads = tokio::select! {
            opened = opened => opened.map_err(|_| StoreError::Closed)??,
            stall = liveness.tripped() => return Err(StoreError::Stalled(stall)),
        };
        Ok(Self {
            reads,
            writes,
            liveness,
            counters,
            outbox: Arc::default(),
            extras: None,
        })
    }

    /// Whether other processes share this store's tables (PostgreSQL):
    /// then jobs are claimed before they are worked on, and adopted when a
    /// claim lapses.
    pub fn shared(&self) -> bool {
        self.extras.is_some()
    }

    /// The store's liveness: `/healthz` and the processes watch it.
    pub fn liveness(&self) -> &Arc<Liveness> {
        &self.liveness
    }

    /// What the writer has done so far (benchmarks, tests).
    pub fn writer_figures(&self) -> WriterFigures {
        self.counters.figures()
    }

    /// Changes waiting for the writer right now.
    pub fn queue_depth(&self) -> usize {
        self.writes.max_capacity() - self.writes.capacity()
    }

    /// Synchronous reads, for callers off the async runtime (the admin
    /// CLI, tests). Async code uses the reads below.
    pub fn blocking(&self) -> Reader {
        Reader(self.reads.clone())
    }

    /// Runs a read on the blocking pool, watched by the liveness bound.
    async fn read<T: Send + 'static>(
        &self,
        what: &'static str,
        f: impl FnOnce(&dyn Reads) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let reads = self.reads.clone();
        let liveness = self.liveness.clone();
        tokio::task::spawn_blocking(move || {
            let _op = liveness.begin(format!("read: {what}"));
            f(reads.as_ref())
        })
        .await
        .map_err(|_| StoreError::Closed)?
    }

    /// Hands `change` to the writer and waits for its durable answer.
    async fn write<T: Send + 'static, E: From<StoreError> + Send + 'static>(
        &self,
        admission: Admission,
        what: String,
        durable: bool,
        change: impl FnOnce(&mut dyn Backend) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E> {
        let (tell, answer) = oneshot::channel();
        let apply = Box::new(move |backend: &mut dyn Backend| -> Answer {
            let result = change(backend);
            Box::new(move |flushed: Result<(), NotDurable>| {
                let _ = tell.send(match (result, flushed) {
                    (Ok(v), Ok(())) => Ok(v),
                    (Ok(_), Err(NotDurable(e))) => Err(StoreError::NotDurable(e).into()),
                    (Err(e), _) => Err(e),
                });
            })
        });
        let w = Write {
            what,
            durable,
            apply,
        };
        let queued = match admission {
            Admission::Intake => self.writes.try_send(w).map_err(|e| match e {
                mpsc::error::TrySendError::Full(_) => StoreError::Busy,
                mpsc::error::TrySendError::Closed(_) => StoreError::Closed,
            }),
            Admission::Owed | Admission::Leased(_) => {
                self.writes.send(w).await.map_err(|_| StoreError::Closed)
            }
        };
        queued?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    /// Hands out the next job id. A number that reached a stored job is never reused.
    pub async fn next_job_id(&self, admission: Admission) -> Result<JobId, StoreError> {
        // Not durable by itself: the flush after the job's insert covers it.
        self.write(admission, "next job id".to_owned(), false, |t| {
            t.next_job_id()
        })
        .await
    }

    /// Appends an audit event that changes no job (a refused click, say).
    pub async fn audit(&self, admission: Admission, event: AuditEvent) -> Result<(), StoreError> {
        let what = format!("audit {}", event.action);
        self.write(admission, what, true, move |b| {
            b.transact(|tx| tx::append_audit(tx, &event))
        })
        .await
        .map_err(|e| match e {
            ChangeError::Store(e) => e,
            other => StoreError::Unexpected(other.to_string()),
        })
    }

    /// Records a platform delivery id; true the first time it is seen, false
    /// for a duplicate delivery that must have no further effect.
    pub async fn first_delivery(
        &self,
        admission: Admission,
        delivery: &str,
        at: u64,
    ) -> Result<bool, StoreError> {
        let delivery = delivery.to_owned();
        self.write(
            admission,
            "record a delivery id".to_owned(),
            true,
            move |t| t.first_delivery(&delivery, at),
        )
        .await
    }

    /// Forgets delivery ids older than `before`: platforms redeliver within
    /// minutes, so the table need not grow without bound. Not flushed by
    /// itself: forgetting again after a crash is harmless.
    pub async fn forget_deliveries_before(&self, before: u64) -> Result<usize, StoreError> {
        self.write(
            Admission::Owed,
            "forget old delivery ids".to_owned(),
            false,
            move |t| t.forget_deliveries_before(before),
        )
        .await
    }
}

/// The sled backend over `db`: its changes and its reads.
fn sled_backend(db: sled::Db) -> Result<writer::Opened, StoreError> {
    let trees = on_sled::Trees::open(db)?;
    let reads: Arc<dyn Reads> = Arc::new(on_sled::SledReads(trees.clone()));
    Ok((Box::new(trees), reads))
}

/// Opens sled, waiting (bounded) while another instance holds its lock.
/// Runs on the writer thread, so the waiting blocks nobody else.
pub(super) fn open_waiting_for_lock(
    config: &sled::Config,
    path: &Path,
) -> Result<sled::Db, StoreError> {
    let deadline = std::time::Instant::now() + LOCK_WAIT;
    let mut delay = Duration::from_millis(5);
    loop {
        match config.open() {
            Ok(db) => return Ok(db),
            Err(sled::Error::Io(_))
                if std::time::Instant::now() < deadline && lock_contended(path) =>
            {
                tracing::warn!(path = %path.display(), "the store is locked by another instance; waiting");
                std::thread::sleep(delay);
                delay = (delay * 2).min(Duration::from_millis(200));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Whether an IO error from opening sled can be the lock sled takes on
/// `<path>/db`: sled reports contention as an untyped IO error, so ask the
/// lock itself. Held now, or free by now (the holder just let go): worth
/// another try. A file that cannot be opened or locked at all: not.
fn lock_contended(path: &Path) -> bool {
    std::fs::File::open(path.join("db")).is_ok_and(|f| match f.try_lock() {
        Ok(()) => true,
        Err(std::fs::TryLockError::WouldBlock) => true,
        Err(std::fs::TryLockError::Error(_)) => false,
    })
}
