//! Finds English showing through a translation: the words of a text that
//! only the English catalogue has. Tests run every rendered Slack block,
//! Discord embed and console line of a zh-CN job through it, so a word
//! written by hand in a renderer (`*Plan*`) cannot hide.

use std::collections::BTreeSet;
use std::sync::OnceLock;

/// Alphabetic words of three letters or more, lower-cased; tokens with
/// digits, dots, dashes or colons (ids, hosts, addresses) are data.
fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || "-_.:/{}$".contains(c)))
        .filter(|t| t.len() >= 3 && t.chars().all(|c| c.is_ascii_alphabetic()))
        .map(str::to_ascii_lowercase)
        .collect()
}

/// The words of a catalogue's messages, placeables and keys left out.
fn catalogue_words(source: &str) -> BTreeSet<String> {
    source
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once(" = ").map(|(_, v)| v))
        .flat_map(|v| {
            let mut out = String::new();
            let mut depth = 0u32;
            for c in v.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth = depth.saturating_sub(1),
                    _ if depth == 0 => out.push(c),
                    _ => out.push(' '),
                }
            }
            words(&out)
        })
        .collect()
}

/// The strings a person sees in a rendered message (Block Kit, a Discord
/// message or embed, as JSON): the values of the fields platforms show, one
/// per line; keys, ids and styles are left out.
pub fn shown_text(message: &serde_json::Value) -> String {
    const SHOWN: [&str; 7] = [
        "text",
        "title",
        "description",
        "name",
        "value",
        "label",
        "content",
    ];
    fn walk(v: &serde_json::Value, out: &mut String) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    match v {
                        serde_json::Value::String(s) if SHOWN.contains(&k.as_str()) => {
                            out.push_str(s);
                            out.push('\n');
                        }
                        other => walk(other, out),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    let mut out = String::new();
    walk(message, &mut out);
    out
}

/// Words the English catalogue uses and the Chinese one does not.
pub fn english_only() -> &'static BTreeSet<String> {
    static WORDS: OnceLock<BTreeSet<String>> = OnceLock::new();
    WORDS.get_or_init(|| {
        let en = catalogue_words(super::Locale::En.source());
        let zh = catalogue_words(super::Locale::ZhCn.source());
        en.difference(&zh).cloned().collect()
    })
}

/// The English-only words in `text`, sorted, once each.
pub fn english_leaks(text: &str) -> Vec<String> {
    let english = english_only();
    words(text)
        .into_iter()
        .filter(|w| english.contains(w))
        .collect()
}
