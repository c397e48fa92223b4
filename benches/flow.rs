//! Benchmarks, measured side by side in one run:
//! - `create/parse_authorize_persist`: a typed create request parsed,
//!   authorized and stored (sled transaction + flush to disk);
//! - `create/approve_to_verified_on_moto`: approve → the eight steps → the
//!   job verified done, for a one-cluster job against moto_server and the
//!   fake Zilliz Cloud (each iteration's job is deleted, untimed, so every
//!   iteration creates fresh resources).
//!
//! - `store_writes/flush_each_change` and `store_writes/group_commit`: 64
//!   tasks at once, each changing its own job (a transition plus its audit
//!   line), through the one writer: first with a flush per change (the old
//!   discipline, minus its concurrent flushes, which could hang sled), then
//!   with group commit. Criterion reports changes per second; fsyncs per
//!   change are printed beside them.
//! - `store_reads/on_the_calling_thread` and `store_reads/on_the_blocking_pool`:
//!   one job read directly (what async code did before) and through
//!   `spawn_blocking` (what it does now), to price keeping sled off the
//!   async workers.
//!
//! - `help_answer/rendered_once_per_language` and
//!   `help_answer/rendered_from_the_catalogue`: the whole `help` text, as the
//!   acknowledgement answers it now (rendered once per language and topic)
//!   and as it did before (Fluent rendering of every line on each command).
//!
//! Run with `cargo bench --bench flow`. No test asserts on time.

use privatelink_bot::i18n::Locale;
use std::hint::black_box;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use privatelink_bot::app::{App, Overrides};
use privatelink_bot::chat::console::ConsoleSink;
use privatelink_bot::domain::audit::{self, AuditEvent, Outcome};
use privatelink_bot::domain::command::{self, Command, CreateRequest};
use privatelink_bot::domain::ids::{JobId, Platform, UserRef, VpcId};
use privatelink_bot::domain::job::{Conversation, Job, JobState};
use privatelink_bot::domain::policy::{Actor, Policy, Principal};
use privatelink_bot::ports::chat::Action;
use privatelink_bot::sandbox::Sandbox;
use privatelink_bot::sandbox::fixtures;
use privatelink_bot::secret::Secret;
use privatelink_bot::service::{Event, Inbound};
use privatelink_bot::store::{Admission, Store, StoreOptions};
use tempfile::TempDir;
use tokio::runtime::Runtime;

const LINE: &str = "create project=proj-abc123 region=aws-us-west-2 vpc=vpc-0123456789abcdef0 subnets=subnet-0123456789abcdef0,subnet-0123456789abcdef1 sg=sg-0123456789abcdef0 clusters=in01-3e5ad8adc38c2f1";

struct Sink;
impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn parse_authorize_persist(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open_store(&rt, &dir, StoreOptions::default());
    let policy = Policy {
        requesters: vec![Principal::parse("slack:*").expect("principal")],
        approvers: vec![Principal::parse("slack:UAPPROVER").expect("principal")],
        allow_self_approval: false,
        approval_ttl: Duration::from_secs(86400),
        roles: Vec::new(),
        rules: Vec::new(),
    };
    let actor = Actor::new(UserRef::new(Platform::Slack, "UREQUESTER"));
    let here = privatelink_bot::domain::rules::ChannelAt::named_by(
        &privatelink_bot::domain::rules::ChannelMatch::parse("slack:C0123").expect("channel"),
    );
    let mut group = c.benchmark_group("create");
    group.bench_function("parse_authorize_persist", |b| {
        b.to_async(&rt).iter(|| async {
            let Ok(Command::Create(request)) = command::parse(black_box(LINE)) else {
                panic!("the bench line parses");
            };
            policy.may_request_here(&actor, &here).expect("allowed");
            let id = store.next_job_id(Admission::Intake).await.expect("id");
            // A fresh VPC per job, so that the one-job-per-VPC slot never refuses.
            let mut request = request;
            request.vpc =
                privatelink_bot::domain::ids::VpcId::parse(&format!("vpc-{:017x}", id.number()))
                    .expect("vpc id");
            let job = pending_job(id, request, &actor);
            let event = AuditEvent {
                at: 0,
                job: Some(id),
                actor: audit::Actor::Person(actor.user.clone()),
                action: audit::Action::Create,
                outcome: Outcome::Unstated,
                rule: None,
            };
            store
                .insert(Admission::Intake, &job, event)
                .await
                .expect("stored");
        })
    });
    group.finish();
}

