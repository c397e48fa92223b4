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
            // Even so, the requester never counts where two are needed.
            c.policy.allow_self_approval = true;
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

    // Every line about the job names its rule, refusals too, and the
    // export carries it.
    let audit = h.app().store.audit_log(Some(id)).await.expect("audit");
    assert!(
        audit
            .iter()
            .all(|e| e.rule.as_deref() == Some("production")),
        "{audit:#?}"
    );
    let refused = audit
        .iter()
        .filter(|e| {
            matches!(
                e.outcome,
                privatelink_bot::domain::audit::Outcome::Refused(_)
            )
        })
        .count();
    assert_eq!(
        refused, 2,
        "the requester's and the repeated approval: {audit:#?}"
    );
    let mut exported = Vec::new();
    privatelink_bot::admin::write_export(
        &audit,
        privatelink_bot::admin::Format::Csv,
        &mut exported,
    )
    .expect("exported");
    let csv = String::from_utf8(exported).expect("UTF-8");
    assert!(
        csv.lines().next().is_some_and(|h| h.ends_with(",rule")),
        "{csv}"
    );
    assert!(
        csv.lines().skip(1).all(|l| l.ends_with(",production")),
        "{csv}"
    );

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

/// The rules for `platform`: production in `prod` (two approvals),
/// sandbox in `sandbox` (one).
fn rules_on(platform: &str, prod: &str, sandbox: &str, approvers: &[&str]) -> Vec<Rule> {
    let mut production = rule("production", "x", approvers, 2);
    production.channels =
        vec![ChannelMatch::parse(&format!("{platform}:{prod}")).expect("channel")];
    production.requesters = vec![Principal::parse(&format!("{platform}:*")).expect("everyone")];
    let mut sandbox_rule = rule("sandbox", "x", approvers, 1);
    sandbox_rule.channels =
        vec![ChannelMatch::parse(&format!("{platform}:{sandbox}")).expect("channel")];
    sandbox_rule.requesters = production.requesters.clone();
    vec![production, sandbox_rule]
}

#[tokio::test]
async fn over_slack_production_takes_two_approvers_a_sandbox_one_and_another_channel_none() {
    use crate::slack_bot::SlackBot;
    let approvers = ["slack:UBOB", "slack:UCAROL", "slack:UALICE"];
    let bot = SlackBot::start_full(
        &approvers,
        |c| {
            c.policy.rules = rules_on("slack", "C0PLATFORM", "C0SANDBOX", &approvers);
            (c.policy.requesters, c.policy.approvers) = (Vec::new(), Vec::new());
        },
        None,
    )
    .await;
    assert_eq!(bot.command("UALICE", &bot.create_args(), "T1").await, 200);
    let (ts, id) = bot.card().await;
    let approve = format!("approve:{id}");
    let says = |user: &'static str, trigger: &'static str| {
        let (bot, approve, ts) = (&bot, approve.clone(), ts.clone());
        async move {
            assert_eq!(bot.click(user, &approve, trigger, &ts).await, 200);
            bot.ephemeral(trigger).await
        }
    };
    assert!(
        says("UALICE", "T2")
            .await
            .contains("someone else must approve")
    );
    assert!(says("UBOB", "T3").await.contains("1 of 2"));
    assert!(says("UBOB", "T4").await.contains("already approved"));
    assert!(says("UCAROL", "T5").await.contains("approved"));
    bot.wait_state(id, |s| *s == JobState::Succeeded).await;

    let create = bot.create_args();
    let (_, body) = bot
        .command_answer_in("C0RANDOM", "UALICE", &create, "T6")
        .await;
    let refused = match body.is_empty() {
        true => bot.ephemeral("T6").await,
        false => body,
    };
    assert!(
        refused.contains("No rule of the policy covers requests from slack:C0RANDOM"),
        "{refused}"
    );
    assert_eq!(
        bot.command_in("C0SANDBOX", "UALICE", &create, "T7").await,
        200
    );
    let created = bot.ephemeral("T7").await;
    assert!(created.contains("PL-1001"), "{created}");
    let jobs = bot.server().app.store.all_jobs().await.expect("jobs");
    let sandbox = jobs
        .iter()
        .find(|j| j.guard().rule.as_deref() == Some("sandbox"))
        .unwrap_or_else(|| {
            let rules: Vec<_> = jobs.iter().map(|j| (j.id(), j.guard().clone())).collect();
            panic!("the sandbox request is stored: {rules:?}")
        });
    assert_eq!(sandbox.guard().needed.create, 1);
    assert_eq!(jobs.len(), 2, "the refused request stored nothing");
}

