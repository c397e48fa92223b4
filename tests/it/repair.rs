//! Repair in one click, on moto, the AWS proxy and the fake Zilliz Cloud:
//! each fact of a working link broken by hand after the job succeeded is
//! told once after two checks, with a Repair button whose preview names
//! the change; a click by an approver puts the link back, verified end to
//! end, with no second endpoint, zone or record; and the watch is quiet
//! after. What the bot did not make (a security group rule) has no Repair,
//! only "Accept as is", which stops the telling.

use aws_sdk_route53::types::{ChangeAction, VpcRegion};
use privatelink_bot::domain::ids::JobId;
use privatelink_bot::domain::job::JobState;
use privatelink_bot::ports::chat::Action;
use privatelink_bot::sandbox::{PROJECT, REGION};

use crate::drift::{alias_by_hand, alias_to};
use crate::harness::Harness;

const DRIFTED: &str = "has drifted";
const REPAIRED: &str = "is repaired and verified";

/// Two sweeps (a drift counts once two checks in a row saw it): the
/// note, told once, with what a repair would change.
async fn told_drifted(h: &Harness, told: &str) -> String {
    let watch = h.app().watch.clone();
    watch.sweep().await;
    assert_eq!(
        watch.sweep().await.drifted,
        1,
        "confirmed on the second check"
    );
    let transcript = h.transcript().await;
    assert_eq!(transcript.matches(DRIFTED).count(), 1, "{transcript}");
    assert!(transcript.contains(told), "{told:?} in:\n{transcript}");
    transcript
}

/// bob clicks Repair; the job runs `Repairing` back to `Succeeded`, the
/// link is verified with one of each in the VPC, and the watch is quiet.
async fn repaired(h: &Harness, id: JobId, hosts: &[String]) -> String {
    let reply = h.click("bob", Action::Repair, id).await;
    assert!(reply.text.contains("Repairing"), "{}", reply.text);
    h.app().engine.wait(id).await;
    assert_eq!(h.state(id), JobState::Succeeded);
    if h.job(id).health().is_drifted() {
        panic!("still drifted after the repair:\n{}", h.transcript().await);
    }
    if let Err(e) = h.end_state().await.verify(hosts) {
        panic!("{e}\n{}", h.transcript().await);
    }
    let watch = h.app().watch.clone();
    for _ in 0..3 {
        assert_eq!(watch.sweep().await.drifted, 0);
    }
    let transcript = h.transcript().await;
    assert_eq!(transcript.matches(REPAIRED).count(), 1, "{transcript}");
    assert_eq!(transcript.matches(DRIFTED).count(), 1, "{transcript}");
    assert!(!transcript.contains("holds again"), "{transcript}");
    transcript
}

#[tokio::test]
async fn a_deleted_alias_is_repaired_with_the_upsert_its_preview_names() {
    let h = Harness::start().await;
    let id = h.create_and_run().await;
    alias_by_hand(&h, id, ChangeAction::Delete).await;
    let told = told_drifted(&h, "was deleted").await;
    let job = h.job(id);
    let (c, e) = (
        &job.resources().clusters[0],
        job.resources().endpoint.clone(),
    );
    let preview = format!(
        "UPSERT alias {} in {} → {}",
        c.host,
        c.zone_id.clone().expect("zone"),
        e.and_then(|e| e.dns_name).expect("the endpoint's name")
    );
    assert!(told.contains(&preview), "{preview:?} in:\n{told}");
    assert!(
        told.contains(&format!("[*Repair: `repair {id}`]")),
        "{told}"
    );
    let calls = h.sandbox.proxy.lock().actions.len();
    repaired(&h, id, &h.sandbox.hosts()).await;
    let made: Vec<String> = h.sandbox.proxy.lock().actions[calls..]
        .iter()
        .filter(|a| a.starts_with("Create") || a.contains("ChangeResourceRecordSets"))
        .cloned()
        .collect();
    assert_eq!(made.len(), 1, "only the alias is written: {made:?}");
}

#[tokio::test]
async fn a_repointed_alias_is_pointed_back() {
    let h = Harness::start().await;
    let id = h.create_and_run().await;
    let elsewhere = "vpce-0elsewhere.vpce-svc-0.us-west-2.vpce.amazonaws.com";
    alias_to(&h, id, ChangeAction::Upsert, Some(elsewhere)).await;
    told_drifted(&h, &format!("now points at {elsewhere}")).await;
    repaired(&h, id, &h.sandbox.hosts()).await;
}

