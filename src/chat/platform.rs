//! The one seam every chat platform implements, so that `serve` and
//! `console` are loops over platforms rather than hand wiring per platform.
//!
//! A platform comes in two halves, because the core needs the outgoing half
//! before it exists and the incoming half needs the core:
//! - [`PlatformSettings`] is its section of the config: it proves its
//!   credentials (`check-config --online`) and, given its secrets, builds
//! - a [`ChatPlatform`]: the sink the core's cards and notes go through
//!   and how they are paced; once the service exists, [`ChatPlatform::attach`]
//!   gives its intake: HTTP routes, long-lived transports (each supervised,
//!   its readiness in `/readyz`), set-up before serving, and (the console)
//!   a foreground whose end ends the run.
//!
//! Adding a platform is a folder under `chat/` implementing both traits, its
//! name in `domain::ids::Platform`, and its section in `config` (see
//! ARCHITECTURE.md, "Adding a chat platform").

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use axum::Router;
use futures_util::future::BoxFuture;

use crate::chat::intake::Intake;
use crate::delivery::Dispatcher;
use crate::domain::ids::Platform;
use crate::i18n::Locale;
use crate::ports::chat::ChatSink;
use crate::ports::probe::Row;
use crate::ports::readiness::Transports;
use crate::secret::SecretSource;
use crate::service::Service;

/// A platform's section of the config.
#[async_trait]
pub trait PlatformSettings: Send + Sync {
    fn platform(&self) -> Platform;

    /// Reads the platform's secrets from `secrets` and builds its outgoing
    /// half; fails naming the variable of a missing secret, never a value.
    fn connect(&self, secrets: &SecretSource) -> anyhow::Result<Box<dyn ChatPlatform>>;

    /// Proves the platform's credentials with read calls only, one row per
    /// check with its fix.
    async fn probe(&self) -> Vec<Row>;
}

/// A platform, built from its settings.
pub trait ChatPlatform: Send + Sync {
    fn platform(&self) -> Platform;

    /// Where the core's cards and notes for this platform's conversations go.
    fn sink(&self) -> Arc<dyn ChatSink>;

    /// The least time between two messages or edits in one channel, when
    /// the platform's own limits call for one.
    fn pacing(&self) -> Duration {
        Duration::ZERO
    }

    /// The platform's intake, once the core exists.
    fn attach(&self, core: &Core) -> anyhow::Result<Attached>;
}

/// What a platform's intake is given: the core and the limits every
/// platform's requests share.
#[derive(Clone)]
pub struct Core {
    pub service: Arc<Service>,
    pub delivery: Dispatcher,
    /// The one set of slots every platform's background work takes.
    pub intake: Intake,
    /// Where long-lived transports report whether they are connected.
    pub transports: Arc<Transports>,
    /// The language when a request says none the bot speaks.
    pub default_locale: Locale,
}

/// A future a platform hands to the run.
pub type Work = BoxFuture<'static, anyhow::Result<()>>;

/// A connection kept open for as long as the bot serves: restarted with
/// backoff whenever it ends, and reported in `/readyz` under `name`.
pub struct Transport {
    pub name: &'static str,
    pub connect: Box<dyn FnMut() -> BoxFuture<'static, ()> + Send>,
    /// Whether only one replica may hold it at a time (the Discord
    /// gateway: two sessions would answer every event twice). Replicas
    /// standing by for it are ready all the same.
    pub once: bool,
}

/// A platform's intake.
#[derive(Default)]
pub struct Attached {
    /// Served on the bot's HTTP listener.
    pub routes: Router,
    /// Run once before serving (for example registering a command).
    pub setup: Vec<Work>,
    pub transports: Vec<Transport>,
    /// The run ends when this does (the console's input running out).
    pub foreground: Option<Work>,
}
