//! The drift watch on moto, the AWS proxy and the fake Zilliz Cloud: a
//! fact broken by hand after a job succeeded is told once, after two
//! checks in a row saw it, in the thread and on the card; nothing is said
//! while nothing changes; a link put back is told restored once; and a
//! sweep's reads are shared by every job that needs them.

use aws_sdk_route53::types::{
    AliasTarget, Change, ChangeAction, ChangeBatch, ResourceRecordSet, RrType,
};
use privatelink_bot::domain::ids::JobId;
use privatelink_bot::sandbox::aws_proxy::DryRun;

use crate::harness::Harness;

const DRIFTED: &str = "has drifted";
const RESTORED: &str = "holds again";

/// The job's alias record, changed by hand as `action` says.
pub(crate) async fn alias_by_hand(h: &Harness, id: JobId, action: ChangeAction) {
    alias_to(h, id, action, None).await
}

/// As `alias_by_hand`, the record pointing at `to` when given.
pub(crate) async fn alias_to(h: &Harness, id: JobId, action: ChangeAction, to: Option<&str>) {
    let job = h.job(id);
    let c = &job.resources().clusters[0];
    let zone = c.zone_id.clone().expect("the job's zone");
    let r53 = aws_sdk_route53::Client::new(&h.sandbox.aws);
    let listed = r53
        .list_resource_record_sets()
        .hosted_zone_id(zone.as_str())
        .send()
        .await
        .expect("records");
    let target = match listed
        .resource_record_sets()
        .iter()
        .find(|r| r.r#type() == &RrType::A)
        .and_then(|r| r.alias_target())
    {
        Some(a) if to.is_some() => AliasTarget::builder()
            .dns_name(to.unwrap_or_default())
            .hosted_zone_id(a.hosted_zone_id())
            .evaluate_target_health(false)
            .build()
            .expect("alias"),
        Some(a) => a.clone(),
        None => {
            let e = job.resources().endpoint.clone().expect("endpoint");
            AliasTarget::builder()
                .dns_name(e.dns_name.expect("dns name"))
                .hosted_zone_id(e.hosted_zone_id.expect("zone").as_str())
                .evaluate_target_health(false)
                .build()
                .expect("alias")
        }
    };
    let record = ResourceRecordSet::builder()
        .name(&c.host)
        .r#type(RrType::A)
        .alias_target(target)
        .build()
        .expect("record");
    let change = Change::builder()
        .action(action)
        .resource_record_set(record)
        .build()
        .expect("change");
    r53.change_resource_record_sets()
        .hosted_zone_id(zone.as_str())
        .change_batch(
            ChangeBatch::builder()
                .changes(change)
                .build()
                .expect("batch"),
        )
        .send()
        .await
        .expect("changed by hand");
}

#[tokio::test]
async fn a_deleted_alias_is_told_once_after_two_checks_and_its_return_once() {
    let (h, _proxy) = Harness::behind_aws_proxy(DryRun::Allowed).await;
    let id = h.create_and_run().await;
    let watch = h.app().watch.clone();
    for _ in 0..5 {
        let swept = watch.sweep().await;
        assert_eq!((swept.checked, swept.drifted), (1, 0), "{swept:?}");
    }
    let quiet = h.transcript().await;
    assert!(
        !quiet.contains(DRIFTED) && !quiet.contains(RESTORED),
        "{quiet}"
    );

    alias_by_hand(&h, id, ChangeAction::Delete).await;
    assert_eq!(watch.sweep().await.drifted, 0, "one check is not enough");
    assert_eq!(h.transcript().await, quiet, "nothing said after one check");
    assert_eq!(watch.sweep().await.drifted, 1);
    for _ in 0..3 {
        assert_eq!(watch.sweep().await.drifted, 1);
    }
    let told = h.transcript().await;
    assert_eq!(told.matches(DRIFTED).count(), 1, "told once:\n{told}");
    assert!(told.contains("was deleted"), "{told}");
    assert!(
        told.contains("Drifted: the alias record"),
        "the card shows it:\n{told}"
    );
    assert!(h.job(id).health().is_drifted());

    alias_by_hand(&h, id, ChangeAction::Upsert).await;
    for _ in 0..3 {
        assert_eq!(watch.sweep().await.drifted, 0);
    }
    let restored = h.transcript().await;
    assert_eq!(restored.matches(RESTORED).count(), 1, "{restored}");
    assert_eq!(restored.matches(DRIFTED).count(), 1, "{restored}");
    assert!(!h.job(id).health().is_drifted());
}

#[tokio::test]
async fn a_sweep_reads_each_shared_fact_once_for_every_job_that_needs_it() {
    let (h, proxy) = Harness::behind_aws_proxy(DryRun::Allowed).await;
    let first = h.create_and_run().await;
    // A second link from another VPC to the same project and cluster.
    let other = h.network(60).await;
    let line = crate::harness::create_line(&other, &h.sandbox.clusters);
    let id = h.say("alice", &line).await.job.expect("created");
    h.click("bob", privatelink_bot::ports::chat::Action::Approve, id)
        .await;
    h.app().engine.wait(id).await;
    assert_eq!(
        h.state(first),
        privatelink_bot::domain::job::JobState::Succeeded
    );
    assert_eq!(
        h.state(id),
        privatelink_bot::domain::job::JobState::Succeeded
    );

    let aws_before = proxy.lock().actions.len();
    let listed_before = h.zilliz_requests("GET /v2/projects");
    let swept = h.app().watch.sweep().await;
    assert_eq!((swept.checked, swept.drifted), (2, 0), "{swept:?}");
    let actions: Vec<String> = proxy.lock().actions[aws_before..]
        .iter()
        .map(|a| format!("{a:?}"))
        .collect();
    let count = |name: &str| actions.iter().filter(|a| a.contains(name)).count();
    assert_eq!(
        count("DescribeVpcEndpoints"),
        1,
        "one read for both endpoints: {actions:#?}"
    );
    assert_eq!(
        count("ListHostedZonesByVPC"),
        2,
        "one per VPC: {actions:#?}"
    );
    assert_eq!(
        count("ListResourceRecordSets"),
        2,
        "one per zone: {actions:#?}"
    );
    assert_eq!(
        h.zilliz_requests("GET /v2/projects") - listed_before,
        1,
        "one list of the project's endpoints for both jobs"
    );
}

#[tokio::test]
async fn verify_answers_now_and_status_and_list_show_what_the_watch_found() {
    let h = Harness::start().await;
    let id = h.create_and_run().await;
    let now = h.say("alice", &format!("verify {id}")).await.text;
    assert!(now.contains("is in shape"), "{now}");
    assert!(
        h.say("alice", "list drifted")
            .await
            .text
            .contains("No jobs")
    );

    alias_by_hand(&h, id, ChangeAction::Delete).await;
    let now = h.say("alice", &format!("verify {id}")).await.text;
    assert!(
        now.contains("has drifted") && now.contains("was deleted"),
        "{now}"
    );
    // The next check confirms it: then it is told, listed and shown.
    assert_eq!(h.app().watch.sweep().await.drifted, 1);
    let listed = h.say("alice", "list drifted").await.text;
    assert!(listed.contains(&id.to_string()), "{listed}");
    let status = h.say("alice", &format!("status {id}")).await.text;
    assert!(status.contains("Drift watch: drifted"), "{status}");
    assert!(status.contains("was deleted"), "{status}");

    let pending = h.create().await;
    let refused = h.say("alice", &format!("verify {pending}")).await.text;
    assert!(refused.contains("only a succeeded job"), "{refused}");
}

#[tokio::test]
async fn metrics_count_links_by_health_and_each_sweeps_calls() {
    let h = Harness::start().await;
    let id = h.create_and_run().await;
    alias_by_hand(&h, id, ChangeAction::Delete).await;
    let first = h.app().watch.sweep().await;
    let second = h.app().watch.sweep().await;
    let text = h.app().metrics.render(None, None);
    let value = |line: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with(line))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{line} in:\n{text}"))
    };
    assert_eq!(value("privatelink_bot_links{health=\"drifted\"}"), 1.0);
    assert_eq!(value("privatelink_bot_links{health=\"in_shape\"}"), 0.0);
    assert_eq!(value("privatelink_bot_drift_sweeps_total"), 2.0);
    assert_eq!(
        value("privatelink_bot_drift_sweep_calls_total"),
        (first.calls + second.calls) as f64
    );
}

