//! Counts the AWS calls the bot makes, by service and operation, through
//! an SDK interceptor on every client: what a job costs in calls (Route 53
//! allows about five requests a second per account), counted, not
//! estimated.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

use crate::metrics::Metrics;

/// Calls made so far, by (service, operation); with metrics, also fed to
/// `privatelink_bot_cloud_calls` and `…_cloud_errors`.
#[derive(Default)]
pub struct AwsCalls {
    counts: Mutex<BTreeMap<(String, String), u64>>,
    metrics: Option<Arc<Metrics>>,
}

impl std::fmt::Debug for AwsCalls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsCalls")
            .field("counts", &self.counts)
            .finish()
    }
}

impl AwsCalls {
    pub fn with_metrics(metrics: Arc<Metrics>) -> Self {
        Self {
            counts: Mutex::default(),
            metrics: Some(metrics),
        }
    }

    /// A snapshot of the counts.
    pub fn counts(&self) -> BTreeMap<(String, String), u64> {
        self.counts.lock().map(|c| c.clone()).unwrap_or_default()
    }

    /// Calls made to `service` ("Route 53", "EC2", "STS"; spaces and case
    /// do not matter).
    pub fn to_service(&self, service: &str) -> u64 {
        let bare = |s: &str| s.replace(' ', "").to_ascii_lowercase();
        self.counts()
            .iter()
            .filter(|((s, _), _)| bare(s) == bare(service))
            .map(|(_, n)| n)
            .sum()
    }
}

/// The interceptor that feeds [`AwsCalls`].
#[derive(Debug, Clone)]
pub(super) struct Counting(pub(super) Arc<AwsCalls>);

impl Intercept for Counting {
    fn name(&self) -> &'static str {
        "privatelink-bot call counter"
    }

    // Before serialization, once per call: the operation's metadata is in
    // the config bag by then (it is not yet before execution).
    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let (service, operation) = cfg
            .load::<Metadata>()
            .map(|m| (m.service().to_owned(), m.name().to_owned()))
            .unwrap_or_else(|| ("unknown".to_owned(), "unknown".to_owned()));
        if let Ok(mut counts) = self.0.counts.lock() {
            *counts.entry((service, operation)).or_default() += 1;
        }
        Ok(())
    }

    // Once per call, after its last attempt: whether it failed.
    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let (Some(metrics), Some(meta)) = (&self.0.metrics, cfg.load::<Metadata>()) {
            let service = meta.service().replace(' ', "").to_ascii_lowercase();
            let failed = !matches!(context.output_or_error(), Some(Ok(_)));
            metrics.cloud_call(&service, meta.name(), failed);
        }
        Ok(())
    }
}
