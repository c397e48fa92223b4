//! The sandbox's AWS world, built in the emulator through the real SDK: a
//! customer VPC with subnets and a security group, and Zilliz's side of the
//! link (an NLB behind a VPC endpoint service). Also reads the end state back
//! so the demo and the tests can check what the bot left behind.

use anyhow::{Context, bail};
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_sdk_ec2::types::{AttributeBooleanValue, Filter, IpPermission, IpRange};
use aws_sdk_route53::types::VpcRegion;

/// An SDK config pointed at the emulator, and only there.
pub async fn emulator_config(url: &str, region: &str) -> SdkConfig {
    let config = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_owned()))
        .endpoint_url(url)
        .credentials_provider(Credentials::new(
            "testing", "testing", None, None, "emulator",
        ))
        .load()
        .await;
    crate::cloud::aws::without_environment(config)
}

/// A customer VPC as the bot's user would have it.
#[derive(Debug, Clone)]
pub struct CustomerNetwork {
    pub vpc: String,
    pub subnets: Vec<String>,
    pub security_group: String,
}

/// Options for the customer VPC, to build broken ones for preflight tests.
#[derive(Debug, Clone, Copy)]
pub struct NetworkShape {
    pub dns_support: bool,
    pub dns_hostnames: bool,
    pub open_ports: bool,
}

impl Default for NetworkShape {
    fn default() -> Self {
        Self {
            dns_support: true,
            dns_hostnames: true,
            open_ports: true,
        }
    }
}

pub async fn customer_network(
    config: &SdkConfig,
    region: &str,
    cidr_octet: u8,
    shape: NetworkShape,
) -> anyhow::Result<CustomerNetwork> {
    let ec2 = aws_sdk_ec2::Client::new(config);
    let vpc = ec2
        .create_vpc()
        .cidr_block(format!("10.{cidr_octet}.0.0/16"))
        .send()
        .await?
        .vpc()
        .and_then(|v| v.vpc_id().map(str::to_owned))
        .context("no VPC id")?;
    // One attribute per call: EC2 refuses both in one request.
    ec2.modify_vpc_attribute()
        .vpc_id(&vpc)
        .enable_dns_support(
            AttributeBooleanValue::builder()
                .value(shape.dns_support)
                .build(),
        )
        .send()
        .await?;
    ec2.modify_vpc_attribute()
        .vpc_id(&vpc)
        .enable_dns_hostnames(
            AttributeBooleanValue::builder()
                .value(shape.dns_hostnames)
                .build(),
        )
        .send()
        .await?;
    let mut subnets = Vec::new();
    for (i, az) in ["a", "b"].iter().enumerate() {
        let id = ec2
            .create_subnet()
            .vpc_id(&vpc)
            .cidr_block(format!("10.{cidr_octet}.{i}.0/24"))
            .availability_zone(format!("{region}{az}"))
            .send()
            .await?
            .subnet()
            .and_then(|s| s.subnet_id().map(str::to_owned))
            .context("no subnet id")?;
        subnets.push(id);
    }
    let sg = ec2
        .create_security_group()
        .group_name(format!("zilliz-clients-{cidr_octet}"))
        .description("clients of the Zilliz private link")
        .vpc_id(&vpc)
        .send()
        .await?
        .group_id()
        .map(str::to_owned)
        .context("no security group id")?;
    if shape.open_ports {
        for port in [443, i32::from(super::fake_zilliz::PRIVATE_LINK_PORT)] {
            ec2.authorize_security_group_ingress()
                .group_id(&sg)
                .ip_permissions(
                    IpPermission::builder()
                        .ip_protocol("tcp")
                        .from_port(port)
                        .to_port(port)
                        .ip_ranges(IpRange::builder().cidr_ip("10.0.0.0/8").build())
                        .build(),
                )
                .send()
                .await?;
        }
    }
    Ok(CustomerNetwork {
        vpc,
        subnets,
        security_group: sg,
    })
}

