//! Preflight: checks a request against AWS and Zilliz Cloud before anyone is
//! asked to approve it, so approvers see problems and blocked requests never
//! reach the card.

use std::collections::{BTreeSet, HashMap};

use crate::domain::command::CreateRequest;
use crate::domain::ids::JobId;
use crate::domain::plan::{ControlPlane, Finding, Plan, join, port_of};
use crate::ports::cloud::{CloudAccess, EndpointSpec, Permission, Vendor, closed_ports};
use crate::text;

/// Zilliz's default cluster port, assumed when no address says otherwise.
const DEFAULT_CLUSTER_PORT: i32 = 19530;

pub use crate::domain::plan::{control_plane_fix, control_plane_mismatch};

/// Runs every check; AWS or Zilliz being unreachable is itself a blocking
/// finding, since an unchecked request must not be approved.
pub async fn preflight(
    request: &CreateRequest,
    cloud: &dyn CloudAccess,
    vendor: &dyn Vendor,
    dry_run: bool,
    control_plane: &ControlPlane,
) -> Plan {
    let mut findings = Vec::new();
    let r = request;

    if let Some(problem) = control_plane_mismatch(&r.region, control_plane) {
        findings.push(Finding::blocking(problem, control_plane_fix()));
        return Plan {
            endpoint_service: String::new(),
            account: None,
            whitelist_required: false,
            findings,
        };
    }
    let mut ports = BTreeSet::from([443]);

    // Zilliz side: the endpoint service for the region.
    let service = match vendor.endpoint_services(&r.region, &r.project).await {
        Ok(list) => list
            .into_iter()
            .find(|s| s.region == r.region.as_str() && !s.service_name.is_empty()),
        Err(e) => {
            findings.push(Finding::blocking(
                text!(
                    "finding-zilliz-services-unreadable",
                    error = format!("{e:#}")
                ),
                text!("fix-zilliz-credentials"),
            ));
            None
        }
    };
    match &service {
        None if findings.is_empty() => findings.push(Finding::blocking(
            text!("finding-no-endpoint-service", region = r.region),
            text!("fix-pick-region"),
        )),
        _ => {}
    }

    // Zilliz side: the clusters.
    for cluster in &r.clusters {
        match vendor.cluster(cluster).await {
            Ok(None) => findings.push(Finding::blocking(
                text!("finding-no-cluster", cluster = cluster),
                text!("fix-cluster-id"),
            )),
            Ok(Some(c)) => {
                if let Some(port) = c
                    .private_link_address
                    .as_deref()
                    .or(c.connect_address.as_deref())
                    .and_then(port_of)
                {
                    ports.insert(port);
                }
                let plan = c.plan.to_ascii_lowercase();
                if plan.contains("serverless") || plan.contains("free") {
                    findings.push(Finding::blocking(
                        text!("finding-not-dedicated", cluster = cluster, plan = c.plan),
                        text!("fix-dedicated"),
                    ));
                }
                if c.project_id != r.project.as_str() {
                    findings.push(Finding::blocking(
                        text!(
                            "finding-cluster-project",
                            cluster = cluster,
                            actual = c.project_id,
                            requested = r.project
                        ),
                        text!("fix-cluster-project"),
                    ));
                }
                if c.region_id != r.region.as_str() {
                    findings.push(Finding::blocking(
                        text!(
                            "finding-cluster-region",
                            cluster = cluster,
                            actual = c.region_id,
                            requested = r.region
                        ),
                        text!("fix-cluster-region"),
                    ));
                }
                if !c.status.eq_ignore_ascii_case("running") {
                    findings.push(Finding::warning(
                        text!(
                            "finding-cluster-not-running",
                            cluster = cluster,
                            status = c.status
                        ),
                        None,
                    ));
                }
            }
            Err(e) => findings.push(Finding::blocking(
                text!(
                    "finding-cluster-unreadable",
                    cluster = cluster,
                    error = format!("{e:#}")
                ),
                text!("fix-zilliz-credentials"),
            )),
        }
    }

    // AWS side.
    let account = match cloud.target(&r.region.aws_region(), r.role.as_ref()).await {
        Err(e) => {
            findings.push(Finding::blocking(
                text!(
                    "finding-aws-unreachable",
                    region = r.region.aws_region(),
                    error = format!("{e:#}")
                ),
                text!("fix-aws-credentials"),
            ));
            None
        }
        Ok(aws) => {
            if ports.len() == 1 {
                ports.insert(DEFAULT_CLUSTER_PORT);
            }
            let checks = aws_checks(
                r,
                &*aws.network,
                service
                    .as_ref()
                    .map(|s| (s.service_name.as_str(), s.whitelist_required)),
                &ports,
                dry_run,
            )
            .await;
            match checks {
                Ok((account, more)) => {
                    findings.extend(more);
                    account
                }
                Err(e) => {
                    findings.push(Finding::blocking(
                        text!("finding-aws-refused", error = format!("{e:#}")),
                        text!("fix-iam"),
                    ));
                    None
                }
            }
        }
    };

    Plan {
        whitelist_required: service.as_ref().is_some_and(|s| s.whitelist_required),
        endpoint_service: service.map(|s| s.service_name).unwrap_or_default(),
        account,
        findings,
    }
}

