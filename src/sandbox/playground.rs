//! The sandbox's clouds for `serve --sandbox`: moto behind the AWS
//! behaviour proxy and the fake Zilliz Cloud, started with the bot and
//! stopped with it, and a world per channel in them: a VPC with two
//! subnets and a security group, a Zilliz project with two clusters. A
//! world is seeded on the channel's first command and kept for the run.
//!
//! Scenarios are scoped to the channel's world where the clouds allow it
//! (its project's registrations, its channel's messages); AWS throttling
//! is the account's, as on AWS, and a whitelist once granted shows the
//! service to the whole account, as on AWS.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use aws_config::SdkConfig;

use super::Emulators;
use super::aws_proxy::{AwsProxy, Fault};
use super::fake_zilliz::FakeZilliz;
use super::fixtures::{self, NetworkShape};
use super::marked::ChatOutages;
use super::moto::Moto;
use crate::domain::ids::{
    ChannelId, ClusterId, Platform, ProjectId, SecurityGroupId, SubnetId, VpcId, ZillizRegion,
};
use crate::domain::job::Conversation;
use crate::domain::sandbox::{Scenario, World};
use crate::ports::sandbox::{Playground, PlaygroundError};

/// Where every world lives.
pub const REGION: &str = "us-west-2";
/// Channels a run holds worlds for at most.
pub const MAX_WORLDS: u32 = 200;
/// Worlds a run seeds at most, resets included (each stays a VPC in
/// moto's memory until the run ends).
pub const MAX_SEEDED: u32 = 1000;
/// Throttled answers the `throttled` scenario queues for CreateVpcEndpoint:
/// more than the SDK's own tries, so the job's backoff is seen too.
const THROTTLES: usize = 4;
/// List reads the `slow-acceptance` scenario keeps a registration pending.
const SLOW_READS: u32 = 12;

/// The clouds, and the worlds in them.
pub struct Clouds {
    pub moto: Moto,
    pub proxy: AwsProxy,
    pub zilliz: FakeZilliz,
    /// The SDK's config straight to moto, for seeding and the scenarios'
    /// breakages (the bot's own calls go through the proxy).
    pub aws: SdkConfig,
    /// The key the fake Zilliz accepts: made here, never read from outside.
    pub api_key: String,
    outages: Arc<ChatOutages>,
    worlds: Mutex<Worlds>,
    /// One seeding at a time: two first commands in one channel at once
    /// make one world.
    seeding: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct Worlds {
    by_channel: HashMap<(Platform, ChannelId), World>,
    made: u32,
}

fn key_of(at: &Conversation) -> (Platform, ChannelId) {
    (at.platform, at.channel.clone())
}

fn failed(e: impl std::fmt::Display) -> PlaygroundError {
    PlaygroundError(e.to_string())
}

impl Clouds {
    /// Starts moto, the proxy and the fake Zilliz Cloud with Zilliz's
    /// endpoint service in the region; no world yet.
    pub async fn start(outages: Arc<ChatOutages>) -> anyhow::Result<Self> {
        let Emulators {
            moto,
            aws,
            proxy,
            zilliz,
            api_key,
            ..
        } = Emulators::start(&format!("aws-{REGION}")).await?;
        Ok(Self {
            moto,
            proxy,
            zilliz,
            aws,
            api_key,
            outages,
            worlds: Mutex::default(),
            seeding: tokio::sync::Mutex::new(()),
        })
    }

    /// The `chat-outage` scenario's state.
    pub fn outages(&self) -> &ChatOutages {
        &self.outages
    }

    fn known(&self, at: &Conversation) -> Option<World> {
        self.worlds
            .lock()
            .ok()
            .and_then(|w| w.by_channel.get(&key_of(at)).cloned())
    }

    /// A new world: its network in moto, its project and clusters in the
    /// fake, the account already allowed into the project.
    async fn seed(&self, at: &Conversation) -> Result<World, PlaygroundError> {
        let n = {
            let mut worlds = self.worlds.lock().map_err(failed)?;
            let new_channel = !worlds.by_channel.contains_key(&key_of(at));
            if new_channel && worlds.by_channel.len() >= MAX_WORLDS as usize {
                return Err(PlaygroundError(format!(
                    "this run holds {MAX_WORLDS} channels' worlds at most; restart the sandbox"
                )));
            }
            // A reset leaves the old world in moto's memory: bound them all.
            if worlds.made >= MAX_SEEDED {
                return Err(PlaygroundError(format!(
                    "this run has seeded {MAX_SEEDED} worlds (resets included); restart the sandbox"
                )));
            }
            // Numbers only name a world; one that failed to seed uses one up.
            worlds.made += 1;
            worlds.made
        };
        let octet = u8::try_from(20 + n % 200).unwrap_or(20);
        let network = fixtures::customer_network(&self.aws, REGION, octet, NetworkShape::default())
            .await
            .map_err(|e| failed(format!("moto refused the world's network: {e:#}")))?;
        let region = format!("aws-{REGION}");
        let project = format!("proj-world{n:04}");
        let clusters: Vec<String> = ["a", "b"]
            .iter()
            .map(|c| format!("in01-world{n:04}{c}"))
            .collect();
        {
            let mut st = self.zilliz.lock();
            for id in &clusters {
                st.add_dedicated(id, &project, &region);
            }
            let account = st.aws_account.clone();
            let long_ago = Instant::now()
                .checked_sub(Duration::from_secs(3600))
                .unwrap_or_else(Instant::now);
            st.whitelisted
                .insert((project.clone(), region.clone(), account), long_ago);
        }
        let bad = |e: crate::domain::ids::IdError| failed(e.to_string());
        Ok(World {
            region: ZillizRegion::parse(&region).map_err(bad)?,
            project: ProjectId::parse(&project).map_err(bad)?,
            vpc: VpcId::parse(&network.vpc).map_err(bad)?,
            subnets: network
                .subnets
                .iter()
                .map(|s| SubnetId::parse(s))
                .collect::<Result<_, _>>()
                .map_err(bad)?,
            security_group: SecurityGroupId::parse(&network.security_group).map_err(bad)?,
            clusters: clusters
                .iter()
                .map(|c| ClusterId::parse(c))
                .collect::<Result<_, _>>()
                .map_err(bad)?,
        })
    }

