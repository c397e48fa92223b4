//! The rooms' boundaries, kept by a test: every `crate::` path in `src`
//! (and `super::` out of a room's root) is checked against the table in
//! ARCHITECTURE.md's "API boundaries" section. An import the table does not
//! allow fails here, naming the file; a new top-level module must be added
//! to the table; and the table itself must allow no cycle.
//!
//! Test code is exempt: a file named `tests.rs`, and everything after a
//! file's `#[cfg(test)]`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Rooms = BTreeMap<String, BTreeSet<String>>;

/// The `| `room` | `a`, `b` |` rows of the "API boundaries" section.
fn allowed(architecture: &str) -> Rooms {
    let section = architecture
        .split("\n## API boundaries")
        .nth(1)
        .expect("ARCHITECTURE.md has an \"API boundaries\" section");
    let section = section.split("\n## ").next().unwrap_or(section);
    let mut rooms = Rooms::new();
    for line in section.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let names = |cell: &str| -> BTreeSet<String> {
            cell.split(',')
                .map(|n| n.trim().trim_matches('`').to_owned())
                .filter(|n| !n.is_empty() && n != "—")
                .collect()
        };
        let room = cells[1].trim_matches('`').to_owned();
        rooms.insert(room, names(cells[2]));
    }
    assert!(rooms.len() > 10, "the table was not read: {rooms:?}");
    rooms
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The names a file reaches for through `crate::` (and `super::` from a
/// room's root, which is the crate root), with the macros `t!` and `text!`
/// counted as `i18n`'s.
fn reached(code: &str, at_room_root: bool) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut prefixes = vec!["crate::"];
    if at_room_root {
        prefixes.push("super::");
    }
    for prefix in prefixes {
        for (i, _) in code.match_indices(prefix) {
            let before = code[..i].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let rest = &code[i + prefix.len()..];
            let group: Vec<&str> = match rest.strip_prefix('{') {
                Some(inner) => inner
                    .split('}')
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .collect(),
                None => vec![rest],
            };
            for item in group {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let name = match name.as_str() {
                    "t" | "text" => "i18n".to_owned(),
                    _ => name,
                };
                if !name.is_empty() {
                    names.insert(name);
                }
            }
        }
    }
    names
}

/// Each source file under `src` (its path from there) and its code before
/// any `#[cfg(test)]`; files of tests alone (`tests.rs`) left out.
fn production_code() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut out = Vec::new();
    for path in files {
        let rel = path
            .strip_prefix(&src)
            .expect("under src")
            .to_string_lossy()
            .replace('\\', "/");
        if rel.ends_with("/tests.rs") {
            continue;
        }
        let code = std::fs::read_to_string(&path).expect("a source file");
        let code = code
            .split("#[cfg(test)]")
            .next()
            .unwrap_or_default()
            .to_owned();
        out.push((rel, code));
    }
    out
}

/// Each room's file and what it reaches for, test code left out.
fn imports() -> Vec<(String, String, BTreeSet<String>)> {
    let mut out = Vec::new();
    for (rel, code) in production_code() {
        if rel == "lib.rs" || rel == "main.rs" {
            continue;
        }
        let parts: Vec<&str> = rel.split('/').collect();
        let room = parts[0].trim_end_matches(".rs").to_owned();
        let root = parts.len() == 1 || (parts.len() == 2 && parts[1] == "mod.rs");
        let names = reached(&code, root);
        out.push((rel, room, names));
    }
    out
}

fn architecture() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md"))
        .expect("ARCHITECTURE.md")
}

#[test]
fn every_import_is_one_the_architecture_allows() {
    let rooms = allowed(&architecture());
    let mut crossed = Vec::new();
    for (file, room, names) in imports() {
        let Some(may) = rooms.get(&room) else {
            crossed.push(format!(
                "src/{file}: room `{room}` is not in ARCHITECTURE.md's API boundaries table"
            ));
            continue;
        };
        for name in names {
            if name != room && rooms.contains_key(&name) && !may.contains(&name) {
                crossed.push(format!(
                    "src/{file}: `{room}` may not use `{name}` (ARCHITECTURE.md, API boundaries)"
                ));
            }
        }
    }
    assert!(crossed.is_empty(), "{}", crossed.join("\n"));
}

#[test]
fn the_allowed_arrows_form_no_cycle() {
    let rooms = allowed(&architecture());
    // Peel off rooms whose every allowed neighbour is already peeled.
    let mut left = rooms.clone();
    let mut peeled = BTreeSet::new();
    while !left.is_empty() {
        let ready: Vec<String> = left
            .iter()
            .filter(|(_, may)| {
                may.iter()
                    .all(|m| peeled.contains(m) || !rooms.contains_key(m))
            })
            .map(|(r, _)| r.clone())
            .collect();
        assert!(
            !ready.is_empty(),
            "the table allows a cycle among {:?}",
            left.keys()
        );
        for r in ready {
            left.remove(&r);
            peeled.insert(r);
        }
    }
    // And every name the table uses is a room of its own.
    for (room, may) in &rooms {
        for m in may {
            assert!(
                rooms.contains_key(m),
                "`{room}` may use `{m}`, which is no room"
            );
        }
    }
}

#[test]
fn the_reader_sees_imports_in_each_form() {
    let code = "use crate::store::Store;\nuse crate::{t, domain::ids};\nlet x = crate::metrics::Metrics::new();\nuse super::retry;\n";
    let names = reached(code, true);
    let want: BTreeSet<String> = ["store", "i18n", "domain", "metrics", "retry"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    assert_eq!(names, want);
    assert!(!reached("use super::inbound;", false).contains("inbound"));
}

/// A job's every field in the open (`JobParts`) is the store's, to read and
/// write its records: anywhere else a job is made pending and changed only
/// by `Job::change`, which is what keeps its state to the life cycle.
#[test]
fn only_the_domain_and_the_store_take_a_job_apart() {
    let mut taken_apart = Vec::new();
    for (rel, code) in production_code() {
        if rel.starts_with("domain/") || rel.starts_with("store/") {
            continue;
        }
        for name in ["JobParts", "from_parts", "into_parts"] {
            if code.contains(name) {
                taken_apart.push(format!("src/{rel} names `{name}`"));
            }
        }
    }
    assert!(taken_apart.is_empty(), "{}", taken_apart.join("\n"));
}
