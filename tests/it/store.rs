//! The store's threading discipline under load: one writer with group
//! commit, bounded intake, and a liveness bound that turns a stuck store
//! into a failing health check and a non-zero exit instead of a silent
//! freeze. A hang fails these tests through the liveness bound (the store
//! says what it was stuck on), with a generous outer timeout as backstop.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use privatelink_bot::domain::audit::{Action, Actor, AuditEvent, Outcome};
use privatelink_bot::domain::ids::{JobId, Platform, UserRef};
use privatelink_bot::domain::job::Job;
use privatelink_bot::sandbox::fixtures;
use privatelink_bot::store::{Admission, ChangeError, Store, StoreError, StoreOptions, WriteHook};
use tokio::sync::Notify;

pub use crate::backing::Backing;

/// Holds every change whose description starts with `prefix` until
/// released; tells the test when the first one got there.
pub struct Gate {
    prefix: &'static str,
    closed: Mutex<bool>,
    opened: Condvar,
    pub entered: AtomicUsize,
    pub reached: Notify,
}

impl Gate {
    pub fn closed(prefix: &'static str) -> Arc<Self> {
        Arc::new(Self {
            prefix,
            closed: Mutex::new(true),
            opened: Condvar::new(),
            entered: AtomicUsize::new(0),
            reached: Notify::new(),
        })
    }

    pub fn open(&self) {
        *self.closed.lock().expect("gate") = false;
        self.opened.notify_all();
    }
}

impl WriteHook for Gate {
    fn before(&self, what: &str) {
        if !what.starts_with(self.prefix) {
            return;
        }
        self.entered.fetch_add(1, Ordering::SeqCst);
        self.reached.notify_one();
        let mut closed = self.closed.lock().expect("gate");
        while *closed {
            closed = self.opened.wait(closed).expect("gate");
        }
    }
}

/// A pending job on a VPC of its own (`n`), so slots never collide.
pub(crate) fn pending_job(id: JobId, n: usize) -> Job {
    fixtures::pending_job_on_vpc(id, n).expect("a pending job")
}

pub(crate) fn event(id: JobId, action: &str) -> AuditEvent {
    AuditEvent {
        at: 0,
        job: Some(id),
        actor: Actor::parse("test"),
        action: Action::parse(action),
        outcome: Outcome::Unstated,
        rule: None,
    }
}

async fn insert_jobs(store: &Store, n: usize) -> Vec<JobId> {
    let mut ids = Vec::new();
    for i in 0..n {
        let id = store.next_job_id(Admission::Owed).await.expect("id");
        store
            .insert(Admission::Owed, &pending_job(id, i), event(id, "create"))
            .await
            .expect("inserted");
        ids.push(id);
    }
    ids
}

/// Runs `work` unless the store's liveness trips first, which fails the
/// test naming the stuck operation.
pub async fn live<T>(store: &Store, work: impl std::future::Future<Output = T>) -> T {
    let outcome = tokio::time::timeout(Duration::from_secs(300), async {
        tokio::select! {
            done = work => done,
            stall = store.liveness().tripped() => panic!("the store hung: {stall}"),
        }
    })
    .await;
    outcome.expect("the work finished (outer backstop)")
}

const JOBS: usize = 16;
const TASKS: usize = 64;
const ROUNDS: usize = 150;

crate::on_both_backends!(many_tasks_changing_jobs_and_recording_deliveries_at_once_never_hang);

