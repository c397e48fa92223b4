//! The bot against an AWS as strict as its documentation (the sandbox's
//! proxy, on by default): a whitelisted service invisible until Zilliz
//! allows the account in, endpoints pending until Zilliz accepts them (or
//! rejected, or failed), Route 53 changes PENDING until INSYNC, zones of
//! other owners in the VPC's listing, lists that page, and DELETEs that
//! must match the record exactly.

use std::time::Duration;

use aws_sdk_route53::types::{
    AliasTarget, Change, ChangeAction, ChangeBatch, ResourceRecordSet, RrType,
};
use privatelink_bot::domain::job::{JobState, Step};
use privatelink_bot::ports::chat::Action;
use privatelink_bot::sandbox::aws_proxy::{ForeignZone, ZoneOwner};
use privatelink_bot::sandbox::{PROJECT, ZILLIZ_REGION};

use crate::harness::Harness;

fn refusals(h: &Harness, code: &str) -> usize {
    h.sandbox
        .proxy
        .lock()
        .strict
        .refusals
        .iter()
        .filter(|r| r.starts_with(code))
        .count()
}

#[tokio::test]
async fn a_whitelist_required_region_goes_from_invisible_to_verified() {
    let h = Harness::start().await;
    h.sandbox.proxy.lock().strict.visibility_delay = Duration::from_secs(3);
    assert!(h.sandbox.zilliz.lock().services[0].whitelist_required);

    // Preflight cannot see the service, and says what step 1 will do
    // instead of refusing the request.
    let id = h.create().await;
    assert_eq!(h.state(id), JobState::PendingApproval);
    let card = h.transcript().await;
    assert!(
        card.contains("requires a whitelist and is not visible to AWS account 123456789012 yet"),
        "{card}"
    );
    let before = refusals(&h, "InvalidServiceName");
    assert!(before >= 1, "AWS hid the service from preflight");

    let reply = h.click("bob", Action::Approve, id).await;
    assert!(reply.text.contains("approved"), "{}", reply.text);
    h.app().engine.wait(id).await;
    let t = h.transcript().await;
    assert_eq!(h.state(id), JobState::Succeeded, "{t}");
    assert!(
        refusals(&h, "InvalidServiceName") > before,
        "still invisible right after step 1 allowed the account in"
    );
    assert!(t.contains("not visible yet"), "the wait was said: {t}");
    assert_eq!(h.end_state().await.endpoints.len(), 1);
}

#[tokio::test]
async fn an_endpoint_waits_in_pending_acceptance_until_zilliz_accepts() {
    let h = Harness::start().await;
    h.sandbox.zilliz.lock().accept_after_reads = 6;
    let id = h.create_and_run().await;
    let t = h.transcript().await;
    assert_eq!(h.state(id), JobState::Succeeded, "{t}");
    // Created waiting for the provider, as AWS answers CreateVpcEndpoint;
    // the job went on only once Zilliz had accepted it.
    let created = t
        .lines()
        .find(|l| l.contains("✔ step 2/8"))
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(created.contains("(pendingacceptance)"), "{t}");
    let endpoint = h.job(id).resources().endpoint.clone().expect("endpoint").id;
    assert_eq!(
        h.sandbox.zilliz.lock().acceptance(endpoint.as_str()),
        privatelink_bot::sandbox::fake_zilliz::Acceptance::Accepted
    );
    let end = h.end_state().await;
    assert_eq!(end.endpoints.len(), 1, "{end:?}");
}

#[tokio::test]
async fn a_rejected_endpoint_ends_the_wait_with_what_to_do_and_rolls_back() {
    let h = Harness::start().await;
    h.sandbox.zilliz.lock().reject_registrations = true;
    let id = h.create_and_run().await;
    let (step, error) = h.failure(id);
    assert_eq!(step, Step::WaitAccepted);
    assert!(error.contains("rejected the connection"), "{error}");
    assert!(error.contains("cannot be resubmitted"), "{error}");
    h.click("bob", Action::Rollback, id).await;
    h.app().engine.wait(id).await;
    assert_eq!(
        h.state(id),
        JobState::RolledBack,
        "{}",
        h.transcript().await
    );
    assert!(h.end_state().await.endpoints.is_empty());
}

#[tokio::test]
async fn a_failed_endpoint_ends_the_wait_with_what_to_do() {
    let h = Harness::start().await;
    h.sandbox.proxy.lock().strict.fail_new_endpoints = true;
    let id = h.create_and_run().await;
    let (step, error) = h.failure(id);
    assert_eq!(step, Step::WaitAccepted);
    assert!(error.contains("could not create"), "{error}");
}

