//! Threads people read, over the fake Slack: a job's progress is one
//! checklist message edited in place, jobs sharing a channel take turns,
//! and a crash between two edits still ends with the list complete and
//! posted once.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use privatelink_bot::domain::ids::JobId;
use privatelink_bot::domain::job::{JobState, Step};
use privatelink_bot::engine::{HookPoint, StepHook};
use privatelink_bot::sandbox::fixtures::{self, NetworkShape};
use privatelink_bot::sandbox::{PROJECT, REGION, ZILLIZ_REGION};

use crate::fake_slack::{Call, Outage};
use crate::outbox::{
    approved_job, assert_checklist_complete, assert_in_order, checklist, every_note, thread,
};
use crate::slack_bot::SlackBot;

const JOBS: usize = 3;

fn quick_delivery(c: &mut privatelink_bot::config::Config) {
    c.delivery.backoff_initial = Duration::from_millis(20);
    c.delivery.backoff_max = Duration::from_millis(200);
}

/// The position among `calls` of the summary posted under `ts`.
fn summary_at(calls: &[Call], ts: &str, id: JobId) -> Option<usize> {
    let summary = format!("{id} succeeded");
    calls.iter().position(|c| {
        c.method == "chat.postMessage"
            && c.body["thread_ts"] == ts
            && c.body["text"]
                .as_str()
                .is_some_and(|t| t.contains(&summary))
    })
}

/// Waits until job `id` succeeded and everything it said is in Slack.
async fn delivered_to_the_end(bot: &SlackBot, ts: &str, id: JobId) -> Vec<Call> {
    assert_eq!(
        bot.wait_state(id, |s| *s == JobState::Succeeded).await,
        JobState::Succeeded
    );
    bot.slack
        .wait_for("the summary", |c| summary_at(c, ts, id).is_some())
        .await;
    bot.server().app.delivery.settled().await;
    bot.slack.calls()
}

#[tokio::test]
async fn three_jobs_in_one_channel_finish_delivering_together_in_few_messages() {
    let bot = SlackBot::start_full(&["slack:UBOB"], quick_delivery, None).await;
    let cards = three_cards(&bot).await;
    // Slack is away while the three jobs run: all they have to say waits,
    // and comes out at once when it is back, paced for the one channel.
    let outage = bot.slack.outage();
    outage.down(Outage::Status500, &[]);
    for (i, (ts, id)) in cards.iter().enumerate() {
        bot.click("UBOB", &format!("approve:{id}"), &format!("A{i}"), ts)
            .await;
    }
    for (_, id) in &cards {
        assert_eq!(
            bot.wait_state(*id, |s| *s == JobState::Succeeded).await,
            JobState::Succeeded
        );
    }
    let before = bot.slack.calls().len();
    outage.up();
    let calls = bot
        .slack
        .wait_for("every summary", |c| {
            cards
                .iter()
                .all(|(ts, id)| summary_at(c, ts, *id).is_some())
        })
        .await;
    for (ts, id) in &cards {
        assert_in_order(&thread(&calls, ts), &every_note(*id));
        assert_checklist_complete(&calls, ts);
    }
    // Taking turns, the three summaries are among the last deliveries,
    // within a round of each other; one after another they would be a
    // whole job's messages apart.
    let delivered: Vec<&Call> = calls[before..]
        .iter()
        .filter(|c| c.method == "chat.postMessage" || c.method == "chat.update")
        .collect();
    let at = summaries_at(&delivered, &cards);
    let spread = at.iter().max().unwrap() - at.iter().min().unwrap();
    assert!(
        spread < JOBS + 1,
        "summaries at deliveries {at:?} of {}: the jobs did not take turns",
        delivered.len()
    );
    // Each job's messages: its card, the decision, the checklist and the
    // summary; the edits collapsed while Slack was away.
    assert!(
        delivered.len() <= JOBS * 5,
        "{} deliveries for {JOBS} jobs",
        delivered.len()
    );
}

