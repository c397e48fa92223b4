//! The command grammar: any bytes, as text, parse to a command or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use privatelink_bot::domain::command::parse;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = parse(&text);
});
