//! Preflight: checks a request against AWS and Zilliz Cloud before anyone is
//! asked to approve it, so approvers see problems and blocked requests never
//! reach the card.

use std::collections::{BTreeSet, HashMap};

use crate::domain::command::CreateRequest;
use crate::domain::ids::{JobId, ZillizRegion};
use crate::domain::plan::{Finding, Plan, join};
use crate::ports::cloud::{CloudAccess, EndpointSpec, Permission, Vendor};

/// Zilliz's default cluster port, assumed when no address says otherwise.
const DEFAULT_CLUSTER_PORT: i32 = 19530;

/// The port of an address such as `https://in01-…:19531` (443 when an
/// https address names none).
fn port_of(address: &str) -> Option<i32> {
    let with_scheme = if address.contains("://") {
        address.to_owned()
    } else {
        format!("https://{address}")
    };
    url::Url::parse(&with_scheme)
        .ok()?
        .port_or_known_default()
        .map(i32::from)
}

/// Whether a control-plane URL is Zilliz Cloud China's (its hosts end in `.cn`).
fn is_china_control_plane(base_url: &str) -> bool {
    url::Url::parse(base_url)
        .ok()
        .and_then(|u| {
            u.host_str()
                .map(|h| h.trim_end_matches('.').ends_with(".cn"))
        })
        .unwrap_or(false)
}

/// What to do when a region and the control plane belong to different
/// Zilliz Clouds.
pub const CONTROL_PLANE_FIX: &str =
    "run a bot whose zilliz.base_url (and API key) belong to the region's control plane";

/// Zilliz Cloud China runs its own control plane: a region of one with the
/// other's URL and key cannot work. The problem, naming both, if so.
pub fn control_plane_mismatch(region: &ZillizRegion, control_plane: &str) -> Option<String> {
    let china_region = region.aws_region().partition() == crate::domain::ids::Partition::AwsCn;
    if china_region == is_china_control_plane(control_plane) {
        return None;
    }
    let (needs, other) = if china_region {
        ("Zilliz Cloud China's control plane", "the global one")
    } else {
        (
            "the global Zilliz Cloud control plane",
            "Zilliz Cloud China's",
        )
    };
    Some(format!(
        "{region} is served by {needs}, but the bot talks to {other} ({control_plane})."
    ))
}

