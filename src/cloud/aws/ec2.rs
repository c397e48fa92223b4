//! EC2 as the `Network` port: VPCs, subnets, security groups, endpoint
//! services and the VPC endpoints themselves.

use async_trait::async_trait;
use aws_sdk_ec2::error::ProvideErrorMetadata;
use aws_sdk_ec2::types::{
    Filter, ResourceType, Tag, TagSpecification, VpcAttributeName, VpcEndpoint, VpcEndpointType,
};

use super::{describe, kind_of_code, missing, sts};
use crate::domain::ids::{AccountId, EndpointId, JobId, SecurityGroupId, SubnetId, VpcId, ZoneId};
use crate::ports::cloud::{
    CloudError, CloudResult, EndpointInfo, EndpointSpec, EndpointState, IngressRule, JOB_TAG,
    Network, Permission, Provider, SecurityGroupInfo, SubnetInfo, VpcInfo,
};

pub(super) struct Ec2Network {
    pub(super) ec2: aws_sdk_ec2::Client,
    pub(super) account: std::sync::Arc<sts::Account>,
    pub(super) dry_run: bool,
}

fn endpoint_info(e: &VpcEndpoint) -> Option<EndpointInfo> {
    let id = EndpointId::parse(e.vpc_endpoint_id()?).ok()?;
    Some(EndpointInfo {
        id,
        vpc: e.vpc_id().unwrap_or_default().to_owned(),
        service_name: e.service_name().unwrap_or_default().to_owned(),
        state: EndpointState::parse(e.state().map(|s| s.as_str()).unwrap_or_default()),
        // An entry without a name or a zone id is no target for an alias.
        dns_entries: e
            .dns_entries()
            .iter()
            .filter_map(|d| {
                let zone = ZoneId::parse(d.hosted_zone_id()?).ok()?;
                Some((d.dns_name()?.to_owned(), zone))
            })
            .collect(),
        job_tag: e
            .tags()
            .iter()
            .find(|t| t.key() == Some(JOB_TAG))
            .and_then(|t| t.value().map(str::to_owned)),
    })
}

/// The tags an endpoint is created with: the job's (found again after a
/// crash by them) and a Name. Sent on the DryRun too, so that a policy
/// lacking `ec2:CreateTags` (or its tag conditions) fails preflight rather
/// than the job after approval.
fn endpoint_tags(spec: &EndpointSpec) -> TagSpecification {
    TagSpecification::builder()
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
        .build()
}

fn filter(name: &str, values: impl IntoIterator<Item = String>) -> Filter {
    Filter::builder()
        .name(name)
        .set_values(Some(values.into_iter().collect()))
        .build()
}

impl Ec2Network {
    async fn endpoints_matching(&self, filters: Vec<Filter>) -> CloudResult<Vec<EndpointInfo>> {
        self.endpoint_pages(None, Some(filters))
            .await
            .map_err(describe(Provider::Ec2))
    }

    /// Every page of one DescribeVpcEndpoints, by ids or by filters; EC2's
    /// own error, for the caller to read.
    async fn endpoint_pages(
        &self,
        ids: Option<Vec<String>>,
        filters: Option<Vec<Filter>>,
    ) -> Result<
        Vec<EndpointInfo>,
        aws_sdk_ec2::error::SdkError<
            aws_sdk_ec2::operation::describe_vpc_endpoints::DescribeVpcEndpointsError,
        >,
    > {
        let mut out = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let page = self
                .ec2
                .describe_vpc_endpoints()
                .set_vpc_endpoint_ids(ids.clone())
                .set_filters(filters.clone())
                .set_next_token(next.clone())
                .send()
                .await?;
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
    async fn account_id(&self) -> CloudResult<AccountId> {
        self.account.id().await
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
            .tag_specifications(endpoint_tags(spec))
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

    /// One DescribeVpcEndpoints for all of them (paged). EC2 refuses the
    /// whole read when one id no longer exists; then each is read alone,
    /// which costs calls only when something is gone.
    async fn endpoints(&self, ids: &[EndpointId]) -> CloudResult<Vec<EndpointInfo>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let wanted = Some(ids.iter().map(ToString::to_string).collect());
        match self.endpoint_pages(wanted, None).await {
            Ok(found) => Ok(found),
            Err(e)
                if e.code()
                    .is_some_and(|c| c.starts_with("InvalidVpcEndpointId")) =>
            {
                let mut found = Vec::new();
                for id in ids {
                    found.extend(self.endpoint(id).await?);
                }
                Ok(found)
            }
            Err(e) => Err(describe(Provider::Ec2)(e)),
        }
    }

    async fn create_endpoint(&self, spec: &EndpointSpec) -> CloudResult<EndpointInfo> {
        let tags = endpoint_tags(spec);
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
            .client_token(&spec.client_token)
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
