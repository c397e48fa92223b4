//! Typed configuration: a TOML file, overridden by environment variables
//! `PRIVATELINK_BOT__<SECTION>__<KEY>` (for containers), validated at start.
//! Secrets are never in the file: the file names the environment variable
//! that holds each one.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use serde::Deserialize;

use crate::backoff::Backoff;
pub use crate::chat::console::ConsoleSettings;
use crate::chat::platform::PlatformSettings;
use crate::cloud::aws::AwsSettings;
pub use crate::cloud::zilliz::ZillizSettings;
use crate::cloud::zilliz::control_plane;
use crate::domain::policy::Policy;
use crate::engine::EngineSettings;

use crate::store::StoreOptions;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub store: StoreSettings,
    pub zilliz: ZillizSettings,
    #[serde(default)]
    pub aws: AwsSettings,
    #[serde(default)]
    pub engine: EngineConfig,
    pub policy: Policy,
    #[serde(default)]
    pub console: ConsoleSettings,
    /// Slack, when the bot serves it.
    #[serde(default)]
    pub slack: Option<crate::chat::slack::SlackSettings>,
    /// Discord, when the bot serves it.
    #[serde(default)]
    pub discord: Option<crate::chat::discord::DiscordSettings>,
    /// Where to serve HTTP: `serve` always does (on the default address
    /// when this is absent); `console` serves `/healthz`, `/readyz` and
    /// `/metrics` only when it is set.
    #[serde(default)]
    pub http: Option<HttpSettings>,
    /// Log format and level.
    #[serde(default)]
    pub log: crate::telemetry::LogSettings,
    /// How chat messages are delivered from the outbox.
    #[serde(default)]
    pub delivery: crate::delivery::DeliverySettings,
    /// How much chat work runs in the background at once, and how fast
    /// one person may send commands.
    #[serde(default)]
    pub intake: crate::chat::intake::IntakeSettings,
    /// The language the bot speaks where nobody says otherwise.
    #[serde(default)]
    pub language: LanguageSettings,
    /// How often the drift watch checks finished links.
    #[serde(default)]
    pub watch: crate::watch::WatchSettings,
    /// `serve --sandbox`: the real chat platforms over clouds that live
    /// in the process.
    #[serde(default)]
    pub sandbox: SandboxSettings,
}

/// `[sandbox]`: trying the bot in a real workspace with no AWS or Zilliz
/// credential.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SandboxSettings {
    /// `serve` runs the sandbox, as `serve --sandbox` does.
    pub enabled: bool,
    /// The sandbox's own store: never the production one.
    pub store: PathBuf,
    /// How often the drift watch checks a link in the sandbox (short, so
    /// the `drift` scenario is told within minutes).
    #[serde(with = "humantime_serde")]
    pub watch_interval: Duration,
}

impl Default for SandboxSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            store: PathBuf::from("privatelink-bot-sandbox.sled"),
            watch_interval: Duration::from_secs(60),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LanguageSettings {
    /// `en` or `zh-CN`: the console, Slack workspaces not listed under
    /// `[slack] workspace_languages`, and Discord when an interaction
    /// carries no locale the bot speaks.
    pub default: crate::i18n::Locale,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpSettings {
    /// Where `serve` listens for Slack's requests and health checks.
    pub listen: String,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".to_owned(),
        }
    }
}