/// Three jobs created in one channel, each with its card posted: the
/// cards' ts (the fake numbers messages by the order of successful posts)
/// and jobs.
async fn three_cards(bot: &SlackBot) -> Vec<(String, JobId)> {
    let mut cards: Vec<(String, JobId)> = Vec::new();
    for i in 0..JOBS {
        let n = u8::try_from(40 + i).expect("octet");
        let net = fixtures::customer_network(&bot.sandbox.aws, REGION, n, NetworkShape::default())
            .await
            .expect("a VPC");
        let args = format!(
            "create project={PROJECT} region={ZILLIZ_REGION} vpc={} subnets={} sg={} clusters={}",
            net.vpc,
            net.subnets.join(","),
            net.security_group,
            bot.sandbox.clusters.join(",")
        );
        let trigger = format!("T{i}");
        assert_eq!(bot.command("UALICE", &args, &trigger).await, 200);
        let calls = bot
            .slack
            .wait_for("the card", |c| {
                c.iter()
                    .filter(|c| c.method == "chat.postMessage" && c.body["thread_ts"].is_null())
                    .count()
                    > i
            })
            .await;
        let n = calls
            .iter()
            .filter(|c| c.method == "chat.postMessage")
            .count();
        cards.push((
            format!("1700000000.{n:06}"),
            JobId::new(1000 + u64::try_from(i).expect("index")),
        ));
    }
    cards
}

/// Where among the deliveries each job's summary went.
fn summaries_at(delivered: &[&Call], cards: &[(String, JobId)]) -> Vec<usize> {
    cards
        .iter()
        .map(|(ts, id)| {
            let summary = format!("{id} succeeded");
            delivered
                .iter()
                .position(|c| {
                    c.body["thread_ts"] == ts.as_str()
                        && c.body["text"]
                            .as_str()
                            .is_some_and(|t| t.contains(&summary))
                })
                .expect("the summary was delivered after the outage")
        })
        .collect()
}

/// Holds every job at the start of step 6, for good: the process is
/// crashed while it waits there.
struct HoldAtStep6;

#[async_trait]
impl StepHook for HoldAtStep6 {
    async fn at(&self, _job: JobId, step: Step, point: HookPoint) {
        if step == Step::EnsureZones && point == HookPoint::Started {
            std::future::pending::<()>().await;
        }
    }
}

#[tokio::test]
async fn a_crash_between_two_checklist_edits_still_ends_with_the_list_complete_and_posted_once() {
    let mut bot =
        SlackBot::start_full(&["slack:UBOB"], quick_delivery, Some(Arc::new(HoldAtStep6))).await;
    let (ts, id) = approved_job(&bot).await;
    // The checklist is up and has been edited up to step 6 running.
    bot.slack
        .wait_for("the checklist at step 6", |calls| {
            let (text, edits) = checklist(calls, &ts);
            edits > 0 && text.contains("▶ step 6/8")
        })
        .await;
    bot.crash_and_restart().await;
    let calls = delivered_to_the_end(&bot, &ts, id).await;
    assert_in_order(&thread(&calls, &ts), &every_note(id));
    assert_checklist_complete(&calls, &ts);
}

