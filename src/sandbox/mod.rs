//! The sandbox: everything the bot talks to, running locally with no cloud
//! or chat credentials. AWS is moto_server on loopback (through the real
//! SDK), Zilliz Cloud is the fake control plane, chat is the console. Used
//! by `privatelink-bot demo` and by the integration tests.

pub mod aws_proxy;
pub mod demo;
pub mod fake_zilliz;
pub mod fixtures;
pub mod marked;
pub mod moto;
pub mod playground;
pub mod postgres;
pub mod serve;
pub mod slack_requests;

use std::path::Path;

use tokio::net::TcpListener;
use tokio::sync::oneshot;

use aws_config::SdkConfig;

use crate::config::Config;
use aws_proxy::AwsProxy;
use fake_zilliz::{FakeService, FakeState, FakeZilliz};
use fixtures::{CustomerNetwork, EndState, NetworkShape};
use moto::Moto;

pub const REGION: &str = "us-west-2";
pub const ZILLIZ_REGION: &str = "aws-us-west-2";
pub const PROJECT: &str = "proj-sandbox0001";

/// A running sandbox. Dropping it stops moto, the proxy and the fake.
pub struct Sandbox {
    pub moto: Moto,
    /// Between the bot and moto, as strict as AWS (`aws_proxy::strict`):
    /// the bot's AWS calls go here; the fixtures talk to moto directly.
    pub proxy: AwsProxy,
    pub zilliz: FakeZilliz,
    pub aws: SdkConfig,
    pub network: CustomerNetwork,
    pub service_name: String,
    pub clusters: Vec<String>,
    pub api_key: String,
    /// The AWS region (`us-west-2`) and its Zilliz name (`aws-us-west-2`).
    pub region: String,
    pub zilliz_region: String,
}

fn random_key() -> String {
    (0..32)
        .map(|_| char::from(b"abcdefghijklmnopqrstuvwxyz0123456789"[rand::random_range(0..36)]))
        .collect()
}

impl Sandbox {
    /// Starts moto and the fake, and builds a customer VPC and Zilliz's
    /// endpoint service, with `clusters` Dedicated clusters in the project.
    pub async fn start(clusters: usize) -> anyhow::Result<Self> {
        Self::start_in(ZILLIZ_REGION, clusters).await
    }

    /// As `start`, in Zilliz region `zilliz_region` (`aws-cn-northwest-1`
    /// puts the whole world in AWS China: the region, Route 53's China
    /// partition, and Zilliz Cloud China's control plane).
    pub async fn start_in(zilliz_region: &str, clusters: usize) -> anyhow::Result<Self> {
        let region = zilliz_region
            .strip_prefix("aws-")
            .ok_or_else(|| anyhow::anyhow!("{zilliz_region} is not an AWS region of Zilliz's"))?
            .to_owned();
        let Emulators {
            moto,
            aws,
            proxy,
            zilliz,
            service_name,
            api_key,
        } = Emulators::start(zilliz_region).await?;
        let network =
            fixtures::customer_network(&aws, &region, 10, NetworkShape::default()).await?;
        let cluster_ids: Vec<String> = (1..=clusters)
            .map(|i| format!("in01-sandbox{i:04}"))
            .collect();
        {
            let mut st = zilliz.lock();
            for id in &cluster_ids {
                st.add_dedicated(id, PROJECT, zilliz_region);
            }
        }
        Ok(Self {
            moto,
            proxy,
            zilliz,
            aws,
            network,
            service_name,
            clusters: cluster_ids,
            api_key,
            region,
            zilliz_region: zilliz_region.to_owned(),
        })
    }

    /// Whether this sandbox is in AWS China (and Zilliz Cloud China).
    pub fn in_china(&self) -> bool {
        self.zilliz_region.starts_with("aws-cn-")
    }

    /// A config for the bot against this sandbox: console users, with `bob`
    /// and anyone holding the `ops` role as approvers.
    pub fn config(&self, store: &Path) -> anyhow::Result<Config> {
        Config::from_toml(&self.config_text(store), std::iter::empty())
    }

    /// The same config as TOML, for a test to edit and hand to the binary.
    pub fn config_text(&self, store: &Path) -> String {
        format!(
            r#"
[store]
path = {store:?}
cache_capacity_bytes = 8388608

[zilliz]
base_url = "{zilliz}"
cloud = "{cloud}"
api_key_env = "SANDBOX_ZILLIZ_API_KEY"

[aws]
endpoint_url = "{moto}"
emulator_credentials = true
dry_run_preflight = false

[engine]
wait_timeout = "60s"
backoff_initial = "50ms"
backoff_max = "500ms"
progress_every = "1s"

[policy]
requesters = ["console:*"]
approvers = ["console:bob", "console:role:ops"]
allow_self_approval = false
approval_ttl = "24h"

[console]
user = "alice"
channel = "platform-ops"
"#,
            store = store.display().to_string(),
            zilliz = self.zilliz.url,
            cloud = if self.in_china() { "cn" } else { "global" },
            moto = self.proxy.url,
        )
    }

