//! Fifty one-cluster jobs approved at once, on moto and the fake Zilliz
//! Cloud, several rounds in one test: every job verified, every job then
//! deleted at once, and the store never stuck. Before the store had one
//! writer, ten concurrent approvals could freeze the whole process.

use futures_util::future::join_all;
use privatelink_bot::domain::ids::JobId;
use privatelink_bot::domain::job::JobState;
use privatelink_bot::ports::chat::Action;
use privatelink_bot::sandbox::REGION;
use privatelink_bot::sandbox::fixtures;
use std::time::Duration;

use crate::harness::{Harness, create_line};
use crate::store::live;

const JOBS: usize = 50;
const ROUNDS: usize = 3;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_jobs_approved_at_once_all_finish_verified_round_after_round() {
    let h = Harness::start_with(
        JOBS,
        |c| c.store.liveness_bound = Duration::from_secs(20),
        None,
    )
    .await;
    // One VPC per job (one active job per VPC and region), one cluster each.
    let mut networks = Vec::new();
    for i in 0..JOBS {
        networks.push(h.network(u8::try_from(11 + i).expect("octet")).await);
    }
    let hosts = h.sandbox.hosts();
    let store = h.app().store.clone();

    for round in 0..ROUNDS {
        live(&store, async {
            let lines: Vec<String> = networks
                .iter()
                .zip(&h.sandbox.clusters)
                .map(|(n, c)| create_line(n, std::slice::from_ref(c)))
                .collect();
            let created = join_all(lines.iter().map(|l| h.say("alice", l))).await;
            let ids: Vec<JobId> = created
                .iter()
                .map(|r| r.job.unwrap_or_else(|| panic!("round {round}: {}", r.text)))
                .collect();

            let approved =
                join_all(ids.iter().map(|&id| h.click("bob", Action::Approve, id))).await;
            for (id, reply) in ids.iter().zip(&approved) {
                assert!(reply.text.contains("approved"), "{id}: {}", reply.text);
            }
            for &id in &ids {
                h.app().engine.wait(id).await;
            }
            for (i, &id) in ids.iter().enumerate() {
                assert_eq!(h.state(id), JobState::Succeeded, "round {round}, {id}");
                fixtures::end_state(&h.sandbox.aws, REGION, &networks[i].vpc)
                    .await
                    .expect("end state")
                    .verify(&hosts[i..=i])
                    .unwrap_or_else(|e| panic!("round {round}, {id}: {e}"));
            }

            let deletes: Vec<String> = ids.iter().map(|id| format!("delete {id}")).collect();
            join_all(deletes.iter().map(|l| h.say("bob", l))).await;
            for &id in &ids {
                h.app().engine.wait(id).await;
            }
            for (i, &id) in ids.iter().enumerate() {
                assert_eq!(h.state(id), JobState::Deleted, "round {round}, {id}");
                let end = fixtures::end_state(&h.sandbox.aws, REGION, &networks[i].vpc)
                    .await
                    .expect("end state");
                assert!(
                    end.endpoints.is_empty() && end.zones.is_empty(),
                    "round {round}, {id}: {end:?}"
                );
            }
        })
        .await;
    }
    let figures = store.writer_figures();
    assert!(
        figures.flushes < figures.changes,
        "concurrent jobs share flushes: {figures:?}"
    );
}
