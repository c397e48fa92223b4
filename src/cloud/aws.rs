//! The AWS adapter: `Network` over aws-sdk-ec2 (and STS for the account id),
//! `Dns` over aws-sdk-route53. Credentials come from the default chain, or
//! from an assumed role; the endpoint URL can be pointed at an emulator.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_ec2::config::http::HttpResponse;
use aws_sdk_ec2::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_ec2::operation::RequestId;
use aws_sdk_ec2::types::{
    Filter, ResourceType, Tag, TagSpecification, VpcAttributeName, VpcEndpoint, VpcEndpointType,
};
use aws_sdk_route53::types::{
    AliasTarget as R53AliasTarget, Change, ChangeAction, ChangeBatch, HostedZoneConfig,
    ResourceRecordSet, RrType, Vpc as R53Vpc, VpcRegion,
};
use serde::Deserialize;

use crate::domain::ids::{
    AwsRegion, EndpointId, JobId, Partition, RoleArn, SecurityGroupId, SubnetId, VpcId,
};
use crate::ports::cloud::{
    AliasTarget, AwsTarget, CloudAccess, CloudError, CloudResult, Dns, EndpointInfo, EndpointSpec,
    ErrorKind, IngressRule, JOB_TAG, Network, Permission, Provider, SecurityGroupInfo, SubnetInfo,
    VpcInfo, ZoneInfo,
};

/// AWS settings from config.
#[derive(Debug, Clone, Default, Deserialize)]
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
}

fn yes() -> bool {
    true
}

/// Builds and caches AWS clients per (region, role).
pub struct AwsAccess {
    settings: AwsSettings,
    cache: Mutex<HashMap<(String, Option<String>), AwsTarget>>,
}

impl AwsAccess {
    pub fn new(settings: AwsSettings) -> Self {
        Self {
            settings,
            cache: Mutex::new(HashMap::new()),
        }
    }