/// Zilliz's side: a provider VPC, an internal NLB, and a VPC endpoint
/// service in front of it, offered in the region's `a` and `b` zones.
/// Returns the service name.
pub async fn zilliz_endpoint_service(
    url: &str,
    config: &SdkConfig,
    region: &str,
) -> anyhow::Result<String> {
    let provider = customer_network(config, region, 250, NetworkShape::default()).await?;
    // ELBv2 is one call; the bot never uses it, so it goes as a raw query
    // request rather than pulling in another SDK crate.
    let mut form = vec![
        ("Action".to_owned(), "CreateLoadBalancer".to_owned()),
        ("Version".to_owned(), "2015-12-01".to_owned()),
        ("Name".to_owned(), "zilliz-privatelink".to_owned()),
        ("Type".to_owned(), "network".to_owned()),
        ("Scheme".to_owned(), "internal".to_owned()),
    ];
    for (i, s) in provider.subnets.iter().enumerate() {
        form.push((format!("Subnets.member.{}", i + 1), s.clone()));
    }
    let body = reqwest::Client::new()
        .post(url)
        .header(
            "authorization",
            format!("AWS4-HMAC-SHA256 Credential=testing/20260101/{region}/elasticloadbalancing/aws4_request, SignedHeaders=host, Signature=0"),
        )
        .form(&form)
        .send()
        .await?
        .text()
        .await?;
    let arn = body
        .split("<LoadBalancerArn>")
        .nth(1)
        .and_then(|rest| rest.split("</LoadBalancerArn>").next())
        .with_context(|| format!("CreateLoadBalancer gave no ARN: {body}"))?
        .to_owned();
    let ec2 = aws_sdk_ec2::Client::new(config);
    let service = ec2
        .create_vpc_endpoint_service_configuration()
        .network_load_balancer_arns(arn)
        .acceptance_required(false)
        .send()
        .await?
        .service_configuration()
        .and_then(|s| s.service_name().map(str::to_owned))
        .context("no service name")?;
    Ok(service)
}

/// What the emulator holds for a VPC after a job.
#[derive(Debug, Clone, Default)]
pub struct EndState {
    /// (endpoint id, state, first DNS name)
    pub endpoints: Vec<(String, String, String)>,
    /// (zone id, zone name)
    pub zones: Vec<(String, String)>,
    /// (zone id, record name, alias target DNS name)
    pub alias_records: Vec<(String, String, String)>,
}

fn regional_name<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let entries: Vec<(String, ())> = names.map(|n| (n.to_owned(), ())).collect();
    crate::ports::cloud::regional_dns_entry(&entries)
        .map(|(n, _)| n.clone())
        .unwrap_or_default()
}

pub async fn end_state(config: &SdkConfig, region: &str, vpc: &str) -> anyhow::Result<EndState> {
    let ec2 = aws_sdk_ec2::Client::new(config);
    let r53 = aws_sdk_route53::Client::new(config);
    let mut state = EndState::default();
    let eps = ec2
        .describe_vpc_endpoints()
        .filters(Filter::builder().name("vpc-id").values(vpc).build())
        .send()
        .await?;
    for e in eps.vpc_endpoints() {
        let st = e
            .state()
            .map(|s| s.as_str().to_ascii_lowercase())
            .unwrap_or_default();
        if e.vpc_id() != Some(vpc) || st == "deleted" || st == "deleting" {
            continue;
        }
        state.endpoints.push((
            e.vpc_endpoint_id().unwrap_or_default().to_owned(),
            st,
            // The regional entry, chosen the way the bot chooses it.
            regional_name(e.dns_entries().iter().filter_map(|d| d.dns_name())),
        ));
    }
    let zones = r53
        .list_hosted_zones_by_vpc()
        .vpc_id(vpc)
        .vpc_region(VpcRegion::from(region))
        .send()
        .await?;
    for z in zones.hosted_zone_summaries() {
        let id = z
            .hosted_zone_id()
            .trim_start_matches("/hostedzone/")
            .to_owned();
        state.zones.push((id.clone(), z.name().to_owned()));
        let records = r53
            .list_resource_record_sets()
            .hosted_zone_id(&id)
            .send()
            .await?;
        for r in records.resource_record_sets() {
            if let Some(a) = r.alias_target() {
                state.alias_records.push((
                    id.clone(),
                    r.name().to_owned(),
                    a.dns_name().to_owned(),
                ));
            }
        }
    }
    Ok(state)
}

