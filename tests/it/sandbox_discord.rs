//! `serve --sandbox` over the fake Discord server (the whole flow, the
//! mark on the card), and what the sandbox refuses: real credentials, and
//! a store of the other kind.

use ed25519_dalek::{Signer, SigningKey};
use privatelink_bot::config::Config;
use privatelink_bot::domain::ids::JobId;
use privatelink_bot::domain::job::JobState;
use privatelink_bot::sandbox::serve::build;
use privatelink_bot::secret::SecretSource;
use serde_json::Value;

use crate::discord_bot::{APP, CHANNEL, click, command};
use crate::fake_discord::FakeDiscord;
use crate::harness::{job_state_when, now};
use crate::sandbox_chat::{config_text, slack_section};

const TOKEN: &str = "discord-sandbox-token";

#[tokio::test]
async fn over_discord_a_channel_is_seeded_and_linked_with_the_mark_on_its_card() {
    let discord = FakeDiscord::start(TOKEN).await;
    let key = SigningKey::from_bytes(&[9u8; 32]);
    let dir = tempfile::tempdir().expect("temp dir");
    let section = format!(
        "\n[discord]\napplication_id = {APP}\npublic_key = \"{}\"\nbot_token_env = \"SANDBOX_DISCORD_BOT_TOKEN\"\nguilds = [888]\napi_url = \"{}\"\n",
        hex::encode(key.verifying_key().to_bytes()),
        discord.url
    );
    let text = config_text(dir.path(), &section);
    let config = Config::from_toml(&text, std::iter::empty()).expect("the config");
    let sandbox = build(
        &config,
        &[],
        SecretSource::given([("SANDBOX_DISCORD_BOT_TOKEN", TOKEN)]),
    )
    .await
    .expect("the sandbox starts");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!(
        "http://{}/discord/interactions",
        listener.local_addr().expect("address")
    );
    let router = sandbox.server.router.clone();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    let http = reqwest::Client::new();
    let post = |interaction: Value| {
        let body = interaction.to_string();
        let ts = now();
        let sig = key.sign(format!("{ts}{body}").as_bytes());
        http.post(&url)
            .header("content-type", "application/json")
            .header("x-signature-ed25519", hex::encode(sig.to_bytes()))
            .header("x-signature-timestamp", ts.to_string())
            .body(body)
            .send()
    };
    let reply = |id: &str| {
        let path = format!("/webhooks/{APP}/token-{id}/messages/@original");
        let discord = &discord;
        async move {
            let calls = discord
                .wait_for(&path, |c| c.iter().any(|c| c.path == path))
                .await;
            calls
                .iter()
                .find(|c| c.path == path)
                .and_then(|c| c.body["content"].as_str().map(str::to_owned))
                .unwrap_or_default()
        }
    };

    let asked = post(command("2001", "111", "sandbox", &[]))
        .await
        .expect("sent");
    assert_eq!(asked.status(), 200);
    let welcome = reply("2001").await;
    let line = welcome
        .lines()
        .find_map(|l| l.trim().strip_prefix("/privatelink create "))
        .unwrap_or_else(|| panic!("no create line: {welcome}"))
        .to_owned();
    let options: Vec<(String, String)> = line
        .split_whitespace()
        .filter_map(|w| w.split_once('='))
        .map(|(k, v)| {
            let k = if k == "sg" { "security_groups" } else { k };
            (k.to_owned(), v.to_owned())
        })
        .collect();
    let options: Vec<(&str, &str)> = options
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        post(command("2002", "111", "create", &options))
            .await
            .expect("sent")
            .status(),
        200
    );
    let is_card = |c: &crate::fake_discord::Call| {
        c.method == "POST" && c.path == format!("/channels/{CHANNEL}/messages")
    };
    let calls = discord
        .wait_for("the card", |c| c.iter().any(is_card))
        .await;
    let card = calls.iter().find(|c| is_card(c)).expect("card");
    let rendered = card.body.to_string();
    assert!(
        rendered.contains("SANDBOX") && rendered.contains("沙盒"),
        "{rendered}"
    );
    let job = rendered
        .split("approve:")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .and_then(|id| JobId::parse(id).ok())
        .expect("the card names its job");
    let card_id = 900_000
        + calls
            .iter()
            .filter(|c| c.method == "POST" && c.path.ends_with("/messages"))
            .position(|c| c.body == card.body)
            .expect("numbered") as u64
        + 1;
    let approve = click(
        "2003",
        "222",
        &[],
        &format!("approve:{job}"),
        &card_id.to_string(),
    );
    assert_eq!(post(approve).await.expect("sent").status(), 200);
    let end = job_state_when(&sandbox.server.app, discord.recorder(), job, |s| {
        matches!(s, JobState::Succeeded | JobState::Failed { .. })
    })
    .await;
    assert_eq!(end, JobState::Succeeded);
    let vpc = options
        .iter()
        .find(|(k, _)| *k == "vpc")
        .map(|(_, v)| v.to_string())
        .expect("a vpc");
    let made = privatelink_bot::sandbox::fixtures::end_state(
        &sandbox.clouds.aws,
        privatelink_bot::sandbox::playground::REGION,
        &vpc,
    )
    .await
    .expect("moto answers");
    assert_eq!(made.endpoints.len(), 1);
    assert_eq!(made.alias_records.len(), 2, "one alias per cluster");

    // The approver deletes it; the world is left as it was found.
    let delete = command("2004", "222", "delete", &[("job", &job.to_string())]);
    assert_eq!(post(delete).await.expect("sent").status(), 200);
    job_state_when(&sandbox.server.app, discord.recorder(), job, |s| {
        *s == JobState::Deleted
    })
    .await;
    let left = privatelink_bot::sandbox::fixtures::end_state(
        &sandbox.clouds.aws,
        privatelink_bot::sandbox::playground::REGION,
        &vpc,
    )
    .await
    .expect("moto answers");
    assert!(left.endpoints.is_empty() && left.alias_records.is_empty());
}

