//! Guardrails per channel and account, over the console: a production
//! rule (its channel, its account) needs two distinct approvals, counts
//! each approver once and never the requester, and starts the job on the
//! second; a sandbox rule in another channel runs on one; a request no
//! rule covers is refused naming what a rule would have to cover, with
//! nothing stored.

use privatelink_bot::domain::job::JobState;
use privatelink_bot::domain::policy::Principal;
use privatelink_bot::domain::rules::{Approvals, ChannelMatch, Rule};
use privatelink_bot::ports::chat::Action;
use privatelink_bot::service::Event;

use crate::harness::Harness;

/// moto's account: where the sandbox's VPCs live.
const ACCOUNT: &str = "123456789012";

fn rule(name: &str, channel: &str, approvers: &[&str], create: u8) -> Rule {
    let principals = |names: &[&str]| {
        names
            .iter()
            .map(|n| Principal::parse(n).expect("a principal"))
            .collect()
    };
    Rule {
        name: name.to_owned(),
        channels: vec![ChannelMatch::parse(&format!("console:{channel}")).expect("a channel")],
        accounts: vec![privatelink_bot::domain::ids::AccountId::parse(ACCOUNT).expect("account")],
        regions: Vec::new(),
        projects: Vec::new(),
        requesters: principals(&["console:*"]),
        approvers: principals(approvers),
        approvals: Approvals {
            create,
            delete: create,
            repair: 1,
        },
    }
}

async fn guarded() -> Harness {
    Harness::start_with(
        1,
        |c| {
            c.policy.rules = vec![
                rule(
                    "production",
                    "platform-ops",
                    &["console:bob", "console:carol", "console:alice"],
                    2,
                ),
                rule("sandbox", "data-sandbox", &["console:bob"], 1),
            ];
            // Only the rules: nothing else matches.
            (c.policy.requesters, c.policy.approvers) = (Vec::new(), Vec::new());
        },
        None,
    )
    .await
}

#[tokio::test]
async fn production_needs_two_distinct_approvers_and_never_the_requester() {
    let h = guarded().await;
    let id = h.create().await;
    assert_eq!(h.job(id).guard().rule.as_deref(), Some("production"));
    let own = h.click("alice", Action::Approve, id).await;
    assert!(
        own.text.contains("someone else must approve"),
        "{}",
        own.text
    );
    let first = h.click("bob", Action::Approve, id).await;
    assert!(first.text.contains("1 of 2"), "{}", first.text);
    assert_eq!(h.state(id), JobState::PendingApproval);
    let again = h.click("bob", Action::Approve, id).await;
    assert!(again.text.contains("already approved"), "{}", again.text);
    let told = h.transcript().await;
    assert!(
        told.contains("Waiting for approval: 1 of 2 (console:bob)"),
        "{told}"
    );
    let second = h.click("carol", Action::Approve, id).await;
    assert!(second.text.contains("approved"), "{}", second.text);
    h.app().engine.wait(id).await;
    assert_eq!(h.state(id), JobState::Succeeded);

    // A delete under the same rule takes two approvers too.
    let first = h.say("bob", &format!("delete {id}")).await;
    assert!(first.text.contains("1 of 2"), "{}", first.text);
    assert_eq!(h.state(id), JobState::Succeeded, "nothing removed yet");
    let again = h.say("bob", &format!("delete {id}")).await;
    assert!(again.text.contains("already approved"), "{}", again.text);
    let second = h.say("carol", &format!("delete {id}")).await;
    assert!(second.text.contains("Deleting"), "{}", second.text);
    h.app().engine.wait(id).await;
    assert_eq!(h.state(id), JobState::Deleted);
    assert!(h.end_state().await.endpoints.is_empty());
}

#[tokio::test]
async fn a_sandbox_channel_runs_on_one_approval_and_another_channel_is_refused() {
    let h = guarded().await;
    let line = format!("create {}", h.sandbox.create_args());
    let alice = Harness::actor("alice", &[]);
    let reply = h
        .send_in(
            "data-sandbox",
            alice.clone(),
            None,
            Event::Command(line.clone()),
        )
        .await;
    let id = reply.job.unwrap_or_else(|| panic!("{}", reply.text));
    assert_eq!(h.job(id).guard().rule.as_deref(), Some("sandbox"));
    let approve = Event::Click {
        action: Action::Approve,
        job: id,
    };
    let approved = h
        .send_in("data-sandbox", Harness::actor("bob", &[]), None, approve)
        .await;
    assert!(approved.text.contains("approved"), "{}", approved.text);
    h.app().engine.wait(id).await;
    assert_eq!(h.state(id), JobState::Succeeded);

    let before = h.app().store.all_jobs().await.expect("jobs").len();
    let refused = h.send_in("random", alice, None, Event::Command(line)).await;
    assert!(refused.job.is_none());
    assert!(
        refused
            .text
            .contains("No rule of the policy covers requests from console:random"),
        "the channel no rule names: {}",
        refused.text
    );
    assert_eq!(h.app().store.all_jobs().await.expect("jobs").len(), before);
}
