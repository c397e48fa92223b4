//! The fake Slack and Discord keep what their APIs document.

use serde_json::{Value, json};

use super::JsonAnswer;
use crate::discord::TOKEN as DISCORD_TOKEN;
use crate::fake_discord::FakeDiscord;
use crate::fake_slack::FakeSlack;

/// A Web API call to the fake, as the bot makes it.
async fn call(slack: &FakeSlack, method: &str, token: &str, body: Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/api/{method}", slack.url))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("answer")
}

async fn answered(slack: &FakeSlack, method: &str, body: Value) -> Value {
    let answer = call(slack, method, "xoxb-contract", body).await;
    answer.json().await.expect("json")
}

fn error(v: &Value) -> &str {
    v["error"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn slack_answers_a_wrong_token_with_200_and_invalid_auth() {
    let slack = FakeSlack::start("xoxb-contract").await;
    let body = json!({ "channel": "C1", "text": "x" });
    let r = call(&slack, "chat.postMessage", "xoxb-wrong", body).await;
    assert_eq!(r.status(), 200);
    assert_eq!(error(&r.json().await.expect("json")), "invalid_auth");
}

#[tokio::test]
async fn slack_refuses_what_no_retry_cures_with_its_own_codes() {
    let slack = FakeSlack::start("xoxb-contract").await;
    slack.remove_bot_from("COUT");
    slack.archive("CARCH", true);
    slack.mark_unknown("CGONE");
    for (channel, expected) in [
        ("COUT", "not_in_channel"),
        ("CARCH", "is_archived"),
        ("CGONE", "channel_not_found"),
    ] {
        let v = answered(
            &slack,
            "chat.postMessage",
            json!({ "channel": channel, "text": "x" }),
        )
        .await;
        assert_eq!(error(&v), expected, "{channel}");
    }
    let posted = answered(
        &slack,
        "chat.postMessage",
        json!({ "channel": "C1", "text": "x" }),
    )
    .await;
    let ts = posted["ts"].as_str().expect("ts").to_owned();
    slack.delete_message(&ts);
    let edit = json!({ "channel": "C1", "ts": ts, "text": "y" });
    assert_eq!(
        error(&answered(&slack, "chat.update", edit).await),
        "message_not_found"
    );
    // A user id as the channel is the bot's direct conversation.
    let v = answered(
        &slack,
        "chat.postMessage",
        json!({ "channel": "UALICE", "text": "x" }),
    )
    .await;
    assert_eq!(v["ok"], true);
    assert!(
        v["channel"].as_str().is_some_and(|c| c.starts_with('D')),
        "{v}"
    );
}

#[tokio::test]
async fn slack_throttles_with_429_and_retry_after() {
    let slack = FakeSlack::start("xoxb-contract").await;
    slack.rate_limit_next(1);
    let body = json!({ "channel": "C1", "text": "x" });
    let r = call(&slack, "chat.postMessage", "xoxb-contract", body).await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn slack_socket_mode_takes_the_app_level_token_only() {
    let slack = FakeSlack::start("xoxb-contract").await;
    slack.enable_socket_mode("xapp-contract").await;
    let with_bot_token = call(&slack, "apps.connections.open", "xoxb-contract", json!({})).await;
    let v: Value = with_bot_token.json().await.expect("json");
    assert_eq!(error(&v), "invalid_auth");
    let with_app_token = call(&slack, "apps.connections.open", "xapp-contract", json!({})).await;
    let v: Value = with_app_token.json().await.expect("json");
    assert!(
        v["url"].as_str().is_some_and(|u| u.starts_with("ws://")),
        "{v}"
    );
}

#[tokio::test]
async fn slack_answers_an_unknown_user_group_with_no_such_subteam() {
    let slack = FakeSlack::start("xoxb-contract").await;
    let v: Value = reqwest::Client::new()
        .get(format!(
            "{}/api/usergroups.users.list?usergroup=S0NONE",
            slack.url
        ))
        .bearer_auth("xoxb-contract")
        .send()
        .await
        .json_answer()
        .await;
    assert_eq!(error(&v), "no_such_subteam");
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
