//! The fake Slack and Discord keep what their APIs document.

use serde_json::{Value, json};

use super::JsonAnswer;
use crate::discord::TOKEN as DISCORD_TOKEN;
use crate::fake_discord::FakeDiscord;
use crate::fake_slack::FakeSlack;

#[tokio::test]
async fn the_slack_fake_keeps_slacks_documented_behaviour() {
    let slack = FakeSlack::start("xoxb-contract").await;
    let http = reqwest::Client::new();
    let call = |method: &str, token: &str, body: Value| {
        http.post(format!("{}/api/{method}", slack.url))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let error = |v: Value| v["error"].as_str().unwrap_or_default().to_owned();

    // A wrong token: HTTP 200, ok false, invalid_auth.
    let r = call(
        "chat.postMessage",
        "xoxb-wrong",
        json!({ "channel": "C1", "text": "x" }),
    )
    .await
    .expect("answer");
    assert_eq!(r.status(), 200);
    assert_eq!(error(r.json().await.expect("json")), "invalid_auth");

    // What no retry cures, with Slack's codes.
    slack.remove_bot_from("COUT");
    slack.archive("CARCH", true);
    slack.mark_unknown("CGONE");
    for (channel, expected) in [
        ("COUT", "not_in_channel"),
        ("CARCH", "is_archived"),
        ("CGONE", "channel_not_found"),
    ] {
        let v: Value = call(
            "chat.postMessage",
            "xoxb-contract",
            json!({ "channel": channel, "text": "x" }),
        )
        .await
        .json_answer()
        .await;
        assert_eq!(error(v), expected, "{channel}");
    }
    let posted: Value = call(
        "chat.postMessage",
        "xoxb-contract",
        json!({ "channel": "C1", "text": "x" }),
    )
    .await
    .json_answer()
    .await;
    let ts = posted["ts"].as_str().expect("ts").to_owned();
    slack.delete_message(&ts);
    let v: Value = call(
        "chat.update",
        "xoxb-contract",
        json!({ "channel": "C1", "ts": ts, "text": "y" }),
    )
    .await
    .json_answer()
    .await;
    assert_eq!(error(v), "message_not_found");
    // A user id as the channel is the bot's direct conversation.
    let v: Value = call(
        "chat.postMessage",
        "xoxb-contract",
        json!({ "channel": "UALICE", "text": "x" }),
    )
    .await
    .json_answer()
    .await;
    assert_eq!(v["ok"], true);
    assert!(
        v["channel"].as_str().is_some_and(|c| c.starts_with('D')),
        "{v}"
    );

    // 429 with Retry-After.
    slack.rate_limit_next(1);
    let r = call(
        "chat.postMessage",
        "xoxb-contract",
        json!({ "channel": "C1", "text": "x" }),
    )
    .await
    .expect("answer");
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));

    // Socket Mode takes the app-level token only.
    slack.enable_socket_mode("xapp-contract").await;
    let v: Value = call("apps.connections.open", "xoxb-contract", json!({}))
        .await
        .json_answer()
        .await;
    assert_eq!(error(v), "invalid_auth");
    let v: Value = call("apps.connections.open", "xapp-contract", json!({}))
        .await
        .json_answer()
        .await;
    assert!(
        v["url"].as_str().is_some_and(|u| u.starts_with("ws://")),
        "{v}"
    );

    // A user group it does not know.
    let v: Value = http
        .get(format!(
            "{}/api/usergroups.users.list?usergroup=S0NONE",
            slack.url
        ))
        .bearer_auth("xoxb-contract")
        .send()
        .await
        .json_answer()
        .await;
    assert_eq!(error(v), "no_such_subteam");
}

#[tokio::test]
async fn the_discord_fake_keeps_discords_documented_behaviour() {
    let discord = FakeDiscord::start(DISCORD_TOKEN).await;
    let http = reqwest::Client::new();
    let auth = format!("Bot {DISCORD_TOKEN}");
    let post = |path: &str, token: &str, body: Value| {
        http.post(format!("{}/api/v10{path}", discord.url))
            .header("authorization", token)
            .json(&body)
            .send()
    };
    let code = |v: Value| v["code"].as_i64().unwrap_or_default();

    let r = post(
        "/channels/777/messages",
        "Bot wrong",
        json!({ "content": "x" }),
    )
    .await
    .expect("answer");
    assert_eq!(r.status(), 401);

    discord.set_access("778", false);
    let r = post("/channels/778/messages", &auth, json!({ "content": "x" }))
        .await
        .expect("answer");
    assert_eq!(r.status(), 403);
    assert_eq!(code(r.json().await.expect("json")), 50001);

    let message: Value = post("/channels/777/messages", &auth, json!({ "content": "x" }))
        .await
        .json_answer()
        .await;
    let id = message["id"].as_str().expect("id").to_owned();
    let thread = || {
        post(
            &format!("/channels/777/messages/{id}/threads"),
            &auth,
            json!({ "name": "t" }),
        )
    };
    assert_eq!(thread().await.expect("answer").status(), 201);
    let r = thread().await.expect("answer");
    assert_eq!(r.status(), 400);
    assert_eq!(code(r.json().await.expect("json")), 160004);

    discord.delete_message(&id);
    let r = http
        .patch(format!(
            "{}/api/v10/channels/777/messages/{id}",
            discord.url
        ))
        .header("authorization", &auth)
        .json(&json!({ "content": "y" }))
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 404);
    assert_eq!(code(r.json().await.expect("json")), 10008);

    let dm: Value = post(
        "/users/@me/channels",
        &auth,
        json!({ "recipient_id": "111" }),
    )
    .await
    .json_answer()
    .await;
    assert_eq!(dm["type"], 1);

    discord.rate_limit_next(1);
    let r = post("/channels/777/messages", &auth, json!({ "content": "x" }))
        .await
        .expect("answer");
    assert_eq!(r.status(), 429);
    assert!(r.json::<Value>().await.expect("json")["retry_after"].is_number());
}
