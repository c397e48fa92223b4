//! Discord end to end: interactions signed with a test Ed25519 key pair into
//! `serve`'s router, serenity's real HTTP client out to a fake Discord REST
//! API, AWS on moto, Zilliz on the fake control plane. What every platform
//! does is `platform_story`'s; this file holds what only Discord has.

use privatelink_bot::chat::discord;
use privatelink_bot::domain::job::JobState;
use serde_json::{Value, json};

use crate::discord_bot::{APP, OPS_ROLE};
pub(crate) use crate::discord_bot::{CHANNEL, DiscordBot, TOKEN, click, command};

#[tokio::test]
async fn commands_are_registered_and_a_role_holder_may_approve() {
    let bot = DiscordBot::start().await;
    discord::register_commands(&bot.handler().http, &[888])
        .await
        .unwrap();
    let reg = bot
        .discord
        .calls()
        .into_iter()
        .find(|c| c.method == "PUT")
        .unwrap();
    assert_eq!(reg.path, format!("/applications/{APP}/guilds/888/commands"));
    assert_eq!(reg.body[0]["name"], "privatelink");
    assert!(
        reg.body[0]["options"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["name"] == "create")
    );

    let (card, id) = bot.create("1001", "111").await;
    // A member holding the approver role may approve (the requester's own
    // click and the rest of the story are `platform_story`'s).
    let r = bot
        .post(&click(
            "1003",
            "333",
            &[OPS_ROLE],
            &format!("approve:{id}"),
            &card,
        ))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        bot.wait_state(id, |s| *s == JobState::Succeeded).await,
        JobState::Succeeded
    );
    let thread: Vec<String> = bot
        .discord
        .calls()
        .iter()
        .filter(|c| c.path == format!("/channels/{card}/messages"))
        .map(|c| c.body["content"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(
        thread.iter().any(|t| t.contains("Approved by discord:333")),
        "{thread:?}"
    );
}

#[tokio::test]
async fn ping_pong_and_signed_garbage_gets_400_and_changes_nothing() {
    let bot = DiscordBot::start().await;
    let ping = json!({ "id": "1", "application_id": APP, "type": 1, "token": "t", "version": 1 });
    let r = bot.post(&ping).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap(), json!({ "type": 1 }));

    // Signed but malformed: 400.
    let r = bot.post(&json!({ "type": 2, "nonsense": true })).await;
    assert_eq!(r.status(), 400);
    let unknown = command("3002", "111", "frobnicate", &[]);
    let mut bad = unknown.clone();
    bad["data"]["options"][0]["type"] = json!(3);
    assert_eq!(bot.post(&bad).await.status(), 400);
    assert!(bot.server.app.store.all_jobs().await.unwrap().is_empty());
    assert!(bot.discord.calls().is_empty(), "{:?}", bot.discord.calls());
}

#[tokio::test]
async fn option_errors_reach_the_user_in_the_initial_response() {
    let bot = DiscordBot::start().await;
    let r = bot
        .post(&command(
            "4001",
            "111",
            "create",
            &[
                ("project", "proj-x"),
                ("region", "aws-us-west-2"),
                ("vpc", "vpc-1"),
            ],
        ))
        .await;
    assert_eq!(r.status(), 200);
    // A parse error needs no cloud call: it is the initial response itself
    // (type 4, ephemeral), with no follow-up.
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(body["type"], 4, "{body}");
    assert_eq!(body["data"]["flags"], 64, "{body}");
    let text = body["data"]["content"].as_str().unwrap_or_default();
    assert!(
        text.contains("`vpc`: \"vpc-1\" is not a VPC id")
            && text.contains("`subnets`: is required"),
        "{text}"
    );
    assert!(bot.server.app.store.all_jobs().await.unwrap().is_empty());
}

#[test]
fn gateway_and_http_share_the_conversion() {
    use privatelink_bot::chat::discord::inbound::{Asked, from_interaction};
    use privatelink_bot::service::Event;
    let interaction: serenity::all::Interaction =
        serde_json::from_value(command("5001", "111", "status", &[("job", "PL-1042")])).unwrap();
    let Ok(Asked::Event { inbound, token }) =
        from_interaction(&interaction, privatelink_bot::i18n::Locale::En)
    else {
        panic!("not an event")
    };
    assert_eq!(token, "token-5001");
    assert_eq!(inbound.actor.user.to_string(), "discord:111");
    assert_eq!(inbound.delivery.as_deref(), Some("discord:5001"));
    assert!(matches!(inbound.event, Event::Command(ref t) if t == "status PL-1042"));
    let clicked: serenity::all::Interaction =
        serde_json::from_value(click("5002", "333", &[OPS_ROLE], "rollback:PL-7", "123")).unwrap();
    let Ok(Asked::Event { inbound, .. }) =
        from_interaction(&clicked, privatelink_bot::i18n::Locale::En)
    else {
        panic!("not an event")
    };
    assert_eq!(inbound.actor.roles, vec![OPS_ROLE.to_owned()]);
    assert!(matches!(inbound.event, Event::Click { job, .. } if job.to_string() == "PL-7"));
}

#[tokio::test]
async fn discord_down_mid_job_delays_the_thread_but_loses_nothing() {
    let bot = DiscordBot::start().await;
    let (card, id) = bot.create("3001", "111").await;
    // Discord goes down before the approval: the card update, the decision
    // and the first steps' notes all wait in the outbox.
    bot.discord.set_down(true);
    bot.post(&click(
        "3002",
        "333",
        &[OPS_ROLE],
        &format!("approve:{id}"),
        &card,
    ))
    .await;
    bot.discord
        .wait_for("failed deliveries", |c| {
            c.iter().filter(|c| c.method.ends_with("(500)")).count() >= 3
        })
        .await;
    bot.discord.set_down(false);
    bot.wait_state(id, |s| *s == JobState::Succeeded).await;
    let summary = format!("{id} succeeded");
    let calls = bot
        .discord
        .wait_for("the summary", |c| {
            c.iter().any(|c| {
                c.path == format!("/channels/{card}/messages")
                    && c.body["content"].to_string().contains(&summary)
            })
        })
        .await;
    let thread: Vec<String> = calls
        .iter()
        .filter(|c| c.method == "POST" && c.path == format!("/channels/{card}/messages"))
        .map(|c| c.body["content"].as_str().unwrap_or_default().to_owned())
        .collect();
    // New messages only for what a person must notice: the decision, the
    // checklist (edited from then on), the summary naming the requester.
    let expected = vec![
        "Approved by discord:333".to_owned(),
        format!("Steps of {id}"),
        format!("<@111> ✅ {summary}"),
    ];
    assert_eq!(thread.len(), expected.len(), "each note once: {thread:#?}");
    for (got, want) in thread.iter().zip(&expected) {
        assert!(
            got.contains(want.as_str()),
            "{want:?} expected, got {got:?}"
        );
    }
    let checklist = calls
        .iter()
        .rev()
        .find(|c| c.method == "PATCH" && c.path.starts_with(&format!("/channels/{card}/messages/")))
        .map(|c| c.body["content"].as_str().unwrap_or_default().to_owned())
        .unwrap_or_default();
    assert!(
        checklist.contains("8 of 8 done"),
        "edited to complete: {checklist}"
    );
    let last_edit = calls
        .iter()
        .rev()
        .find(|c| c.method == "PATCH" && c.path == format!("/channels/{CHANNEL}/messages/{card}"))
        .map(|c| c.body.to_string())
        .unwrap_or_default();
    assert!(last_edit.contains("Succeeded"), "{last_edit}");
}
