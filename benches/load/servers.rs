//! What the load runs against, each a process of its own: the bot's
//! release binary, Slack Bolt for Python under gunicorn, a bare axum
//! handler (this harness re-executed); and a Web API that accepts
//! everything, for the bot's cards.

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::post;
use privatelink_bot::sandbox::{Sandbox, slack_requests};

use crate::drive::{sign, signed_command, unix_now};
use crate::{SIGNING, TOKEN};

pub(crate) const BOLT_APP: &str = r#"
import os
from flask import Flask, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_sdk import WebClient

# The Web API (auth.test, which Bolt calls once per worker) is the
# harness's local stand-in, as the bot's is.
# process_before_response: the answer goes out as soon as ack() is called;
# without it Bolt polls for the ack every 10 ms, which caps it near 440/s.
app = App(
    process_before_response=True,
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

/// Bolt at its fastest: the async app (AsyncApp) under uvicorn with two
/// workers, `process_before_response=True`, through Bolt's own Starlette
/// adapter; `GET /` answers 200 for the readiness probe.
pub(crate) const BOLT_ASYNC_APP: &str = r#"
import os

from slack_bolt.async_app import AsyncApp
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

app = AsyncApp(
    process_before_response=True,
    signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    client=AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]),
)

@app.command("/privatelink")
async def privatelink(ack):
    await ack(text="privatelink-bot sets up AWS PrivateLink from your VPC to Zilliz Cloud Dedicated clusters.")

handler = AsyncSlackRequestHandler(app)

async def slack_commands(req: Request):
    return await handler.handle(req)

async def ready(_req: Request):
    return PlainTextResponse("ok")

api = Starlette(routes=[
    Route("/slack/commands", endpoint=slack_commands, methods=["POST"]),
    Route("/", endpoint=ready, methods=["GET"]),
])
"#;

/// The virtualenv with Bolt's async app, uvicorn (uvloop, httptools) and
/// Starlette, made on first use.
pub(crate) fn bolt_async_venv() -> std::path::PathBuf {
    venv(
        "bolt-async-venv",
        "uvicorn",
        &[
            "slack_bolt==1.30.0",
            "slack_sdk==3.48.0",
            "aiohttp==3.14.5",
            "starlette==1.10.0",
            "uvicorn[standard]==0.55.0",
        ],
    )
}

/// Stops a server process with SIGTERM and waits for it: uvicorn's
/// workers outlive a SIGKILLed parent and keep serving the port.
pub(crate) async fn terminate(child: &mut tokio::process::Child) {
    if let Some(pid) = child.id() {
        let _ = tokio::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .await;
    }
    let _ = tokio::time::timeout(Duration::from_secs(30), child.wait()).await;
}

pub(crate) fn bare_axum(port: &str) {
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

/// A server process's command: under `taskset -c $LOAD_SERVER_CPUS` when
/// that is set (`LOAD_SERVER_CPUS=0` puts every server on one core, so the
/// load generator has the other to itself), else as is.
pub(crate) fn server_command(program: impl AsRef<std::ffi::OsStr>) -> tokio::process::Command {
    match std::env::var("LOAD_SERVER_CPUS") {
        Ok(cpus) if !cpus.trim().is_empty() => {
            let mut command = tokio::process::Command::new("taskset");
            command.args(["-c", cpus.trim()]).arg(program);
            command
        }
        _ => tokio::process::Command::new(program),
    }
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

pub(crate) async fn wait_until_up(url: &str, what: &str) {
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

/// Resident and peak resident memory of a process, in MiB.
pub(crate) fn memory(pid: u32) -> (f64, f64) {
    let (rss, peak) = privatelink_bot::sandbox::process_memory(pid).unwrap_or_default();
    (rss as f64 / 1024.0, peak as f64 / 1024.0)
}

/// A Slack Web API that accepts everything, for the bot's cards and notes.
pub(crate) async fn quiet_slack() -> String {
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

pub(crate) struct Bot {
    pub(crate) child: tokio::process::Child,
    pub(crate) url: String,
    pub(crate) started: Instant,
}

/// The release binary serving Slack over HTTP on `store`.
pub(crate) async fn start_bot(
    sandbox: &Sandbox,
    aws_url: &str,
    store: &std::path::Path,
    slack: &str,
) -> Bot {
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
    let child = server_command(env!("CARGO_BIN_EXE_privatelink-bot"))
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
    pub(crate) async fn stop(mut self) {
        if let Some(pid) = self.child.id() {
            let _ = tokio::process::Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status()
                .await;
        }
        let _ = tokio::time::timeout(Duration::from_secs(60), self.child.wait()).await;
    }

    pub(crate) async fn post(&self, path: &str, body: String) -> String {
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

    pub(crate) async fn command(&self, n: u64, user: &str, text: &str) -> String {
        let (body, _, _) = signed_command(n, user, text);
        self.post("/slack/commands", body).await
    }

    pub(crate) async fn click(&self, n: u64, value: &str) {
        let trigger = format!("click.{n}");
        let from = slack_requests::From {
            channel: "C0LOAD",
            user: "UBOB",
            trigger: &trigger,
            response_url: "http://127.0.0.1:9/response",
        };
        let body = slack_requests::button_click(&from, value, "1700000000.000001");
        self.post("/slack/interactions", body).await;
    }
}

/// The virtualenv with Slack Bolt, gunicorn and Flask, made on first use.
pub(crate) fn bolt_venv() -> std::path::PathBuf {
    venv(
        "bolt-venv",
        "gunicorn",
        &["slack_bolt==1.30.0", "flask==3.1.3", "gunicorn==27.0.1"],
    )
}

/// `~/.cache/privatelink-bot/<name>`, a virtualenv holding `packages`,
/// made unless its `bin/<marker>` is there already.
fn venv(name: &str, marker: &str, packages: &[&str]) -> std::path::PathBuf {
    let home = std::env::var("HOME").unwrap_or_else(|_| "/tmp".to_owned());
    let venv = std::path::Path::new(&home)
        .join(".cache/privatelink-bot")
        .join(name);
    if !venv.join("bin").join(marker).exists() {
        let ok = std::process::Command::new("python3")
            .args(["-m", "venv", &venv.display().to_string()])
            .status()
            .is_ok_and(|s| s.success())
            && std::process::Command::new(venv.join("bin/pip"))
                .args(["install", "-q"])
                .args(packages)
                .status()
                .is_ok_and(|s| s.success());
        assert!(ok, "could not install {packages:?} into {}", venv.display());
    }
    venv
}
