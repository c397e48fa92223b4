//! The test harness: a sandbox (moto_server + fake Zilliz Cloud) and the bot
//! built from config exactly as `main` builds it, with the console adapter
//! writing into a buffer the tests can read.

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use privatelink_bot::app::{App, Overrides};
use privatelink_bot::chat::console::{ConsoleSink, SharedOut};
use privatelink_bot::config::Config;
use privatelink_bot::domain::ids::{JobId, Platform, UserRef};
use privatelink_bot::domain::job::{Conversation, Job, JobState, Step};
use privatelink_bot::domain::policy::Actor;
use privatelink_bot::engine::{HookPoint, StepHook};
use privatelink_bot::i18n::Locale;
use privatelink_bot::ports::chat::Action;
use privatelink_bot::ports::clock::{Clock, ManualClock, SystemClock};
use privatelink_bot::sandbox::Sandbox;
use privatelink_bot::sandbox::aws_proxy::{AwsProxy, DryRun};
use privatelink_bot::sandbox::fixtures::{self, CustomerNetwork, EndState, NetworkShape};
use privatelink_bot::secret::Secret;
use privatelink_bot::service::{Event, Inbound, Reply};
use privatelink_bot::store::WriteHook;
use tokio::sync::Notify;

mod served;
pub use served::*;

