//! Metrics, served at `GET /metrics` in Prometheus' text format
//! (prometheus-client's typed registry, one per running bot, so tests and
//! processes never share counters). Counters move where things happen
//! (commands, signature checks, cloud calls, chat deliveries, steps); the
//! gauges of what the store holds (jobs by state, the outbox's depth) are
//! read from the store when scraped (`health::scrape`).

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::domain::ids::Platform;
use crate::domain::job::StateKey;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabel {
    pub kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PlatformLabel {
    pub platform: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DeliveryLabels {
    pub platform: String,
    /// `delivered` or `failed`.
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CallLabels {
    /// `ec2`, `route53`, `sts` or `zilliz`.
    pub service: String,
    /// The provider's operation (`CreateVpcEndpoint`, `GET /v2/clusters/:id`).
    pub operation: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StepLabel {
    pub step: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StateLabel {
    pub state: String,
}

type StepHistograms = Family<StepLabel, Histogram, fn() -> Histogram>;

fn step_histogram() -> Histogram {
    // 50 ms to about 14 minutes: a DNS record to a five-minute acceptance.
    Histogram::new(exponential_buckets(0.05, 2.0, 15))
}

/// The bot's metrics. Cheap to share (`Arc`); every method is lock-free
/// or nearly so.
pub struct Metrics {
    registry: Registry,
    commands: Family<KindLabel, Counter>,
    signature_rejections: Family<PlatformLabel, Counter>,
    chat_deliveries: Family<DeliveryLabels, Counter>,
    cloud_calls: Family<CallLabels, Counter>,
    cloud_errors: Family<CallLabels, Counter>,
    step_seconds: StepHistograms,
    jobs: Family<StateLabel, Gauge>,
    outbox_depth: Gauge,
    /// Succeeded links by what the drift watch last found.
    links: Family<HealthLabel, Gauge>,
    sweep_calls: Counter,
    sweeps: Counter,
    /// Jobs this replica holds a lease on right now.
    leases_held: Gauge,
    /// Leases by what became of them: `claimed`, `released`, `lost`.
    lease_events: Family<KindLabel, Counter>,
    /// Singletons (`dispatcher`, `sweeps`, `gateway`) this replica holds.
    singletons: Family<KindLabel, Gauge>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HealthLabel {
    pub health: String,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("privatelink_bot");
        let commands = Family::<KindLabel, Counter>::default();
        registry.register(
            "commands",
            "Commands and clicks received, by kind",
            commands.clone(),
        );
        let signature_rejections = Family::<PlatformLabel, Counter>::default();
        registry.register(
            "signature_rejections",
            "Requests refused with 401 for a missing, stale or wrong signature",
            signature_rejections.clone(),
        );
        let chat_deliveries = Family::<DeliveryLabels, Counter>::default();
        registry.register(
            "chat_deliveries",
            "Chat messages delivered from the outbox, or failed (and kept for another try)",
            chat_deliveries.clone(),
        );
        let cloud_calls = Family::<CallLabels, Counter>::default();
        registry.register(
            "cloud_calls",
            "Calls to AWS and Zilliz Cloud, by service and operation",
            cloud_calls.clone(),
        );
        let cloud_errors = Family::<CallLabels, Counter>::default();
        registry.register(
            "cloud_errors",
            "Calls to AWS and Zilliz Cloud that failed, by service and operation",
            cloud_errors.clone(),
        );
        let step_seconds: StepHistograms = Family::new_with_constructor(step_histogram);
        registry.register(
            "step_duration_seconds",
            "How long each job step took, retries and waits included",
            step_seconds.clone(),
        );
        let jobs = Family::<StateLabel, Gauge>::default();
        registry.register("jobs", "Jobs in the store, by state", jobs.clone());
        let outbox_depth = Gauge::default();
        registry.register(
            "outbox_depth",
            "Chat messages waiting in the outbox",
            outbox_depth.clone(),
        );
        let links = Family::<HealthLabel, Gauge>::default();
        registry.register(
            "links",
            "Succeeded links by health, as the last drift sweep found them",
            links.clone(),
        );
        let sweep_calls = Counter::default();
        registry.register(
            "drift_sweep_calls",
            "Calls to AWS and Zilliz Cloud made by drift sweeps",
            sweep_calls.clone(),
        );
        let sweeps = Counter::default();
        registry.register("drift_sweeps", "Drift sweeps run", sweeps.clone());
        let leases_held = Gauge::default();
        registry.register(
            "leases_held",
            "Jobs this replica holds the lease on (works on) now",
            leases_held.clone(),
        );
        let lease_events = Family::<KindLabel, Counter>::default();
        registry.register(
            "lease_events",
            "Job leases claimed, released, or lost to another replica (fenced)",
            lease_events.clone(),
        );
        let singletons = Family::<KindLabel, Gauge>::default();
        registry.register(
            "singletons_held",
            "Work that runs on one replica at a time, 1 where this replica holds it",
            singletons.clone(),
        );
        Self {
            registry,
            commands,
            signature_rejections,
            chat_deliveries,
            cloud_calls,
            cloud_errors,
            step_seconds,
            jobs,
            outbox_depth,
            links,
            sweep_calls,
            sweeps,
            leases_held,
            lease_events,
            singletons,
        }
    }

    fn lease_event(&self, kind: &str) {
        self.lease_events
            .get_or_create(&KindLabel {
                kind: kind.to_owned(),
            })
            .inc();
    }

    pub fn lease_claimed(&self) {
        self.leases_held.inc();
        self.lease_event("claimed");
    }

    pub fn lease_released(&self) {
        self.leases_held.dec();
        self.lease_event("released");
    }

    pub fn lease_lost(&self) {
        self.leases_held.dec();
        self.lease_event("lost");
    }

    /// Whether this replica holds the singleton `name` now.
    pub fn singleton(&self, name: &str, held: bool) {
        self.singletons
            .get_or_create(&KindLabel {
                kind: name.to_owned(),
            })
            .set(i64::from(held));
    }

    /// A drift sweep's figures: its calls, and the links as it found them.
    pub fn swept(&self, calls: usize, in_shape: usize, drifted: usize) {
        self.sweeps.inc();
        self.sweep_calls
            .inc_by(u64::try_from(calls).unwrap_or(u64::MAX));
        for (health, n) in [("in_shape", in_shape), ("drifted", drifted)] {
            self.links
                .get_or_create(&HealthLabel {
                    health: health.to_owned(),
                })
                .set(i64::try_from(n).unwrap_or(i64::MAX));
        }
    }

    pub fn command(&self, kind: &str) {
        self.commands
            .get_or_create(&KindLabel {
                kind: kind.to_owned(),
            })
            .inc();
    }

    pub fn signature_rejected(&self, platform: Platform) {
        self.signature_rejections
            .get_or_create(&PlatformLabel {
                platform: platform.to_string(),
            })
            .inc();
    }

    pub fn delivery(&self, platform: Platform, delivered: bool) {
        let outcome = if delivered { "delivered" } else { "failed" };
        self.chat_deliveries
            .get_or_create(&DeliveryLabels {
                platform: platform.to_string(),
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    pub fn cloud_call(&self, service: &str, operation: &str, failed: bool) {
        let labels = CallLabels {
            service: service.to_owned(),
            operation: operation.to_owned(),
        };
        self.cloud_calls.get_or_create(&labels).inc();
        if failed {
            self.cloud_errors.get_or_create(&labels).inc();
        }
    }

    pub fn step_took(&self, step: &str, took: Duration) {
        self.step_seconds
            .get_or_create(&StepLabel {
                step: step.to_owned(),
            })
            .observe(took.as_secs_f64());
    }

    /// The text exposition, with the store's gauges as read now (by the
    /// caller: the registry knows no store): jobs by state, and how many
    /// messages wait in the outbox. A gauge that could not be read keeps
    /// its last value.
    pub fn render(&self, jobs: Option<&[(StateKey, usize)]>, outbox: Option<usize>) -> String {
        for (state, n) in jobs.unwrap_or_default() {
            self.jobs
                .get_or_create(&StateLabel {
                    state: state.as_str().to_owned(),
                })
                .set(i64::try_from(*n).unwrap_or(i64::MAX));
        }
        if let Some(waiting) = outbox {
            self.outbox_depth
                .set(i64::try_from(waiting).unwrap_or(i64::MAX));
        }
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            tracing::warn!(error = %e, "could not encode the metrics");
        }
        out
    }
}
