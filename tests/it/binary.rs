//! The real binary, `privatelink-bot serve`, with Slack over HTTP against
//! the fake Slack API, AWS on moto and the fake Zilliz Cloud: started on a
//! free port, driven with signed requests, stopped with SIGTERM.

use std::process::Stdio;
use std::time::{Duration, Instant};

use privatelink_bot::sandbox::{Sandbox, slack_requests};

use crate::fake_slack::FakeSlack;
use crate::harness::{now, store_path};
use crate::slack_bot::sign;

pub const TOKEN: &str = "xoxb-binary-7f3a9c2e1d";
pub const SIGNING: &str = "signing-binary-5b8e0a4c6f";

pub struct ServeBinary {
    pub sandbox: Sandbox,
    pub slack: FakeSlack,
    pub dir: tempfile::TempDir,
    pub config: std::path::PathBuf,
    pub child: tokio::process::Child,
    pub url: String,
    http: reqwest::Client,
    /// What the bot writes to stdout and stderr, read as it writes (a full
    /// pipe would block its logging).
    output: Vec<tokio::task::JoinHandle<Vec<u8>>>,
}

fn drain(
    pipe: Option<impl tokio::io::AsyncRead + Unpin + Send + 'static>,
) -> tokio::task::JoinHandle<Vec<u8>> {
    tokio::spawn(async move {
        use tokio::io::AsyncReadExt;
        let mut out = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut out).await;
        }
        out
    })
}

impl ServeBinary {
    /// Starts `serve` with the sandbox's config, Slack over HTTP, everyone
    /// on Slack a requester, `extra` appended to the config and `env` set.
    pub async fn start(extra: &str, env: &[(&str, &str)]) -> Self {
        let slack = FakeSlack::start(TOKEN).await;
        Self::start_with(slack, |text| format!("{text}{extra}\n"), env).await
    }

    /// As `start`, against `slack`, with `edit` turning the sandbox's
    /// config text into the one the binary reads.
    pub async fn start_with(
        slack: FakeSlack,
        edit: impl FnOnce(String) -> String,
        env: &[(&str, &str)],
    ) -> Self {
        let sandbox = Sandbox::start(1).await.expect("sandbox");
        let dir = tempfile::tempdir().expect("temp dir");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let config = dir.path().join("bot.toml");
        let text = edit(sandbox.slack_config_text(
            &store_path(&dir),
            &sandbox.proxy.url,
            &format!("{}/api/", slack.url),
            "BIN",
            port,
        ));
        std::fs::write(&config, text).expect("config written");
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_privatelink-bot"))
            .args(["--config", &config.display().to_string(), "serve"])
            .env("SANDBOX_ZILLIZ_API_KEY", &sandbox.api_key)
            .env("BIN_SLACK_BOT_TOKEN", TOKEN)
            .env("BIN_SLACK_SIGNING_SECRET", SIGNING)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("the binary starts");
        let output = vec![drain(child.stdout.take()), drain(child.stderr.take())];
        let bot = Self {
            output,
            sandbox,
            slack,
            dir,
            config,
            child,
            url: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::builder()
                .pool_max_idle_per_host(256)
                .build()
                .expect("client"),
        };
        let started = Instant::now();
        // Polled until it serves (a start-up has no event to wait on).
        while !bot.healthy().await {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "serve never came up"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bot
    }

    async fn healthy(&self) -> bool {
        self.http
            .get(format!("{}/healthz", self.url))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
    }

    pub fn pid(&self) -> u32 {
        self.child.id().expect("running")
    }

    async fn post_signed(&self, path: &str, body: String) -> (u16, String) {
        let ts = now();
        let resp = self
            .http
            .post(format!("{}{path}", self.url))
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

    /// A signed slash command: the acknowledgement's status and text.
    pub async fn command(&self, user: &str, text: &str, trigger: &str) -> (u16, String) {
        let response_url = format!("{}/response/{trigger}", self.slack.url);
        let from = slack_requests::From {
            channel: "C0PLATFORM",
            user,
            trigger,
            response_url: &response_url,
        };
        let body = slack_requests::slash_command(&from, text);
        self.post_signed("/slack/commands", body).await
    }

    /// A signed button click on the card.
    pub async fn click(&self, user: &str, value: &str, trigger: &str) -> u16 {
        let response_url = format!("{}/response/{trigger}", self.slack.url);
        let from = slack_requests::From {
            channel: "C0PLATFORM",
            user,
            trigger,
            response_url: &response_url,
        };
        let body = slack_requests::button_click(&from, value, "1700000000.000001");
        self.post_signed("/slack/interactions", body).await.0
    }

    /// Asks the bot to stop (SIGTERM, as `docker stop` does) and waits
    /// for it: its exit status and everything it wrote.
    pub async fn stop(mut self) -> (Self, i32, String) {
        let pid = i32::try_from(self.pid()).expect("pid");
        let killed = tokio::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .await
            .expect("kill runs");
        assert!(killed.success());
        let status = tokio::time::timeout(Duration::from_secs(60), self.child.wait())
            .await
            .expect("it stops within a minute")
            .expect("status");
        let mut text = String::new();
        for reader in self.output.drain(..) {
            text.push_str(&String::from_utf8_lossy(
                &reader.await.expect("output read"),
            ));
        }
        let code = status.code().unwrap_or(-1);
        (self, code, text)
    }
}

/// Resident and peak resident memory of a process, in KiB.
pub fn memory(pid: u32) -> (u64, u64) {
    privatelink_bot::sandbox::process_memory(pid).expect("the process's memory")
}
