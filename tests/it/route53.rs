//! How the DNS steps read AWS's answers where moto's differ from AWS's:
//! the order of an endpoint's DNS entries, and a zone creation answered
//! with `ConflictingDomainExists`, through the AWS behaviour proxy.

use privatelink_bot::domain::job::{JobState, Origin};
use privatelink_bot::sandbox::aws_proxy::{DryRun, Fault};

use crate::harness::Harness;

const CONFLICT: &str = "ConflictingDomainExists";

fn conflict() -> Fault {
    Fault::error(
        "CreateHostedZone",
        400,
        CONFLICT,
        "A hosted zone with the specified name already exists and is associated with the VPC.",
    )
}

#[tokio::test]
async fn the_alias_targets_the_regional_entry_when_a_zonal_one_is_listed_first() {
    let (h, proxy) = Harness::behind_aws_proxy(DryRun::Allowed).await;
    proxy.lock().zonal_first = true;
    let id = h.create_and_run().await;
    assert_eq!(h.state(id), JobState::Succeeded, "{}", h.transcript().await);
    // The end state is read from moto directly, whose only entry is the
    // regional one: the alias must point there, not at the zonal entry the
    // proxy listed first.
    h.end_state()
        .await
        .verify(&h.sandbox.hosts())
        .expect("the alias targets the endpoint's regional entry");
    let recorded = h
        .job(id)
        .resources()
        .endpoint
        .clone()
        .and_then(|e| e.dns_name);
    assert!(
        recorded
            .as_deref()
            .is_some_and(|n| !n.contains("us-west-2a")),
        "recorded {recorded:?}"
    );
}

#[tokio::test]
async fn a_zone_created_but_answered_with_a_conflict_is_found_and_kept_as_the_jobs() {
    let (h, proxy) = Harness::behind_aws_proxy(DryRun::Allowed).await;
    proxy.lock().faults = vec![conflict().after_effect()];
    let id = h.create_and_run().await;
    assert_eq!(h.state(id), JobState::Succeeded, "{}", h.transcript().await);
    assert!(proxy.lock().faults.is_empty(), "the conflict was answered");
    h.end_state()
        .await
        .verify(&h.sandbox.hosts())
        .expect("one zone, not a second after the conflict");
    let creates = proxy.lock().count("CreateHostedZone");
    assert_eq!(creates, 1, "looked again instead of creating again");
    let job = h.job(id);
    assert_eq!(
        job.resources().clusters[0].zone_origin,
        Some(Origin::Created),
        "its caller reference says the job made it, so teardown removes it"
    );
}

#[tokio::test]
async fn a_conflicting_zone_the_account_cannot_see_fails_the_step_and_says_why() {
    let (h, proxy) = Harness::behind_aws_proxy(DryRun::Allowed).await;
    proxy.lock().faults = vec![conflict()];
    let id = h.create_and_run().await;
    assert!(
        matches!(h.state(id), JobState::Failed { .. }),
        "{:?}",
        h.state(id)
    );
    let transcript = h.transcript().await;
    assert!(
        transcript.contains("already associated with") && transcript.contains("disassociate"),
        "{transcript}"
    );
    assert!(transcript.contains(CONFLICT), "{transcript}");
    assert!(h.end_state().await.zones.is_empty());
}
