//! The admin CLI, as a script uses it: the real binary on a stopped bot's
//! store; what it prints, and its exit status.

use privatelink_bot::admin::{Format, read_export};
use privatelink_bot::domain::audit::{Action, Actor, AuditEvent, Outcome};
use privatelink_bot::domain::ids::JobId;
use privatelink_bot::domain::job::JobState;
use privatelink_bot::domain::lifecycle::Transition;
use privatelink_bot::store::{Admission, Store, StoreOptions};

use crate::harness::{admin_config, store_path};
use crate::store::pending_job;

struct Stopped {
    dir: tempfile::TempDir,
    config: std::path::PathBuf,
    audit: Vec<AuditEvent>,
}

/// A store with two jobs, one rejected, and an audit log whose fields need
/// quoting in CSV; then the bot "stops" (the store is closed).
async fn stopped_bot() -> Stopped {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = store_path(&dir);
    let store = Store::open(&path, StoreOptions::default())
        .await
        .expect("store");
    for (n, at) in [(1000, 1_700_000_000_000u64), (1001, 1_800_000_000_000)] {
        let id = JobId::new(n);
        let event = AuditEvent {
            at,
            job: Some(id),
            actor: Actor::parse("slack:U1, \"the\" requester"),
            action: Action::Create,
            outcome: Outcome::Other("line one\nline two".into()),
            rule: None,
        };
        store
            .insert(Admission::Owed, &pending_job(id, n as usize), event)
            .await
            .expect("insert");
    }
    let reject = AuditEvent {
        at: 1_800_000_000_500,
        job: Some(JobId::new(1001)),
        actor: Actor::parse("slack:U2"),
        action: Action::Reject,
        outcome: Outcome::Unstated,
        rule: None,
    };
    store
        .update(
            Admission::Owed,
            JobId::new(1001),
            reject,
            Transition::Reject {
                by: privatelink_bot::domain::ids::UserRef::new(
                    privatelink_bot::domain::ids::Platform::Slack,
                    "U2",
                ),
                at: 1_800_000_000_500,
            },
        )
        .await
        .expect("reject");
    let audit = store.audit_log(None).await.expect("audit");
    assert_eq!(
        *store.get(JobId::new(1001)).await.unwrap().unwrap().state(),
        JobState::Rejected
    );
    drop(store);
    let config = admin_config(&dir, &path);
    Stopped { dir, config, audit }
}

impl Stopped {
    async fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_privatelink-bot"))
            .arg("--config")
            .arg(&self.config)
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .await
            .expect("the binary runs");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

#[tokio::test]
async fn the_audit_export_round_trips_in_both_formats_and_filters() {
    let bot = stopped_bot().await;
    for (name, format) in [("jsonl", Format::Jsonl), ("csv", Format::Csv)] {
        let (status, out, err) = bot.run(&["audit", "export", "--format", name]).await;
        assert_eq!(status, 0, "{err}");
        let back = read_export(&out, format).expect("the export reads back");
        assert_eq!(back, bot.audit, "{name}: {out}");
        assert!(err.contains("3 audit event(s) exported"), "{err}");
    }
    let (_, out, _) = bot
        .run(&["audit", "export", "--format", "jsonl", "--job", "PL-1001"])
        .await;
    let back = read_export(&out, Format::Jsonl).unwrap();
    assert_eq!(back.len(), 2);
    assert!(back.iter().all(|e| e.job == Some(JobId::new(1001))));
    let (_, out, _) = bot
        .run(&[
            "audit",
            "export",
            "--format",
            "csv",
            "--since",
            "2027-01-01T00:00:00Z",
        ])
        .await;
    let back = read_export(&out, Format::Csv).unwrap();
    assert_eq!(
        back.iter().map(|e| e.at).collect::<Vec<_>>(),
        vec![1_800_000_000_000, 1_800_000_000_500]
    );
}

#[tokio::test]
async fn jobs_list_and_show_answer_scripts_with_exit_statuses() {
    let bot = stopped_bot().await;
    let (status, out, _) = bot.run(&["jobs", "list", "--state", "rejected"]).await;
    assert_eq!(status, 0);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.starts_with("PL-1001 rejected"), "{out}");
    let (status, out, _) = bot.run(&["jobs", "list"]).await;
    assert_eq!((status, out.lines().count()), (0, 2), "{out}");

    let (status, out, _) = bot.run(&["jobs", "show", "PL-1000"]).await;
    assert_eq!(status, 0);
    assert!(out.starts_with("PL-1000 — "), "{out}");
    let (status, _, err) = bot.run(&["jobs", "show", "PL-4242"]).await;
    assert_eq!(status, 3, "not found: {err}");
    assert!(err.contains("there is no job PL-4242"), "{err}");
    let (status, _, err) = bot.run(&["jobs", "show", "4242"]).await;
    assert_eq!(status, 2, "not a job id: {err}");
    let (status, _, err) = bot.run(&["jobs", "list", "--state", "done"]).await;
    assert_eq!(status, 2, "{err}");
    assert!(
        err.contains("pending_approval"),
        "the states are listed: {err}"
    );
    let (status, _, err) = bot.run(&["audit", "export", "--format", "xml"]).await;
    assert_eq!(status, 2, "{err}");
}

#[tokio::test]
async fn an_operator_gives_up_on_one_jobs_waiting_messages_and_the_drop_is_audited() {
    let bot = stopped_bot().await;
    let (status, out, _) = bot.run(&["jobs", "outbox"]).await;
    assert_eq!(status, 0);
    assert!(
        out.contains("PL-1000 #") && out.contains("PL-1001 #"),
        "{out}"
    );

    let (status, out, err) = bot.run(&["jobs", "outbox", "--drop", "PL-1000"]).await;
    assert_eq!(status, 0, "{err}");
    assert!(
        out.starts_with("dropped 1 waiting message(s) of PL-1000"),
        "{out}"
    );
    let (_, out, _) = bot.run(&["jobs", "outbox"]).await;
    assert!(!out.contains("PL-1000 #"), "{out}");
    assert!(out.contains("PL-1001 #"), "only that job's: {out}");
    let (_, out, _) = bot.run(&["jobs", "audit", "PL-1000"]).await;
    assert!(out.contains("outbox_dropped"), "{out}");
    let (_, out, _) = bot.run(&["jobs", "show", "PL-1000"]).await;
    assert!(
        out.contains("Waiting for approval"),
        "the job is untouched: {out}"
    );

    let (status, _, err) = bot.run(&["jobs", "outbox", "--drop", "PL-4242"]).await;
    assert_eq!(status, 3, "{err}");
}