#[tokio::test]
async fn a_throttled_sweep_tells_nothing_and_stops_calling_the_throttled_service() {
    use privatelink_bot::sandbox::aws_proxy::Fault;
    let (h, proxy) = Harness::behind_aws_proxy(DryRun::Allowed).await;
    let id = h.create_and_run().await;
    alias_by_hand(&h, id, ChangeAction::Delete).await;
    let quiet = h.transcript().await;
    for _ in 0..2 {
        // Route 53 throttles the account, through the SDK's own tries: the
        // sweep leaves Route 53 alone after that (the alias is not read).
        proxy.lock().faults = vec![Fault::throttle("ListHostedZonesByVPC"); 10];
        let before = proxy.lock().actions.len();
        let swept = h.app().watch.sweep().await;
        assert_eq!(swept.drifted, 0, "{swept:?}");
        let calls = proxy.lock().actions[before..].to_vec();
        let records_read = calls
            .iter()
            .filter(|a| a.contains("ListResourceRecordSets"))
            .count();
        assert_eq!(
            records_read, 0,
            "Route 53 left alone once it throttled: {calls:#?}"
        );
    }
    assert_eq!(
        h.transcript().await,
        quiet,
        "a check that could not read tells nothing"
    );
    assert!(!h.job(id).health().is_drifted());
    // The throttle passes: two checks in a row see the alias gone.
    proxy.lock().faults.clear();
    h.app().watch.sweep().await;
    assert_eq!(h.app().watch.sweep().await.drifted, 1);
    assert_eq!(h.transcript().await.matches(DRIFTED).count(), 1);
}

