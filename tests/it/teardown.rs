//! Failure, retry, rollback and delete: teardown removes exactly what the
//! job created, tolerates what is already gone, and keeps what it adopted.

use aws_sdk_ec2::types::VpcEndpointType;
use privatelink_bot::domain::job::{JobState, Origin, Step, Teardown};
use privatelink_bot::i18n::Locale;
use privatelink_bot::ports::chat::Action;
use privatelink_bot::sandbox::fake_zilliz::Fault;

use crate::backing::Backing;
use crate::harness::Harness;

/// Makes Zilliz refuse cluster reads (a non-retryable vendor error) so the
/// job fails at step 4 (the wait reads the clusters' addresses), after the
/// endpoint and registration exist.
fn break_cluster_reads(h: &Harness, times: usize) {
    let mut st = h.sandbox.zilliz.lock();
    for _ in 0..times {
        st.faults.push_back(Fault {
            request_prefix: "GET /v2/clusters/".into(),
            status: 200,
            code: 90001,
            message: "internal error, please retry later".into(),
            retry_after: None,
            after_effect: false,
        });
    }
}

async fn failed_job(h: &Harness) -> privatelink_bot::domain::ids::JobId {
    let id = h.create().await;
    break_cluster_reads(h, 1);
    h.click("bob", Action::Approve, id).await;
    h.app().engine.wait(id).await;
    match h.state(id) {
        JobState::Failed { step, error } => {
            let error = error.render(Locale::En);
            assert_eq!(step, Step::WaitAccepted);
            assert!(
                error.contains("Zilliz Cloud error 90001: internal error"),
                "{error}"
            );
        }
        other => panic!(
            "expected a failure, got {other:?}\n{}",
            h.transcript().await
        ),
    }
    id
}

crate::on_both_backends!(a_failed_job_shows_retry_and_rollback_and_a_retry_finishes_it);

async fn a_failed_job_shows_retry_and_rollback_and_a_retry_finishes_it(backing: Backing) {
    let h = Harness::start_with(1, |c| backing.configure(c), None).await;
    let id = failed_job(&h).await;
    let t = h.transcript().await;
    assert!(t.contains("✘ step 4/8 wait for the endpoint to be accepted failed: Zilliz Cloud did not describe the cluster: Zilliz Cloud error 90001"), "{t}");
    assert!(
        t.contains("[*Retry: `retry PL-1000`] [!Roll back: `rollback PL-1000`]"),
        "{t}"
    );
    // Only approvers may retry.
    assert!(
        h.click("alice", Action::Retry, id)
            .await
            .text
            .contains("only approvers may retry")
    );
    assert_eq!(
        h.click("bob", Action::Retry, id).await.text,
        format!("Retrying {id}.")
    );
    h.app().engine.wait(id).await;
    assert_eq!(h.state(id), JobState::Succeeded, "{}", h.transcript().await);
    h.end_state()
        .await
        .verify(&h.sandbox.hosts())
        .expect("one of each after retry");
    // Steps 1-4 were not run again.
    assert_eq!(h.transcript().await.matches("▶ step 2/8").count(), 1);
}

crate::on_both_backends!(rollback_of_a_failed_job_leaves_nothing_behind);

async fn rollback_of_a_failed_job_leaves_nothing_behind(backing: Backing) {
    let h = Harness::start_with(1, |c| backing.configure(c), None).await;
    let id = failed_job(&h).await;
    assert_eq!(h.end_state().await.endpoints.len(), 1);
    assert_eq!(h.registered().len(), 1);
    assert_eq!(
        h.say("bob", &format!("rollback {id}")).await.text,
        format!("Rolling back {id}.")
    );
    h.app().engine.wait(id).await;
    assert_eq!(
        h.state(id),
        JobState::RolledBack,
        "{}",
        h.transcript().await
    );
    let state = h.end_state().await;
    assert!(state.endpoints.is_empty(), "{state:?}");
    assert!(state.zones.is_empty(), "{state:?}");
    assert!(h.registered().is_empty());
    // A second rollback is refused with the reason.
    assert!(
        h.say("bob", &format!("rollback {id}"))
            .await
            .text
            .contains("only failed or cancelled jobs")
    );
}

crate::on_both_backends!(delete_removes_records_zones_registration_and_endpoint);

