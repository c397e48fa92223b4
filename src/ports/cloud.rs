//! Ports to the clouds: `Network` and `Dns` for AWS, `Vendor` for Zilliz
//! Cloud. Shapes are what the bot needs, not what the SDKs return.

use std::sync::Arc;

use async_trait::async_trait;

use crate::domain::ids::{
    AccountId, AwsRegion, ClusterId, EndpointId, JobId, ProjectId, RoleArn, SecurityGroupId,
    SubnetId, VpcId, ZillizRegion, ZoneId,
};

pub use super::error::{CloudError, CloudResult, ErrorKind, Provider};
pub use crate::domain::words::{ClusterPlan, ClusterStatus, EndpointState, RegistrationStatus};

/// The tag key that marks every endpoint the bot creates; its value is the job id.
pub const JOB_TAG: &str = "privatelink-bot:job";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VpcInfo {
    pub dns_support: bool,
    pub dns_hostnames: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubnetInfo {
    pub id: SubnetId,
    pub vpc: String,
    pub availability_zone: String,
}

/// An ingress rule, reduced to what preflight checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngressRule {
    /// "tcp", "udp", "icmp" or "-1" for all.
    pub protocol: String,
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
}

impl IngressRule {
    pub fn admits_tcp(&self, port: i32) -> bool {
        match self.protocol.as_str() {
            "-1" | "all" => true,
            "tcp" | "6" => match (self.from_port, self.to_port) {
                (Some(from), Some(to)) => from <= port && port <= to,
                _ => true,
            },
            _ => false,
        }
    }
}

