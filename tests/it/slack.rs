//! Slack over HTTP, end to end: signed requests into `serve`'s router, the
//! bot's real slack-morphism client out to a fake Slack Web API, AWS on moto,
//! Zilliz on the fake control plane.

use privatelink_bot::domain::job::JobState;
use serde_json::json;

use crate::harness::now;
use crate::slack_bot::{SIGNING, SlackBot, sign};

/// Signed but unreadable: 400, not a crash, and nothing changes. (Unsigned
/// and tampered deliveries are `platform_story`'s.)
#[tokio::test]
async fn signed_garbage_gets_400_and_changes_nothing() {
    let bot = SlackBot::start().await;
    // Signed garbage is a 400, not a crash.
    assert_eq!(
        bot.post_signed("/slack/interactions", "payload=%7Bnot-json")
            .await,
        400
    );
    assert_eq!(bot.post_signed("/slack/commands", "nonsense").await, 400);
    assert!(bot.server().app.store.all_jobs().await.unwrap().is_empty());
    assert!(bot.slack.calls().is_empty(), "{:?}", bot.slack.calls());
}

#[test]
fn the_signing_helper_matches_slacks_documented_example() {
    // From Slack's "Verifying requests from Slack" guide.
    let body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    assert_eq!(
        sign("8f742231b10e8888abcd99yyyzzz85a5", 1531420618, body),
        "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    );
}

fn view_submission(user: &str, channel: &str, view_id: &str, fields: &[(&str, &str)]) -> String {
    let mut values = serde_json::Map::new();
    for (field, value) in fields {
        values.insert(
            (*field).into(),
            json!({ "value": { "type": "plain_text_input", "value": value } }),
        );
    }
    json!({
        "type": "view_submission",
        "team": { "id": "T0", "domain": "acme" },
        "user": { "id": user, "team_id": "T0", "username": user, "name": user },
        "api_app_id": "A0",
        "trigger_id": format!("trigger-{view_id}"),
        "view": {
            "id": view_id, "type": "modal", "callback_id": "privatelink_create", "private_metadata": channel,
            "title": { "type": "plain_text", "text": "New private link" },
            "blocks": [], "state": { "values": values }, "hash": "h", "team_id": "T0", "app_id": "A0",
        },
    })
    .to_string()
}

#[tokio::test]
async fn create_without_arguments_opens_a_form_with_field_errors() {
    let bot = SlackBot::start().await;
    assert_eq!(bot.command("UALICE", "create", "T1").await, 200);
    let calls = bot
        .slack
        .wait_for("views.open", |c| c.iter().any(|c| c.method == "views.open"))
        .await;
    let open = calls.iter().find(|c| c.method == "views.open").unwrap();
    assert_eq!(open.body["trigger_id"], "T1");
    assert_eq!(open.body["view"]["callback_id"], "privatelink_create");
    assert_eq!(open.body["view"]["private_metadata"], "C0PLATFORM");
    assert_eq!(open.body["view"]["blocks"].as_array().unwrap().len(), 7);

    // A bad VPC and a missing cluster: errors go onto those fields, synchronously.
    let net = bot.sandbox.network.clone();
    let subnets = net.subnets.join(", ");
    let mut fields = vec![
        ("project", "proj-sandbox0001"),
        ("region", "aws-us-west-2"),
        ("vpc", "vpc-123"),
        ("subnets", subnets.as_str()),
        ("sg", net.security_group.as_str()),
    ];
    let answer = submit_for_an_answer(&bot, &fields).await;
    assert_eq!(answer["response_action"], "errors");
    assert!(
        answer["errors"]["vpc"]
            .as_str()
            .unwrap()
            .contains("is not a VPC id"),
        "{answer}"
    );
    assert_eq!(answer["errors"]["clusters"], "is required");
    assert!(bot.server().app.store.all_jobs().await.unwrap().is_empty());

    // Fixed: the form closes and the same path as the typed command runs.
    fields[2] = ("vpc", net.vpc.as_str());
    fields.push(("clusters", "in01-sandbox0001"));
    let payload = view_submission("UALICE", "C0PLATFORM", "V1", &fields);
    let status = bot
        .post_signed(
            "/slack/interactions",
            &serde_urlencoded::to_string([("payload", payload)]).unwrap(),
        )
        .await;
    assert_eq!(status, 200);
    let (_, id) = bot.card().await;
    let job = bot.server().app.store.get(id).await.unwrap().unwrap();
    assert_eq!(job.requester().to_string(), "slack:UALICE");
    let calls = bot
        .slack
        .wait_for("the private answer", |c| {
            c.iter().any(|c| c.method == "chat.postEphemeral")
        })
        .await;
    let eph = calls
        .iter()
        .find(|c| c.method == "chat.postEphemeral")
        .unwrap();
    assert_eq!(eph.body["user"], "UALICE");
    assert!(
        eph.body["text"]
            .as_str()
            .unwrap()
            .contains("waiting for approval")
    );
}

/// The create form submitted with `fields`: what the acknowledgement said
/// (field errors are answered in it, synchronously).
async fn submit_for_an_answer(bot: &SlackBot, fields: &[(&str, &str)]) -> serde_json::Value {
    let payload = view_submission("UALICE", "C0PLATFORM", "V1", fields);
    let body = serde_urlencoded::to_string([("payload", payload)]).unwrap();
    let ts = now();
    let response = bot
        .http
        .post(format!("{}/slack/interactions", bot.url))
        .header("x-slack-request-timestamp", ts.to_string())
        .header("x-slack-signature", sign(SIGNING, ts, &body))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn socket_mode_envelopes_ack_by_id_and_share_the_http_handlers() {
    use privatelink_bot::chat::slack::socket::{Outcome, on_envelope};
    let bot = SlackBot::start().await;
    let handler = bot.handler();

    assert_eq!(
        on_envelope(&handler, r#"{"type":"hello","num_connections":1}"#).await,
        Outcome::default()
    );
    assert!(
        on_envelope(
            &handler,
            r#"{"type":"disconnect","reason":"refresh_requested"}"#
        )
        .await
        .reconnect
    );

    let command = json!({
        "envelope_id": "env-1", "type": "slash_commands", "accepts_response_payload": true,
        "payload": {
            "team_id": "T0", "channel_id": "C0PLATFORM", "user_id": "UALICE", "command": "/privatelink",
            "text": bot.create_args(), "response_url": format!("{}/response/S1", bot.slack.url), "trigger_id": "S1",
        },
    });
    let out = on_envelope(&handler, &command.to_string()).await;
    assert_eq!(out.ack.as_deref(), Some(r#"{"envelope_id":"env-1"}"#));
    let (card_ts, id) = bot.card().await;

    // The same click arrives over Socket Mode and over HTTP: one effect.
    let click = bot.click_body("UBOB", &format!("approve:{id}"), "S2", &card_ts);
    let payload: serde_json::Value = serde_json::from_str(
        &serde_urlencoded::from_str::<Vec<(String, String)>>(&click).unwrap()[0].1,
    )
    .unwrap();
    let envelope = json!({ "envelope_id": "env-2", "type": "interactive", "accepts_response_payload": false, "payload": payload });
    assert_eq!(
        on_envelope(&handler, &envelope.to_string())
            .await
            .ack
            .as_deref(),
        Some(r#"{"envelope_id":"env-2"}"#)
    );
    assert_eq!(bot.post_signed("/slack/interactions", &click).await, 200);
    assert_eq!(
        bot.wait_state(id, |s| *s == JobState::Succeeded).await,
        JobState::Succeeded
    );
    assert_eq!(bot.approve_attempts(id), 1);

    // An unknown envelope with an id is still acknowledged, so Slack stops resending it.
    let out = on_envelope(
        &handler,
        r#"{"envelope_id":"env-3","type":"events_api","payload":{}}"#,
    )
    .await;
    assert_eq!(out.ack.as_deref(), Some(r#"{"envelope_id":"env-3"}"#));
}

#[tokio::test]
async fn a_slack_user_group_can_hold_the_approver_right() {
    let bot = SlackBot::start_with(&["slack:UBOB", "slack:group:S0OPS"]).await;
    bot.slack.set_group("S0OPS", &["UCAROL", "UDAVE"]);
    bot.command("UALICE", &bot.create_args(), "T1").await;
    let (card_ts, id) = bot.card().await;
    bot.click("UMALLORY", &format!("approve:{id}"), "T2", &card_ts)
        .await;
    assert!(bot.ephemeral("T2").await.contains("not an approver"));
    bot.click("UCAROL", &format!("approve:{id}"), "T3", &card_ts)
        .await;
    assert_eq!(
        bot.wait_state(id, |s| *s == JobState::Succeeded).await,
        JobState::Succeeded
    );
    let job = bot.server().app.store.get(id).await.unwrap().unwrap();
    assert_eq!(job.decided_by().unwrap().to_string(), "slack:UCAROL");
    // Membership was read once and then served from the cache.
    let lookups = bot
        .slack
        .calls()
        .iter()
        .filter(|c| c.method == "usergroups.users.list")
        .count();
    assert_eq!(lookups, 1);
}

#[tokio::test]
async fn a_signed_command_from_an_odd_user_id_stores_nothing() {
    let bot = SlackBot::start().await;
    for odd in ["U1\u{202e}EVIL", "U1\tU2", ""] {
        assert_eq!(bot.command(odd, &bot.create_args(), "T9").await, 200);
    }
    let (status, listed) = bot.command_answer("UALICE", "list all", "T10").await;
    assert_eq!(status, 200);
    assert_eq!(listed, "No jobs.");
    let audit = bot.server().app.store.audit_log(None).await.unwrap();
    assert!(
        audit
            .iter()
            .all(|e| !e.actor.to_string().contains(['\u{202e}', '\t'])),
        "{audit:?}"
    );
    assert!(
        !bot.slack
            .calls()
            .iter()
            .any(|c| c.method == "response_url/T9"),
        "no answer is sent on behalf of a user the bot cannot name"
    );
}

#[tokio::test]
async fn help_and_parse_errors_come_back_in_the_acknowledgement() {
    let bot = SlackBot::start().await;
    let signed = |text: &str, trigger: &str| {
        serde_urlencoded::to_string([
            ("team_id", "T0"),
            ("channel_id", "C0PLATFORM"),
            ("user_id", "UALICE"),
            ("command", "/privatelink"),
            ("text", text),
            (
                "response_url",
                &format!("{}/response/{trigger}", bot.slack.url),
            ),
            ("trigger_id", trigger),
        ])
        .unwrap()
    };
    let bot = &bot;
    let post = |body: String| async move {
        let ts = now();
        let headers = [
            ("x-slack-request-timestamp", ts.to_string()),
            ("x-slack-signature", sign(SIGNING, ts, &body)),
        ];
        bot.post_raw_answer("/slack/commands", &body, &headers)
            .await
    };
    let (status, body) = post(signed("help", "H1")).await;
    assert_eq!(status, 200);
    let answer: serde_json::Value = serde_json::from_str(&body).expect("a JSON answer");
    assert_eq!(answer["response_type"], "ephemeral");
    assert!(
        answer["text"]
            .as_str()
            .unwrap()
            .contains("/privatelink create"),
        "{answer}"
    );
    let (_, body) = post(signed("status PL-x", "H2")).await;
    assert!(body.contains("job id"), "{body}");
    // Nothing went through the store or out to response_url.
    let audit = bot.server().app.store.audit_log(None).await.unwrap();
    assert!(audit.is_empty(), "{audit:?}");
    assert!(
        !bot.slack
            .calls()
            .iter()
            .any(|c| c.method.starts_with("response_url/H")),
        "answered in the acknowledgement only"
    );
    // A duplicate of a help is as harmless: answered again, nothing stored.
    let (_, again) = post(signed("help", "H1")).await;
    assert!(again.contains("/privatelink create"));
}

/// The input that once took the bot down, `clusters=aé1-x`, over both of
/// Slack's ways in: a field error in the acknowledgement, and on the form.
#[tokio::test]
async fn a_non_ascii_cluster_id_is_a_field_error_on_the_form() {
    let bot = SlackBot::start().await;
    let net = bot.sandbox.network.clone();
    let subnets = net.subnets.join(",");
    let fields = [
        ("project", "proj-sandbox0001"),
        ("region", "aws-us-west-2"),
        ("vpc", net.vpc.as_str()),
        ("subnets", subnets.as_str()),
        ("sg", net.security_group.as_str()),
        ("clusters", "aé1-x"),
    ];
    let payload = view_submission("UALICE", "C0PLATFORM", "V9", &fields);
    let body = serde_urlencoded::to_string([("payload", payload)]).unwrap();
    let ts = now();
    let (status, answer) = bot
        .post_raw_answer(
            "/slack/interactions",
            &body,
            &[
                ("x-slack-request-timestamp", ts.to_string()),
                ("x-slack-signature", sign(SIGNING, ts, &body)),
            ],
        )
        .await;
    assert_eq!(status, 200);
    let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
    assert!(
        answer["errors"]["clusters"]
            .as_str()
            .is_some_and(|e| e.contains("is not a Zilliz Cloud cluster id")),
        "{answer}"
    );
    assert!(bot.server().app.store.all_jobs().await.unwrap().is_empty());
    // The bot is still there.
    let (_, said) = bot.command_answer("UALICE", "help", "U2").await;
    assert!(said.contains("/privatelink create"), "{said}");
}
