//! One story, told on every chat platform: what any platform the bot
//! serves must do, written once and run against Slack and Discord (each
//! over its fake server, signed requests in, the bot's real client out).
//!
//! A platform takes part by implementing [`UnderTest`]: how to send a
//! create and a click, where the private answer and the thread are, what
//! its card looks like at the end, and which forged deliveries to try. What
//! only one platform has (Slack's form and user groups, Discord's roles
//! and command registration) stays in that platform's own test file.

use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use privatelink_bot::app::App;
use privatelink_bot::domain::ids::JobId;
use privatelink_bot::domain::job::JobState;
use privatelink_bot::sandbox::Sandbox;
use privatelink_bot::sandbox::fake_zilliz::Fault;
use serde_json::Value;

mod on_discord;
mod on_slack;

/// A chat platform as the story drives it.
#[async_trait(?Send)]
pub(crate) trait UnderTest: Sized {
    /// The bot on this platform over a fresh sandbox; `approver()` holds
    /// the approver right, `requester()` only the requester's.
    async fn start() -> Self;
    fn requester(&self) -> &'static str;
    fn approver(&self) -> &'static str;
    fn app(&self) -> &App;
    fn sandbox(&self) -> &Sandbox;
    /// A `create` with the sandbox's arguments (`clusters` replaced when
    /// given), as `user`; what the bot said at once (empty when the answer
    /// comes later) and the delivery it came in.
    async fn send_create(&self, user: &str, clusters: Option<&str>) -> (String, String);
    /// The private answer to `delivery`, once it arrives.
    async fn private_answer(&self, delivery: &str) -> String;
    /// How many private answers `delivery` got.
    fn private_answers(&self, delivery: &str) -> usize;
    /// Waits for the next card after `cards_before` cards: its id and job.
    async fn card(&self, cards_before: usize) -> (String, JobId);
    /// Cards posted so far.
    fn cards(&self) -> usize;
    /// Clicks `value` (`approve:PL-…`) on `card` as `user`, sending the
    /// same delivery `times` times; the delivery.
    async fn click(&self, user: &str, value: &str, card: &str, times: usize) -> String;
    /// The thread under `card` once a message in it contains `text`.
    async fn thread_when(&self, card: &str, text: &str) -> Vec<String>;
    /// The card's last rendering once it contains `text`.
    async fn card_when(&self, card: &str, text: &str) -> Value;
    /// Whether a rendering of the card carries buttons.
    fn has_buttons(&self, rendering: &Value) -> bool;
    /// Unsigned, stale and tampered deliveries, and the status each got.
    async fn forged(&self) -> Vec<(String, u16)>;
    /// Calls the bot made to the platform.
    fn platform_calls(&self) -> usize;
    /// The platform answers the bot's next post with a 429.
    fn rate_limit_next(&self);
    fn was_rate_limited(&self) -> bool;
    async fn wait_state(&self, id: JobId, done: for<'s> fn(&'s JobState) -> bool) -> JobState;
    /// What only this platform says about a finished flow (its card's
    /// buttons, where the thread lives, secrets absent from its calls).
    async fn finished_flow_facts(&self, card: &str, id: JobId);
}

/// Delivery ids unique across a test binary.
pub(crate) fn next_delivery() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(70_000);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Checks that the sandbox holds exactly one working link per cluster.
async fn verified<P: UnderTest>(p: &P) {
    p.sandbox()
        .end_state()
        .await
        .unwrap()
        .verify(&p.sandbox().hosts())
        .unwrap();
}

async fn create<P: UnderTest>(p: &P) -> (String, JobId, String) {
    let before = p.cards();
    let (_, delivery) = p.send_create(p.requester(), None).await;
    let (card, id) = p.card(before).await;
    (card, id, delivery)
}

async fn a_request_is_carded_decided_by_someone_else_and_told_in_its_thread<P: UnderTest>() {
    let p = P::start().await;
    let (card, id, delivery) = create(&p).await;
    let said = p.private_answer(&delivery).await;
    assert!(said.contains("waiting for approval"), "{said}");

    let mine = p
        .click(p.requester(), &format!("approve:{id}"), &card, 1)
        .await;
    let said = p.private_answer(&mine).await;
    assert!(said.contains("not an approver"), "{said}");
    assert_eq!(
        *p.app().store.get(id).await.unwrap().unwrap().state(),
        JobState::PendingApproval
    );

    let theirs = p
        .click(p.approver(), &format!("approve:{id}"), &card, 1)
        .await;
    assert!(p.private_answer(&theirs).await.contains("You approved"));
    assert_eq!(
        p.wait_state(id, |s| *s == JobState::Succeeded).await,
        JobState::Succeeded
    );
    let thread = p
        .thread_when(&card, &format!("{id} succeeded. Connect through"))
        .await;
    assert!(
        thread.iter().any(|t| t.contains("Approved by")),
        "{thread:?}"
    );
    let last = p.card_when(&card, "Succeeded").await;
    assert!(
        !p.has_buttons(&last),
        "a finished card keeps no buttons: {last}"
    );
    p.finished_flow_facts(&card, id).await;
    verified(&p).await;
}

