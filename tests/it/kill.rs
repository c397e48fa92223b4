//! Crash anywhere, for real: the `console` binary, over a slowed moto (the
//! AWS proxy adds latency to every call) and the fake Zilliz Cloud, killed
//! with SIGKILL at random moments while it creates, approves and runs
//! several jobs, and restarted on the same store each time. In the end
//! every job is verified with exactly one endpoint, registration, zone and
//! record, and the transcript's last word on each job is its true state.

use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::Duration;

use privatelink_bot::sandbox::fixtures::{self, CustomerNetwork, NetworkShape};
use privatelink_bot::sandbox::{PROJECT, REGION, Sandbox};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::harness::{create_line, store_path};

const JOBS: usize = 4;
const KILLS: usize = 8;

/// The jobs the store holds: VPC → (job id, state word).
fn jobs(config: &std::path::Path) -> BTreeMap<String, (String, String)> {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_privatelink-bot"))
        .args(["--config", &config.display().to_string(), "jobs", "list"])
        .output()
        .expect("jobs list runs");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            match words.as_slice() {
                [id, state, vpc, ..] => {
                    Some(((*vpc).to_owned(), ((*id).to_owned(), (*state).to_owned())))
                }
                _ => None,
            }
        })
        .collect()
}

/// What a run is told: create the jobs the store lacks, approve those
/// waiting, and wait for every one.
pub(crate) fn script(
    networks: &[CustomerNetwork],
    clusters: &[String],
    held: &BTreeMap<String, (String, String)>,
) -> String {
    let mut s = String::from("/as alice\n");
    let mut approvals = Vec::new();
    for (n, cluster) in networks.iter().zip(clusters) {
        match held.get(&n.vpc) {
            None => {
                s.push_str(&create_line(n, std::slice::from_ref(cluster)));
                s.push_str("\n/as bob\napprove $last\n/as alice\n");
            }
            Some((id, state)) if state == "pending_approval" => approvals.push(id.clone()),
            Some(_) => {}
        }
    }
    s.push_str("/as bob\n");
    for id in approvals {
        s.push_str(&format!("approve {id}\n"));
    }
    for (id, _) in held.values() {
        s.push_str(&format!("/wait {id}\n"));
    }
    s
}

