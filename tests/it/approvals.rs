//! Who may decide, when, and how often: rights are checked against the
//! stored job on every click.

use std::sync::Arc;
use std::time::Duration;

use privatelink_bot::domain::job::{JobState, Step};
use privatelink_bot::engine::HookPoint;
use privatelink_bot::ports::chat::Action;
use privatelink_bot::service::Event;
use tokio::sync::Notify;

use crate::harness::{CrashAt, Harness};

#[tokio::test]
async fn a_requester_cannot_approve_their_own_job() {
    let h = Harness::start().await;
    let id = h.create().await;
    // alice holds the approver role, but asked for the job herself.
    let reply = h.click_as("alice", &["ops"], Action::Approve, id).await;
    assert_eq!(
        reply.text,
        format!("you requested {id}; someone else must approve it")
    );
    assert_eq!(h.state(id), JobState::PendingApproval);
    let audit = h.app().store.audit_log(Some(id)).await.unwrap();
    assert!(audit.iter().any(|e| e.actor.to_string() == "console:alice"
        && e.action.word() == "approve"
        && e.outcome.is_refusal()));
    assert!(h.end_state().await.endpoints.is_empty());
}

#[tokio::test]
async fn self_approval_is_allowed_only_when_configured() {
    let h = Harness::start_with(1, |c| c.policy.allow_self_approval = true, None).await;
    let id = h.create().await;
    let reply = h.click_as("alice", &["ops"], Action::Approve, id).await;
    assert!(reply.text.contains("You approved"), "{}", reply.text);
    h.app().engine.wait(id).await;
    assert_eq!(h.state(id), JobState::Succeeded);
}

#[tokio::test]
async fn a_non_approver_is_refused_and_audited() {
    let h = Harness::start().await;
    let id = h.create().await;
    let reply = h.click("mallory", Action::Approve, id).await;
    assert!(reply.text.contains("not an approver"), "{}", reply.text);
    let reply = h.click("mallory", Action::Reject, id).await;
    assert!(reply.text.contains("not an approver"), "{}", reply.text);
    assert_eq!(h.state(id), JobState::PendingApproval);
    let refusals = h
        .app()
        .store
        .audit_log(Some(id))
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.actor.to_string() == "console:mallory" && e.outcome.is_refusal())
        .count();
    assert_eq!(refusals, 2);
}

#[tokio::test]
async fn a_member_of_the_approver_role_may_approve() {
    let h = Harness::start().await;
    let id = h.create().await;
    let reply = h.click_as("carol", &["ops"], Action::Approve, id).await;
    assert!(reply.text.contains("You approved"), "{}", reply.text);
    h.app().engine.wait(id).await;
    assert_eq!(h.state(id), JobState::Succeeded);
}

#[tokio::test]
async fn an_unanswered_request_expires() {
    let h = Harness::start().await;
    let id = h.create().await;
    h.clock.advance(Duration::from_secs(25 * 3600));
    let reply = h.click("bob", Action::Approve, id).await;
    assert!(reply.text.contains("expired"), "{}", reply.text);
    assert_eq!(h.state(id), JobState::Expired);
    assert!(h.end_state().await.endpoints.is_empty());
    // The expired job no longer holds the VPC: a new request goes through.
    let again = h.create().await;
    assert_ne!(again, id);
}

#[tokio::test]
async fn the_expiry_sweep_expires_due_jobs_only() {
    let h = Harness::start().await;
    let id = h.create().await;
    assert!(h.app().service.expire_due().await.is_empty());
    h.clock.advance(Duration::from_secs(24 * 3600 + 1));
    assert_eq!(h.app().service.expire_due().await, vec![id]);
    assert_eq!(h.state(id), JobState::Expired);
    assert!(
        h.transcript()
            .await
            .contains("card card-PL-1000 now: • Expired before approval"),
        "{}",
        h.transcript().await
    );
}

#[tokio::test]
async fn a_duplicate_approve_is_a_no_op() {
    let h = Harness::start().await;
    let id = h.create().await;
    let click = Event::Click {
        action: Action::Approve,
        job: id,
    };
    let first = h
        .send(
            Harness::actor("bob", &[]),
            Some("delivery-1"),
            click.clone(),
        )
        .await;
    assert!(first.text.contains("You approved"));
    // The same delivery again (a platform retry): no effect, no answer.
    let redelivered = h
        .send(
            Harness::actor("bob", &[]),
            Some("delivery-1"),
            click.clone(),
        )
        .await;
    assert!(redelivered.duplicate && redelivered.text.is_empty());
    // A second click (double click, another approver): told, nothing done.
    h.app().engine.wait(id).await;
    let second = h
        .send(Harness::actor("carol", &["ops"]), Some("delivery-2"), click)
        .await;
    assert!(
        second.text.contains("is already succeeded by console:bob"),
        "{}",
        second.text
    );

    assert_eq!(h.state(id), JobState::Succeeded);
    let approvals = h
        .app()
        .store
        .audit_log(Some(id))
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action.word() == "approve" && e.outcome.to_string() == "approved")
        .count();
    assert_eq!(approvals, 1);
    assert_eq!(h.end_state().await.endpoints.len(), 1);
}

