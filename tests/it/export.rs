//! The Terraform export of what a job made, for a one-cluster job, a
//! three-cluster job and two jobs sharing an endpoint: each passes
//! `terraform fmt -check`, parses back as HCL with every import id in the
//! form its resource type documents and every reference naming a declared
//! resource or data source, and matches its golden file (ids of the run
//! replaced by stable names; `UPDATE_GOLDEN=1` rewrites them).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use privatelink_bot::domain::ids::JobId;
use privatelink_bot::ports::chat::Action;

use crate::harness::{Harness, create_line};

/// The export of `id`, as `jobs export` writes it.
async fn exported(h: &Harness, id: JobId) -> String {
    let mut out = Vec::new();
    privatelink_bot::admin::export_terraform(&h.app().store, &id.to_string(), None, &mut out)
        .await
        .expect("exported");
    String::from_utf8(out).expect("UTF-8")
}

/// `terraform fmt -check` on the text: nothing to change.
fn fmt_check(text: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("main.tf");
    std::fs::write(&file, text).expect("written");
    let out = std::process::Command::new("terraform")
        .args(["fmt", "-check", "-diff"])
        .arg(&file)
        .output()
        .expect("terraform is on PATH (this machine's toolbox; .ci/run checks it)");
    assert!(
        out.status.success(),
        "terraform fmt would change it:\n{}\n{text}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// Every `a.b…` reference an expression makes, as its dotted root
/// (`aws_vpc_endpoint.x`, `data.aws_route53_zone.y`).
fn references(e: &hcl::Expression, bound: &BTreeSet<String>, out: &mut Vec<String>) {
    use hcl::Expression as E;
    use hcl::expr::TraversalOperator as Op;
    match e {
        E::Traversal(t) => {
            let E::Variable(root) = &t.expr else {
                return references(&t.expr, bound, out);
            };
            let names: Vec<String> = t
                .operators
                .iter()
                .map_while(|op| match op {
                    Op::GetAttr(id) => Some(id.to_string()),
                    _ => None,
                })
                .collect();
            let root = root.to_string();
            if bound.contains(&root) {
                return;
            }
            let take = if root == "data" { 2 } else { 1 };
            let mut parts = vec![root];
            parts.extend(names.into_iter().take(take));
            out.push(parts.join("."));
        }
        E::Array(items) => items.iter().for_each(|i| references(i, bound, out)),
        E::Object(pairs) => pairs.values().for_each(|v| references(v, bound, out)),
        E::FuncCall(call) => call.args.iter().for_each(|a| references(a, bound, out)),
        E::ForExpr(f) => {
            references(&f.collection_expr, bound, out);
            let mut inner = bound.clone();
            inner.insert(f.value_var.to_string());
            references(&f.value_expr, &inner, out);
        }
        _ => {}
    }
}

/// What a parsed file declares and refers to.
#[derive(Default)]
struct Parsed {
    declared: BTreeSet<String>,
    /// (import `to`, `id`)
    imports: Vec<(String, String)>,
    refs: Vec<String>,
    /// Each zone's id, by its reference (imported, or read as data).
    zone_ids: std::collections::BTreeMap<String, String>,
    /// Each record's zone reference and name, by its reference.
    records: std::collections::BTreeMap<String, (String, String)>,
}

fn walk(body: &hcl::Body, parsed: &mut Parsed) {
    for block in body.blocks() {
        let labels: Vec<String> = block
            .labels()
            .iter()
            .map(|l| l.as_str().to_owned())
            .collect();
        match (block.identifier(), labels.as_slice()) {
            ("resource", [kind, name]) => {
                parsed.declared.insert(format!("{kind}.{name}"));
            }
            ("data", [kind, name]) => {
                parsed.declared.insert(format!("data.{kind}.{name}"));
            }
            _ => {}
        }
        let attr = |key: &str| {
            block
                .body()
                .attributes()
                .find(|a| a.key() == key)
                .map(|a| a.expr().clone())
        };
        if block.identifier() == "import" {
            let mut to = Vec::new();
            if let Some(e) = attr("to") {
                references(&e, &BTreeSet::new(), &mut to);
            }
            let id = match attr("id") {
                Some(hcl::Expression::String(s)) => s,
                other => panic!("import id {other:?}"),
            };
            if to.concat().starts_with("aws_route53_zone.") {
                parsed.zone_ids.insert(to.concat(), id.clone());
            }
            parsed.imports.push((to.concat(), id));
            continue;
        }
        match (block.identifier(), labels.as_slice(), attr("zone_id")) {
            ("resource", [kind, n], Some(zone)) if kind == "aws_route53_record" => {
                let mut z = Vec::new();
                references(&zone, &BTreeSet::new(), &mut z);
                if let Some(hcl::Expression::String(name)) = attr("name") {
                    parsed
                        .records
                        .insert(format!("{kind}.{n}"), (z.concat(), name));
                }
            }
            ("data", [kind, n], Some(hcl::Expression::String(id)))
                if kind == "aws_route53_zone" =>
            {
                parsed.zone_ids.insert(format!("data.{kind}.{n}"), id);
            }
            _ => {}
        }
        for a in block.body().attributes() {
            references(a.expr(), &BTreeSet::new(), &mut parsed.refs);
        }
        walk(block.body(), parsed);
    }
}

/// Parses the export back and holds it to the documented import ids and
/// to references that name something declared.
fn check_parsed(text: &str) {
    let body: hcl::Body = hcl::parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let mut parsed = Parsed::default();
    walk(&body, &mut parsed);
    for r in &parsed.refs {
        assert!(parsed.declared.contains(r), "{r} is not declared:\n{text}");
    }
    for (to, id) in &parsed.imports {
        assert!(
            parsed.declared.contains(to),
            "import to {to} is not declared"
        );
        let kind = to.split('.').next().unwrap_or_default();
        let ok = match kind {
            "aws_vpc_endpoint" => id
                .strip_prefix("vpce-")
                .is_some_and(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit())),
            "aws_route53_zone" => !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric()),
            // ZONEID_NAME_TYPE, of the zone its zone_id names.
            "aws_route53_record" => parsed.records.get(to).is_some_and(|(zone, name)| {
                parsed
                    .zone_ids
                    .get(zone)
                    .is_some_and(|z| *id == format!("{z}_{name}_A"))
            }),
            other => panic!("an import of {other}"),
        };
        assert!(ok, "import id {id:?} for {to}");
    }
}

