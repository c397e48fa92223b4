//! Where Zilliz's endpoint service says `whitelistRequired`, the job allows
//! its AWS account in (the documented call) before it creates the endpoint,
//! once; where it does not, never. The fake accepts no endpoint of a
//! service that requires it until the account is allowed in.

use privatelink_bot::domain::job::JobState;

use crate::harness::Harness;

fn whitelist_calls(h: &Harness) -> usize {
    h.zilliz_requests(&format!(
        "POST /v2/projects/{}/privateEndpointWhitelist",
        privatelink_bot::sandbox::PROJECT
    ))
}

#[tokio::test]
async fn a_service_that_requires_it_gets_the_account_allowed_in_once() {
    let h = Harness::start().await;
    let id = h.create_and_run().await;
    assert_eq!(h.state(id), JobState::Succeeded, "{}", h.transcript().await);
    assert_eq!(whitelist_calls(&h), 1);
    let allowed = h.sandbox.zilliz.lock().whitelisted.contains_key(&(
        privatelink_bot::sandbox::PROJECT.to_owned(),
        privatelink_bot::sandbox::ZILLIZ_REGION.to_owned(),
        "123456789012".to_owned(),
    ));
    assert!(allowed);
    assert!(
        h.transcript()
            .await
            .contains("allowed AWS account 123456789012 into it (whitelistRequired)"),
        "{}",
        h.transcript().await
    );
}

#[tokio::test]
async fn a_service_that_does_not_require_it_never_sees_the_call() {
    let h = Harness::start().await;
    h.sandbox.zilliz.lock().services[0].whitelist_required = false;
    let id = h.create_and_run().await;
    assert_eq!(h.state(id), JobState::Succeeded, "{}", h.transcript().await);
    assert_eq!(whitelist_calls(&h), 0);
}
