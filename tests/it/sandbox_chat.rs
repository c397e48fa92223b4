//! `serve --sandbox` over the fake Slack and Discord servers: the real
//! chat adapters over clouds inside the process. A channel's first command
//! seeds its world and answers with the line that links it; the whole flow
//! runs (create, approve, verified, delete) with the sandbox mark on every
//! card and note; each scenario ends as it should; a second channel's
//! world is untouched by the first's. And the refusals: real credentials,
//! a production store.

use privatelink_bot::config::Config;
use privatelink_bot::domain::ids::JobId;
use privatelink_bot::domain::job::JobState;
use privatelink_bot::sandbox::fake_zilliz::FakeState;
use privatelink_bot::sandbox::fixtures;
use privatelink_bot::sandbox::playground::REGION;
use privatelink_bot::sandbox::serve::{SandboxServer, build};
use privatelink_bot::sandbox::slack_requests;
use privatelink_bot::secret::SecretSource;

use crate::fake_slack::{Call, FakeSlack};
use crate::harness::{job_state_when, now};
use crate::slack_bot::sign;

const TOKEN: &str = "xoxb-sandbox-chat";
const SIGNING: &str = "sandbox-chat-signing-secret";

/// The config a team writes to try the sandbox: chat (`chat`, the
/// platforms' sections) and policy; no AWS or Zilliz credential anywhere.
pub(crate) fn config_text(dir: &std::path::Path, chat: &str) -> String {
    format!(
        r#"
[store]
path = {production:?}

[zilliz]
base_url = "https://api.cloud.zilliz.com"
api_key_env = "SANDBOX_CHAT_TEST_ZILLIZ_API_KEY"

[engine]
wait_timeout = "60s"
backoff_initial = "50ms"
backoff_max = "500ms"
progress_every = "1s"

[policy]
requesters = ["slack:*", "discord:*"]
approvers = ["slack:UBOB", "discord:222"]
approval_ttl = "24h"

[delivery]
backoff_initial = "20ms"
backoff_max = "200ms"

[intake]
per_user_per_minute = 100000
per_user_burst = 10000

[sandbox]
store = {sandbox:?}

{chat}
"#,
        production = dir.join("production.sled").display().to_string(),
        sandbox = dir.join("sandbox.sled").display().to_string(),
    )
}

/// The Slack section, the Web API at `api`.
pub(crate) fn slack_section(api: &str) -> String {
    format!(
        r#"[slack]
api_url = "{api}"
bot_token_env = "SANDBOX_SLACK_BOT_TOKEN"
signing_secret_env = "SANDBOX_SLACK_SIGNING_SECRET"
progress_interval = "200ms"
"#
    )
}

struct Bot {
    slack: FakeSlack,
    sandbox: SandboxServer,
    url: String,
    http: reqwest::Client,
    dir: tempfile::TempDir,
    _serving: tokio::task::JoinHandle<()>,
}

impl Bot {
    async fn start() -> Self {
        let slack = FakeSlack::start(TOKEN).await;
        let dir = tempfile::tempdir().expect("temp dir");
        let text = config_text(dir.path(), &slack_section(&format!("{}/api/", slack.url)));
        let config = Config::from_toml(&text, std::iter::empty()).expect("the config");
        let sandbox = build(
            &config,
            &[],
            SecretSource::given([
                ("SANDBOX_SLACK_BOT_TOKEN", TOKEN),
                ("SANDBOX_SLACK_SIGNING_SECRET", SIGNING),
            ]),
        )
        .await
        .expect("the sandbox starts");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let router = sandbox.server.router.clone();
        let serving = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Self {
            slack,
            sandbox,
            url,
            http: reqwest::Client::new(),
            dir,
            _serving: serving,
        }
    }