async fn a_rejection_ends_a_request_and_a_failed_job_is_retried_from_its_thread<P: UnderTest>() {
    let p = P::start().await;
    let (card, first, _) = create(&p).await;
    let no = p
        .click(p.approver(), &format!("reject:{first}"), &card, 1)
        .await;
    assert_eq!(
        p.wait_state(first, |s| *s == JobState::Rejected).await,
        JobState::Rejected
    );
    assert!(p.private_answer(&no).await.contains("You rejected"));

    let (card, id, _) = create(&p).await;
    p.sandbox().zilliz.lock().faults.push_back(Fault {
        request_prefix: "GET /v2/clusters/".into(),
        status: 200,
        code: 90001,
        message: "internal error".into(),
        retry_after: None,
        after_effect: false,
    });
    p.click(p.approver(), &format!("approve:{id}"), &card, 1)
        .await;
    assert!(matches!(
        p.wait_state(id, |s| matches!(s, JobState::Failed { .. }))
            .await,
        JobState::Failed { .. }
    ));
    let thread = p.thread_when(&card, "90001").await;
    assert!(
        thread.iter().any(|t| t.contains("internal error")),
        "the failure says the provider's words: {thread:?}"
    );
    p.click(p.approver(), &format!("retry:{id}"), &card, 1)
        .await;
    assert_eq!(
        p.wait_state(id, |s| *s == JobState::Succeeded).await,
        JobState::Succeeded
    );
}

async fn forged_deliveries_get_401_and_change_nothing<P: UnderTest>() {
    let p = P::start().await;
    let tried = p.forged().await;
    assert!(tried.len() >= 4, "{tried:?}");
    for (what, status) in tried {
        assert_eq!(status, 401, "{what}");
    }
    assert!(p.app().store.all_jobs().await.unwrap().is_empty());
    assert!(p.app().store.audit_log(None).await.unwrap().is_empty());
    assert_eq!(p.platform_calls(), 0);
}

async fn a_repeated_click_has_one_effect_and_a_429_is_waited_out<P: UnderTest>() {
    let p = P::start().await;
    p.rate_limit_next();
    let (card, id, _) = create(&p).await;
    assert!(p.was_rate_limited(), "the fake answered 429 once");
    let click = p
        .click(p.approver(), &format!("approve:{id}"), &card, 3)
        .await;
    assert_eq!(
        p.wait_state(id, |s| *s == JobState::Succeeded).await,
        JobState::Succeeded
    );
    assert!(p.private_answer(&click).await.contains("You approved"));
    let approvals = p
        .app()
        .store
        .audit_log(Some(id))
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action.word() == "approve")
        .count();
    assert_eq!(approvals, 1);
    assert_eq!(p.private_answers(&click), 1, "answered once");
    verified(&p).await;
}

async fn a_non_ascii_cluster_id_is_a_field_error_said_at_once<P: UnderTest>() {
    let p = P::start().await;
    let (said, _) = p.send_create(p.requester(), Some("aé1-x")).await;
    assert!(
        said.contains("`clusters`: \"aé1-x\" is not a Zilliz Cloud cluster id"),
        "{said}"
    );
    assert!(p.app().store.all_jobs().await.unwrap().is_empty());
    assert_eq!(p.cards(), 0);
}

/// Each story, once per platform: `slack::<story>` and `discord::<story>`.
macro_rules! told_on_every_platform {
    ($($story:ident),* $(,)?) => {
        mod slack {
            $(#[tokio::test]
            async fn $story() {
                super::$story::<crate::slack_bot::SlackBot>().await
            })*
        }
        mod discord {
            $(#[tokio::test]
            async fn $story() {
                super::$story::<crate::discord::DiscordBot>().await
            })*
        }
    };
}

told_on_every_platform!(
    a_request_is_carded_decided_by_someone_else_and_told_in_its_thread,
    a_rejection_ends_a_request_and_a_failed_job_is_retried_from_its_thread,
    forged_deliveries_get_401_and_change_nothing,
    a_repeated_click_has_one_effect_and_a_429_is_waited_out,
    a_non_ascii_cluster_id_is_a_field_error_said_at_once,
);
