//! Discord as the story drives it: interactions signed with the test key
//! pair in, the fake REST API's calls read back.

use ed25519_dalek::SigningKey;
use privatelink_bot::domain::ids::JobId;
use privatelink_bot::domain::job::JobState;
use privatelink_bot::sandbox::Sandbox;
use serde_json::Value;

use crate::discord::{CHANNEL, DiscordBot, TOKEN, click, command};
use crate::harness::now;

/// A card: a message posted to the channel itself.
fn is_card(c: &crate::fake_discord::Call) -> bool {
    c.method == "POST" && c.path == format!("/channels/{CHANNEL}/messages")
}

#[async_trait::async_trait(?Send)]
impl super::UnderTest for DiscordBot {
    async fn start() -> Self {
        DiscordBot::start().await
    }

    fn requester(&self) -> &'static str {
        "111"
    }

    fn approver(&self) -> &'static str {
        "222"
    }

    fn app(&self) -> &privatelink_bot::app::App {
        &self.server.app
    }

    fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    async fn send_create(&self, user: &str, clusters: Option<&str>) -> (String, String) {
        let mut opts = self.create_options();
        if let Some(clusters) = clusters {
            for (name, value) in &mut opts {
                if name == "clusters" {
                    *value = clusters.to_owned();
                }
            }
        }
        let opts: Vec<(&str, &str)> = opts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let id = super::next_delivery().to_string();
        let r = self.post(&command(&id, user, "create", &opts)).await;
        assert_eq!(r.status(), 200);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["data"]["flags"], 64, "ephemeral: {body}");
        // Type 4 answers in the initial response; 5 defers to a follow-up.
        let said = match body["type"].as_u64() {
            Some(4) => body["data"]["content"].as_str().unwrap_or_default(),
            _ => "",
        };
        (said.to_owned(), id)
    }

    async fn private_answer(&self, delivery: &str) -> String {
        self.ephemeral_reply(delivery).await
    }

    fn private_answers(&self, delivery: &str) -> usize {
        let path = format!("token-{delivery}/messages/@original");
        self.discord
            .calls()
            .iter()
            .filter(|c| c.path.contains(&path))
            .count()
    }

    async fn card(&self, cards_before: usize) -> (String, JobId) {
        let calls = self
            .discord
            .wait_for("a new card", |c| {
                c.iter().filter(|c| is_card(c)).count() > cards_before
            })
            .await;
        let card = calls
            .iter()
            .filter(|c| is_card(c))
            .nth(cards_before)
            .unwrap();
        let text = card.body.to_string();
        let job = text
            .split("approve:")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap();
        // The fake numbers messages in order.
        let card_id = 900_000
            + calls
                .iter()
                .filter(|c| c.method == "POST" && c.path.ends_with("/messages"))
                .position(|c| c.body == card.body)
                .unwrap() as u64
            + 1;
        (card_id.to_string(), JobId::parse(job).unwrap())
    }

    fn cards(&self) -> usize {
        self.discord.calls().iter().filter(|c| is_card(c)).count()
    }

    async fn click(&self, user: &str, value: &str, card: &str, times: usize) -> String {
        let id = super::next_delivery().to_string();
        let interaction = click(&id, user, &[], value, card);
        for _ in 0..times {
            assert_eq!(self.post(&interaction).await.status(), 200);
        }
        id
    }

    async fn thread_when(&self, card: &str, text: &str) -> Vec<String> {
        let thread = |calls: &[crate::fake_discord::Call]| -> Vec<String> {
            calls
                .iter()
                .filter(|c| c.method == "POST" && c.path == format!("/channels/{card}/messages"))
                .map(|c| match c.body["content"].as_str() {
                    Some(content) if !content.is_empty() => content.to_owned(),
                    _ => c.body["embeds"].to_string(),
                })
                .collect()
        };
        let calls = self
            .discord
            .wait_for(text, |calls| thread(calls).iter().any(|t| t.contains(text)))
            .await;
        thread(&calls)
    }

    async fn card_when(&self, card: &str, text: &str) -> Value {
        let path = format!("/channels/{CHANNEL}/messages/{card}");
        let last = |calls: &[crate::fake_discord::Call]| {
            calls
                .iter()
                .rfind(|c| c.method == "PATCH" && c.path == path)
                .map(|c| c.body.clone())
        };
        let calls = self
            .discord
            .wait_for(text, |calls| {
                last(calls).is_some_and(|b| b.to_string().contains(text))
            })
            .await;
        last(&calls).unwrap()
    }

    fn has_buttons(&self, rendering: &Value) -> bool {
        rendering["components"]
            .as_array()
            .is_some_and(|rows| !rows.is_empty())
    }

    async fn forged(&self) -> Vec<(String, u16)> {
        let body = command("3001", "111", "help", &[]).to_string();
        let other = SigningKey::from_bytes(&[9u8; 32]);
        let ts = now();
        let good = self.signed_headers(&self.key, ts, &body);
        type Headers<'a> = Vec<(&'a str, String)>;
        let cases: Vec<(&str, Headers, String)> = vec![
            ("no headers", vec![], body.clone()),
            (
                "another key",
                self.signed_headers(&other, ts, &body),
                body.clone(),
            ),
            (
                "stale",
                self.signed_headers(&self.key, ts - 600, &body),
                body.clone(),
            ),
            ("altered body", good, body.replace("help", "list")),
            (
                "garbage signature",
                vec![
                    ("x-signature-ed25519", "zz".into()),
                    ("x-signature-timestamp", ts.to_string()),
                ],
                body.clone(),
            ),
        ];
        let mut tried = Vec::new();
        for (what, headers, b) in cases {
            let status = self.post_raw(&b, &headers).await.status().as_u16();
            tried.push((what.to_owned(), status));
        }
        tried
    }

    fn platform_calls(&self) -> usize {
        self.discord.calls().len()
    }

    fn rate_limit_next(&self) {
        self.discord.rate_limit_next(1);
    }

    fn was_rate_limited(&self) -> bool {
        self.discord
            .calls()
            .iter()
            .any(|c| c.method == "POST (429)")
    }

    async fn wait_state(&self, id: JobId, done: for<'s> fn(&'s JobState) -> bool) -> JobState {
        DiscordBot::wait_state(self, id, done).await
    }

    async fn finished_flow_facts(&self, card: &str, id: JobId) {
        let calls = self.discord.calls();
        let posted = calls.iter().find(|c| is_card(c)).unwrap();
        let embed = &posted.body["embeds"][0];
        assert!(
            embed.to_string().contains(&self.sandbox.network.vpc),
            "{embed}"
        );
        let buttons = posted.body["components"][0]["components"].to_string();
        assert!(
            buttons.contains(&format!("\"custom_id\":\"approve:{id}\""))
                && buttons.contains("\"style\":3")
                && buttons.contains("\"style\":4"),
            "{buttons}"
        );
        // The thread is started on the card, and the notes go into it.
        assert!(
            calls
                .iter()
                .any(|c| c.path == format!("/channels/{CHANNEL}/messages/{card}/threads"))
        );
        assert!(calls.iter().all(|c| !c.body.to_string().contains(TOKEN)));
    }
}