#[tokio::test]
async fn a_shared_endpoint_deleted_by_hand_is_told_once_and_pointed_at_from_the_other_job() {
    let h = Harness::start_with(2, |_| {}, None).await;
    let clusters = h.sandbox.clusters.clone();
    let (a, b) = (h.link(&clusters[..1]).await, h.link(&clusters[..]).await);
    let endpoint = h.job(a).resources().endpoint.clone().expect("A's endpoint");
    assert_eq!(
        h.job(b).resources().endpoint.clone().map(|e| e.id),
        Some(endpoint.id.clone())
    );
    h.delete_endpoint_by_hand(endpoint.id.as_str()).await;
    h.app().watch.sweep().await;
    let before = h.sandbox.proxy.lock().actions.len();
    let swept = h.app().watch.sweep().await;
    assert_eq!(swept.drifted, 2, "{swept:?}");
    let records_read = h.sandbox.proxy.lock().actions[before..]
        .iter()
        .filter(|a| a.contains("ListResourceRecordSets"))
        .count();
    assert_eq!(
        records_read, 2,
        "the zone both jobs use is read once, the other once"
    );
    let told = h.transcript().await;
    assert_eq!(
        told.matches("VPC endpoint is gone").count(),
        1 + 2,
        "one note, two cards:\n{told}"
    );
    assert_eq!(told.matches(DRIFTED).count(), 1, "{told}");
    assert!(told.contains(&format!("told in {a}'s thread")), "{told}");
}

#[tokio::test]
async fn a_security_group_rule_removed_by_hand_is_told_as_a_closed_port() {
    let h = Harness::start().await;
    let id = h.create_and_run().await;
    let port = h.close_port_by_hand().await;
    h.app().watch.sweep().await;
    assert_eq!(h.app().watch.sweep().await.drifted, 1);
    let told = h.transcript().await;
    assert!(
        told.contains(&format!("no longer let port {port} in")),
        "{told}"
    );
    assert!(h.job(id).health().is_drifted());
}
