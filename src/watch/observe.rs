//! One sweep's reads: every fact of every watched link, read with as few
//! calls as the providers allow. One `DescribeVpcEndpoints` per account and
//! region for all endpoints, one list of a project's private endpoints,
//! one `ListHostedZonesByVPC` per VPC, one record read per zone and one
//! describe per cluster, each shared by every job that needs it.

use std::collections::HashMap;

use crate::domain::drift::{Observed, Read, SeenAlias, SeenDns, SeenEndpoint};
use crate::domain::ids::{ClusterId, EndpointId, ProjectId, SecurityGroupId, ZoneId};
use crate::domain::job::Job;
use crate::domain::preflight::ports_needed;
use crate::ports::cloud::{
    AwsTarget, CloudAccess, CloudError, EndpointInfo, ErrorKind, Provider, RegisteredEndpoint,
    SecurityGroupInfo, Vendor, closed_ports,
};

/// A read's outcome, kept to answer every job that needs it.
type Answer<T> = Read<T>;

fn read<T>(result: Result<T, CloudError>) -> Answer<T> {
    match result {
        Ok(v) => Read::Seen(v),
        Err(e) if e.kind == ErrorKind::Denied => Read::Denied(e.to_string()),
        Err(e) => Read::Failed(e.to_string()),
    }
}

fn carry<T, U>(from: &Answer<T>) -> Option<Read<U>> {
    match from {
        Read::Seen(_) => None,
        Read::Denied(why) => Some(Read::Denied(why.clone())),
        Read::Failed(why) => Some(Read::Failed(why.clone())),
    }
}

/// The AWS side of one account and region (one role): its target and
/// what was read through it.
struct Aws {
    target: Answer<AwsTarget>,
    endpoints: Answer<HashMap<EndpointId, EndpointInfo>>,
    /// Per VPC, the zones associated with it.
    zones: HashMap<String, Answer<Vec<ZoneId>>>,
    /// Every job's security groups, read together.
    groups: Answer<Vec<SecurityGroupInfo>>,
}

/// Everything read in one sweep, and how many calls it took.
pub(super) struct Sweep<'a> {
    cloud: &'a dyn CloudAccess,
    vendor: &'a dyn Vendor,
    aws: HashMap<(String, Option<String>), Aws>,
    registrations: HashMap<ProjectId, Answer<Vec<RegisteredEndpoint>>>,
    addresses: HashMap<ClusterId, Answer<Option<String>>>,
    /// Each (zone, host)'s alias record: jobs sharing a zone read it once.
    aliases: HashMap<(ZoneId, String), Answer<Option<SeenAlias>>>,
    pub(super) calls: usize,
    /// Providers that throttled this sweep: not called again until the
    /// next one (their limits are shared with everything the customer
    /// runs), and what they would have read counts as not read.
    throttled: Vec<Provider>,
}

fn aws_key(job: &Job) -> (String, Option<String>) {
    let r = job.request();
    (
        r.region.aws_region().to_string(),
        r.role.as_ref().map(ToString::to_string),
    )
}

impl<'a> Sweep<'a> {
    pub(super) fn new(cloud: &'a dyn CloudAccess, vendor: &'a dyn Vendor) -> Self {
        Self {
            cloud,
            vendor,
            aws: HashMap::new(),
            registrations: HashMap::new(),
            addresses: HashMap::new(),
            aliases: HashMap::new(),
            calls: 0,
            throttled: Vec::new(),
        }
    }

    /// Whether the sweep may still call `provider`; counts the call.
    fn may_call(&mut self, provider: Provider) -> bool {
        if self.throttled.contains(&provider) {
            return false;
        }
        self.calls += 1;
        true
    }

    /// A call's outcome; a throttled provider is left alone for the rest
    /// of the sweep.
    fn answer<T>(&mut self, result: Result<T, CloudError>) -> Answer<T> {
        if let Err(e) = &result
            && e.kind == ErrorKind::Throttled
        {
            self.throttled.push(e.provider);
        }
        read(result)
    }

    fn left<T>(provider: Provider) -> Answer<T> {
        Read::Failed(format!("{provider} throttled this sweep; read at the next"))
    }

