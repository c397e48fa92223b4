//! Chat platforms refusing for good what no retry cures: a channel the bot
//! is not in (or whose access it lost), an archived channel, a card someone
//! deleted. The requester is told, directly, what to fix; `status` and the
//! outbox say the same; the job itself is never held up; delivery resumes
//! by itself, in order, once the fix is made; a deleted card is posted anew.

use std::time::Duration;

use privatelink_bot::domain::job::JobState;
use privatelink_bot::ports::chat::Blocked;

use crate::discord::{CHANNEL, DiscordBot, click};
use crate::fake_slack::Call;
use crate::slack_bot::SlackBot;

const PLATFORM: &str = "C0PLATFORM";

async fn slack_bot() -> SlackBot {
    SlackBot::start_full(
        &["slack:UBOB"],
        |c| c.delivery.blocked_retry = Duration::from_millis(200),
        None,
    )
    .await
}

/// The texts of the bot's direct messages to `user` (Slack: a user id as
/// the channel).
fn slack_dms(calls: &[Call], user: &str) -> Vec<String> {
    calls
        .iter()
        .filter(|c| c.method == "chat.postMessage" && c.body["channel"] == user)
        .map(|c| c.body["text"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Thread notes posted under `card_ts`, in order, as JSON text.
fn thread(calls: &[Call], card_ts: &str) -> Vec<String> {
    calls
        .iter()
        .filter(|c| c.method == "chat.postMessage" && c.body["thread_ts"] == card_ts)
        .map(|c| c.body.to_string())
        .collect()
}

fn position(notes: &[String], what: &str) -> usize {
    notes
        .iter()
        .position(|n| n.contains(what))
        .unwrap_or_else(|| panic!("no note with {what:?} in {notes:#?}"))
}

#[tokio::test]
async fn a_bot_never_invited_tells_the_requester_and_posts_the_card_once_invited() {
    let bot = slack_bot().await;
    bot.slack.remove_bot_from(PLATFORM);
    assert_eq!(bot.command("UALICE", &bot.create_args(), "T1").await, 200);
    assert!(bot.ephemeral("T1").await.contains("waiting for approval"));

    let calls = bot
        .slack
        .wait_for("a direct message to the requester", |c| {
            !slack_dms(c, "UALICE").is_empty()
        })
        .await;
    let dm = &slack_dms(&calls, "UALICE")[0];
    assert!(
        dm.contains("PL-1000") && dm.contains("not in the channel") && dm.contains("/invite"),
        "{dm}"
    );
    // Once the dispatcher has booked the refusal:
    bot.server().app.delivery.settled().await;
    let (_, said) = bot.command_answer("UALICE", "status PL-1000", "T2").await;
    assert!(
        said.contains("Its messages wait: the bot is not in the channel"),
        "{said}"
    );
    let outbox = bot.server().app.store.blocking().outbox().expect("outbox");
    assert_eq!(outbox[0].blocked, Some(Blocked::NotInChannel), "{outbox:?}");
    assert!(outbox[0].blocked_told);
    let line = privatelink_bot::admin::outbox_line(&outbox[0]);
    assert!(
        line.contains("BLOCKED") && line.contains("requester told"),
        "{line}"
    );

    // Someone invites the bot: the card goes up by itself.
    bot.slack.invite(PLATFORM);
    let (card_ts, id) = bot.card().await;
    assert_eq!(
        bot.click("UBOB", &format!("approve:{id}"), "T3", &card_ts)
            .await,
        200
    );
    assert_eq!(
        bot.wait_state(id, |s| *s == JobState::Succeeded).await,
        JobState::Succeeded
    );
    bot.server().app.delivery.settled().await;
    assert_eq!(
        slack_dms(&bot.slack.calls(), "UALICE").len(),
        1,
        "told once, not at every try"
    );
}

#[tokio::test]
async fn a_bot_removed_mid_job_never_holds_the_job_and_its_thread_arrives_in_order_once_invited() {
    let bot = slack_bot().await;
    assert_eq!(bot.command("UALICE", &bot.create_args(), "T1").await, 200);
    let (card_ts, id) = bot.card().await;
    bot.slack.remove_bot_from(PLATFORM);
    assert_eq!(
        bot.click("UBOB", &format!("approve:{id}"), "T2", &card_ts)
            .await,
        200
    );
    // The job runs to its end while the channel refuses every message.
    assert_eq!(
        bot.wait_state(id, |s| *s == JobState::Succeeded).await,
        JobState::Succeeded
    );
    let calls = bot
        .slack
        .wait_for("the requester told", |c| !slack_dms(c, "UALICE").is_empty())
        .await;
    assert!(thread(&calls, &card_ts).is_empty(), "nothing got through");
    assert!(
        calls.iter().any(|c| c.method.ends_with("(not_in_channel)")),
        "the platform refused"
    );

    bot.slack.invite(PLATFORM);
    let calls = bot
        .slack
        .wait_for("the summary in the thread", |c| {
            thread(c, &card_ts)
                .iter()
                .any(|n| n.contains("PL-1000 succeeded"))
        })
        .await;
    let notes = thread(&calls, &card_ts);
    let approved = position(&notes, "Approved by slack:UBOB");
    let checklist = position(&notes, "Steps of PL-1000");
    let summary = position(&notes, "PL-1000 succeeded");
    assert!(
        approved < checklist && checklist < summary && notes.len() == 3,
        "in order, each once: {notes:#?}"
    );
    crate::outbox::assert_checklist_complete(&calls, &card_ts);
    bot.server().app.delivery.settled().await;
    let last_card = bot
        .slack
        .calls()
        .into_iter()
        .rfind(|c| c.method == "chat.update")
        .expect("the card was brought up to date");
    assert!(last_card.body.to_string().contains("Succeeded"));
    assert_eq!(slack_dms(&bot.slack.calls(), "UALICE").len(), 1);
}

#[tokio::test]
async fn an_archived_channel_is_named_and_delivery_resumes_when_unarchived() {
    let bot = slack_bot().await;
    assert_eq!(bot.command("UALICE", &bot.create_args(), "T1").await, 200);
    let (card_ts, id) = bot.card().await;
    bot.slack.archive(PLATFORM, true);
    bot.click("UBOB", &format!("approve:{id}"), "T2", &card_ts)
        .await;
    let calls = bot
        .slack
        .wait_for("the requester told", |c| !slack_dms(c, "UALICE").is_empty())
        .await;
    let dm = &slack_dms(&calls, "UALICE")[0];
    assert!(dm.contains("archived"), "{dm}");
    bot.wait_state(id, |s| *s == JobState::Succeeded).await;
    bot.slack.archive(PLATFORM, false);
    bot.slack
        .wait_for("the summary", |c| {
            thread(c, &card_ts)
                .iter()
                .any(|n| n.contains("PL-1000 succeeded"))
        })
        .await;
}

#[tokio::test]
async fn a_deleted_card_is_posted_anew_and_the_thread_goes_on_under_it() {
    let bot = slack_bot().await;
    assert_eq!(bot.command("UALICE", &bot.create_args(), "T1").await, 200);
    let (card_ts, id) = bot.card().await;
    bot.slack.delete_message(&card_ts);
    bot.click("UBOB", &format!("approve:{id}"), "T2", &card_ts)
        .await;
    bot.wait_state(id, |s| *s == JobState::Succeeded).await;
    bot.server().app.delivery.settled().await;
    let calls = bot.slack.calls();
    let cards: Vec<&Call> = calls
        .iter()
        .filter(|c| c.method == "chat.postMessage" && c.body["thread_ts"].is_null())
        .collect();
    assert_eq!(cards.len(), 2, "the card was posted again once");
    assert!(
        calls
            .iter()
            .any(|c| c.method == "chat.update (message_not_found)")
    );
    let job = bot
        .server()
        .app
        .store
        .blocking()
        .get(id)
        .expect("store")
        .expect("job");
    let fresh = job.card().expect("the fresh card is recorded").id.clone();
    assert_ne!(fresh, card_ts);
    let notes = thread(&calls, &fresh);
    assert!(
        notes.iter().any(|n| n.contains("PL-1000 succeeded")),
        "the thread goes on under the fresh card: {notes:#?}"
    );
    let log = bot
        .server()
        .app
        .store
        .blocking()
        .audit_log(Some(id))
        .expect("audit");
    assert!(log.iter().any(|e| e.action.word() == "card_lost"));
}

#[tokio::test]
async fn discord_missing_access_tells_the_requester_directly_and_resumes_when_granted() {
    let bot = DiscordBot::start_with(|c| {
        c.delivery.blocked_retry = Duration::from_millis(200);
    })
    .await;
    bot.discord.set_access(CHANNEL, false);
    let opts = bot.create_options();
    let opts: Vec<(&str, &str)> = opts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let r = bot
        .post(&crate::discord::command("1", "111", "create", &opts))
        .await;
    assert_eq!(r.status(), 200);
    bot.discord
        .wait_for("a direct message", |_| {
            !bot.discord.direct_messages("111").is_empty()
        })
        .await;
    let dm = &bot.discord.direct_messages("111")[0];
    assert!(dm.contains("not in the channel"), "{dm}");
    assert!(
        bot.discord
            .calls()
            .iter()
            .any(|c| c.method == "POST (50001)"),
        "Missing Access, with its code"
    );
    bot.discord.set_access(CHANNEL, true);
    let posted = |c: &[crate::fake_discord::Call]| {
        c.iter()
            .any(|c| c.method == "POST" && c.path == format!("/channels/{CHANNEL}/messages"))
    };
    bot.discord.wait_for("the card", posted).await;
    assert_eq!(bot.discord.direct_messages("111").len(), 1);
}

#[tokio::test]
async fn discord_a_deleted_card_is_posted_anew() {
    let bot = DiscordBot::start().await;
    let (card_id, id) = bot.create("1", "111").await;
    bot.discord.delete_message(&card_id);
    let r = bot
        .post(&click("2", "222", &[], &format!("approve:{id}"), &card_id))
        .await;
    assert_eq!(r.status(), 200);
    bot.wait_state(id, |s| *s == JobState::Succeeded).await;
    bot.server.app.delivery.settled().await;
    let calls = bot.discord.calls();
    assert!(calls.iter().any(|c| c.method == "PATCH (10008)"));
    let cards = calls
        .iter()
        .filter(|c| c.method == "POST" && c.path == format!("/channels/{CHANNEL}/messages"))
        .count();
    assert_eq!(cards, 2, "posted anew once");
    let job = bot
        .server
        .app
        .store
        .blocking()
        .get(id)
        .expect("store")
        .expect("job");
    assert_ne!(job.card().expect("card").id, card_id);
}
