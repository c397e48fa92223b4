//! Two jobs on one VPC and region share what the first one made: the second
//! adopts the endpoint, its registration, and the zone and record of the
//! cluster they have in common. Deleting either leaves the other verified;
//! deleting both leaves nothing.

use privatelink_bot::domain::ids::JobId;
use privatelink_bot::domain::job::{JobState, Origin};
use privatelink_bot::ports::chat::Action;

use crate::backing::Backing;
use crate::harness::{Harness, create_line};

async fn run(h: &Harness, clusters: &[String]) -> JobId {
    let id = h
        .say("alice", &create_line(&h.sandbox.network, clusters))
        .await
        .job
        .expect("created");
    h.click("bob", Action::Approve, id).await;
    h.app().engine.wait(id).await;
    assert_eq!(h.state(id), JobState::Succeeded, "{}", h.transcript().await);
    id
}

async fn delete(h: &Harness, id: JobId) {
    h.say("bob", &format!("delete {id}")).await;
    h.app().engine.wait(id).await;
    assert_eq!(h.state(id), JobState::Deleted, "{}", h.transcript().await);
}

/// Job A links cluster 1; job B, later, clusters 1 and 2 on the same VPC.
async fn two_jobs_sharing(backing: &Backing) -> (Harness, JobId, JobId) {
    let h = Harness::start_with(2, |c| backing.configure(c), None).await;
    let clusters = h.sandbox.clusters.clone();
    let a = run(&h, &clusters[..1]).await;
    let b = run(&h, &clusters).await;
    let (ja, jb) = (h.job(a), h.job(b));
    let (ea, eb) = (
        ja.resources().endpoint.clone().expect("A's endpoint"),
        jb.resources().endpoint.clone().expect("B's endpoint"),
    );
    assert_eq!(ea.id, eb.id, "B adopted A's endpoint");
    assert_eq!((ea.origin, eb.origin), (Origin::Created, Origin::Adopted));
    assert_eq!(jb.resources().registration, Some(Origin::Adopted));
    assert_eq!(
        jb.resources().clusters[0].zone_id,
        ja.resources().clusters[0].zone_id,
        "B adopted A's zone for cluster 1"
    );
    assert!(
        h.transcript()
            .await
            .contains(&format!("made by {a}; shared")),
        "{}",
        h.transcript().await
    );
    h.end_state()
        .await
        .verify(&h.sandbox.hosts())
        .expect("both clusters linked");
    (h, a, b)
}

crate::on_both_backends!(
    deleting_the_first_job_keeps_what_the_second_uses_then_the_second_takes_it_all
);

async fn deleting_the_first_job_keeps_what_the_second_uses_then_the_second_takes_it_all(
    backing: Backing,
) {
    let (h, a, b) = two_jobs_sharing(&backing).await;
    delete(&h, a).await;
    let t = h.transcript().await;
    let endpoint = h.job(b).resources().endpoint.clone().expect("endpoint").id;
    assert!(
        t.contains(&format!(
            "kept (still used by {b}): VPC endpoint {endpoint}"
        )),
        "{t}"
    );
    h.end_state()
        .await
        .verify(&h.sandbox.hosts())
        .expect("B is still linked: endpoint, zones and records in place");
    assert_eq!(h.registered(), vec![endpoint.to_string()]);

    delete(&h, b).await;
    let end = h.end_state().await;
    assert!(
        end.endpoints.is_empty() && end.zones.is_empty(),
        "the last user takes what the bot made: {end:?}"
    );
    assert!(h.registered().is_empty());
}

crate::on_both_backends!(
    deleting_the_second_job_keeps_what_the_first_uses_then_the_first_takes_it_all
);

async fn deleting_the_second_job_keeps_what_the_first_uses_then_the_first_takes_it_all(
    backing: Backing,
) {
    let (h, a, b) = two_jobs_sharing(&backing).await;
    delete(&h, b).await;
    h.end_state()
        .await
        .verify(&h.sandbox.hosts()[..1])
        .expect("A is still linked, and B's own zone is gone");

    delete(&h, a).await;
    let end = h.end_state().await;
    assert!(end.endpoints.is_empty() && end.zones.is_empty(), "{end:?}");
    assert!(h.registered().is_empty());
}
