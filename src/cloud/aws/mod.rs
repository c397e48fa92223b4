//! The AWS adapter, one file per service: `ec2.rs` (the `Network` port),
//! `route53.rs` (the `Dns` port), `sts.rs` (the account id and assumed
//! roles). This file builds and caches the clients per (region, role) and
//! types every SDK failure for the ports. Credentials come from the default
//! chain, or from an assumed role; the endpoint URL can be pointed at an
//! emulator.

mod calls;
mod ec2;
mod probe;
mod route53;
mod sts;

pub use calls::AwsCalls;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_sdk_ec2::config::http::HttpResponse;
use aws_sdk_ec2::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_ec2::operation::RequestId;
use serde::Deserialize;

use crate::domain::ids::{AwsRegion, Partition, RoleArn};
use crate::ports::cloud::{AwsTarget, CloudAccess, CloudError, CloudResult, ErrorKind, Provider};
use ec2::Ec2Network;
use route53::Route53Dns;

/// AWS settings from config.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwsSettings {
    /// Send every AWS call here instead of AWS (an emulator such as moto).
    #[serde(default)]
    pub endpoint_url: Option<String>,
    /// Use fixed dummy credentials: only for an emulator, never for AWS.
    #[serde(default)]
    pub emulator_credentials: bool,
    /// Ask EC2 with DryRun whether the bot may create the endpoint. Off for
    /// moto, which ignores DryRun on CreateVpcEndpoint and would create one.
    #[serde(default = "yes")]
    pub dry_run_preflight: bool,
    /// The SDK's retry mode: `standard`, or `adaptive` (also paces calls
    /// client-side under throttling). Both retry `RequestLimitExceeded`,
    /// `Throttling` and `PriorRequestNotComplete`.
    #[serde(default)]
    pub retry_mode: RetryMode,
    /// Tries per AWS call, the first included (the SDK's default is 3).
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
    /// Role ARN → the environment variable holding the external id its
    /// trust policy requires (`sts:ExternalId`), for roles in other
    /// accounts set up that way. The id itself never sits in the file.
    #[serde(default)]
    pub role_external_ids: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RetryMode {
    #[default]
    Standard,
    Adaptive,
}

fn default_max_attempts() -> u32 {
    5
}

impl Default for AwsSettings {
    fn default() -> Self {
        Self {
            endpoint_url: None,
            emulator_credentials: false,
            dry_run_preflight: true,
            retry_mode: RetryMode::default(),
            max_attempts: default_max_attempts(),
            role_external_ids: Default::default(),
        }
    }
}

fn yes() -> bool {
    true
}

/// Builds and caches AWS clients per (region, role).
pub struct AwsAccess {
    settings: AwsSettings,
    calls: Arc<AwsCalls>,
    cache: Mutex<HashMap<(String, Option<String>), AwsTarget>>,
}