async fn many_tasks_changing_jobs_and_recording_deliveries_at_once_never_hang(backing: Backing) {
    let options = StoreOptions {
        liveness_bound: Duration::from_secs(20),
        ..StoreOptions::default()
    };
    let store = Arc::new(backing.open(options.clone()).await);
    let ids = insert_jobs(&store, JOBS).await;
    let before = store.writer_figures();

    live(&store, async {
        let tasks: Vec<_> = (0..TASKS)
            .map(|t| {
                let (store, id) = (store.clone(), ids[t % JOBS]);
                tokio::spawn(async move {
                    for i in 0..ROUNDS {
                        store
                            .update(Admission::Owed, id, event(id, "touch"), fixtures::touched())
                            .await
                            .expect("changed");
                        let delivery = format!("d-{t}-{i}");
                        let first = store.first_delivery(Admission::Intake, &delivery, 1).await;
                        assert!(first.expect("recorded"), "{delivery} is new");
                        let again = store.first_delivery(Admission::Intake, &delivery, 2).await;
                        assert!(!again.expect("looked up"), "{delivery} is a duplicate");
                        if i % 10 == 0 {
                            assert!(store.get(id).await.expect("read").is_some());
                        }
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.expect("task finished without panicking");
        }
    })
    .await;

    // Every change landed exactly once, in one transaction with its audit line.
    let per_job = (TASKS / JOBS * ROUNDS) as u64;
    for &id in &ids {
        let job = store.get(id).await.expect("read").expect("job");
        assert_eq!(job.version(), 1 + per_job, "{id}");
    }
    let audit = store.audit_log(None).await.expect("audit");
    assert_eq!(audit.len(), JOBS + TASKS * ROUNDS);

    // Group commit: far fewer flushes than changes.
    let figures = store.writer_figures();
    let changes = figures.changes - before.changes;
    let flushes = figures.flushes - before.flushes;
    assert_eq!(changes, (TASKS * ROUNDS * 3) as u64);
    assert!(
        flushes * 2 < changes,
        "{flushes} flushes for {changes} changes: no group commit"
    );
    assert!(store.liveness().stalled().is_none());

    // What was answered was durable: a new process sees all of it.
    drop(store);
    let reopened = backing.open(options).await;
    for &id in &ids {
        let job = reopened.get(id).await.expect("read").expect("job");
        assert_eq!(job.version(), 1 + per_job, "{id} after reopening");
    }
    assert!(
        !reopened
            .first_delivery(Admission::Intake, "d-0-0", 3)
            .await
            .expect("looked up"),
        "delivery ids survive a restart"
    );
}

crate::on_both_backends!(a_full_queue_turns_new_work_away_while_owed_work_waits_its_turn);

async fn a_full_queue_turns_new_work_away_while_owed_work_waits_its_turn(backing: Backing) {
    let gate = Gate::closed("touch");
    let store = Arc::new(
        backing
            .open(StoreOptions {
                queue_limit: 4,
                hook: Some(gate.clone()),
                ..StoreOptions::default()
            })
            .await,
    );
    let ids = insert_jobs(&store, 1).await;
    let id = ids[0];
    let touch = |store: Arc<Store>| async move {
        store
            .update(Admission::Owed, id, event(id, "touch"), fixtures::touched())
            .await
    };
    // The writer is held inside the first change; four more fill the queue
    // and a sixth waits for room.
    let held = tokio::spawn(touch(store.clone()));
    gate.reached.notified().await;
    let queued: Vec<_> = (0..5).map(|_| tokio::spawn(touch(store.clone()))).collect();
    // Once the queue is full, intake is refused at once.
    tokio::time::timeout(Duration::from_secs(30), async {
        while store.queue_depth() < 4 {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the queue fills");
    let delivery = store.first_delivery(Admission::Intake, "d-busy", 1).await;
    assert!(matches!(delivery, Err(StoreError::Busy)), "{delivery:?}");
    let create = store
        .insert(
            Admission::Intake,
            &pending_job(JobId::new(5000), 99),
            event(JobId::new(5000), "create"),
        )
        .await;
    assert!(
        matches!(create, Err(ChangeError::Store(StoreError::Busy))),
        "{create:?}"
    );

    gate.open();
    held.await.expect("task").expect("held change lands");
    for q in queued {
        q.await.expect("task").expect("owed change lands");
    }
    let job = store.get(id).await.expect("read").expect("job");
    assert_eq!(job.version(), 1 + 6, "every owed change landed once");
    assert!(
        store
            .first_delivery(Admission::Intake, "d-busy", 1)
            .await
            .expect("room again"),
        "a refused delivery id was not recorded, so the platform's retry counts"
    );
}

crate::on_both_backends!(job_counts_from_the_index_agree_with_the_jobs);

/// The metrics' job counts come from the state index alone and agree with
/// the jobs themselves as they move.
async fn job_counts_from_the_index_agree_with_the_jobs(backing: Backing) {
    use privatelink_bot::domain::job::StateKey;
    use privatelink_bot::domain::lifecycle::Transition;
    let store = backing.open(StoreOptions::default()).await;
    let ids = insert_jobs(&store, 5).await;
    let bob = UserRef::new(Platform::Console, "bob");
    for &id in &ids[..2] {
        let bob = bob.clone();
        store
            .update(
                Admission::Intake,
                id,
                event(id, "reject"),
                Transition::Reject { by: bob, at: 1 },
            )
            .await
            .expect("rejected");
    }
    let counts = store.job_counts().await.expect("counts");
    for (state, n) in counts {
        let jobs = store.jobs_in_state(state).await.expect("jobs").len();
        assert_eq!(n, jobs, "{state}");
        let expected = match state {
            StateKey::PendingApproval => 3,
            StateKey::Rejected => 2,
            _ => 0,
        };
        assert_eq!(n, expected, "{state}");
    }
}

/// A database migrated by a newer release is refused, naming both
/// versions; one this build knows opens again (migrations run once).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_schema_newer_than_the_build_is_refused_and_a_known_one_reopens() {
    use privatelink_bot::store::{PostgresOptions, SCHEMA_VERSION, StoreKind};
    let backing = Backing::postgres().await;
    let store = backing.open(StoreOptions::default()).await;
    drop(store);
    // Opening again migrates nothing and works.
    let store = backing.open(StoreOptions::default()).await;
    drop(store);
    let Backing::Postgres { url, .. } = &backing else {
        unreachable!("a PostgreSQL backing")
    };
    let options = || PostgresOptions::new(privatelink_bot::secret::Secret::new(url.clone()));
    // A production database is never opened as a sandbox.
    let as_sandbox = Store::open_postgres(
        options(),
        StoreOptions {
            kind: StoreKind::Sandbox,
            ..StoreOptions::default()
        },
    )
    .await;
    assert!(
        matches!(as_sandbox, Err(StoreError::WrongKind { .. })),
        "{:?}",
        as_sandbox.err()
    );
    // A newer release migrated it.
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connected");
    tokio::spawn(connection);
    client
        .execute(
            "INSERT INTO schema_migrations (version) VALUES ($1)",
            &[&(SCHEMA_VERSION + 1)],
        )
        .await
        .expect("a newer version recorded");
    let refused = Store::open_postgres(options(), StoreOptions::default()).await;
    match refused {
        Err(StoreError::NewerSchema { found, known }) => {
            assert_eq!((found, known), (SCHEMA_VERSION + 1, SCHEMA_VERSION));
        }
        other => panic!("expected a refusal, got {:?}", other.err()),
    }
}

/// Two replicas on one database share the delivery ids: a platform's retry
/// that reaches the other replica is still one effect.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_seen_by_one_replica_is_a_duplicate_for_the_other() {
    let backing = Backing::postgres().await;
    let (a, b) = (
        backing.open(StoreOptions::default()).await,
        backing.open(StoreOptions::default()).await,
    );
    assert!(
        a.first_delivery(Admission::Intake, "Ev01", 1)
            .await
            .expect("a")
    );
    assert!(
        !b.first_delivery(Admission::Intake, "Ev01", 2)
            .await
            .expect("b")
    );
    assert!(
        b.first_delivery(Admission::Intake, "Ev02", 2)
            .await
            .expect("b")
    );
    assert!(
        !a.first_delivery(Admission::Intake, "Ev02", 3)
            .await
            .expect("a")
    );
}

/// `/readyz` follows the database: up while it answers, down once it
/// stops (the listener's connection ends with it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_says_when_its_database_stops_answering() {
    let backing = Backing::postgres().await;
    let store = backing.open(StoreOptions::default()).await;
    assert_eq!(store.database_up(), Some(true));
    let Backing::Postgres {
        _server: server, ..
    } = &backing
    else {
        unreachable!("a PostgreSQL backing")
    };
    server.stop().expect("stopped");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while store.database_up() != Some(false) {
        assert!(tokio::time::Instant::now() < deadline, "still up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // sled has no database to lose.
    let sled = Backing::sled().open(StoreOptions::default()).await;
    assert_eq!(sled.database_up(), None);
}