#[tokio::test]
async fn over_discord_the_job_starts_on_the_second_distinct_approval() {
    use crate::discord_bot::{CHANNEL, DiscordBot, click};
    let approvers = ["discord:222", "discord:333", "discord:111"];
    let bot = DiscordBot::start_with(|c| {
        c.policy.rules = rules_on("discord", CHANNEL, "424242", &approvers);
        (c.policy.requesters, c.policy.approvers) = (Vec::new(), Vec::new());
    })
    .await;
    let (card, id) = bot.create("1001", "111").await;
    let approve = |n: &str, user: &str| click(n, user, &[], &format!("approve:{id}"), &card);
    for (n, user) in [("1002", "111"), ("1003", "222"), ("1004", "222")] {
        assert_eq!(bot.post(&approve(n, user)).await.status(), 200);
    }
    let job = bot
        .server
        .app
        .store
        .get(id)
        .await
        .expect("store")
        .expect("job");
    assert_eq!(
        *job.state(),
        JobState::PendingApproval,
        "one approval counted"
    );
    assert_eq!(job.guard().approvals.len(), 1);
    assert_eq!(bot.post(&approve("1005", "333")).await.status(), 200);
    bot.wait_state(id, |s| *s == JobState::Succeeded).await;

    let elsewhere = bot.create_command_in("1006", "111", "999999");
    assert_eq!(bot.post(&elsewhere).await.status(), 200);
    let said = bot.ephemeral_reply("1006").await;
    assert!(
        said.contains("No rule of the policy covers requests from discord:999999"),
        "{said}"
    );
    assert_eq!(
        bot.server.app.store.all_jobs().await.expect("jobs").len(),
        1
    );
}

#[tokio::test]
async fn policy_previews_the_rule_that_applies_and_why() {
    let h = guarded().await;
    let here = h.say("alice", &format!("policy {ACCOUNT}")).await;
    assert!(
        here.text
            .contains("Rule \"production\" applies to console:platform-ops"),
        "{}",
        here.text
    );
    assert!(
        here.text.contains("Approvals needed: create 2, delete 2"),
        "{}",
        here.text
    );
    let sandbox = h
        .say(
            "alice",
            &format!("policy console:data-sandbox account={ACCOUNT} aws-us-west-2"),
        )
        .await;
    assert!(
        sandbox.text.contains("Rule \"sandbox\""),
        "{}",
        sandbox.text
    );
    let unknown_account = h.say("alice", "policy").await;
    assert!(
        unknown_account
            .text
            .contains("No rule covers console:platform-ops, account any"),
        "{}",
        unknown_account.text
    );
    let bad = h.say("alice", "policy nonsense").await;
    assert!(
        bad.text.contains("\"nonsense\" is neither a channel"),
        "{}",
        bad.text
    );
}

#[tokio::test]
async fn a_plan_is_shown_only_under_the_rule_that_applies_never_a_looser_later_one() {
    let h = Harness::start_with(
        1,
        |c| {
            let mut production = rule("production", "platform-ops", &["console:bob"], 2);
            production.requesters = vec![Principal::parse("console:bob").expect("bob")];
            c.policy.rules = vec![production];
            // The flat lists after it let anyone ask, anywhere.
            c.policy.requesters = vec![Principal::parse("console:*").expect("everyone")];
        },
        None,
    )
    .await;
    let args = h.sandbox.create_args();
    let refused = h.say("alice", &format!("plan {args}")).await;
    assert!(
        refused
            .text
            .contains("The rule \"production\" that covers this request does not let you ask"),
        "{}",
        refused.text
    );
    assert!(
        !refused.text.contains("Plan (nothing"),
        "no plan shown: {}",
        refused.text
    );
    let shown = h.say("bob", &format!("plan {args}")).await;
    assert!(shown.text.contains("Plan (nothing"), "{}", shown.text);
}