impl AwsAccess {
    pub fn new(settings: AwsSettings) -> Self {
        Self {
            settings,
            calls: Arc::default(),
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// As `new`, feeding every call to `metrics`.
    pub fn with_metrics(settings: AwsSettings, metrics: Arc<crate::metrics::Metrics>) -> Self {
        Self {
            calls: Arc::new(AwsCalls::with_metrics(metrics)),
            ..Self::new(settings)
        }
    }

    /// Every AWS call made through this access so far.
    pub fn calls(&self) -> Arc<AwsCalls> {
        self.calls.clone()
    }

    async fn sdk_config(&self, region: &str, role: Option<&RoleArn>) -> SdkConfig {
        let retry = match self.settings.retry_mode {
            RetryMode::Standard => RetryConfig::standard(),
            RetryMode::Adaptive => RetryConfig::adaptive(),
        }
        .with_max_attempts(self.settings.max_attempts.max(1));
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(region.to_owned()))
            .retry_config(retry);
        if let Some(url) = &self.settings.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        if self.settings.emulator_credentials {
            loader = loader.credentials_provider(Credentials::new(
                "testing", "testing", None, None, "emulator",
            ));
        }
        let mut base = loader.load().await;
        if self.settings.endpoint_url.is_some() {
            base = without_environment(base);
        }
        match role {
            None => base,
            Some(role) => {
                let external_id = self.settings.role_external_ids.get(role.as_str()).and_then(
                    |var| match std::env::var(var) {
                        Ok(v) => Some(crate::secret::Secret::new(&v)),
                        Err(_) => {
                            tracing::error!(role = %role, variable = %var, "the role's external id variable is not set; assuming it without one");
                            None
                        }
                    },
                );
                sts::assuming(base, role, external_id.as_ref()).await
            }
        }
    }
}

#[async_trait]
impl CloudAccess for AwsAccess {
    async fn target(&self, region: &AwsRegion, role: Option<&RoleArn>) -> CloudResult<AwsTarget> {
        let key = (region.to_string(), role.map(ToString::to_string));
        if let Some(t) = self.cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return Ok(t);
        }
        let regional = self.sdk_config(region.as_str(), role).await;
        let global = self.sdk_config(global_region(region), role).await;
        let counting = calls::Counting(self.calls.clone());
        // An emulator's endpoint is set on each client too: there it wins
        // over `AWS_ENDPOINT_URL_<SERVICE>` and a profile's `services`,
        // which would otherwise send a call meant for the emulator to AWS.
        let endpoint = self.settings.endpoint_url.clone();
        let mut sts_conf = aws_sdk_sts::config::Builder::from(&regional);
        sts_conf.set_endpoint_url(endpoint.clone());
        let mut ec2_conf = aws_sdk_ec2::config::Builder::from(&regional);
        ec2_conf.set_endpoint_url(endpoint.clone());
        let mut r53_conf = aws_sdk_route53::config::Builder::from(&global);
        r53_conf.set_endpoint_url(endpoint);
        let account = Arc::new(sts::Account::new(aws_sdk_sts::Client::from_conf(
            sts_conf.interceptor(counting.clone()).build(),
        )));
        let target = AwsTarget {
            network: Arc::new(Ec2Network {
                ec2: aws_sdk_ec2::Client::from_conf(ec2_conf.interceptor(counting.clone()).build()),
                account: account.clone(),
                dry_run: self.settings.dry_run_preflight,
            }),
            dns: Arc::new(Route53Dns {
                r53: aws_sdk_route53::Client::from_conf(
                    r53_conf.interceptor(counting.clone()).build(),
                ),
                account,
            }),
        };
        if let Ok(mut c) = self.cache.lock() {
            c.insert(key, target.clone());
        }
        Ok(target)
    }
}

/// No service settings from the environment or a profile (an
/// `AWS_ENDPOINT_URL_<SERVICE>`, a profile's `services` section): where
/// the config names an endpoint (an emulator), every client, the one
/// behind an assumed role's credentials included, goes there and nowhere
/// else.
pub fn without_environment(config: SdkConfig) -> SdkConfig {
    config.into_builder().service_config(NoEnvironment).build()
}

/// Service settings that say nothing.
#[derive(Debug)]
struct NoEnvironment;

impl aws_types::service_config::LoadServiceConfig for NoEnvironment {
    fn load_config(&self, _key: aws_types::service_config::ServiceConfigKey<'_>) -> Option<String> {
        None
    }
}

/// Route 53 is global; its API lives in one region per partition.
fn global_region(region: &AwsRegion) -> &'static str {
    match region.partition() {
        Partition::Aws => "us-east-1",
        Partition::AwsCn => "cn-northwest-1",
    }
}

/// The kind of an AWS error code: one table for EC2, Route 53 and STS.
pub fn kind_of_code(code: &str) -> ErrorKind {
    match code {
        "Throttling"
        | "ThrottlingException"
        | "RequestLimitExceeded"
        | "PriorRequestNotComplete"
        | "TooManyRequestsException"
        | "RequestThrottled"
        | "RequestThrottledException"
        | "SlowDown" => ErrorKind::Throttled,
        "UnauthorizedOperation"
        | "AccessDenied"
        | "AccessDeniedException"
        | "AuthFailure"
        | "InvalidClientTokenId"
        | "ExpiredToken"
        | "ExpiredTokenException"
        | "SignatureDoesNotMatch"
        | "UnrecognizedClientException"
        | "OptInRequired" => ErrorKind::Denied,
        "InternalError"
        | "InternalFailure"
        | "ServiceUnavailable"
        | "Unavailable"
        | "ServiceUnavailableException" => ErrorKind::Unavailable,
        "ConflictingDomainExists"
        | "HostedZoneAlreadyExists"
        | "HostedZoneNotEmpty"
        | "IdempotentParameterMismatch"
        | "DependencyViolation"
        | "ConcurrentModification"
        | "IncorrectState" => ErrorKind::Conflict,
        "InvalidServiceName" => ErrorKind::NotFound,
        c if c.ends_with(".NotFound") || c.starts_with("NoSuch") => ErrorKind::NotFound,
        c if c.starts_with("Invalid") || c.starts_with("Missing") || c == "ValidationError" => {
            ErrorKind::InvalidInput
        }
        _ => ErrorKind::Other,
    }
}

