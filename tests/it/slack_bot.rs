//! The Slack test bot: `serve` over a fresh sandbox with Slack over HTTP
//! against the fake Slack Web API, driven with signed requests.

use std::time::Duration;

use hmac::{KeyInit, Mac};
use privatelink_bot::chat::slack::SlackSettings;
use privatelink_bot::domain::ids::JobId;
use privatelink_bot::domain::job::JobState;
use privatelink_bot::sandbox::{Sandbox, slack_requests};
use privatelink_bot::secret::{Secret, SecretSource};
use privatelink_bot::serve::{Secrets, Server};

use crate::fake_slack::{Call, FakeSlack};
use crate::harness::{job_state_when, now, serve_config, serve_sandbox_with};

pub(crate) const TOKEN: &str = "xoxb-test-token-0123456789";
pub(crate) const SIGNING: &str = "test-signing-secret-0123456789";

pub struct SlackBot {
    pub sandbox: Sandbox,
    pub slack: FakeSlack,
    pub(crate) server: Option<Server>,
    pub(crate) url: String,
    pub(crate) http: reqwest::Client,
    pub(crate) _dir: tempfile::TempDir,
    pub(crate) config: privatelink_bot::config::Config,
    pub(crate) secrets: Secrets,
    pub(crate) serving: tokio::task::JoinHandle<()>,
}

pub fn sign(secret: &str, ts: i64, body: &str) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("v0:{ts}:{body}").as_bytes());
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

impl SlackBot {
    pub async fn start() -> Self {
        Self::start_with(&["slack:UBOB"]).await
    }

    pub(crate) async fn start_with(approvers: &[&str]) -> Self {
        Self::start_full(approvers, |_| {}, None).await
    }

    /// As `start_with`, with `configure` changing the config after the
    /// Slack section is set, and `hook` in the engine.
    pub async fn start_full(
        approvers: &[&str],
        configure: impl FnOnce(&mut privatelink_bot::config::Config),
        hook: Option<std::sync::Arc<dyn privatelink_bot::engine::StepHook>>,
    ) -> Self {
        let slack = FakeSlack::start(TOKEN).await;
        let api_url = format!("{}/api/", slack.url);
        let served = serve_sandbox_with(
            approvers,
            |c| {
                c.slack = Some(SlackSettings {
                    api_url,
                    bot_token_env: "SLACK_BOT_TOKEN".into(),
                    signing_secret_env: "SLACK_SIGNING_SECRET".into(),
                    transport: privatelink_bot::chat::slack::Transport::Http,
                    app_token_env: "SLACK_APP_TOKEN".into(),
                    progress_interval: Duration::from_millis(200),
                    workspace_languages: Default::default(),
                });
                configure(c);
            },
            |zilliz_api_key| Secrets {
                zilliz_api_key,
                chat: SecretSource::given([
                    ("SLACK_BOT_TOKEN", TOKEN),
                    ("SLACK_SIGNING_SECRET", SIGNING),
                ]),
            },
            hook,
        )
        .await;
        Self {
            sandbox: served.sandbox,
            slack,
            server: Some(served.server),
            url: served.url,
            http: reqwest::Client::new(),
            _dir: served.dir,
            config: served.config,
            secrets: served.secrets,
            serving: served.serving,
        }
    }

    /// Stops the bot as a crash would (nothing more is done or said) and
    /// starts a new one on the same store, which resumes what was owed.
    pub async fn crash_and_restart(&mut self) {
        self.server().app.halt().await;
        self.serving.abort();
        let _ = (&mut self.serving).await;
        // The old bot lets go of the store before the new one opens it.
        drop(self.server.take());
        let (server, url, serving) = serve_config(&self.config, self.secrets.clone(), None).await;
        self.url = url;
        self.serving = serving;
        self.server
            .insert(server)
            .app
            .engine
            .resume()
            .await
            .expect("resume");
    }