/// Runs every check; AWS or Zilliz being unreachable is itself a blocking
/// finding, since an unchecked request must not be approved.
pub async fn preflight(
    request: &CreateRequest,
    cloud: &dyn CloudAccess,
    vendor: &dyn Vendor,
    dry_run: bool,
    control_plane: &str,
) -> Plan {
    let mut findings = Vec::new();
    let r = request;

    if let Some(problem) = control_plane_mismatch(&r.region, control_plane) {
        findings.push(Finding::blocking(problem, CONTROL_PLANE_FIX));
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
                format!("Could not list Zilliz Cloud endpoint services: {e:#}."),
                "check the Zilliz Cloud API key and base URL in the bot's config",
            ));
            None
        }
    };
    match &service {
        None if findings.is_empty() => findings.push(Finding::blocking(
            format!(
                "Zilliz Cloud offers no private endpoint service in {}.",
                r.region
            ),
            "pick a region where the project's Dedicated clusters run",
        )),
        _ => {}
    }

    // Zilliz side: the clusters.
    for cluster in &r.clusters {
        match vendor.cluster(cluster).await {
            Ok(None) => findings.push(Finding::blocking(
                format!("Cluster {cluster} does not exist in Zilliz Cloud."),
                "check the cluster id on the cluster's details page",
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
                        format!("Cluster {cluster} is on the {} plan; private links work for Dedicated clusters only.", c.plan),
                        "upgrade the cluster to a Dedicated plan, or leave it out",
                    ));
                }
                if c.project_id != r.project.as_str() {
                    findings.push(Finding::blocking(
                        format!(
                            "Cluster {cluster} belongs to project {}, not {}.",
                            c.project_id, r.project
                        ),
                        "request the link for the cluster's own project",
                    ));
                }
                if c.region_id != r.region.as_str() {
                    findings.push(Finding::blocking(
                        format!(
                            "Cluster {cluster} runs in {}, not {}.",
                            c.region_id, r.region
                        ),
                        "request the link in the cluster's region",
                    ));
                }
                if !c.status.eq_ignore_ascii_case("running") {
                    findings.push(Finding::warning(
                        format!("Cluster {cluster} is {}; the link applies to it once it is running again.", c.status),
                        None,
                    ));
                }
            }
            Err(e) => findings.push(Finding::blocking(
                format!("Could not read cluster {cluster} from Zilliz Cloud: {e:#}."),
                "check the Zilliz Cloud API key and base URL in the bot's config",
            )),
        }
    }

    // AWS side.
    let account = match cloud.target(&r.region.aws_region(), r.role.as_ref()).await {
        Err(e) => {
            findings.push(Finding::blocking(
                format!("Could not reach AWS in {}: {e:#}.", r.region.aws_region()),
                "check the bot's AWS credentials, or the role= ARN and its trust policy",
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
                service.as_ref().map(|s| s.service_name.as_str()),
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
                        format!("AWS refused a preflight check: {e:#}."),
                        "check the bot's IAM permissions (config/iam-policy.json)",
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
    service_name: Option<&str>,
    ports: &BTreeSet<i32>,
    dry_run: bool,
) -> anyhow::Result<(Option<String>, Vec<Finding>)> {
    let mut findings = Vec::new();
    let account = network.account_id().await.ok();

    match network.vpc(&r.vpc).await? {
        None => {
            findings.push(Finding::blocking(
                format!(
                    "VPC {} does not exist in {} (account {}).",
                    r.vpc,
                    r.region.aws_region(),
                    account.as_deref().unwrap_or("unknown")
                ),
                "check the VPC id and region, or pass role= for the VPC's account",
            ));
            return Ok((account, findings));
        }
        Some(v) => {
            if !v.dns_support {
                findings.push(Finding::blocking(
                    format!("VPC {} has DNS resolution (enableDnsSupport) off; the private hosted zone would not resolve.", r.vpc),
                    format!("aws ec2 modify-vpc-attribute --vpc-id {} --enable-dns-support", r.vpc),
                ));
            }
            if !v.dns_hostnames {
                findings.push(Finding::blocking(
                    format!("VPC {} has DNS hostnames (enableDnsHostnames) off.", r.vpc),
                    format!(
                        "aws ec2 modify-vpc-attribute --vpc-id {} --enable-dns-hostnames",
                        r.vpc
                    ),
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
    if let (Some(name), None) = (service_name, &zones) {
        findings.push(Finding::blocking(
            format!("The endpoint service {name} is not visible to AWS account {}.", account.as_deref().unwrap_or("unknown")),
            "ask Zilliz Cloud to allow your account on the endpoint service (see whitelistRequired), then try again",
        ));
    }
    let mut azs_used: HashMap<&str, Vec<String>> = HashMap::new();
    for id in &r.subnets {
        match found.get(id) {
            None => findings.push(Finding::blocking(
                format!("Subnet {id} does not exist."),
                "check the subnet ids",
            )),
            Some(s) if s.vpc != r.vpc.as_str() => findings.push(Finding::blocking(
                format!("Subnet {id} is in {}, not {}.", s.vpc, r.vpc),
                format!("pick subnets of {}", r.vpc),
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
                        format!(
                            "Subnet {id} is in {}, where the endpoint service is not offered.",
                            s.availability_zone
                        ),
                        format!("pick subnets in {}", zs.join(", ")),
                    ));
                }
            }
        }
    }
    for (az, ids) in azs_used {
        if ids.len() > 1 {
            findings.push(Finding::blocking(
                format!("Subnets {} are all in {az}; an interface endpoint takes one subnet per availability zone.", ids.join(", ")),
                "keep one subnet per availability zone",
            ));
        }
    }

    let groups = network.security_groups(&r.security_groups).await?;
    let mut open: BTreeSet<i32> = BTreeSet::new();
    for id in &r.security_groups {
        match groups.iter().find(|g| g.id == *id) {
            None => findings.push(Finding::blocking(
                format!("Security group {id} does not exist."),
                "check the security group ids",
            )),
            Some(g) if g.vpc != r.vpc.as_str() => findings.push(Finding::blocking(
                format!("Security group {id} is in {}, not {}.", g.vpc, r.vpc),
                format!("pick security groups of {}", r.vpc),
            )),
            Some(g) => {
                for &port in ports {
                    if g.ingress.iter().any(|rule| rule.admits_tcp(port)) {
                        open.insert(port);
                    }
                }
            }
        }
    }
    let closed: Vec<String> = ports
        .iter()
        .filter(|p| !open.contains(p))
        .map(|p| p.to_string())
        .collect();
    if !closed.is_empty() && groups.iter().any(|g| g.vpc == r.vpc.as_str()) {
        findings.push(Finding::warning(
            format!(
                "None of the security groups ({}) lets TCP {} in; clients in the VPC will not reach the clusters.",
                join(&r.security_groups),
                closed.join(" and ")
            ),
            Some(format!(
                "add inbound rules for TCP {} from your clients' CIDR",
                closed.join(" and ")
            )),
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
                format!("The bot's AWS identity may not create the endpoint: {why}"),
                "grant ec2:CreateVpcEndpoint and ec2:CreateTags (config/iam-policy.json)",
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
        assert!(is_china_control_plane("https://api.cloud.zilliz.com.cn"));
        assert!(!is_china_control_plane("https://api.cloud.zilliz.com"));
        assert!(!is_china_control_plane("not a url"));
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