/// Turns an SDK failure into the port's typed error: the code's kind when
/// AWS answered, `Unavailable` when it did not (timeout, connection), and
/// the HTTP status when the code says nothing.
pub(super) fn describe<E>(provider: Provider) -> impl Fn(SdkError<E, HttpResponse>) -> CloudError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    move |e| {
        let request_id = e.request_id().map(str::to_owned);
        let (kind, code, message) = match &e {
            // The credential provider failed (a role that cannot be
            // assumed, no credentials at all): a refusal, not an outage.
            SdkError::DispatchFailure(_) if credentials_failed(&e) => (
                ErrorKind::Denied,
                None,
                format!("{provider} call had no credentials: {}", causes(&e)),
            ),
            SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => (
                ErrorKind::Unavailable,
                None,
                format!("{provider} did not answer: {}", DisplayErrorContext(&e)),
            ),
            _ => {
                let code = e.code().map(str::to_owned);
                let status = e.raw_response().map(|r| r.status().as_u16());
                let kind = match (code.as_deref().map(kind_of_code), status) {
                    (Some(kind), _) if kind != ErrorKind::Other => kind,
                    (_, Some(429)) => ErrorKind::Throttled,
                    (_, Some(s)) if s >= 500 => ErrorKind::Unavailable,
                    _ => ErrorKind::Other,
                };
                let message = e
                    .message()
                    .map(str::to_owned)
                    .unwrap_or_else(|| DisplayErrorContext(&e).to_string());
                (kind, code, message)
            }
        };
        let mut error = CloudError::new(kind, provider, message).with_request_id(request_id);
        error.code = code;
        error
    }
}

/// Whether loading credentials is what failed, somewhere in the chain.
fn credentials_failed(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(e);
    while let Some(c) = cause {
        if c.is::<aws_credential_types::provider::error::CredentialsError>() {
            return true;
        }
        cause = c.source();
    }
    false
}

/// Each cause's words, outermost first, without the debug dump
/// `DisplayErrorContext` appends.
fn causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut cause = Some(e);
    while let Some(c) = cause {
        let w = c.to_string();
        if words.last() != Some(&w) {
            words.push(w);
        }
        cause = c.source();
    }
    words.join(": ")
}

/// A well-formed answer that lacks what the bot needs.
pub(super) fn missing(provider: Provider, what: &str) -> CloudError {
    CloudError::new(ErrorKind::Other, provider, what)
}

/// A request the bot could not even build.
pub(super) fn unbuildable(e: impl std::fmt::Display) -> CloudError {
    CloudError::new(ErrorKind::InvalidInput, Provider::Route53, e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_codes_are_typed_by_kind() {
        let cases = [
            ("RequestLimitExceeded", ErrorKind::Throttled),
            ("Throttling", ErrorKind::Throttled),
            ("PriorRequestNotComplete", ErrorKind::Throttled),
            ("UnauthorizedOperation", ErrorKind::Denied),
            ("AccessDenied", ErrorKind::Denied),
            ("InvalidVpcID.NotFound", ErrorKind::NotFound),
            ("InvalidVpcEndpointId.NotFound", ErrorKind::NotFound),
            ("NoSuchHostedZone", ErrorKind::NotFound),
            ("ConflictingDomainExists", ErrorKind::Conflict),
            ("HostedZoneNotEmpty", ErrorKind::Conflict),
            ("InvalidParameterValue", ErrorKind::InvalidInput),
            ("InvalidVpcEndpointId.Malformed", ErrorKind::InvalidInput),
            ("InternalError", ErrorKind::Unavailable),
            ("SomethingElse", ErrorKind::Other),
        ];
        for (code, kind) in cases {
            assert_eq!(kind_of_code(code), kind, "{code}");
        }
    }
}
