//! `privatelink-bot serve` and `console`: one run over the chat platforms
//! the config (or the command line) names. Builds each platform's outgoing
//! half, the app, then each platform's intake, the HTTP router (platform
//! routes, `/healthz`, `/readyz`, `/metrics`) and its long-lived
//! transports, and runs until a stop signal, the console's input running
//! out, or the store's liveness tripping. Tests build and run it through the
//! same functions.

use std::sync::Arc;

use axum::Router;

use crate::app::{App, Overrides};
use crate::chat::intake::Intake;
use crate::chat::platform::{ChatPlatform, Core, Transport, Work};
use crate::chat::router::ChatRouter;
use crate::config::Config;
use crate::health::{self, Transports};
use crate::ports::chat::ChatSink;
use crate::secret::{Secret, SecretSource};
use crate::supervise::{Singly, supervise, supervise_singly};

/// The secrets `serve` needs: the Zilliz key, and where each platform reads
/// its own (by the variable its section names).
#[derive(Clone)]
pub struct Secrets {
    pub zilliz_api_key: Secret,
    pub chat: SecretSource,
}

impl Secrets {
    pub fn from_env(config: &Config) -> anyhow::Result<Self> {
        Ok(Self {
            zilliz_api_key: config.zilliz.api_key()?,
            chat: SecretSource::environment(),
        })
    }
}

pub struct Server {
    pub app: App,
    pub router: Router,
    /// What each platform's intake is given (tests drive handlers with it).
    pub core: Core,
    /// The transports that connect out, for `/readyz`.
    pub transports: Arc<Transports>,
    setup: Vec<Work>,
    connections: Vec<Transport>,
    foreground: Option<Work>,
}

/// What the sandbox puts around the chat platforms (its mark).
pub type ChatWrap = Arc<dyn Fn(Arc<dyn ChatSink>) -> Arc<dyn ChatSink> + Send + Sync>;

/// Builds the platforms the config names, each from its section and
/// secrets, then the rest.
pub async fn build(
    config: &Config,
    secrets: Secrets,
    overrides: Overrides,
) -> anyhow::Result<Server> {
    build_wrapped(config, secrets, overrides, None).await
}

/// As `build`, with `wrap` around the platforms' sinks.
pub async fn build_wrapped(
    config: &Config,
    secrets: Secrets,
    overrides: Overrides,
    wrap: Option<ChatWrap>,
) -> anyhow::Result<Server> {
    let platforms = config
        .chat_platforms()
        .into_iter()
        .map(|section| section.connect(&secrets.chat))
        .collect::<anyhow::Result<Vec<_>>>()?;
    assemble_wrapped(config, secrets.zilliz_api_key, platforms, overrides, wrap).await
}

/// Puts `platforms` together with the core: their sinks behind one router,
/// then each one's intake over the one service and set of slots.
pub async fn assemble(
    config: &Config,
    zilliz_key: Secret,
    platforms: Vec<Box<dyn ChatPlatform>>,
    overrides: Overrides,
) -> anyhow::Result<Server> {
    assemble_wrapped(config, zilliz_key, platforms, overrides, None).await
}

async fn assemble_wrapped(
    config: &Config,
    zilliz_key: Secret,
    platforms: Vec<Box<dyn ChatPlatform>>,
    overrides: Overrides,
    wrap: Option<ChatWrap>,
) -> anyhow::Result<Server> {
    let chat = platforms.iter().fold(ChatRouter::default(), |chat, p| {
        chat.with(p.platform(), p.sink(), p.pacing())
    });
    let chat: Arc<dyn ChatSink> = Arc::new(chat);
    let chat = match wrap {
        Some(wrap) => wrap(chat),
        None => chat,
    };
    let app = App::build(config, zilliz_key, chat, overrides).await?;
    let transports = Arc::new(Transports::default());
    let core = Core {
        service: app.service.clone(),
        delivery: app.delivery.clone(),
        intake: Intake::new(&config.intake),
        transports: transports.clone(),
        default_locale: config.language.default,
    };
    let mut router = health::routes(app.store.clone(), app.metrics.clone(), transports.clone());
    let (mut setup, mut connections, mut foreground) = (Vec::new(), Vec::new(), None);
    for platform in &platforms {
        let attached = platform.attach(&core)?;
        router = router.merge(attached.routes);
        setup.extend(attached.setup);
        for t in &attached.transports {
            // A replica standing by for a one-at-a-time transport is ready.
            if !(t.once && app.store.shared()) {
                transports.expect(t.name);
            }
        }
        connections.extend(attached.transports);
        if attached.foreground.is_some() {
            anyhow::ensure!(foreground.is_none(), "only one platform can run in front");
            foreground = attached.foreground;
        }
    }
    Ok(Server {
        app,
        router,
        core,
        transports,
        setup,
        connections,
        foreground,
    })
}

/// Ctrl-C, or SIGTERM (what `docker stop` and Kubernetes send).
pub async fn stop_signal() {
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
    server.run(config, Some(listener), stop_signal()).await
}

impl Server {
    /// Runs the platforms' set-up, resumes owed jobs, then serves on
    /// `listener` (when given) with every transport and the housekeeping
    /// supervised, until `shutdown` resolves or the foreground (if any)
    /// ends. Returns a [`crate::store::Stall`] error if the store's liveness
    /// trips, so the process exits non-zero and its supervisor restarts it.
    pub async fn run(
        self,
        config: &Config,
        listener: Option<tokio::net::TcpListener>,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        for work in self.setup {
            work.await?;
        }
        let resumed = self.app.engine.resume().await?;
        if !resumed.is_empty() {
            tracing::info!(?resumed, "resumed jobs");
        }
        // Long-lived intake and upkeep, stopped with the rest of the intake.
        let mut background = Vec::new();
        let (store, metrics) = (self.app.store.clone(), self.app.metrics.clone());
        for Transport {
            name,
            connect,
            once,
        } in self.connections
        {
            let report = Some(self.transports.clone());
            if once {
                background.push(tokio::spawn(supervise_singly(
                    Singly::new(name, store.clone(), metrics.clone()),
                    report,
                    connect,
                )));
            } else {
                background.push(tokio::spawn(supervise(name, report, connect)));
            }
        }
        // Work that must happen once, on one replica at a time.
        let service = self.app.service.clone();
        background.push(tokio::spawn(supervise_singly(
            Singly::new("housekeeping", store.clone(), metrics.clone()),
            None,
            move || service.clone().keep_house(),
        )));
        let watch = self.app.watch.clone();
        background.push(tokio::spawn(supervise_singly(
            Singly::new("drift watch", store, metrics),
            None,
            move || watch.clone().run(),
        )));
        let serving = async {
            match listener {
                Some(listener) => {
                    tracing::info!(listen = ?listener.local_addr().ok(), "serving");
                    axum::serve(listener, self.router)
                        .with_graceful_shutdown(shutdown)
                        .await?;
                }
                None => shutdown.await,
            }
            anyhow::Ok(())
        };
        let foreground = async {
            match self.foreground {
                Some(work) => work.await,
                None => std::future::pending().await,
            }
        };
        let liveness = self.app.store.liveness().clone();
        let ended = tokio::select! {
            served = serving => served,
            done = foreground => done,
            stall = liveness.tripped() => return Err(anyhow::Error::new(stall)),
        };
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
        ended
    }
}
