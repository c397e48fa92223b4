//! Wires the parts together: store, adapters, engine and service, from a
//! config. The one place that knows every concrete type.

use std::sync::Arc;

use crate::cloud::aws::{AwsAccess, AwsCalls};
use crate::cloud::zilliz::ZillizClient;
use crate::config::Config;
use crate::delivery::Dispatcher;
use crate::engine::{Engine, EngineParts, StepHook};
use crate::metrics::Metrics;
use crate::ports::chat::ChatSink;
use crate::ports::clock::{Clock, SystemClock};
use crate::ports::cloud::{CloudAccess, Vendor};
use crate::secret::Secret;
use crate::service::{Service, ServiceParts};
use crate::store::{Store, StoreOptions, WriteHook};
use crate::watch::Watch;

pub struct App {
    pub store: Arc<Store>,
    pub metrics: Arc<Metrics>,
    /// Every AWS call the bot made, by service and operation.
    pub aws_calls: Arc<AwsCalls>,
    pub engine: Engine,
    pub service: Arc<Service>,
    /// Delivers the store's outbox to chat; started by `build`.
    pub delivery: Dispatcher,
    /// Checks succeeded jobs' links; `serve` runs its sweeps.
    pub watch: Arc<Watch>,
    /// With replicas sharing the store: adopts jobs whose lease lapsed.
    adopter: Option<tokio::task::JoinHandle<()>>,
}

/// Optional replacements for tests and benchmarks.
#[derive(Default)]
pub struct Overrides {
    pub clock: Option<Arc<dyn Clock>>,
    pub hook: Option<Arc<dyn StepHook>>,
    pub zilliz_retries: Option<(crate::backoff::Backoff, u32)>,
    /// Called by the store's writer before each change (tests hold it).
    pub store_hook: Option<Arc<dyn WriteHook>>,
    /// The sandbox's worlds (`serve --sandbox`).
    pub playground: Option<Arc<dyn crate::ports::sandbox::Playground>>,
}

impl App {
    pub async fn build(
        config: &Config,
        zilliz_key: Secret,
        chat: Arc<dyn ChatSink>,
        overrides: Overrides,
    ) -> anyhow::Result<Self> {
        if config.store.backend == crate::config::StoreBackend::Sled
            && let Some(parent) = config.store.path.parent()
        {
            tokio::fs::create_dir_all(parent).await?;
        }
        let options = StoreOptions {
            hook: overrides.store_hook,
            ..config.store.options()
        };
        let store = Arc::new(config.store.open(options).await?);
        let metrics = Arc::new(Metrics::new());
        let mut zilliz =
            ZillizClient::new(&config.zilliz.base_url, zilliz_key)?.with_metrics(metrics.clone());
        if let Some((backoff, attempts)) = overrides.zilliz_retries {
            zilliz = zilliz.with_retries(backoff, attempts);
        }
        let vendor: Arc<dyn Vendor> = Arc::new(zilliz);
        let aws = AwsAccess::with_metrics(config.aws.clone(), metrics.clone());
        let aws_calls = aws.calls();
        let cloud: Arc<dyn CloudAccess> = Arc::new(aws);
        let clock = overrides.clock.unwrap_or_else(|| Arc::new(SystemClock));
        let delivery = Dispatcher::new(
            store.clone(),
            chat.clone(),
            clock.clone(),
            config.delivery.clone(),
            metrics.clone(),
        );
        delivery.start();
        let engine = Engine::new(EngineParts {
            store: store.clone(),
            cloud: cloud.clone(),
            vendor: vendor.clone(),
            clock: clock.clone(),
            settings: crate::engine::EngineSettings {
                lease: config.store.lease,
                ..config.engine.settings()
            },
            metrics: metrics.clone(),
            hook: overrides.hook,
        });
        let watch = Arc::new(Watch::new(
            metrics.clone(),
            store.clone(),
            cloud.clone(),
            vendor.clone(),
            clock.clone(),
            config.watch.clone(),
        ));
        let service = Arc::new(Service::new(ServiceParts {
            store: store.clone(),
            engine: engine.clone(),
            policy: config.policy.clone(),
            cloud,
            vendor,
            clock,
            dry_run_preflight: config.aws.dry_run_preflight,
            zilliz_plane: config.zilliz.control_plane(),
            metrics: metrics.clone(),
            per_user_per_minute: config.intake.per_user_per_minute,
            per_user_burst: config.intake.per_user_burst,
            watch: watch.clone(),
            chat,
            playground: overrides.playground,
        }));
        // Jobs a replica that died was working on, once their lease lapses.
        let adopter = store.shared().then(|| {
            let engine = engine.clone();
            let every = config.store.lease / 2;
            tokio::spawn(crate::supervise::supervise("adopt jobs", None, move || {
                let engine = engine.clone();
                async move { engine.adopt(every).await }
            }))
        });
        Ok(Self {
            store,
            metrics,
            aws_calls,
            engine,
            service,
            delivery,
            watch,
            adopter,
        })
    }

    /// Stops the engine's workers and the dispatcher, as a crash would:
    /// nothing more is done, and the store is let go.
    pub async fn halt(&self) {
        if let Some(adopter) = &self.adopter {
            adopter.abort();
        }
        self.engine.halt().await;
        self.delivery.halt().await;
    }
}
