//! `privatelink-bot check-config --online`, run as the real binary against
//! moto (behind the AWS behaviour proxy, which answers DryRun and refuses
//! chosen roles as AWS does), the fake Zilliz Cloud and the fake Slack and
//! Discord APIs. It passes when every credential works and names the row of
//! each one that does not.

use std::process::Stdio;
use std::time::Duration;

use privatelink_bot::sandbox::aws_proxy::{AwsProxy, DryRun};
use privatelink_bot::sandbox::{PROJECT, Sandbox, ZILLIZ_REGION};

use crate::fake_discord::FakeDiscord;
use crate::fake_slack::FakeSlack;
use crate::harness::store_path;

const SLACK_TOKEN: &str = "xoxb-check-config";
const DISCORD_TOKEN: &str = "discord-check-config";
const APP_ID: &str = "123456789012345678";
const PUBLIC_KEY: &str = "4f1a6e0b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7";
const GOOD_ROLE: &str = "arn:aws:iam::123456789012:role/privatelink-bot";
const OTHER_ROLE: &str = "arn:aws:iam::210987654321:role/privatelink-bot";
const ALL_SCOPES: &str =
    "commands,chat:write,chat:write.public,usergroups:read,files:write,channels:read,groups:read";

struct World {
    sandbox: Sandbox,
    proxy: AwsProxy,
    slack: FakeSlack,
    discord: FakeDiscord,
    dir: tempfile::TempDir,
}

impl World {
    async fn start() -> Self {
        let sandbox = Sandbox::start(1).await.expect("sandbox");
        let proxy = sandbox.proxy.clone();
        let slack = FakeSlack::start(SLACK_TOKEN).await;
        slack.set_scopes(ALL_SCOPES);
        let discord = FakeDiscord::start(DISCORD_TOKEN).await;
        discord.set_application(APP_ID, PUBLIC_KEY);
        Self {
            sandbox,
            proxy,
            slack,
            discord,
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// Runs the binary with this world's config and the given secrets;
    /// answers (exit status, stdout and stderr).
    async fn check(
        &self,
        zilliz_key: &str,
        slack_token: &str,
        discord_token: &str,
    ) -> (i32, String) {
        self.check_with(zilliz_key, slack_token, discord_token, "")
            .await
    }

    /// As `check`, with `extra` appended to the config.
    async fn check_with(
        &self,
        zilliz_key: &str,
        slack_token: &str,
        discord_token: &str,
        extra: &str,
    ) -> (i32, String) {
        let text = self
            .sandbox
            .config_text(&store_path(&self.dir))
            .replace("dry_run_preflight = false", "dry_run_preflight = true")
            .replace(
                "approval_ttl = \"24h\"",
                &format!("approval_ttl = \"24h\"\nroles = [\"{GOOD_ROLE}\", \"{OTHER_ROLE}\"]"),
            );
        let text = format!(
            r#"{text}
[slack]
api_url = "{slack}/api/"
bot_token_env = "CHECK_SLACK_BOT_TOKEN"
signing_secret_env = "CHECK_SLACK_SIGNING_SECRET"

[discord]
application_id = {APP_ID}
public_key = "{PUBLIC_KEY}"
bot_token_env = "CHECK_DISCORD_BOT_TOKEN"
api_url = "{discord}"
{extra}
"#,
            slack = self.slack.url,
            discord = self.discord.url,
        );
        let config = self.dir.path().join("bot.toml");
        std::fs::write(&config, text).expect("config written");
        let run = tokio::process::Command::new(env!("CARGO_BIN_EXE_privatelink-bot"))
            .args([
                "--config",
                &config.display().to_string(),
                "check-config",
                "--online",
            ])
            .args(["--region", ZILLIZ_REGION, "--project", PROJECT])
            .args(["--vpc", &self.sandbox.network.vpc])
            .env("SANDBOX_ZILLIZ_API_KEY", zilliz_key)
            .env("CHECK_SLACK_BOT_TOKEN", slack_token)
            .env("CHECK_SLACK_SIGNING_SECRET", "signing-secret")
            .env("CHECK_DISCORD_BOT_TOKEN", discord_token)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("the binary starts");
        let out = tokio::time::timeout(Duration::from_secs(120), run.wait_with_output())
            .await
            .expect("the check ends by itself")
            .expect("its output");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.code().unwrap_or(-1), text)
    }
}

/// The line of the table that starts with `check`.
fn row<'a>(table: &'a str, check: &str) -> &'a str {
    table
        .lines()
        .find(|l| l.starts_with(check))
        .unwrap_or_else(|| panic!("no row {check:?} in:\n{table}"))
}