/// The text with this run's ids (VPC, subnets, groups, endpoints,
/// zones, service) replaced by stable names, for the golden file.
fn stable(text: &str, h: &Harness, ids: &[JobId]) -> String {
    let mut names: Vec<(String, String)> = Vec::new();
    let mut name = |actual: String, what: &str| {
        if !actual.is_empty() && !names.iter().any(|(a, _)| *a == actual) {
            let n = names.iter().filter(|(_, s)| s.starts_with(what)).count() + 1;
            // Upper case: no real id looks like it.
            names.push((actual, format!("{what}{n}")));
        }
    };
    let n = &h.sandbox.network;
    name(n.vpc.clone(), "VPC");
    for s in &n.subnets {
        name(s.clone(), "SUBNET");
    }
    name(n.security_group.clone(), "SG");
    for id in ids {
        let job = h.job(*id);
        let res = job.resources();
        name(res.endpoint_service.clone().unwrap_or_default(), "SERVICE");
        if let Some(e) = &res.endpoint {
            name(e.id.to_string(), "ENDPOINT");
        }
        for c in &res.clusters {
            name(
                c.zone_id.clone().map(|z| z.to_string()).unwrap_or_default(),
                "ZONE",
            );
        }
    }
    // Longest first: a service name holds no endpoint id, but be sure.
    names.sort_by_key(|(a, _)| std::cmp::Reverse(a.len()));
    names.iter().fold(text.to_owned(), |t, (actual, stable)| {
        t.replace(actual, stable)
    })
}

fn golden(name: &str, text: &str) {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("folder");
        std::fs::write(&path, text).expect("golden written");
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", path.display()));
    assert_eq!(
        text,
        want,
        "{} differs (UPDATE_GOLDEN=1 rewrites it)",
        path.display()
    );
}

async fn held_to_everything(h: &Harness, ids: &[JobId], id: JobId, file: &str) {
    let text = exported(h, id).await;
    fmt_check(&text);
    check_parsed(&text);
    golden(file, &stable(&text, h, ids));
}

#[tokio::test]
async fn a_one_cluster_job_exports_as_imports_and_resources_that_reference_each_other() {
    let h = Harness::start().await;
    let id = h.create_and_run().await;
    held_to_everything(&h, &[id], id, "export-one-cluster.tf").await;
}

#[tokio::test]
async fn a_three_cluster_job_exports_a_zone_and_record_per_cluster() {
    let h = Harness::start_with(3, |_| {}, None).await;
    let line = create_line(&h.sandbox.network, &h.sandbox.clusters);
    let id = h.say("alice", &line).await.job.expect("created");
    h.click("bob", Action::Approve, id).await;
    h.app().engine.wait(id).await;
    held_to_everything(&h, &[id], id, "export-three-clusters.tf").await;
}

#[tokio::test]
async fn two_jobs_sharing_an_endpoint_export_it_once_and_read_it_in_the_other() {
    let h = Harness::start_with(2, |_| {}, None).await;
    let clusters = h.sandbox.clusters.clone();
    let ids = [h.link(&clusters[..1]).await, h.link(&clusters[..]).await];
    held_to_everything(&h, &ids, ids[0], "export-shared-maker.tf").await;
    held_to_everything(&h, &ids, ids[1], "export-shared-user.tf").await;
    let user = exported(&h, ids[1]).await;
    assert!(user.contains(&format!("made by {}", ids[0])), "{user}");
    assert!(!user.contains("resource \"aws_vpc_endpoint\""), "{user}");
}

#[tokio::test]
async fn an_operator_exports_from_the_command_line_into_a_folder() {
    let mut h = Harness::start().await;
    let id = h.create_and_run().await;
    let expected = exported(&h, id).await;
    let config = h.stop_for_admin().await;
    let out = tempfile::tempdir().expect("temp dir");
    let run = |args: Vec<String>| {
        std::process::Command::new(env!("CARGO_BIN_EXE_privatelink-bot"))
            .arg("--config")
            .arg(&config)
            .args(args)
            .output()
            .expect("the binary runs")
    };
    let dir = out.path().display().to_string();
    let done = run(vec![
        "jobs".into(),
        "export".into(),
        id.to_string(),
        "--format".into(),
        "hcl".into(),
        "--out".into(),
        dir,
    ]);
    assert!(done.status.success(), "{done:?}");
    let path = String::from_utf8_lossy(&done.stdout).trim().to_owned();
    assert_eq!(std::fs::read_to_string(&path).expect("written"), expected);
    let missing = run(vec!["jobs".into(), "export".into(), "PL-4242".into()]);
    assert_eq!(missing.status.code(), Some(3), "{missing:?}");
}
