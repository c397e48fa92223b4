//! The least-privilege policy in `config/iam-policy.json` grants exactly
//! the AWS actions the adapter can call: derived from the adapter's source
//! (every operation called on its EC2, Route 53 and STS clients), never from
//! a hand-kept list.

use std::collections::BTreeSet;
use std::path::Path;

/// `list_hosted_zones_by_vpc` → `listhostedzonesbyvpc` (IAM action names
/// are case-insensitive; the SDK's snake case loses acronyms' case).
fn action(service: &str, operation: &str) -> String {
    format!("{service}:{}", operation.replace('_', "")).to_ascii_lowercase()
}

/// Every `<client>.<operation>()` in `text`, the receiver possibly on the
/// line before (the SDK's builder style).
fn operations(text: &str) -> Vec<(String, String)> {
    let clients = [("ec2", "ec2"), ("r53", "route53"), ("sts", "sts")];
    let mut found = Vec::new();
    let joined: String = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("//"))
        .collect::<Vec<_>>()
        .join("");
    for (name, service) in clients {
        let mut rest = joined.as_str();
        let needle = format!("{name}.");
        while let Some(at) = rest.find(&needle) {
            let before = rest[..at].chars().last();
            rest = &rest[at + needle.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let op: String = rest
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if !op.is_empty() && rest[op.len()..].starts_with("()") {
                found.push((service.to_owned(), op));
            }
        }
    }
    found
}

fn called_by_the_adapter() -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/cloud/aws");
    let mut actions = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).expect("the adapter's folder") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("source");
        for (service, op) in operations(&text) {
            actions.insert(action(&service, &op));
        }
        // Tags given at creation need ec2:CreateTags; an assumed role's
        // credential provider calls sts:AssumeRole.
        if text.contains(".tag_specifications(") {
            actions.insert(action("ec2", "create_tags"));
        }
        if text.contains("AssumeRoleProvider") {
            actions.insert(action("sts", "assume_role"));
        }
    }
    actions
}

fn granted_by_the_policy() -> BTreeSet<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/iam-policy.json");
    let policy: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("policy")).expect("JSON");
    let mut actions = BTreeSet::new();
    for statement in policy["Statement"].as_array().expect("statements") {
        assert_eq!(statement["Effect"], "Allow", "{statement}");
        match &statement["Action"] {
            serde_json::Value::String(a) => {
                actions.insert(a.to_ascii_lowercase());
            }
            serde_json::Value::Array(list) => {
                for a in list {
                    let a = a.as_str().expect("an action");
                    assert!(!a.contains('*'), "no wildcard actions: {a}");
                    actions.insert(a.to_ascii_lowercase());
                }
            }
            other => panic!("unexpected Action {other}"),
        }
    }
    actions
}

#[test]
fn the_policy_grants_exactly_what_the_adapter_calls() {
    let called = called_by_the_adapter();
    assert!(
        called.contains("ec2:createvpcendpoint")
            && called.contains("route53:changeresourcerecordsets"),
        "the scan finds the adapter's calls: {called:?}"
    );
    let granted = granted_by_the_policy();
    let missing: Vec<_> = called.difference(&granted).collect();
    let unused: Vec<_> = granted.difference(&called).collect();
    assert!(missing.is_empty(), "called but not granted: {missing:?}");
    assert!(unused.is_empty(), "granted but never called: {unused:?}");
}

#[test]
fn the_scan_reads_the_builder_style() {
    let text = "let out = self\n    .ec2\n    .create_vpc_endpoint()\n    .send();\nr53.get_hosted_zone().id(x);\nnot_ec2.describe_vpcs()";
    assert_eq!(
        operations(text),
        vec![
            ("ec2".to_owned(), "create_vpc_endpoint".to_owned()),
            ("route53".to_owned(), "get_hosted_zone".to_owned()),
        ]
    );
}
