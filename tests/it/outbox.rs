//! Durable chat, end to end over Slack: the engine and the service write
//! what a job says into the store's outbox with each change, and the real
//! dispatcher delivers it to the fake Slack Web API through outages,
//! crashes and throttling, in order and without loss.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use privatelink_bot::domain::ids::JobId;
use privatelink_bot::domain::job::{JobState, Step};
use privatelink_bot::engine::{HookPoint, StepHook};
use privatelink_bot::sandbox::fixtures::{self, NetworkShape};
use privatelink_bot::sandbox::{PROJECT, REGION, ZILLIZ_REGION};

use crate::fake_slack::{Call, Outage, OutageSwitch};
use crate::slack_bot::SlackBot;
pub use crate::slack_thread::*;

/// Takes Slack down when a job starts step 3; the engine goes on. The
/// switch is handed over once the fake exists (the hook is built first).
struct DownAtStep3 {
    switch: Arc<std::sync::Mutex<Option<OutageSwitch>>>,
    outage: Outage,
}

#[async_trait]
impl StepHook for DownAtStep3 {
    async fn at(&self, _job: JobId, step: Step, point: HookPoint) {
        let switch = self.switch.lock().unwrap().clone();
        if let Some(switch) = switch
            && step == Step::EnsureRegistration
            && point == HookPoint::Started
        {
            switch.down(self.outage, &[]);
        }
    }
}

/// Short delivery backoff, so recovery is seen quickly.
fn quick_delivery(c: &mut privatelink_bot::config::Config) {
    c.delivery.backoff_initial = Duration::from_millis(20);
    c.delivery.backoff_max = Duration::from_millis(200);
}

/// Waits until the job's summary and its final card are in Slack.
async fn summary_and_final_card(bot: &SlackBot, id: JobId, ts: &str) -> Vec<Call> {
    let summary = format!("{id} succeeded");
    bot.slack
        .wait_for("the summary and the final card", |calls| {
            let summed = calls.iter().any(|c| {
                c.method == "chat.postMessage"
                    && c.body["thread_ts"] == ts
                    && c.body["text"]
                        .as_str()
                        .is_some_and(|t| t.contains(&summary))
            });
            let last_card = calls
                .iter()
                .rev()
                .find(|c| c.method == "chat.update" && c.body["ts"] == ts);
            summed && last_card.is_some_and(|c| c.body.to_string().contains("Succeeded"))
        })
        .await
}

async fn an_outage_in_the_middle_of_a_job_loses_nothing(outage: Outage) {
    let switch = Arc::new(std::sync::Mutex::new(None));
    let hook = DownAtStep3 {
        switch: switch.clone(),
        outage,
    };
    let bot = SlackBot::start_full(&["slack:UBOB"], quick_delivery, Some(Arc::new(hook))).await;
    *switch.lock().unwrap() = Some(bot.slack.outage());
    let (ts, id) = approved_job(&bot).await;
    // Slack stays down until the bot has met the outage a few times.
    let met = |c: &Call| c.method.ends_with("(500)") || c.method == "(connection dropped)";
    bot.slack
        .wait_for("failed deliveries", |calls| {
            calls.iter().filter(|c| met(c)).count() >= 3
        })
        .await;
    bot.slack.outage().up();
    assert_eq!(
        bot.wait_state(id, |s| *s == JobState::Succeeded).await,
        JobState::Succeeded
    );
    let calls = summary_and_final_card(&bot, id, &ts).await;
    assert_in_order(&thread(&calls, &ts), &every_note(id));
    assert_checklist_complete(&calls, &ts);
    assert!(bot.server().app.store.outbox().await.unwrap().is_empty());
}

#[tokio::test]
async fn slack_answering_500_mid_job_delays_notes_but_loses_none() {
    an_outage_in_the_middle_of_a_job_loses_nothing(Outage::Status500).await;
}

#[tokio::test]
async fn slack_dropping_connections_mid_job_delays_notes_but_loses_none() {
    an_outage_in_the_middle_of_a_job_loses_nothing(Outage::DropConnections).await;
}

#[tokio::test]
async fn what_a_finished_job_said_is_delivered_by_the_next_process() {
    let mut bot = SlackBot::start_full(&["slack:UBOB"], quick_delivery, None).await;
    let outage = bot.slack.outage();
    let (ts, id) = approved_job(&bot).await;
    // Slack goes down as soon as the approval is out: the job runs to the
    // end, its notes and final card wait in the outbox.
    bot.slack
        .wait_for("the approval note", |calls| {
            thread(calls, &ts).iter().any(|t| t.starts_with("Approved"))
        })
        .await;
    outage.down(Outage::Status500, &[]);
    bot.server().app.engine.wait(id).await;
    assert_eq!(
        *bot.server()
            .app
            .store
            .get(id)
            .await
            .unwrap()
            .unwrap()
            .state(),
        JobState::Succeeded
    );
    let waiting = bot.server().app.store.outbox().await.unwrap();
    assert!(
        waiting.len() >= 3,
        "notes, summary and card wait: {waiting:?}"
    );

    // The process dies with all of it undelivered; a new one starts on the
    // same store once Slack is back.
    bot.crash_and_restart().await;
    outage.up();
    let calls = summary_and_final_card(&bot, id, &ts).await;
    assert_in_order(&thread(&calls, &ts), &every_note(id));
    assert_checklist_complete(&calls, &ts);
}

