//! Discord end to end: interactions signed with a test Ed25519 key pair into
//! `serve`'s router, serenity's real HTTP client out to a fake Discord REST
//! API, AWS on moto, Zilliz on the fake control plane.

use ed25519_dalek::{Signer, SigningKey};
use std::sync::Arc;

use privatelink_bot::chat::discord::{self, DiscordSettings, Transport};
use privatelink_bot::domain::ids::JobId;
use privatelink_bot::domain::job::JobState;
use privatelink_bot::sandbox::Sandbox;
use privatelink_bot::secret::{Secret, SecretSource};
use privatelink_bot::serve::{Secrets, Server};
use serde_json::{Value, json};

use crate::fake_discord::{FakeDiscord, message};
use crate::harness::{job_state_when, now, serve_sandbox};

pub(crate) const TOKEN: &str = "discord-test-token";
const APP: &str = "555";
pub(crate) const CHANNEL: &str = "777";
const OPS_ROLE: &str = "999";

pub(crate) struct DiscordBot {
    pub(crate) sandbox: Sandbox,
    pub(crate) discord: FakeDiscord,
    pub(crate) server: Server,
    key: SigningKey,
    url: String,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
    /// The Discord section the bot was started with.
    pub(crate) settings: DiscordSettings,
    /// The user's and the guild's locale sent with every interaction
    /// (Discord's `locale` and `guild_locale`); en-US when unset.
    pub(crate) locale: Option<String>,
}

pub(crate) fn member(user: &str, roles: &[&str]) -> Value {
    json!({
        "user": { "id": user, "username": format!("user{user}"), "discriminator": "0", "global_name": null, "avatar": null },
        "roles": roles, "joined_at": "2026-01-01T00:00:00.000000+00:00", "deaf": false, "mute": false, "flags": 0,
    })
}

pub(crate) fn base(id: &str, kind: u8, user: &str, roles: &[&str]) -> Value {
    json!({
        "id": id, "application_id": APP, "type": kind, "token": format!("token-{id}"), "version": 1,
        "channel_id": CHANNEL, "guild_id": "888", "member": member(user, roles),
        "locale": "en-US", "guild_locale": "en-US", "app_permissions": "0", "entitlements": [],
        "authorizing_integration_owners": {}, "context": 0, "attachment_size_limit": 10485760,
    })
}

pub(crate) fn command(id: &str, user: &str, sub: &str, options: &[(&str, &str)]) -> Value {
    let mut v = base(id, 2, user, &[]);
    let opts: Vec<Value> = options
        .iter()
        .map(|(n, val)| json!({ "name": n, "type": 3, "value": val }))
        .collect();
    v["data"] = json!({ "id": "4242", "name": "privatelink", "type": 1, "options": [ { "name": sub, "type": 1, "options": opts } ] });
    v
}

pub(crate) fn click(id: &str, user: &str, roles: &[&str], custom_id: &str, card: &str) -> Value {
    let mut v = base(id, 3, user, roles);
    v["message"] = message(card, CHANNEL);
    v["data"] = json!({ "custom_id": custom_id, "component_type": 2 });
    v
}

impl DiscordBot {
    /// A handler over the running bot's core, as its Discord platform
    /// builds one (for driving the gateway or registering by hand).
    pub(crate) fn handler(&self) -> Arc<privatelink_bot::chat::discord::inbound::DiscordHandler> {
        let core = &self.server.core;
        Arc::new(privatelink_bot::chat::discord::inbound::DiscordHandler {
            service: core.service.clone(),
            http: Arc::new(discord::http(&self.settings, &Secret::new(TOKEN))),
            default_locale: core.default_locale,
            intake: core.intake.clone(),
        })
    }

    pub(crate) async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// As `start`, with `configure` changing the config after the Discord
    /// section is set.
    pub(crate) async fn start_with(
        configure: impl FnOnce(&mut privatelink_bot::config::Config),
    ) -> Self {
        let discord = FakeDiscord::start(TOKEN).await;
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let public_key = hex::encode(key.verifying_key().to_bytes());
        let api_url = discord.url.clone();
        let ops = format!("discord:role:{OPS_ROLE}");
        let mut settings = None;
        let served = serve_sandbox(
            &["discord:222", &ops],
            |c| {
                c.discord = Some(DiscordSettings {
                    application_id: APP.parse().unwrap(),
                    public_key,
                    bot_token_env: "DISCORD_BOT_TOKEN".into(),
                    guilds: vec![888],
                    transport: Transport::Http,
                    api_url: Some(api_url),
                });
                configure(c);
                settings = c.discord.clone();
            },
            |zilliz_api_key| Secrets {
                zilliz_api_key,
                chat: SecretSource::given([("DISCORD_BOT_TOKEN", TOKEN)]),
            },
        )
        .await;
        Self {
            sandbox: served.sandbox,
            discord,
            server: served.server,
            key,
            url: served.url,
            http: reqwest::Client::new(),
            _dir: served.dir,
            settings: settings.expect("the Discord section"),
            locale: None,
        }
    }

