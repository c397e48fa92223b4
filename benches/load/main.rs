//! The load harness: `cargo bench --bench load`. Prints figures and ratios
//! measured side by side in one run on this machine; asserts nothing about
//! time (BENCHMARKS.md holds one run's figures and what limits each).
//!
//! 1. Signed Slack slash commands (`/privatelink help`, every request
//!    distinct and freshly signed) at `POST /slack/commands` on loopback,
//!    against three servers, one at a time:
//!    - the bot: the release binary, `privatelink-bot serve`;
//!    - Slack Bolt for Python doing the same verification and answering in
//!      the acknowledgement, at its fastest: the async app under uvicorn
//!      with two workers and `process_before_response`;
//!    - Bolt's sync app under gunicorn with the Flask adapter, 2 × cores + 1
//!      workers, also with `process_before_response` (without it Bolt polls
//!      for the ack every 10 ms); both installed into virtualenvs here;
//!    - a bare axum handler answering 200 (the machine's ceiling).
//!
//!    Each gets closed loops (as fast as it answers) at 16 and at 64
//!    connections for throughput, then an open loop at 500 commands/s for
//!    latency; the headline ratio is the bot's against the faster Bolt, at
//!    whichever load it is smaller.
//! 2. Approve → verified on moto for 1 and for 200 jobs at once, through
//!    the bot's binary over signed Slack requests, with AWS and Zilliz
//!    calls per job counted at the AWS proxy and the fake Zilliz Cloud, and
//!    the bot's peak memory.
//! 3. Start-up (process start → `/readyz` 200) on an empty store and on
//!    one holding 10,000 jobs.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use privatelink_bot::domain::audit::{Action, Actor, AuditEvent, Outcome};
use privatelink_bot::domain::command::{self, Command};
use privatelink_bot::domain::ids::{JobId, Platform, UserRef, VpcId};
use privatelink_bot::domain::job::Conversation;
use privatelink_bot::sandbox::fixtures::{self, NetworkShape};
use privatelink_bot::sandbox::{REGION, Sandbox};
use privatelink_bot::store::{Admission, Store, StoreOptions};

mod commands;
mod drive;
mod servers;

use commands::commands;
use servers::{bare_axum, memory, quiet_slack, start_bot};

const SIGNING: &str = "load-signing-secret-0123456789";
const TOKEN: &str = "xoxb-load-0123456789";
/// Closed loops at each of these connection counts.
const CLOSED_CONNECTIONS: [usize; 2] = [16, 64];
const CLOSED_FOR: Duration = Duration::from_secs(10);
const OPEN_RATE: u64 = 500;
const OPEN_FOR: Duration = Duration::from_secs(10);
const MANY_JOBS: usize = 200;
const STORED_JOBS: u64 = 10_000;

fn main() {
    // Re-executed as the bare axum server (a process of its own, like the
    // other two).
    if let Ok(port) = std::env::var("LOAD_BARE_AXUM_PORT") {
        bare_axum(&port);
        return;
    }
    // `cargo bench` passes `--bench`; `cargo test --benches` runs nothing.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(run());
}