async fn aws_checks(
    r: &CreateRequest,
    network: &dyn crate::ports::cloud::Network,
    service: Option<(&str, bool)>,
    ports: &BTreeSet<i32>,
    dry_run: bool,
) -> anyhow::Result<(Option<String>, Vec<Finding>)> {
    let mut findings = Vec::new();
    let account = network.account_id().await.ok();
    let service_name = service.map(|(name, _)| name);
    let whitelist_required = service.is_some_and(|(_, required)| required);

    match network.vpc(&r.vpc).await? {
        None => {
            findings.push(Finding::blocking(
                text!(
                    "finding-no-vpc",
                    vpc = r.vpc,
                    region = r.region.aws_region(),
                    account = account.as_deref().unwrap_or("?")
                ),
                text!("fix-vpc-id"),
            ));
            return Ok((account, findings));
        }
        Some(v) => {
            if !v.dns_support {
                findings.push(Finding::blocking(
                    text!("finding-dns-support-off", vpc = r.vpc),
                    text!("fix-dns-support", vpc = r.vpc),
                ));
            }
            if !v.dns_hostnames {
                findings.push(Finding::blocking(
                    text!("finding-dns-hostnames-off", vpc = r.vpc),
                    text!("fix-dns-hostnames", vpc = r.vpc),
                ));
            }
        }
    }

    let subnets = network.subnets(&r.subnets).await?;
    let found: HashMap<_, _> = subnets.iter().map(|s| (s.id.clone(), s)).collect();
    let zones = match service_name {
        Some(name) => network.service_zones(name).await?,
        None => Some(Vec::new()),
    };
    match (service_name, &zones) {
        // AWS shows a service that requires a whitelist only to accounts
        // allowed in, which is what the job's first step does: say so,
        // and leave the zones to that step.
        (Some(name), None) if whitelist_required => findings.push(Finding::warning(
            text!(
                "finding-service-not-yet-visible",
                service = name,
                account = account.as_deref().unwrap_or("?")
            ),
            None,
        )),
        (Some(name), None) => findings.push(Finding::blocking(
            text!(
                "finding-service-invisible",
                service = name,
                account = account.as_deref().unwrap_or("?")
            ),
            text!("fix-service-invisible"),
        )),
        _ => {}
    }
    let mut azs_used: HashMap<&str, Vec<String>> = HashMap::new();
    for id in &r.subnets {
        match found.get(id) {
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
                azs_used
                    .entry(s.availability_zone.as_str())
                    .or_default()
                    .push(id.to_string());
                if let Some(zs) = &zones
                    && service_name.is_some()
                    && !zs.contains(&s.availability_zone)
                {
                    findings.push(Finding::blocking(
                        text!(
                            "finding-subnet-zone",
                            subnet = id,
                            zone = s.availability_zone
                        ),
                        text!("fix-subnet-zone", zones = zs.join(", ")),
                    ));
                }
            }
        }
    }
    for (az, ids) in azs_used {
        if ids.len() > 1 {
            findings.push(Finding::blocking(
                text!(
                    "finding-subnets-same-zone",
                    subnets = ids.join(", "),
                    zone = az
                ),
                text!("fix-one-subnet-per-zone"),
            ));
        }
    }

    let groups = network.security_groups(&r.security_groups).await?;
    for id in &r.security_groups {
        match groups.iter().find(|g| g.id == *id) {
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
    let in_vpc: Vec<_> = groups.iter().filter(|g| g.vpc == r.vpc.as_str()).collect();
    let closed: Vec<String> = closed_ports(in_vpc.iter().copied(), ports)
        .iter()
        .map(ToString::to_string)
        .collect();
    if !closed.is_empty() && !in_vpc.is_empty() {
        findings.push(Finding::warning(
            text!(
                "finding-ports-closed",
                sgs = join(&r.security_groups),
                ports = closed.join(", ")
            ),
            Some(text!("fix-ports-closed", ports = closed.join(", "))),
        ));
    }

    if dry_run
        && let Some(name) = service_name
        && findings.iter().all(|f| !f.is_blocking())
    {
        let spec = EndpointSpec {
            vpc: r.vpc.clone(),
            service_name: name.to_owned(),
            subnets: r.subnets.clone(),
            security_groups: r.security_groups.clone(),
            job: JobId::new(0),
            client_token: String::new(),
        };
        if let Permission::Denied(why) = network.may_create_endpoint(&spec).await? {
            findings.push(Finding::blocking(
                text!("finding-dry-run-denied", why = why),
                text!("fix-dry-run-denied"),
            ));
        }
    }

    Ok((account, findings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_planes_and_ports_are_read_from_urls() {
        let china = |url: &str, said: Option<bool>| ControlPlane::new(url, said).china;
        assert!(china("https://api.cloud.zilliz.com.cn", None));
        assert!(!china("https://api.cloud.zilliz.com", None));
        assert!(!china("not a url", None));
        assert!(china("http://127.0.0.1:8080", Some(true)), "as configured");
        assert!(!china("https://api.cloud.zilliz.com.cn", Some(false)));
        assert_eq!(
            port_of("https://in01-x-privatelink.aws-us-west-2.vectordb.zillizcloud.com:19532"),
            Some(19532)
        );
        assert_eq!(
            port_of("https://in01-x.api.aws-us-west-2.zillizcloud.com"),
            Some(443)
        );
        assert_eq!(port_of("in01-x.example.com:19530"), Some(19530));
    }
}