    /// The config for `serve` with Slack over HTTP: everyone on Slack may
    /// request, `slack:UBOB` approves, the Slack Web API at `slack_api`, the
    /// tokens from the `<prefix>_SLACK_BOT_TOKEN` and
    /// `<prefix>_SLACK_SIGNING_SECRET` variables, HTTP on `port`, AWS at
    /// `aws_url` (the sandbox's proxy, or another in front of moto).
    pub fn slack_config_text(
        &self,
        store: &Path,
        aws_url: &str,
        slack_api: &str,
        prefix: &str,
        port: u16,
    ) -> String {
        let text = self
            .config_text(store)
            .replace(&self.proxy.url, aws_url)
            .replace("requesters = [\"console:*\"]", "requesters = [\"slack:*\"]")
            .replace(
                "approvers = [\"console:bob\"",
                "approvers = [\"slack:UBOB\", \"console:bob\"",
            );
        format!(
            r#"{text}
[slack]
api_url = "{slack_api}"
bot_token_env = "{prefix}_SLACK_BOT_TOKEN"
signing_secret_env = "{prefix}_SLACK_SIGNING_SECRET"
progress_interval = "1ms"

[http]
listen = "127.0.0.1:{port}"
"#
        )
    }

    /// The arguments of a valid create for this sandbox.
    pub fn create_args(&self) -> String {
        format!(
            "project={PROJECT} region={} vpc={} subnets={} sg={} clusters={}",
            self.zilliz_region,
            self.network.vpc,
            self.network.subnets.join(","),
            self.network.security_group,
            self.clusters.join(",")
        )
    }

    /// The private link hosts the fake hands out for the clusters.
    pub fn hosts(&self) -> Vec<String> {
        let st = self.zilliz.lock();
        self.clusters
            .iter()
            .filter_map(|c| st.clusters.get(c))
            .map(|c| {
                let address = FakeState::private_link_address(c);
                address
                    .trim_start_matches("https://")
                    .split(':')
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect()
    }

    pub async fn end_state(&self) -> anyhow::Result<EndState> {
        fixtures::end_state(&self.aws, &self.region, &self.network.vpc).await
    }
}

/// The emulators every sandbox runs on, with no customer world yet: moto,
/// Zilliz's endpoint service in it, the fake Zilliz Cloud offering that
/// service (whitelist required, as in most of Zilliz's regions; a new
/// registration pending two reads) under a key made here, and the strict
/// AWS proxy in front of moto asking the fake who is allowed in.
pub struct Emulators {
    pub moto: Moto,
    /// Straight to moto (the fixtures' way in); the bot goes through `proxy`.
    pub aws: SdkConfig,
    pub proxy: AwsProxy,
    pub zilliz: FakeZilliz,
    pub service_name: String,
    pub api_key: String,
}

impl Emulators {
    pub async fn start(zilliz_region: &str) -> anyhow::Result<Self> {
        let region = zilliz_region
            .strip_prefix("aws-")
            .ok_or_else(|| anyhow::anyhow!("{zilliz_region} is not an AWS region of Zilliz's"))?;
        let moto = Moto::start().await?;
        let aws = fixtures::emulator_config(&moto.url, region).await;
        let service_name = fixtures::zilliz_endpoint_service(&moto.url, &aws, region).await?;
        let mut state = FakeState::default();
        state.accept_after_reads = 2;
        state.services.push(FakeService {
            region: zilliz_region.to_owned(),
            service_name: service_name.clone(),
            // As in most of Zilliz's regions: the account must be allowed
            // in before AWS shows it the service.
            whitelist_required: true,
        });
        let api_key = random_key();
        let zilliz = FakeZilliz::start(&api_key, state).await?;
        let proxy = AwsProxy::start(&moto.url).await?;
        proxy.lock().strict.provider = Some(zilliz.state.clone());
        Ok(Self {
            moto,
            aws,
            proxy,
            zilliz,
            service_name,
            api_key,
        })
    }
}

/// Serves `router` on `listener` in the background until the returned
/// sender is dropped (with the local server that owns it).
fn serve_until_dropped(listener: TcpListener, router: axum::Router) -> oneshot::Sender<()> {
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
    });
    stop
}

/// A process's resident and peak resident memory, in KiB (Linux `/proc`).
pub fn process_memory(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|n| n.parse::<u64>().ok())
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}
