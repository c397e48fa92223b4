//! Preflight's rules: what a request, and what was read of Zilliz Cloud and
//! AWS for it, mean for whoever approves it. Pure: `service::preflight`
//! reads the facts into [`Observed`], [`judge`] turns them into the plan and
//! its findings, and a table test (below) holds each rule.

use std::collections::{BTreeMap, BTreeSet};

use super::command::CreateRequest;
use super::ids::{AccountId, ClusterId, SecurityGroupId, SubnetId};
use super::plan::{Finding, Plan, join, port_of};
use super::words::{ClusterPlan, ClusterStatus};
use crate::text;

/// Zilliz's default cluster port, assumed when no address says otherwise.
pub const DEFAULT_CLUSTER_PORT: i32 = 19530;

/// The region's endpoint service, as Zilliz Cloud lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceSeen {
    pub name: String,
    pub whitelist_required: bool,
}

/// A cluster, as Zilliz Cloud describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterSeen {
    pub plan: ClusterPlan,
    pub project: String,
    pub region: String,
    pub status: ClusterStatus,
}

/// A subnet or a security group: which VPC it is in, and for a subnet its
/// availability zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubnetSeen {
    pub id: SubnetId,
    pub vpc: String,
    pub zone: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupSeen {
    pub id: SecurityGroupId,
    pub vpc: String,
}

/// What AWS showed of the request's network.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AwsSeen {
    pub account: Option<AccountId>,
    /// The VPC's DNS support and DNS hostnames; `None`: no such VPC (then
    /// nothing else was read).
    pub vpc: Option<(bool, bool)>,
    pub subnets: Vec<SubnetSeen>,
    /// The zones AWS offers the endpoint service in; `None`: AWS does not
    /// show the service to this account.
    pub service_zones: Option<Vec<String>>,
    pub groups: Vec<GroupSeen>,
    /// The ports the cluster needs that the groups (those in the VPC) do
    /// not let in.
    pub closed_ports: Vec<i32>,
    /// The EC2 dry run's verdict when one was made: `Err` says why it
    /// would be denied.
    pub dry_run: Option<Result<(), String>>,
}

/// Why AWS could not be judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AwsUnread {
    /// No credentials or role for the region.
    Unreachable(String),
    /// A read was refused or failed part-way.
    Refused(String),
}

/// Everything preflight read, each part as it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    /// The region's endpoint service; `Err` with Zilliz Cloud's words.
    pub service: Result<Option<ServiceSeen>, String>,
    /// Each requested cluster: described, unknown (`None`), or unreadable.
    pub clusters: Vec<(ClusterId, Result<Option<ClusterSeen>, String>)>,
    pub aws: Result<AwsSeen, AwsUnread>,
}

/// The ports the clusters need (443, and each one's address's port, or
/// Zilliz's default when no address says): what the security groups must
/// let in.
pub fn ports_needed<'a>(addresses: impl IntoIterator<Item = &'a str>) -> BTreeSet<i32> {
    let mut ports = BTreeSet::from([443]);
    ports.extend(addresses.into_iter().filter_map(port_of));
    if ports.len() == 1 {
        ports.insert(DEFAULT_CLUSTER_PORT);
    }
    ports
}

/// The plan for `r` from what was observed: the endpoint service, the
/// account, and every finding in the order a reader follows (Zilliz first,
/// then AWS).
pub fn judge(r: &CreateRequest, observed: &Observed) -> Plan {
    let mut findings = Vec::new();
    let service = match &observed.service {
        Ok(service) => service.as_ref(),
        Err(error) => {
            findings.push(Finding::blocking(
                text!("finding-zilliz-services-unreadable", error = error.as_str()),
                text!("fix-zilliz-credentials"),
            ));
            None
        }
    };
    if service.is_none() && findings.is_empty() {
        findings.push(Finding::blocking(
            text!("finding-no-endpoint-service", region = r.region),
            text!("fix-pick-region"),
        ));
    }
    for (cluster, seen) in &observed.clusters {
        findings.extend(cluster_findings(r, cluster, seen));
    }
    let account = match &observed.aws {
        Err(AwsUnread::Unreachable(error)) => {
            findings.push(Finding::blocking(
                text!(
                    "finding-aws-unreachable",
                    region = r.region.aws_region(),
                    error = error.as_str()
                ),
                text!("fix-aws-credentials"),
            ));
            None
        }
        Err(AwsUnread::Refused(error)) => {
            findings.push(Finding::blocking(
                text!("finding-aws-refused", error = error.as_str()),
                text!("fix-iam"),
            ));
            None
        }
        Ok(aws) => {
            findings.extend(aws_findings(r, service, aws));
            aws.account.clone()
        }
    };
    Plan {
        whitelist_required: service.is_some_and(|s| s.whitelist_required),
        endpoint_service: service.map(|s| s.name.clone()).unwrap_or_default(),
        account,
        findings,
    }
}