#[tokio::test]
async fn a_long_wait_is_one_note_edited_as_it_goes_on_not_a_note_a_minute() {
    let bot = SlackBot::start_full(
        &["slack:UBOB"],
        |c| {
            quick_delivery(c);
            c.engine.progress_every = Duration::from_millis(100);
            c.engine.backoff_max = Duration::from_millis(60);
        },
        None,
    )
    .await;
    // Zilliz accepts only when the test says so.
    bot.sandbox.zilliz.lock().accept_after_reads = u32::MAX;
    let (ts, id) = approved_job(&bot).await;
    let at_step_4 = |c: &Call| {
        c.method == "chat.postMessage"
            && c.body["text"]
                .as_str()
                .is_some_and(|t| t.starts_with("… still waiting at step 4/8"))
    };
    // The wait's note goes up once, then is edited as the wait goes on.
    let calls = bot
        .slack
        .wait_for("the acceptance wait's note", |c| c.iter().any(at_step_4))
        .await;
    let n = calls
        .iter()
        .filter(|c| c.method == "chat.postMessage")
        .position(at_step_4)
        .expect("the acceptance wait's note");
    let note_ts = format!("1700000000.{:06}", n + 1);
    bot.slack
        .wait_for("an edit of the wait's note", |c| {
            c.iter()
                .any(|c| c.method == "chat.update" && c.body["ts"] == note_ts.as_str())
        })
        .await;
    bot.sandbox.zilliz.lock().accept_all();
    let calls = delivered_to_the_end(&bot, &ts, id).await;
    // Besides the decision, the checklist and the summary, one note per
    // wait that went on (the acceptance's, and any other), never two.
    let posted = thread(&calls, &ts);
    let (waits, others): (Vec<String>, Vec<String>) = posted
        .into_iter()
        .partition(|t| t.starts_with("… still waiting"));
    assert_in_order(&others, &every_note(id));
    for step in Step::ALL {
        let at_step = format!("… still waiting at step {}/8", step.number());
        let n = waits.iter().filter(|t| t.starts_with(&at_step)).count();
        assert!(n <= 1, "{n} notes for one wait: {waits:#?}");
    }
    assert_checklist_complete(&calls, &ts);
}

/// Holds every job at the start of step 6 until the test lets it go.
struct GateAtStep6(Arc<tokio::sync::Semaphore>);

#[async_trait]
impl StepHook for GateAtStep6 {
    async fn at(&self, _job: JobId, step: Step, point: HookPoint) {
        if step == Step::EnsureZones && point == HookPoint::Started {
            let _ = self.0.acquire().await;
        }
    }
}

#[tokio::test]
async fn a_checklist_someone_deleted_is_posted_afresh_and_ends_complete() {
    let gate = Arc::new(tokio::sync::Semaphore::new(0));
    let bot = SlackBot::start_full(
        &["slack:UBOB"],
        quick_delivery,
        Some(Arc::new(GateAtStep6(gate.clone()))),
    )
    .await;
    let (ts, id) = approved_job(&bot).await;
    let calls = bot
        .slack
        .wait_for("the checklist at step 6", |calls| {
            checklist(calls, &ts).0.contains("▶ step 6/8")
        })
        .await;
    let posts: Vec<&Call> = calls
        .iter()
        .filter(|c| c.method == "chat.postMessage")
        .collect();
    let n = posts
        .iter()
        .position(|c| {
            c.body["text"]
                .as_str()
                .is_some_and(|t| t.starts_with("Steps of"))
        })
        .expect("the checklist");
    bot.slack
        .delete_message(&format!("1700000000.{:06}", n + 1));
    gate.add_permits(1);
    let calls = delivered_to_the_end(&bot, &ts, id).await;
    assert!(
        calls
            .iter()
            .any(|c| c.method == "chat.update (message_not_found)"),
        "the edit met the deleted message"
    );
    let lists: Vec<String> = thread(&calls, &ts)
        .into_iter()
        .filter(|t| t.starts_with("Steps of"))
        .collect();
    assert_eq!(lists.len(), 2, "posted afresh once: {lists:#?}");
    // The fresh one is edited to the end.
    let fresh = calls
        .iter()
        .filter(|c| c.method == "chat.postMessage")
        .enumerate()
        .filter(|(_, c)| {
            c.body["text"]
                .as_str()
                .is_some_and(|t| t.starts_with("Steps of"))
        })
        .map(|(i, _)| format!("1700000000.{:06}", i + 1))
        .last()
        .expect("the fresh checklist");
    let last = calls
        .iter()
        .rev()
        .find(|c| {
            (c.method == "chat.update" && c.body["ts"] == fresh.as_str())
                || (c.method == "chat.postMessage"
                    && c.body["text"]
                        .as_str()
                        .is_some_and(|t| t.starts_with("Steps of")))
        })
        .and_then(|c| c.body["text"].as_str())
        .unwrap_or_default();
    assert!(last.contains("8 of 8 done"), "{last}");
}
