//! sled and PostgreSQL side by side, in one run, each at its strongest
//! setting for the bot's guarantees: sled with group commit (the default
//! `max_batch`, one fsync per batch); PostgreSQL 15 from the machine's
//! binaries with `fsync=on`, default `synchronous_commit` (every commit
//! durable), on loopback. Prints:
//! - changes per second: 64 tasks at once, each changing its own job (a
//!   transition with its audit line), 20 rounds;
//! - start-up with 10,000 jobs: opening the store and reading what a
//!   restart reads (the jobs owing work, the counts by state);
//! - approve → verified: the eight steps of a one-cluster job against
//!   moto (through the strict proxy, AWS's own waits set to none) and the
//!   fake Zilliz Cloud, median of `FLOWS` (each job deleted, untimed, so
//!   every one makes fresh resources).
//!
//! Run with `cargo bench --bench stores`. No test asserts on time.

use std::sync::Arc;
use std::time::{Duration, Instant};

use privatelink_bot::domain::audit::{self, AuditEvent, Outcome};
use std::sync::Mutex;

use privatelink_bot::app::{App, Overrides};
use privatelink_bot::chat::console::{ConsoleSink, SharedOut};
use privatelink_bot::config::StoreBackend;
use privatelink_bot::domain::ids::{ChannelId, JobId, Platform, UserRef};
use privatelink_bot::domain::job::{Conversation, JobState, StateKey};
use privatelink_bot::domain::policy::Actor;
use privatelink_bot::i18n::Locale;
use privatelink_bot::ports::chat::Action;
use privatelink_bot::sandbox::Sandbox;
use privatelink_bot::sandbox::fixtures;
use privatelink_bot::sandbox::postgres::Postgres;
use privatelink_bot::secret::Secret;
use privatelink_bot::service::{Event, Inbound};
use privatelink_bot::store::{Admission, PostgresOptions, Store, StoreOptions};

const TASKS: usize = 64;
const ROUNDS: usize = 20;
const JOBS_AT_START: usize = 10_000;
const FLOWS: usize = 8;

struct Sink;
impl std::io::Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The median of `FLOWS` approve → verified runs, the bot's store on
/// sled (`postgres` none) or PostgreSQL.
async fn approve_to_verified(postgres: Option<Secret>) -> Duration {
    let dir = tempfile::tempdir().expect("temp dir");
    let sandbox = Sandbox::start(1).await.expect("sandbox");
    {
        let mut p = sandbox.proxy.lock();
        p.strict.visibility_delay = Duration::ZERO;
        p.strict.insync_after = Duration::ZERO;
    }
    let mut config = sandbox
        .config(&dir.path().join("store.sled"))
        .expect("config");
    if let Some(url) = postgres {
        config.store.backend = StoreBackend::Postgres;
        config.store.database_url = Some(url);
    }
    let out: SharedOut = Arc::new(Mutex::new(Box::new(Sink)));
    let app = App::build(
        &config,
        Secret::new(&sandbox.api_key),
        Arc::new(ConsoleSink::new(out, Locale::En)),
        Overrides::default(),
    )
    .await
    .expect("app");
    let send = |user: &str, event: Event| {
        app.service.handle(Inbound {
            actor: Actor::new(UserRef::new(Platform::Console, user)),
            conversation: Conversation {
                platform: Platform::Console,
                channel: ChannelId::parse("bench").expect("an id"),
            },
            delivery: None,
            event,
            locale: Locale::En,
            card_locale: Locale::En,
        })
    };
    let mut took = Vec::new();
    for _ in 0..FLOWS {
        let created = send(
            "alice",
            Event::Command(format!("create {}", sandbox.create_args())),
        )
        .await;
        let id = created.job.expect("created");
        let started = Instant::now();
        let approve = Event::Click {
            action: Action::Approve,
            job: id,
        };
        send("bob", approve).await;
        app.engine.wait(id).await;
        took.push(started.elapsed());
        let state = app
            .store
            .get(id)
            .await
            .ok()
            .flatten()
            .map(|j| j.state().clone());
        assert_eq!(state, Some(JobState::Succeeded));
        send("bob", Event::Command(format!("delete {id}"))).await;
        app.engine.wait(id).await;
    }
    app.halt().await;
    took.sort();
    took[took.len() / 2]
}

