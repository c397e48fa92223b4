//! A burst of signed slash commands well past the intake limit, at the real
//! binary (`serve`) over HTTP: every request is acknowledged (200, "busy"
//! for those beyond the limit, nothing started for them), every accepted
//! one is answered, the process's memory stays bounded and comes back
//! down, and afterwards a fresh command is answered normally.

use std::process::Stdio;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use privatelink_bot::sandbox::Sandbox;

use crate::fake_slack::FakeSlack;
use crate::harness::{now, store_path};
use crate::slack::sign;

const TOKEN: &str = "xoxb-burst-0123456789";
const SIGNING: &str = "burst-signing-secret-0123456789";
const BURST: usize = 1500;
const CONCURRENCY: usize = 150;
const MAX_IN_FLIGHT: usize = 16;

/// Resident and peak resident memory of a process, in KiB.
fn memory(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|n| n.parse::<u64>().ok())
            .expect("a memory field")
    };
    (field("VmRSS:"), field("VmHWM:"))
}

struct Bot {
    url: String,
    http: reqwest::Client,
    slack_url: String,
}

impl Bot {
    /// The acknowledgement's status and text.
    async fn command(&self, user: &str, text: &str, trigger: &str) -> (u16, String) {
        let body = serde_urlencoded::to_string([
            ("team_id", "T0"),
            ("channel_id", "C0PLATFORM"),
            ("user_id", user),
            ("command", "/privatelink"),
            ("text", text),
            (
                "response_url",
                &format!("{}/response/{trigger}", self.slack_url),
            ),
            ("trigger_id", trigger),
        ])
        .unwrap();
        let ts = now();
        let resp = self
            .http
            .post(format!("{}/slack/commands", self.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-slack-request-timestamp", ts.to_string())
            .header("x-slack-signature", sign(SIGNING, ts, &body))
            .body(body)
            .send()
            .await
            .expect("the bot answers");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        let said = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v["text"].as_str().map(str::to_owned))
            .unwrap_or_default();
        (status, said)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_burst_past_the_limit_the_bot_answers_and_its_memory_comes_back() {
    let sandbox = Sandbox::start(1).await.expect("sandbox");
    let slack = FakeSlack::start(TOKEN).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let config = dir.path().join("bot.toml");
    let text = sandbox
        .config_text(&store_path(&dir))
        .replace("requesters = [\"console:*\"]", "requesters = [\"slack:*\"]");
    let text = format!(
        r#"{text}
[slack]
api_url = "{slack}/api/"
bot_token_env = "BURST_SLACK_BOT_TOKEN"
signing_secret_env = "BURST_SLACK_SIGNING_SECRET"

[http]
listen = "127.0.0.1:{port}"

[intake]
max_in_flight = {MAX_IN_FLIGHT}
"#,
        slack = slack.url
    );
    std::fs::write(&config, text).expect("config written");
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_privatelink-bot"))
        .args(["--config", &config.display().to_string(), "serve"])
        .env("SANDBOX_ZILLIZ_API_KEY", &sandbox.api_key)
        .env("BURST_SLACK_BOT_TOKEN", TOKEN)
        .env("BURST_SLACK_SIGNING_SECRET", SIGNING)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts");
    let pid = child.id().expect("a pid");
    let bot = Bot {
        url: format!("http://127.0.0.1:{port}"),
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(CONCURRENCY)
            .build()
            .unwrap(),
        slack_url: slack.url.clone(),
    };
    let ready = Instant::now();
    while bot
        .http
        .get(format!("{}/healthz", bot.url))
        .send()
        .await
        .map_or(true, |r| !r.status().is_success())
    {
        assert!(
            ready.elapsed() < Duration::from_secs(60),
            "serve never came up"
        );
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let plan = format!("plan {}", sandbox.create_args());
    // Warm up, so the baseline holds what a working bot holds.
    for n in 0..5 {
        assert_eq!(
            bot.command(&format!("UWARM{n}"), &plan, &format!("W{n}"))
                .await
                .0,
            200
        );
    }
    slack
        .wait_for("the warm-up answers", |c| {
            c.iter()
                .filter(|c| c.method.starts_with("response_url/W"))
                .count()
                == 5
        })
        .await;
    let (baseline, _) = memory(pid);

    // The burst: distinct people (the per-person rate is not what is tested),
    // distinct triggers, all at once.
    let acks: Vec<(usize, u16, String)> = futures_util::stream::iter(0..BURST)
        .map(|n| {
            let (bot, plan) = (&bot, &plan);
            async move {
                let (status, said) = bot
                    .command(&format!("UBURST{n:05}"), plan, &format!("B{n}"))
                    .await;
                (n, status, said)
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let (_, peak) = memory(pid);
    assert!(
        acks.iter().all(|(_, s, _)| *s == 200),
        "every request acknowledged"
    );
    let busy = acks.iter().filter(|(_, _, t)| t.contains("busy")).count();
    let accepted: Vec<usize> = acks
        .iter()
        .filter(|(_, _, t)| t.is_empty())
        .map(|(n, _, _)| *n)
        .collect();
    assert_eq!(busy + accepted.len(), BURST, "an ack is empty or says busy");
    assert!(busy > 0, "the burst went past the limit");
    assert!(!accepted.is_empty());

    // Every accepted command is answered.
    slack
        .wait_for("an answer to every accepted command", |c| {
            let answered: std::collections::HashSet<&str> = c
                .iter()
                .filter_map(|c| c.method.strip_prefix("response_url/B"))
                .collect();
            accepted
                .iter()
                .all(|n| answered.contains(n.to_string().as_str()))
        })
        .await;
    // A fresh command is answered normally: at once when it needs no cloud
    // call, and through response_url when it does.
    let (status, said) = bot.command("UAFTER", "status PL-1", "A1").await;
    assert_eq!((status, said.as_str()), (200, "There is no job PL-1."));
    let (status, said) = bot.command("UAFTER", &plan, "A2").await;
    assert_eq!((status, said.as_str()), (200, ""));
    slack
        .wait_for("the answer after the burst", |c| {
            c.iter().any(|c| c.method == "response_url/A2")
        })
        .await;

    let (after, _) = memory(pid);
    eprintln!(
        "burst of {BURST}: {} accepted, {busy} busy; RSS {baseline} KiB before, peak {peak} KiB, {after} KiB after",
        accepted.len()
    );
    // Bounded: the work in flight is capped, so a burst adds little. The
    // unbounded version grew by gigabytes.
    assert!(
        peak < baseline + 128 * 1024,
        "peak {peak} KiB against {baseline} KiB before the burst"
    );
    assert!(
        after < baseline + 64 * 1024,
        "{after} KiB after the burst against {baseline} KiB before"
    );
}
