//! What operators watch: `/metrics` moving with a real job (parsed by a
//! Prometheus text parser, as a scraper would), and `/readyz` failing while
//! a chat transport that must connect out is down.

use std::time::Duration;

use privatelink_bot::chat::slack::{SlackSettings, Transport};
use privatelink_bot::domain::job::{JobState, Step};
use privatelink_bot::secret::SecretSource;
use privatelink_bot::serve::Secrets;
use prometheus_parse::{Scrape, Value};

use crate::fake_slack::FakeSlack;
use crate::harness::{serve_sandbox, store_path};
use crate::slack_bot::SlackBot;

async fn scrape(url: &str) -> Scrape {
    let resp = reqwest::get(format!("{url}/metrics"))
        .await
        .expect("scrape");
    assert_eq!(resp.status(), 200);
    let text = resp.text().await.expect("body");
    Scrape::parse(text.lines().map(|l| Ok(l.to_owned()))).expect("Prometheus text")
}

/// The value of `metric` with exactly these labels (0 when absent).
fn value(scrape: &Scrape, metric: &str, labels: &[(&str, &str)]) -> f64 {
    scrape
        .samples
        .iter()
        .find(|s| s.metric == metric && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(|s| match &s.value {
            Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => *v,
            Value::Histogram(buckets) => buckets.last().map_or(0.0, |b| b.count),
            Value::Summary(_) => f64::NAN,
        })
        .unwrap_or(0.0)
}

#[tokio::test]
async fn metrics_move_with_a_job_and_parse_as_prometheus_text() {
    let bot = SlackBot::start_full(&["slack:UBOB"], |_| {}, None).await;
    let before = scrape(bot.url()).await;
    assert_eq!(
        value(&before, "privatelink_bot_jobs", &[("state", "succeeded")]),
        0.0
    );

    // One unsigned request, refused.
    let refused = reqwest::Client::new()
        .post(format!("{}/slack/commands", bot.url()))
        .body("text=help")
        .send()
        .await
        .expect("post");
    assert_eq!(refused.status(), 401);

    assert_eq!(bot.command("UALICE", &bot.create_args(), "T1").await, 200);
    let (ts, id) = bot.card().await;
    bot.click("UBOB", &format!("approve:{id}"), "T2", &ts).await;
    assert_eq!(
        bot.wait_state(id, |s| *s == JobState::Succeeded).await,
        JobState::Succeeded
    );

    let after = scrape(bot.url()).await;
    let v = |metric: &str, labels: &[(&str, &str)]| value(&after, metric, labels);
    assert_eq!(v("privatelink_bot_jobs", &[("state", "succeeded")]), 1.0);
    assert_eq!(
        v("privatelink_bot_jobs", &[("state", "pending_approval")]),
        0.0
    );
    assert_eq!(
        v("privatelink_bot_commands_total", &[("kind", "create")]),
        1.0
    );
    assert_eq!(
        v(
            "privatelink_bot_commands_total",
            &[("kind", "click_approve")]
        ),
        1.0
    );
    assert_eq!(
        v(
            "privatelink_bot_signature_rejections_total",
            &[("platform", "slack")]
        ),
        1.0
    );
    cloud_calls_are_counted_by_service_and_operation(&after);
    assert!(
        v(
            "privatelink_bot_chat_deliveries_total",
            &[("platform", "slack"), ("outcome", "delivered")]
        ) >= 5.0,
        "the card, its updates, the decision, the checklist and the summary"
    );
    for step in Step::ALL {
        assert_eq!(
            v(
                "privatelink_bot_step_duration_seconds",
                &[("step", step.name())]
            ),
            1.0,
            "one observation for {step}"
        );
    }
    assert_eq!(v("privatelink_bot_outbox_depth", &[]), 0.0);
}

/// Each provider's calls, labelled by service and operation (Zilliz's by
/// the path template, never an id).
fn cloud_calls_are_counted_by_service_and_operation(after: &Scrape) {
    let v = |metric: &str, labels: &[(&str, &str)]| value(after, metric, labels);
    let calls = |service: &str, operation: &str| {
        v(
            "privatelink_bot_cloud_calls_total",
            &[("service", service), ("operation", operation)],
        )
    };
    assert!(calls("ec2", "CreateVpcEndpoint") >= 1.0);
    assert!(calls("route53", "ChangeResourceRecordSets") >= 1.0);
    let zilliz: Vec<_> = after
        .samples
        .iter()
        .filter(|s| s.labels.get("service") == Some("zilliz"))
        .map(|s| format!("{:?}", s.labels))
        .collect();
    assert!(
        calls("zilliz", "POST /v2/projects/:id/privateEndpoints") >= 1.0,
        "{zilliz:#?}"
    );
    assert!(calls("zilliz", "GET /v2/clusters/:id") >= 1.0);
}

#[tokio::test]
async fn readyz_fails_while_socket_mode_is_not_connected_and_healthz_still_passes() {
    // HTTP transports need no connection: ready at once.
    let bot = SlackBot::start_full(&["slack:UBOB"], |_| {}, None).await;
    let ready = reqwest::get(format!("{}/readyz", bot.url())).await.unwrap();
    assert_eq!(ready.status(), 200);

    // Socket Mode against a Slack that will not open a connection.
    let slack = FakeSlack::start("xapp-socket").await;
    let api_url = format!("{}/api/", slack.url);
    let served = serve_sandbox(
        &["slack:UBOB"],
        |c| {
            c.slack = Some(SlackSettings {
                api_url,
                bot_token_env: "SLACK_BOT_TOKEN".into(),
                signing_secret_env: "SLACK_SIGNING_SECRET".into(),
                transport: Transport::Socket,
                app_token_env: "SLACK_APP_TOKEN".into(),
                progress_interval: Duration::from_millis(200),
                workspace_languages: Default::default(),
            })
        },
        |zilliz_api_key| Secrets {
            zilliz_api_key,
            chat: SecretSource::given([
                ("SLACK_BOT_TOKEN", "xoxb-socket"),
                ("SLACK_APP_TOKEN", "xapp-socket"),
            ]),
        },
    )
    .await;
    served.serving.abort();
    drop(served.server);
    // `serve` itself, which starts Socket Mode.
    let dir = tempfile::tempdir().unwrap();
    let mut config = served.config.clone();
    config.store.path = store_path(&dir);
    let server = privatelink_bot::serve::build(&config, served.secrets.clone(), Default::default())
        .await
        .expect("serve builds");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(async move {
        server
            .run(&config, Some(listener), async {
                let _ = stopped.await;
            })
            .await
    });
    slack
        .wait_for("a Socket Mode attempt", |c| {
            c.iter().any(|c| c.method == "apps.connections.open")
        })
        .await;
    let ready = reqwest::get(format!("{url}/readyz")).await.unwrap();
    assert_eq!(ready.status(), 503);
    let why = ready.text().await.unwrap();
    assert!(why.contains("slack socket mode: not connected"), "{why}");
    let health = reqwest::get(format!("{url}/healthz")).await.unwrap();
    assert_eq!(health.status(), 200, "alive, just not ready");
    let _ = stop.send(());
    let _ = running.await;
}
