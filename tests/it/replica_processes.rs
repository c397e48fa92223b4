//! Two bot processes (the `console` binary) on one PostgreSQL store, over
//! a slowed moto (through the strict proxy) and the fake Zilliz Cloud:
//! one is killed with SIGKILL at random moments, again and again, and the
//! other finishes every job once the leases lapse; one is stopped with
//! SIGSTOP past its lease, and when it resumes its next record is refused
//! and it makes no cloud call that changes anything.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use privatelink_bot::sandbox::fixtures::{self, CustomerNetwork, NetworkShape};
use privatelink_bot::sandbox::{PROJECT, REGION, Sandbox};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, ChildStdin};

use crate::backing::Backing;
use crate::harness::create_line;
use crate::kill::script;

const JOBS: usize = 4;
const KILLS: usize = 6;

/// What every process of a test shares: the sandbox, the database, the
/// config file (one per process, for its HTTP port).
struct Fleet {
    sandbox: Sandbox,
    url: String,
    dir: tempfile::TempDir,
    _backing: Backing,
}

impl Fleet {
    async fn start(clusters: usize) -> Self {
        let sandbox = Sandbox::start(clusters).await.expect("sandbox");
        let backing = Backing::postgres().await;
        let Backing::Postgres { url, .. } = &backing else {
            unreachable!("a PostgreSQL backing");
        };
        Self {
            url: url.clone(),
            sandbox,
            dir: tempfile::tempdir().expect("temp dir"),
            _backing: backing,
        }
    }

    /// A config on the shared store, with leases of 2 s and, with `port`,
    /// `/metrics` served there.
    fn config(&self, name: &str, port: Option<u16>) -> PathBuf {
        let mut text = self
            .sandbox
            .config_text(&self.dir.path().join("unused.sled"))
            .replace(
                "[store]\n",
                "[store]\nbackend = \"postgres\"\nlease = \"2s\"\n",
            );
        if let Some(port) = port {
            text.push_str(&format!("\n[http]\nlisten = \"127.0.0.1:{port}\"\n"));
        }
        let path = self.dir.path().join(format!("{name}.toml"));
        std::fs::write(&path, text).expect("config written");
        path
    }

    fn command(&self, config: &Path, args: &[&str]) -> tokio::process::Command {
        let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_privatelink-bot"));
        c.args(["--config", &config.display().to_string()])
            .args(args)
            .env("SANDBOX_ZILLIZ_API_KEY", &self.sandbox.api_key)
            .env("PRIVATELINK_BOT_DATABASE_URL", &self.url);
        c
    }

    /// The jobs the store holds: VPC → (job id, state word), read by the
    /// admin CLI while the bots run.
    async fn jobs(&self, config: &Path) -> BTreeMap<String, (String, String)> {
        let out = self
            .command(config, &["jobs", "list"])
            .output()
            .await
            .expect("jobs list runs");
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(
                |l| match l.split_whitespace().collect::<Vec<_>>().as_slice() {
                    [id, state, vpc, ..] => {
                        Some(((*vpc).to_owned(), ((*id).to_owned(), (*state).to_owned())))
                    }
                    _ => None,
                },
            )
            .collect()
    }

