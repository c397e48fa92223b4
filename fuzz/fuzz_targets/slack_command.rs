//! Slack's slash-command form (`application/x-www-form-urlencoded`), as
//! signed requests deliver it, through the adapter's conversion.
#![no_main]

use libfuzzer_sys::fuzz_target;
use privatelink_bot::chat::slack::inbound::from_command;
use slack_morphism::prelude::SlackCommandEvent;

fuzz_target!(|data: &[u8]| {
    if let Ok(event) = serde_urlencoded::from_bytes::<SlackCommandEvent>(data) {
        if let Ok(inbound) = from_command(&event, privatelink_bot::i18n::Locale::En) {
            if let privatelink_bot::service::Event::Command(text) = inbound.event {
                let _ = privatelink_bot::domain::command::parse(&text);
            }
        }
    }
});