pub use crate::secret::from_env as secret_from_env;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreSettings {
    /// Which engine keeps the tables: `sled` (embedded, one process) or
    /// `postgres` (several replicas on one database).
    #[serde(default)]
    pub backend: StoreBackend,
    /// The sled store's directory.
    #[serde(default = "default_store_path")]
    pub path: PathBuf,
    /// The environment variable holding the PostgreSQL URL (it may hold a
    /// password, so it never goes in the file).
    #[serde(default = "default_database_url_env")]
    pub database_url_env: String,
    /// How long a replica's claim on a job lasts without renewal: after a
    /// replica dies, its jobs are taken over this long after its last
    /// renewal (PostgreSQL).
    #[serde(default = "default_lease", with = "humantime_serde")]
    pub lease: Duration,
    /// The database URL given in code (tests), instead of the variable.
    #[serde(skip)]
    pub database_url: Option<crate::secret::Secret>,
    /// sled's page cache; kept small, as sled 0.34 can grow past it.
    #[serde(default = "default_cache")]
    pub cache_capacity_bytes: u64,
    /// How long one store operation may take before the bot declares itself
    /// unhealthy (`/healthz` fails, `serve` and `console` exit non-zero).
    #[serde(default = "default_liveness_bound", with = "humantime_serde")]
    pub liveness_bound: Duration,
    /// Changes that may wait for the store's writer; new commands past it
    /// are answered "busy, try again".
    #[serde(default = "default_queue_limit")]
    pub queue_limit: usize,
    /// Changes committed with one flush at the most.
    #[serde(default = "default_max_batch")]
    pub max_batch: usize,
    /// Production, unless `serve --sandbox` opens its own store: never
    /// read from the file.
    #[serde(skip)]
    pub kind: crate::store::StoreKind,
}

/// Which engine keeps the store's tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreBackend {
    #[default]
    Sled,
    Postgres,
}

fn default_store_path() -> PathBuf {
    PathBuf::from("privatelink-bot.sled")
}

fn default_database_url_env() -> String {
    "PRIVATELINK_BOT_DATABASE_URL".to_owned()
}

fn default_lease() -> Duration {
    Duration::from_secs(30)
}

fn default_cache() -> u64 {
    StoreOptions::default().cache_capacity
}

fn default_liveness_bound() -> Duration {
    StoreOptions::default().liveness_bound
}

fn default_queue_limit() -> usize {
    StoreOptions::default().queue_limit
}

fn default_max_batch() -> usize {
    StoreOptions::default().max_batch
}

impl StoreSettings {
    /// Where the PostgreSQL store is, when it is the backend: the URL is
    /// read from `database_url_env` now, and an unset variable is named.
    pub fn postgres(
        &self,
    ) -> Result<Option<crate::store::PostgresOptions>, crate::store::StoreError> {
        if self.backend != StoreBackend::Postgres {
            return Ok(None);
        }
        if let Some(url) = &self.database_url {
            return Ok(Some(crate::store::PostgresOptions::new(url.clone())));
        }
        match std::env::var(&self.database_url_env) {
            Ok(url) if !url.trim().is_empty() => Ok(Some(crate::store::PostgresOptions::new(
                crate::secret::Secret::new(url),
            ))),
            _ => Err(crate::store::StoreError::Settings(format!(
                "[store] backend = \"postgres\" reads the database URL from {}, which is not set",
                self.database_url_env
            ))),
        }
    }

    /// Opens the store these settings name, with `options`.
    pub async fn open(
        &self,
        options: StoreOptions,
    ) -> Result<crate::store::Store, crate::store::StoreError> {
        match self.postgres()? {
            Some(postgres) => crate::store::Store::open_postgres(postgres, options).await,
            None => crate::store::Store::open(&self.path, options).await,
        }
    }