async fn delete_removes_records_zones_registration_and_endpoint(backing: Backing) {
    let h = Harness::start_with(2, |c| backing.configure(c), None).await;
    let id = h.create_and_run().await;
    assert_eq!(h.end_state().await.zones.len(), 2);
    assert!(
        h.say("alice", &format!("delete {id}"))
            .await
            .text
            .contains("only approvers may delete")
    );
    assert_eq!(
        h.say("bob", &format!("delete {id}")).await.text,
        format!("Deleting {id}.")
    );
    h.app().engine.wait(id).await;
    assert_eq!(h.state(id), JobState::Deleted, "{}", h.transcript().await);
    let state = h.end_state().await;
    assert!(
        state.endpoints.is_empty() && state.zones.is_empty(),
        "{state:?}"
    );
    assert!(h.registered().is_empty());
    // The VPC is free again.
    h.create().await;
}

#[tokio::test]
async fn teardown_tolerates_resources_already_gone() {
    let h = Harness::start().await;
    let id = h.create_and_run().await;
    // Someone deleted the endpoint by hand.
    let endpoint = h.job(id).resources().endpoint.clone().expect("endpoint").id;
    aws_sdk_ec2::Client::new(&h.sandbox.aws)
        .delete_vpc_endpoints()
        .vpc_endpoint_ids(endpoint.as_str())
        .send()
        .await
        .unwrap();
    h.say("bob", &format!("delete {id}")).await;
    h.app().engine.wait(id).await;
    assert_eq!(h.state(id), JobState::Deleted, "{}", h.transcript().await);
    assert!(h.end_state().await.zones.is_empty());
}

#[tokio::test]
async fn an_existing_endpoint_is_adopted_and_kept_on_delete() {
    let h = Harness::start().await;
    let net = &h.sandbox.network;
    let made_by_hand = aws_sdk_ec2::Client::new(&h.sandbox.aws)
        .create_vpc_endpoint()
        .vpc_endpoint_type(VpcEndpointType::Interface)
        .vpc_id(&net.vpc)
        .service_name(&h.sandbox.service_name)
        .subnet_ids(&net.subnets[0])
        .send()
        .await
        .unwrap()
        .vpc_endpoint()
        .unwrap()
        .vpc_endpoint_id()
        .unwrap()
        .to_owned();
    let id = h.create_and_run().await;
    let job = h.job(id);
    let endpoint = job.resources().endpoint.clone().unwrap();
    assert_eq!(endpoint.id.as_str(), made_by_hand);
    assert_eq!(endpoint.origin, Origin::Adopted);
    h.end_state()
        .await
        .verify(&h.sandbox.hosts())
        .expect("one endpoint, adopted");

    h.say("bob", &format!("delete {id}")).await;
    h.app().engine.wait(id).await;
    assert_eq!(h.state(id), JobState::Deleted);
    let state = h.end_state().await;
    assert_eq!(state.endpoints.len(), 1, "the adopted endpoint must stay");
    assert_eq!(state.endpoints[0].0, made_by_hand);
    assert!(state.zones.is_empty());
    assert!(h.transcript().await.contains(&format!(
        "kept (not created by the bot): VPC endpoint {made_by_hand}"
    )));
}

/// Makes the fake Zilliz answer the next request starting with `prefix`
/// with an error: instead of serving it, or (`after_effect`) after serving it.
fn inject(h: &Harness, prefix: &str, status: u16, code: i64, message: &str, after_effect: bool) {
    h.sandbox.zilliz.lock().faults.push_back(Fault {
        request_prefix: prefix.into(),
        status,
        code,
        message: message.into(),
        retry_after: None,
        after_effect,
    });
}

/// Makes Zilliz refuse the next deregistration (a non-retryable error), so
/// the teardown fails after it removed the records and zones.
fn break_deregistration(h: &Harness) {
    inject(
        h,
        "DELETE /v2/projects/",
        200,
        90002,
        "endpoint is busy",
        false,
    );
}

#[tokio::test]
async fn a_failed_delete_is_finished_by_delete_not_retry() {
    let h = Harness::start().await;
    let id = h.create_and_run().await;
    break_deregistration(&h);
    h.say("bob", &format!("delete {id}")).await;
    h.app().engine.wait(id).await;
    match h.state(id) {
        JobState::TeardownFailed {
            reason: Teardown::Delete,
            error,
        } => {
            let error = error.render(Locale::En);
            assert!(error.contains("endpoint is busy"), "{error}")
        }
        other => panic!("expected the teardown to fail, got {other:?}"),
    }
    let retry = h.click("bob", Action::Retry, id).await;
    assert!(
        retry
            .text
            .contains("Roll it back or delete it to finish the teardown"),
        "{}",
        retry.text
    );
    h.say("bob", &format!("delete {id}")).await;
    h.app().engine.wait(id).await;
    assert_eq!(h.state(id), JobState::Deleted, "{}", h.transcript().await);
    let state = h.end_state().await;
    assert!(
        state.endpoints.is_empty() && state.zones.is_empty(),
        "{state:?}"
    );
    assert!(h.registered().is_empty());
}

