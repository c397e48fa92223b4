//! Discord's interactions, as the HTTP endpoint and the gateway receive
//! them, through the shared conversion.
#![no_main]

use libfuzzer_sys::fuzz_target;
use privatelink_bot::chat::discord::inbound::{Asked, from_interaction};
use serenity::all::Interaction;

fuzz_target!(|data: &[u8]| {
    if let Ok(interaction) = serde_json::from_slice::<Interaction>(data) {
        if let Ok(Asked::Event { inbound, .. }) = from_interaction(&interaction, privatelink_bot::i18n::Locale::En) {
            if let privatelink_bot::service::Event::Command(text) = inbound.event {
                let _ = privatelink_bot::domain::command::parse(&text);
            }
        }
    }
});