    /// Where the bot serves HTTP.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn server(&self) -> &Server {
        self.server.as_ref().expect("the bot is running")
    }

    /// A handler over the running bot's core, as its Slack platform builds
    /// one (for driving Socket Mode envelopes directly).
    pub fn handler(&self) -> std::sync::Arc<privatelink_bot::chat::slack::inbound::SlackHandler> {
        use privatelink_bot::chat::slack::{inbound, sink};
        let core = &self.server().core;
        let client = sink::client(&format!("{}/api/", self.slack.url)).expect("client");
        std::sync::Arc::new(inbound::SlackHandler::new(
            core.service.clone(),
            std::sync::Arc::new(client),
            &Secret::new(TOKEN),
            Vec::new(),
            inbound::Languages::default(),
            core.intake.clone(),
        ))
    }

    pub(crate) async fn post_raw(
        &self,
        path: &str,
        body: &str,
        headers: &[(&str, String)],
    ) -> reqwest::StatusCode {
        self.post_raw_answer(path, body, headers).await.0
    }

    /// The status and the body of the answer.
    pub(crate) async fn post_raw_answer(
        &self,
        path: &str,
        body: &str,
        headers: &[(&str, String)],
    ) -> (reqwest::StatusCode, String) {
        let mut req = self
            .http
            .post(format!("{}{path}", self.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_owned());
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        (status, resp.text().await.unwrap_or_default())
    }

    pub(crate) async fn post_signed(&self, path: &str, body: &str) -> reqwest::StatusCode {
        let ts = now();
        self.post_raw(
            path,
            body,
            &[
                ("x-slack-request-timestamp", ts.to_string()),
                ("x-slack-signature", sign(SIGNING, ts, body)),
            ],
        )
        .await
    }

    pub async fn command(&self, user: &str, text: &str, trigger: &str) -> reqwest::StatusCode {
        self.command_in("C0PLATFORM", user, text, trigger).await
    }

    pub async fn command_in(
        &self,
        channel: &str,
        user: &str,
        text: &str,
        trigger: &str,
    ) -> reqwest::StatusCode {
        self.command_answer_in(channel, user, text, trigger).await.0
    }

    /// A slash command's acknowledgement: its status, and the text it
    /// answers with (empty when the answer comes later).
    pub async fn command_answer(&self, user: &str, text: &str, trigger: &str) -> (u16, String) {
        let (status, body) = self
            .command_answer_in("C0PLATFORM", user, text, trigger)
            .await;
        let said = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["text"].as_str().map(str::to_owned))
            .unwrap_or_default();
        (status.as_u16(), said)
    }

    pub(crate) async fn command_answer_in(
        &self,
        channel: &str,
        user: &str,
        text: &str,
        trigger: &str,
    ) -> (reqwest::StatusCode, String) {
        let response_url = format!("{}/response/{trigger}", self.slack.url);
        let body = slack_requests::slash_command(
            &slack_requests::From {
                channel,
                user,
                trigger,
                response_url: &response_url,
            },
            text,
        );
        let ts = now();
        self.post_raw_answer(
            "/slack/commands",
            &body,
            &[
                ("x-slack-request-timestamp", ts.to_string()),
                ("x-slack-signature", sign(SIGNING, ts, &body)),
            ],
        )
        .await
    }

    /// Posts `body` unsigned, as is; the status.
    pub async fn post_unsigned(&self, path: &str, body: &str) -> reqwest::StatusCode {
        self.post_raw(path, body, &[]).await
    }

    pub(crate) fn click_body(
        &self,
        user: &str,
        value: &str,
        trigger: &str,
        card_ts: &str,
    ) -> String {
        self.click_body_in("C0PLATFORM", user, value, trigger, card_ts)
    }

    pub(crate) fn click_body_in(
        &self,
        channel: &str,
        user: &str,
        value: &str,
        trigger: &str,
        card_ts: &str,
    ) -> String {
        let response_url = format!("{}/response/{trigger}", self.slack.url);
        slack_requests::button_click(
            &slack_requests::From {
                channel,
                user,
                trigger,
                response_url: &response_url,
            },
            value,
            card_ts,
        )
    }

    pub async fn click(
        &self,
        user: &str,
        value: &str,
        trigger: &str,
        card_ts: &str,
    ) -> reqwest::StatusCode {
        self.click_in("C0PLATFORM", user, value, trigger, card_ts)
            .await
    }

    pub async fn click_in(
        &self,
        channel: &str,
        user: &str,
        value: &str,
        trigger: &str,
        card_ts: &str,
    ) -> reqwest::StatusCode {
        let body = self.click_body_in(channel, user, value, trigger, card_ts);
        self.post_signed("/slack/interactions", &body).await
    }

    pub fn create_args(&self) -> String {
        format!("create {}", self.sandbox.create_args())
    }

    /// The first card the bot posted: its ts and the job id in its buttons.
    pub async fn card(&self) -> (String, JobId) {
        let (calls, id) = self.slack.first_card().await;
        (self.card_ts(&calls), id)
    }

    pub(crate) fn card_ts(&self, calls: &[Call]) -> String {
        // The fake hands out ts values in order: the card is the first post
        // to a channel (direct messages to a user id count, but are not it).
        let n = calls
            .iter()
            .position(|c| {
                c.method == "chat.postMessage"
                    && c.body["channel"]
                        .as_str()
                        .is_some_and(|ch| ch.starts_with('C'))
            })
            .unwrap();
        let posts_before = calls[..n]
            .iter()
            .filter(|c| c.method == "chat.postMessage")
            .count();
        format!("1700000000.{:06}", posts_before + 1)
    }

    pub async fn ephemeral(&self, trigger: &str) -> String {
        let key = format!("response_url/{trigger}");
        let calls = self
            .slack
            .wait_for(&key, |c| c.iter().any(|c| c.method == key))
            .await;
        calls.iter().find(|c| c.method == key).unwrap().body["text"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Approve actions in the audit log (accepted or refused) for a job.
    pub(crate) fn approve_attempts(&self, id: JobId) -> usize {
        let log = self
            .server()
            .app
            .store
            .blocking()
            .audit_log(Some(id))
            .unwrap();
        log.iter().filter(|e| e.action.word() == "approve").count()
    }

    pub async fn wait_state(&self, id: JobId, done: impl Fn(&JobState) -> bool) -> JobState {
        job_state_when(&self.server().app, self.slack.recorder(), id, done).await
    }
}
