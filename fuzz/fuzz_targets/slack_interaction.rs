//! Slack's interaction payloads (the JSON in `payload=`): button clicks and
//! the create form's submission, through the adapter's conversions.
#![no_main]

use libfuzzer_sys::fuzz_target;
use privatelink_bot::chat::slack::inbound::{form_text, from_block_actions};
use slack_morphism::prelude::SlackInteractionEvent;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let _ = privatelink_bot::domain::command::parse(&form_text(&raw));
    if let Ok(SlackInteractionEvent::BlockActions(ev)) = serde_json::from_value(raw) {
        let _ = from_block_actions(&ev, privatelink_bot::i18n::Locale::En);
    }
});
