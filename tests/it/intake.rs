//! What reaches the bot from chat before any work is done: answers that
//! need no cloud call given in the acknowledgement, the per-person rate,
//! the body limit, clicks from the wrong channel, and Slack's text escaping.

use privatelink_bot::domain::job::JobState;

use crate::slack_bot::SlackBot;

#[tokio::test]
async fn answers_that_need_no_cloud_call_come_back_in_the_acknowledgement() {
    let bot = SlackBot::start().await;
    let (status, text) = bot.command_answer("UALICE", "help", "H1").await;
    assert_eq!(status, 200);
    assert!(text.contains("/privatelink create"), "{text}");
    // A parse error, with `<`, `>` and `&` escaped as Slack's text format
    // requires (a name like <!channel> must not ping anyone).
    let (_, text) = bot
        .command_answer("UALICE", "status <!channel>&", "H2")
        .await;
    assert!(text.contains("&lt;!channel&gt;&amp;"), "{text}");
    assert!(!text.contains("<!channel>"), "{text}");

    assert_eq!(bot.command("UALICE", &bot.create_args(), "H3").await, 200);
    let (_, id) = bot.card().await;
    let (_, text) = bot
        .command_answer("UBOB", &format!("status {id}"), "H4")
        .await;
    assert!(text.contains("Waiting for approval"), "{text}");
    let (_, text) = bot.command_answer("UBOB", "list pending", "H5").await;
    assert!(text.contains(&id.to_string()), "{text}");

    // None of these went through response_url: no task, no follow-up.
    let posted: Vec<String> = bot
        .slack
        .calls()
        .into_iter()
        .map(|c| c.method)
        .filter(|m| m.starts_with("response_url/H") && m != "response_url/H3")
        .collect();
    assert!(posted.is_empty(), "{posted:?}");
}

#[tokio::test]
async fn one_person_over_the_rate_is_told_to_slow_down_and_others_are_not() {
    let bot = SlackBot::start_full(
        &["slack:UBOB"],
        |c| {
            c.intake.per_user_per_minute = 1;
            c.intake.per_user_burst = 3;
        },
        None,
    )
    .await;
    for n in 0..3 {
        let (_, text) = bot.command_answer("UALICE", "help", &format!("R{n}")).await;
        assert!(text.contains("/privatelink create"), "{text}");
    }
    let (status, text) = bot.command_answer("UALICE", "help", "R3").await;
    assert_eq!(status, 200);
    assert!(text.contains("faster than the bot takes them"), "{text}");
    // A create over the rate is not started either.
    let (_, text) = bot.command_answer("UALICE", &bot.create_args(), "R4").await;
    assert!(text.contains("faster than the bot takes them"), "{text}");
    assert!(bot.server().app.store.all_jobs().await.unwrap().is_empty());
    let (_, text) = bot.command_answer("UBOB", "help", "R5").await;
    assert!(
        text.contains("/privatelink create"),
        "bob has his own rate: {text}"
    );
}

#[tokio::test]
async fn an_oversized_body_is_refused_before_anything_is_read() {
    let bot = SlackBot::start().await;
    let huge = format!(
        "text={}",
        "a".repeat(privatelink_bot::chat::intake::MAX_BODY + 1)
    );
    assert_eq!(bot.post_unsigned("/slack/commands", &huge).await, 413);
    assert_eq!(bot.post_unsigned("/slack/interactions", &huge).await, 413);
    // Refused before the signature was even looked at.
    let app = &bot.server().app;
    let scrape = privatelink_bot::health::scrape(&app.metrics, &app.store).await;
    let rejected: Vec<&str> = scrape
        .lines()
        .filter(|l| l.contains("signature_rejections_total{"))
        .collect();
    assert!(rejected.iter().all(|l| l.ends_with(" 0")), "{rejected:?}");
    // Under the limit, an unsigned request is still a 401.
    assert_eq!(bot.post_unsigned("/slack/commands", "text=help").await, 401);
}

#[tokio::test]
async fn a_click_from_another_channel_is_refused_and_audited() {
    let bot = SlackBot::start().await;
    assert_eq!(bot.command("UALICE", &bot.create_args(), "X1").await, 200);
    let (card, id) = bot.card().await;
    // An approver, a real job id, but a channel the card is not in.
    assert_eq!(
        bot.click_in("C0ELSEWHERE", "UBOB", &format!("approve:{id}"), "X2", &card)
            .await,
        200
    );
    let said = bot.ephemeral("X2").await;
    assert!(said.contains("belongs to another channel"), "{said}");
    let job = bot.server().app.store.get(id).await.unwrap().unwrap();
    assert_eq!(*job.state(), JobState::PendingApproval);
    let audit = bot.server().app.store.audit_log(Some(id)).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action.word() == "approve"
                && e.outcome.to_string().contains("another channel")),
        "{audit:?}"
    );
    // From the card's own channel the same click counts.
    bot.click("UBOB", &format!("approve:{id}"), "X3", &card)
        .await;
    assert_eq!(
        bot.wait_state(id, |s| *s == JobState::Succeeded).await,
        JobState::Succeeded
    );
}