    /// Reads what the jobs share, once for all of them.
    pub(super) async fn read_shared(&mut self, jobs: &[Job]) {
        let mut groups: HashMap<(String, Option<String>), Vec<&Job>> = HashMap::new();
        for job in jobs {
            groups.entry(aws_key(job)).or_default().push(job);
        }
        for (key, group) in groups {
            let Some(r) = group.first().map(|j| j.request()) else {
                continue;
            };
            let target = read(
                self.cloud
                    .target(&r.region.aws_region(), r.role.as_ref())
                    .await,
            );
            let mut aws = Aws {
                endpoints: carry(&target).unwrap_or(Read::Seen(HashMap::new())),
                zones: HashMap::new(),
                groups: carry(&target).unwrap_or(Read::Seen(Vec::new())),
                target,
            };
            if let Read::Seen(t) = &aws.target {
                // Jobs sharing an endpoint ask for it once (EC2 refuses a
                // list naming an id twice).
                let mut ids: Vec<EndpointId> = group
                    .iter()
                    .filter_map(|j| j.resources().endpoint.as_ref().map(|e| e.id.clone()))
                    .collect();
                ids.sort();
                ids.dedup();
                let found = if self.may_call(Provider::Ec2) {
                    let r = t.network.endpoints(&ids).await;
                    self.answer(r)
                } else {
                    Self::left(Provider::Ec2)
                };
                aws.endpoints =
                    found.map(|found| found.into_iter().map(|e| (e.id.clone(), e)).collect());
                let mut sgs: Vec<SecurityGroupId> = group
                    .iter()
                    .flat_map(|j| j.request().security_groups.iter().cloned())
                    .collect();
                sgs.sort();
                sgs.dedup();
                aws.groups = if self.may_call(Provider::Ec2) {
                    let r = t.network.security_groups(&sgs).await;
                    self.answer(r)
                } else {
                    Self::left(Provider::Ec2)
                };
                for job in &group {
                    let vpc = &job.request().vpc;
                    if aws.zones.contains_key(vpc.as_str()) {
                        continue;
                    }
                    let zones = if self.may_call(Provider::Route53) {
                        let r = t.dns.zones_in_vpc(vpc, &r.region.aws_region()).await;
                        self.answer(r)
                    } else {
                        Self::left(Provider::Route53)
                    };
                    aws.zones.insert(vpc.to_string(), zones);
                }
            }
            self.aws.insert(key, aws);
        }
        for job in jobs {
            let project = &job.request().project;
            if !self.registrations.contains_key(project) {
                let listed = if self.may_call(Provider::Zilliz) {
                    let r = self.vendor.endpoints(project).await;
                    self.answer(r)
                } else {
                    Self::left(Provider::Zilliz)
                };
                self.registrations.insert(project.clone(), listed);
            }
            for c in &job.resources().clusters {
                if !self.addresses.contains_key(&c.cluster) {
                    let described = if self.may_call(Provider::Zilliz) {
                        let r = self.vendor.cluster(&c.cluster).await;
                        self.answer(r)
                    } else {
                        Self::left(Provider::Zilliz)
                    };
                    let address = described.map(|info| {
                        info.and_then(|i| i.private_link_address)
                            .filter(|a| !a.trim().is_empty())
                    });
                    self.addresses.insert(c.cluster.clone(), address);
                }
            }
        }
    }

    /// What was read about `job`'s link; its alias records are read here,
    /// one per zone.
    pub(super) async fn observed(&mut self, job: &Job) -> Observed {
        let made = job.resources();
        let aws = self.aws.get(&aws_key(job));
        let endpoint = match (aws, &made.endpoint) {
            (Some(aws), Some(e)) => match &aws.endpoints {
                Read::Seen(found) => Read::Seen(found.get(&e.id).map(|info| SeenEndpoint {
                    state: info.state.clone(),
                    regional: info.regional_dns_entry().cloned(),
                })),
                other => carry(other).unwrap_or(Read::Seen(None)),
            },
            _ => Read::Seen(None),
        };
        let registration = match self.registrations.get(&job.request().project) {
            Some(Read::Seen(listed)) => Read::Seen(
                made.endpoint
                    .as_ref()
                    .and_then(|e| listed.iter().find(|r| r.endpoint_id == e.id.as_str()))
                    .map(|r| r.status.clone()),
            ),
            Some(other) => carry(other).unwrap_or(Read::Seen(None)),
            None => Read::Failed("not read".into()),
        };
        let ports = ports_needed(
            made.clusters
                .iter()
                .map(|c| c.private_link_address.as_str()),
        );
        let ports_closed = match aws.map(|a| &a.groups) {
            Some(Read::Seen(all)) => {
                let own = &job.request().security_groups;
                Read::Seen(closed_ports(
                    all.iter().filter(|g| own.contains(&g.id)),
                    &ports,
                ))
            }
            Some(other) => carry(other).unwrap_or(Read::Failed("not read".into())),
            None => Read::Failed("not read".into()),
        };
        // Owned, so that the alias reads below may count their calls.
        let target: Option<Answer<AwsTarget>> = aws.map(|a| a.target.clone());
        let zones: Answer<Vec<ZoneId>> = match aws {
            Some(a) => match a.zones.get(job.request().vpc.as_str()) {
                Some(read) => read.clone(),
                None => carry(&a.target).unwrap_or(Read::Failed("not read".into())),
            },
            None => Read::Failed("not read".into()),
        };
        let mut dns = Vec::new();
        for c in &made.clusters {
            let Some(zone) = &c.zone_id else { continue };
            let zone_associated = match &zones {
                Read::Seen(zones) => Read::Seen(zones.contains(zone)),
                other => carry(other).unwrap_or(Read::Seen(false)),
            };
            let key = (zone.clone(), c.host.clone());
            let known = self.aliases.get(&key).cloned();
            let alias = match (&target, known) {
                (_, Some(read)) => read.clone(),
                (Some(Read::Seen(t)), None) if self.may_call(Provider::Route53) => {
                    let r = t.dns.alias_record(zone, &c.host).await;
                    let read = self.answer(r).map(|a| {
                        a.map(|a| SeenAlias {
                            dns_name: a.dns_name,
                            zone: a.hosted_zone_id,
                        })
                    });
                    self.aliases.insert(key, read.clone());
                    read
                }
                (Some(Read::Seen(_)), None) => Self::left(Provider::Route53),
                (Some(other), None) => carry(other).unwrap_or(Read::Failed("not read".into())),
                (None, None) => Read::Failed("not read".into()),
            };
            dns.push(SeenDns {
                host: c.host.clone(),
                zone_associated,
                alias,
            });
        }
        let addresses = made
            .clusters
            .iter()
            .map(|c| {
                let address = match self.addresses.get(&c.cluster) {
                    Some(a) => a.clone(),
                    None => Read::Failed("not read".into()),
                };
                (c.cluster.clone(), address)
            })
            .collect();
        Observed {
            endpoint,
            registration,
            dns,
            addresses,
            ports_closed,
        }
    }
}
