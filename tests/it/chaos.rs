//! Faults on every cloud call: a fifth of all calls to AWS (through the
//! behaviour proxy, in AWS's own error shapes, some after the effect) and to
//! Zilliz Cloud (429 or 503, some after the effect) fail or are slow, and
//! every job still ends verified with exactly one endpoint, registration,
//! zone and record.

use futures_util::future::join_all;
use privatelink_bot::domain::ids::JobId;
use privatelink_bot::domain::job::JobState;
use privatelink_bot::ports::chat::Action;
use privatelink_bot::sandbox::REGION;
use privatelink_bot::sandbox::aws_proxy::DryRun;
use privatelink_bot::sandbox::fixtures;

use crate::harness::{Harness, create_line};

const JOBS: usize = 4;

#[tokio::test]
async fn with_a_fifth_of_cloud_calls_failing_every_job_ends_verified_with_one_of_each() {
    let (h, proxy) = Harness::behind_aws_proxy(DryRun::Allowed).await;
    let mut networks = Vec::new();
    for i in 0..JOBS {
        networks.push(h.network(u8::try_from(60 + i).expect("octet")).await);
    }
    proxy.lock().chaos = 0.2;
    h.sandbox.zilliz.lock().chaos = 0.2;

    let mut ids: Vec<JobId> = Vec::new();
    for n in &networks {
        let reply = h.say("alice", &create_line(n, &h.sandbox.clusters)).await;
        ids.push(reply.job.unwrap_or_else(|| panic!("{}", reply.text)));
    }
    join_all(ids.iter().map(|&id| h.click("bob", Action::Approve, id))).await;
    for &id in &ids {
        h.app().engine.wait(id).await;
    }
    let hosts = h.sandbox.hosts();
    for (i, &id) in ids.iter().enumerate() {
        assert_eq!(
            h.state(id),
            JobState::Succeeded,
            "{id}: {}",
            h.transcript().await
        );
        fixtures::end_state(&h.sandbox.aws, REGION, &networks[i].vpc)
            .await
            .expect("end state")
            .verify(&hosts)
            .unwrap_or_else(|e| panic!("{id}: {e}"));
    }
    let mut registered = h.registered();
    let all = registered.len();
    registered.sort();
    registered.dedup();
    assert_eq!(
        (all, registered.len()),
        (JOBS, JOBS),
        "one registration each"
    );
    let (aws, zilliz) = (proxy.lock().injected, h.sandbox.zilliz.lock().injected);
    assert!(
        aws > 0 && zilliz > 0,
        "faults were injected: AWS {aws}, Zilliz {zilliz}"
    );
}

#[tokio::test]
async fn an_error_no_retry_can_cure_fails_the_job_at_once_with_the_providers_words() {
    use privatelink_bot::sandbox::aws_proxy::Fault;
    let (h, proxy) = Harness::behind_aws_proxy(DryRun::Allowed).await;
    proxy.lock().faults = vec![Fault::error(
        "CreateVpcEndpoint",
        403,
        "UnauthorizedOperation",
        "You are not authorized to perform this operation.",
    )];
    let id = h.create_and_run().await;
    assert!(
        matches!(h.state(id), JobState::Failed { .. }),
        "{:?}",
        h.state(id)
    );
    let creates = proxy.lock().count("CreateVpcEndpoint");
    assert_eq!(creates, 1, "never tried again");
    let transcript = h.transcript().await;
    assert!(
        transcript.contains("UnauthorizedOperation")
            || transcript.contains("not authorized to perform this operation"),
        "{transcript}"
    );
    assert!(transcript.contains("step 2/8"), "{transcript}");
}