/// Runs the console with `input`; with `kill_after`, SIGKILLs it then.
/// What it printed.
async fn run(
    config: &std::path::Path,
    api_key: &str,
    input: String,
    kill_after: Option<Duration>,
) -> String {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_privatelink-bot"))
        .args(["--config", &config.display().to_string(), "console"])
        .env("SANDBOX_ZILLIZ_API_KEY", api_key)
        .env("RUST_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = tokio::spawn(async move {
        let mut out = Vec::new();
        let _ = stdout.read_to_end(&mut out).await;
        out
    });
    // Input stays open while the process may be killed: a run that is not
    // killed gets its end of input after the script.
    stdin.write_all(input.as_bytes()).await.expect("script");
    match kill_after {
        Some(after) => {
            // Not a wait for anything: the moment of the kill is the test.
            tokio::time::sleep(after).await;
            child.start_kill().expect("SIGKILL");
            let _ = child.wait().await;
        }
        None => {
            drop(stdin);
            let status = tokio::time::timeout(Duration::from_secs(180), child.wait())
                .await
                .expect("the last run ends by itself")
                .expect("status");
            assert!(status.success(), "the last run failed: {status:?}");
        }
    }
    String::from_utf8_lossy(&reader.await.expect("output")).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_at_random_moments_every_job_ends_verified_with_one_of_each() {
    let sandbox = Sandbox::start(JOBS).await.expect("sandbox");
    let proxy = sandbox.proxy.clone();
    proxy.lock().latency = Some(Duration::from_millis(60));
    let mut networks = Vec::new();
    for i in 0..JOBS {
        let octet = u8::try_from(60 + i).expect("octet");
        networks.push(
            fixtures::customer_network(&sandbox.aws, REGION, octet, NetworkShape::default())
                .await
                .expect("network"),
        );
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("bot.toml");
    let text = sandbox.config_text(&store_path(&dir));
    std::fs::write(&config, text).expect("config written");

    let mut transcript = String::new();
    for kill in 0..KILLS {
        let held = jobs(&config);
        let input = script(&networks, &sandbox.clusters, &held);
        let after = Duration::from_millis(rand::random_range(100..1000));
        transcript.push_str(&run(&config, &sandbox.api_key, input, Some(after)).await);
        transcript.push_str(&format!("\n=== killed (run {kill}, after {after:?}) ===\n"));
    }
    let held = jobs(&config);
    let input = script(&networks, &sandbox.clusters, &held);
    transcript.push_str(&run(&config, &sandbox.api_key, input, None).await);

    let held = jobs(&config);
    assert_eq!(held.len(), JOBS, "one job per VPC: {held:?}\n{transcript}");
    let hosts = sandbox.hosts();
    for (i, n) in networks.iter().enumerate() {
        let (id, state) = &held[&n.vpc];
        assert_eq!(state, "succeeded", "{id}\n{transcript}");
        fixtures::end_state(&sandbox.aws, REGION, &n.vpc)
            .await
            .expect("end state")
            .verify(&hosts[i..=i])
            .unwrap_or_else(|e| panic!("{id}: {e}\n{transcript}"));
        // The chat's last word on the job is the truth.
        let last = transcript
            .lines()
            .rev()
            .find(|l| l.contains(&format!("card card-{id} now:")))
            .unwrap_or_default();
        assert!(
            last.contains("✅ Succeeded"),
            "{id}: {last:?}\n{transcript}"
        );
    }
    let mut registered = sandbox.zilliz.lock().registered(PROJECT);
    let count = registered.len();
    registered.dedup();
    assert_eq!(count, JOBS, "one registration per endpoint: {registered:?}");
    assert_eq!(registered.len(), JOBS);
    eprintln!("{transcript}");
}

/// The repair of a link whose endpoint was deleted by hand, the binary
/// killed at random moments while it runs: in the end the link is
/// verified with one endpoint, zone and record, the new endpoint is
/// registered once, and the watch finds it in shape.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_at_random_moments_during_a_repair_the_link_ends_verified_with_one_of_each() {
    let sandbox = Sandbox::start(1).await.expect("sandbox");
    let network = fixtures::customer_network(&sandbox.aws, REGION, 70, NetworkShape::default())
        .await
        .expect("network");
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("bot.toml");
    std::fs::write(&config, sandbox.config_text(&store_path(&dir))).expect("config written");
    let key = sandbox.api_key.clone();
    let made = script(
        std::slice::from_ref(&network),
        &sandbox.clusters,
        &BTreeMap::new(),
    );
    let mut transcript = run(&config, &key, made, None).await;
    let (id, state) = jobs(&config)[&network.vpc].clone();
    assert_eq!(state, "succeeded", "{transcript}");

    let ec2 = aws_sdk_ec2::Client::new(&sandbox.aws);
    let old = fixtures::end_state(&sandbox.aws, REGION, &network.vpc)
        .await
        .expect("end state")
        .endpoints[0]
        .0
        .clone();
    ec2.delete_vpc_endpoints()
        .vpc_endpoint_ids(&old)
        .send()
        .await
        .expect("deleted by hand");
    // Two checks in a row see it: told drifted, a repair is possible.
    let checks = format!("/as bob\nverify {id}\nverify {id}\n");
    transcript.push_str(&run(&config, &key, checks, None).await);
    assert!(transcript.contains("has drifted"), "{transcript}");

    // Slow enough that each run gets a step or two done before its kill;
    // killed again until the repair has ended.
    sandbox.proxy.lock().latency = Some(Duration::from_millis(150));
    let mut kill = 0;
    while kill < 4 * KILLS && (kill == 0 || jobs(&config)[&network.vpc].1 != "succeeded") {
        let input = format!("/as bob\nrepair {id}\n/wait {id}\n");
        let after = Duration::from_millis(rand::random_range(100..700));
        transcript.push_str(&run(&config, &key, input, Some(after)).await);
        transcript.push_str(&format!("\n=== killed (run {kill}, after {after:?}) ===\n"));
        kill += 1;
    }
    let last = format!("/wait {id}\n/as bob\nverify {id}\n");
    let said = run(&config, &key, last, None).await;
    transcript.push_str(&said);
    assert_eq!(jobs(&config)[&network.vpc].1, "succeeded", "{transcript}");
    assert!(said.contains("is in shape"), "{said}\n{transcript}");
    let end = fixtures::end_state(&sandbox.aws, REGION, &network.vpc)
        .await
        .expect("end state");
    end.verify(&sandbox.hosts())
        .unwrap_or_else(|e| panic!("{e}\n{transcript}"));
    let new = end.endpoints[0].0.clone();
    assert_ne!(new, old);
    let registered = sandbox.zilliz.lock().registered(PROJECT);
    assert_eq!(
        registered.iter().filter(|e| **e == new).count(),
        1,
        "the new endpoint registered once: {registered:?}"
    );
    assert!(
        transcript.contains("is repaired and verified"),
        "{transcript}"
    );
}