    async fn post_raw(&self, body: &str, headers: &[(&str, String)]) -> reqwest::Response {
        let mut req = self
            .http
            .post(format!("{}/discord/interactions", self.url))
            .header("content-type", "application/json")
            .body(body.to_owned());
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        req.send().await.unwrap()
    }

    fn signed_headers(&self, key: &SigningKey, ts: i64, body: &str) -> Vec<(&'static str, String)> {
        let sig = key.sign(format!("{ts}{body}").as_bytes());
        vec![
            ("x-signature-ed25519", hex::encode(sig.to_bytes())),
            ("x-signature-timestamp", ts.to_string()),
        ]
    }

    pub(crate) async fn post(&self, interaction: &Value) -> reqwest::Response {
        let mut interaction = interaction.clone();
        if let Some(locale) = &self.locale {
            interaction["locale"] = json!(locale);
            interaction["guild_locale"] = json!(locale);
        }
        let body = interaction.to_string();
        let headers = self.signed_headers(&self.key, now(), &body);
        self.post_raw(&body, &headers).await
    }

    pub(crate) fn create_options(&self) -> Vec<(String, String)> {
        let n = &self.sandbox.network;
        vec![
            ("project".into(), "proj-sandbox0001".into()),
            ("region".into(), "aws-us-west-2".into()),
            ("vpc".into(), n.vpc.clone()),
            ("subnets".into(), n.subnets.join(",")),
            ("security_groups".into(), n.security_group.clone()),
            ("clusters".into(), "in01-sandbox0001".into()),
        ]
    }

