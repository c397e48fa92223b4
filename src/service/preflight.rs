//! Preflight: checks a request against AWS and Zilliz Cloud before anyone is
//! asked to approve it, so approvers see problems and blocked requests never
//! reach the card. This reads; the rules are `domain::preflight::judge`.

use std::collections::BTreeSet;

use crate::domain::command::CreateRequest;
use crate::domain::ids::JobId;
use crate::domain::plan::{ControlPlane, Finding, Plan};
use crate::domain::preflight::{
    AwsSeen, AwsUnread, ClusterSeen, GroupSeen, Observed, ServiceSeen, SubnetSeen, aws_findings,
    judge, ports_needed,
};
use crate::ports::cloud::{CloudAccess, EndpointSpec, Permission, Vendor, closed_ports};

pub use crate::domain::plan::{control_plane_fix, control_plane_mismatch};

/// Reads what the request depends on, then judges it (`domain::preflight`);
/// AWS or Zilliz being unreachable is itself a blocking finding, since an
/// unchecked request must not be approved.
pub async fn preflight(
    request: &CreateRequest,
    cloud: &dyn CloudAccess,
    vendor: &dyn Vendor,
    dry_run: bool,
    control_plane: &ControlPlane,
) -> Plan {
    let r = request;
    if let Some(problem) = control_plane_mismatch(&r.region, control_plane) {
        return Plan {
            endpoint_service: String::new(),
            account: None,
            whitelist_required: false,
            findings: vec![Finding::blocking(problem, control_plane_fix())],
        };
    }
    // Zilliz side: the endpoint service for the region, and the clusters.
    let service = vendor
        .endpoint_services(&r.region, &r.project)
        .await
        .map(|list| {
            list.into_iter()
                .find(|s| s.region == r.region.as_str() && !s.service_name.is_empty())
                .map(|s| ServiceSeen {
                    name: s.service_name,
                    whitelist_required: s.whitelist_required,
                })
        })
        .map_err(|e| format!("{e:#}"));
    let mut clusters = Vec::new();
    let mut addresses = Vec::new();
    for cluster in &r.clusters {
        let seen = match vendor.cluster(cluster).await {
            Ok(Some(c)) => {
                addresses.extend(c.private_link_address.clone().or(c.connect_address.clone()));
                Ok(Some(ClusterSeen {
                    plan: c.plan,
                    project: c.project_id,
                    region: c.region_id,
                    status: c.status,
                }))
            }
            Ok(None) => Ok(None),
            Err(e) => Err(format!("{e:#}")),
        };
        clusters.push((cluster.clone(), seen));
    }
    let ports = ports_needed(addresses.iter().map(String::as_str));
    // AWS side.
    let aws = match cloud.target(&r.region.aws_region(), r.role.as_ref()).await {
        Err(e) => Err(AwsUnread::Unreachable(format!("{e:#}"))),
        Ok(aws) => {
            let service = service.as_ref().ok().and_then(Option::as_ref);
            read_aws(r, &*aws.network, service, &ports, dry_run)
                .await
                .map_err(|e| AwsUnread::Refused(format!("{e:#}")))
        }
    };
    judge(
        r,
        &Observed {
            service,
            clusters,
            aws,
        },
    )
}

/// What AWS shows of the request's network; the EC2 dry run only when
/// nothing else already blocks the request.
async fn read_aws(
    r: &CreateRequest,
    network: &dyn crate::ports::cloud::Network,
    service: Option<&ServiceSeen>,
    ports: &BTreeSet<i32>,
    dry_run: bool,
) -> anyhow::Result<AwsSeen> {
    let mut seen = AwsSeen {
        account: network.account_id().await.ok(),
        ..AwsSeen::default()
    };
    let Some(vpc) = network.vpc(&r.vpc).await? else {
        return Ok(seen);
    };
    seen.vpc = Some((vpc.dns_support, vpc.dns_hostnames));
    seen.subnets = network
        .subnets(&r.subnets)
        .await?
        .into_iter()
        .map(|s| SubnetSeen {
            id: s.id,
            vpc: s.vpc,
            zone: s.availability_zone,
        })
        .collect();
    seen.service_zones = match service {
        Some(s) => network.service_zones(&s.name).await?,
        None => Some(Vec::new()),
    };
    let groups = network.security_groups(&r.security_groups).await?;
    let in_vpc = groups.iter().filter(|g| g.vpc == r.vpc.as_str());
    seen.closed_ports = closed_ports(in_vpc, ports);
    seen.groups = groups
        .into_iter()
        .map(|g| GroupSeen {
            id: g.id,
            vpc: g.vpc,
        })
        .collect();
    if dry_run
        && let Some(s) = service
        && aws_findings(r, Some(s), &seen)
            .iter()
            .all(|f| !f.is_blocking())
    {
        let spec = EndpointSpec {
            vpc: r.vpc.clone(),
            service_name: s.name.clone(),
            subnets: r.subnets.clone(),
            security_groups: r.security_groups.clone(),
            job: JobId::new(0),
            client_token: String::new(),
        };
        seen.dry_run = match network.may_create_endpoint(&spec).await? {
            Permission::Denied(why) => Some(Err(why)),
            Permission::Allowed | Permission::Unknown => Some(Ok(())),
        };
    }
    Ok(seen)
}