    /// Looks again every 250 ms (bounded) until every job in `networks`
    /// is in a state `done` accepts.
    async fn until_all(
        &self,
        config: &Path,
        networks: &[CustomerNetwork],
        done: impl Fn(&str) -> bool,
    ) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(240);
        loop {
            let held = self.jobs(config).await;
            if networks
                .iter()
                .all(|n| held.get(&n.vpc).is_some_and(|(_, s)| done(s)))
            {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "not there: {held:?}"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    async fn until_all_succeeded(&self, config: &Path, networks: &[CustomerNetwork]) {
        self.until_all(config, networks, |s| s == "succeeded").await
    }
}

/// A running console: its input stays open until `finish`; what it
/// printed and logged is collected as it goes.
struct Bot {
    child: Child,
    stdin: Option<ChildStdin>,
    out: tokio::task::JoinHandle<Vec<u8>>,
    log: Arc<Mutex<String>>,
}

impl Bot {
    fn start(fleet: &Fleet, config: &Path) -> Self {
        let mut child = fleet
            .command(config, &["console"])
            .env("RUST_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("the binary starts");
        let stdin = child.stdin.take();
        let mut stdout = child.stdout.take().expect("stdout");
        let out = tokio::spawn(async move {
            let mut out = Vec::new();
            let _ = stdout.read_to_end(&mut out).await;
            out
        });
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().expect("stderr");
        let into = log.clone();
        tokio::spawn(async move {
            let mut lines = tokio::io::BufReader::new(stderr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                if let Ok(mut log) = into.lock() {
                    log.push_str(&line);
                    log.push('\n');
                }
            }
        });
        Self {
            child,
            stdin,
            out,
            log,
        }
    }

    async fn type_in(&mut self, text: &str) {
        let stdin = self.stdin.as_mut().expect("input open");
        stdin.write_all(text.as_bytes()).await.expect("typed");
        stdin.flush().await.expect("flushed");
    }

    fn pid(&self) -> String {
        self.child.id().expect("running").to_string()
    }

    fn signal(&self, signal: &str) {
        let sent = std::process::Command::new("kill")
            .args([signal, &self.pid()])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "kill {signal}");
    }

    fn log(&self) -> String {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Ends its input, and waits for it to end by itself; what it printed.
    async fn finish(mut self) -> String {
        drop(self.stdin.take());
        let status = tokio::time::timeout(Duration::from_secs(120), self.child.wait())
            .await
            .expect("the bot ends by itself")
            .expect("status");
        assert!(status.success(), "{status:?}\n{}", self.log());
        String::from_utf8_lossy(&self.out.await.expect("output")).into_owned()
    }

    /// SIGKILLs it; what it printed.
    async fn kill(mut self) -> String {
        self.child.start_kill().expect("SIGKILL");
        let _ = self.child.wait().await;
        String::from_utf8_lossy(&self.out.await.expect("output")).into_owned()
    }
}

async fn networks(sandbox: &Sandbox, n: usize, first: u8) -> Vec<CustomerNetwork> {
    let mut out = Vec::new();
    for i in 0..n {
        let octet = first + u8::try_from(i).expect("octet");
        out.push(
            fixtures::customer_network(&sandbox.aws, REGION, octet, NetworkShape::default())
                .await
                .expect("network"),
        );
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_of_two_processes_killed_again_and_again_the_other_finishes_every_job() {
    let fleet = Fleet::start(JOBS).await;
    fleet.sandbox.proxy.lock().latency = Some(Duration::from_millis(60));
    let networks = networks(&fleet.sandbox, JOBS, 110).await;
    let (config_a, config_b) = (fleet.config("a", None), fleet.config("b", None));
    // B runs throughout and is asked nothing but the approvals A never got to.
    let b = Bot::start(&fleet, &config_b);
    let mut transcript = String::new();
    for kill in 0..KILLS {
        let held = fleet.jobs(&config_a).await;
        let mut a = Bot::start(&fleet, &config_a);
        a.type_in(&script(&networks, &fleet.sandbox.clusters, &held))
            .await;
        // Not a wait for anything: the moment of the kill is the test.
        let after = Duration::from_millis(rand::random_range(100..1500));
        tokio::time::sleep(after).await;
        transcript.push_str(&a.kill().await);
        transcript.push_str(&format!(
            "\n=== A killed (run {kill}, after {after:?}) ===\n"
        ));
    }
    // Whatever A created and never got approved: bob approves it on B;
    // whatever A never created: alice asks on B.
    let held = fleet.jobs(&config_b).await;
    let mut b = b;
    b.type_in(&script(&networks, &fleet.sandbox.clusters, &held))
        .await;
    fleet.until_all_succeeded(&config_b, &networks).await;
    transcript.push_str(&b.finish().await);

    let hosts = fleet.sandbox.hosts();
    for (i, n) in networks.iter().enumerate() {
        fixtures::end_state(&fleet.sandbox.aws, REGION, &n.vpc)
            .await
            .expect("end state")
            .verify(&hosts[i..=i])
            .unwrap_or_else(|e| panic!("{}: {e}\n{transcript}", n.vpc));
    }
    let mut registered = fleet.sandbox.zilliz.lock().registered(PROJECT);
    let count = registered.len();
    registered.dedup();
    assert_eq!(count, JOBS, "one registration per endpoint: {registered:?}");
    assert_eq!(registered.len(), JOBS);
}

/// The `/metrics` text of a bot serving on `port`; none before it listens.
async fn metrics(port: u16) -> Option<String> {
    reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .ok()?
        .text()
        .await
        .ok()
}

/// Cloud calls that change something, as a bot's metrics count them
/// (every operation that is not a read).
fn changing_calls(metrics: &str) -> u64 {
    metrics
        .lines()
        .filter(|l| l.starts_with("privatelink_bot_cloud_calls_total{"))
        .filter(|l| {
            let op = l.split("operation=\"").nth(1).unwrap_or_default();
            !["Describe", "Get", "List", "GET "]
                .iter()
                .any(|read| op.starts_with(read))
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_stopped_past_its_lease_has_its_next_record_refused_and_changes_nothing_after() {
    let fleet = Fleet::start(1).await;
    fleet.sandbox.proxy.lock().latency = Some(Duration::from_millis(40));
    // The registration stays pending a while: A is stopped while it waits.
    fleet.sandbox.zilliz.lock().accept_after_reads = 40;
    let network = networks(&fleet.sandbox, 1, 130).await.remove(0);
    let port_a = free_port();
    let (config_a, config_b) = (fleet.config("a", Some(port_a)), fleet.config("b", None));
    let mut a = Bot::start(&fleet, &config_a);
    let b = Bot::start(&fleet, &config_b);
    a.type_in(&format!(
        "/as alice\n{}\n/as bob\napprove $last\n",
        create_line(&network, &fleet.sandbox.clusters)
    ))
    .await;
    // Once A has registered the endpoint, it only reads until the
    // registration is accepted: stop it there.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    let before = loop {
        let text = metrics(port_a).await.unwrap_or_default();
        if text.contains("operation=\"POST /v2/") {
            break changing_calls(&text);
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "A never registered:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    a.signal("-STOP");
    // B adopts the job once A's lease lapses, and finishes it.
    fleet
        .until_all_succeeded(&config_b, std::slice::from_ref(&network))
        .await;
    a.signal("-CONT");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while !a.log().contains("it stops working on it") {
        assert!(
            tokio::time::Instant::now() < deadline,
            "A was never refused:\n{}",
            a.log()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let after = metrics(port_a).await.expect("A serves its metrics");
    assert_eq!(
        changing_calls(&after),
        before,
        "A changed nothing after it was stopped:\n{after}"
    );
    assert!(
        after.contains("privatelink_bot_lease_events_total{kind=\"lost\"} 1"),
        "{after}"
    );
    let end = fixtures::end_state(&fleet.sandbox.aws, REGION, &network.vpc)
        .await
        .expect("end state");
    end.verify(&fleet.sandbox.hosts()).expect("one of each");
    assert_eq!(fleet.sandbox.zilliz.lock().registered(PROJECT).len(), 1);
    a.finish().await;
    b.finish().await;
}

/// alice asks for a link on `network` and bob approves it, typed into `bot`.
async fn ask_and_approve(bot: &mut Bot, network: &CustomerNetwork, cluster: &str) {
    bot.type_in(&format!(
        "/as alice\n{}\n/as bob\napprove $last\n",
        create_line(network, &[cluster.to_owned()])
    ))
    .await;
}

/// Stops `bot` as Kubernetes does (SIGTERM), waits for it to end cleanly;
/// what it printed.
async fn terminate(mut bot: Bot) -> String {
    bot.signal("-TERM");
    let status = tokio::time::timeout(Duration::from_secs(120), bot.child.wait())
        .await
        .expect("it stops within its grace")
        .expect("status");
    assert!(status.success(), "{status:?}\n{}", bot.log());
    String::from_utf8_lossy(&bot.out.await.expect("output")).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rolling_restart_of_both_processes_while_jobs_run_loses_nothing_and_runs_nothing_twice() {
    const LINKS: usize = 6;
    let fleet = Fleet::start(LINKS).await;
    fleet.sandbox.proxy.lock().latency = Some(Duration::from_millis(60));
    let networks = networks(&fleet.sandbox, LINKS, 150).await;
    let clusters = fleet.sandbox.clusters.clone();
    let (config_a, config_b) = (fleet.config("a", None), fleet.config("b", None));
    let mut a = Bot::start(&fleet, &config_a);
    let mut b = Bot::start(&fleet, &config_b);
    for i in 0..2 {
        ask_and_approve(&mut a, &networks[i], &clusters[i]).await;
        ask_and_approve(&mut b, &networks[i + 2], &clusters[i + 2]).await;
    }
    // Both are up and working (each has taken its requests).
    let approved = |s: &str| s != "pending_approval";
    fleet.until_all(&config_a, &networks[..4], approved).await;
    let mut transcript = String::new();
    // A is replaced while its jobs run; a request arrives at B meanwhile.
    transcript.push_str(&terminate(a).await);
    ask_and_approve(&mut b, &networks[4], &clusters[4]).await;
    let mut a = Bot::start(&fleet, &config_a);
    fleet.until_all(&config_a, &networks[4..5], approved).await;
    // Then B, while a request arrives at the new A.
    transcript.push_str(&terminate(b).await);
    ask_and_approve(&mut a, &networks[5], &clusters[5]).await;
    let b = Bot::start(&fleet, &config_b);

    fleet.until_all_succeeded(&config_a, &networks).await;
    transcript.push_str(&a.finish().await);
    transcript.push_str(&b.finish().await);
    let hosts = fleet.sandbox.hosts();
    for (i, n) in networks.iter().enumerate() {
        fixtures::end_state(&fleet.sandbox.aws, REGION, &n.vpc)
            .await
            .expect("end state")
            .verify(&hosts[i..=i])
            .unwrap_or_else(|e| panic!("{}: {e}\n{transcript}", n.vpc));
    }
    let mut registered = fleet.sandbox.zilliz.lock().registered(PROJECT);
    let count = registered.len();
    registered.dedup();
    assert_eq!(
        count, LINKS,
        "one registration per endpoint: {registered:?}"
    );
    assert_eq!(registered.len(), LINKS);
    // Every job's outcome reached chat.
    for (id, _) in fleet.jobs(&config_a).await.values() {
        assert!(
            transcript.contains(&format!("{id} succeeded")),
            "{id}'s summary:\n{transcript}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_jobs_across_two_processes_are_each_verified_once_and_said_once_in_order() {
    const LINKS: usize = 20;
    let fleet = Fleet::start(LINKS).await;
    let networks = networks(&fleet.sandbox, LINKS, 170).await;
    let clusters = fleet.sandbox.clusters.clone();
    let (config_a, config_b) = (fleet.config("a", None), fleet.config("b", None));
    let mut bots = [Bot::start(&fleet, &config_a), Bot::start(&fleet, &config_b)];
    for (i, network) in networks.iter().enumerate() {
        // Asked on one process, approved on the other.
        let (asks, approves) = (i % 2, (i + 1) % 2);
        bots[asks]
            .type_in(&format!(
                "/as alice\n{}\n",
                create_line(network, std::slice::from_ref(&clusters[i]))
            ))
            .await;
        fleet
            .until_all(&config_a, std::slice::from_ref(network), |_| true)
            .await;
        let id = fleet.jobs(&config_a).await[&network.vpc].0.clone();
        bots[approves]
            .type_in(&format!("/as bob\napprove {id}\n"))
            .await;
    }
    fleet.until_all_succeeded(&config_a, &networks).await;
    let [a, b] = bots;
    let transcript = format!("{}{}", a.finish().await, b.finish().await);

    let hosts = fleet.sandbox.hosts();
    let held = fleet.jobs(&config_a).await;
    for (i, n) in networks.iter().enumerate() {
        let id = &held[&n.vpc].0;
        fixtures::end_state(&fleet.sandbox.aws, REGION, &n.vpc)
            .await
            .expect("end state")
            .verify(&hosts[i..=i])
            .unwrap_or_else(|e| panic!("{id}: {e}\n{transcript}"));
        // Said once, and the job's card ends on its outcome.
        let summary = format!("{id} succeeded");
        assert_eq!(
            transcript.matches(&summary).count(),
            1,
            "{id}'s summary once:\n{transcript}"
        );
        let card = format!("card card-{id} now:");
        let cards: Vec<&str> = transcript.lines().filter(|l| l.contains(&card)).collect();
        assert!(
            cards.last().is_some_and(|l| l.contains("✅ Succeeded")),
            "{id}'s card ends on its outcome: {cards:#?}"
        );
    }
    let mut registered = fleet.sandbox.zilliz.lock().registered(PROJECT);
    let count = registered.len();
    registered.dedup();
    assert_eq!(
        count, LINKS,
        "one registration per endpoint: {registered:?}"
    );
    assert_eq!(registered.len(), LINKS);
}