    pub(crate) async fn create(&self, id: &str, user: &str) -> (String, JobId) {
        let opts = self.create_options();
        let opts: Vec<(&str, &str)> = opts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let r = self.post(&command(id, user, "create", &opts)).await;
        assert_eq!(r.status(), 200);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["type"], 5, "deferred: {body}");
        assert_eq!(body["data"]["flags"], 64, "ephemeral: {body}");
        let posts = |c: &[crate::fake_discord::Call]| {
            c.iter()
                .filter(|c| c.method == "POST" && c.path == format!("/channels/{CHANNEL}/messages"))
                .count()
        };
        let before = posts(&self.discord.calls());
        let calls = self
            .discord
            .wait_for("the card", |c| posts(c) > before)
            .await;
        let card = calls
            .iter()
            .filter(|c| c.method == "POST" && c.path == format!("/channels/{CHANNEL}/messages"))
            .nth(before)
            .unwrap();
        let text = card.body.to_string();
        let job = text
            .split("approve:")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap();
        // The fake numbers messages in order.
        let card_id = (900_000
            + calls
                .iter()
                .filter(|c| c.method == "POST" && c.path.ends_with("/messages"))
                .position(|c| c.body == card.body)
                .unwrap() as u64
            + 1)
        .to_string();
        (card_id, JobId::parse(job).unwrap())
    }

    pub(crate) async fn wait_state(&self, id: JobId, done: impl Fn(&JobState) -> bool) -> JobState {
        job_state_when(&self.server.app, self.discord.recorder(), id, done).await
    }

    pub(crate) async fn ephemeral_reply(&self, interaction_id: &str) -> String {
        let path = format!("/webhooks/{APP}/token-{interaction_id}/messages/@original");
        let calls = self
            .discord
            .wait_for(&path, |c| c.iter().any(|c| c.path == path))
            .await;
        calls.iter().find(|c| c.path == path).unwrap().body["content"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

#[tokio::test]
async fn commands_are_registered_and_a_role_holder_may_approve() {
    let bot = DiscordBot::start().await;
    discord::register_commands(&bot.handler().http, &[888])
        .await
        .unwrap();
    let reg = bot
        .discord
        .calls()
        .into_iter()
        .find(|c| c.method == "PUT")
        .unwrap();
    assert_eq!(reg.path, format!("/applications/{APP}/guilds/888/commands"));
    assert_eq!(reg.body[0]["name"], "privatelink");
    assert!(
        reg.body[0]["options"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["name"] == "create")
    );

    let (card, id) = bot.create("1001", "111").await;
    // A member holding the approver role may approve (the requester's own
    // click and the rest of the story are `platform_story`'s).
    let r = bot
        .post(&click(
            "1003",
            "333",
            &[OPS_ROLE],
            &format!("approve:{id}"),
            &card,
        ))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        bot.wait_state(id, |s| *s == JobState::Succeeded).await,
        JobState::Succeeded
    );
    let thread: Vec<String> = bot
        .discord
        .calls()
        .iter()
        .filter(|c| c.path == format!("/channels/{card}/messages"))
        .map(|c| c.body["content"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(
        thread.iter().any(|t| t.contains("Approved by discord:333")),
        "{thread:?}"
    );
}

#[tokio::test]
async fn ping_pong_and_signed_garbage_gets_400_and_changes_nothing() {
    let bot = DiscordBot::start().await;
    let ping = json!({ "id": "1", "application_id": APP, "type": 1, "token": "t", "version": 1 });
    let r = bot.post(&ping).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap(), json!({ "type": 1 }));

    // Signed but malformed: 400.
    let r = bot.post(&json!({ "type": 2, "nonsense": true })).await;
    assert_eq!(r.status(), 400);
    let unknown = command("3002", "111", "frobnicate", &[]);
    let mut bad = unknown.clone();
    bad["data"]["options"][0]["type"] = json!(3);
    assert_eq!(bot.post(&bad).await.status(), 400);
    assert!(bot.server.app.store.all_jobs().await.unwrap().is_empty());
    assert!(bot.discord.calls().is_empty(), "{:?}", bot.discord.calls());
}

#[tokio::test]
async fn option_errors_reach_the_user_in_the_initial_response() {
    let bot = DiscordBot::start().await;
    let r = bot
        .post(&command(
            "4001",
            "111",
            "create",
            &[
                ("project", "proj-x"),
                ("region", "aws-us-west-2"),
                ("vpc", "vpc-1"),
            ],
        ))
        .await;
    assert_eq!(r.status(), 200);
    // A parse error needs no cloud call: it is the initial response itself
    // (type 4, ephemeral), with no follow-up.
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(body["type"], 4, "{body}");
    assert_eq!(body["data"]["flags"], 64, "{body}");
    let text = body["data"]["content"].as_str().unwrap_or_default();
    assert!(
        text.contains("`vpc`: \"vpc-1\" is not a VPC id")
            && text.contains("`subnets`: is required"),
        "{text}"
    );
    assert!(bot.server.app.store.all_jobs().await.unwrap().is_empty());
}

#[test]
fn gateway_and_http_share_the_conversion() {
    use privatelink_bot::chat::discord::inbound::{Asked, from_interaction};
    use privatelink_bot::service::Event;
    let interaction: serenity::all::Interaction =
        serde_json::from_value(command("5001", "111", "status", &[("job", "PL-1042")])).unwrap();
    let Ok(Asked::Event { inbound, token }) =
        from_interaction(&interaction, privatelink_bot::i18n::Locale::En)
    else {
        panic!("not an event")
    };
    assert_eq!(token, "token-5001");
    assert_eq!(inbound.actor.user.to_string(), "discord:111");
    assert_eq!(inbound.delivery.as_deref(), Some("discord:5001"));
    assert!(matches!(inbound.event, Event::Command(ref t) if t == "status PL-1042"));
    let clicked: serenity::all::Interaction =
        serde_json::from_value(click("5002", "333", &[OPS_ROLE], "rollback:PL-7", "123")).unwrap();
    let Ok(Asked::Event { inbound, .. }) =
        from_interaction(&clicked, privatelink_bot::i18n::Locale::En)
    else {
        panic!("not an event")
    };
    assert_eq!(inbound.actor.roles, vec![OPS_ROLE.to_owned()]);
    assert!(matches!(inbound.event, Event::Click { job, .. } if job.to_string() == "PL-7"));
}

#[tokio::test]
async fn discord_down_mid_job_delays_the_thread_but_loses_nothing() {
    let bot = DiscordBot::start().await;
    let (card, id) = bot.create("3001", "111").await;
    // Discord goes down before the approval: the card update, the decision
    // and the first steps' notes all wait in the outbox.
    bot.discord.set_down(true);
    bot.post(&click(
        "3002",
        "333",
        &[OPS_ROLE],
        &format!("approve:{id}"),
        &card,
    ))
    .await;
    bot.discord
        .wait_for("failed deliveries", |c| {
            c.iter().filter(|c| c.method.ends_with("(500)")).count() >= 3
        })
        .await;
    bot.discord.set_down(false);
    bot.wait_state(id, |s| *s == JobState::Succeeded).await;
    let summary = format!("{id} succeeded");
    let calls = bot
        .discord
        .wait_for("the summary", |c| {
            c.iter().any(|c| {
                c.path == format!("/channels/{card}/messages")
                    && c.body["content"].to_string().contains(&summary)
            })
        })
        .await;
    let thread: Vec<String> = calls
        .iter()
        .filter(|c| c.method == "POST" && c.path == format!("/channels/{card}/messages"))
        .map(|c| c.body["content"].as_str().unwrap_or_default().to_owned())
        .collect();
    // New messages only for what a person must notice: the decision, the
    // checklist (edited from then on), the summary naming the requester.
    let expected = vec![
        "Approved by discord:333".to_owned(),
        format!("Steps of {id}"),
        format!("<@111> ✅ {summary}"),
    ];
    assert_eq!(thread.len(), expected.len(), "each note once: {thread:#?}");
    for (got, want) in thread.iter().zip(&expected) {
        assert!(
            got.contains(want.as_str()),
            "{want:?} expected, got {got:?}"
        );
    }
    let checklist = calls
        .iter()
        .rev()
        .find(|c| c.method == "PATCH" && c.path.starts_with(&format!("/channels/{card}/messages/")))
        .map(|c| c.body["content"].as_str().unwrap_or_default().to_owned())
        .unwrap_or_default();
    assert!(
        checklist.contains("8 of 8 done"),
        "edited to complete: {checklist}"
    );
    let last_edit = calls
        .iter()
        .rev()
        .find(|c| c.method == "PATCH" && c.path == format!("/channels/{CHANNEL}/messages/{card}"))
        .map(|c| c.body.to_string())
        .unwrap_or_default();
    assert!(last_edit.contains("Succeeded"), "{last_edit}");
}

/// A card: a message posted to the channel itself.
fn is_card(c: &crate::fake_discord::Call) -> bool {
    c.method == "POST" && c.path == format!("/channels/{CHANNEL}/messages")
}

#[async_trait::async_trait(?Send)]
impl crate::platform_story::UnderTest for DiscordBot {
    async fn start() -> Self {
        DiscordBot::start().await
    }

    fn requester(&self) -> &'static str {
        "111"
    }

    fn approver(&self) -> &'static str {
        "222"
    }

    fn app(&self) -> &privatelink_bot::app::App {
        &self.server.app
    }

    fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    async fn send_create(&self, user: &str, clusters: Option<&str>) -> (String, String) {
        let mut opts = self.create_options();
        if let Some(clusters) = clusters {
            for (name, value) in &mut opts {
                if name == "clusters" {
                    *value = clusters.to_owned();
                }
            }
        }
        let opts: Vec<(&str, &str)> = opts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let id = crate::platform_story::next_delivery().to_string();
        let r = self.post(&command(&id, user, "create", &opts)).await;
        assert_eq!(r.status(), 200);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["data"]["flags"], 64, "ephemeral: {body}");
        // Type 4 answers in the initial response; 5 defers to a follow-up.
        let said = match body["type"].as_u64() {
            Some(4) => body["data"]["content"].as_str().unwrap_or_default(),
            _ => "",
        };
        (said.to_owned(), id)
    }

    async fn private_answer(&self, delivery: &str) -> String {
        self.ephemeral_reply(delivery).await
    }

    fn private_answers(&self, delivery: &str) -> usize {
        let path = format!("token-{delivery}/messages/@original");
        self.discord
            .calls()
            .iter()
            .filter(|c| c.path.contains(&path))
            .count()
    }

    async fn card(&self, cards_before: usize) -> (String, JobId) {
        let calls = self
            .discord
            .wait_for("a new card", |c| {
                c.iter().filter(|c| is_card(c)).count() > cards_before
            })
            .await;
        let card = calls
            .iter()
            .filter(|c| is_card(c))
            .nth(cards_before)
            .unwrap();
        let text = card.body.to_string();
        let job = text
            .split("approve:")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap();
        // The fake numbers messages in order.
        let card_id = 900_000
            + calls
                .iter()
                .filter(|c| c.method == "POST" && c.path.ends_with("/messages"))
                .position(|c| c.body == card.body)
                .unwrap() as u64
            + 1;
        (card_id.to_string(), JobId::parse(job).unwrap())
    }

    fn cards(&self) -> usize {
        self.discord.calls().iter().filter(|c| is_card(c)).count()
    }

    async fn click(&self, user: &str, value: &str, card: &str, times: usize) -> String {
        let id = crate::platform_story::next_delivery().to_string();
        let interaction = click(&id, user, &[], value, card);
        for _ in 0..times {
            assert_eq!(self.post(&interaction).await.status(), 200);
        }
        id
    }

    async fn thread_when(&self, card: &str, text: &str) -> Vec<String> {
        let thread = |calls: &[crate::fake_discord::Call]| -> Vec<String> {
            calls
                .iter()
                .filter(|c| c.method == "POST" && c.path == format!("/channels/{card}/messages"))
                .map(|c| match c.body["content"].as_str() {
                    Some(content) if !content.is_empty() => content.to_owned(),
                    _ => c.body["embeds"].to_string(),
                })
                .collect()
        };
        let calls = self
            .discord
            .wait_for(text, |calls| thread(calls).iter().any(|t| t.contains(text)))
            .await;
        thread(&calls)
    }

    async fn card_when(&self, card: &str, text: &str) -> Value {
        let path = format!("/channels/{CHANNEL}/messages/{card}");
        let last = |calls: &[crate::fake_discord::Call]| {
            calls
                .iter()
                .rfind(|c| c.method == "PATCH" && c.path == path)
                .map(|c| c.body.clone())
        };
        let calls = self
            .discord
            .wait_for(text, |calls| {
                last(calls).is_some_and(|b| b.to_string().contains(text))
            })
            .await;
        last(&calls).unwrap()
    }

    fn has_buttons(&self, rendering: &Value) -> bool {
        rendering["components"]
            .as_array()
            .is_some_and(|rows| !rows.is_empty())
    }

    async fn forged(&self) -> Vec<(String, u16)> {
        let body = command("3001", "111", "help", &[]).to_string();
        let other = SigningKey::from_bytes(&[9u8; 32]);
        let ts = now();
        let good = self.signed_headers(&self.key, ts, &body);
        type Headers<'a> = Vec<(&'a str, String)>;
        let cases: Vec<(&str, Headers, String)> = vec![
            ("no headers", vec![], body.clone()),
            (
                "another key",
                self.signed_headers(&other, ts, &body),
                body.clone(),
            ),
            (
                "stale",
                self.signed_headers(&self.key, ts - 600, &body),
                body.clone(),
            ),
            ("altered body", good, body.replace("help", "list")),
            (
                "garbage signature",
                vec![
                    ("x-signature-ed25519", "zz".into()),
                    ("x-signature-timestamp", ts.to_string()),
                ],
                body.clone(),
            ),
        ];
        let mut tried = Vec::new();
        for (what, headers, b) in cases {
            let status = self.post_raw(&b, &headers).await.status().as_u16();
            tried.push((what.to_owned(), status));
        }
        tried
    }

    fn platform_calls(&self) -> usize {
        self.discord.calls().len()
    }

    fn rate_limit_next(&self) {
        self.discord.rate_limit_next(1);
    }

    fn was_rate_limited(&self) -> bool {
        self.discord
            .calls()
            .iter()
            .any(|c| c.method == "POST (429)")
    }

    async fn wait_state(&self, id: JobId, done: for<'s> fn(&'s JobState) -> bool) -> JobState {
        DiscordBot::wait_state(self, id, done).await
    }

    async fn finished_flow_facts(&self, card: &str, id: JobId) {
        let calls = self.discord.calls();
        let posted = calls.iter().find(|c| is_card(c)).unwrap();
        let embed = &posted.body["embeds"][0];
        assert!(
            embed.to_string().contains(&self.sandbox.network.vpc),
            "{embed}"
        );
        let buttons = posted.body["components"][0]["components"].to_string();
        assert!(
            buttons.contains(&format!("\"custom_id\":\"approve:{id}\""))
                && buttons.contains("\"style\":3")
                && buttons.contains("\"style\":4"),
            "{buttons}"
        );
        // The thread is started on the card, and the notes go into it.
        assert!(
            calls
                .iter()
                .any(|c| c.path == format!("/channels/{CHANNEL}/messages/{card}/threads"))
        );
        assert!(calls.iter().all(|c| !c.body.to_string().contains(TOKEN)));
    }
}