/// A `Write` into a shared buffer.
#[derive(Clone, Default)]
pub struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut v) = self.0.lock() {
            v.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Buffer {
    pub fn text(&self) -> String {
        self.0
            .lock()
            .map(|v| String::from_utf8_lossy(&v).into_owned())
            .unwrap_or_default()
    }
}

/// Stops the engine at one point of one step, forever, as a crash would;
/// tells the test when it got there.
pub struct CrashAt {
    pub step: Step,
    pub point: HookPoint,
    pub reached: Notify,
}

#[async_trait]
impl StepHook for CrashAt {
    async fn at(&self, _job: JobId, step: Step, point: HookPoint) {
        if step == self.step && point == self.point {
            self.reached.notify_one();
            std::future::pending::<()>().await;
        }
    }
}

pub struct Harness {
    pub sandbox: Sandbox,
    /// Holds the sled directory for the harness's lifetime.
    pub _dir: tempfile::TempDir,
    pub config: Config,
    pub out: Buffer,
    /// Always `Some` between calls; `None` only while a crash drops it.
    bot: Option<App>,
    pub clock: Arc<ManualClock>,
}

pub fn store_path(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("store.sled")
}

/// The least config the admin commands need for the store at `store`,
/// written into `dir`; returns its path.
pub fn admin_config(dir: &tempfile::TempDir, store: &std::path::Path) -> PathBuf {
    let config = dir.path().join("bot.toml");
    std::fs::write(
        &config,
        format!(
            "[store]\npath = {:?}\n[zilliz]\nbase_url = \"global\"\n[policy]\napprovers = [\"console:bob\"]\n",
            store.display().to_string()
        ),
    )
    .expect("config written");
    config
}

impl Harness {
    pub async fn start() -> Self {
        Self::start_with(1, |_| {}, None).await
    }

    /// Starts a sandbox with `clusters` clusters, lets `tweak` change the
    /// config, and builds the bot (with `hook` in its engine).
    pub async fn start_with(
        clusters: usize,
        tweak: impl FnOnce(&mut Config),
        hook: Option<Arc<dyn StepHook>>,
    ) -> Self {
        Self::start_full(clusters, tweak, hook, None).await
    }

    /// As `start_with`, with `store_hook` called by the store's writer
    /// before each change.
    pub async fn start_full(
        clusters: usize,
        tweak: impl FnOnce(&mut Config),
        hook: Option<Arc<dyn StepHook>>,
        store_hook: Option<Arc<dyn WriteHook>>,
    ) -> Self {
        let sandbox = Sandbox::start(clusters).await.expect("sandbox starts");
        Self::start_on(sandbox, tweak, hook, store_hook).await
    }

    /// The bot over a sandbox already started (in another region, say).
    pub async fn start_on(
        sandbox: Sandbox,
        tweak: impl FnOnce(&mut Config),
        hook: Option<Arc<dyn StepHook>>,
        store_hook: Option<Arc<dyn WriteHook>>,
    ) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = sandbox.config(&store_path(&dir)).expect("sandbox config");
        config.console.exports = dir.path().join("exports");
        tweak(&mut config);
        let clock = Arc::new(ManualClock::new(SystemClock.now()));
        let out = Buffer::default();
        let app = build(&sandbox, &config, &out, clock.clone(), hook, store_hook).await;
        Self {
            sandbox,
            _dir: dir,
            config,
            out,
            bot: Some(app),
            clock,
        }
    }

    /// One cluster, with DryRun preflight on, answered by the sandbox's
    /// AWS proxy as `dry_run` says (every AWS call goes through it).
    pub async fn behind_aws_proxy(dry_run: DryRun) -> (Self, AwsProxy) {
        let h = Self::start_with(1, |c| c.aws.dry_run_preflight = true, None).await;
        let proxy = h.sandbox.proxy.clone();
        proxy.lock().dry_run = dry_run;
        (h, proxy)
    }

    pub fn app(&self) -> &App {
        self.bot.as_ref().expect("the bot is running")
    }

    /// Drops the running bot without letting it finish anything (a crash),
    /// then starts a new one on the same sled directory and resumes.
    pub async fn crash_and_restart(&mut self, hook: Option<Arc<dyn StepHook>>) -> Vec<JobId> {
        self.app().halt().await;
        // The old bot goes first: sled keeps a file lock until its last
        // handle is dropped, as a dead process would release it.
        drop(self.bot.take());
        let fresh = build(
            &self.sandbox,
            &self.config,
            &self.out,
            self.clock.clone(),
            hook,
            None,
        )
        .await;
        self.bot
            .insert(fresh)
            .engine
            .resume()
            .await
            .expect("resume")
    }

    /// Another replica of the bot on the same sandbox and config (the same
    /// store, which must be PostgreSQL), printing into `out`.
    pub async fn replica(
        &self,
        out: &Buffer,
        hook: Option<Arc<dyn StepHook>>,
        store_hook: Option<Arc<dyn WriteHook>>,
    ) -> App {
        build(
            &self.sandbox,
            &self.config,
            out,
            self.clock.clone(),
            hook,
            store_hook,
        )
        .await
    }

    /// Stops the bot where it stands and lets go of it, as a killed
    /// process: nothing is released by hand.
    pub async fn kill(&mut self) {
        self.app().halt().await;
        drop(self.bot.take());
    }

    /// Stops the bot (releasing its store) and writes the least config
    /// the admin commands need for its store; returns the config's path.
    pub async fn stop_for_admin(&mut self) -> PathBuf {
        self.app().halt().await;
        drop(self.bot.take());
        admin_config(&self._dir, &store_path(&self._dir))
    }

    /// Everything the console printed, once what the bot had to say so far
    /// has been delivered.
    pub async fn transcript(&self) -> String {
        self.app().delivery.settled().await;
        self.out.text()
    }

    pub fn actor(user: &str, roles: &[&str]) -> Actor {
        Actor {
            user: UserRef::new(Platform::Console, user),
            roles: roles.iter().map(|r| r.to_string()).collect(),
        }
    }

    /// Hands the service one event, and lets what it said reach the
    /// channel before the next person acts (as people see a card before
    /// they click it).
    pub async fn send(&self, actor: Actor, delivery: Option<&str>, event: Event) -> Reply {
        self.send_in("platform-ops", actor, delivery, event).await
    }

    /// As `send`, from the console channel `channel`.
    pub async fn send_in(
        &self,
        channel: &str,
        actor: Actor,
        delivery: Option<&str>,
        event: Event,
    ) -> Reply {
        let reply = self
            .app()
            .service
            .handle(Inbound {
                actor,
                conversation: Conversation {
                    platform: Platform::Console,
                    channel: privatelink_bot::domain::ids::ChannelId::parse(channel)
                        .expect("an id"),
                },
                delivery: delivery.map(str::to_owned),
                event,
                locale: privatelink_bot::i18n::Locale::En,
                card_locale: privatelink_bot::i18n::Locale::En,
            })
            .await;
        self.app().delivery.settled().await;
        reply
    }

    /// `user` types `/privatelink <text>`.
    pub async fn say(&self, user: &str, text: &str) -> Reply {
        self.send(
            Self::actor(user, &[]),
            None,
            Event::Command(text.to_owned()),
        )
        .await
    }

    pub async fn click(&self, user: &str, action: Action, job: JobId) -> Reply {
        self.click_as(user, &[], action, job).await
    }

    /// A click by `user` holding `roles`.
    pub async fn click_as(&self, user: &str, roles: &[&str], action: Action, job: JobId) -> Reply {
        self.send(Self::actor(user, roles), None, Event::Click { action, job })
            .await
    }

    /// alice asks for the sandbox's link; returns the job id.
    pub async fn create(&self) -> JobId {
        let reply = self
            .say("alice", &format!("create {}", self.sandbox.create_args()))
            .await;
        reply
            .job
            .unwrap_or_else(|| panic!("create was refused: {}", reply.text))
    }

    /// alice asks, bob approves, and the job runs to its end.
    pub async fn create_and_run(&self) -> JobId {
        let id = self.create().await;
        let reply = self.click("bob", Action::Approve, id).await;
        assert!(reply.text.contains("approved"), "{}", reply.text);
        self.app().engine.wait(id).await;
        id
    }

    /// alice asks for a link from the sandbox's VPC to `clusters`, bob
    /// approves, and it runs to its end; its id.
    pub async fn link(&self, clusters: &[String]) -> JobId {
        let line = create_line(&self.sandbox.network, clusters);
        let id = self.say("alice", &line).await.job.expect("created");
        self.click("bob", Action::Approve, id).await;
        self.app().engine.wait(id).await;
        id
    }

    /// Stores a job as its parts say, as the store's own insert does (a
    /// job in any state, for what the flow would take long to reach).
    pub async fn insert_parts(&self, parts: privatelink_bot::domain::job::JobParts) {
        let event = privatelink_bot::domain::audit::AuditEvent {
            at: 0,
            job: Some(parts.id),
            actor: privatelink_bot::domain::audit::Actor::Bot,
            action: privatelink_bot::domain::audit::Action::Create,
            outcome: privatelink_bot::domain::audit::Outcome::Unstated,
            rule: None,
        };
        self.app()
            .store
            .insert(
                privatelink_bot::store::Admission::Owed,
                &Job::from_parts(parts),
                event,
            )
            .await
            .expect("stored");
    }

    /// Deletes the VPC endpoint `endpoint` by hand, as someone cleaning
    /// up in the EC2 console would.
    pub async fn delete_endpoint_by_hand(&self, endpoint: &str) {
        aws_sdk_ec2::Client::new(&self.sandbox.aws)
            .delete_vpc_endpoints()
            .vpc_endpoint_ids(endpoint)
            .send()
            .await
            .expect("deleted by hand");
    }

    /// Removes the sandbox security group's rule for the private link
    /// port by hand; the port.
    pub async fn close_port_by_hand(&self) -> u16 {
        use aws_sdk_ec2::types::{IpPermission, IpRange};
        let port = privatelink_bot::sandbox::fake_zilliz::PRIVATE_LINK_PORT;
        aws_sdk_ec2::Client::new(&self.sandbox.aws)
            .revoke_security_group_ingress()
            .group_id(&self.sandbox.network.security_group)
            .ip_permissions(
                IpPermission::builder()
                    .ip_protocol("tcp")
                    .from_port(i32::from(port))
                    .to_port(i32::from(port))
                    .ip_ranges(IpRange::builder().cidr_ip("10.0.0.0/8").build())
                    .build(),
            )
            .send()
            .await
            .expect("revoked by hand");
        port
    }

    pub fn job(&self, id: JobId) -> Job {
        self.app()
            .store
            .blocking()
            .get(id)
            .expect("store")
            .expect("job exists")
    }

    /// The step a failed job stopped at and its error in English; any
    /// other state fails the test, naming it.
    pub fn failure(&self, id: JobId) -> (Step, String) {
        match self.state(id) {
            JobState::Failed { step, error } => (step, error.render(Locale::En)),
            other => panic!("expected {id} to have failed, got {other:?}"),
        }
    }

    pub fn state(&self, id: JobId) -> JobState {
        self.job(id).state().clone()
    }

    pub async fn end_state(&self) -> EndState {
        self.sandbox.end_state().await.expect("end state")
    }

    /// A customer VPC of its own (one active job runs per VPC and region),
    /// its CIDR numbered by `octet`.
    pub async fn network(&self, octet: u8) -> CustomerNetwork {
        fixtures::customer_network(
            &self.sandbox.aws,
            privatelink_bot::sandbox::REGION,
            octet,
            NetworkShape::default(),
        )
        .await
        .expect("customer network")
    }

    /// How many requests the fake Zilliz saw starting with `prefix`
    /// ("POST /v2/projects/", …).
    pub fn zilliz_requests(&self, prefix: &str) -> usize {
        self.sandbox
            .zilliz
            .lock()
            .requests
            .iter()
            .filter(|r| r.starts_with(prefix))
            .count()
    }

    pub fn registered(&self) -> Vec<String> {
        self.sandbox
            .zilliz
            .lock()
            .registered(privatelink_bot::sandbox::PROJECT)
    }
}

