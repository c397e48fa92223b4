//! Slack as the story drives it: signed slash commands and clicks in,
//! the fake Web API's calls read back.

use privatelink_bot::domain::ids::JobId;
use privatelink_bot::domain::job::JobState;
use privatelink_bot::sandbox::Sandbox;

use crate::fake_slack::{Call, is_card};
use crate::harness::now;
use crate::slack_bot::{SIGNING, SlackBot, TOKEN, sign};

#[async_trait::async_trait(?Send)]
impl super::UnderTest for SlackBot {
    async fn start() -> Self {
        SlackBot::start().await
    }

    fn requester(&self) -> &'static str {
        "UALICE"
    }

    fn approver(&self) -> &'static str {
        "UBOB"
    }

    fn app(&self) -> &privatelink_bot::app::App {
        &self.server().app
    }

    fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    async fn send_create(&self, user: &str, clusters: Option<&str>) -> (String, String) {
        let mut line = format!("{} ", self.create_args());
        if let Some(clusters) = clusters {
            line = line.replace(
                "clusters=in01-sandbox0001 ",
                &format!("clusters={clusters} "),
            );
        }
        let trigger = format!("T{}", super::next_delivery());
        let (status, said) = self.command_answer(user, line.trim(), &trigger).await;
        assert_eq!(status, 200);
        (said, trigger)
    }

    async fn private_answer(&self, delivery: &str) -> String {
        self.ephemeral(delivery).await
    }

    fn private_answers(&self, delivery: &str) -> usize {
        let key = format!("response_url/{delivery}");
        self.slack
            .calls()
            .iter()
            .filter(|c| c.method == key)
            .count()
    }

    async fn card(&self, cards_before: usize) -> (String, JobId) {
        let calls = self
            .slack
            .wait_for("a new card", |c| {
                c.iter().filter(|c| is_card(c)).count() > cards_before
            })
            .await;
        let n = calls
            .iter()
            .enumerate()
            .filter(|(_, c)| is_card(c))
            .nth(cards_before)
            .map(|(n, _)| n)
            .unwrap();
        // The fake hands out ts values in the order of successful posts.
        let posts_before = calls[..n]
            .iter()
            .filter(|c| c.method == "chat.postMessage")
            .count();
        let blocks = calls[n].body["blocks"].to_string();
        let id = blocks
            .split("approve:")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap();
        (
            format!("1700000000.{:06}", posts_before + 1),
            JobId::parse(id).unwrap(),
        )
    }

    fn cards(&self) -> usize {
        self.slack.calls().iter().filter(|c| is_card(c)).count()
    }

    async fn click(&self, user: &str, value: &str, card: &str, times: usize) -> String {
        let trigger = format!("T{}", super::next_delivery());
        let body = self.click_body(user, value, &trigger, card);
        for _ in 0..times {
            assert_eq!(self.post_signed("/slack/interactions", &body).await, 200);
        }
        trigger
    }

    async fn thread_when(&self, card: &str, text: &str) -> Vec<String> {
        let calls = self
            .slack
            .wait_for(text, |calls| {
                crate::outbox::thread(calls, card)
                    .iter()
                    .any(|t| t.contains(text))
            })
            .await;
        crate::outbox::thread(&calls, card)
    }

    async fn card_when(&self, card: &str, text: &str) -> serde_json::Value {
        let last = |calls: &[Call]| {
            calls
                .iter()
                .rfind(|c| c.method == "chat.update" && c.body["ts"] == card)
                .map(|c| c.body.clone())
        };
        let calls = self
            .slack
            .wait_for(text, |calls| {
                last(calls).is_some_and(|b| b.to_string().contains(text))
            })
            .await;
        last(&calls).unwrap()
    }

    fn has_buttons(&self, rendering: &serde_json::Value) -> bool {
        rendering.to_string().contains("\"actions\"")
    }

    async fn forged(&self) -> Vec<(String, u16)> {
        let body = serde_urlencoded::to_string([
            ("team_id", "T0"),
            ("channel_id", "C0"),
            ("user_id", "UALICE"),
            ("command", "/privatelink"),
            ("text", "help"),
            ("response_url", "http://127.0.0.1:9/r"),
            ("trigger_id", "T1"),
        ])
        .unwrap();
        let ts = now();
        let stamp = |at: i64| ("x-slack-request-timestamp", at.to_string());
        let signed = |secret: &str, at: i64, b: &str| ("x-slack-signature", sign(secret, at, b));
        type Headers<'a> = Vec<(&'a str, String)>;
        let cases: Vec<(&str, Headers, String)> = vec![
            ("no headers", vec![], body.clone()),
            ("no signature", vec![stamp(ts)], body.clone()),
            (
                "wrong secret",
                vec![stamp(ts), signed("other", ts, &body)],
                body.clone(),
            ),
            (
                "stale",
                vec![stamp(ts - 600), signed(SIGNING, ts - 600, &body)],
                body.clone(),
            ),
            (
                "altered body",
                vec![stamp(ts), signed(SIGNING, ts, &body)],
                body.replace("help", "create"),
            ),
        ];
        let mut tried = Vec::new();
        for (what, headers, b) in cases {
            for path in ["/slack/commands", "/slack/interactions"] {
                let status = self.post_raw(path, &b, &headers).await;
                tried.push((format!("{what} on {path}"), status.as_u16()));
            }
        }
        tried
    }

    fn platform_calls(&self) -> usize {
        self.slack.calls().len()
    }

    fn rate_limit_next(&self) {
        self.slack.rate_limit_next(1);
    }

    fn was_rate_limited(&self) -> bool {
        self.slack
            .calls()
            .iter()
            .any(|c| c.method == "chat.postMessage (429)")
    }

    async fn wait_state(&self, id: JobId, done: for<'s> fn(&'s JobState) -> bool) -> JobState {
        SlackBot::wait_state(self, id, done).await
    }

    async fn finished_flow_facts(&self, card: &str, id: JobId) {
        let calls = self.slack.calls();
        let posted = calls.iter().find(|c| is_card(c)).unwrap();
        assert_eq!(posted.body["channel"], "C0PLATFORM");
        let blocks = posted.body["blocks"].to_string();
        assert!(
            blocks.contains(&self.sandbox.network.vpc)
                && blocks.contains("\"style\":\"primary\"")
                && blocks.contains("\"confirm\""),
            "{blocks}"
        );
        // New messages only for what a person must notice: the decision,
        // the checklist (posted on approval, edited in place), the summary.
        let thread = crate::outbox::thread(&calls, card);
        crate::outbox::assert_in_order(&thread, &crate::outbox::every_note(id));
        crate::outbox::assert_checklist_complete(&calls, card);
        let (_, edits) = crate::outbox::checklist(&calls, card);
        let updates = calls
            .iter()
            .filter(|c| c.method == "chat.update" && c.body["ts"] == card)
            .count();
        assert!(
            updates <= edits + 1,
            "the card is edited at most as often as the checklist: {updates} card updates, {edits} checklist edits"
        );
        let summary = calls
            .iter()
            .rfind(|c| c.method == "chat.postMessage" && c.body["thread_ts"] == card)
            .unwrap();
        assert!(
            summary.body["blocks"].to_string().contains("<@UALICE> ✅"),
            "the summary is the last message and mentions the requester: {}",
            summary.body
        );
        // No call ever carried the token in its body.
        assert!(calls.iter().all(|c| !c.body.to_string().contains(TOKEN)));
    }
}