    pub fn options(&self) -> StoreOptions {
        StoreOptions {
            cache_capacity: self.cache_capacity_bytes,
            liveness_bound: self.liveness_bound,
            queue_limit: self.queue_limit,
            max_batch: self.max_batch,
            hook: None,
            kind: self.kind,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EngineConfig {
    #[serde(with = "humantime_serde")]
    pub wait_timeout: Duration,
    #[serde(with = "humantime_serde")]
    pub backoff_initial: Duration,
    #[serde(with = "humantime_serde")]
    pub backoff_max: Duration,
    #[serde(with = "humantime_serde")]
    pub progress_every: Duration,
    /// On SIGTERM or Ctrl-C, how long running steps may take to reach
    /// their next record point before the process stops them anyway (they
    /// resume on the next start either way).
    #[serde(with = "humantime_serde")]
    pub shutdown_grace: Duration,
}

impl Default for EngineConfig {
    fn default() -> Self {
        let d = EngineSettings::default();
        Self {
            wait_timeout: d.wait_timeout,
            backoff_initial: d.backoff.initial,
            backoff_max: d.backoff.max,
            progress_every: d.progress_every,
            shutdown_grace: Duration::from_secs(20),
        }
    }
}

impl EngineConfig {
    pub fn settings(&self) -> EngineSettings {
        EngineSettings {
            wait_timeout: self.wait_timeout,
            backoff: Backoff {
                initial: self.backoff_initial,
                max: self.backoff_max,
            },
            progress_every: self.progress_every,
            lease: EngineSettings::default().lease,
        }
    }
}

const ENV_PREFIX: &str = "PRIVATELINK_BOT__";

/// Applies `PRIVATELINK_BOT__SECTION__KEY=value` overrides to the parsed
/// file. Values that parse as TOML (numbers, booleans, arrays) keep their
/// type; anything else is a string.
fn apply_env(
    doc: &mut toml::Table,
    vars: impl Iterator<Item = (String, String)>,
) -> anyhow::Result<()> {
    for (name, value) in vars {
        let Some(path) = name.strip_prefix(ENV_PREFIX) else {
            continue;
        };
        let keys: Vec<String> = path.split("__").map(|k| k.to_ascii_lowercase()).collect();
        let Some((last, sections)) = keys.split_last() else {
            continue;
        };
        let mut table = &mut *doc;
        for s in sections {
            table = table
                .entry(s.clone())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()))
                .as_table_mut()
                .with_context(|| format!("{name}: {s} is not a section"))?;
        }
        let parsed = format!("v = {value}")
            .parse::<toml::Table>()
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or(toml::Value::String(value));
        table.insert(last.clone(), parsed);
    }
    Ok(())
}

/// A deserialization error (which names the key and the problem) with what
/// to write instead.
fn with_fix(error: &str) -> String {
    let error = error.trim_end();
    let fix = if error.contains("expected a duration") {
        "write a duration such as \"30s\", \"5m\" or \"24h\""
    } else if error.contains("unknown field") {
        "remove the key or correct its spelling (the expected keys are listed); see config/privatelink-bot.example.toml"
    } else if error.contains("missing field") {
        "add the key; config/privatelink-bot.example.toml shows each one with its default"
    } else {
        "see config/privatelink-bot.example.toml for the key's form and default"
    };
    format!("invalid config: {}\nfix: {fix}", error.replace('\n', " "))
}

impl Config {
    /// The chat platforms this config names, each as its section: `serve`
    /// connects every one. A new platform's section goes here, one line.
    pub fn chat_platforms(&self) -> Vec<&dyn PlatformSettings> {
        let sections: [Option<&dyn PlatformSettings>; 2] = [
            self.slack.as_ref().map(|s| s as &dyn PlatformSettings),
            self.discord.as_ref().map(|s| s as &dyn PlatformSettings),
        ];
        sections.into_iter().flatten().collect()
    }

