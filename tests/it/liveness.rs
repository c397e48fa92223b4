//! A stuck store must never look healthy: once a store operation overruns
//! the liveness bound, `/healthz` fails, naming what is stuck, and `serve`
//! / `console` end with an error (the binary exits non-zero) so that a
//! supervisor restarts the bot.

use std::process::Stdio;
use std::time::Duration;

use privatelink_bot::app::Overrides;
use privatelink_bot::domain::ids::{Platform, UserRef};
use privatelink_bot::domain::job::Conversation;
use privatelink_bot::domain::policy::Actor;
use privatelink_bot::sandbox::Sandbox;
use privatelink_bot::secret::{Secret, SecretSource};
use privatelink_bot::serve::{self, Secrets};
use privatelink_bot::service::{Event, Inbound};
use privatelink_bot::store::{Stall, Store, StoreOptions};

use crate::harness::store_path;
use crate::store::Gate;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_operation_held_past_the_bound_fails_healthz_and_ends_serve() {
    let sandbox = Sandbox::start(1).await.expect("sandbox");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = sandbox.config(&store_path(&dir)).expect("config");
    config.store.liveness_bound = Duration::from_millis(300);
    let gate = Gate::closed("create");
    let server = serve::build(
        &config,
        Secrets {
            zilliz_api_key: Secret::new(&sandbox.api_key),
            chat: SecretSource::given([]),
        },
        Overrides {
            store_hook: Some(gate.clone()),
            ..Overrides::default()
        },
    )
    .await
    .expect("serve builds");
    let service = server.app.service.clone();
    let liveness = server.app.store.liveness().clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let healthz = format!("http://{}/healthz", listener.local_addr().expect("address"));
    let serving = tokio::spawn({
        let config = config.clone();
        async move {
            server
                .run(&config, Some(listener), std::future::pending())
                .await
        }
    });
    let http = reqwest::Client::new();
    let ok = http.get(&healthz).send().await.expect("healthz answers");
    assert_eq!(ok.status(), 200);

    // A create whose store write never finishes (a disk that stopped
    // answering, as far as the bot can tell).
    let args = sandbox.create_args();
    tokio::spawn(async move {
        service
            .handle(Inbound {
                actor: Actor::new(UserRef::new(Platform::Console, "alice")),
                conversation: Conversation {
                    platform: Platform::Console,
                    channel: privatelink_bot::domain::ids::ChannelId::parse("ops").expect("an id"),
                },
                delivery: None,
                event: Event::Command(format!("create {args}")),
                locale: privatelink_bot::i18n::Locale::En,
                card_locale: privatelink_bot::i18n::Locale::En,
            })
            .await
    });
    let stall = tokio::time::timeout(Duration::from_secs(60), liveness.tripped())
        .await
        .expect("the watchdog trips");
    assert_eq!(stall.what, "write: create PL-1000");

    let sick = http.get(&healthz).send().await.expect("healthz answers");
    assert_eq!(sick.status(), 503);
    let body = sick.text().await.expect("body");
    assert!(body.contains("create PL-1000"), "{body}");

    let ended = tokio::time::timeout(Duration::from_secs(60), serving)
        .await
        .expect("serve ends by itself")
        .expect("serve did not panic");
    let err = ended.expect_err("serve ends with an error");
    assert!(err.chain().any(|c| c.is::<Stall>()), "{err:#}");
    gate.open();
}

#[tokio::test]
async fn the_binary_exits_non_zero_when_its_store_stays_stuck() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = store_path(&dir);
    // Another instance holds the store, so opening it waits on the lock,
    // past a liveness bound shorter than the lock wait.
    let holder = Store::open(&path, StoreOptions::default())
        .await
        .expect("the first instance opens");
    let config = dir.path().join("bot.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[store]
path = {path:?}
liveness_bound = "300ms"
[zilliz]
base_url = "http://127.0.0.1:9"
[policy]
approvers = ["console:bob"]
"#,
            path = path.display().to_string()
        ),
    )
    .expect("config written");
    let run = tokio::process::Command::new(env!("CARGO_BIN_EXE_privatelink-bot"))
        .args(["--config", &config.display().to_string(), "console"])
        .env("ZILLIZ_API_KEY", "test-key-not-a-secret")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts");
    let out = tokio::time::timeout(Duration::from_secs(60), run.wait_with_output())
        .await
        .expect("the binary exits by itself")
        .expect("its output");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(70), "{stderr}");
    assert!(stderr.contains("open the store"), "{stderr}");
    drop(holder);
}

#[tokio::test]
async fn serve_stops_on_sigterm_and_exits_zero() {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        l.local_addr().expect("address").port()
    };
    let config = dir.path().join("bot.toml");
    std::fs::write(
        &config,
        format!(
            "[store]\npath = {:?}\n[zilliz]\nbase_url = \"http://127.0.0.1:9\"\n[policy]\napprovers = [\"console:bob\"]\n[http]\nlisten = \"127.0.0.1:{port}\"\n",
            store_path(&dir).display().to_string()
        ),
    )
    .expect("config written");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_privatelink-bot"))
        .args(["--config", &config.display().to_string(), "serve"])
        .env("ZILLIZ_API_KEY", "test-key-not-a-secret")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("serve starts");
    let pid = child.id().expect("pid");
    // Up once it says it is serving (its log, on stderr).
    use tokio::io::AsyncBufReadExt;
    let mut lines = tokio::io::BufReader::new(child.stderr.take().expect("stderr")).lines();
    let mut log = String::new();
    let serving = tokio::time::timeout(Duration::from_secs(60), async {
        while let Ok(Some(line)) = lines.next_line().await {
            log.push_str(&line);
            log.push('\n');
            if line.contains("serving") {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(serving, Ok(true), "{log}");
    let health = reqwest::get(format!("http://127.0.0.1:{port}/healthz"))
        .await
        .expect("healthz");
    assert_eq!(health.status(), 200);
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let status = tokio::time::timeout(Duration::from_secs(60), async {
        while let Ok(Some(line)) = lines.next_line().await {
            log.push_str(&line);
            log.push('\n');
        }
        child.wait().await
    })
    .await
    .expect("serve exits by itself on SIGTERM")
    .expect("its status");
    assert_eq!(status.code(), Some(0), "{log}");
    assert!(log.contains("stopped"), "{log}");
}