#[tokio::test]
async fn a_card_that_cannot_be_posted_goes_up_later_and_its_job_is_never_invisible() {
    let bot = SlackBot::start_full(
        &["slack:UBOB"],
        |c| {
            quick_delivery(c);
            c.delivery.card_overdue = Duration::ZERO;
        },
        None,
    )
    .await;
    let outage = bot.slack.outage();
    outage.down(Outage::Status500, &["chat.postMessage"]);
    assert_eq!(bot.command("UALICE", &bot.create_args(), "T1").await, 200);
    assert!(bot.ephemeral("T1").await.contains("waiting for approval"));
    // The requester hears privately that the card is late, once.
    let calls = bot
        .slack
        .wait_for("the private word to the requester", |c| {
            c.iter().any(|c| c.method == "chat.postEphemeral")
        })
        .await;
    let told = calls
        .iter()
        .find(|c| c.method == "chat.postEphemeral")
        .unwrap();
    assert_eq!(told.body["user"], "UALICE");
    assert!(
        told.body["text"]
            .as_str()
            .unwrap_or_default()
            .contains("could not be posted"),
        "{told:?}"
    );
    // Meanwhile the job is there for anyone who asks.
    // Both are answered in the acknowledgement: a store read, no cloud call.
    let (_, listed) = bot.command_answer("UBOB", "list pending", "T2").await;
    assert!(listed.contains("PL-1000"), "{listed}");
    let (_, status) = bot.command_answer("UBOB", "status PL-1000", "T3").await;
    assert!(status.contains("Waiting for approval"), "{status}");
    assert!(status.contains("card not posted yet"), "{status}");

    outage.up();
    let (ts, id) = bot.card().await;
    assert_eq!(
        bot.click("UBOB", &format!("approve:{id}"), "T4", &ts).await,
        200
    );
    bot.wait_state(id, |s| *s == JobState::Succeeded).await;
    let calls = summary_and_final_card(&bot, id, &ts).await;
    assert_in_order(&thread(&calls, &ts), &every_note(id));
    assert_checklist_complete(&calls, &ts);
    let ephemerals = calls
        .iter()
        .filter(|c| c.method == "chat.postEphemeral")
        .count();
    assert_eq!(ephemerals, 1, "told once, not on every failed try");
}

#[tokio::test]
async fn a_429_storm_on_one_channel_does_not_hold_up_another() {
    let bot = SlackBot::start_full(&["slack:UBOB"], quick_delivery, None).await;
    let other = fixtures::customer_network(&bot.sandbox.aws, REGION, 30, NetworkShape::default())
        .await
        .expect("a second VPC");
    let other_args = format!(
        "create project={PROJECT} region={ZILLIZ_REGION} vpc={} subnets={} sg={} clusters={}",
        other.vpc,
        other.subnets.join(","),
        other.security_group,
        bot.sandbox.clusters.join(",")
    );
    // Job A in C0STORMY, job B in C0CALM; both cards up, both approved.
    assert_eq!(
        bot.command_in("C0STORMY", "UALICE", &bot.create_args(), "T1")
            .await,
        200
    );
    let (ts_a, a) = bot.card().await;
    assert_eq!(
        bot.command_in("C0CALM", "UALICE", &other_args, "T2").await,
        200
    );
    let calls = bot
        .slack
        .wait_for("the second card", |c| {
            c.iter()
                .any(|c| c.method == "chat.postMessage" && c.body["channel"] == "C0CALM")
        })
        .await;
    let ts_b = calls
        .iter()
        .filter(|c| c.method == "chat.postMessage")
        .position(|c| c.body["channel"] == "C0CALM")
        .map(|n| format!("1700000000.{:06}", n + 1))
        .unwrap();
    let b = JobId::new(a.number() + 1);
    // From now on every call to C0STORMY is throttled, for 2 s at a time.
    bot.slack.throttle_channel("C0STORMY", 2);
    bot.click_in("C0STORMY", "UBOB", &format!("approve:{a}"), "T3", &ts_a)
        .await;
    bot.click_in("C0CALM", "UBOB", &format!("approve:{b}"), "T4", &ts_b)
        .await;
    let calls = summary_and_final_card(&bot, b, &ts_b).await;
    assert_in_order(&thread(&calls, &ts_b), &{
        let mut notes = every_note(b);
        notes[0] = "Approved by slack:UBOB.".to_owned();
        notes
    });
    assert!(
        thread(&calls, &ts_a).is_empty(),
        "nothing reached the throttled channel's thread"
    );
    assert!(
        calls.iter().any(|c| c.method.ends_with("(429)")),
        "the storm was met"
    );
    // The storm passes; the throttled channel catches up, in order.
    bot.slack.unthrottle_channel("C0STORMY");
    bot.wait_state(a, |s| *s == JobState::Succeeded).await;
    let calls = summary_and_final_card(&bot, a, &ts_a).await;
    assert_in_order(&thread(&calls, &ts_a), &every_note(a));
    assert_checklist_complete(&calls, &ts_a);
}
