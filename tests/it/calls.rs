//! What a job costs in AWS calls, counted by the SDK interceptor: Route 53
//! calls per job stay flat however many zones of the same name other VPCs
//! hold (Route 53 allows about five requests a second per account).

use crate::harness::{Harness, create_line};
use privatelink_bot::domain::job::JobState;
use privatelink_bot::ports::chat::Action;

const JOBS: usize = 6;

#[tokio::test]
async fn route53_calls_per_job_do_not_grow_with_same_named_zones_elsewhere() {
    let h = Harness::start().await;
    let cluster = h.sandbox.clusters[0].clone();
    let mut per_job = Vec::new();
    for i in 0..JOBS {
        // Each job links the same cluster from its own VPC: one more zone of
        // that name in the account each time.
        let n = h.network(u8::try_from(40 + i).expect("octet")).await;
        let line = create_line(&n, std::slice::from_ref(&cluster));
        let id = h.say("alice", &line).await.job.expect("created");
        let before = h.app().aws_calls.to_service("Route53");
        h.click("bob", Action::Approve, id).await;
        h.app().engine.wait(id).await;
        assert_eq!(h.state(id), JobState::Succeeded, "{}", h.transcript().await);
        per_job.push(h.app().aws_calls.to_service("Route53") - before);
    }
    assert!(
        per_job[0] > 0,
        "the counter sees Route 53 calls: {per_job:?} {:?}",
        h.app().aws_calls.counts()
    );
    assert!(
        per_job.iter().all(|n| *n == per_job[0]),
        "Route 53 calls per job must not grow with the zones other jobs made: {per_job:?}"
    );
}
