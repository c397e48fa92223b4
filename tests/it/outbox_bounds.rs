//! The outbox through a long chat outage: bounded (one entry per living
//! message, each counting what it absorbed), a replaced entry delivered
//! again, and the admin view of what waits, read with the bot stopped.

use privatelink_bot::domain::ids::JobId;
use privatelink_bot::domain::job::Step;
use privatelink_bot::ports::chat::{Living, Note, Outgoing, Tone};
use privatelink_bot::sandbox::fixtures;
use privatelink_bot::store::{Admission, Pending, Store, StoreOptions};

use crate::backing::Backing;
use crate::store::{event, pending_job};

/// Card refreshes, checklist edits and wait notes while chat is away.
const EDITS: u32 = 200;

crate::on_both_backends!(
    a_long_outage_keeps_the_outbox_bounded_and_every_outcome_and_the_admin_view_shows_it
);

async fn a_long_outage_keeps_the_outbox_bounded_and_every_outcome_and_the_admin_view_shows_it(
    backing: Backing,
) {
    let store = backing.open(StoreOptions::default()).await;
    let id = JobId::new(1000);
    let waiting = a_long_outage_of_edits_and_waits(&store, id).await;
    // A wait's words replaced while they were being delivered stay, to go
    // again; delivered as they are, they leave.
    let wait = &waiting[2];
    store
        .outbox_delivered(id, wait.seq, wait_note(id, "still waiting 0"))
        .await
        .expect("delivered");
    assert_eq!(store.outbox().await.expect("outbox").len(), 4);
    store
        .outbox_delivered(id, wait.seq, wait.message.clone())
        .await
        .expect("delivered");
    assert_eq!(store.outbox().await.expect("outbox").len(), 3);
    // A later wait note starts a new entry once the last one left.
    store
        .say(
            Admission::Owed,
            id,
            vec![wait_note(id, "still waiting again")],
            0,
        )
        .await
        .expect("say");
    assert_eq!(store.outbox().await.expect("outbox").len(), 4);
    drop(store);
    the_admin_view_shows_what_waits(&backing).await;
}

/// A job edited and waiting through a long outage (200 card refreshes,
/// checklist edits and wait notes, then a summary): what the outbox holds
/// then, found bounded.
async fn a_long_outage_of_edits_and_waits(store: &Store, id: JobId) -> Vec<Pending> {
    store
        .insert(Admission::Owed, &pending_job(id, 1), event(id, "create"))
        .await
        .expect("insert");
    // Card refreshes while the first card waits collapse into it, and so
    // do checklist edits into the first checklist entry.
    for _ in 0..EDITS {
        store
            .update_saying(
                Admission::Owed,
                id,
                event(id, "touch"),
                fixtures::touched(),
                |_| vec![Outgoing::Card, Outgoing::Progress],
            )
            .await
            .expect("change");
    }
    // A long wait says where it is every so often: the newest words
    // replace the waiting ones.
    for i in 0..EDITS {
        store
            .say(
                Admission::Owed,
                id,
                vec![wait_note(id, &format!("still waiting {i}"))],
                0,
            )
            .await
            .expect("say");
    }
    let summary = Outgoing::Note(Note {
        living: None,
        ..match wait_note(id, "✅ done") {
            Outgoing::Note(n) => n,
            _ => unreachable!(),
        }
    });
    store
        .say(Admission::Owed, id, vec![summary.clone()], 0)
        .await
        .expect("say");
    let waiting = store.outbox().await.expect("outbox");
    let kinds: Vec<(&Outgoing, u32)> = waiting.iter().map(|p| (&p.message, p.collapsed)).collect();
    assert_eq!(
        kinds,
        vec![
            (&Outgoing::Card, EDITS),
            (&Outgoing::Progress, EDITS - 1),
            (
                &wait_note(id, &format!("still waiting {}", EDITS - 1)),
                EDITS - 1
            ),
            (&summary, 0),
        ],
        "bounded: one entry per living message, each with what it absorbed"
    );
    waiting
}

/// The admin view, with the bot stopped: what waits and for whom.
async fn the_admin_view_shows_what_waits(backing: &Backing) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (config, env) = backing.admin(&dir);
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_privatelink-bot"))
        .args(["--config", &config.display().to_string(), "jobs", "outbox"])
        .envs(env)
        .output()
        .await
        .expect("the binary runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("PL-1000 #"), "{text}");
    assert!(
        text.contains(&format!(
            "progress checklist (since 1970-01-01T00:00:00Z); {} later edit(s) collapsed into it",
            EDITS - 1
        )),
        "{text}"
    );
    assert!(text.contains("note \"✅ done\""), "{text}");
    assert!(text.contains("4 message(s) waiting for 1 job(s)"), "{text}");
}

fn wait_note(job: JobId, text: &str) -> Outgoing {
    Outgoing::Note(Note {
        job,
        text: text.to_owned(),
        tone: Tone::Working,
        buttons: Vec::new(),
        living: Some(Living::Wait(Step::WaitAccepted)),
        mention: None,
        file: None,
    })
}
