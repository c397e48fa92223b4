//! The drift watch at scale and over time: a sweep over 200 succeeded
//! jobs in 20 VPCs and 2 projects makes a few calls per VPC, zone and
//! project, not per job (counted at the AWS proxy and the fake Zilliz
//! Cloud); an account-wide throttle during a sweep reports nothing; and a
//! week of the watch's own schedule, simulated with the clock, checks each
//! link every interval and says nothing when nothing changed.

use std::collections::BTreeSet;
use std::time::Duration;

use privatelink_bot::domain::ids::{JobId, ProjectId};
use privatelink_bot::ports::chat::Action;
use privatelink_bot::sandbox::aws_proxy::Fault;

use crate::harness::{Harness, create_line};

const VPCS: usize = 20;
const JOBS: usize = 200;
const SECOND_PROJECT: &str = "proj-sandbox0002";

/// One real job per VPC, each linking both clusters, run to the end.
async fn one_link_per_vpc(h: &Harness) -> Vec<JobId> {
    let mut ids = Vec::new();
    for i in 0..VPCS {
        let network = h.network(u8::try_from(100 + i).expect("octet")).await;
        let line = create_line(&network, &h.sandbox.clusters);
        let id = h.say("alice", &line).await.job.expect("created");
        h.click("bob", Action::Approve, id).await;
        ids.push(id);
    }
    for id in &ids {
        h.app().engine.wait(*id).await;
    }
    ids
}

/// Nine more succeeded jobs beside each real one (the same VPC, endpoint,
/// zones and clusters: links made over time), half of them in a second
/// project where the endpoint is registered too.
async fn links_beside(h: &Harness, real: &[JobId]) {
    let second = ProjectId::parse(SECOND_PROJECT).expect("a project id");
    let mut next = 5000;
    for id in real {
        let job = h.job(*id);
        let endpoint = job.resources().endpoint.clone().expect("endpoint").id;
        h.sandbox.zilliz.lock().add_registration(
            SECOND_PROJECT,
            &h.sandbox.zilliz_region,
            endpoint.as_str(),
        );
        for n in 0..(JOBS / VPCS - 1) {
            let mut parts = job.clone().into_parts();
            parts.id = JobId::new(next);
            next += 1;
            (parts.card, parts.thread) = (None, Default::default());
            (parts.health, parts.version) = (Default::default(), 0);
            if n % 2 == 0 {
                parts.request.project = second.clone();
            }
            h.insert_parts(parts).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sweep_over_200_links_calls_per_vpc_zone_and_project_not_per_job() {
    let h = Harness::start_with(2, |_| {}, None).await;
    let real = one_link_per_vpc(&h).await;
    links_beside(&h, &real).await;
    let zones: BTreeSet<String> = real
        .iter()
        .flat_map(|id| h.job(*id).resources().clusters.clone())
        .filter_map(|c| c.zone_id.map(|z| z.to_string()))
        .collect();
    let (aws_before, zilliz_before) = (
        h.sandbox.proxy.lock().actions.len(),
        h.sandbox.zilliz.lock().requests.len(),
    );
    let swept = h.app().watch.sweep().await;
    assert_eq!((swept.checked, swept.drifted), (JOBS, 0), "{swept:?}");
    let aws: Vec<String> = h.sandbox.proxy.lock().actions[aws_before..].to_vec();
    let zilliz: Vec<String> = h.sandbox.zilliz.lock().requests[zilliz_before..].to_vec();
    eprintln!(
        "{JOBS} links, {VPCS} VPCs, {} zones, 2 projects: {} AWS calls, {} Zilliz calls",
        zones.len(),
        aws.len(),
        zilliz.len()
    );
    // The endpoints and the security groups at most a page or two for the
    // whole region; a zone list per VPC (in pages of two, as the strict
    // proxy serves them: two pages for a VPC's two zones); a record read
    // per zone.
    let mut by_action = std::collections::BTreeMap::new();
    for a in &aws {
        *by_action.entry(a.as_str()).or_insert(0) += 1;
    }
    assert!(aws.len() <= 4 + 2 * VPCS + zones.len(), "{by_action:#?}");
    assert_eq!(by_action.get("ListResourceRecordSets"), Some(&zones.len()));
    // A list of endpoints per project; a read per cluster.
    let clusters = h.sandbox.clusters.len();
    assert!(zilliz.len() <= 2 * 2 + clusters, "{zilliz:#?}");

    // Every AWS read throttled, for the whole account: nothing is told.
    let quiet = h.transcript().await;
    for _ in 0..2 {
        let mut faults = Vec::new();
        for action in [
            "DescribeVpcEndpoints",
            "DescribeSecurityGroups",
            "ListHostedZonesByVPC",
            "ListResourceRecordSets",
        ] {
            faults.extend(std::iter::repeat_n(Fault::throttle(action), 20));
        }
        h.sandbox.proxy.lock().faults = faults;
        let swept = h.app().watch.sweep().await;
        assert_eq!(swept.drifted, 0, "{swept:?}");
    }
    h.sandbox.proxy.lock().faults.clear();
    assert_eq!(
        h.transcript().await,
        quiet,
        "a throttled sweep tells nothing"
    );
}

#[tokio::test]
async fn a_week_of_the_watch_schedule_checks_each_link_every_interval_and_says_nothing() {
    let h = Harness::start().await;
    let id = h.create_and_run().await;
    let quiet = h.transcript().await;
    let watch = h.app().watch.clone();
    // Six hours between checks, and at most a tenth more.
    let tick = Duration::from_secs(15 * 60);
    let (mut checks, mut ticks) = (0, 0);
    while ticks * tick < Duration::from_secs(7 * 24 * 3600) {
        h.clock.advance(tick);
        checks += watch.sweep_due().await.checked;
        ticks += 1;
    }
    // 168 hours at one check every 6 to 6.6 hours, each seen at the
    // first tick after it is due.
    assert!((23..=28).contains(&checks), "{checks} checks in a week");
    assert_eq!(h.transcript().await, quiet, "nothing said all week");
    assert!(h.job(id).health().checked_at.is_some());
}

#[tokio::test]
async fn the_watch_waits_while_the_engine_has_work_in_the_account_and_region() {
    use privatelink_bot::domain::ids::VpcId;
    use privatelink_bot::domain::job::JobState;
    let h = Harness::start().await;
    let id = h.create_and_run().await;
    // Another job of the same account and region, approved, its steps
    // owed (not started here: its worker is never kicked).
    let mut parts = h.job(id).into_parts();
    parts.id = JobId::new(7000);
    parts.request.vpc = VpcId::parse("vpc-0123456789abcdef0").expect("a VPC id");
    (parts.state, parts.card, parts.version) = (JobState::Approved, None, 0);
    h.insert_parts(parts).await;
    let before = h.sandbox.proxy.lock().actions.len();
    let swept = h.app().watch.sweep().await;
    assert_eq!((swept.checked, swept.skipped), (0, 1), "{swept:?}");
    assert_eq!(h.sandbox.proxy.lock().actions.len(), before, "no call made");
}
