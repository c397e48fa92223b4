//! The Slack adapter: slash commands and button clicks in, Block Kit cards
//! and threaded progress out, over slack-morphism.

mod channels;
mod form;
pub mod http;
pub mod inbound;
pub mod platform;
pub mod probe;
pub mod render;
pub mod sink;
pub mod socket;

use std::time::Duration;

use serde::Deserialize;

/// Slack settings from config. Tokens and the signing secret are read from
/// the environment variables named here.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlackSettings {
    #[serde(default = "default_api_url")]
    pub api_url: String,
    #[serde(default = "default_bot_token_env")]
    pub bot_token_env: String,
    #[serde(default = "default_signing_secret_env")]
    pub signing_secret_env: String,
    /// `http` (Slack calls /slack/commands and /slack/interactions) or
    /// `socket` (the bot connects out with an app-level token; no public URL).
    #[serde(default)]
    pub transport: Transport,
    #[serde(default = "default_app_token_env")]
    pub app_token_env: String,
    /// At most one progress message per channel this often.
    #[serde(default = "default_interval", with = "humantime_serde")]
    pub progress_interval: Duration,
    /// Slack sends no locale: the language of each workspace, by team id
    /// (`{ T0123ABCD = "zh-CN" }`); others speak `[language] default`.
    #[serde(default)]
    pub workspace_languages: std::collections::BTreeMap<String, crate::i18n::Locale>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    #[default]
    Http,
    Socket,
}

fn default_app_token_env() -> String {
    "SLACK_APP_TOKEN".to_owned()
}

fn default_api_url() -> String {
    "https://slack.com/api".to_owned()
}
fn default_bot_token_env() -> String {
    "SLACK_BOT_TOKEN".to_owned()
}
fn default_signing_secret_env() -> String {
    "SLACK_SIGNING_SECRET".to_owned()
}
fn default_interval() -> Duration {
    Duration::from_secs(1)
}
