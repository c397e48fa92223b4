//! `privatelink-bot serve`: the long-running bot. Builds the chat adapters
//! the config names, the app, and the HTTP router (Slack endpoints and
//! `/healthz`). Tests build it through the same function.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::get;

use crate::app::{App, Overrides};
use crate::chat::router::ChatRouter;
use crate::chat::slack::inbound::SlackHandler;
use crate::chat::slack::sink::{self, SlackSink};
use crate::chat::slack::{self as slack};
use crate::config::Config;
use crate::domain::ids::Platform;
use crate::secret::Secret;

/// The secrets `serve` needs, read by `main` from the environment.
pub struct Secrets {
    pub zilliz_api_key: Secret,
    pub slack_bot_token: Option<Secret>,
    pub slack_signing_secret: Option<Secret>,
}

impl Secrets {
    pub fn from_env(config: &Config) -> anyhow::Result<Self> {
        let (bot, signing) = match &config.slack {
            Some(s) => (
                Some(crate::config::secret_from_env(
                    &s.bot_token_env,
                    "Slack bot token",
                )?),
                Some(crate::config::secret_from_env(
                    &s.signing_secret_env,
                    "Slack signing secret",
                )?),
            ),
            None => (None, None),
        };
        Ok(Self {
            zilliz_api_key: config.zilliz.api_key()?,
            slack_bot_token: bot,
            slack_signing_secret: signing,
        })
    }
}

pub struct Server {
    pub app: App,
    pub router: Router,
    pub slack: Option<Arc<SlackSink>>,
}

pub fn build(config: &Config, secrets: Secrets, overrides: Overrides) -> anyhow::Result<Server> {
    let mut chat = ChatRouter::default();
    let mut slack_parts = None;
    if let (Some(settings), Some(token), Some(signing)) = (
        &config.slack,
        &secrets.slack_bot_token,
        &secrets.slack_signing_secret,
    ) {
        let client = Arc::new(sink::client(&settings.api_url)?);
        let sink = Arc::new(SlackSink::new(
            client.clone(),
            token,
            settings.progress_interval,
        ));
        chat = chat.with(Platform::Slack, sink.clone());
        slack_parts = Some((client, sink, signing.clone()));
    }
    let app = App::build(config, secrets.zilliz_api_key, Arc::new(chat), overrides)?;
    let mut router = Router::new().route("/healthz", get(|| async { "ok" }));
    let mut slack_sink = None;
    if let Some((client, sink, signing)) = slack_parts {
        let handler = Arc::new(SlackHandler {
            service: app.service.clone(),
            client,
        });
        router = router.merge(slack::http::routes(handler, &signing));
        slack_sink = Some(sink);
    }
    Ok(Server {
        app,
        router,
        slack: slack_sink,
    })
}

/// Runs the server until Ctrl-C: resumes owed jobs, sweeps expiries.
pub async fn run(config: &Config, secrets: Secrets) -> anyhow::Result<()> {
    let server = build(config, secrets, Overrides::default())?;
    let resumed = server.app.engine.resume()?;
    tracing::info!(?resumed, "resumed jobs");
    let service = server.app.service.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            service.housekeeping().await;
        }
    });
    let listener = tokio::net::TcpListener::bind(&config.http.listen).await?;
    tracing::info!(listen = %config.http.listen, "serving");
    axum::serve(listener, server.router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