#[tokio::test]
async fn success_is_announced_only_once_route53_is_in_sync() {
    let h = Harness::start().await;
    h.sandbox.proxy.lock().strict.insync_after = Duration::from_secs(2);
    let id = h.create_and_run().await;
    assert_eq!(h.state(id), JobState::Succeeded, "{}", h.transcript().await);
    let answers = h.sandbox.proxy.lock().strict.change_answers.clone();
    assert!(
        answers.iter().any(|(_, s)| *s == "PENDING"),
        "the record change was PENDING at first: {answers:?}"
    );
    assert_eq!(
        answers.last().map(|(_, s)| *s),
        Some("INSYNC"),
        "the job went on only once it was INSYNC: {answers:?}"
    );
}

#[tokio::test]
async fn a_zone_of_another_owner_is_named_and_never_touched() {
    let h = Harness::start().await;
    let host = h.sandbox.hosts()[0].clone();
    h.sandbox
        .proxy
        .lock()
        .strict
        .foreign_zones
        .push(ForeignZone {
            id: "Z0SHARED000000000000001".to_owned(),
            name: format!("{host}."),
            owner: ZoneOwner::Account("210987654321".to_owned()),
        });
    let id = h.create_and_run().await;
    let (step, error) = h.failure(id);
    assert_eq!(step, Step::EnsureZones);
    assert!(
        error.contains("owned by AWS account 210987654321"),
        "{error}"
    );
    assert!(error.contains("Z0SHARED000000000000001"), "{error}");
    assert_eq!(
        refusals(&h, "AccessDenied"),
        0,
        "the other owner's zone was never read"
    );
    assert!(h.end_state().await.zones.is_empty());
}

#[tokio::test]
async fn zones_and_registrations_past_the_first_page_are_found() {
    let h = Harness::start_with(3, |_| {}, None).await;
    {
        // Another team's endpoints fill the project's first page.
        let mut z = h.sandbox.zilliz.lock();
        for i in 0..120 {
            z.add_registration(PROJECT, ZILLIZ_REGION, &format!("vpce-0other{i:012x}"));
        }
    }
    let id = h.create_and_run().await;
    assert_eq!(h.state(id), JobState::Succeeded, "{}", h.transcript().await);
    assert!(
        h.sandbox.proxy.lock().strict.later_pages > 0,
        "the VPC's zones took more than one page"
    );
    let ours = h.job(id).resources().endpoint.clone().expect("endpoint").id;
    assert!(h.registered().contains(&ours.to_string()));
    h.say("bob", &format!("delete {id}")).await;
    h.app().engine.wait(id).await;
    assert_eq!(h.state(id), JobState::Deleted, "{}", h.transcript().await);
    assert!(
        !h.registered().contains(&ours.to_string()),
        "found past the first page, and deregistered"
    );
    assert_eq!(h.registered().len(), 120, "nobody else's touched");
    let end = h.end_state().await;
    assert!(end.zones.is_empty() && end.endpoints.is_empty(), "{end:?}");
}

#[tokio::test]
async fn a_record_changed_by_hand_is_deleted_exactly_as_it_reads() {
    let h = Harness::start().await;
    let id = h.create_and_run().await;
    assert_eq!(h.state(id), JobState::Succeeded, "{}", h.transcript().await);
    // Someone turns on health evaluation for the alias by hand.
    let job = h.job(id);
    let c = &job.resources().clusters[0];
    let endpoint = job.resources().endpoint.clone().expect("endpoint");
    let r53 = aws_sdk_route53::Client::new(&h.sandbox.aws);
    let record = ResourceRecordSet::builder()
        .name(&c.host)
        .r#type(RrType::A)
        .alias_target(
            AliasTarget::builder()
                .dns_name(endpoint.dns_name.clone().expect("dns"))
                .hosted_zone_id(endpoint.hosted_zone_id.clone().expect("zone"))
                .evaluate_target_health(true)
                .build()
                .expect("alias"),
        )
        .build()
        .expect("record");
    r53.change_resource_record_sets()
        .hosted_zone_id(c.zone_id.clone().expect("zone id"))
        .change_batch(
            ChangeBatch::builder()
                .changes(
                    Change::builder()
                        .action(ChangeAction::Upsert)
                        .resource_record_set(record)
                        .build()
                        .expect("change"),
                )
                .build()
                .expect("batch"),
        )
        .send()
        .await
        .expect("upsert by hand");

    h.say("bob", &format!("delete {id}")).await;
    h.app().engine.wait(id).await;
    assert_eq!(h.state(id), JobState::Deleted, "{}", h.transcript().await);
    assert_eq!(
        refusals(&h, "InvalidChangeBatch"),
        0,
        "the DELETE matched the record"
    );
    assert!(h.end_state().await.zones.is_empty());
}
