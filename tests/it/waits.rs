//! Waits report progress with elapsed time and give up at the configured
//! timeout; `role=` is assumed through STS for every AWS call of the job.

use std::time::Duration;

use privatelink_bot::domain::ids::RoleArn;
use privatelink_bot::domain::job::{JobState, Step};
use privatelink_bot::ports::chat::Action;
use privatelink_bot::sandbox::fake_zilliz::StatusWords;

use crate::harness::Harness;

#[tokio::test]
async fn a_slow_acceptance_posts_still_waiting_with_elapsed_time() {
    let h = Harness::start_with(
        1,
        |c| {
            c.engine.progress_every = Duration::from_millis(100);
            c.engine.backoff_max = Duration::from_millis(60);
        },
        None,
    )
    .await;
    h.sandbox.zilliz.lock().accept_after_reads = 12;
    let id = h.create_and_run().await;
    assert_eq!(h.state(id), JobState::Succeeded, "{}", h.transcript().await);
    let t = h.transcript().await;
    assert!(
        t.contains("… still waiting at step 4/8 wait for the endpoint to be accepted ("),
        "{t}"
    );
    assert!(t.contains("s): vpce-"), "{t}");
}

#[tokio::test]
async fn unknown_zilliz_status_words_never_hold_up_the_wait() {
    let h = Harness::start_with(
        1,
        |c| c.engine.progress_every = Duration::from_millis(50),
        None,
    )
    .await;
    {
        let mut st = h.sandbox.zilliz.lock();
        st.accept_after_reads = 6;
        st.words = StatusWords {
            pending: "Provisioning".into(),
            accepted: "Healthy".into(),
        };
    }
    let id = h.create_and_run().await;
    assert_eq!(h.state(id), JobState::Succeeded, "{}", h.transcript().await);
    let t = h.transcript().await;
    assert!(
        t.contains("Zilliz Cloud says Provisioning"),
        "the word is shown: {t}"
    );
}

#[tokio::test]
async fn a_zilliz_word_that_means_failure_fails_the_wait_with_that_word() {
    let h = Harness::start().await;
    h.sandbox.zilliz.lock().words = StatusWords {
        pending: "Failed".into(),
        accepted: "Failed".into(),
    };
    let id = h.create_and_run().await;
    let (step, error) = h.failure(id);
    assert_eq!(step, Step::WaitAccepted);
    assert!(error.contains("as Failed"), "{error}");
}

#[tokio::test]
async fn a_wait_that_never_ends_fails_at_the_timeout_and_can_be_retried() {
    let h = Harness::start_with(
        1,
        |c| c.engine.wait_timeout = Duration::from_millis(300),
        None,
    )
    .await;
    // The wait under test is acceptance's: the service shows at once.
    h.sandbox.proxy.lock().strict.visibility_delay = Duration::ZERO;
    h.sandbox.zilliz.lock().accept_after_reads = 1_000_000;
    let id = h.create_and_run().await;
    let (step, error) = h.failure(id);
    assert_eq!(step, Step::WaitAccepted);
    assert!(error.starts_with("timed out after"), "{error}");
    // Zilliz accepts at last; a retry picks up from the wait.
    h.sandbox.zilliz.lock().accept_all();
    h.click("bob", Action::Retry, id).await;
    h.app().engine.wait(id).await;
    assert_eq!(h.state(id), JobState::Succeeded, "{}", h.transcript().await);
    h.end_state()
        .await
        .verify(&h.sandbox.hosts())
        .expect("one of each");
}

#[tokio::test]
async fn role_is_assumed_through_sts_for_the_job() {
    let role = "arn:aws:iam::123456789012:role/privatelink-bot";
    let other = "arn:aws:iam::210987654321:role/privatelink-bot";
    let h = Harness::start_with(
        1,
        |c| {
            c.policy.roles = [role, other]
                .iter()
                .map(|r| RoleArn::parse(r).expect("role"))
                .collect()
        },
        None,
    )
    .await;
    // Same account as the sandbox's VPC: the job runs with the role's credentials.
    let reply = h
        .say(
            "alice",
            &format!("create {} role={role}", h.sandbox.create_args()),
        )
        .await;
    let id = reply.job.unwrap_or_else(|| panic!("{}", reply.text));
    assert!(h.transcript().await.contains(&format!("Role: {role}")));
    h.click("bob", Action::Approve, id).await;
    h.app().engine.wait(id).await;
    assert_eq!(h.state(id), JobState::Succeeded, "{}", h.transcript().await);
    h.end_state()
        .await
        .verify(&h.sandbox.hosts())
        .expect("one of each");

    // A role in another account sees that account's (empty) EC2: preflight
    // says so instead of creating anything.
    let reply = h
        .say(
            "dave",
            &format!("plan {} role={other}", h.sandbox.create_args()),
        )
        .await;
    assert!(
        reply.text.contains("(account 210987654321)"),
        "{}",
        reply.text
    );
    assert!(reply.text.contains("BLOCKING: VPC"), "{}", reply.text);

    // A role the policy does not list is refused before AWS is asked.
    let calls = h.app().aws_calls.counts();
    let unlisted = "arn:aws:iam::123456789012:role/admin";
    let reply = h
        .say(
            "dave",
            &format!("create {} role={unlisted}", h.sandbox.create_args()),
        )
        .await;
    assert!(reply.job.is_none());
    assert!(
        reply.text.contains("not one this bot may assume") && reply.text.contains(role),
        "{}",
        reply.text
    );
    assert_eq!(
        h.app().aws_calls.counts(),
        calls,
        "no AWS call for a refused role"
    );
}

#[tokio::test]
async fn a_role_whose_trust_policy_wants_an_external_id_is_assumed_with_it() {
    let role = "arn:aws:iam::123456789012:role/privatelink-bot";
    // A process-wide variable, named for this test alone.
    let var = "WAITS_TEST_EXTERNAL_ID_7D2F";
    // SAFETY: set once, before the bot that reads it starts, and read only
    // by that bot; no other test names this variable.
    unsafe { std::env::set_var(var, "ext-7d2f-91c3") };
    // A bot whose config names the variable, over an AWS whose role wants
    // `wanted`.
    let start = |wanted: &'static str| async move {
        let h = Harness::start_with(
            1,
            |c| {
                c.policy.roles = vec![RoleArn::parse(role).expect("role")];
                c.aws
                    .role_external_ids
                    .insert(role.to_owned(), var.to_owned());
            },
            None,
        )
        .await;
        h.sandbox
            .proxy
            .lock()
            .role_external_ids
            .insert(role.to_owned(), wanted.to_owned());
        h
    };
    let h = start("ext-7d2f-91c3").await;
    let reply = h
        .say(
            "alice",
            &format!("create {} role={role}", h.sandbox.create_args()),
        )
        .await;
    let id = reply.job.unwrap_or_else(|| panic!("{}", reply.text));
    h.click("bob", Action::Approve, id).await;
    h.app().engine.wait(id).await;
    assert_eq!(h.state(id), JobState::Succeeded, "{}", h.transcript().await);

    // The same role where its trust policy wants another id: refused
    // before anything is made.
    let fresh = start("ext-other").await;
    let reply = fresh
        .say(
            "alice",
            &format!("plan {} role={role}", fresh.sandbox.create_args()),
        )
        .await;
    assert!(reply.text.contains("AccessDenied"), "{}", reply.text);
}