/// The ports among `ports` that none of `groups` lets in over TCP: what
/// preflight guesses from the public address and the job checks again once
/// the private link port is known.
pub fn closed_ports<'a>(
    groups: impl IntoIterator<Item = &'a SecurityGroupInfo>,
    ports: &std::collections::BTreeSet<i32>,
) -> Vec<i32> {
    let groups: Vec<&SecurityGroupInfo> = groups.into_iter().collect();
    ports
        .iter()
        .copied()
        .filter(|&p| {
            !groups
                .iter()
                .any(|g| g.ingress.iter().any(|rule| rule.admits_tcp(p)))
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityGroupInfo {
    pub id: SecurityGroupId,
    pub vpc: String,
    pub ingress: Vec<IngressRule>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointInfo {
    pub id: EndpointId,
    pub vpc: String,
    pub service_name: String,
    pub state: EndpointState,
    /// (DNS name, hosted zone id) pairs, regional and zonal, in AWS's order.
    pub dns_entries: Vec<(String, ZoneId)>,
    pub job_tag: Option<String>,
}

impl EndpointInfo {
    /// The regional DNS entry (see [`regional_dns_entry`]).
    pub fn regional_dns_entry(&self) -> Option<&(String, ZoneId)> {
        regional_dns_entry(&self.dns_entries)
    }

    /// Whether the endpoint is alive or on its way to being so.
    pub fn is_live(&self) -> bool {
        self.state.is_live()
    }
}

/// The regional one of an endpoint's (DNS name, hosted zone) entries,
/// chosen by shape: its first label is `vpce-<id>-<suffix>`, where a zonal
/// entry's goes on with its zone (`…-us-west-2a`). AWS lists the regional
/// one first only by convention. Falls back to the first entry when none
/// has that shape.
pub fn regional_dns_entry<Z>(entries: &[(String, Z)]) -> Option<&(String, Z)> {
    let regional = |name: &str| {
        let label = name.split('.').next().unwrap_or_default();
        label.starts_with("vpce-") && label.split('-').count() == 3
    };
    entries
        .iter()
        .find(|(name, _)| regional(name))
        .or_else(|| entries.first())
}

/// What to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointSpec {
    pub vpc: VpcId,
    pub service_name: String,
    pub subnets: Vec<SubnetId>,
    pub security_groups: Vec<SecurityGroupId>,
    pub job: JobId,
    /// AWS deduplicates creations on it: the same for one attempt (a crash
    /// and resume), new for the next (a retry after the endpoint went),
    /// since AWS returns the old, deleted endpoint for a reused token.
    pub client_token: String,
}

/// The outcome of asking AWS whether the bot may create the endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Permission {
    Allowed,
    Denied(String),
    /// Not checked (dry runs turned off, or not supported by the target).
    Unknown,
}

/// EC2 as the bot needs it.
#[async_trait]
pub trait Network: Send + Sync {
    async fn account_id(&self) -> CloudResult<AccountId>;
    async fn vpc(&self, vpc: &VpcId) -> CloudResult<Option<VpcInfo>>;
    /// The subnets that exist among `ids`; missing ones are left out.
    async fn subnets(&self, ids: &[SubnetId]) -> CloudResult<Vec<SubnetInfo>>;
    /// The security groups that exist among `ids`; missing ones are left out.
    async fn security_groups(&self, ids: &[SecurityGroupId])
    -> CloudResult<Vec<SecurityGroupInfo>>;
    /// The availability zones an endpoint service offers, or None when the
    /// service is not visible to this account.
    async fn service_zones(&self, service_name: &str) -> CloudResult<Option<Vec<String>>>;
    async fn may_create_endpoint(&self, spec: &EndpointSpec) -> CloudResult<Permission>;
    async fn endpoints_tagged(&self, job: JobId) -> CloudResult<Vec<EndpointInfo>>;
    async fn endpoints_to_service(
        &self,
        vpc: &VpcId,
        service_name: &str,
    ) -> CloudResult<Vec<EndpointInfo>>;
    async fn endpoint(&self, id: &EndpointId) -> CloudResult<Option<EndpointInfo>>;
    /// The endpoints among `ids` that exist, in as few reads as EC2 allows
    /// (the drift watch reads every job's endpoint in one sweep).
    async fn endpoints(&self, ids: &[EndpointId]) -> CloudResult<Vec<EndpointInfo>>;
    async fn create_endpoint(&self, spec: &EndpointSpec) -> CloudResult<EndpointInfo>;
    /// Deletes an endpoint; one that is already gone is not an error.
    async fn delete_endpoint(&self, id: &EndpointId) -> CloudResult<()>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneInfo {
    pub id: ZoneId,
    pub name: String,
    /// Empty for a zone of another owner (its details cannot be read).
    pub caller_reference: String,
    /// Who owns the zone, when it is not this account: another account
    /// or an AWS service, as `ListHostedZonesByVPC` says. The bot never
    /// reads into, writes to or deletes such a zone.
    pub foreign_owner: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasTarget {
    pub dns_name: String,
    pub hosted_zone_id: ZoneId,
    /// As the record says (the bot writes `false`); a DELETE must match
    /// the record exactly, this included.
    pub evaluate_target_health: bool,
}

/// Route 53 as the bot needs it.
#[async_trait]
pub trait Dns: Send + Sync {
    /// Private zones with this name associated with this VPC.
    async fn private_zones(
        &self,
        name: &str,
        vpc: &VpcId,
        region: &AwsRegion,
    ) -> CloudResult<Vec<ZoneInfo>>;
    async fn create_private_zone(
        &self,
        name: &str,
        vpc: &VpcId,
        region: &AwsRegion,
        caller_reference: &str,
        comment: &str,
    ) -> CloudResult<ZoneInfo>;
    /// Associates the VPC with a private zone again (a zone someone
    /// detached by hand). A VPC already associated is a `Conflict`, as is
    /// another zone of that name already answering in the VPC.
    async fn associate_zone(
        &self,
        zone: &ZoneId,
        vpc: &VpcId,
        region: &AwsRegion,
    ) -> CloudResult<()>;
    /// Every zone associated with the VPC, whoever owns it.
    async fn zones_in_vpc(&self, vpc: &VpcId, region: &AwsRegion) -> CloudResult<Vec<ZoneId>>;
    /// The alias A record at `name` in `zone`, if there is one.
    async fn alias_record(&self, zone: &ZoneId, name: &str) -> CloudResult<Option<AliasTarget>>;
    /// UPSERTs the alias record; returns the change's id, which is
    /// `PENDING` until every Route 53 server has it.
    async fn upsert_alias(
        &self,
        zone: &ZoneId,
        name: &str,
        target: &AliasTarget,
    ) -> CloudResult<String>;
    /// Whether a change is `INSYNC` (`GetChange`).
    async fn change_in_sync(&self, change: &str) -> CloudResult<bool>;
    /// Deletes the alias record exactly as `target` (read from the record)
    /// says; one that is already gone is not an error, one that no longer
    /// matches is.
    async fn delete_alias(
        &self,
        zone: &ZoneId,
        name: &str,
        target: &AliasTarget,
    ) -> CloudResult<()>;
    /// Deletes a zone; one that is already gone is not an error.
    async fn delete_zone(&self, zone: &ZoneId) -> CloudResult<()>;
}

/// EC2 and Route 53 for one account and region.
#[derive(Clone)]
pub struct AwsTarget {
    pub network: Arc<dyn Network>,
    pub dns: Arc<dyn Dns>,
}

/// Gives AWS clients for a region, optionally through an assumed role.
#[async_trait]
pub trait CloudAccess: Send + Sync {
    async fn target(&self, region: &AwsRegion, role: Option<&RoleArn>) -> CloudResult<AwsTarget>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointService {
    pub region: String,
    pub service_name: String,
    pub whitelist_required: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredEndpoint {
    pub endpoint_id: String,
    pub region: String,
    pub status: RegistrationStatus,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterInfo {
    pub id: String,
    pub name: String,
    pub project_id: String,
    pub region_id: String,
    pub plan: ClusterPlan,
    pub status: ClusterStatus,
    /// Empty until a private endpoint is registered and accepted.
    pub private_link_address: Option<String>,
    /// The public address; its port is the cluster's until a private one
    /// exists.
    pub connect_address: Option<String>,
}

/// Zilliz Cloud's control plane as the bot needs it.
#[async_trait]
pub trait Vendor: Send + Sync {
    async fn endpoint_services(
        &self,
        region: &ZillizRegion,
        project: &ProjectId,
    ) -> CloudResult<Vec<EndpointService>>;
    async fn register_endpoint(
        &self,
        project: &ProjectId,
        region: &ZillizRegion,
        endpoint: &EndpointId,
    ) -> CloudResult<()>;
    async fn endpoints(&self, project: &ProjectId) -> CloudResult<Vec<RegisteredEndpoint>>;
    /// Allows an AWS account into the region's endpoint service, where the
    /// service says `whitelistRequired`. Add-only: repeating it is harmless.
    async fn whitelist_account(
        &self,
        project: &ProjectId,
        region: &ZillizRegion,
        account: &AccountId,
    ) -> CloudResult<()>;
    /// Deregisters; one that is already gone is not an error.
    async fn deregister_endpoint(
        &self,
        project: &ProjectId,
        region: &ZillizRegion,
        endpoint: &EndpointId,
    ) -> CloudResult<()>;
    /// A cluster's details, or None when there is no such cluster.
    async fn cluster(&self, cluster: &ClusterId) -> CloudResult<Option<ClusterInfo>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(names: &[&str]) -> EndpointInfo {
        EndpointInfo {
            id: EndpointId::parse("vpce-0123456789abcdef0").expect("id"),
            vpc: "vpc-1".into(),
            service_name: "svc".into(),
            state: EndpointState::Available,
            dns_entries: names
                .iter()
                .map(|n| (n.to_string(), ZoneId::parse("Z1").expect("a zone id")))
                .collect(),
            job_tag: None,
        }
    }

    #[test]
    fn the_regional_entry_is_chosen_by_shape_not_position() {
        let e = endpoint(&[
            "vpce-0123456789abcdef0-abcd1234-us-west-2a.vpce-svc-1.us-west-2.vpce.amazonaws.com",
            "vpce-0123456789abcdef0-abcd1234.vpce-svc-1.us-west-2.vpce.amazonaws.com",
        ]);
        assert_eq!(
            e.regional_dns_entry().map(|(n, _)| n.as_str()),
            Some("vpce-0123456789abcdef0-abcd1234.vpce-svc-1.us-west-2.vpce.amazonaws.com")
        );
        assert_eq!(endpoint(&[]).regional_dns_entry(), None);
        let odd = endpoint(&["odd.example.com"]);
        assert_eq!(
            odd.regional_dns_entry().map(|(n, _)| n.as_str()),
            Some("odd.example.com")
        );
    }
}
