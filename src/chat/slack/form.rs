//! Slack's create form (a modal): opened by `/privatelink create` with no
//! arguments, its fields turned back into a grammar line on submission, so
//! the core parser judges it and its errors go back beside the fields.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Value, json};
use slack_morphism::prelude::*;

use super::inbound::{ReplyTo, SlackHandler, actor, conversation};
use super::sink::with_retry;
use crate::chat::intake::Taken;
use crate::domain::command;
use crate::domain::field::Field;
use crate::i18n::Locale;
use crate::service::{Event, Inbound};
use crate::t;

/// The modal's callback id; its inputs are `Field::ALL` (block id = the
/// field's name in the grammar).
pub(super) const MODAL: &str = "privatelink_create";
/// The create form's fields as a grammar line (`create project=… …`):
/// whatever the submission holds, the core parser judges it.
pub fn form_text(submission: &Value) -> String {
    let values = &submission["view"]["state"]["values"];
    let mut text = String::from("create");
    for field in Field::ALL.map(Field::name) {
        let value = values[field]["value"]["value"]
            .as_str()
            .unwrap_or_default()
            .trim();
        if !value.is_empty() {
            text.push_str(&format!(
                " {field}={}",
                value.split_whitespace().collect::<String>()
            ));
        }
    }
    text
}

impl SlackHandler {
    /// A submitted form: field errors go back onto the form at once (the
    /// core's parser names the fields); a valid one closes the form and runs
    /// the same path as the typed command.
    pub(super) async fn submit_modal(self: &Arc<Self>, raw: &Value) -> Option<Value> {
        let text = form_text(raw);
        let team = raw["team"]["id"]
            .as_str()
            .or_else(|| raw["user"]["team_id"].as_str())
            .unwrap_or_default();
        let locale = self.languages.of(team);
        if let Err(e) = command::parse(&text) {
            let mut errors = BTreeMap::new();
            for p in &e.problems {
                let field = p.field.as_deref().unwrap_or(Field::Project.name());
                errors
                    .entry(field.to_owned())
                    .or_insert_with(|| p.message.render(locale));
            }
            return Some(json!({ "response_action": "errors", "errors": errors }));
        }
        let user = raw["user"]["id"].as_str().unwrap_or_default().to_owned();
        let channel = raw["view"]["private_metadata"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let view = raw["view"]["id"].as_str().unwrap_or_default();
        let (actor, conversation) = match (actor(&user), conversation(&channel)) {
            (Ok(a), Ok(c)) => (a, c),
            (Err(e), _) | (_, Err(e)) => {
                tracing::warn!(error = %e, "a form submission the bot cannot attribute; ignored");
                return None;
            }
        };
        let inbound = Inbound {
            actor,
            conversation,
            delivery: Some(format!("slack:view:{view}")),
            event: Event::Command(text),
            locale,
            card_locale: locale,
        };
        let reply = ReplyTo::Ephemeral { channel, user };
        match self.take(inbound, reply.clone()).await {
            Taken::Now(answer) => {
                self.say_later(reply, answer, locale);
                None
            }
            // The form stays open with the reason, so nothing typed is lost.
            Taken::Busy(busy) => {
                let errors =
                    serde_json::Map::from_iter([(Field::Project.name().to_owned(), json!(busy))]);
                Some(json!({ "response_action": "errors", "errors": errors }))
            }
            Taken::Later => None,
        }
    }

    pub(super) async fn open_modal(
        &self,
        trigger: SlackTriggerId,
        channel: String,
        reply: ReplyTo,
        locale: Locale,
    ) {
        let blocks: Vec<Value> = Field::ALL
            .iter()
            .map(|field| {
                json!({
                    "type": "input",
                    "block_id": field.name(),
                    "optional": !field.required(),
                    "label": { "type": "plain_text", "text": crate::i18n::render(locale, field.label(), &[]) },
                    "element": { "type": "plain_text_input", "action_id": "value", "placeholder": { "type": "plain_text", "text": field.example() } },
                })
            })
            .collect();
        let view = json!({
            "type": "modal",
            "callback_id": MODAL,
            "private_metadata": channel,
            "title": { "type": "plain_text", "text": t!(locale, "form-title") },
            "submit": { "type": "plain_text", "text": t!(locale, "form-submit") },
            "close": { "type": "plain_text", "text": t!(locale, "form-close") },
            "blocks": blocks,
        });
        let view: SlackView = match serde_json::from_value(view) {
            Ok(v) => v,
            Err(e) => {
                tracing::error!(error = %e, "the create form did not match Slack's view model");
                return;
            }
        };
        let session = self.client.open_session(&self.token);
        let request = SlackApiViewsOpenRequest::new(trigger, view);
        if let Err(e) = with_retry("views.open", || session.views_open(&request)).await {
            tracing::warn!(error = %e, "could not open the create form");
            self.answer(
                &reply,
                &t!(
                    locale,
                    "form-failed",
                    error = e,
                    usage = crate::domain::help::USAGE_CREATE
                ),
            )
            .await;
        }
    }
}