fn event(id: JobId, action: &str) -> AuditEvent {
    AuditEvent {
        at: 0,
        job: Some(id),
        actor: audit::Actor::parse("bench"),
        action: audit::Action::parse(action),
        outcome: Outcome::Unstated,
        rule: None,
    }
}

/// Stores `n` pending jobs on VPCs numbered from `offset` (each its own
/// slot), 256 at a time (the writer batches them).
async fn fill(store: &Arc<Store>, n: usize, offset: usize) -> Vec<JobId> {
    let mut ids = Vec::with_capacity(n);
    for _ in 0..n {
        ids.push(store.next_job_id(Admission::Owed).await.expect("id"));
    }
    for (c, chunk) in ids.chunks(256).enumerate() {
        let inserts: Vec<_> = chunk
            .iter()
            .enumerate()
            .map(|(k, &id)| {
                let store = store.clone();
                let vpc = offset + c * 256 + k;
                tokio::spawn(async move {
                    store
                        .insert(
                            Admission::Owed,
                            &fixtures::pending_job_on_vpc(id, vpc).expect("a job"),
                            event(id, "create"),
                        )
                        .await
                        .expect("inserted")
                })
            })
            .collect();
        for insert in inserts {
            insert.await.expect("task");
        }
    }
    ids
}

async fn changes_per_second(store: Arc<Store>) -> f64 {
    let ids = fill(&store, TASKS, 0).await;
    let started = Instant::now();
    let tasks: Vec<_> = ids
        .iter()
        .map(|&id| {
            let store = store.clone();
            tokio::spawn(async move {
                for _ in 0..ROUNDS {
                    store
                        .update(Admission::Owed, id, event(id, "touch"), fixtures::touched())
                        .await
                        .expect("changed");
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("task");
    }
    (TASKS * ROUNDS) as f64 / started.elapsed().as_secs_f64()
}

async fn start_up(open: impl std::future::Future<Output = Store>) -> Duration {
    let started = Instant::now();
    let store = open.await;
    let owed = store
        .jobs_in_states(&StateKey::OWED_WORK)
        .await
        .expect("owed");
    let counts = store.job_counts().await.expect("counts");
    let took = started.elapsed();
    assert!(owed.is_empty());
    assert_eq!(
        counts.iter().map(|(_, n)| n).sum::<usize>(),
        JOBS_AT_START + TASKS
    );
    took
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("bench.sled");
        let server = Postgres::start(true).expect("PostgreSQL starts");
        let url = server.database().await.expect("database");
        let pg = || PostgresOptions::new(Secret::new(url.clone()));

        let sled = Arc::new(Store::open(&path, StoreOptions::default()).await.expect("sled"));
        let sled_rate = changes_per_second(sled.clone()).await;
        let postgres = Arc::new(
            Store::open_postgres(pg(), StoreOptions::default())
                .await
                .expect("postgres"),
        );
        let pg_rate = changes_per_second(postgres.clone()).await;
        println!(
            "changes per second ({TASKS} tasks x {ROUNDS}): sled {sled_rate:.0}, postgres {pg_rate:.0} (sled/postgres {:.1}x)",
            sled_rate / pg_rate
        );

        fill(&sled, JOBS_AT_START, TASKS).await;
        fill(&postgres, JOBS_AT_START, TASKS).await;
        drop(sled);
        drop(postgres);
        let sled_start = start_up(async {
            Store::open(&path, StoreOptions::default()).await.expect("sled")
        })
        .await;
        let pg_start = start_up(async {
            Store::open_postgres(pg(), StoreOptions::default())
                .await
                .expect("postgres")
        })
        .await;
        println!(
            "start-up with {} jobs (open + owed work + counts): sled {sled_start:.2?}, postgres {pg_start:.2?}",
            JOBS_AT_START + TASKS
        );

        let flow_url = server.database().await.expect("database");
        let sled_flow = approve_to_verified(None).await;
        let pg_flow = approve_to_verified(Some(Secret::new(flow_url))).await;
        println!(
            "approve -> verified (median of {FLOWS}, moto + fake Zilliz): sled {sled_flow:.2?}, postgres {pg_flow:.2?}"
        );
    });
}