/// Approve → verified for `jobs` jobs at once, through the bot's binary.
/// With `strict`, AWS as the sandbox keeps it (acceptance gated on the
/// provider, the IAM policy judged on every call, lists paged); without,
/// the lenient world of the earlier figures (endpoints `available` at once,
/// no policy), so the two read side by side. Either way AWS's own waits
/// (visibility after whitelisting, Route 53's INSYNC) are set to none.
async fn approve_to_verified(jobs: usize, strict: bool) {
    let sandbox = Sandbox::start(jobs).await.expect("sandbox");
    let proxy = sandbox.proxy.clone();
    loosen_unless_strict(&sandbox, strict);
    let mut networks = Vec::new();
    for i in 0..jobs {
        networks.push(
            fixtures::customer_network(
                &sandbox.aws,
                REGION,
                u8::try_from(11 + i).expect("at most 244 jobs"),
                NetworkShape::default(),
            )
            .await
            .expect("network"),
        );
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let slack = quiet_slack().await;
    let bot = start_bot(&sandbox, &proxy.url, &dir.path().join("store.sled"), &slack).await;
    let pid = bot.child.id().unwrap_or_default();
    create_all(&bot, &networks, &sandbox.clusters).await;
    let aws_before = proxy.lock().actions.len();
    let zilliz_before = sandbox.zilliz.lock().requests.len();
    let started = Instant::now();
    futures_util::stream::iter(0..jobs)
        .for_each_concurrent(64, |i| {
            let bot = &bot;
            async move {
                bot.click(i as u64, &format!("approve:PL-{}", 1000 + i))
                    .await;
            }
        })
        .await;
    loop {
        let listed = bot.command(u64::MAX - 3, "UBOB", "list all").await;
        let done = listed.matches("succeeded").count() + listed.matches("failed").count();
        if done >= jobs {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let took = started.elapsed();
    let failed = say_first_failure(&bot).await;
    let aws = proxy.lock().actions.len() - aws_before;
    let zilliz = sandbox.zilliz.lock().requests.len() - zilliz_before;
    let (_, peak) = memory(pid);
    println!(
        "{jobs:>4} job(s), {:<7}: approve → verified {took:>10.2?} ({:.1} ms per job); {failed} failed; per job: {:.1} AWS calls, {:.1} Zilliz calls; bot peak RSS {peak:.1} MiB",
        if strict { "strict" } else { "lenient" },
        took.as_secs_f64() * 1000.0 / jobs as f64,
        aws as f64 / jobs as f64,
        zilliz as f64 / jobs as f64,
    );
    bot.stop().await;
    sandbox.moto.stop().await;
}

/// No propagation or sync delays either way; lenient also drops the
/// provider's acceptance, the IAM policy, other owners' zones and paging.
fn loosen_unless_strict(sandbox: &Sandbox, strict: bool) {
    let mut p = sandbox.proxy.lock();
    p.strict.visibility_delay = Duration::ZERO;
    p.strict.insync_after = Duration::ZERO;
    if !strict {
        p.strict.provider = None;
        p.policy = None;
        p.strict.foreign_zones.clear();
        p.strict.zones_page_size = 100;
        p.strict.endpoints_page_size = 1000;
    }
}

/// Creates a job per network (preflight included), untimed, and waits
/// until all are stored: creates are answered through response_url.
async fn create_all(
    bot: &servers::Bot,
    networks: &[fixtures::CustomerNetwork],
    clusters: &[String],
) {
    let jobs = networks.len();
    futures_util::stream::iter(networks.iter().zip(clusters).enumerate())
        .for_each_concurrent(16, |(i, (n, c))| async move {
            let line = format!(
                "create project={} region={} vpc={} subnets={} sg={} clusters={c}",
                privatelink_bot::sandbox::PROJECT,
                privatelink_bot::sandbox::ZILLIZ_REGION,
                n.vpc,
                n.subnets.join(","),
                n.security_group
            );
            bot.command(i as u64, &format!("UREQ{i:04}"), &line).await;
        })
        .await;
    loop {
        let listed = bot.command(u64::MAX - 2, "UBOB", "list pending").await;
        if listed.matches("PL-").count() >= jobs {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// How many failed; the first one's status, printed.
async fn say_first_failure(bot: &servers::Bot) -> usize {
    let listed = bot.command(u64::MAX - 4, "UBOB", "list failed").await;
    let failed = listed.matches("PL-").count();
    let first = listed.split("PL-").nth(1).map(|r| {
        r.chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
    });
    if let Some(first) = first {
        let why = bot
            .command(u64::MAX - 5, "UBOB", &format!("status PL-{first}"))
            .await;
        println!("first failure: {why}");
    }
    failed
}

async fn start_up() {
    println!("\n== start-up: process start → /readyz 200 ==");
    let sandbox = Sandbox::start(1).await.expect("sandbox");
    let slack = quiet_slack().await;
    let mut figures = HashMap::new();
    for stored in [0, STORED_JOBS] {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("store.sled");
        if stored > 0 {
            fill(&path, stored).await;
        }
        let bot = start_bot(&sandbox, &sandbox.moto.url, &path, &slack).await;
        let took = bot.started.elapsed();
        figures.insert(stored, took);
        println!("{stored:>6} jobs in the store: ready in {took:.2?}");
        bot.stop().await;
    }
    println!(
        "ratio: 10,000 jobs / empty = {:.2}",
        figures[&STORED_JOBS].as_secs_f64() / figures[&0].as_secs_f64()
    );
    sandbox.moto.stop().await;
}

/// A store holding `n` pending jobs (each with its card delivered-pending
/// in the outbox), closed again.
async fn fill(path: &std::path::Path, n: u64) {
    let store = Store::open(path, StoreOptions::default())
        .await
        .expect("store");
    let Ok(Command::Create(request)) = command::parse(
        "create project=proj-abc123 region=aws-us-west-2 vpc=vpc-0123456789abcdef0 subnets=subnet-0123456789abcdef0 sg=sg-0123456789abcdef0 clusters=in01-3e5ad8adc38c2f1",
    ) else {
        panic!("the line parses");
    };
    let store = Arc::new(store);
    futures_util::stream::iter(0..n)
        .for_each_concurrent(64, |i| {
            let (store, mut request) = (store.clone(), request.clone());
            async move {
                request.vpc = VpcId::parse(&format!("vpc-{i:017x}")).expect("vpc");
                let id = JobId::new(1000 + i);
                let job = fixtures::pending_job(
                    id,
                    request,
                    UserRef::new(Platform::Slack, "UFILL"),
                    Conversation {
                        platform: Platform::Slack,
                        channel: privatelink_bot::domain::ids::ChannelId::parse("C0LOAD")
                            .expect("an id"),
                    },
                );
                let event = AuditEvent {
                    at: 0,
                    job: Some(id),
                    actor: Actor::Other("load".into()),
                    action: Action::Create,
                    outcome: Outcome::Unstated,
                    rule: None,
                };
                store
                    .insert(Admission::Owed, &job, event)
                    .await
                    .expect("insert");
            }
        })
        .await;
    drop(store);
    // The writer lets go of sled's lock as it closes: wait until another
    // process may open the store.
    let started = Instant::now();
    while sled_locked(path) {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the store stayed locked"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Whether another holder still has the store (sled locks its directory).
fn sled_locked(path: &std::path::Path) -> bool {
    sled::Config::new().path(path).open().is_err()
}

async fn run() {
    let sandbox = Sandbox::start(1).await.expect("sandbox");
    println!(
        "load harness: {} cores; closed loops at {CLOSED_CONNECTIONS:?} connections × {CLOSED_FOR:?}, open loop {OPEN_RATE}/s × {OPEN_FOR:?}",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    // `LOAD_ONLY=commands|flows|start-up` runs one part (all by default).
    let only = std::env::var("LOAD_ONLY").ok();
    let part = |name: &str| only.as_deref().is_none_or(|o| o == name);
    if part("commands") {
        commands(&sandbox).await;
    }
    sandbox.moto.stop().await;
    if part("flows") {
        println!("\n== approve → verified on moto, through the bot's binary ==");
        for strict in [false, true] {
            approve_to_verified(1, strict).await;
            approve_to_verified(MANY_JOBS, strict).await;
        }
    }
    if part("start-up") {
        start_up().await;
    }
}