fn cluster_findings(
    r: &CreateRequest,
    cluster: &ClusterId,
    seen: &Result<Option<ClusterSeen>, String>,
) -> Vec<Finding> {
    let c = match seen {
        Ok(Some(c)) => c,
        Ok(None) => {
            return vec![Finding::blocking(
                text!("finding-no-cluster", cluster = cluster),
                text!("fix-cluster-id"),
            )];
        }
        Err(error) => {
            return vec![Finding::blocking(
                text!(
                    "finding-cluster-unreadable",
                    cluster = cluster,
                    error = error.as_str()
                ),
                text!("fix-zilliz-credentials"),
            )];
        }
    };
    let mut findings = Vec::new();
    if let ClusterPlan::Shared(plan) = &c.plan {
        findings.push(Finding::blocking(
            text!("finding-not-dedicated", cluster = cluster, plan = plan),
            text!("fix-dedicated"),
        ));
    }
    if c.project != r.project.as_str() {
        findings.push(Finding::blocking(
            text!(
                "finding-cluster-project",
                cluster = cluster,
                actual = c.project,
                requested = r.project
            ),
            text!("fix-cluster-project"),
        ));
    }
    if c.region != r.region.as_str() {
        findings.push(Finding::blocking(
            text!(
                "finding-cluster-region",
                cluster = cluster,
                actual = c.region,
                requested = r.region
            ),
            text!("fix-cluster-region"),
        ));
    }
    if c.status != ClusterStatus::Running {
        findings.push(Finding::warning(
            text!(
                "finding-cluster-not-running",
                cluster = cluster,
                status = c.status
            ),
            None,
        ));
    }
    findings
}

/// The AWS findings; the dry run is made (by the reader) only when these
/// hold nothing blocking without it.
pub fn aws_findings(
    r: &CreateRequest,
    service: Option<&ServiceSeen>,
    aws: &AwsSeen,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let account = aws.account.as_ref().map_or("?", AccountId::as_str);
    let Some((dns_support, dns_hostnames)) = aws.vpc else {
        return vec![Finding::blocking(
            text!(
                "finding-no-vpc",
                vpc = r.vpc,
                region = r.region.aws_region(),
                account = account
            ),
            text!("fix-vpc-id"),
        )];
    };
    if !dns_support {
        findings.push(Finding::blocking(
            text!("finding-dns-support-off", vpc = r.vpc),
            text!("fix-dns-support", vpc = r.vpc),
        ));
    }
    if !dns_hostnames {
        findings.push(Finding::blocking(
            text!("finding-dns-hostnames-off", vpc = r.vpc),
            text!("fix-dns-hostnames", vpc = r.vpc),
        ));
    }
    match (service, &aws.service_zones) {
        // AWS shows a service that requires a whitelist only to accounts
        // allowed in, which is what the job's first step does: say so,
        // and leave the zones to that step.
        (Some(s), None) if s.whitelist_required => findings.push(Finding::warning(
            text!(
                "finding-service-not-yet-visible",
                service = s.name,
                account = account
            ),
            None,
        )),
        (Some(s), None) => findings.push(Finding::blocking(
            text!(
                "finding-service-invisible",
                service = s.name,
                account = account
            ),
            text!("fix-service-invisible"),
        )),
        _ => {}
    }
    findings.extend(subnet_findings(r, service.is_some(), aws));
    findings.extend(group_findings(r, aws));
    if let Some(Err(why)) = &aws.dry_run {
        findings.push(Finding::blocking(
            text!("finding-dry-run-denied", why = why.as_str()),
            text!("fix-dry-run-denied"),
        ));
    }
    findings
}

fn subnet_findings(r: &CreateRequest, service_known: bool, aws: &AwsSeen) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut zones_used: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for id in &r.subnets {
        match aws.subnets.iter().find(|s| s.id == *id) {
            None => findings.push(Finding::blocking(
                text!("finding-no-subnet", subnet = id),
                text!("fix-subnet-ids"),
            )),
            Some(s) if s.vpc != r.vpc.as_str() => findings.push(Finding::blocking(
                text!(
                    "finding-subnet-vpc",
                    subnet = id,
                    actual = s.vpc,
                    vpc = r.vpc
                ),
                text!("fix-subnet-vpc", vpc = r.vpc),
            )),
            Some(s) => {
                zones_used
                    .entry(s.zone.as_str())
                    .or_default()
                    .push(id.to_string());
                if let Some(zs) = &aws.service_zones
                    && service_known
                    && !zs.contains(&s.zone)
                {
                    findings.push(Finding::blocking(
                        text!("finding-subnet-zone", subnet = id, zone = s.zone),
                        text!("fix-subnet-zone", zones = zs.join(", ")),
                    ));
                }
            }
        }
    }
    for (zone, ids) in zones_used {
        if ids.len() > 1 {
            findings.push(Finding::blocking(
                text!(
                    "finding-subnets-same-zone",
                    subnets = ids.join(", "),
                    zone = zone
                ),
                text!("fix-one-subnet-per-zone"),
            ));
        }
    }
    findings
}

fn group_findings(r: &CreateRequest, aws: &AwsSeen) -> Vec<Finding> {
    let mut findings = Vec::new();
    for id in &r.security_groups {
        match aws.groups.iter().find(|g| g.id == *id) {
            None => findings.push(Finding::blocking(
                text!("finding-no-sg", sg = id),
                text!("fix-sg-ids"),
            )),
            Some(g) if g.vpc != r.vpc.as_str() => findings.push(Finding::blocking(
                text!("finding-sg-vpc", sg = id, actual = g.vpc, vpc = r.vpc),
                text!("fix-sg-vpc", vpc = r.vpc),
            )),
            Some(_) => {}
        }
    }
    let any_in_vpc = aws.groups.iter().any(|g| g.vpc == r.vpc.as_str());
    if !aws.closed_ports.is_empty() && any_in_vpc {
        let closed = aws
            .closed_ports
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        findings.push(Finding::warning(
            text!(
                "finding-ports-closed",
                sgs = join(&r.security_groups),
                ports = closed.as_str()
            ),
            Some(text!("fix-ports-closed", ports = closed.as_str())),
        ));
    }
    findings
}

#[cfg(test)]
mod tests;
