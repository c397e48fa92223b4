//! A Slack thread as a person reads it, from the fake's recorded calls:
//! the new messages under a card, the progress checklist as it stands, and
//! the notes a one-cluster job posts.

use privatelink_bot::domain::ids::JobId;
use privatelink_bot::domain::job::Step;

use crate::fake_slack::Call;
use crate::slack_bot::SlackBot;

/// The new messages posted in the thread of the card at `ts`, in order.
pub fn thread(calls: &[Call], ts: &str) -> Vec<String> {
    calls
        .iter()
        .filter(|c| c.method == "chat.postMessage" && c.body["thread_ts"] == ts)
        .map(|c| c.body["text"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The progress checklist in the thread of the card at `ts` as Slack shows
/// it now (posted, then edited in place), and how many edits it took.
pub fn checklist(calls: &[Call], ts: &str) -> (String, usize) {
    // The fake numbers messages by the order of successful posts.
    let posts: Vec<&Call> = calls
        .iter()
        .filter(|c| c.method == "chat.postMessage")
        .collect();
    let Some(n) = posts.iter().position(|c| {
        c.body["thread_ts"] == ts
            && c.body["text"]
                .as_str()
                .is_some_and(|t| t.starts_with("Steps of"))
    }) else {
        return (String::new(), 0);
    };
    let at = format!("1700000000.{:06}", n + 1);
    let edits: Vec<&Call> = calls
        .iter()
        .filter(|c| c.method == "chat.update" && c.body["ts"] == at.as_str())
        .collect();
    let text = edits.last().copied().unwrap_or(posts[n]).body["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    (text, edits.len())
}

/// Checks that the checklist at `ts` ended complete: every step done.
pub fn assert_checklist_complete(calls: &[Call], ts: &str) {
    let (text, _) = checklist(calls, ts);
    assert!(text.contains("8 of 8 done"), "{text}");
    for step in Step::ALL {
        assert!(text.contains(&format!("✔ step {step}")), "{text}");
    }
}

/// The new messages a one-cluster job posts from approval to success, in
/// order: the decision, the checklist (edited from then on), the summary.
pub fn every_note(id: JobId) -> Vec<String> {
    vec![
        "Approved by slack:UBOB.".to_owned(),
        format!("Steps of {id}"),
        format!("{id} succeeded"),
    ]
}

/// Checks that `thread` is exactly `expected`, in order, by prefix.
pub fn assert_in_order(thread: &[String], expected: &[String]) {
    assert_eq!(
        thread.len(),
        expected.len(),
        "every note once, no more: {thread:#?}"
    );
    for (got, want) in thread.iter().zip(expected) {
        let ok = got.starts_with(want.as_str()) || got.contains(want.as_str());
        assert!(ok, "{want:?} expected, got {got:?} in {thread:#?}");
    }
}

/// A job created by UALICE and approved by UBOB: its card's ts and id.
pub async fn approved_job(bot: &SlackBot) -> (String, JobId) {
    assert_eq!(bot.command("UALICE", &bot.create_args(), "T1").await, 200);
    let (ts, id) = bot.card().await;
    assert_eq!(
        bot.click("UBOB", &format!("approve:{id}"), "T2", &ts).await,
        200
    );
    (ts, id)
}
