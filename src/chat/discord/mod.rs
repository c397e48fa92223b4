//! The Discord adapter: the `/privatelink` application command and buttons
//! in, embeds and threaded progress out, over serenity, through the HTTP
//! interactions endpoint or the gateway.

mod channels;
pub mod command;
pub mod gateway;
pub mod http;
pub mod inbound;
pub mod platform;
pub mod probe;
pub mod render;
pub mod sink;

use serde::Deserialize;
use serenity::all::{Command, GuildId};
use serenity::http::{Http, HttpBuilder};

use crate::secret::Secret;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// Discord posts to `/discord/interactions` (needs a public URL).
    #[default]
    Http,
    /// The bot connects out through serenity's gateway client.
    Gateway,
}

/// Discord settings from config. The bot token is read from the environment
/// variable named here; the public key is not a secret.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscordSettings {
    pub application_id: u64,
    /// The application's Ed25519 public key, 64 hex digits.
    pub public_key: String,
    #[serde(default = "default_token_env")]
    pub bot_token_env: String,
    /// Guilds to register `/privatelink` in; empty registers it globally.
    #[serde(default)]
    pub guilds: Vec<u64>,
    #[serde(default)]
    pub transport: Transport,
    /// Replaces `https://discord.com` (a proxy, or a fake in tests).
    #[serde(default)]
    pub api_url: Option<String>,
}

fn default_token_env() -> String {
    "DISCORD_BOT_TOKEN".to_owned()
}

/// A REST client. serenity ignores a proxy while its rate limiter is on, so
/// with `api_url` set the limiter is off and the adapter retries 429s itself.
pub fn http(settings: &DiscordSettings, token: &Secret) -> Http {
    let mut builder =
        HttpBuilder::new(token.expose()).application_id(settings.application_id.into());
    if let Some(url) = &settings.api_url {
        builder = builder
            .proxy(url.trim_end_matches('/'))
            .ratelimiter_disabled(true);
    }
    builder.build()
}

/// Registers `/privatelink` globally, or in each named guild.
pub async fn register_commands(http: &Http, guilds: &[u64]) -> serenity::Result<()> {
    if guilds.is_empty() {
        Command::set_global_commands(http, vec![command::definition()]).await?;
    } else {
        for g in guilds {
            GuildId::new(*g)
                .set_commands(http, vec![command::definition()])
                .await?;
        }
    }
    Ok(())
}