fn pending_job(id: JobId, request: CreateRequest, actor: &Actor) -> Job {
    fixtures::pending_job(
        id,
        request,
        actor.user.clone(),
        Conversation {
            platform: Platform::Slack,
            channel: privatelink_bot::domain::ids::ChannelId::parse("C1").expect("an id"),
        },
    )
}

/// Tasks changing the store at once in `store_writes`.
const WRITERS: usize = 64;

fn store_writes(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let actor = Actor::new(UserRef::new(Platform::Slack, "UREQUESTER"));
    let Ok(Command::Create(request)) = command::parse(LINE) else {
        panic!("the bench line parses");
    };
    let mut group = c.benchmark_group("store_writes");
    group.throughput(Throughput::Elements(WRITERS as u64));
    let mut fsyncs = Vec::new();
    for (name, max_batch) in [("flush_each_change", 1), ("group_commit", 256)] {
        let dir = tempfile::tempdir().expect("temp dir");
        let options = StoreOptions {
            max_batch,
            ..StoreOptions::default()
        };
        let store = Arc::new(open_store(&rt, &dir, options));
        let ids: Vec<JobId> = rt.block_on(async {
            let mut ids = Vec::new();
            for n in 0..WRITERS {
                let id = store.next_job_id(Admission::Owed).await.expect("id");
                let mut request = request.clone();
                request.vpc = VpcId::parse(&format!("vpc-{n:017x}")).expect("vpc id");
                let event = event(id, "create");
                store
                    .insert(Admission::Owed, &pending_job(id, request, &actor), event)
                    .await
                    .expect("stored");
                ids.push(id);
            }
            ids
        });
        let before = store.writer_figures();
        group.bench_function(name, |b| {
            b.to_async(&rt).iter(|| {
                let tasks: Vec<_> = ids
                    .iter()
                    .map(|&id| {
                        let store = store.clone();
                        tokio::spawn(async move {
                            store
                                .update(
                                    Admission::Owed,
                                    id,
                                    event(id, "touch"),
                                    fixtures::touched(),
                                )
                                .await
                                .expect("changed");
                        })
                    })
                    .collect();
                async move {
                    for t in tasks {
                        t.await.expect("task");
                    }
                }
            })
        });
        let after = store.writer_figures();
        let changes = after.changes - before.changes;
        let flushes = after.flushes - before.flushes;
        fsyncs.push((name, flushes as f64 / changes.max(1) as f64, changes));
    }
    group.finish();
    for (name, per_change, changes) in fsyncs {
        println!(
            "store_writes/{name}: {per_change:.3} flushes per change ({changes} changes, {WRITERS} tasks at once)"
        );
    }
}

fn store_reads(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let store = open_store(&rt, &dir, StoreOptions::default());
    let Ok(Command::Create(request)) = command::parse(LINE) else {
        panic!("the bench line parses");
    };
    let actor = Actor::new(UserRef::new(Platform::Slack, "UREQUESTER"));
    let id = rt.block_on(async {
        let id = store.next_job_id(Admission::Owed).await.expect("id");
        store
            .insert(
                Admission::Owed,
                &pending_job(id, request, &actor),
                event(id, "create"),
            )
            .await
            .expect("stored");
        id
    });
    let mut group = c.benchmark_group("store_reads");
    group.bench_function("on_the_calling_thread", |b| {
        let reader = store.blocking();
        b.iter(|| reader.get(black_box(id)).expect("read"))
    });
    group.bench_function("on_the_blocking_pool", |b| {
        b.to_async(&rt)
            .iter(|| async { store.get(black_box(id)).await.expect("read") })
    });
    group.finish();
}

