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

/// A card: a message posted to a channel, not in a thread.
fn is_card(c: &Call) -> bool {
    c.method == "chat.postMessage"
        && c.body["thread_ts"].is_null()
        && c.body["channel"]
            .as_str()
            .is_some_and(|ch| ch.starts_with('C'))
}

#[async_trait::async_trait(?Send)]
impl crate::platform_story::UnderTest for SlackBot {
    async fn start() -> Self {
        SlackBot::start().await
    }

    fn requester(&self) -> &'static str {
        "UALICE"
    }

    fn approver(&self) -> &'static str {
        "UBOB"
    }

    fn app(&self) -> &privatelink_bot::app::App {
        &self.server().app
    }

    fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    async fn send_create(&self, user: &str, clusters: Option<&str>) -> (String, String) {
        let mut line = format!("{} ", self.create_args());
        if let Some(clusters) = clusters {
            line = line.replace(
                "clusters=in01-sandbox0001 ",
                &format!("clusters={clusters} "),
            );
        }
        let trigger = format!("T{}", crate::platform_story::next_delivery());
        let (status, said) = self.command_answer(user, line.trim(), &trigger).await;
        assert_eq!(status, 200);
        (said, trigger)
    }

    async fn private_answer(&self, delivery: &str) -> String {
        self.ephemeral(delivery).await
    }

    fn private_answers(&self, delivery: &str) -> usize {
        let key = format!("response_url/{delivery}");
        self.slack
            .calls()
            .iter()
            .filter(|c| c.method == key)
            .count()
    }

    async fn card(&self, cards_before: usize) -> (String, JobId) {
        let calls = self
            .slack
            .wait_for("a new card", |c| {
                c.iter().filter(|c| is_card(c)).count() > cards_before
            })
            .await;
        let n = calls
            .iter()
            .enumerate()
            .filter(|(_, c)| is_card(c))
            .nth(cards_before)
            .map(|(n, _)| n)
            .unwrap();
        // The fake hands out ts values in the order of successful posts.
        let posts_before = calls[..n]
            .iter()
            .filter(|c| c.method == "chat.postMessage")
            .count();
        let blocks = calls[n].body["blocks"].to_string();
        let id = blocks
            .split("approve:")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap();
        (
            format!("1700000000.{:06}", posts_before + 1),
            JobId::parse(id).unwrap(),
        )
    }

    fn cards(&self) -> usize {
        self.slack.calls().iter().filter(|c| is_card(c)).count()
    }

    async fn click(&self, user: &str, value: &str, card: &str, times: usize) -> String {
        let trigger = format!("T{}", crate::platform_story::next_delivery());
        let body = self.click_body(user, value, &trigger, card);
        for _ in 0..times {
            assert_eq!(self.post_signed("/slack/interactions", &body).await, 200);
        }
        trigger
    }

    async fn thread_when(&self, card: &str, text: &str) -> Vec<String> {
        let calls = self
            .slack
            .wait_for(text, |calls| {
                crate::outbox::thread(calls, card)
                    .iter()
                    .any(|t| t.contains(text))
            })
            .await;
        crate::outbox::thread(&calls, card)
    }

    async fn card_when(&self, card: &str, text: &str) -> serde_json::Value {
        let last = |calls: &[Call]| {
            calls
                .iter()
                .rfind(|c| c.method == "chat.update" && c.body["ts"] == card)
                .map(|c| c.body.clone())
        };
        let calls = self
            .slack
            .wait_for(text, |calls| {
                last(calls).is_some_and(|b| b.to_string().contains(text))
            })
            .await;
        last(&calls).unwrap()
    }

    fn has_buttons(&self, rendering: &serde_json::Value) -> bool {
        rendering.to_string().contains("\"actions\"")
    }

    async fn forged(&self) -> Vec<(String, u16)> {
        let body = serde_urlencoded::to_string([
            ("team_id", "T0"),
            ("channel_id", "C0"),
            ("user_id", "UALICE"),
            ("command", "/privatelink"),
            ("text", "help"),
            ("response_url", "http://127.0.0.1:9/r"),
            ("trigger_id", "T1"),
        ])
        .unwrap();
        let ts = now();
        let stamp = |at: i64| ("x-slack-request-timestamp", at.to_string());
        let signed = |secret: &str, at: i64, b: &str| ("x-slack-signature", sign(secret, at, b));
        type Headers<'a> = Vec<(&'a str, String)>;
        let cases: Vec<(&str, Headers, String)> = vec![
            ("no headers", vec![], body.clone()),
            ("no signature", vec![stamp(ts)], body.clone()),
            (
                "wrong secret",
                vec![stamp(ts), signed("other", ts, &body)],
                body.clone(),
            ),
            (
                "stale",
                vec![stamp(ts - 600), signed(SIGNING, ts - 600, &body)],
                body.clone(),
            ),
            (
                "altered body",
                vec![stamp(ts), signed(SIGNING, ts, &body)],
                body.replace("help", "create"),
            ),
        ];
        let mut tried = Vec::new();
        for (what, headers, b) in cases {
            for path in ["/slack/commands", "/slack/interactions"] {
                let status = self.post_raw(path, &b, &headers).await;
                tried.push((format!("{what} on {path}"), status.as_u16()));
            }
        }
        tried
    }

    fn platform_calls(&self) -> usize {
        self.slack.calls().len()
    }

    fn rate_limit_next(&self) {
        self.slack.rate_limit_next(1);
    }

    fn was_rate_limited(&self) -> bool {
        self.slack
            .calls()
            .iter()
            .any(|c| c.method == "chat.postMessage (429)")
    }

    async fn wait_state(&self, id: JobId, done: for<'s> fn(&'s JobState) -> bool) -> JobState {
        SlackBot::wait_state(self, id, done).await
    }

    async fn finished_flow_facts(&self, card: &str, id: JobId) {
        let calls = self.slack.calls();
        let posted = calls.iter().find(|c| is_card(c)).unwrap();
        assert_eq!(posted.body["channel"], "C0PLATFORM");
        let blocks = posted.body["blocks"].to_string();
        assert!(
            blocks.contains(&self.sandbox.network.vpc)
                && blocks.contains("\"style\":\"primary\"")
                && blocks.contains("\"confirm\""),
            "{blocks}"
        );
        // New messages only for what a person must notice: the decision,
        // the checklist (posted on approval, edited in place), the summary.
        let thread = crate::outbox::thread(&calls, card);
        crate::outbox::assert_in_order(&thread, &crate::outbox::every_note(id));
        crate::outbox::assert_checklist_complete(&calls, card);
        let (_, edits) = crate::outbox::checklist(&calls, card);
        let updates = calls
            .iter()
            .filter(|c| c.method == "chat.update" && c.body["ts"] == card)
            .count();
        assert!(
            updates <= edits + 1,
            "the card is edited at most as often as the checklist: {updates} card updates, {edits} checklist edits"
        );
        let summary = calls
            .iter()
            .rfind(|c| c.method == "chat.postMessage" && c.body["thread_ts"] == card)
            .unwrap();
        assert!(
            summary.body["blocks"].to_string().contains("<@UALICE> ✅"),
            "the summary is the last message and mentions the requester: {}",
            summary.body
        );
        // No call ever carried the token in its body.
        assert!(calls.iter().all(|c| !c.body.to_string().contains(TOKEN)));
    }
}
