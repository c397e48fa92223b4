//! `privatelink-bot serve`: the long-running bot. Builds the chat adapters
//! the config names, the app, and the HTTP router (Slack and Discord
//! endpoints, `/healthz`), then runs it until Ctrl-C or until the store's
//! liveness trips. Tests build and run it through the same functions.

use std::sync::Arc;

use axum::Router;

use crate::app::{App, Overrides};
use crate::chat::discord::inbound::DiscordHandler;
use crate::chat::discord::sink::DiscordSink;
use crate::chat::discord::{self, Transport as DiscordTransport};
use crate::chat::router::ChatRouter;
use crate::chat::slack::inbound::SlackHandler;
use crate::chat::slack::sink::{self, SlackSink};
use crate::chat::slack::{self as slack};
use crate::config::Config;
use crate::domain::ids::Platform;
use crate::health::{self, Transports};
use crate::secret::Secret;
use crate::supervise::supervise;

/// The secrets `serve` needs, read by `main` from the environment.
#[derive(Clone)]
pub struct Secrets {
    pub zilliz_api_key: Secret,
    pub slack_bot_token: Option<Secret>,
    /// Needed for the HTTP transport.
    pub slack_signing_secret: Option<Secret>,
    /// Needed for Socket Mode.
    pub slack_app_token: Option<Secret>,
    pub discord_bot_token: Option<Secret>,
}

impl Secrets {
    pub fn from_env(config: &Config) -> anyhow::Result<Self> {
        use crate::config::secret_from_env;
        let (mut bot, mut signing, mut app) = (None, None, None);
        if let Some(s) = &config.slack {
            bot = Some(secret_from_env(&s.bot_token_env, "Slack bot token")?);
            match s.transport {
                slack::Transport::Http => {
                    signing = Some(secret_from_env(
                        &s.signing_secret_env,
                        "Slack signing secret",
                    )?)
                }
                slack::Transport::Socket => {
                    app = Some(secret_from_env(&s.app_token_env, "Slack app-level token")?)
                }
            }
        }
        let discord = match &config.discord {
            Some(d) => Some(secret_from_env(&d.bot_token_env, "Discord bot token")?),
            None => None,
        };
        Ok(Self {
            zilliz_api_key: config.zilliz.api_key()?,
            slack_bot_token: bot,
            slack_signing_secret: signing,
            slack_app_token: app,
            discord_bot_token: discord,
        })
    }
}

pub struct Server {
    pub app: App,
    pub router: Router,
    pub slack: Option<Arc<SlackSink>>,
    /// The Slack handler, shared by both transports.
    pub slack_handler: Option<Arc<SlackHandler>>,
    /// Socket Mode, when configured: the handler's client and the app token.
    socket: Option<(Arc<sink::Client>, Secret)>,
    pub discord_handler: Option<Arc<DiscordHandler>>,
    /// For registering the command once the gateway is ready.
    discord_token: Option<Secret>,
    /// The transports that connect out, for `/readyz`.
    pub transports: Arc<Transports>,
}

pub async fn build(
    config: &Config,
    secrets: Secrets,
    overrides: Overrides,
) -> anyhow::Result<Server> {
    let mut chat = ChatRouter::default();
    let mut slack_parts = None;
    if let (Some(settings), Some(token)) = (&config.slack, &secrets.slack_bot_token) {
        let client = Arc::new(sink::client(&settings.api_url)?);
        let sink = Arc::new(SlackSink::new(client.clone(), token));
        chat = chat.with(Platform::Slack, sink.clone());
        slack_parts = Some((client, sink, token.clone()));
    }
    let mut discord_http = None;
    if let (Some(settings), Some(token)) = (&config.discord, &secrets.discord_bot_token) {
        let http = Arc::new(discord::http(settings, token));
        chat = chat.with(Platform::Discord, Arc::new(DiscordSink::new(http.clone())));
        discord_http = Some((http, settings));
    }
    let app = App::build(config, secrets.zilliz_api_key, Arc::new(chat), overrides).await?;
    let transports = Arc::new(Transports::default());
    if secrets.slack_app_token.is_some() && config.slack.is_some() {
        transports.expect(slack::socket::TRANSPORT);
    }
    if config
        .discord
        .as_ref()
        .is_some_and(|d| d.transport == DiscordTransport::Gateway)
    {
        transports.expect(discord::gateway::TRANSPORT);
    }
    let intake = crate::chat::intake::Intake::new(&config.intake);
    let mut router = health::routes(app.store.clone(), app.metrics.clone(), transports.clone());
    let (mut slack_sink, mut slack_handler, mut socket) = (None, None, None);
    if let Some((client, sink, token)) = slack_parts {
        // Slack sends no group membership: the handler looks up the groups
        // the policy names.
        let groups = config.policy.role_ids(Platform::Slack);
        let handler = Arc::new(SlackHandler::new(
            app.service.clone(),
            client.clone(),
            &token,
            groups,
            slack::inbound::Languages {
                default: config.language.default,
                workspaces: config
                    .slack
                    .as_ref()
                    .map(|s| s.workspace_languages.clone())
                    .unwrap_or_default(),
            },
            intake.clone(),
        ));
        if let Some(signing) = &secrets.slack_signing_secret {
            router = router.merge(slack::http::routes(handler.clone(), signing));
        }
        if let Some(app_token) = &secrets.slack_app_token {
            socket = Some((client, app_token.clone()));
        }
        slack_sink = Some(sink);
        slack_handler = Some(handler);
    }
    let mut discord_handler = None;
    if let Some((http, settings)) = discord_http {
        let handler = Arc::new(DiscordHandler {
            service: app.service.clone(),
            http,
            default_locale: config.language.default,
            intake: intake.clone(),
        });
        if settings.transport == DiscordTransport::Http {
            router = router.merge(discord::http::routes(
                handler.clone(),
                &settings.public_key,
            )?);
        }
        discord_handler = Some(handler);
    }
    Ok(Server {
        app,
        router,
        slack: slack_sink,
        slack_handler,
        socket,
        discord_handler,
        discord_token: secrets.discord_bot_token,
        transports,
    })
}