#[tokio::test]
async fn a_failed_rollback_cannot_be_retried_into_a_create_and_roll_back_finishes_it() {
    let h = Harness::start().await;
    let id = failed_job(&h).await;
    break_deregistration(&h);
    h.click("bob", Action::Rollback, id).await;
    h.app().engine.wait(id).await;
    assert!(
        matches!(
            h.state(id),
            JobState::TeardownFailed {
                reason: Teardown::Rollback,
                ..
            }
        ),
        "{:?}",
        h.state(id)
    );
    let t = h.transcript().await;
    assert!(t.contains("✘ Rollback failed"), "{t}");
    assert!(t.contains("[!Roll back: `rollback PL-1000`]"), "{t}");

    // Retry would re-create what the rollback removed: refused, nothing runs.
    let retry = h.click("bob", Action::Retry, id).await;
    assert!(retry.text.contains("teardown failed"), "{}", retry.text);
    h.app().engine.wait(id).await;
    assert!(matches!(h.state(id), JobState::TeardownFailed { .. }));
    assert_eq!(
        h.end_state().await.endpoints.len(),
        1,
        "the endpoint is still there, not made again"
    );

    h.click("bob", Action::Rollback, id).await;
    h.app().engine.wait(id).await;
    assert_eq!(
        h.state(id),
        JobState::RolledBack,
        "{}",
        h.transcript().await
    );
    let state = h.end_state().await;
    assert!(
        state.endpoints.is_empty() && state.zones.is_empty(),
        "{state:?}"
    );
    assert!(h.registered().is_empty());
}

fn posts(h: &Harness) -> usize {
    h.zilliz_requests("POST /v2/projects/proj-sandbox0001/privateEndpoints")
}

#[tokio::test]
async fn a_registration_answered_with_a_server_error_is_ensured_again_not_repeated_blindly() {
    let h = Harness::start().await;
    inject(
        &h,
        "POST /v2/projects/proj-sandbox0001/privateEndpoints",
        503,
        500,
        "service unavailable",
        false,
    );
    let id = h.create_and_run().await;
    assert_eq!(h.state(id), JobState::Succeeded, "{}", h.transcript().await);
    let job = h.job(id);
    assert_eq!(job.resources().registration, Some(Origin::Created));
    assert_eq!(h.registered().len(), 1);
    // The step looked (listed) before it registered again.
    assert_eq!(posts(&h), 2);
}

#[tokio::test]
async fn a_refused_permission_fails_the_step_at_once() {
    let h = Harness::start().await;
    inject(
        &h,
        "POST /v2/projects/proj-sandbox0001/privateEndpoints",
        200,
        96013,
        "no permission to operate private endpoints",
        false,
    );
    let id = h.create_and_run().await;
    let (step, error) = h.failure(id);
    assert_eq!(step, Step::EnsureRegistration);
    assert!(error.contains("96013"), "{error}");
    assert_eq!(posts(&h), 1, "a denied call is not tried again");
}

#[tokio::test]
async fn a_registration_that_acted_but_answered_a_server_error_is_found_not_repeated() {
    let h = Harness::start().await;
    inject(
        &h,
        "POST /v2/projects/proj-sandbox0001/privateEndpoints",
        503,
        500,
        "service unavailable",
        true,
    );
    let id = h.create_and_run().await;
    assert_eq!(h.state(id), JobState::Succeeded, "{}", h.transcript().await);
    assert_eq!(
        h.job(id).resources().registration,
        Some(Origin::Created),
        "registered by the job, though the answer was an error"
    );
    assert_eq!(h.registered().len(), 1);
    assert_eq!(
        posts(&h),
        1,
        "the registration was looked for, not posted again"
    );
}

#[tokio::test]
async fn a_deregistration_that_acted_but_answered_a_server_error_finishes_the_delete() {
    let h = Harness::start().await;
    let id = h.create_and_run().await;
    inject(&h, "DELETE /v2/projects/", 502, 500, "bad gateway", true);
    h.say("bob", &format!("delete {id}")).await;
    h.app().engine.wait(id).await;
    assert_eq!(h.state(id), JobState::Deleted, "{}", h.transcript().await);
    let end = h.end_state().await;
    assert!(end.endpoints.is_empty() && end.zones.is_empty(), "{end:?}");
    assert!(h.registered().is_empty());
    let deletes = h.zilliz_requests("DELETE /v2/projects/");
    assert_eq!(
        deletes, 1,
        "the teardown looked again instead of deleting again"
    );
}
