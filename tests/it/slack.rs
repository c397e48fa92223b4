//! Slack over HTTP, end to end: signed requests into `serve`'s router, the
//! bot's real slack-morphism client out to a fake Slack Web API, AWS on moto,
//! Zilliz on the fake control plane.

use std::time::Duration;

use hmac::{KeyInit, Mac};
use privatelink_bot::chat::slack::SlackSettings;
use privatelink_bot::domain::ids::JobId;
use privatelink_bot::domain::job::JobState;
use privatelink_bot::sandbox::Sandbox;
use privatelink_bot::sandbox::fake_zilliz::Fault;
use privatelink_bot::secret::Secret;
use privatelink_bot::serve::{Secrets, Server};
use serde_json::json;

use crate::fake_slack::{Call, FakeSlack};
use crate::harness::{job_state_when, now, serve_config, serve_sandbox_with};

const TOKEN: &str = "xoxb-test-token-0123456789";
const SIGNING: &str = "test-signing-secret-0123456789";

pub struct SlackBot {
    pub sandbox: Sandbox,
    pub slack: FakeSlack,
    server: Option<Server>,
    url: String,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
    config: privatelink_bot::config::Config,
    secrets: Secrets,
    serving: tokio::task::JoinHandle<()>,
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

    async fn start_with(approvers: &[&str]) -> Self {
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
                    bot_token_env: "UNUSED".into(),
                    signing_secret_env: "UNUSED".into(),
                    transport: privatelink_bot::chat::slack::Transport::Http,
                    app_token_env: "UNUSED".into(),
                    progress_interval: Duration::from_millis(200),
                    workspace_languages: Default::default(),
                });
                configure(c);
            },
            |zilliz_api_key| Secrets {
                zilliz_api_key,
                slack_bot_token: Some(Secret::new(TOKEN)),
                slack_signing_secret: Some(Secret::new(SIGNING)),
                slack_app_token: None,
                discord_bot_token: None,
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

    async fn post_raw(
        &self,
        path: &str,
        body: &str,
        headers: &[(&str, String)],
    ) -> reqwest::StatusCode {
        self.post_raw_answer(path, body, headers).await.0
    }

    /// The status and the body of the answer.
    async fn post_raw_answer(
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

    async fn post_signed(&self, path: &str, body: &str) -> reqwest::StatusCode {
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

    async fn command_answer_in(
        &self,
        channel: &str,
        user: &str,
        text: &str,
        trigger: &str,
    ) -> (reqwest::StatusCode, String) {
        let body = serde_urlencoded::to_string([
            ("token", "ignored"),
            ("team_id", "T0"),
            ("team_domain", "acme"),
            ("channel_id", channel),
            ("channel_name", "platform"),
            ("user_id", user),
            ("user_name", user),
            ("command", "/privatelink"),
            ("text", text),
            (
                "response_url",
                &format!("{}/response/{trigger}", self.slack.url),
            ),
            ("trigger_id", trigger),
            ("api_app_id", "A0"),
        ])
        .unwrap();
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

    fn click_body(&self, user: &str, value: &str, trigger: &str, card_ts: &str) -> String {
        self.click_body_in("C0PLATFORM", user, value, trigger, card_ts)
    }

    fn click_body_in(
        &self,
        channel: &str,
        user: &str,
        value: &str,
        trigger: &str,
        card_ts: &str,
    ) -> String {
        let payload = json!({
            "type": "block_actions",
            "team": { "id": "T0", "domain": "acme" },
            "user": { "id": user, "team_id": "T0", "username": user, "name": user },
            "api_app_id": "A0",
            "container": { "type": "message", "message_ts": card_ts, "channel_id": channel, "is_ephemeral": false },
            "trigger_id": trigger,
            "channel": { "id": channel, "name": "platform" },
            "response_url": format!("{}/response/{trigger}", self.slack.url),
            "actions": [ { "type": "button", "action_id": "privatelink_x", "block_id": "b", "value": value, "action_ts": "1700000000.1" } ],
        });
        serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap()
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

    fn card_ts(&self, calls: &[Call]) -> String {
        // The fake hands out ts values in order: the card is the first post.
        let n = calls
            .iter()
            .position(|c| c.method == "chat.postMessage")
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
    fn approve_attempts(&self, id: JobId) -> usize {
        let log = self
            .server()
            .app
            .store
            .blocking()
            .audit_log(Some(id))
            .unwrap();
        log.iter().filter(|e| e.action == "approve").count()
    }

    pub async fn wait_state(&self, id: JobId, done: impl Fn(&JobState) -> bool) -> JobState {
        job_state_when(&self.server().app, self.slack.recorder(), id, done).await
    }
}

#[tokio::test]
async fn slash_command_card_approval_progress_and_success() {
    let bot = SlackBot::start().await;
    assert_eq!(bot.command("UALICE", &bot.create_args(), "T1").await, 200);
    let (card_ts, id) = bot.card().await;
    let card = bot
        .slack
        .calls()
        .into_iter()
        .find(|c| c.method == "chat.postMessage")
        .unwrap();
    assert_eq!(card.body["channel"], "C0PLATFORM");
    let blocks = card.body["blocks"].to_string();
    assert!(
        blocks.contains(&bot.sandbox.network.vpc)
            && blocks.contains("\"style\":\"primary\"")
            && blocks.contains("\"confirm\""),
        "{blocks}"
    );
    assert!(bot.ephemeral("T1").await.contains("waiting for approval"));

    // The requester's own click is refused privately.
    assert_eq!(
        bot.click("UALICE", &format!("approve:{id}"), "T2", &card_ts)
            .await,
        200
    );
    assert!(bot.ephemeral("T2").await.contains("not an approver"));

    assert_eq!(
        bot.click("UBOB", &format!("approve:{id}"), "T3", &card_ts)
            .await,
        200
    );
    assert_eq!(
        bot.wait_state(id, |s| *s == JobState::Succeeded).await,
        JobState::Succeeded
    );

    let calls = bot.slack.calls();
    let updates: Vec<&Call> = calls.iter().filter(|c| c.method == "chat.update").collect();
    assert!(updates.iter().all(|u| u.body["ts"] == card_ts.as_str()));
    let last = updates.last().unwrap().body.to_string();
    assert!(last.contains("Succeeded"), "{last}");
    assert!(
        !last.contains("\"actions\""),
        "a finished card keeps no buttons: {last}"
    );
    let thread: Vec<&Call> = calls
        .iter()
        .filter(|c| c.method == "chat.postMessage" && c.body["thread_ts"] == card_ts.as_str())
        .collect();
    let text: String = thread
        .iter()
        .map(|c| c.body["text"].as_str().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(text.contains("Approved by slack:UBOB"), "{text}");
    assert!(text.contains("step 8/8 verify the end state"), "{text}");
    assert!(
        text.contains(&format!("{id} succeeded. Connect through")),
        "{text}"
    );
    // Every note, in the order the job wrote them (1 approval, 16 step
    // notes, the summary), paced per channel rather than merged.
    assert_eq!(thread.len(), 18, "{text}");
    let position = |needle: &str| text.find(needle).unwrap_or(usize::MAX);
    assert!(position("Approved by") < position("step 1/8"), "{text}");
    assert!(position("step 1/8") < position("step 8/8"), "{text}");
    assert!(
        position("step 8/8") < position("succeeded. Connect"),
        "{text}"
    );
    bot.sandbox
        .end_state()
        .await
        .unwrap()
        .verify(&bot.sandbox.hosts())
        .unwrap();
    // No call ever carried the token in its body.
    assert!(calls.iter().all(|c| !c.body.to_string().contains(TOKEN)));
}

#[tokio::test]
async fn reject_and_a_failed_job_retried_over_slack() {
    let bot = SlackBot::start().await;
    bot.command("UALICE", &bot.create_args(), "T1").await;
    let (card_ts, first) = bot.card().await;
    bot.click("UBOB", &format!("reject:{first}"), "T2", &card_ts)
        .await;
    assert_eq!(
        bot.wait_state(first, |s| *s == JobState::Rejected).await,
        JobState::Rejected
    );
    assert!(bot.ephemeral("T2").await.contains("You rejected"));

    // A second request fails at step 5, then Retry from the thread finishes it.
    bot.command("UALICE", &bot.create_args(), "T3").await;
    let id = JobId::new(first.number() + 1);
    bot.slack
        .wait_for("the second card", |c| {
            c.iter()
                .filter(|c| c.method == "chat.postMessage" && c.body["thread_ts"].is_null())
                .count()
                == 2
        })
        .await;
    bot.sandbox.zilliz.lock().faults.push_back(Fault {
        request_prefix: "GET /v2/clusters/".into(),
        status: 200,
        code: 90001,
        message: "internal error".into(),
        retry_after: None,
        after_effect: false,
    });
    bot.click("UBOB", &format!("approve:{id}"), "T4", "x").await;
    assert!(matches!(
        bot.wait_state(id, |s| matches!(s, JobState::Failed { .. }))
            .await,
        JobState::Failed { .. }
    ));
    let calls = bot.slack.calls();
    assert!(
        calls
            .iter()
            .any(|c| c.body.to_string().contains(&format!("retry:{id}"))),
        "no Retry button posted"
    );
    bot.click("UBOB", &format!("retry:{id}"), "T5", "x").await;
    assert_eq!(
        bot.wait_state(id, |s| *s == JobState::Succeeded).await,
        JobState::Succeeded
    );
}

#[tokio::test]
async fn unsigned_stale_or_tampered_requests_get_401_and_change_nothing() {
    let bot = SlackBot::start().await;
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
    let good = sign(SIGNING, ts, &body);
    type Headers<'a> = Vec<(&'a str, String)>;
    let cases: Vec<(&str, Headers, String)> = vec![
        ("no headers", vec![], body.clone()),
        (
            "no signature",
            vec![("x-slack-request-timestamp", ts.to_string())],
            body.clone(),
        ),
        (
            "wrong secret",
            vec![
                ("x-slack-request-timestamp", ts.to_string()),
                ("x-slack-signature", sign("other", ts, &body)),
            ],
            body.clone(),
        ),
        (
            "stale",
            vec![
                ("x-slack-request-timestamp", (ts - 600).to_string()),
                ("x-slack-signature", sign(SIGNING, ts - 600, &body)),
            ],
            body.clone(),
        ),
        (
            "altered body",
            vec![
                ("x-slack-request-timestamp", ts.to_string()),
                ("x-slack-signature", good.clone()),
            ],
            body.replace("help", "create"),
        ),
    ];
    for (what, headers, b) in cases {
        for path in ["/slack/commands", "/slack/interactions"] {
            assert_eq!(
                bot.post_raw(path, &b, &headers).await,
                401,
                "{what} on {path}"
            );
        }
    }
    // Signed garbage is a 400, not a crash.
    assert_eq!(
        bot.post_signed("/slack/interactions", "payload=%7Bnot-json")
            .await,
        400
    );
    assert_eq!(bot.post_signed("/slack/commands", "nonsense").await, 400);
    assert!(bot.server().app.store.all_jobs().await.unwrap().is_empty());
    assert!(bot.slack.calls().is_empty(), "{:?}", bot.slack.calls());
}

#[tokio::test]
async fn a_duplicate_click_has_one_effect_and_429_is_retried() {
    let bot = SlackBot::start().await;
    bot.slack.rate_limit_next(1);
    bot.command("UALICE", &bot.create_args(), "T1").await;
    let (card_ts, id) = bot.card().await;
    assert!(
        bot.slack
            .calls()
            .iter()
            .any(|c| c.method == "chat.postMessage (429)")
    );
    let body = bot.click_body("UBOB", &format!("approve:{id}"), "T2", &card_ts);
    for _ in 0..3 {
        assert_eq!(bot.post_signed("/slack/interactions", &body).await, 200);
    }
    assert_eq!(
        bot.wait_state(id, |s| *s == JobState::Succeeded).await,
        JobState::Succeeded
    );
    assert_eq!(bot.approve_attempts(id), 1);
    let answers = bot
        .slack
        .calls()
        .iter()
        .filter(|c| c.method == "response_url/T2")
        .count();
    assert_eq!(answers, 1);
    bot.sandbox
        .end_state()
        .await
        .unwrap()
        .verify(&bot.sandbox.hosts())
        .unwrap();
}

#[test]
fn the_signing_helper_matches_slacks_documented_example() {
    // From Slack's "Verifying requests from Slack" guide.
    let body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    assert_eq!(
        sign("8f742231b10e8888abcd99yyyzzz85a5", 1531420618, body),
        "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    );
}

fn view_submission(user: &str, channel: &str, view_id: &str, fields: &[(&str, &str)]) -> String {
    let mut values = serde_json::Map::new();
    for (field, value) in fields {
        values.insert(
            (*field).into(),
            json!({ "value": { "type": "plain_text_input", "value": value } }),
        );
    }
    json!({
        "type": "view_submission",
        "team": { "id": "T0", "domain": "acme" },
        "user": { "id": user, "team_id": "T0", "username": user, "name": user },
        "api_app_id": "A0",
        "trigger_id": format!("trigger-{view_id}"),
        "view": {
            "id": view_id, "type": "modal", "callback_id": "privatelink_create", "private_metadata": channel,
            "title": { "type": "plain_text", "text": "New private link" },
            "blocks": [], "state": { "values": values }, "hash": "h", "team_id": "T0", "app_id": "A0",
        },
    })
    .to_string()
}

#[tokio::test]
async fn create_without_arguments_opens_a_form_with_field_errors() {
    let bot = SlackBot::start().await;
    assert_eq!(bot.command("UALICE", "create", "T1").await, 200);
    let calls = bot
        .slack
        .wait_for("views.open", |c| c.iter().any(|c| c.method == "views.open"))
        .await;
    let open = calls.iter().find(|c| c.method == "views.open").unwrap();
    assert_eq!(open.body["trigger_id"], "T1");
    assert_eq!(open.body["view"]["callback_id"], "privatelink_create");
    assert_eq!(open.body["view"]["private_metadata"], "C0PLATFORM");
    assert_eq!(open.body["view"]["blocks"].as_array().unwrap().len(), 7);

    // A bad VPC and a missing cluster: errors go onto those fields, synchronously.
    let net = bot.sandbox.network.clone();
    let subnets = net.subnets.join(", ");
    let mut fields = vec![
        ("project", "proj-sandbox0001"),
        ("region", "aws-us-west-2"),
        ("vpc", "vpc-123"),
        ("subnets", subnets.as_str()),
        ("sg", net.security_group.as_str()),
    ];
    let payload = view_submission("UALICE", "C0PLATFORM", "V1", &fields);
    let body = serde_urlencoded::to_string([("payload", payload)]).unwrap();
    let ts = now();
    let response = bot
        .http
        .post(format!("{}/slack/interactions", bot.url))
        .header("x-slack-request-timestamp", ts.to_string())
        .header("x-slack-signature", sign(SIGNING, ts, &body))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let answer: serde_json::Value = response.json().await.unwrap();
    assert_eq!(answer["response_action"], "errors");
    assert!(
        answer["errors"]["vpc"]
            .as_str()
            .unwrap()
            .contains("is not a VPC id"),
        "{answer}"
    );
    assert_eq!(answer["errors"]["clusters"], "is required");
    assert!(bot.server().app.store.all_jobs().await.unwrap().is_empty());

    // Fixed: the form closes and the same path as the typed command runs.
    fields[2] = ("vpc", net.vpc.as_str());
    fields.push(("clusters", "in01-sandbox0001"));
    let payload = view_submission("UALICE", "C0PLATFORM", "V1", &fields);
    let status = bot
        .post_signed(
            "/slack/interactions",
            &serde_urlencoded::to_string([("payload", payload)]).unwrap(),
        )
        .await;
    assert_eq!(status, 200);
    let (_, id) = bot.card().await;
    assert_eq!(
        bot.server()
            .app
            .store
            .get(id)
            .await
            .unwrap()
            .unwrap()
            .requester
            .to_string(),
        "slack:UALICE"
    );
    let calls = bot
        .slack
        .wait_for("the private answer", |c| {
            c.iter().any(|c| c.method == "chat.postEphemeral")
        })
        .await;
    let eph = calls
        .iter()
        .find(|c| c.method == "chat.postEphemeral")
        .unwrap();
    assert_eq!(eph.body["user"], "UALICE");
    assert!(
        eph.body["text"]
            .as_str()
            .unwrap()
            .contains("waiting for approval")
    );
}

#[tokio::test]
async fn socket_mode_envelopes_ack_by_id_and_share_the_http_handlers() {
    use privatelink_bot::chat::slack::socket::{Outcome, on_envelope};
    let bot = SlackBot::start().await;
    let handler = bot.server().slack_handler.clone().unwrap();

    assert_eq!(
        on_envelope(&handler, r#"{"type":"hello","num_connections":1}"#).await,
        Outcome::default()
    );
    assert!(
        on_envelope(
            &handler,
            r#"{"type":"disconnect","reason":"refresh_requested"}"#
        )
        .await
        .reconnect
    );

    let command = json!({
        "envelope_id": "env-1", "type": "slash_commands", "accepts_response_payload": true,
        "payload": {
            "team_id": "T0", "channel_id": "C0PLATFORM", "user_id": "UALICE", "command": "/privatelink",
            "text": bot.create_args(), "response_url": format!("{}/response/S1", bot.slack.url), "trigger_id": "S1",
        },
    });
    let out = on_envelope(&handler, &command.to_string()).await;
    assert_eq!(out.ack.as_deref(), Some(r#"{"envelope_id":"env-1"}"#));
    let (card_ts, id) = bot.card().await;

    // The same click arrives over Socket Mode and over HTTP: one effect.
    let click = bot.click_body("UBOB", &format!("approve:{id}"), "S2", &card_ts);
    let payload: serde_json::Value = serde_json::from_str(
        &serde_urlencoded::from_str::<Vec<(String, String)>>(&click).unwrap()[0].1,
    )
    .unwrap();
    let envelope = json!({ "envelope_id": "env-2", "type": "interactive", "accepts_response_payload": false, "payload": payload });
    assert_eq!(
        on_envelope(&handler, &envelope.to_string())
            .await
            .ack
            .as_deref(),
        Some(r#"{"envelope_id":"env-2"}"#)
    );
    assert_eq!(bot.post_signed("/slack/interactions", &click).await, 200);
    assert_eq!(
        bot.wait_state(id, |s| *s == JobState::Succeeded).await,
        JobState::Succeeded
    );
    assert_eq!(bot.approve_attempts(id), 1);

    // An unknown envelope with an id is still acknowledged, so Slack stops resending it.
    let out = on_envelope(
        &handler,
        r#"{"envelope_id":"env-3","type":"events_api","payload":{}}"#,
    )
    .await;
    assert_eq!(out.ack.as_deref(), Some(r#"{"envelope_id":"env-3"}"#));
}

#[tokio::test]
async fn a_slack_user_group_can_hold_the_approver_right() {
    let bot = SlackBot::start_with(&["slack:UBOB", "slack:group:S0OPS"]).await;
    bot.slack.set_group("S0OPS", &["UCAROL", "UDAVE"]);
    bot.command("UALICE", &bot.create_args(), "T1").await;
    let (card_ts, id) = bot.card().await;
    bot.click("UMALLORY", &format!("approve:{id}"), "T2", &card_ts)
        .await;
    assert!(bot.ephemeral("T2").await.contains("not an approver"));
    bot.click("UCAROL", &format!("approve:{id}"), "T3", &card_ts)
        .await;
    assert_eq!(
        bot.wait_state(id, |s| *s == JobState::Succeeded).await,
        JobState::Succeeded
    );
    let job = bot.server().app.store.get(id).await.unwrap().unwrap();
    assert_eq!(job.decided_by.unwrap().to_string(), "slack:UCAROL");
    // Membership was read once and then served from the cache.
    let lookups = bot
        .slack
        .calls()
        .iter()
        .filter(|c| c.method == "usergroups.users.list")
        .count();
    assert_eq!(lookups, 1);
}

#[tokio::test]
async fn a_signed_command_from_an_odd_user_id_stores_nothing() {
    let bot = SlackBot::start().await;
    for odd in ["U1\u{202e}EVIL", "U1\tU2", ""] {
        assert_eq!(bot.command(odd, &bot.create_args(), "T9").await, 200);
    }
    let (status, listed) = bot.command_answer("UALICE", "list all", "T10").await;
    assert_eq!(status, 200);
    assert_eq!(listed, "No jobs.");
    let audit = bot.server().app.store.audit_log(None).await.unwrap();
    assert!(
        audit
            .iter()
            .all(|e| !e.actor.contains('\u{202e}') && !e.actor.contains('\t')),
        "{audit:?}"
    );
    assert!(
        !bot.slack
            .calls()
            .iter()
            .any(|c| c.method == "response_url/T9"),
        "no answer is sent on behalf of a user the bot cannot name"
    );
}

#[tokio::test]
async fn help_and_parse_errors_come_back_in_the_acknowledgement() {
    let bot = SlackBot::start().await;
    let signed = |text: &str, trigger: &str| {
        serde_urlencoded::to_string([
            ("team_id", "T0"),
            ("channel_id", "C0PLATFORM"),
            ("user_id", "UALICE"),
            ("command", "/privatelink"),
            ("text", text),
            (
                "response_url",
                &format!("{}/response/{trigger}", bot.slack.url),
            ),
            ("trigger_id", trigger),
        ])
        .unwrap()
    };
    let bot = &bot;
    let post = |body: String| async move {
        let ts = now();
        let headers = [
            ("x-slack-request-timestamp", ts.to_string()),
            ("x-slack-signature", sign(SIGNING, ts, &body)),
        ];
        bot.post_raw_answer("/slack/commands", &body, &headers)
            .await
    };
    let (status, body) = post(signed("help", "H1")).await;
    assert_eq!(status, 200);
    let answer: serde_json::Value = serde_json::from_str(&body).expect("a JSON answer");
    assert_eq!(answer["response_type"], "ephemeral");
    assert!(
        answer["text"]
            .as_str()
            .unwrap()
            .contains("/privatelink create"),
        "{answer}"
    );
    let (_, body) = post(signed("status PL-x", "H2")).await;
    assert!(body.contains("job id"), "{body}");
    // Nothing went through the store or out to response_url.
    let audit = bot.server().app.store.audit_log(None).await.unwrap();
    assert!(audit.is_empty(), "{audit:?}");
    assert!(
        !bot.slack
            .calls()
            .iter()
            .any(|c| c.method.starts_with("response_url/H")),
        "answered in the acknowledgement only"
    );
    // A duplicate of a help is as harmless: answered again, nothing stored.
    let (_, again) = post(signed("help", "H1")).await;
    assert!(again.contains("/privatelink create"));
}

/// The input that once took the bot down, `clusters=aé1-x`, over both of
/// Slack's ways in: a field error in the acknowledgement, and on the form.
#[tokio::test]
async fn a_non_ascii_cluster_id_is_a_field_error_in_the_ack_and_on_the_form() {
    let bot = SlackBot::start().await;
    let line =
        format!("{} ", bot.create_args()).replace("clusters=in01-sandbox0001 ", "clusters=aé1-x ");
    assert!(line.contains("aé1-x"), "{line}");
    let (status, said) = bot.command_answer("UALICE", line.trim(), "U1").await;
    assert_eq!(status, 200);
    assert!(
        said.contains("`clusters`: \"aé1-x\" is not a Zilliz Cloud cluster id"),
        "{said}"
    );

    let net = bot.sandbox.network.clone();
    let subnets = net.subnets.join(",");
    let fields = [
        ("project", "proj-sandbox0001"),
        ("region", "aws-us-west-2"),
        ("vpc", net.vpc.as_str()),
        ("subnets", subnets.as_str()),
        ("sg", net.security_group.as_str()),
        ("clusters", "aé1-x"),
    ];
    let payload = view_submission("UALICE", "C0PLATFORM", "V9", &fields);
    let body = serde_urlencoded::to_string([("payload", payload)]).unwrap();
    let ts = now();
    let (status, answer) = bot
        .post_raw_answer(
            "/slack/interactions",
            &body,
            &[
                ("x-slack-request-timestamp", ts.to_string()),
                ("x-slack-signature", sign(SIGNING, ts, &body)),
            ],
        )
        .await;
    assert_eq!(status, 200);
    let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
    assert!(
        answer["errors"]["clusters"]
            .as_str()
            .is_some_and(|e| e.contains("is not a Zilliz Cloud cluster id")),
        "{answer}"
    );
    assert!(bot.server().app.store.all_jobs().await.unwrap().is_empty());
    // The bot is still there.
    let (_, said) = bot.command_answer("UALICE", "help", "U2").await;
    assert!(said.contains("/privatelink create"), "{said}");
}