fn open_store(rt: &Runtime, dir: &TempDir, options: StoreOptions) -> Store {
    rt.block_on(Store::open(&dir.path().join("bench.sled"), options))
        .expect("store")
}

fn event(id: JobId, action: &str) -> AuditEvent {
    AuditEvent {
        at: 0,
        job: Some(id),
        actor: audit::Actor::Other("bench".into()),
        action: audit::Action::parse(action),
        outcome: Outcome::Unstated,
        rule: None,
    }
}

fn approve_to_verified_on_moto(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let (sandbox, app) = rt.block_on(sandbox_and_app(dir.path()));
    let conversation = Conversation {
        platform: Platform::Console,
        channel: privatelink_bot::domain::ids::ChannelId::parse("bench").expect("an id"),
    };
    let send = |user: &str, event: Event| {
        app.service.handle(Inbound {
            actor: Actor::new(UserRef::new(Platform::Console, user)),
            conversation: conversation.clone(),
            delivery: None,
            event,
            locale: Locale::En,
            card_locale: Locale::En,
        })
    };
    let mut group = c.benchmark_group("create");
    group.sample_size(10);
    group.bench_function("approve_to_verified_on_moto", |b| {
        b.to_async(&rt).iter_custom(|iters| {
            let (sandbox, app, send) = (&sandbox, &app, &send);
            async move {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let created = send(
                        "alice",
                        Event::Command(format!("create {}", sandbox.create_args())),
                    )
                    .await;
                    let id = created.job.expect("created");
                    let started = Instant::now();
                    send(
                        "bob",
                        Event::Click {
                            action: Action::Approve,
                            job: id,
                        },
                    )
                    .await;
                    app.engine.wait(id).await;
                    total += started.elapsed();
                    let job = app.store.get(id).await.ok().flatten();
                    let state = job.map(|j| j.state().clone());
                    assert_eq!(state, Some(JobState::Succeeded));
                    send("bob", Event::Command(format!("delete {id}"))).await;
                    app.engine.wait(id).await;
                }
                total
            }
        })
    });
    group.finish();
}

/// The sandbox and the bot on it, with AWS's own waits (visibility after
/// whitelisting, Route 53's INSYNC) set to none: what is measured is the
/// bot and the emulator.
async fn sandbox_and_app(dir: &std::path::Path) -> (Sandbox, App) {
    let sandbox = Sandbox::start(1).await.expect("sandbox");
    {
        let mut p = sandbox.proxy.lock();
        p.strict.visibility_delay = Duration::ZERO;
        p.strict.insync_after = Duration::ZERO;
    }
    let config = sandbox.config(&dir.join("store.sled")).expect("config");
    let out: privatelink_bot::chat::console::SharedOut = Arc::new(Mutex::new(Box::new(Sink)));
    let app = App::build(
        &config,
        Secret::new(&sandbox.api_key),
        Arc::new(ConsoleSink::new(out, Locale::En)),
        Overrides::default(),
    )
    .await
    .expect("app");
    (sandbox, app)
}

/// The help text the acknowledgement answers, cached and rendered afresh.
fn help_answer(c: &mut Criterion) {
    use privatelink_bot::domain::help;
    let mut group = c.benchmark_group("help_answer");
    for locale in Locale::ALL {
        group.bench_function(
            format!("rendered_once_per_language/{}", locale.tag()),
            |b| b.iter(|| black_box(help::help(None, locale))),
        );
        group.bench_function(
            format!("rendered_from_the_catalogue/{}", locale.tag()),
            |b| b.iter(|| black_box(help::render_help(None, locale))),
        );
    }
    group.finish();
}

criterion_group!(
    benches,
    help_answer,
    parse_authorize_persist,
    store_writes,
    store_reads,
    approve_to_verified_on_moto
);
criterion_main!(benches);