#[tokio::test]
async fn a_zone_detached_from_the_vpc_is_associated_again_not_made_anew() {
    let h = Harness::start().await;
    let id = h.create_and_run().await;
    let zone = h.job(id).resources().clusters[0]
        .zone_id
        .clone()
        .expect("zone");
    // AWS keeps a private zone on at least one VPC: someone moves it.
    let other = h.network(61).await;
    let r53 = aws_sdk_route53::Client::new(&h.sandbox.aws);
    let vpc = |id: &str| {
        aws_sdk_route53::types::Vpc::builder()
            .vpc_id(id)
            .vpc_region(VpcRegion::from(REGION))
            .build()
    };
    r53.associate_vpc_with_hosted_zone()
        .hosted_zone_id(zone.as_str())
        .vpc(vpc(&other.vpc))
        .send()
        .await
        .expect("associated by hand");
    r53.disassociate_vpc_from_hosted_zone()
        .hosted_zone_id(zone.as_str())
        .vpc(vpc(&h.sandbox.network.vpc))
        .send()
        .await
        .expect("detached by hand");
    told_drifted(&h, "is no longer associated with the VPC").await;
    repaired(&h, id, &h.sandbox.hosts()).await;
    let after = h.job(id);
    assert_eq!(
        after.resources().clusters[0].zone_id,
        Some(zone),
        "the same zone"
    );
}

#[tokio::test]
async fn a_deleted_endpoint_is_made_again_with_the_approval_a_create_needs() {
    let h = Harness::start().await;
    let line = crate::harness::create_line(&h.sandbox.network, &h.sandbox.clusters);
    let id = h.say("bob", &line).await.job.expect("created");
    h.click_as("carol", &["ops"], Action::Approve, id).await;
    h.app().engine.wait(id).await;
    let old = h.job(id).resources().endpoint.clone().expect("endpoint").id;
    h.delete_endpoint_by_hand(old.as_str()).await;
    let told = told_drifted(&h, "VPC endpoint is gone").await;
    assert!(told.contains("create a new VPC endpoint"), "{told}");
    assert!(
        told.contains("an approver other than console:bob"),
        "{told}"
    );
    let refused = h.click("bob", Action::Repair, id).await;
    assert!(
        refused.text.contains("approval as a create does"),
        "{}",
        refused.text
    );
    assert_eq!(
        h.state(id),
        JobState::Succeeded,
        "a refusal changes nothing"
    );
    let reply = h.click_as("carol", &["ops"], Action::Repair, id).await;
    assert!(reply.text.contains("Repairing"), "{}", reply.text);
    h.app().engine.wait(id).await;
    let new = h.job(id).resources().endpoint.clone().expect("endpoint").id;
    assert_ne!(new, old);
    h.end_state()
        .await
        .verify(&h.sandbox.hosts())
        .expect("one of each");
    assert!(
        h.sandbox
            .zilliz
            .lock()
            .registered(PROJECT)
            .contains(&new.to_string())
    );
    assert!(h.transcript().await.contains(REPAIRED));
}

#[tokio::test]
async fn an_endpoint_zilliz_rejected_is_replaced_and_the_rejected_one_deleted() {
    let h = Harness::start().await;
    let id = h.create_and_run().await;
    let old = h.job(id).resources().endpoint.clone().expect("endpoint").id;
    h.sandbox.zilliz.lock().reject(old.as_str());
    told_drifted(&h, "VPC endpoint is rejected").await;
    repaired(&h, id, &h.sandbox.hosts()).await;
    assert_ne!(
        h.job(id).resources().endpoint.clone().expect("endpoint").id,
        old
    );
}

#[tokio::test]
async fn a_registration_removed_in_the_console_is_registered_again() {
    let h = Harness::start().await;
    let id = h.create_and_run().await;
    let endpoint = h.job(id).resources().endpoint.clone().expect("endpoint").id;
    h.sandbox
        .zilliz
        .lock()
        .remove_registration(PROJECT, endpoint.as_str());
    let told = told_drifted(&h, "no longer registered").await;
    assert!(
        told.contains(&format!("register {endpoint} with project")),
        "{told}"
    );
    repaired(&h, id, &h.sandbox.hosts()).await;
    assert_eq!(
        h.job(id).resources().endpoint.clone().expect("e").id,
        endpoint
    );
    assert_eq!(
        h.sandbox.zilliz.lock().registered(PROJECT),
        vec![endpoint.to_string()]
    );
}

