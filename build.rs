//! Reads the message catalogues at build time and writes the list of their
//! keys, so that `t!` and `text!` refuse at compile time a key that no
//! catalogue holds (`i18n::has_key`). A catalogue whose keys differ from
//! English's fails the build here, naming the keys.

use std::collections::BTreeSet;
use std::path::Path;

const CATALOGUES: [&str; 2] = ["locales/en/bot.ftl", "locales/zh-CN/bot.ftl"];

/// The ids of a Fluent file's messages: lines that start with an
/// identifier followed by `=` (terms start with `-`, comments with `#`,
/// continuation lines with a space).
fn keys(source: &str) -> BTreeSet<String> {
    source
        .lines()
        .filter_map(|line| {
            let (id, _) = line.split_once('=')?;
            let id = id.trim_end();
            let mut chars = id.chars();
            let first = chars.next()?;
            (first.is_ascii_alphabetic()
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .then(|| id.to_owned())
        })
        .collect()
}

fn main() {
    let mut all: Vec<(&str, BTreeSet<String>)> = Vec::new();
    for path in CATALOGUES {
        println!("cargo::rerun-if-changed={path}");
        let source = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("cannot read the catalogue {path}: {e}"));
        all.push((path, keys(&source)));
    }
    let (english_path, english) = &all[0];
    for (path, theirs) in &all[1..] {
        let missing: Vec<_> = english.difference(theirs).collect();
        let extra: Vec<_> = theirs.difference(english).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{path} and {english_path} must hold the same messages: missing {missing:?}, extra {extra:?}"
        );
    }
    let list: String = english.iter().map(|k| format!("    {k:?},\n")).collect();
    let out =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("catalogue_keys.rs");
    std::fs::write(
        out,
        format!("/// Every message id the catalogues hold, sorted.\npub const KEYS: &[&str] = &[\n{list}];\n"),
    )
    .expect("the build script writes into OUT_DIR");
}