#[tokio::test]
async fn the_sandbox_refuses_real_credentials_and_a_production_store() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = config_text(dir.path(), &slack_section("http://127.0.0.1:9/api/"));
    let config = Config::from_toml(&text, std::iter::empty()).expect("config");
    let refused = |vars: &[(&str, &str)]| {
        let env: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        privatelink_bot::sandbox::serve::refuse_real_credentials(&config, &env)
    };
    assert!(refused(&[]).is_ok());
    let aws = refused(&[("AWS_ACCESS_KEY_ID", "AKIAREALKEY123")]).expect_err("refused");
    let said = format!("{aws:#}");
    assert!(
        said.contains("AWS_ACCESS_KEY_ID") && !said.contains("AKIAREALKEY123"),
        "{said}"
    );
    let endpoint = refused(&[(
        "AWS_ENDPOINT_URL_EC2",
        "https://ec2.us-west-2.amazonaws.com",
    )])
    .expect_err("refused");
    assert!(format!("{endpoint:#}").contains("AWS_ENDPOINT_URL_EC2"));
    let zilliz = refused(&[("SANDBOX_CHAT_TEST_ZILLIZ_API_KEY", "real-key")]).expect_err("refused");
    let said = format!("{zilliz:#}");
    assert!(
        said.contains("SANDBOX_CHAT_TEST_ZILLIZ_API_KEY") && !said.contains("real-key"),
        "{said}"
    );

    // A production store is never started over as a sandbox, nor a
    // sandbox store opened for production.
    use privatelink_bot::store::{Store, StoreKind, StoreOptions, start_sandbox_over};
    let production = dir.path().join("prod.sled");
    let store = Store::open(&production, StoreOptions::default())
        .await
        .expect("a production store");
    drop(store);
    let wrong = start_sandbox_over(&production).expect_err("refused");
    assert!(wrong.to_string().contains("production store"), "{wrong}");
    let sandbox = dir.path().join("sandbox-kind.sled");
    start_sandbox_over(&sandbox).expect("a new sandbox store");
    let opened = Store::open(
        &sandbox,
        StoreOptions {
            kind: StoreKind::Sandbox,
            ..StoreOptions::default()
        },
    )
    .await
    .expect("a sandbox store opens as one");
    drop(opened);
    let as_production = Store::open(&sandbox, StoreOptions::default()).await;
    assert!(
        as_production
            .err()
            .is_some_and(|e| e.to_string().contains("sandbox store")),
        "a sandbox store is refused for production"
    );
}

/// `privatelink-bot serve --sandbox` as people run it: with a real
/// credential in its environment it does not start, and says which
/// variable (never its value) to unset.
#[tokio::test]
async fn the_binary_refuses_sandbox_mode_with_a_real_credential_set() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("bot.toml");
    std::fs::write(
        &config,
        config_text(dir.path(), &slack_section("http://127.0.0.1:9/api/")),
    )
    .expect("config written");
    let run = |set: (&'static str, &'static str)| {
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_privatelink-bot"));
        cmd.args([
            "--config",
            &config.display().to_string(),
            "serve",
            "--sandbox",
        ]);
        for name in privatelink_bot::sandbox::serve::AWS_CREDENTIAL_VARIABLES {
            cmd.env_remove(name);
        }
        cmd.env_remove("SANDBOX_CHAT_TEST_ZILLIZ_API_KEY")
            .env(set.0, set.1)
            .env("SANDBOX_SLACK_BOT_TOKEN", "xoxb-x")
            .env("SANDBOX_SLACK_SIGNING_SECRET", "s")
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true);
        async move {
            let out = tokio::time::timeout(std::time::Duration::from_secs(60), cmd.output())
                .await
                .expect("the binary ends by itself")
                .expect("its output");
            (
                out.status.success(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        }
    };
    for (name, value) in [
        ("AWS_ACCESS_KEY_ID", "AKIAREALKEY7777"),
        ("SANDBOX_CHAT_TEST_ZILLIZ_API_KEY", "zilliz-real-key-7777"),
    ] {
        let (ok, said) = run((name, value)).await;
        assert!(!ok, "{name}: the sandbox must not start");
        assert!(
            said.contains(name) && said.contains("sandbox refuses"),
            "{said}"
        );
        assert!(!said.contains(value), "the value never shows: {said}");
    }
    assert!(
        !dir.path().join("sandbox.sled").exists(),
        "refused before anything is made"
    );
}
