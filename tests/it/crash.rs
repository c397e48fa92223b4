//! A crash between any two steps, or between a step's cloud effect and its
//! record, followed by a restart on the same sled directory, ends with
//! exactly one endpoint, one zone and one record per cluster. moto ignores
//! ClientToken and accepts duplicate CallerReferences, so only the bot's own
//! look-ups can make this hold.

use std::sync::Arc;

use privatelink_bot::domain::job::{JobState, Origin, Step};
use privatelink_bot::engine::HookPoint;
use privatelink_bot::ports::chat::Action;
use tokio::sync::Notify;

use crate::harness::{CrashAt, Harness};

async fn crash_then_resume(step: Step, point: HookPoint) {
    let crash = Arc::new(CrashAt {
        step,
        point,
        reached: Notify::new(),
    });
    let mut h = Harness::start_with(1, |_| {}, Some(crash.clone())).await;
    let id = h.create().await;
    h.click("bob", Action::Approve, id).await;
    crash.reached.notified().await;

    let resumed = h.crash_and_restart(None).await;
    assert_eq!(resumed, vec![id], "the restarted engine resumes the job");
    h.app().engine.wait(id).await;

    let job = h.job(id);
    assert_eq!(
        *job.state(),
        JobState::Succeeded,
        "after a crash at {step} {point:?}:\n{}",
        h.transcript().await
    );
    let state = h.end_state().await;
    state
        .verify(&h.sandbox.hosts())
        .unwrap_or_else(|e| panic!("after a crash at {step} {point:?}: {e}"));
    // What the job owns is what it made, so teardown will remove it.
    let endpoint = job.resources().endpoint.clone().expect("endpoint");
    assert_eq!(endpoint.origin, Origin::Created);
    assert_eq!(job.resources().registration, Some(Origin::Created));
    assert_eq!(h.registered(), vec![endpoint.id.to_string()]);
    assert!(
        job.resources()
            .clusters
            .iter()
            .all(|c| c.zone_origin == Some(Origin::Created))
    );
}

macro_rules! crash_tests {
    ($($name:ident: $step:expr, $point:expr;)*) => {
        $(
            #[tokio::test]
            async fn $name() {
                crash_then_resume($step, $point).await;
            }
        )*
    };
}

crash_tests! {
    crash_before_resolving_the_service: Step::ResolveService, HookPoint::Started;
    crash_after_resolving_the_service: Step::ResolveService, HookPoint::Effected;
    crash_before_creating_the_endpoint: Step::EnsureEndpoint, HookPoint::Started;
    crash_after_creating_the_endpoint_unrecorded: Step::EnsureEndpoint, HookPoint::Effected;
    crash_before_registering: Step::EnsureRegistration, HookPoint::Started;
    crash_after_registering_unrecorded: Step::EnsureRegistration, HookPoint::Effected;
    crash_while_waiting_for_acceptance: Step::WaitAccepted, HookPoint::Started;
    crash_after_acceptance_unrecorded: Step::WaitAccepted, HookPoint::Effected;
    crash_before_reading_addresses: Step::ReadAddresses, HookPoint::Started;
    crash_after_reading_addresses_unrecorded: Step::ReadAddresses, HookPoint::Effected;
    crash_before_creating_zones: Step::EnsureZones, HookPoint::Started;
    crash_after_creating_zones_unrecorded: Step::EnsureZones, HookPoint::Effected;
    crash_before_upserting_records: Step::UpsertRecords, HookPoint::Started;
    crash_after_upserting_records_unrecorded: Step::UpsertRecords, HookPoint::Effected;
    crash_before_verifying: Step::Verify, HookPoint::Started;
    crash_after_verifying_unrecorded: Step::Verify, HookPoint::Effected;
}

#[tokio::test]
async fn two_crashes_in_a_row_still_leave_one_of_each() {
    let first = Arc::new(CrashAt {
        step: Step::EnsureEndpoint,
        point: HookPoint::Effected,
        reached: Notify::new(),
    });
    let mut h = Harness::start_with(1, |_| {}, Some(first.clone())).await;
    let id = h.create().await;
    h.click("bob", Action::Approve, id).await;
    first.reached.notified().await;
    let second = Arc::new(CrashAt {
        step: Step::EnsureZones,
        point: HookPoint::Effected,
        reached: Notify::new(),
    });
    h.crash_and_restart(Some(second.clone())).await;
    second.reached.notified().await;
    h.crash_and_restart(None).await;
    h.app().engine.wait(id).await;
    assert_eq!(h.state(id), JobState::Succeeded);
    h.end_state()
        .await
        .verify(&h.sandbox.hosts())
        .expect("one of each");
}
