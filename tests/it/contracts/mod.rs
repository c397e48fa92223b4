//! Contracts: what each fake must do, as its service documents it, checked
//! on the wire and apart from the bot, so that a fake cannot quietly drift
//! kinder again. One test per fake; each line is a documented behaviour
//! (refusals, delays, pages, errors no retry cures), not only the happy
//! path. The bot's own tests then run against fakes that keep these.

use serde_json::Value;

mod aws;
mod chat;
mod zilliz;

/// An HTTP answer's JSON body (the fakes always send one).
pub(crate) trait JsonAnswer {
    async fn json_answer(self) -> Value;
}

impl JsonAnswer for reqwest::Result<reqwest::Response> {
    async fn json_answer(self) -> Value {
        self.expect("answer").json().await.expect("json")
    }
}
