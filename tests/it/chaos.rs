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

/// One fault no retry can cure, injected once; what the job must do.
struct Incurable {
    aws: Option<(&'static str, u16, &'static str, &'static str)>,
    zilliz: Option<(&'static str, u16, i64, &'static str)>,
    /// The request that must have been made exactly once.
    once: &'static str,
    step: &'static str,
    words: &'static str,
}

#[tokio::test]
async fn an_error_no_retry_can_cure_fails_the_job_at_once_with_the_providers_words() {
    use privatelink_bot::sandbox::aws_proxy::Fault;
    use privatelink_bot::sandbox::fake_zilliz::Fault as ZillizFault;
    for case in INCURABLE {
        let (h, proxy) = Harness::behind_aws_proxy(DryRun::Allowed).await;
        let id = h.create().await;
        if let Some((action, status, code, message)) = case.aws {
            proxy.lock().faults = vec![Fault::error(action, status, code, message)];
        }
        if let Some((prefix, status, code, message)) = case.zilliz {
            h.sandbox.zilliz.lock().faults.push_back(ZillizFault {
                request_prefix: prefix.to_owned(),
                status,
                code,
                message: message.to_owned(),
                retry_after: None,
                after_effect: false,
            });
        }
        let reply = h.click("bob", Action::Approve, id).await;
        assert!(reply.text.contains("approved"), "{}", reply.text);
        h.app().engine.wait(id).await;
        assert!(
            matches!(h.state(id), JobState::Failed { .. }),
            "{}: {:?}",
            case.words,
            h.state(id)
        );
        let tries = if case.aws.is_some() {
            proxy.lock().count(case.once)
        } else {
            h.zilliz_requests(case.once)
        };
        assert_eq!(tries, 1, "{}: never tried again", case.words);
        let transcript = h.transcript().await;
        let failed = transcript
            .lines()
            .find(|l| l.contains("failed:"))
            .unwrap_or_default();
        assert!(
            failed.contains(case.step) && failed.contains(case.words),
            "the provider's words in the thread: {transcript}"
        );
    }
}

/// Refusals no retry cures, as AWS and Zilliz answer them.
const INCURABLE: [Incurable; 3] = [
    Incurable {
        aws: Some((
            "CreateVpcEndpoint",
            403,
            "UnauthorizedOperation",
            "You are not authorized to perform this operation.",
        )),
        zilliz: None,
        once: "CreateVpcEndpoint",
        step: "step 2/8",
        words: "You are not authorized to perform this operation.",
    },
    Incurable {
        aws: Some((
            "CreateVpcEndpoint",
            400,
            "InvalidVpcID.NotFound",
            "The vpc ID 'vpc-0123abcd' does not exist",
        )),
        zilliz: None,
        once: "CreateVpcEndpoint",
        step: "step 2/8",
        words: "The vpc ID 'vpc-0123abcd' does not exist",
    },
    // Zilliz's answer to a key it no longer accepts (recorded).
    Incurable {
        aws: None,
        zilliz: Some((
            "POST /v2/projects/proj-sandbox0001/privateEndpoints",
            401,
            21119,
            "The apikey is illegal",
        )),
        once: "POST /v2/projects/proj-sandbox0001/privateEndpoints",
        step: "step 3/8",
        words: "The apikey is illegal",
    },
];