async fn build(
    sandbox: &Sandbox,
    config: &Config,
    out: &Buffer,
    clock: Arc<ManualClock>,
    hook: Option<Arc<dyn StepHook>>,
    store_hook: Option<Arc<dyn WriteHook>>,
) -> App {
    let shared: SharedOut = Arc::new(Mutex::new(Box::new(out.clone())));
    App::build(
        config,
        Secret::new(&sandbox.api_key),
        Arc::new(
            ConsoleSink::new(shared, privatelink_bot::i18n::Locale::En)
                .files_in(config.console.exports.clone()),
        ),
        Overrides {
            clock: Some(clock),
            hook,
            zilliz_retries: Some((
                privatelink_bot::backoff::Backoff {
                    initial: Duration::from_millis(10),
                    max: Duration::from_millis(50),
                },
                4,
            )),
            store_hook,
            playground: None,
        },
    )
    .await
    .expect("the bot builds from the sandbox config")
}

/// A create line for `clusters` on `network`, in the sandbox's project and
/// region.
pub fn create_line(network: &CustomerNetwork, clusters: &[String]) -> String {
    use privatelink_bot::sandbox::{PROJECT, ZILLIZ_REGION};
    format!(
        "create project={PROJECT} region={ZILLIZ_REGION} vpc={} subnets={} sg={} clusters={}",
        network.vpc,
        network.subnets.join(","),
        network.security_group,
        clusters.join(",")
    )
}
