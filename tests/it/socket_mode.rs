//! Slack Socket Mode against a peer over a real WebSocket, with the real
//! binary: it opens the connection with its app-level token, answers
//! pings, acknowledges envelopes by id, reconnects when Slack asks
//! (`disconnect`) and when the connection simply vanishes, and an envelope
//! Slack delivers again after a drop has one effect.

use privatelink_bot::sandbox::slack_requests;
use serde_json::{Value, json};

use crate::binary::{ServeBinary, TOKEN};
use crate::fake_slack::FakeSlack;
use crate::fake_socket::Seen;

const APP_TOKEN: &str = "xapp-1-socket-3c9d7e";

fn connected(seen: &[Seen]) -> usize {
    seen.iter()
        .filter(|s| matches!(s, Seen::Connected(_)))
        .count()
}

fn acked(seen: &[Seen], id: &str) -> bool {
    seen.iter().any(|s| matches!(s, Seen::Ack(a, _) if a == id))
}

#[tokio::test]
async fn socket_mode_connects_acks_reconnects_and_resumes_with_the_real_binary() {
    let slack = FakeSlack::start(TOKEN).await;
    let socket = slack.enable_socket_mode(APP_TOKEN).await;
    let bot = ServeBinary::start_with(
        slack,
        |text| {
            text.replace(
                "progress_interval = \"1ms\"",
                "progress_interval = \"1ms\"\ntransport = \"socket\"\napp_token_env = \"BIN_SLACK_APP_TOKEN\"",
            )
        },
        &[("BIN_SLACK_APP_TOKEN", APP_TOKEN)],
    )
    .await;

    // Connected with the app token; pings answered.
    socket
        .wait_for("the first connection", |s| connected(s) == 1)
        .await;
    socket.ping();
    socket.wait_for("a pong", |s| s.contains(&Seen::Pong)).await;

    // A slash command over the socket: acknowledged by its envelope id;
    // the card goes up over the Web API.
    socket.send(create_envelope(&bot.slack.url, &bot.sandbox.create_args()));
    socket.wait_for("env-1 acked", |s| acked(s, "env-1")).await;
    let (_, id) = bot.slack.first_card().await;

    // Slack rotates the connection: the bot opens a new one.
    socket.disconnect("refresh_requested");
    socket
        .wait_for("the second connection", |s| connected(s) == 2)
        .await;

    // The connection vanishes (no close frame): the bot finds out and
    // connects again.
    socket.drop_newest();
    socket
        .wait_for("the third connection", |s| connected(s) == 3)
        .await;
    let opened = bot
        .slack
        .calls()
        .iter()
        .filter(|c| c.method == "apps.connections.open")
        .count();
    assert!(opened >= 3, "a fresh URL for each connection: {opened}");

    // The approve click; Slack delivers it again after another drop (as it
    // does when it cannot tell whether the ack arrived): one effect.
    let click = approve_envelope(&bot.slack.url, &id.to_string());
    socket.send(click.clone());
    socket.wait_for("env-2 acked", |s| acked(s, "env-2")).await;
    socket.drop_newest();
    socket
        .wait_for("the fourth connection", |s| connected(s) == 4)
        .await;
    let mut again = click;
    again["retry_attempt"] = json!(1);
    again["retry_reason"] = json!("timeout");
    socket.send(again);

    let summary = |c: &[crate::fake_slack::Call]| {
        c.iter()
            .any(|c| c.body.to_string().contains(&format!("{id} succeeded")))
    };
    let calls = bot.slack.wait_for("the summary", summary).await;
    let approvals = calls
        .iter()
        .filter(|c| c.body.to_string().contains("Approved by slack:UBOB."))
        .count();
    assert_eq!(approvals, 1, "the redelivered click had no second effect");

    let ready = reqwest::get(format!("{}/readyz", bot.url)).await.unwrap();
    assert_eq!(ready.status(), 200, "Socket Mode connected: ready");
    let (_, status, _) = bot.stop().await;
    assert_eq!(status, 0);
}

/// A `create` slash command as Socket Mode delivers it, envelope `env-1`.
fn create_envelope(slack: &str, create_args: &str) -> Value {
    json!({
        "envelope_id": "env-1", "type": "slash_commands", "accepts_response_payload": true,
        "payload": {
            "team_id": "T0", "channel_id": "C0PLATFORM", "user_id": "UALICE", "command": "/privatelink",
            "text": format!("create {create_args}"),
            "response_url": format!("{slack}/response/S1"), "trigger_id": "S1",
        },
    })
}

/// Bob's approve click on `job`'s card as Socket Mode delivers it,
/// envelope `env-2`: the same payload the HTTP endpoint gets in its form.
fn approve_envelope(slack: &str, job: &str) -> Value {
    let response_url = format!("{slack}/response/S2");
    let from = slack_requests::From {
        channel: "C0PLATFORM",
        user: "UBOB",
        trigger: "S2",
        response_url: &response_url,
    };
    let form = slack_requests::button_click(&from, &format!("approve:{job}"), "1700000000.000001");
    let payload: Value = serde_json::from_str(
        &serde_urlencoded::from_str::<Vec<(String, String)>>(&form).unwrap()[0].1,
    )
    .unwrap();
    json!({ "envelope_id": "env-2", "type": "interactive", "accepts_response_payload": false, "payload": payload })
}
