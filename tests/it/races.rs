//! Rights and transitions are judged together, against the job as stored:
//! a requester's cancel racing an approver's approve ends as exactly one of
//! them, never as a requester cancelling a job that was approved meanwhile,
//! and the audit log tells the same story as the state.

use crate::harness::{Harness, create_line};
use privatelink_bot::domain::job::JobState;
use privatelink_bot::ports::chat::Action;

const RACES: usize = 12;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_and_approve_at_once_end_as_exactly_one_of_them() {
    let h = Harness::start().await;
    let cluster = h.sandbox.clusters[0].clone();
    let (mut cancelled, mut approved) = (0, 0);
    for i in 0..RACES {
        // A VPC per race: one active job per VPC and region.
        let n = h.network(u8::try_from(100 + i).expect("octet")).await;
        let line = create_line(&n, std::slice::from_ref(&cluster));
        let id = h.say("alice", &line).await.job.expect("created");

        // Both orders of arrival, each raced: the first polled reaches the
        // store's queue first, the other is judged against what it left.
        let (cancel, approve) = if i % 2 == 0 {
            tokio::join!(
                h.click("alice", Action::Cancel, id),
                h.click("bob", Action::Approve, id)
            )
        } else {
            let (approve, cancel) = tokio::join!(
                h.click("bob", Action::Approve, id),
                h.click("alice", Action::Cancel, id)
            );
            (cancel, approve)
        };
        h.app().engine.wait(id).await;
        let job = h.job(id);
        let audit = h.app().store.audit_log(Some(id)).await.expect("audit");
        let landed = |action: &str, outcome: &str| {
            audit
                .iter()
                .filter(|e| e.action.word() == action && e.outcome.to_string() == outcome)
                .count()
        };
        match job.state() {
            JobState::Cancelled => {
                cancelled += 1;
                assert_eq!(cancel.text, format!("{id} is cancelled."));
                assert!(
                    approve.text.contains("already cancelled"),
                    "{}",
                    approve.text
                );
                assert_eq!(landed("cancel", "cancelled"), 1);
                assert_eq!(landed("approve", "approved"), 0);
            }
            JobState::Succeeded => {
                approved += 1;
                assert!(approve.text.contains("You approved"), "{}", approve.text);
                assert!(
                    cancel.text.contains("only approvers may cancel"),
                    "{}",
                    cancel.text
                );
                assert!(!job.cancel_requested());
                assert_eq!(landed("approve", "approved"), 1);
                assert_eq!(
                    audit
                        .iter()
                        .filter(|e| e.action.word() == "cancel"
                            && e.actor.to_string() == "console:alice")
                        .map(|e| e.outcome.to_string())
                        .collect::<Vec<_>>(),
                    vec![format!("refused: only approvers may cancel {id} now")],
                    "the refused cancel is audited as refused"
                );
            }
            other => {
                panic!("race {i}: {id} ended {other:?}; cancel: {cancel:?}, approve: {approve:?}")
            }
        }
    }
    assert_eq!(cancelled + approved, RACES);
    assert!(cancelled > 0 && approved > 0, "both outcomes were raced");
}