    async fn sdk_config(&self, region: &str, role: Option<&RoleArn>) -> SdkConfig {
        let mut loader =
            aws_config::defaults(BehaviorVersion::latest()).region(Region::new(region.to_owned()));
        if let Some(url) = &self.settings.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        if self.settings.emulator_credentials {
            loader = loader.credentials_provider(Credentials::new(
                "testing", "testing", None, None, "emulator",
            ));
        }
        let base = loader.load().await;
        match role {
            None => base,
            Some(role) => {
                let provider = aws_config::sts::AssumeRoleProvider::builder(role.as_str())
                    .configure(&base)
                    .session_name("privatelink-bot")
                    .build()
                    .await;
                base.into_builder()
                    .credentials_provider(SharedCredentialsProvider::new(provider))
                    .build()
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
        // Route 53 is global; its API lives in one region per partition.
        let global_region = match region.partition() {
            Partition::Aws => "us-east-1",
            Partition::AwsCn => "cn-northwest-1",
        };
        let global = self.sdk_config(global_region, role).await;
        let target = AwsTarget {
            network: Arc::new(Ec2Network {
                ec2: aws_sdk_ec2::Client::new(&regional),
                sts: aws_sdk_sts::Client::new(&regional),
                dry_run: self.settings.dry_run_preflight,
            }),
            dns: Arc::new(Route53Dns {
                r53: aws_sdk_route53::Client::new(&global),
            }),
        };
        if let Ok(mut c) = self.cache.lock() {
            c.insert(key, target.clone());
        }
        Ok(target)
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
fn describe<E>(provider: Provider) -> impl Fn(SdkError<E, HttpResponse>) -> CloudError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    move |e| {
        let request_id = e.request_id().map(str::to_owned);
        let (kind, code, message) = match &e {
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

/// A well-formed answer that lacks what the bot needs.
fn missing(provider: Provider, what: &str) -> CloudError {
    CloudError::new(ErrorKind::Other, provider, what)
}

/// A request the bot could not even build.
fn unbuildable(e: impl std::fmt::Display) -> CloudError {
    CloudError::new(ErrorKind::InvalidInput, Provider::Route53, e.to_string())
}

struct Ec2Network {
    ec2: aws_sdk_ec2::Client,
    sts: aws_sdk_sts::Client,
    dry_run: bool,
}

fn endpoint_info(e: &VpcEndpoint) -> Option<EndpointInfo> {
    let id = EndpointId::parse(e.vpc_endpoint_id()?).ok()?;
    Some(EndpointInfo {
        id,
        vpc: e.vpc_id().unwrap_or_default().to_owned(),
        service_name: e.service_name().unwrap_or_default().to_owned(),
        state: e
            .state()
            .map(|s| s.as_str().to_ascii_lowercase())
            .unwrap_or_default(),
        dns_entries: e
            .dns_entries()
            .iter()
            .filter_map(|d| Some((d.dns_name()?.to_owned(), d.hosted_zone_id()?.to_owned())))
            .collect(),
        job_tag: e
            .tags()
            .iter()
            .find(|t| t.key() == Some(JOB_TAG))
            .and_then(|t| t.value().map(str::to_owned)),
    })
}

fn filter(name: &str, values: impl IntoIterator<Item = String>) -> Filter {
    Filter::builder()
        .name(name)
        .set_values(Some(values.into_iter().collect()))
        .build()
}

impl Ec2Network {
    async fn endpoints_matching(&self, filters: Vec<Filter>) -> CloudResult<Vec<EndpointInfo>> {
        let mut out = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let page = self
                .ec2
                .describe_vpc_endpoints()
                .set_filters(Some(filters.clone()))
                .set_next_token(next.clone())
                .send()
                .await
                .map_err(describe(Provider::Ec2))?;
            out.extend(page.vpc_endpoints().iter().filter_map(endpoint_info));
            next = page
                .next_token()
                .filter(|t| !t.is_empty())
                .map(str::to_owned);
            if next.is_none() {
                return Ok(out);
            }
        }
    }

    async fn vpc_attribute(&self, vpc: &VpcId, name: VpcAttributeName) -> CloudResult<bool> {
        let out = self
            .ec2
            .describe_vpc_attribute()
            .vpc_id(vpc.as_str())
            .attribute(name.clone())
            .send()
            .await
            .map_err(describe(Provider::Ec2))?;
        let value = match name {
            VpcAttributeName::EnableDnsSupport => out.enable_dns_support(),
            _ => out.enable_dns_hostnames(),
        };
        Ok(value.and_then(|v| v.value()).unwrap_or(false))
    }
}

#[async_trait]
impl Network for Ec2Network {
    async fn account_id(&self) -> CloudResult<String> {
        let out = self
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(describe(Provider::Sts))?;
        out.account()
            .map(str::to_owned)
            .ok_or_else(|| missing(Provider::Sts, "GetCallerIdentity returned no account id"))
    }

    async fn vpc(&self, vpc: &VpcId) -> CloudResult<Option<VpcInfo>> {
        let found = self
            .ec2
            .describe_vpcs()
            .filters(filter("vpc-id", [vpc.to_string()]))
            .send()
            .await
            .map_err(describe(Provider::Ec2))?;
        if found.vpcs().is_empty() {
            return Ok(None);
        }
        Ok(Some(VpcInfo {
            dns_support: self
                .vpc_attribute(vpc, VpcAttributeName::EnableDnsSupport)
                .await?,
            dns_hostnames: self
                .vpc_attribute(vpc, VpcAttributeName::EnableDnsHostnames)
                .await?,
        }))
    }

    async fn subnets(&self, ids: &[SubnetId]) -> CloudResult<Vec<SubnetInfo>> {
        // A filter, not SubnetIds: a missing id then drops out instead of
        // failing the whole call, so preflight can name it.
        let out = self
            .ec2
            .describe_subnets()
            .filters(filter("subnet-id", ids.iter().map(ToString::to_string)))
            .send()
            .await
            .map_err(describe(Provider::Ec2))?;
        Ok(out
            .subnets()
            .iter()
            .filter_map(|s| {
                Some(SubnetInfo {
                    id: SubnetId::parse(s.subnet_id()?).ok()?,
                    vpc: s.vpc_id()?.to_owned(),
                    availability_zone: s.availability_zone()?.to_owned(),
                })
            })
            .collect())
    }

    async fn security_groups(
        &self,
        ids: &[SecurityGroupId],
    ) -> CloudResult<Vec<SecurityGroupInfo>> {
        let out = self
            .ec2
            .describe_security_groups()
            .filters(filter("group-id", ids.iter().map(ToString::to_string)))
            .send()
            .await
            .map_err(describe(Provider::Ec2))?;
        Ok(out
            .security_groups()
            .iter()
            .filter_map(|g| {
                Some(SecurityGroupInfo {
                    id: SecurityGroupId::parse(g.group_id()?).ok()?,
                    vpc: g.vpc_id()?.to_owned(),
                    ingress: g
                        .ip_permissions()
                        .iter()
                        .map(|p| IngressRule {
                            protocol: p.ip_protocol().unwrap_or("-1").to_ascii_lowercase(),
                            from_port: p.from_port(),
                            to_port: p.to_port(),
                        })
                        .collect(),
                })
            })
            .collect())
    }

    async fn service_zones(&self, service_name: &str) -> CloudResult<Option<Vec<String>>> {
        match self
            .ec2
            .describe_vpc_endpoint_services()
            .service_names(service_name)
            .send()
            .await
        {
            Ok(out) => Ok(out
                .service_details()
                .iter()
                .find(|d| d.service_name() == Some(service_name))
                .map(|d| d.availability_zones().to_vec())),
            Err(e) if e.code() == Some("InvalidServiceName") => Ok(None),
            Err(e) => Err(describe(Provider::Ec2)(e)),
        }
    }

    async fn may_create_endpoint(&self, spec: &EndpointSpec) -> CloudResult<Permission> {
        if !self.dry_run {
            return Ok(Permission::Unknown);
        }
        let result = self
            .ec2
            .create_vpc_endpoint()
            .dry_run(true)
            .vpc_endpoint_type(VpcEndpointType::Interface)
            .vpc_id(spec.vpc.as_str())
            .service_name(&spec.service_name)
            .set_subnet_ids(Some(spec.subnets.iter().map(ToString::to_string).collect()))
            .set_security_group_ids(Some(
                spec.security_groups
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
            ))
            .send()
            .await;
        match result {
            Err(e) if e.code() == Some("DryRunOperation") => Ok(Permission::Allowed),
            Err(e) if e.code() == Some("UnauthorizedOperation") => Ok(Permission::Denied(
                e.message().unwrap_or("unauthorized").to_owned(),
            )),
            // Any other answer (including success from a target that ignores
            // DryRun) says nothing about permissions.
            _ => Ok(Permission::Unknown),
        }
    }

    async fn endpoints_tagged(&self, job: JobId) -> CloudResult<Vec<EndpointInfo>> {
        self.endpoints_matching(vec![filter(&format!("tag:{JOB_TAG}"), [job.to_string()])])
            .await
    }

    async fn endpoints_to_service(
        &self,
        vpc: &VpcId,
        service_name: &str,
    ) -> CloudResult<Vec<EndpointInfo>> {
        let found = self
            .endpoints_matching(vec![
                filter("vpc-id", [vpc.to_string()]),
                filter("service-name", [service_name.to_owned()]),
            ])
            .await?;
        // Filter again: emulators do not implement every filter.
        Ok(found
            .into_iter()
            .filter(|e| e.vpc == vpc.as_str() && e.service_name == service_name)
            .collect())
    }

    async fn endpoint(&self, id: &EndpointId) -> CloudResult<Option<EndpointInfo>> {
        match self
            .ec2
            .describe_vpc_endpoints()
            .vpc_endpoint_ids(id.as_str())
            .send()
            .await
        {
            Ok(out) => Ok(out.vpc_endpoints().iter().find_map(endpoint_info)),
            Err(e)
                if e.code()
                    .is_some_and(|c| c.starts_with("InvalidVpcEndpointId")) =>
            {
                Ok(None)
            }
            Err(e) => Err(describe(Provider::Ec2)(e)),
        }
    }

    async fn create_endpoint(&self, spec: &EndpointSpec) -> CloudResult<EndpointInfo> {
        let tags = TagSpecification::builder()
            .resource_type(ResourceType::VpcEndpoint)
            .tags(
                Tag::builder()
                    .key(JOB_TAG)
                    .value(spec.job.to_string())
                    .build(),
            )
            .tags(
                Tag::builder()
                    .key("Name")
                    .value(format!("zilliz-privatelink-{}", spec.job))
                    .build(),
            )
            .build();
        let out = self
            .ec2
            .create_vpc_endpoint()
            .vpc_endpoint_type(VpcEndpointType::Interface)
            .vpc_id(spec.vpc.as_str())
            .service_name(&spec.service_name)
            .set_subnet_ids(Some(spec.subnets.iter().map(ToString::to_string).collect()))
            .set_security_group_ids(Some(
                spec.security_groups
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
            ))
            .private_dns_enabled(false)
            // AWS deduplicates on this; the tag look-up covers targets that don't.
            .client_token(spec.job.to_string())
            .tag_specifications(tags)
            .send()
            .await
            .map_err(describe(Provider::Ec2))?;
        out.vpc_endpoint()
            .and_then(endpoint_info)
            .ok_or_else(|| missing(Provider::Ec2, "CreateVpcEndpoint returned no endpoint"))
    }

    async fn delete_endpoint(&self, id: &EndpointId) -> CloudResult<()> {
        let out = match self
            .ec2
            .delete_vpc_endpoints()
            .vpc_endpoint_ids(id.as_str())
            .send()
            .await
        {
            Ok(out) => out,
            Err(e)
                if e.code()
                    .is_some_and(|c| c.starts_with("InvalidVpcEndpoint")) =>
            {
                return Ok(());
            }
            Err(e) => return Err(describe(Provider::Ec2)(e)),
        };
        for item in out.unsuccessful() {
            let err = item.error();
            let c = err.and_then(|e| e.code()).unwrap_or_default();
            if !c.starts_with("InvalidVpcEndpoint") {
                let message = format!(
                    "could not delete {id}: {}",
                    err.and_then(|e| e.message()).unwrap_or_default()
                );
                return Err(CloudError::new(kind_of_code(c), Provider::Ec2, message).with_code(c));
            }
        }
        Ok(())
    }
}

struct Route53Dns {
    r53: aws_sdk_route53::Client,
}

fn bare_zone_id(id: &str) -> String {
    id.trim_start_matches("/hostedzone/").to_owned()
}

fn same_name(a: &str, b: &str) -> bool {
    a.trim_end_matches('.')
        .eq_ignore_ascii_case(b.trim_end_matches('.'))
}

#[async_trait]
impl Dns for Route53Dns {
    async fn private_zones(
        &self,
        name: &str,
        vpc: &VpcId,
        _region: &AwsRegion,
    ) -> CloudResult<Vec<ZoneInfo>> {
        let mut out = Vec::new();
        let mut start_name = Some(name.to_owned());
        let mut start_id: Option<String> = None;
        'pages: loop {
            let page = self
                .r53
                .list_hosted_zones_by_name()
                .set_dns_name(start_name.clone())
                .set_hosted_zone_id(start_id.clone())
                .send()
                .await
                .map_err(describe(Provider::Route53))?;
            for z in page.hosted_zones() {
                if !same_name(z.name(), name) {
                    // Zones come sorted by name: past ours, nothing more to find.
                    break 'pages;
                }
                if !z.config().is_some_and(|c| c.private_zone()) {
                    continue;
                }
                let id = bare_zone_id(z.id());
                let detail = self
                    .r53
                    .get_hosted_zone()
                    .id(&id)
                    .send()
                    .await
                    .map_err(describe(Provider::Route53))?;
                if detail
                    .vpcs()
                    .iter()
                    .any(|v| v.vpc_id() == Some(vpc.as_str()))
                {
                    out.push(ZoneInfo {
                        id,
                        name: z.name().to_owned(),
                        caller_reference: z.caller_reference().to_owned(),
                    });
                }
            }
            if !page.is_truncated() {
                break;
            }
            start_name = page.next_dns_name().map(str::to_owned);
            start_id = page.next_hosted_zone_id().map(str::to_owned);
        }
        Ok(out)
    }

    async fn create_private_zone(
        &self,
        name: &str,
        vpc: &VpcId,
        region: &AwsRegion,
        caller_reference: &str,
        comment: &str,
    ) -> CloudResult<ZoneInfo> {
        let out = self
            .r53
            .create_hosted_zone()
            .name(name)
            .caller_reference(caller_reference)
            .vpc(
                R53Vpc::builder()
                    .vpc_id(vpc.as_str())
                    .vpc_region(VpcRegion::from(region.as_str()))
                    .build(),
            )
            .hosted_zone_config(
                HostedZoneConfig::builder()
                    .comment(comment)
                    .private_zone(true)
                    .build(),
            )
            .send()
            .await
            .map_err(describe(Provider::Route53))?;
        let zone = out
            .hosted_zone()
            .ok_or_else(|| missing(Provider::Route53, "CreateHostedZone returned no zone"))?;
        Ok(ZoneInfo {
            id: bare_zone_id(zone.id()),
            name: zone.name().to_owned(),
            caller_reference: zone.caller_reference().to_owned(),
        })
    }

    async fn alias_record(&self, zone: &str, name: &str) -> CloudResult<Option<AliasTarget>> {
        let out = self
            .r53
            .list_resource_record_sets()
            .hosted_zone_id(zone)
            .start_record_name(name)
            .start_record_type(RrType::A)
            .max_items(1)
            .send()
            .await
            .map_err(describe(Provider::Route53))?;
        Ok(out
            .resource_record_sets()
            .iter()
            .find(|r| same_name(r.name(), name) && r.r#type() == &RrType::A)
            .and_then(|r| r.alias_target())
            .map(|a| AliasTarget {
                dns_name: a.dns_name().to_owned(),
                hosted_zone_id: a.hosted_zone_id().to_owned(),
            }))
    }

    async fn upsert_alias(&self, zone: &str, name: &str, target: &AliasTarget) -> CloudResult<()> {
        self.change(zone, name, target, ChangeAction::Upsert).await
    }

    async fn delete_alias(&self, zone: &str, name: &str, target: &AliasTarget) -> CloudResult<()> {
        match self.change(zone, name, target, ChangeAction::Delete).await {
            Ok(()) => Ok(()),
            // Route 53 answers InvalidChangeBatch for a record that is not there.
            Err(e) if e.has_code("InvalidChangeBatch") || e.kind == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn delete_zone(&self, zone: &str) -> CloudResult<()> {
        match self.r53.delete_hosted_zone().id(zone).send().await {
            Ok(_) => Ok(()),
            Err(e) if e.code() == Some("NoSuchHostedZone") => Ok(()),
            Err(e) => Err(describe(Provider::Route53)(e)),
        }
    }
}

impl Route53Dns {
    async fn change(
        &self,
        zone: &str,
        name: &str,
        target: &AliasTarget,
        action: ChangeAction,
    ) -> CloudResult<()> {
        let record = ResourceRecordSet::builder()
            .name(name)
            .r#type(RrType::A)
            .alias_target(
                R53AliasTarget::builder()
                    .dns_name(&target.dns_name)
                    .hosted_zone_id(&target.hosted_zone_id)
                    .evaluate_target_health(false)
                    .build()
                    .map_err(unbuildable)?,
            )
            .build()
            .map_err(unbuildable)?;
        let batch = ChangeBatch::builder()
            .comment("privatelink-bot")
            .changes(
                Change::builder()
                    .action(action)
                    .resource_record_set(record)
                    .build()
                    .map_err(unbuildable)?,
            )
            .build()
            .map_err(unbuildable)?;
        self.r53
            .change_resource_record_sets()
            .hosted_zone_id(zone)
            .change_batch(batch)
            .send()
            .await
            .map_err(describe(Provider::Route53))?;
        Ok(())
    }
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
