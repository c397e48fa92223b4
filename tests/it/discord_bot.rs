//! The Discord test bot: `serve` over a fresh sandbox with Discord over HTTP
//! against the fake Discord REST API, driven with interactions signed with a
//! test Ed25519 key pair.

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
pub(crate) const APP: &str = "555";
pub(crate) const CHANNEL: &str = "777";
pub(crate) const OPS_ROLE: &str = "999";

pub(crate) struct DiscordBot {
    pub(crate) sandbox: Sandbox,
    pub(crate) discord: FakeDiscord,
    pub(crate) server: Server,
    pub(crate) key: SigningKey,
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

    pub(crate) async fn post_raw(
        &self,
        body: &str,
        headers: &[(&str, String)],
    ) -> reqwest::Response {
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

    pub(crate) fn signed_headers(
        &self,
        key: &SigningKey,
        ts: i64,
        body: &str,
    ) -> Vec<(&'static str, String)> {
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

    /// The sandbox's `create` as interaction `id` from `user`, sent from
    /// `channel`.
    pub(crate) fn create_command_in(&self, id: &str, user: &str, channel: &str) -> Value {
        let opts = self.create_options();
        let opts: Vec<(&str, &str)> = opts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let mut create = command(id, user, "create", &opts);
        create["channel_id"] = json!(channel);
        create
    }

    pub(crate) async fn create(&self, id: &str, user: &str) -> (String, JobId) {
        use crate::platform_story::UnderTest as _;
        let opts = self.create_options();
        let opts: Vec<(&str, &str)> = opts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let before = self.cards();
        let r = self.post(&command(id, user, "create", &opts)).await;
        assert_eq!(r.status(), 200);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["type"], 5, "deferred: {body}");
        assert_eq!(body["data"]["flags"], 64, "ephemeral: {body}");
        self.card(before).await
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
