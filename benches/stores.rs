//! sled and PostgreSQL side by side, in one run, each at its strongest
//! setting for the bot's guarantees: sled with group commit (the default
//! `max_batch`, one fsync per batch); PostgreSQL 15 from the machine's
//! binaries with `fsync=on`, default `synchronous_commit` (every commit
//! durable), on loopback. Prints:
//! - changes per second: 64 tasks at once, each changing its own job (a
//!   transition with its audit line), 20 rounds;
//! - start-up with 10,000 jobs: opening the store and reading what a
//!   restart reads (the jobs owing work, the counts by state).
//!
//! Run with `cargo bench --bench stores`. No test asserts on time.

use std::sync::Arc;
use std::time::{Duration, Instant};

use privatelink_bot::domain::audit::{Action, Actor, AuditEvent, Outcome};
use privatelink_bot::domain::ids::JobId;
use privatelink_bot::domain::job::StateKey;
use privatelink_bot::sandbox::fixtures;
use privatelink_bot::sandbox::postgres::Postgres;
use privatelink_bot::secret::Secret;
use privatelink_bot::store::{Admission, PostgresOptions, Store, StoreOptions};

const TASKS: usize = 64;
const ROUNDS: usize = 20;
const JOBS_AT_START: usize = 10_000;

fn event(id: JobId, action: &str) -> AuditEvent {
    AuditEvent {
        at: 0,
        job: Some(id),
        actor: Actor::parse("bench"),
        action: Action::parse(action),
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
    });
}
