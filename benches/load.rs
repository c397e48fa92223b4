//! The load harness: `cargo bench --bench load`. Prints figures and ratios
//! measured side by side in one run on this machine; asserts nothing about
//! time (BENCHMARKS.md holds one run's figures and what limits each).
//!
//! 1. Signed Slack slash commands (`/privatelink help`, every request
//!    distinct and freshly signed) at `POST /slack/commands` on loopback,
//!    against three servers, one at a time:
//!    - the bot: the release binary, `privatelink-bot serve`;
//!    - Slack Bolt for Python doing the same verification and answering in
//!      the acknowledgement, run as its docs say to run in production (the
//!      Flask adapter under gunicorn, 2 × cores + 1 sync workers),
//!      installed into a virtualenv by this harness;
//!    - a bare axum handler answering 200 (the machine's ceiling).
//!
//!    Each gets a closed loop (as fast as it answers, 64 connections) for
//!    throughput, then an open loop at 500 commands/s for latency.
//! 2. Approve → verified on moto for 1 and for 200 jobs at once, through
//!    the bot's binary over signed Slack requests, with AWS and Zilliz
//!    calls per job counted at the AWS proxy and the fake Zilliz Cloud, and
//!    the bot's peak memory.
//! 3. Start-up (process start → `/readyz` 200) on an empty store and on
//!    one holding 10,000 jobs.

use std::collections::HashMap;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::post;
use futures_util::StreamExt;
use hmac::{KeyInit, Mac};
use privatelink_bot::domain::command::{self, Command};
use privatelink_bot::domain::ids::{JobId, Platform, UserRef, VpcId};
use privatelink_bot::domain::job::{AuditEvent, Conversation};
use privatelink_bot::sandbox::aws_proxy::AwsProxy;
use privatelink_bot::sandbox::fixtures::{self, NetworkShape};
use privatelink_bot::sandbox::{REGION, Sandbox};
use privatelink_bot::store::{Admission, Store, StoreOptions};

const SIGNING: &str = "load-signing-secret-0123456789";
const TOKEN: &str = "xoxb-load-0123456789";
const CLOSED_CONNECTIONS: usize = 64;
const CLOSED_FOR: Duration = Duration::from_secs(10);
const OPEN_RATE: u64 = 500;
const OPEN_FOR: Duration = Duration::from_secs(10);
const MANY_JOBS: usize = 200;
const STORED_JOBS: u64 = 10_000;

const BOLT_APP: &str = r#"
import os
from flask import Flask, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_sdk import WebClient

# The Web API (auth.test, which Bolt calls once per worker) is the
# harness's local stand-in, as the bot's is.
app = App(
    signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    client=WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]),
)

@app.command("/privatelink")
def privatelink(ack, command):
    ack(text="privatelink-bot sets up AWS PrivateLink from your VPC to Zilliz Cloud Dedicated clusters.")

flask_app = Flask(__name__)
handler = SlackRequestHandler(app)

@flask_app.route("/slack/commands", methods=["POST"])
def slack_commands():
    return handler.handle(request)
"#;

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

fn bare_axum(port: &str) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}"))
            .await
            .expect("bind");
        let app = Router::new().route("/slack/commands", post(|_body: String| async { "" }));
        axum::serve(listener, app).await.expect("serve");
    });
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

