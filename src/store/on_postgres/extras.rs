//! What replicas on one database need beside the tables: wake-ups by
//! `LISTEN/NOTIFY` (a change written by one replica wakes the others'
//! dispatcher and adopters at once; polling stays as the fallback), and
//! singletons: work that must run on one replica at a time, held by a
//! session advisory lock on a connection of its own, so that the lock
//! goes when that connection does (a replica killed, or cut off).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;
use tokio_postgres::{AsyncMessage, NoTls};

use super::{NOTIFY_JOBS, NOTIFY_OUTBOX, PostgresOptions};
use crate::store::{OutboxSignal, StoreError};

/// How often a lost listener reconnects, and a waiting singleton tries.
const RETRY: Duration = Duration::from_secs(1);

/// How often a held singleton proves its connection is alive.
const PROBE: Duration = Duration::from_secs(2);

/// The listener and what singletons connect with. Stops its tasks when
/// dropped.
pub struct Extras {
    config: tokio_postgres::Config,
    jobs: Arc<Notify>,
    listening: Arc<AtomicBool>,
    listener: JoinHandle<()>,
}

impl Drop for Extras {
    fn drop(&mut self) {
        self.listener.abort();
    }
}

impl Extras {
    /// Starts listening; the first connection must succeed.
    pub(in crate::store) async fn start(
        options: PostgresOptions,
        outbox: Arc<OutboxSignal>,
    ) -> Result<Self, StoreError> {
        let mut config = options.config()?;
        // A replica cut off from the database finds out in seconds, not
        // the system's two hours.
        config.keepalives_idle(Duration::from_secs(10));
        let jobs = Arc::new(Notify::new());
        let listening = Arc::new(AtomicBool::new(false));
        let first = listen_once(&config, &outbox, &jobs, &listening).await?;
        let listener = tokio::spawn(listen(
            config.clone(),
            first,
            outbox,
            jobs.clone(),
            listening.clone(),
        ));
        Ok(Self {
            config,
            jobs,
            listening,
            listener,
        })
    }

    /// Woken when another replica lets go of a job.
    pub fn jobs_woken(&self) -> &Arc<Notify> {
        &self.jobs
    }

    /// Whether the listener is connected: the database answers.
    pub fn listening(&self) -> bool {
        self.listening.load(Ordering::SeqCst)
    }

    /// Waits until this replica holds the singleton `name`; `held_elsewhere`
    /// is called each time it finds another replica holding it.
    pub async fn singleton(
        &self,
        name: &'static str,
        held_elsewhere: &(dyn Fn() + Sync),
    ) -> Singleton {
        let key = lock_key(name);
        loop {
            if let Ok((client, connection)) = self.config.connect(NoTls).await {
                let (lost, watched) = watch::channel(false);
                let lost = Arc::new(lost);
                let ended = lost.clone();
                let driver = tokio::spawn(async move {
                    let _ = connection.await;
                    ended.send_replace(true);
                });
                loop {
                    let tried = client
                        .query_one("SELECT pg_try_advisory_lock($1)", &[&key])
                        .await;
                    match tried {
                        Ok(row) if row.try_get::<_, bool>(0).unwrap_or(false) => {
                            tracing::info!(singleton = name, "this replica holds it now");
                            return Singleton::held(name, client, driver, lost, watched);
                        }
                        Ok(_) => {
                            held_elsewhere();
                            tokio::time::sleep(RETRY).await
                        }
                        Err(_) => break,
                    }
                }
                driver.abort();
            }
            tokio::time::sleep(RETRY).await;
        }
    }
}

/// Work that runs on one replica at a time: held until dropped, or until
/// [`Singleton::lost`] says the lock went with its connection.
pub struct Singleton {
    name: &'static str,
    lost: Option<watch::Receiver<bool>>,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Singleton {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl Singleton {
    /// Held for as long as the process lives (one process per store).
    pub fn alone(name: &'static str) -> Self {
        Self {
            name,
            lost: None,
            tasks: Vec::new(),
        }
    }

    /// Held on `client`'s connection, which `driver` runs; `lost` turns
    /// true when the connection ends or stops answering.
    fn held(
        name: &'static str,
        client: tokio_postgres::Client,
        driver: JoinHandle<()>,
        lost: Arc<watch::Sender<bool>>,
        watched: watch::Receiver<bool>,
    ) -> Self {
        // Proves the connection now and then: a lock on a dead connection
        // is another replica's to take.
        let probe = tokio::spawn(async move {
            loop {
                tokio::time::sleep(PROBE).await;
                let alive = tokio::time::timeout(PROBE, client.simple_query("SELECT 1")).await;
                if !matches!(alive, Ok(Ok(_))) {
                    lost.send_replace(true);
                    return;
                }
            }
        });
        Self {
            name,
            lost: Some(watched),
            tasks: vec![driver, probe],
        }
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Resolves when the singleton is no longer held (never, alone).
    pub async fn lost(&mut self) {
        match &mut self.lost {
            Some(lost) => {
                let _ = lost.wait_for(|lost| *lost).await;
                tracing::warn!(singleton = self.name, "lost the singleton's lock");
            }
            None => std::future::pending().await,
        }
    }
}

/// A lock key every replica computes alike (FNV-1a of the name).
fn lock_key(name: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    i64::from_ne_bytes(hash.to_ne_bytes())
}

type Listening = (tokio_postgres::Client, JoinHandle<()>);

/// Connects and listens; the task it returns ends with the connection.
async fn listen_once(
    config: &tokio_postgres::Config,
    outbox: &Arc<OutboxSignal>,
    jobs: &Arc<Notify>,
    listening: &Arc<AtomicBool>,
) -> Result<Listening, StoreError> {
    let (client, mut connection) = config.connect(NoTls).await?;
    let (outbox, jobs) = (outbox.clone(), jobs.clone());
    let driver = tokio::spawn(async move {
        loop {
            let message = std::future::poll_fn(|cx| connection.poll_message(cx)).await;
            match message {
                Some(Ok(AsyncMessage::Notification(n))) if n.channel() == NOTIFY_OUTBOX => {
                    outbox.wrote()
                }
                Some(Ok(AsyncMessage::Notification(n))) if n.channel() == NOTIFY_JOBS => {
                    jobs.notify_waiters()
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return,
            }
        }
    });
    client
        .batch_execute(&format!("LISTEN {NOTIFY_OUTBOX}; LISTEN {NOTIFY_JOBS}"))
        .await?;
    listening.store(true, Ordering::SeqCst);
    Ok((client, driver))
}

/// Keeps listening, reconnecting after a drop. After each reconnect the
/// dispatcher and the adopters look again: notifications sent while the
/// listener was away are gone.
async fn listen(
    config: tokio_postgres::Config,
    first: Listening,
    outbox: Arc<OutboxSignal>,
    jobs: Arc<Notify>,
    listening: Arc<AtomicBool>,
) {
    let mut current = Some(first);
    loop {
        if let Some((_client, driver)) = current.take() {
            let _ = driver.await;
            listening.store(false, Ordering::SeqCst);
            tracing::warn!("lost the store's notification connection; polling until it is back");
        }
        tokio::time::sleep(RETRY).await;
        if let Ok(again) = listen_once(&config, &outbox, &jobs, &listening).await {
            outbox.wrote();
            jobs.notify_waiters();
            current = Some(again);
        }
    }
}