/// The result column of `check`'s row: "ok", "FAIL" or "skip".
fn result<'a>(table: &'a str, check: &str) -> &'a str {
    row(table, check)
        .split("  ")
        .map(str::trim)
        .filter(|cell| !cell.is_empty())
        .nth(1)
        .unwrap_or_default()
}

fn passed(table: &str, check: &str) -> bool {
    result(table, check) == "ok"
}

fn failed(table: &str, check: &str) -> bool {
    result(table, check) == "FAIL"
}

const EVERY_ROW: [&str; 16] = [
    "Zilliz control plane",
    "Zilliz API key",
    "Zilliz project",
    "AWS identity",
    "assume arn:aws:iam::123456789012",
    "assume arn:aws:iam::210987654321",
    "ec2:DescribeVpcs",
    "ec2:DescribeSubnets",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeVpcEndpoints",
    "ec2:DescribeVpcAttribute",
    "ec2:CreateVpcEndpoint (DryRun)",
    "route53:ListHostedZonesByVPC",
    "Slack bot token",
    "Slack scopes",
    "Discord public key",
];

#[tokio::test]
async fn every_credential_proven_passes_and_creates_nothing() {
    let w = World::start().await;
    let (status, table) = w
        .check(&w.sandbox.api_key, SLACK_TOKEN, DISCORD_TOKEN)
        .await;
    assert_eq!(status, 0, "{table}");
    for check in EVERY_ROW {
        assert!(passed(&table, check), "{check} should pass:\n{table}");
    }
    assert!(passed(&table, "Slack signing secret"), "{table}");
    assert!(passed(&table, "Discord bot token"), "{table}");
    assert!(table.contains("every check passed"), "{table}");
    let actions = w.proxy.lock().actions.clone();
    assert!(
        actions.iter().any(|a| a == "CreateVpcEndpoint DryRun"),
        "{actions:?}"
    );
    assert!(
        !actions.iter().any(|a| a == "CreateVpcEndpoint"),
        "only a dry run: {actions:?}"
    );
    assert!(
        w.sandbox
            .end_state()
            .await
            .expect("end state")
            .endpoints
            .is_empty(),
        "nothing was created"
    );
    assert!(
        w.slack.calls().iter().any(|c| c.method == "auth.test"),
        "Slack was asked"
    );
}