/// Ctrl-C, or SIGTERM (what `docker stop` and Kubernetes send).
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot watch SIGTERM; only Ctrl-C stops the bot");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    tracing::info!("stopping: no new requests; running steps finish their current record");
}

/// Runs the server until Ctrl-C or SIGTERM.
pub async fn run(config: &Config, secrets: Secrets) -> anyhow::Result<()> {
    // The WebSocket client takes rustls' process default; two providers are
    // linked, so name one.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let server = build(config, secrets, Overrides::default()).await?;
    let listen = config.http.clone().unwrap_or_default().listen;
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    server.run(config, listener, stop_signal()).await
}

impl Server {
    /// Serves on `listener` until `shutdown` resolves: resumes owed jobs,
    /// sweeps expiries, starts Socket Mode or the gateway when configured.
    /// Returns a [`crate::store::Stall`] error if the store's liveness trips,
    /// so the process exits non-zero and its supervisor restarts it.
    pub async fn run(
        self,
        config: &Config,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        // Long-lived intake and upkeep, stopped with the HTTP intake.
        let mut background = Vec::new();
        if let (Some(handler), Some((client, app_token))) = (&self.slack_handler, &self.socket) {
            let (handler, client, app_token, transports) = (
                handler.clone(),
                client.clone(),
                app_token.clone(),
                self.transports.clone(),
            );
            background.push(tokio::spawn(supervise(
                slack::socket::TRANSPORT,
                Some(transports.clone()),
                move || {
                    slack::socket::run(
                        handler.clone(),
                        client.clone(),
                        app_token.clone(),
                        transports.clone(),
                    )
                },
            )));
        }
        let resumed = self.app.engine.resume().await?;
        tracing::info!(?resumed, "resumed jobs");
        let service = self.app.service.clone();
        background.push(tokio::spawn(supervise("housekeeping", None, move || {
            service.clone().keep_house()
        })));
        if let (Some(handler), Some(settings), Some(token)) =
            (&self.discord_handler, &config.discord, &self.discord_token)
        {
            match settings.transport {
                DiscordTransport::Http => {
                    discord::register_commands(&handler.http, &settings.guilds).await?
                }
                // The gateway registers once it is ready.
                DiscordTransport::Gateway => {
                    let (handler, token, settings) =
                        (handler.clone(), token.clone(), settings.clone());
                    let transports = self.transports.clone();
                    let report = Some(transports.clone());
                    background.push(tokio::spawn(supervise(
                        discord::gateway::TRANSPORT,
                        report,
                        move || {
                            let (handler, transports) = (handler.clone(), transports.clone());
                            let http = discord::http(&settings, &token);
                            let guilds = settings.guilds.clone();
                            async move {
                                if let Err(e) =
                                    discord::gateway::run(handler, http, guilds, transports).await
                                {
                                    tracing::error!(error = %e, "the Discord gateway stopped");
                                }
                            }
                        },
                    )));
                }
            }
        }
        tracing::info!(listen = ?listener.local_addr().ok(), "serving");
        let liveness = self.app.store.liveness().clone();
        tokio::select! {
            served = axum::serve(listener, self.router).with_graceful_shutdown(shutdown) => {
                served?;
            }
            stall = liveness.tripped() => return Err(anyhow::Error::new(stall)),
        }
        for task in &background {
            task.abort();
        }
        // Intake has stopped; let running steps reach their next record.
        let grace = config.engine.shutdown_grace;
        tokio::select! {
            _ = self.app.engine.stop_gracefully(grace) => {}
            stall = liveness.tripped() => return Err(anyhow::Error::new(stall)),
        }
        self.app.delivery.halt().await;
        tracing::info!("stopped");
        Ok(())
    }
}
