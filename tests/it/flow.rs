//! The happy path, through the console adapter as a person would use it.

use privatelink_bot::chat::console;
use privatelink_bot::domain::ids::JobId;
use privatelink_bot::domain::job::{JobState, Origin};

use crate::harness::Harness;

/// Runs `script` through the console, printing into the harness's transcript.
async fn run_console(h: &Harness, script: &[u8]) -> anyhow::Result<()> {
    let out: console::SharedOut =
        std::sync::Arc::new(std::sync::Mutex::new(Box::new(h.out.clone())));
    console::run(
        &h.app().service,
        &h.app().delivery,
        script,
        out,
        &h.config.console,
        &privatelink_bot::chat::intake::Intake::new(&h.config.intake),
        privatelink_bot::i18n::Locale::En,
    )
    .await
}

#[tokio::test]
async fn console_script_creates_a_verified_private_link() {
    let h = Harness::start().await;
    let args = h.sandbox.create_args();
    let script =
        format!("/as alice\ncreate {args}\n/as bob\napprove $last\n/wait $last\nstatus $last\n");
    run_console(&h, script.as_bytes())
        .await
        .expect("console runs");

    let id = JobId::parse("PL-1000").unwrap();
    let job = h.job(id);
    assert_eq!(*job.state(), JobState::Succeeded);
    let endpoint = job.resources().endpoint.clone().expect("endpoint recorded");
    assert_eq!(endpoint.origin, Origin::Created);

    // What moto holds is what the job says it made.
    let state = h.end_state().await;
    state
        .verify(&h.sandbox.hosts())
        .expect("one endpoint, zone and alias");
    assert_eq!(state.endpoints[0].0, endpoint.id.to_string());
    assert_eq!(h.registered(), vec![endpoint.id.to_string()]);

    // The card, its updates and the thread went to chat.
    let t = h.transcript().await;
    assert!(t.contains("┌─ card card-PL-1000 in #platform-ops"), "{t}");
    assert!(
        t.contains("[*Approve: `approve PL-1000`] [!Reject: `reject PL-1000`]"),
        "{t}"
    );
    assert!(
        t.contains("card card-PL-1000 now: ⚙ Approved by console:bob"),
        "{t}"
    );
    for step in 1..=8 {
        assert!(
            t.contains(&format!("✔ step {step}/8")),
            "step {step} missing: {t}"
        );
    }
    assert!(t.contains("card card-PL-1000 now: ✅ Succeeded"), "{t}");
    assert!(
        t.contains(&format!(
            "✅ PL-1000 succeeded. Connect through:\n│    • in01-sandbox0001: https://{}:19531",
            h.sandbox.hosts()[0]
        )),
        "{t}"
    );

    // The audit log tells who did what.
    let audit = h.app().store.audit_log(Some(id)).await.unwrap();
    let said: Vec<(String, String, String)> = audit
        .iter()
        .map(|e| {
            (
                e.actor.to_string(),
                e.action.to_string(),
                e.outcome.to_string(),
            )
        })
        .collect();
    assert_eq!(
        said[0],
        (
            "console:alice".into(),
            "create".into(),
            "pending_approval".into()
        )
    );
    assert!(said.contains(&("console:bob".into(), "approve".into(), "approved".into())));
    assert_eq!(said.last().unwrap().2, "succeeded");
}

#[tokio::test]
async fn two_clusters_get_a_zone_and_record_each_on_one_endpoint() {
    let h = Harness::start_with(2, |_| {}, None).await;
    let id = h.create_and_run().await;
    assert_eq!(h.state(id), JobState::Succeeded, "{}", h.transcript().await);
    let state = h.end_state().await;
    state.verify(&h.sandbox.hosts()).expect("verified");
    assert_eq!(state.zones.len(), 2);
}

#[tokio::test]
async fn list_and_status_answer_from_the_store() {
    let h = Harness::start().await;
    let id = h.create().await;
    let mine = h.say("alice", "list").await;
    assert!(
        mine.text.contains(&format!("{id} pending_approval")),
        "{}",
        mine.text
    );
    assert_eq!(h.say("carol", "list").await.text, "No jobs.");
    let pending = h.say("carol", "list pending").await;
    assert!(pending.text.contains(&id.to_string()));
    let status = h.say("carol", &format!("status {id}")).await;
    assert!(
        status
            .text
            .starts_with(&format!("{id} — Waiting for approval")),
        "{}",
        status.text
    );
    assert_eq!(
        h.say("carol", "status PL-9").await.text,
        "There is no job PL-9."
    );
    assert!(
        h.say("carol", "help create")
            .await
            .text
            .starts_with("/privatelink create project=")
    );
}