#[tokio::test]
async fn each_wrong_credential_fails_its_own_row_with_a_fix_and_no_secret() {
    let w = World::start().await;
    w.proxy.lock().dry_run = DryRun::Denied;
    w.proxy.lock().refused_roles = vec![OTHER_ROLE.to_owned()];
    w.slack.set_scopes("commands,chat:write");
    w.discord
        .set_application("999999999999999999", &"ab".repeat(32));
    let wrong_key = "zilliz-key-that-is-wrong-0123456789";
    let (status, table) = w.check(wrong_key, SLACK_TOKEN, DISCORD_TOKEN).await;
    assert_ne!(status, 0, "{table}");
    for check in [
        "Zilliz API key",
        "assume arn:aws:iam::210987654321",
        "ec2:CreateVpcEndpoint (DryRun)",
        "Slack scopes",
        "Discord bot token",
        "Discord public key",
    ] {
        assert!(failed(&table, check), "{check} should fail:\n{table}");
    }
    // The rows that did work still say so.
    for check in [
        "AWS identity",
        "assume arn:aws:iam::123456789012",
        "Slack bot token",
    ] {
        assert!(passed(&table, check), "{check} should pass:\n{table}");
    }
    assert!(
        table.contains("SANDBOX_ZILLIZ_API_KEY"),
        "the fix names the variable:\n{table}"
    );
    assert!(table.contains("ec2:CreateVpcEndpoint"), "{table}");
    assert!(
        table.contains("usergroups:read"),
        "the missing scope is named:\n{table}"
    );
    assert!(
        table.contains("application_id = 999999999999999999"),
        "{table}"
    );
    assert!(table.contains("6 check(s) failed"), "{table}");
    assert!(
        !table.contains(wrong_key),
        "the key never appears:\n{table}"
    );

    // Refused tokens, on a second run.
    let (status, table) = w
        .check(&w.sandbox.api_key, "xoxb-revoked", "discord-revoked")
        .await;
    assert_ne!(status, 0, "{table}");
    assert!(failed(&table, "Slack bot token"), "{table}");
    assert!(
        row(&table, "Slack bot token").contains("invalid_auth"),
        "{table}"
    );
    assert!(failed(&table, "Discord bot token"), "{table}");
    assert!(table.contains("CHECK_DISCORD_BOT_TOKEN"), "{table}");
    assert!(passed(&table, "Zilliz API key"), "{table}");
    for secret in [
        "xoxb-revoked",
        "discord-revoked",
        w.sandbox.api_key.as_str(),
    ] {
        assert!(!table.contains(secret), "{secret} appears:\n{table}");
    }
}

#[tokio::test]
async fn channels_named_by_name_are_found_or_warned_about_without_failing() {
    let w = World::start().await;
    w.slack.name_channel("C0PLATFORM", "platform-ops", false);
    w.slack.name_channel("C0SECRET", "secret-ops", true);
    w.slack.remove_bot_from("C0SECRET");
    for (c, n) in [("C0A", "alpha"), ("C0B", "beta"), ("C0C", "gamma")] {
        w.slack.name_channel(c, n, false);
    }
    w.discord.add_channel("901", "9001", "platform-ops");
    w.discord.add_channel("901", "9002", "twice");
    w.discord.add_channel("902", "9003", "twice");
    let rules = r#"
[[policy.rule]]
name = "production"
channels = ["slack:#platform-ops", "slack:#secret-ops", "discord:#platform-ops", "discord:#twice", "discord:#nowhere"]
requesters = ["slack:*", "discord:*"]
approvers = ["slack:UBOB"]
"#;
    let (status, table) = w
        .check_with(&w.sandbox.api_key, SLACK_TOKEN, DISCORD_TOKEN, rules)
        .await;
    assert_eq!(status, 0, "warnings do not fail the check:\n{table}");
    assert!(
        passed(&table, "Rule production: slack:#platform-ops"),
        "{table}"
    );
    assert!(
        row(&table, "Rule production: slack:#platform-ops").contains("C0PLATFORM"),
        "{table}"
    );
    let warned = |check: &str| result(&table, check) == "warn";
    assert!(
        warned("Rule production: slack:#secret-ops"),
        "a private channel the bot is not in is not seen:\n{table}"
    );
    assert!(
        passed(&table, "Rule production: discord:#platform-ops"),
        "{table}"
    );
    assert!(warned("Rule production: discord:#twice"), "{table}");
    assert!(
        row(&table, "Rule production: discord:#twice").contains("2 channels"),
        "{table}"
    );
    assert!(warned("Rule production: discord:#nowhere"), "{table}");
    assert!(table.contains("invite"), "the fix is said:\n{table}");
    assert!(
        table.contains("every check passed; 3 warning(s) to read"),
        "{table}"
    );
    let pages = w
        .slack
        .calls()
        .iter()
        .filter(|c| c.method == "conversations.list")
        .count();
    assert!(pages >= 2, "every page was read: {pages}");
}
