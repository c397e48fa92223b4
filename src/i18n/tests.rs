//! The catalogues against each other and against the code: a key the code
//! names is in both, both hold the same keys, and each message takes the
//! same placeables in both languages.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use fluent_syntax::ast;

use super::*;

/// Each message's id → the variables it references (selectors included).
fn messages(locale: Locale) -> BTreeMap<String, BTreeSet<String>> {
    let resource = fluent_syntax::parser::parse(locale.source())
        .unwrap_or_else(|(_, errors)| panic!("{locale}: syntax errors {errors:?}"));
    let mut out = BTreeMap::new();
    for entry in resource.body {
        if let ast::Entry::Message(m) = entry {
            let mut vars = BTreeSet::new();
            if let Some(p) = &m.value {
                pattern_vars(p, &mut vars);
            }
            assert!(
                out.insert(m.id.name.to_owned(), vars).is_none(),
                "{locale}: {} is defined twice",
                m.id.name
            );
        }
    }
    out
}

fn pattern_vars(p: &ast::Pattern<&str>, vars: &mut BTreeSet<String>) {
    for element in &p.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            expression_vars(expression, vars);
        }
    }
}

fn expression_vars(e: &ast::Expression<&str>, vars: &mut BTreeSet<String>) {
    match e {
        ast::Expression::Inline(i) => inline_vars(i, vars),
        ast::Expression::Select { selector, variants } => {
            inline_vars(selector, vars);
            for v in variants {
                pattern_vars(&v.value, vars);
            }
        }
    }
}

fn inline_vars(i: &ast::InlineExpression<&str>, vars: &mut BTreeSet<String>) {
    match i {
        ast::InlineExpression::VariableReference { id } => {
            vars.insert(id.name.to_owned());
        }
        ast::InlineExpression::Placeable { expression } => expression_vars(expression, vars),
        _ => {}
    }
}

#[test]
fn both_catalogues_hold_the_same_keys_with_the_same_placeables() {
    let en = messages(Locale::En);
    let zh = messages(Locale::ZhCn);
    let only_en: Vec<&String> = en.keys().filter(|k| !zh.contains_key(*k)).collect();
    let only_zh: Vec<&String> = zh.keys().filter(|k| !en.contains_key(*k)).collect();
    assert!(only_en.is_empty(), "missing from zh-CN: {only_en:?}");
    assert!(only_zh.is_empty(), "missing from en: {only_zh:?}");
    for (key, vars) in &en {
        assert_eq!(
            Some(vars),
            zh.get(key),
            "{key}: placeables differ between en and zh-CN"
        );
    }
}

/// Every string literal in `src` shaped like a catalogue key
/// (`word-word…`) whose first word is one of the catalogue's groups.
fn keys_named_in_the_code(groups: &BTreeSet<String>) -> BTreeSet<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let mut found = BTreeSet::new();
    for file in files {
        let source = std::fs::read_to_string(&file).expect("read source");
        for (i, literal) in source.split('"').enumerate() {
            // Odd pieces are inside quotes (close enough for this code:
            // no key sits next to an escaped quote).
            if i % 2 == 0 {
                continue;
            }
            let shaped = literal.contains('-')
                && literal.split('-').all(|w| {
                    !w.is_empty()
                        && w.bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                });
            let group = literal.split('-').next().unwrap_or_default();
            if shaped && groups.contains(group) {
                found.insert((literal.to_owned(), file.display().to_string()));
            }
        }
    }
    found
}

#[test]
fn every_key_the_code_names_is_in_the_catalogue() {
    let en = messages(Locale::En);
    let groups: BTreeSet<String> = en
        .keys()
        .filter(|k| k.contains('-'))
        .map(|k| k.split('-').next().unwrap_or_default().to_owned())
        .collect();
    let used = keys_named_in_the_code(&groups);
    assert!(used.len() > 100, "the scan found only {} keys", used.len());
    let missing: Vec<_> = used.iter().filter(|(k, _)| !en.contains_key(k)).collect();
    assert!(
        missing.is_empty(),
        "keys the code names but the catalogue lacks: {missing:?}"
    );
}

#[test]
fn placeables_are_filled_and_carry_no_isolation_marks() {
    let text = t!(Locale::En, "reply-no-such-job", job = "PL-7");
    assert_eq!(text, "There is no job PL-7.");
    let zh = t!(Locale::ZhCn, "reply-no-such-job", job = "PL-7");
    assert!(zh.contains("PL-7") && !zh.contains('\u{2068}'), "{zh}");
    assert_ne!(zh, text);
}

#[test]
fn nested_texts_and_lists_render_in_the_readers_language() {
    let step = text!(
        "step",
        number = 3usize,
        what = Arg::Message("step-verify".into())
    );
    let failed = text!("state-failed", step = step.clone(), error = "boom");
    assert_eq!(
        failed.render(Locale::En),
        "failed at step 3/8 verify the end state: boom"
    );
    assert!(!failed.render(Locale::ZhCn).contains("verify"));
    let list = Text::list(vec![Text::verbatim("a"), Text::verbatim("b")]);
    assert_eq!(list.render(Locale::En), "a; b");
}

#[test]
fn an_unknown_key_falls_back_to_the_key_never_a_panic() {
    assert_eq!(render(Locale::ZhCn, "no-such-key", &[]), "no-such-key");
}

#[test]
fn tags_from_platforms_map_to_the_languages_spoken() {
    assert_eq!(Locale::from_tag("en-US"), Some(Locale::En));
    assert_eq!(Locale::from_tag("en-GB"), Some(Locale::En));
    assert_eq!(Locale::from_tag("zh-CN"), Some(Locale::ZhCn));
    assert_eq!(Locale::from_tag("zh"), Some(Locale::ZhCn));
    assert_eq!(Locale::from_tag("zh_Hans"), Some(Locale::ZhCn));
    assert_eq!(Locale::from_tag("zh-TW"), None);
    assert_eq!(Locale::from_tag("fr"), None);
    assert_eq!(Locale::from_tag(""), None);
}