#[tokio::test]
async fn the_sandbox_demo_runs_and_verifies_in_moto() {
    let out = crate::harness::Buffer::default();
    let shared: console::SharedOut =
        std::sync::Arc::new(std::sync::Mutex::new(Box::new(out.clone())));
    privatelink_bot::sandbox::demo::run(shared)
        .await
        .expect("the demo verifies its end state");
    let t = out.text();
    assert!(
        t.contains("you requested PL-1000; someone else must approve it"),
        "{t}"
    );
    assert!(t.contains("VERIFIED: one endpoint"), "{t}");
}

#[tokio::test]
async fn odd_input_is_refused_line_by_line_and_the_console_goes_on() {
    let h = Harness::start().await;
    let args = h.sandbox.create_args().replace(
        &format!("clusters={}", h.sandbox.clusters.join(",")),
        "clusters=aé1-x",
    );
    let mut script: Vec<u8> = b"/as alice\n".to_vec();
    script.extend_from_slice(b"status \xff\xfe PL-1000\n");
    script.extend_from_slice(format!("create {args}\n").as_bytes());
    script.extend_from_slice(b"list all\n");
    run_console(&h, script.as_slice())
        .await
        .expect("the console survives every line");
    let t = h.transcript().await;
    assert!(
        t.contains("that line is not valid UTF-8 text; it was ignored"),
        "{t}"
    );
    assert!(t.contains("clusters"), "the bad field is named: {t}");
    assert!(t.contains("aé1-x"), "{t}");
    assert!(t.contains("alice> list all"), "later lines still run: {t}");
    assert!(t.contains("No jobs."), "nothing was stored: {t}");
}

#[tokio::test]
async fn the_console_takes_the_same_intake_as_the_platforms_rate_included() {
    let h = Harness::start_with(
        1,
        |c| {
            c.intake.per_user_per_minute = 1;
            c.intake.per_user_burst = 3;
        },
        None,
    )
    .await;
    let script = "/as alice\nhelp\nhelp\nhelp\nhelp\n/as bob\nhelp\n";
    run_console(&h, script.as_bytes())
        .await
        .expect("console runs");
    let t = h.transcript().await;
    assert_eq!(
        t.matches("faster than the bot takes them").count(),
        1,
        "alice's fourth line is refused, bob has his own rate: {t}"
    );
    assert!(t.matches("/privatelink create").count() >= 4, "{t}");
}

/// The console is a chat platform like Slack and Discord: built from its
/// settings, put together with the core by `serve::assemble`, and run by
/// `Server::run`, which ends when the console's input does (ARCHITECTURE.md,
/// "Adding a chat platform").
#[tokio::test]
async fn the_console_runs_as_a_platform_through_the_same_run_as_serve() {
    use privatelink_bot::serve;
    let sandbox = privatelink_bot::sandbox::Sandbox::start(1)
        .await
        .expect("sandbox");
    let dir = tempfile::tempdir().expect("temp dir");
    let config = sandbox
        .config(&crate::harness::store_path(&dir))
        .expect("config");
    let args = sandbox.create_args();
    let script = format!("/as alice\ncreate {args}\n/as bob\napprove $last\n/wait $last\n");
    let buffer = crate::harness::Buffer::default();
    let out: console::SharedOut =
        std::sync::Arc::new(std::sync::Mutex::new(Box::new(buffer.clone())));
    let platform = console::Console::new(
        &config.console,
        std::io::Cursor::new(script.into_bytes()),
        out,
        privatelink_bot::i18n::Locale::En,
        false,
    );
    let server = serve::assemble(
        &config,
        privatelink_bot::secret::Secret::new(&sandbox.api_key),
        vec![Box::new(platform)],
        Default::default(),
    )
    .await
    .expect("assembled");
    let store = server.app.store.clone();
    // No listener and a shutdown that never comes: only the input ending
    // ends the run.
    server
        .run(&config, None, std::future::pending::<()>())
        .await
        .expect("the run ends with the input");

    let job = store
        .get(JobId::parse("PL-1000").unwrap())
        .await
        .unwrap()
        .expect("the job");
    assert_eq!(*job.state(), JobState::Succeeded, "{}", buffer.text());
    assert!(buffer.text().contains("Succeeded"), "{}", buffer.text());
    sandbox
        .end_state()
        .await
        .unwrap()
        .verify(&sandbox.hosts())
        .unwrap();
}
