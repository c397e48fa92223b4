//! Discord's typed command options, turned into grammar text and parsed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use privatelink_bot::chat::discord::command::to_text;
use serenity::all::CommandData;

fuzz_target!(|data: &[u8]| {
    if let Ok(options) = serde_json::from_slice::<CommandData>(data) {
        if let Ok(text) = to_text(&options) {
            let _ = privatelink_bot::domain::command::parse(&text);
        }
    }
});