#[tokio::test]
async fn reject_ends_the_job_without_touching_aws() {
    let h = Harness::start().await;
    let id = h.create().await;
    let reply = h.click("bob", Action::Reject, id).await;
    assert_eq!(reply.text, format!("You rejected {id}."));
    assert_eq!(h.state(id), JobState::Rejected);
    assert!(
        h.transcript()
            .await
            .contains("card card-PL-1000 now: • Rejected by console:bob")
    );
    assert!(h.end_state().await.endpoints.is_empty());
    assert!(h.registered().is_empty());
}

#[tokio::test]
async fn a_requester_may_withdraw_a_pending_request() {
    let h = Harness::start().await;
    let id = h.create().await;
    assert!(
        h.click("mallory", Action::Cancel, id)
            .await
            .text
            .contains("only approvers")
    );
    assert_eq!(
        h.say("alice", &format!("cancel {id}")).await.text,
        format!("{id} is cancelled.")
    );
    assert_eq!(h.state(id), JobState::Cancelled);
}

#[tokio::test]
async fn a_second_job_on_the_same_vpc_is_refused_while_the_first_is_active() {
    let hold = Arc::new(CrashAt {
        step: Step::EnsureRegistration,
        point: HookPoint::Started,
        reached: Notify::new(),
    });
    let h = Harness::start_with(1, |_| {}, Some(hold.clone())).await;
    let first = h.create().await;
    // While pending.
    let reply = h
        .say("dave", &format!("create {}", h.sandbox.create_args()))
        .await;
    assert!(
        reply
            .text
            .contains(&format!("{first} is already pending approval")),
        "{}",
        reply.text
    );
    // While running (held at step 3).
    h.click("bob", Action::Approve, first).await;
    hold.reached.notified().await;
    let reply = h
        .say("dave", &format!("create {}", h.sandbox.create_args()))
        .await;
    assert!(
        reply
            .text
            .contains(&format!("{first} is already running step 3/8")),
        "{}",
        reply.text
    );
    assert_eq!(h.app().store.all_jobs().await.unwrap().len(), 1);
    h.app().engine.halt().await;
}

#[tokio::test]
async fn cancelling_a_running_job_stops_it_at_the_next_step() {
    let hold = Arc::new(CrashAt {
        step: Step::EnsureRegistration,
        point: HookPoint::Started,
        reached: Notify::new(),
    });
    let mut h = Harness::start_with(1, |_| {}, Some(hold.clone())).await;
    let id = h.create().await;
    h.click("bob", Action::Approve, id).await;
    hold.reached.notified().await;
    let reply = h.click("bob", Action::Cancel, id).await;
    assert!(
        reply.text.contains("will stop after its current step"),
        "{}",
        reply.text
    );
    // Let the held step finish in a fresh engine: the job stops, cancelled.
    h.crash_and_restart(None).await;
    h.app().engine.wait(id).await;
    assert_eq!(h.state(id), JobState::Cancelled, "{}", h.transcript().await);
    // The interrupted step did not run again: cancel wins at the boundary.
    assert_eq!(h.job(id).next_step(), Some(Step::EnsureRegistration));
    assert!(h.registered().is_empty());
    // Its endpoint stays until rolled back.
    assert_eq!(h.end_state().await.endpoints.len(), 1);
    h.click("bob", Action::Rollback, id).await;
    h.app().engine.wait(id).await;
    assert_eq!(h.state(id), JobState::RolledBack);
    assert!(h.end_state().await.endpoints.is_empty());
    assert!(h.registered().is_empty());
}

#[tokio::test]
async fn housekeeping_expires_requests_and_forgets_old_delivery_ids() {
    let h = Harness::start().await;
    let id = h.create().await;
    let status = Event::Command(format!("status {id}"));
    assert!(
        !h.send(Harness::actor("bob", &[]), Some("d-1"), status.clone())
            .await
            .duplicate
    );
    assert!(
        h.send(Harness::actor("bob", &[]), Some("d-1"), status.clone())
            .await
            .duplicate
    );
    h.clock.advance(Duration::from_secs(48 * 3600));
    h.app().service.housekeeping().await;
    assert_eq!(h.state(id), JobState::Expired);
    // A day later the id is forgotten, so the table does not grow forever.
    assert!(
        !h.send(Harness::actor("bob", &[]), Some("d-1"), status)
            .await
            .duplicate
    );
}