#[tokio::test]
async fn a_moved_cluster_address_gets_its_new_zone_and_the_old_one_goes() {
    let h = Harness::start().await;
    let id = h.create_and_run().await;
    let cluster = h.sandbox.clusters[0].clone();
    let host = format!("{cluster}-privatelink-2.aws-us-west-2.vectordb.zillizcloud.com");
    let port = privatelink_bot::sandbox::fake_zilliz::PRIVATE_LINK_PORT;
    h.sandbox
        .zilliz
        .lock()
        .moved
        .insert(cluster, format!("https://{host}:{port}"));
    let told = told_drifted(&h, "private link address of").await;
    assert!(
        told.contains("the zone the bot made for the old one is deleted"),
        "{told}"
    );
    repaired(&h, id, std::slice::from_ref(&host)).await;
    assert_eq!(h.job(id).resources().clusters[0].host, host);
}

#[tokio::test]
async fn a_closed_port_has_no_repair_and_accepted_it_is_told_no_more() {
    let h = Harness::start().await;
    let id = h.create_and_run().await;
    h.close_port_by_hand().await;
    let told = told_drifted(&h, "no longer let port").await;
    assert!(!told.contains("[Repair"), "{told}");
    assert!(
        told.contains(&format!("[Accept as is: `accept {id}`]")),
        "{told}"
    );
    let refused = h.click("bob", Action::Repair, id).await;
    assert!(
        refused.text.contains("nothing the bot can put back"),
        "{}",
        refused.text
    );
    let reply = h.click("bob", Action::Accept, id).await;
    assert!(reply.text.contains("Accepted as is"), "{}", reply.text);
    let watch = h.app().watch.clone();
    for _ in 0..4 {
        assert_eq!(watch.sweep().await.drifted, 0);
    }
    let after = h.transcript().await;
    assert_eq!(after.matches(DRIFTED).count(), 1, "told no more:\n{after}");
    let again = h.click("bob", Action::Accept, id).await;
    assert!(again.text.contains("no drift to accept"), "{}", again.text);
}

#[tokio::test]
async fn a_shared_endpoint_deleted_by_hand_is_made_again_once_for_both_jobs() {
    let h = Harness::start_with(2, |_| {}, None).await;
    let clusters = h.sandbox.clusters.clone();
    let (a, b) = (h.link(&clusters[..1]).await, h.link(&clusters[..]).await);
    let old = h.job(a).resources().endpoint.clone().expect("endpoint").id;
    h.delete_endpoint_by_hand(old.as_str()).await;
    h.app().watch.sweep().await;
    assert_eq!(h.app().watch.sweep().await.drifted, 2);
    let told = h.transcript().await;
    assert_eq!(told.matches(DRIFTED).count(), 1, "one report:\n{told}");
    assert_eq!(told.matches("[*Repair").count(), 1, "one Repair:\n{told}");
    let elsewhere = h.click("bob", Action::Repair, b).await;
    assert!(
        elsewhere.text.contains(&format!("Repair in {a}'s thread")),
        "{}",
        elsewhere.text
    );

    let reply = h.click("bob", Action::Repair, a).await;
    assert!(reply.text.contains("Repairing"), "{}", reply.text);
    h.app().engine.wait(a).await;
    h.app().engine.wait(b).await;
    let new = h.job(a).resources().endpoint.clone().expect("endpoint").id;
    assert_ne!(new, old);
    for id in [a, b] {
        assert_eq!(h.state(id), JobState::Succeeded);
        assert!(!h.job(id).health().is_drifted(), "{id}");
        assert_eq!(
            h.job(id).resources().endpoint.clone().map(|e| e.id),
            Some(new.clone())
        );
    }
    h.end_state()
        .await
        .verify(&h.sandbox.hosts())
        .expect("one endpoint, one zone and record per host");
    for _ in 0..3 {
        assert_eq!(h.app().watch.sweep().await.drifted, 0);
    }
    let after = h.transcript().await;
    assert_eq!(after.matches(REPAIRED).count(), 2, "{after}");
    assert!(
        after.contains(&format!("{b} shared the endpoint {a}'s repair replaced")),
        "{after}"
    );
}