async fn wait_until_up(url: &str, what: &str) {
    let http = reqwest::Client::new();
    let started = Instant::now();
    loop {
        if http.get(url).send().await.is_ok() {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "{what} never came up"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn sign(ts: u64, body: &str) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(SIGNING.as_bytes()).expect("key");
    mac.update(format!("v0:{ts}:{body}").as_bytes());
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A distinct, freshly signed slash command.
fn signed_command(n: u64, user: &str, text: &str) -> (String, String, String) {
    let body = serde_urlencoded::to_string([
        ("team_id", "T0"),
        ("channel_id", "C0LOAD"),
        ("user_id", user),
        ("command", "/privatelink"),
        ("text", text),
        ("response_url", "http://127.0.0.1:9/response"),
        ("trigger_id", &format!("{n}.{}", rand::random::<u32>())),
    ])
    .expect("form");
    let ts = unix_now();
    let signature = sign(ts, &body);
    (body, ts.to_string(), signature)
}

#[derive(Default)]
struct Stats {
    sent: u64,
    non_2xx: u64,
    unanswered: u64,
    latencies: Vec<Duration>,
    elapsed: Duration,
}

impl Stats {
    fn percentile(&self, p: f64) -> Duration {
        let mut l = self.latencies.clone();
        l.sort();
        l.get(((l.len() as f64 * p) as usize).min(l.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    }
    fn throughput(&self) -> f64 {
        self.sent as f64 / self.elapsed.as_secs_f64()
    }
}

struct Target {
    name: &'static str,
    url: String,
    /// Whether an acknowledgement's body is the answer (the bot and Bolt
    /// answer help in it; bare axum answers nothing, as a ceiling).
    answers: bool,
}

async fn one(http: &reqwest::Client, target: &Target, n: u64) -> (bool, bool, Duration) {
    let (body, ts, signature) = signed_command(n, &format!("U{n:08}"), "help");
    let started = Instant::now();
    let resp = http
        .post(&target.url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-slack-request-timestamp", ts)
        .header("x-slack-signature", signature)
        .body(body)
        .send()
        .await;
    match resp {
        Ok(r) => {
            let ok = r.status().is_success();
            let text = r.text().await.unwrap_or_default();
            let took = started.elapsed();
            (
                ok,
                !target.answers || text.contains("Zilliz Cloud Dedicated"),
                took,
            )
        }
        Err(_) => (false, false, started.elapsed()),
    }
}

async fn closed_loop(target: &Target) -> Stats {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(CLOSED_CONNECTIONS)
        .build()
        .expect("client");
    let counter = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..CLOSED_CONNECTIONS)
        .map(|_| {
            let (http, counter) = (http.clone(), counter.clone());
            let target = Target {
                name: target.name,
                url: target.url.clone(),
                answers: target.answers,
            };
            tokio::spawn(async move {
                let mut s = Stats::default();
                while started.elapsed() < CLOSED_FOR {
                    let n = counter.fetch_add(1, Ordering::Relaxed);
                    let (ok, answered, took) = one(&http, &target, n).await;
                    s.sent += 1;
                    s.non_2xx += u64::from(!ok);
                    s.unanswered += u64::from(ok && !answered);
                    s.latencies.push(took);
                }
                s
            })
        })
        .collect();
    let mut total = Stats::default();
    for w in workers {
        let s = w.await.expect("worker");
        total.sent += s.sent;
        total.non_2xx += s.non_2xx;
        total.unanswered += s.unanswered;
        total.latencies.extend(s.latencies);
    }
    total.elapsed = started.elapsed();
    total
}

/// Commands sent at a fixed rate whatever the answers do; latency counted
/// from when each was due, so a stall is not hidden by waiting for it.
async fn open_loop(target: &Target, base: u64) -> Stats {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .expect("client");
    let total = OPEN_RATE * OPEN_FOR.as_secs();
    let gap = Duration::from_secs(1) / u32::try_from(OPEN_RATE).expect("rate");
    let started = Instant::now();
    let results = futures_util::stream::iter(0..total)
        .map(|i| {
            let (http, target) = (&http, target);
            async move {
                let due = started + gap * u32::try_from(i).expect("count");
                tokio::time::sleep_until(due.into()).await;
                let (ok, answered, _) = one(http, target, base + i).await;
                (ok, answered, due.elapsed())
            }
        })
        .buffer_unordered(4096)
        .collect::<Vec<_>>()
        .await;
    let mut s = Stats {
        elapsed: started.elapsed(),
        ..Stats::default()
    };
    for (ok, answered, took) in results {
        s.sent += 1;
        s.non_2xx += u64::from(!ok);
        s.unanswered += u64::from(ok && !answered);
        s.latencies.push(took);
    }
    s
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Resident and peak resident memory of a process, in MiB.
fn memory(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|n| n.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// A Slack Web API that accepts everything, for the bot's cards and notes.
async fn quiet_slack() -> String {
    let port = free_port();
    let ts = Arc::new(AtomicU64::new(0));
    let app = Router::new()
        .route(
            "/api/{method}",
            post(move |body: String| {
                let ts = ts.fetch_add(1, Ordering::Relaxed);
                let channel = serde_json::from_str::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|v| v["channel"].as_str().map(str::to_owned))
                    .unwrap_or_else(|| "C0LOAD".to_owned());
                async move {
                    let ts = format!("1700000000.{ts:06}");
                    // Enough for chat.postMessage / chat.update and for auth.test.
                    axum::Json(serde_json::json!({
                        "ok": true, "channel": channel, "ts": ts,
                        "message": { "ts": ts, "type": "message", "text": "" },
                        "url": "https://load.slack.com/", "team": "load", "team_id": "T0",
                        "user": "bot", "user_id": "UBOT", "bot_id": "BBOT",
                    }))
                }
            }),
        )
        .route("/response", post(|| async { "ok" }));
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}"))
        .await
        .expect("bind");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://127.0.0.1:{port}")
}

struct Bot {
    child: tokio::process::Child,
    url: String,
    started: Instant,
}

/// The release binary serving Slack over HTTP on `store`.
async fn start_bot(sandbox: &Sandbox, aws_url: &str, store: &std::path::Path, slack: &str) -> Bot {
    let port = free_port();
    let dir = store.parent().expect("store dir");
    let config = dir.join("bot.toml");
    let text = format!(
        r#"{}
[intake]
max_in_flight = 1024
per_user_per_minute = 1000000
per_user_burst = 1000000

[log]
level = "error"
"#,
        sandbox.slack_config_text(store, aws_url, &format!("{slack}/api/"), "LOAD", port)
    );
    std::fs::write(&config, text).expect("config");
    let started = Instant::now();
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_privatelink-bot"))
        .args(["--config", &config.display().to_string(), "serve"])
        .env("SANDBOX_ZILLIZ_API_KEY", &sandbox.api_key)
        .env("LOAD_SLACK_BOT_TOKEN", TOKEN)
        .env("LOAD_SLACK_SIGNING_SECRET", SIGNING)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the bot starts");
    let url = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    loop {
        if let Ok(r) = http.get(format!("{url}/readyz")).send().await
            && r.status().is_success()
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "the bot never got ready"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    Bot {
        child,
        url,
        started,
    }
}

impl Bot {
    async fn stop(mut self) {
        if let Some(pid) = self.child.id() {
            let _ = tokio::process::Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status()
                .await;
        }
        let _ = tokio::time::timeout(Duration::from_secs(60), self.child.wait()).await;
    }

    async fn post(&self, path: &str, body: String) -> String {
        let ts = unix_now();
        reqwest::Client::new()
            .post(format!("{}{path}", self.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-slack-request-timestamp", ts.to_string())
            .header("x-slack-signature", sign(ts, &body))
            .body(body)
            .send()
            .await
            .expect("the bot answers")
            .text()
            .await
            .unwrap_or_default()
    }

    async fn command(&self, n: u64, user: &str, text: &str) -> String {
        let (body, _, _) = signed_command(n, user, text);
        self.post("/slack/commands", body).await
    }

    async fn click(&self, n: u64, value: &str) {
        let payload = serde_json::json!({
            "type": "block_actions",
            "team": { "id": "T0", "domain": "load" },
            "user": { "id": "UBOB", "team_id": "T0", "username": "bob", "name": "bob" },
            "api_app_id": "A0",
            "container": { "type": "message", "message_ts": "1700000000.000001", "channel_id": "C0LOAD", "is_ephemeral": false },
            "trigger_id": format!("click.{n}"),
            "channel": { "id": "C0LOAD", "name": "load" },
            "response_url": "http://127.0.0.1:9/response",
            "actions": [ { "type": "button", "action_id": "privatelink_x", "block_id": "b", "value": value, "action_ts": "1700000000.1" } ],
        });
        let body = serde_urlencoded::to_string([("payload", payload.to_string())]).expect("form");
        self.post("/slack/interactions", body).await;
    }
}

async fn commands(sandbox: &Sandbox) {
    println!(
        "\n== signed slash commands at POST /slack/commands (answered in the acknowledgement) =="
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let slack = quiet_slack().await;
    let bot = start_bot(
        sandbox,
        &sandbox.moto.url,
        &dir.path().join("store.sled"),
        &slack,
    )
    .await;
    let bot_pid = bot.child.id().unwrap_or_default();

    let venv = bolt_venv();
    let bolt_port = free_port();
    let workers = 2 * std::thread::available_parallelism().map_or(1, |n| n.get()) + 1;
    std::fs::write(dir.path().join("bolt_app.py"), BOLT_APP).expect("bolt app");
    let mut bolt = tokio::process::Command::new(venv.join("bin/gunicorn"))
        .args(["--chdir", &dir.path().display().to_string()])
        .args([
            "-w",
            &workers.to_string(),
            "-b",
            &format!("127.0.0.1:{bolt_port}"),
        ])
        .args(["--log-level", "warning", "bolt_app:flask_app"])
        .env("SLACK_BOT_TOKEN", TOKEN)
        .env("SLACK_SIGNING_SECRET", SIGNING)
        .env("SLACK_API_URL", format!("{slack}/api/"))
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("gunicorn starts");
    let bare_port = free_port();
    let mut bare = tokio::process::Command::new(std::env::current_exe().expect("this harness"))
        .env("LOAD_BARE_AXUM_PORT", bare_port.to_string())
        .kill_on_drop(true)
        .spawn()
        .expect("bare axum starts");
    wait_until_up(&format!("http://127.0.0.1:{bolt_port}/"), "gunicorn").await;
    wait_until_up(&format!("http://127.0.0.1:{bare_port}/"), "bare axum").await;

    let targets = [
        Target {
            name: "privatelink-bot",
            url: format!("{}/slack/commands", bot.url),
            answers: true,
        },
        Target {
            name: "Bolt for Python (gunicorn + Flask)",
            url: format!("http://127.0.0.1:{bolt_port}/slack/commands"),
            answers: true,
        },
        Target {
            name: "bare axum 200",
            url: format!("http://127.0.0.1:{bare_port}/slack/commands"),
            answers: false,
        },
    ];
    let mut closed = Vec::new();
    let mut open = Vec::new();
    for (i, t) in targets.iter().enumerate() {
        let c = closed_loop(t).await;
        let o = open_loop(t, 1_000_000_000 * (i as u64 + 1)).await;
        closed.push(c);
        open.push(o);
    }
    println!(
        "{:<36} {:>12} {:>10} {:>10} {:>8} {:>10} | {:>10} {:>10} {:>8}",
        "server",
        "closed cmd/s",
        "p50",
        "p99",
        "non-2xx",
        "unanswered",
        "500/s p50",
        "p99",
        "non-2xx"
    );
    for ((t, c), o) in targets.iter().zip(&closed).zip(&open) {
        println!(
            "{:<36} {:>12.0} {:>10} {:>10} {:>8} {:>10} | {:>10} {:>10} {:>8}",
            t.name,
            c.throughput(),
            ms(c.percentile(0.5)),
            ms(c.percentile(0.99)),
            c.non_2xx,
            c.unanswered,
            ms(o.percentile(0.5)),
            ms(o.percentile(0.99)),
            o.non_2xx + o.unanswered,
        );
    }
    let (ours, bolt_tp, ceiling) = (
        closed[0].throughput(),
        closed[1].throughput(),
        closed[2].throughput(),
    );
    println!(
        "ratios: bot / bare axum = {:.2}; bot / Bolt = {:.1}×",
        ours / ceiling,
        ours / bolt_tp
    );
    // After the bursts, a fresh command is answered normally.
    let after = bot.command(u64::MAX - 1, "UAFTER", "help").await;
    println!(
        "after the load: a fresh command {} answered",
        if after.contains("Zilliz Cloud Dedicated") {
            "is"
        } else {
            "is NOT"
        }
    );
    let (rss, peak) = memory(bot_pid);
    println!("bot memory after the command load: RSS {rss:.1} MiB, peak {peak:.1} MiB");
    bot.stop().await;
    let _ = bolt.kill().await;
    let _ = bare.kill().await;
}

/// The virtualenv with Slack Bolt, gunicorn and Flask, made on first use.
fn bolt_venv() -> std::path::PathBuf {
    let home = std::env::var("HOME").unwrap_or_else(|_| "/tmp".to_owned());
    let venv = std::path::Path::new(&home).join(".cache/privatelink-bot/bolt-venv");
    if !venv.join("bin/gunicorn").exists() {
        let ok = std::process::Command::new("python3")
            .args(["-m", "venv", &venv.display().to_string()])
            .status()
            .is_ok_and(|s| s.success())
            && std::process::Command::new(venv.join("bin/pip"))
                .args([
                    "install",
                    "-q",
                    "slack_bolt==1.30.0",
                    "flask==3.1.3",
                    "gunicorn==27.0.1",
                ])
                .status()
                .is_ok_and(|s| s.success());
        assert!(ok, "could not install Slack Bolt into {}", venv.display());
    }
    venv
}

/// Approve → verified for `jobs` jobs at once, through the bot's binary.
async fn approve_to_verified(jobs: usize) {
    let sandbox = Sandbox::start(jobs).await.expect("sandbox");
    let proxy = AwsProxy::start(&sandbox.moto.url).await.expect("proxy");
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
    // Create them all (preflight included), untimed.
    futures_util::stream::iter(networks.iter().zip(&sandbox.clusters).enumerate())
        .for_each_concurrent(16, |(i, (n, c))| {
            let bot = &bot;
            async move {
                let line = format!(
                    "create project={} region={} vpc={} subnets={} sg={} clusters={c}",
                    privatelink_bot::sandbox::PROJECT,
                    privatelink_bot::sandbox::ZILLIZ_REGION,
                    n.vpc,
                    n.subnets.join(","),
                    n.security_group
                );
                bot.command(i as u64, &format!("UREQ{i:04}"), &line).await;
            }
        })
        .await;
    // Creates are answered through response_url; wait until all are stored.
    loop {
        let listed = bot.command(u64::MAX - 2, "UBOB", "list pending").await;
        if listed.matches("PL-").count() >= jobs {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
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
    let listed = bot.command(u64::MAX - 4, "UBOB", "list failed").await;
    let failed = listed.matches("PL-").count();
    let aws = proxy.lock().actions.len() - aws_before;
    let zilliz = sandbox.zilliz.lock().requests.len() - zilliz_before;
    let (_, peak) = memory(pid);
    println!(
        "{jobs:>4} job(s): approve → verified {took:>10.2?} ({:.1} ms per job); {failed} failed; per job: {:.1} AWS calls, {:.1} Zilliz calls; bot peak RSS {peak:.1} MiB",
        took.as_secs_f64() * 1000.0 / jobs as f64,
        aws as f64 / jobs as f64,
        zilliz as f64 / jobs as f64,
    );
    bot.stop().await;
    sandbox.moto.stop().await;
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
                        channel: "C0LOAD".into(),
                    },
                );
                let event = AuditEvent {
                    at: 0,
                    job: Some(id),
                    actor: "load".into(),
                    action: "create".into(),
                    outcome: String::new(),
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
        "load harness: {} cores; closed loop {CLOSED_CONNECTIONS} connections × {CLOSED_FOR:?}, open loop {OPEN_RATE}/s × {OPEN_FOR:?}",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    commands(&sandbox).await;
    sandbox.moto.stop().await;
    println!("\n== approve → verified on moto, through the bot's binary ==");
    approve_to_verified(1).await;
    approve_to_verified(MANY_JOBS).await;
    start_up().await;
}