    async fn post(&self, path: &str, body: &str) -> String {
        let ts = now();
        let response = self
            .http
            .post(format!("{}{path}", self.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-slack-request-timestamp", ts.to_string())
            .header("x-slack-signature", sign(SIGNING, ts, body))
            .body(body.to_owned())
            .send()
            .await
            .expect("the bot answers");
        assert_eq!(response.status(), 200);
        response.text().await.unwrap_or_default()
    }

    /// A new delivery: its trigger id and the response URL the fake
    /// records private answers under.
    fn delivery(&self) -> (String, String) {
        let trigger = format!("T{}", crate::platform_story::next_delivery());
        let response_url = format!("{}/response/{trigger}", self.slack.url);
        (trigger, response_url)
    }

    /// `/privatelink <text>` in `channel` as `user`: what the bot answers,
    /// at once or through the response URL.
    async fn say(&self, channel: &str, user: &str, text: &str) -> String {
        let (trigger, response_url) = self.delivery();
        let from = slack_requests::From {
            channel,
            user,
            trigger: &trigger,
            response_url: &response_url,
        };
        let ack = self
            .post(
                "/slack/commands",
                &slack_requests::slash_command(&from, text),
            )
            .await;
        let now: Option<String> = serde_json::from_str::<serde_json::Value>(&ack)
            .ok()
            .and_then(|v| v["text"].as_str().map(str::to_owned));
        if let Some(said) = now {
            return said;
        }
        let key = format!("response_url/{trigger}");
        let calls = self
            .slack
            .wait_for(&key, |c| c.iter().any(|c| c.method == key))
            .await;
        calls
            .iter()
            .find(|c| c.method == key)
            .and_then(|c| c.body["text"].as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    async fn click(&self, channel: &str, user: &str, value: &str, card_ts: &str) {
        let (trigger, response_url) = self.delivery();
        let from = slack_requests::From {
            channel,
            user,
            trigger: &trigger,
            response_url: &response_url,
        };
        self.post(
            "/slack/interactions",
            &slack_requests::button_click(&from, value, card_ts),
        )
        .await;
    }

    /// The card of the `n`th job carded in `channel`: its ts and job.
    async fn card(&self, channel: &str, n: usize) -> (String, JobId) {
        let is_card = |c: &Call| {
            c.method == "chat.postMessage"
                && c.body["channel"] == channel
                && c.body["thread_ts"].is_null()
                && c.body["blocks"].to_string().contains("approve:")
        };
        let calls = self
            .slack
            .wait_for("a card", |c| c.iter().filter(|c| is_card(c)).count() > n)
            .await;
        let card = calls.iter().filter(|c| is_card(c)).nth(n).expect("card");
        let job = card.body["blocks"]
            .to_string()
            .split("approve:")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .and_then(|id| JobId::parse(id).ok())
            .expect("the card names its job");
        let posts_before = calls
            .iter()
            .take_while(|c| !std::ptr::eq(*c, card))
            .filter(|c| c.method == "chat.postMessage")
            .count();
        (format!("1700000000.{:06}", posts_before + 1), job)
    }

    /// The texts posted in the thread of `card_ts` once one contains `text`.
    async fn thread_when(&self, card_ts: &str, text: &str) -> Vec<String> {
        let thread = |calls: &[Call]| -> Vec<String> {
            calls
                .iter()
                .filter(|c| {
                    matches!(c.method.as_str(), "chat.postMessage" | "chat.update")
                        && c.body["thread_ts"] == card_ts
                })
                .map(|c| c.body.to_string())
                .collect()
        };
        let calls = self
            .slack
            .wait_for(text, |c| thread(c).iter().any(|t| t.contains(text)))
            .await;
        thread(&calls)
    }

    async fn wait_state(&self, id: JobId, done: impl Fn(&JobState) -> bool) -> JobState {
        job_state_when(&self.sandbox.server.app, self.slack.recorder(), id, done).await
    }

    /// The channel's world, from its welcome: the line to paste.
    async fn welcome(&self, channel: &str) -> String {
        let said = self.say(channel, "UALICE", "sandbox").await;
        create_line(&said)
    }

    async fn end_state(&self, vpc: &str) -> fixtures::EndState {
        fixtures::end_state(&self.sandbox.clouds.aws, REGION, vpc)
            .await
            .expect("moto answers")
    }

    /// The private link hosts of the world whose line is `line`.
    fn hosts(&self, line: &str) -> Vec<String> {
        let clusters = arg(line, "clusters");
        let st = self.sandbox.clouds.zilliz.lock();
        clusters
            .split(',')
            .filter_map(|c| st.clusters.get(c))
            .map(|c| {
                FakeState::private_link_address(c)
                    .trim_start_matches("https://")
                    .split(':')
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect()
    }

    /// Creates from `line` in `channel`, approves, and waits for the end.
    async fn link(&self, channel: &str, line: &str, n: usize) -> (String, JobId, JobState) {
        let said = self.say(channel, "UALICE", line).await;
        assert!(said.contains("PL-"), "{said}");
        let (ts, id) = self.card(channel, n).await;
        self.click(channel, "UBOB", &format!("approve:{id}"), &ts)
            .await;
        let end = self
            .wait_state(id, |s| {
                matches!(s, JobState::Succeeded | JobState::Failed { .. })
            })
            .await;
        (ts, id, end)
    }
}

/// The `create` line in a welcome.
fn create_line(said: &str) -> String {
    said.lines()
        .find_map(|l| l.trim().strip_prefix("/privatelink "))
        .unwrap_or_else(|| panic!("no create line in: {said}"))
        .to_owned()
}

/// The value of `key=` in a create line.
fn arg(line: &str, key: &str) -> String {
    line.split_whitespace()
        .find_map(|w| w.strip_prefix(&format!("{key}=")))
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_channel_is_seeded_linked_verified_and_deleted_with_the_mark_on_everything() {
    let bot = Bot::start().await;
    // The first command in a channel, whatever it is, seeds its world.
    let first = bot.say("C0ONE", "UALICE", "list").await;
    assert!(first.contains("sandbox world of its own"), "{first}");
    let line = create_line(&first);
    assert!(line.starts_with("create project=proj-world"), "{line}");
    let again = bot.welcome("C0ONE").await;
    assert_eq!(again, line, "one world per channel, kept");
    // Another channel gets a world of its own.
    let other = bot.welcome("C0TWO").await;
    assert_ne!(arg(&other, "vpc"), arg(&line, "vpc"));
    assert_ne!(arg(&other, "project"), arg(&line, "project"));

    let (ts, id, end) = bot.link("C0ONE", &line, 0).await;
    assert_eq!(end, JobState::Succeeded);
    let vpc = arg(&line, "vpc");
    bot.end_state(&vpc)
        .await
        .verify(&bot.hosts(&line))
        .expect("one endpoint, zone and alias per cluster");
    // The mark, in both languages, on the card and in the thread.
    let calls = bot.slack.calls();
    for c in calls
        .iter()
        .filter(|c| c.method == "chat.postMessage" || c.method == "chat.update")
    {
        let body = c.body.to_string();
        assert!(
            body.contains("SANDBOX") && body.contains("沙盒"),
            "unmarked: {body}"
        );
    }
    assert!(!bot.thread_when(&ts, "SANDBOX").await.is_empty());

    let deleting = bot.say("C0ONE", "UBOB", &format!("delete {id}")).await;
    assert!(!deleting.is_empty());
    bot.wait_state(id, |s| *s == JobState::Deleted).await;
    assert!(bot.end_state(&vpc).await.endpoints.is_empty());

    // The second channel's world was never touched.
    let untouched = bot.end_state(&arg(&other, "vpc")).await;
    assert!(untouched.endpoints.is_empty() && untouched.zones.is_empty());
    assert!(
        bot.sandbox
            .clouds
            .zilliz
            .lock()
            .registered(&arg(&other, "project"))
            .is_empty()
    );

    // A reset starts the channel over.
    let reset = bot.say("C0ONE", "UALICE", "sandbox reset").await;
    assert!(reset.contains("starts over"), "{reset}");
    assert_ne!(arg(&create_line(&reset), "vpc"), vpc);
    // The store is the sandbox's own, not the production path.
    assert!(bot.dir.path().join("sandbox.sled").exists());
    assert!(!bot.dir.path().join("production.sled").exists());
}

#[tokio::test]
async fn each_scenario_meets_its_failure_and_ends_as_it_should() {
    let bot = Bot::start().await;
    // Each armed just before its channel's job, so that nothing else takes
    // what it sets up (AWS throttling is the account's, as on AWS).
    let arm = |channel: &'static str, scenario: &'static str| {
        let bot = &bot;
        async move {
            let line = bot.welcome(channel).await;
            let armed = bot
                .say(channel, "UALICE", &format!("sandbox scenario {scenario}"))
                .await;
            assert!(armed.contains(&format!("Armed: {scenario}")), "{armed}");
            line
        }
    };

    // whitelist-required: the job allows the account in, then links.
    let line = arm("C0WHITE", "whitelist-required").await;
    let project = arg(&line, "project");
    let allowed = |st: &FakeState| st.whitelisted.keys().any(|(p, _, _)| *p == project);
    assert!(
        !allowed(&bot.sandbox.clouds.zilliz.lock()),
        "not allowed in"
    );
    let (_, _, end) = bot.link("C0WHITE", &line, 0).await;
    assert_eq!(end, JobState::Succeeded);
    {
        let st = bot.sandbox.clouds.zilliz.lock();
        assert!(allowed(&st), "the job allowed the account in");
        assert!(
            st.requests
                .iter()
                .any(|r| r == &format!("POST /v2/projects/{project}/privateEndpointWhitelist"))
        );
    }

    // slow-acceptance: Zilliz keeps it pending for a dozen reads; it links.
    let line = arm("C0SLOW", "slow-acceptance").await;
    let (_, _, end) = bot.link("C0SLOW", &line, 0).await;
    assert_eq!(end, JobState::Succeeded);
    let project = arg(&line, "project");
    let reads = bot
        .sandbox
        .clouds
        .zilliz
        .lock()
        .requests
        .iter()
        .filter(|r| r.starts_with(&format!("GET /v2/projects/{project}/privateEndpoints")))
        .count();
    assert!(reads >= 12, "the job waited: {reads} reads");

    // rejected: the job stops and says so.
    let line = arm("C0REJECT", "rejected").await;
    let (ts, _, end) = bot.link("C0REJECT", &line, 0).await;
    assert!(matches!(end, JobState::Failed { .. }), "{end:?}");
    assert!(!bot.thread_when(&ts, "reject").await.is_empty());

    // throttled: RequestLimitExceeded past the SDK's tries, backed off,
    // then one endpoint.
    let line = arm("C0THROTTLE", "throttled").await;
    let before = bot.sandbox.clouds.proxy.lock().count("CreateVpcEndpoint");
    let (_, _, end) = bot.link("C0THROTTLE", &line, 0).await;
    assert_eq!(end, JobState::Succeeded);
    let tries = bot.sandbox.clouds.proxy.lock().count("CreateVpcEndpoint") - before;
    assert!(tries >= 5, "four throttled, then made: {tries} tries");
    assert_eq!(bot.end_state(&arg(&line, "vpc")).await.endpoints.len(), 1);

    // chat-outage: three messages fail; every one arrives after.
    let line = arm("C0OUTAGE", "chat-outage").await;
    assert_eq!(bot.sandbox.clouds.outages().failed(), 0);
    let (ts, _, end) = bot.link("C0OUTAGE", &line, 0).await;
    assert_eq!(end, JobState::Succeeded);
    assert!(!bot.thread_when(&ts, "SANDBOX").await.is_empty());
    assert_eq!(
        bot.sandbox.clouds.outages().failed(),
        3,
        "the outage happened"
    );
}

#[tokio::test]
async fn drift_deletes_a_finished_links_alias_and_verify_tells_it() {
    let bot = Bot::start().await;
    let line = bot.welcome("C0DRIFT").await;
    let early = bot.say("C0DRIFT", "UALICE", "sandbox scenario drift").await;
    assert!(early.contains("no finished link"), "{early}");
    let (_, id, end) = bot.link("C0DRIFT", &line, 0).await;
    assert_eq!(end, JobState::Succeeded);
    let done = bot.say("C0DRIFT", "UALICE", "sandbox scenario drift").await;
    assert!(done.contains("Deleted the alias"), "{done}");
    assert!(
        bot.end_state(&arg(&line, "vpc"))
            .await
            .verify(&bot.hosts(&line))
            .is_err(),
        "the alias is gone"
    );
    let verified = bot.say("C0DRIFT", "UALICE", &format!("verify {id}")).await;
    assert!(verified.contains("has drifted"), "{verified}");
    // The watch checks the sandbox's links at its own, short interval.
    assert_eq!(
        bot.sandbox.config.watch.interval,
        bot.sandbox.config.sandbox.watch_interval
    );
}