    pub fn from_toml(
        text: &str,
        vars: impl Iterator<Item = (String, String)>,
    ) -> anyhow::Result<Self> {
        let mut doc: toml::Table = text.parse().context("the config is not valid TOML")?;
        apply_env(&mut doc, vars)?;
        let mut config: Config = toml::Value::Table(doc)
            .try_into()
            .map_err(|e: toml::de::Error| anyhow::anyhow!("{}", with_fix(&e.to_string())))?;
        config.zilliz.base_url = control_plane(&config.zilliz.base_url);
        config.validate()?;
        Ok(config)
    }

    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("could not read the config file {}", path.display()))?;
        Self::from_toml(&text, std::env::vars()).with_context(|| format!("in {}", path.display()))
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        let url = url::Url::parse(&self.zilliz.base_url)
            .with_context(|| format!("zilliz.base_url {:?} is not a URL", self.zilliz.base_url))?;
        if !matches!(url.scheme(), "https" | "http") {
            bail!("zilliz.base_url must be http(s)");
        }
        if let Some(cloud) = &self.zilliz.cloud
            && !matches!(cloud.as_str(), "global" | "cn" | "china")
        {
            bail!(
                "zilliz.cloud {cloud:?} is not a Zilliz Cloud: write \"global\" or \"cn\" (or leave it out to read it from zilliz.base_url)"
            );
        }
        if let Some(e) = &self.aws.endpoint_url {
            url::Url::parse(e).with_context(|| format!("aws.endpoint_url {e:?} is not a URL"))?;
        }
        if self.delivery.blocked_retry.is_zero() || self.delivery.backoff_initial.is_zero() {
            bail!(
                "delivery.blocked_retry and delivery.backoff_initial must be more than zero: a refused or failing delivery would be tried again at once, for ever"
            );
        }
        for (role, var) in &self.aws.role_external_ids {
            if std::env::var(var).map_or(true, |v| v.trim().is_empty()) {
                bail!(
                    "aws.role_external_ids names the variable {var} for {role:?}, but it is not set: export the external id the role's trust policy asks for"
                );
            }
            let listed = self
                .policy
                .roles
                .iter()
                .any(|r| r.as_str() == role.as_str());
            if !listed {
                bail!(
                    "aws.role_external_ids names {role:?}, which is not in policy.roles: list the role there too (requests may name only listed roles)"
                );
            }
        }
        if self.aws.emulator_credentials && self.aws.endpoint_url.is_none() {
            bail!("aws.emulator_credentials is only for an emulator: set aws.endpoint_url too");
        }
        validate_rules(&self.policy)?;
        if let Some(slack) = &self.slack {
            url::Url::parse(&slack.api_url)
                .with_context(|| format!("slack.api_url {:?} is not a URL", slack.api_url))?;
        }
        if let Some(discord) = &self.discord {
            let key = &discord.public_key;
            if key.len() != 64 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
                bail!("discord.public_key must be the application's public key: 64 hex digits");
            }
            if let Some(u) = &discord.api_url {
                url::Url::parse(u)
                    .with_context(|| format!("discord.api_url {u:?} is not a URL"))?;
            }
        }
        if self.engine.backoff_initial.is_zero()
            || self.engine.backoff_max < self.engine.backoff_initial
        {
            bail!("engine.backoff_initial must be positive and at most engine.backoff_max");
        }
        if self.aws.max_attempts == 0 {
            bail!("aws.max_attempts must be at least 1 (the first try counts)");
        }
        if self.store.liveness_bound.is_zero() {
            bail!("store.liveness_bound must be positive, e.g. \"30s\"");
        }
        if self.store.queue_limit == 0 || self.store.max_batch == 0 {
            bail!("store.queue_limit and store.max_batch must be at least 1");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;

/// The policy's rules must each be reachable, named once, need at least
/// one approval, and leave someone able to approve.
fn validate_rules(policy: &crate::domain::policy::Policy) -> anyhow::Result<()> {
    let rules = policy.in_force();
    if rules.iter().all(|r| r.approvers.is_empty()) {
        bail!(
            "policy.approvers is empty and no [[policy.rule]] names approvers: nobody could approve a job"
        );
    }
    let mut names = std::collections::BTreeSet::new();
    for rule in &rules {
        if !names.insert(rule.name.as_str()) {
            bail!(
                "two policy rules are named {:?}: give each its own name (the audit log and the jobs name them)",
                rule.name
            );
        }
        let a = rule.approvals;
        if a.create == 0 || a.delete == 0 || a.repair == 0 {
            bail!(
                "policy rule {:?} asks for zero approvals: each of create, delete and repair needs one or more",
                rule.name
            );
        }
    }
    if let Some((later, first)) = crate::domain::rules::shadowed(&rules).first() {
        bail!(
            "policy rule {later:?} can never apply: {first:?}, before it, covers every request it would match. Put {later:?} first, or narrow {first:?}"
        );
    }
    Ok(())
}
