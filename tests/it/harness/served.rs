//! The real `serve` over a fresh sandbox for the platform tests, and the
//! recorder the fake chat servers keep their calls in.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use privatelink_bot::app::{App, Overrides};
use privatelink_bot::config::Config;
use privatelink_bot::domain::ids::JobId;
use privatelink_bot::domain::job::JobState;
use privatelink_bot::engine::StepHook;
use privatelink_bot::sandbox::Sandbox;
use privatelink_bot::secret::Secret;
use tokio::sync::Notify;

use super::store_path;

/// `privatelink-bot serve` over a fresh sandbox, listening on a free
/// loopback port, built by the same function `main` uses.
pub struct Served {
    pub sandbox: Sandbox,
    pub server: privatelink_bot::serve::Server,
    pub url: String,
    /// Holds the sled directory for as long as the bot runs.
    pub dir: tempfile::TempDir,
    pub config: Config,
    pub secrets: privatelink_bot::serve::Secrets,
    /// The HTTP server task: aborted to let go of the bot (a restart).
    pub serving: tokio::task::JoinHandle<()>,
}

/// Starts `serve` with `approvers`; `configure` adds the platform's section
/// and `secrets` names its tokens (the Zilliz key is filled in).
pub async fn serve_sandbox(
    approvers: &[&str],
    configure: impl FnOnce(&mut Config),
    secrets: impl FnOnce(Secret) -> privatelink_bot::serve::Secrets,
) -> Served {
    serve_sandbox_with(approvers, configure, secrets, None).await
}

/// As `serve_sandbox`, with `hook` in the engine.
pub async fn serve_sandbox_with(
    approvers: &[&str],
    configure: impl FnOnce(&mut Config),
    secrets: impl FnOnce(Secret) -> privatelink_bot::serve::Secrets,
    hook: Option<Arc<dyn StepHook>>,
) -> Served {
    let sandbox = Sandbox::start(1).await.expect("sandbox");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = sandbox.config(&store_path(&dir)).expect("config");
    // Everyone on the served platforms may request, said explicitly: an
    // empty list lets nobody in.
    config.policy.requesters = ["slack:*", "discord:*"]
        .iter()
        .map(|p| privatelink_bot::domain::policy::Principal::parse(p).expect("principal"))
        .collect();
    config.policy.approvers = approvers
        .iter()
        .map(|p| privatelink_bot::domain::policy::Principal::parse(p).expect("principal"))
        .collect();
    // Tests send commands faster than a person; the rate limit has tests
    // of its own.
    config.intake.per_user_per_minute = 100_000;
    config.intake.per_user_burst = 10_000;
    // Failed chat deliveries are tried again quickly.
    config.delivery.backoff_initial = Duration::from_millis(20);
    config.delivery.backoff_max = Duration::from_millis(200);
    configure(&mut config);
    let secrets = secrets(Secret::new(&sandbox.api_key));
    let (server, url, serving) = serve_config(&config, secrets.clone(), hook).await;
    Served {
        sandbox,
        server,
        url,
        dir,
        config,
        secrets,
        serving,
    }
}

/// Builds `serve` from `config` and serves its router on a free port.
pub async fn serve_config(
    config: &Config,
    secrets: privatelink_bot::serve::Secrets,
    hook: Option<Arc<dyn StepHook>>,
) -> (
    privatelink_bot::serve::Server,
    String,
    tokio::task::JoinHandle<()>,
) {
    let server = privatelink_bot::serve::build(
        config,
        secrets,
        Overrides {
            zilliz_retries: Some((
                privatelink_bot::backoff::Backoff {
                    initial: Duration::from_millis(10),
                    max: Duration::from_millis(50),
                },
                3,
            )),
            hook,
            ..Overrides::default()
        },
    )
    .await
    .expect("serve builds");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let router = server.router.clone();
    let serving = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (server, url, serving)
}

/// Waits until job `id` satisfies `done` (checked whenever the fake chat API
/// records a call, as the engine reports every change there), then until
/// the engine has finished with it; returns the state.
pub async fn job_state_when<C: Clone + std::fmt::Debug>(
    app: &App,
    chat: &Recorder<C>,
    id: JobId,
    done: impl Fn(&JobState) -> bool,
) -> JobState {
    chat.wait_for("the job's state", |_| {
        app.store
            .blocking()
            .get(id)
            .ok()
            .flatten()
            .is_some_and(|j| done(j.state()))
    })
    .await;
    app.engine.wait(id).await;
    // What the job said on the way goes out through the outbox.
    app.delivery.settled().await;
    app.store
        .blocking()
        .get(id)
        .expect("store")
        .expect("job")
        .state()
        .clone()
}

/// What a fake chat API received, with a way to wait for what is expected.
pub struct Recorder<C> {
    calls: Mutex<Vec<C>>,
    changed: Notify,
}

impl<C> Default for Recorder<C> {
    fn default() -> Self {
        Self {
            calls: Mutex::new(Vec::new()),
            changed: Notify::new(),
        }
    }
}

impl<C: Clone + std::fmt::Debug> Recorder<C> {
    pub fn push(&self, call: C) {
        self.calls.lock().expect("calls").push(call);
        self.changed.notify_waiters();
    }

    pub fn calls(&self) -> Vec<C> {
        self.calls.lock().expect("calls").clone()
    }

    /// Waits (bounded) until the recorded calls satisfy `done`; also wakes
    /// when something else notifies (`poke`).
    pub async fn wait_for(&self, what: &str, done: impl Fn(&[C]) -> bool) -> Vec<C> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let notified = self.changed.notified();
            let calls = self.calls();
            if done(&calls) {
                return calls;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!("timed out waiting for {what}; calls: {calls:#?}");
            }
        }
    }
}

/// Seconds since the epoch, as platforms stamp signed requests.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64
}