impl EndState {
    /// Checks that there is exactly one live endpoint, and per host one zone
    /// holding one alias record that points at the endpoint.
    pub fn verify(&self, hosts: &[String]) -> anyhow::Result<()> {
        let [(id, state, dns)] = self.endpoints.as_slice() else {
            bail!("expected one VPC endpoint, found {:?}", self.endpoints);
        };
        if state != "available" {
            bail!("endpoint {id} is {state}");
        }
        if self.zones.len() != hosts.len() {
            bail!(
                "expected {} hosted zone(s), found {:?}",
                hosts.len(),
                self.zones
            );
        }
        let trim = |s: &str| s.trim_end_matches('.').to_ascii_lowercase();
        for host in hosts {
            let zones: Vec<_> = self
                .zones
                .iter()
                .filter(|(_, n)| trim(n) == trim(host))
                .collect();
            let [(zone, _)] = zones.as_slice() else {
                bail!("expected one zone named {host}, found {zones:?}");
            };
            let records: Vec<_> = self
                .alias_records
                .iter()
                .filter(|(z, n, _)| z == zone && trim(n) == trim(host))
                .collect();
            let [(_, _, target)] = records.as_slice() else {
                bail!("expected one alias record for {host}, found {records:?}");
            };
            if trim(target) != trim(dns) {
                bail!("alias for {host} points at {target}, not the endpoint's {dns}");
            }
        }
        Ok(())
    }
}

/// A job waiting for approval, as `create` stores it, for benchmarks and
/// tests that fill a store without going through chat.
pub fn pending_job(
    id: crate::domain::ids::JobId,
    request: crate::domain::command::CreateRequest,
    requester: crate::domain::ids::UserRef,
    conversation: crate::domain::job::Conversation,
) -> crate::domain::job::Job {
    crate::domain::job::Job::pending(crate::domain::job::NewJob {
        id,
        request,
        requester,
        conversation,
        created_at: 0,
        expires_at: u64::MAX,
        findings: Vec::new(),
        account: None,
        resources: crate::domain::job::Resources::default(),
        locale: crate::i18n::Locale::En,
        guard: Default::default(),
    })
}

/// A console job waiting for approval on a VPC of its own (numbered `n`),
/// so that any number of them never share a slot: what the store's tests
/// and benchmarks fill a store with.
pub fn pending_job_on_vpc(
    id: crate::domain::ids::JobId,
    n: usize,
) -> anyhow::Result<crate::domain::job::Job> {
    const LINE: &str = "create project=proj-abc123 region=aws-us-west-2 vpc=vpc-0123456789abcdef0 subnets=subnet-0123456789abcdef0,subnet-0123456789abcdef1 sg=sg-0123456789abcdef0 clusters=in01-3e5ad8adc38c2f1";
    let crate::domain::command::Command::Create(mut request) =
        crate::domain::command::parse(LINE).map_err(|e| anyhow::anyhow!("{e:?}"))?
    else {
        anyhow::bail!("the line is a create");
    };
    request.vpc = crate::domain::ids::VpcId::parse(&format!("vpc-{n:017x}"))
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    Ok(pending_job(
        id,
        request,
        crate::domain::ids::UserRef::new(crate::domain::ids::Platform::Console, "alice"),
        crate::domain::job::Conversation {
            platform: crate::domain::ids::Platform::Console,
            channel: crate::domain::ids::ChannelId::parse("ops")
                .map_err(|e| anyhow::anyhow!("{e:?}"))?,
        },
    ))
}

/// A change that moves no state (the card recorded where it is), for
/// benchmarks and tests that load the store's writer with real changes.
pub fn touched() -> crate::domain::job::Change {
    crate::domain::job::Change::CardPosted(crate::domain::job::MessageRef {
        platform: crate::domain::ids::Platform::Console,
        channel: crate::domain::ids::ChannelId::console(),
        id: "card".into(),
    })
}