    fn keep(&self, at: &Conversation, world: &World) {
        if let Ok(mut worlds) = self.worlds.lock() {
            worlds.by_channel.insert(key_of(at), world.clone());
        }
    }

    /// The alias records named `host` in the zones associated with `vpc`,
    /// deleted as a person would in the console.
    async fn delete_alias_in(&self, vpc: &VpcId, host: &str) -> anyhow::Result<bool> {
        use aws_sdk_route53::types::{Change, ChangeAction, ChangeBatch, VpcRegion};
        let route53 = aws_sdk_route53::Client::new(&self.aws);
        let zones = route53
            .list_hosted_zones_by_vpc()
            .vpc_id(vpc.as_str())
            .vpc_region(VpcRegion::from(REGION))
            .send()
            .await?;
        let name = format!("{}.", host.trim_end_matches('.'));
        let mut deleted = false;
        for zone in zones.hosted_zone_summaries() {
            let records = route53
                .list_resource_record_sets()
                .hosted_zone_id(zone.hosted_zone_id())
                .send()
                .await?;
            for record in records.resource_record_sets() {
                if record.name() != name || record.alias_target().is_none() {
                    continue;
                }
                let change = Change::builder()
                    .action(ChangeAction::Delete)
                    .resource_record_set(record.clone())
                    .build()?;
                route53
                    .change_resource_record_sets()
                    .hosted_zone_id(zone.hosted_zone_id())
                    .change_batch(ChangeBatch::builder().changes(change).build()?)
                    .send()
                    .await?;
                deleted = true;
            }
        }
        Ok(deleted)
    }
}

#[async_trait]
impl Playground for Clouds {
    fn knows(&self, at: &Conversation) -> bool {
        self.known(at).is_some()
    }

    async fn world(&self, at: &Conversation) -> Result<(World, bool), PlaygroundError> {
        if let Some(world) = self.known(at) {
            return Ok((world, false));
        }
        let _one = self.seeding.lock().await;
        if let Some(world) = self.known(at) {
            return Ok((world, false));
        }
        let world = self.seed(at).await?;
        self.keep(at, &world);
        tracing::info!(platform = %at.platform, channel = %at.channel, vpc = %world.vpc, project = %world.project, "seeded a sandbox world");
        Ok((world, true))
    }

    async fn reset(&self, at: &Conversation) -> Result<World, PlaygroundError> {
        let _one = self.seeding.lock().await;
        let world = self.seed(at).await?;
        self.keep(at, &world);
        Ok(world)
    }

    async fn arm(&self, at: &Conversation, scenario: Scenario) -> Result<(), PlaygroundError> {
        let (world, _) = self.world(at).await?;
        let project = world.project.to_string();
        match scenario {
            Scenario::WhitelistRequired => {
                let mut st = self.zilliz.lock();
                st.whitelisted.retain(|(p, _, _), _| *p != project);
            }
            Scenario::SlowAcceptance => {
                self.zilliz.lock().slow_next.insert(project, SLOW_READS);
            }
            Scenario::Rejected => {
                self.zilliz.lock().reject_next.insert(project);
            }
            Scenario::Throttled => {
                let mut proxy = self.proxy.lock();
                for _ in 0..THROTTLES {
                    proxy.faults.push(Fault::throttle("CreateVpcEndpoint"));
                }
            }
            Scenario::ChatOutage => self.outages.start(at),
            // The service breaks a finished link itself (`delete_alias`).
            Scenario::Drift => {}
        }
        Ok(())
    }

    async fn delete_alias(&self, vpc: &VpcId, host: &str) -> Result<bool, PlaygroundError> {
        self.delete_alias_in(vpc, host)
            .await
            .map_err(|e| failed(format!("moto refused: {e:#}")))
    }
}
