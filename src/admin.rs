//! The admin CLI over the store, usable while the bot is stopped (or on a
//! copy of its store): jobs, the audit log and its export, the outbox. Each
//! command writes to the given output, so tests read exactly what a script
//! would, and fails with an [`AdminError`] whose kind picks the exit status.

use std::io::Write;

use serde::{Deserialize, Serialize};

use crate::cards;
use crate::domain::audit::{self, AuditEvent};
use crate::domain::ids::JobId;
use crate::domain::job::StateKey;
use crate::i18n::Locale;
use crate::ports::clock::rfc3339;
use crate::store::Store;

/// Why an admin command failed; the kind decides the exit status.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// What was asked for does not exist (exit status 3).
    #[error("{0}")]
    NotFound(String),
    /// The arguments cannot be used (exit status 2, as for usage errors).
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

impl AdminError {
    pub fn exit_status(&self) -> u8 {
        match self {
            AdminError::NotFound(_) => 3,
            AdminError::Usage(_) => 2,
            AdminError::Failed(_) => 1,
        }
    }
}

fn failed(e: impl Into<anyhow::Error>) -> AdminError {
    AdminError::Failed(e.into())
}

/// Parses a state name as `jobs list --state` takes it.
pub fn parse_state(text: &str) -> Result<StateKey, String> {
    StateKey::parse(text.trim()).ok_or_else(|| {
        let names: Vec<&str> = StateKey::ALL.iter().map(|k| k.as_str()).collect();
        format!("{text:?} is not a job state; one of {}", names.join(", "))
    })
}

/// Parses an RFC 3339 time (`2026-12-01T00:00:00Z`) into ms since the epoch.
pub fn parse_since(text: &str) -> Result<u64, String> {
    let t = humantime::parse_rfc3339_weak(text.trim())
        .map_err(|e| format!("{text:?} is not a time such as 2026-12-01T00:00:00Z: {e}"))?;
    t.duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .map_err(|_| format!("{text:?} is before 1970"))
}

/// `jobs list [--state …]`: one line per job.
pub async fn list(
    store: &Store,
    state: Option<StateKey>,
    out: &mut impl Write,
) -> Result<(), AdminError> {
    let jobs = match state {
        Some(s) => store.jobs_in_state(s).await,
        None => store.all_jobs().await,
    }
    .map_err(failed)?;
    for job in jobs {
        writeln!(out, "{}", cards::list_line(&job, Locale::En)).map_err(failed)?;
    }
    Ok(())
}

/// `jobs export <job> [--out DIR]`: what the job made, as Terraform: on
/// stdout, or written into `DIR` (its path printed).
pub async fn export_terraform(
    store: &Store,
    job: &str,
    out_dir: Option<&std::path::Path>,
    out: &mut impl Write,
) -> Result<(), AdminError> {
    let id = JobId::parse(job).map_err(|e| AdminError::Usage(e.to_string()))?;
    let Some(job) = store.get(id).await.map_err(failed)? else {
        return Err(AdminError::NotFound(format!("there is no job {id}")));
    };
    let makers = store.makers(&job).await.map_err(failed)?;
    let export = crate::terraform::export(&job, &makers).map_err(|e| match e {
        crate::terraform::NotExportable::NoLink(id) => {
            AdminError::Usage(format!("{id} has made no private link to export"))
        }
    })?;
    match out_dir {
        None => write!(out, "{}", export.text).map_err(failed),
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(failed)?;
            let path = dir.join(&export.file_name);
            std::fs::write(&path, &export.text).map_err(failed)?;
            writeln!(out, "{}", path.display()).map_err(failed)
        }
    }
}

/// `jobs show <job>`: the job in full.
pub async fn show(store: &Store, job: &str, out: &mut impl Write) -> Result<(), AdminError> {
    let id = JobId::parse(job).map_err(|e| AdminError::Usage(e.to_string()))?;
    match store.get(id).await.map_err(failed)? {
        Some(job) => {
            // As `status` does: an unreadable outbox leaves the line out.
            let held = store
                .outbox_head(id)
                .await
                .ok()
                .flatten()
                .and_then(|p| p.blocked);
            writeln!(out, "{}", cards::status_text(&job, Locale::En, held)).map_err(failed)
        }
        None => Err(AdminError::NotFound(format!("there is no job {id}"))),
    }
}

/// `jobs outbox --drop <job>`: gives up on what waits for one job (its
/// channel is gone for good, say). The job itself is untouched; the drop is
/// audited with how many messages went.
pub async fn drop_outbox(store: &Store, job: &str, out: &mut impl Write) -> Result<(), AdminError> {
    let id = JobId::parse(job).map_err(|e| AdminError::Usage(e.to_string()))?;
    if store.get(id).await.map_err(failed)?.is_none() {
        return Err(AdminError::NotFound(format!("there is no job {id}")));
    }
    let waiting: Vec<_> = store
        .outbox()
        .await
        .map_err(failed)?
        .into_iter()
        .filter(|p| p.job == id)
        .collect();
    for p in &waiting {
        store.outbox_discard(id, p.seq).await.map_err(failed)?;
    }
    let event = AuditEvent {
        at: crate::ports::clock::Clock::now(&crate::ports::clock::SystemClock),
        job: Some(id),
        actor: audit::Actor::Operator,
        action: audit::Action::OutboxDropped,
        outcome: audit::Outcome::Other(format!("{} message(s) dropped", waiting.len())),
        rule: None,
    };
    store
        .audit(crate::store::Admission::Owed, event)
        .await
        .map_err(failed)?;
    writeln!(
        out,
        "dropped {} waiting message(s) of {id}; the job itself is unchanged",
        waiting.len()
    )
    .map_err(failed)
}

/// `jobs outbox`: what waits for delivery, and why.
pub async fn outbox(store: &Store, out: &mut impl Write) -> Result<(), AdminError> {
    let waiting = store.outbox().await.map_err(failed)?;
    if waiting.is_empty() {
        writeln!(
            out,
            "the outbox is empty: everything the bot had to say was delivered"
        )
        .map_err(failed)?;
        return Ok(());
    }
    for p in &waiting {
        writeln!(out, "{}", outbox_line(p)).map_err(failed)?;
    }
    let jobs: std::collections::BTreeSet<_> = waiting.iter().map(|p| p.job).collect();
    writeln!(
        out,
        "{} message(s) waiting for {} job(s)",
        waiting.len(),
        jobs.len()
    )
    .map_err(failed)
}

/// The audit export's formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON object per line.
    Jsonl,
    /// RFC 4180 CSV with a header row.
    Csv,
}

/// One exported audit event: the stored event plus its time in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exported {
    /// RFC 3339, for people and log tools.
    pub time: String,
    /// Milliseconds since the epoch, exactly as stored.
    pub at: u64,
    #[serde(default)]
    pub job: Option<JobId>,
    pub actor: String,
    pub action: String,
    pub outcome: String,
    /// The guardrail behind the line; empty when none applied.
    #[serde(default)]
    pub rule: String,
}

impl From<&AuditEvent> for Exported {
    fn from(e: &AuditEvent) -> Self {
        Self {
            time: rfc3339(e.at),
            at: e.at,
            job: e.job,
            actor: e.actor.to_string(),
            action: e.action.to_string(),
            outcome: e.outcome.to_string(),
            rule: e.rule.clone().unwrap_or_default(),
        }
    }
}

impl From<Exported> for AuditEvent {
    fn from(e: Exported) -> Self {
        Self {
            at: e.at,
            job: e.job,
            actor: audit::Actor::parse(&e.actor),
            action: audit::Action::parse(&e.action),
            outcome: audit::Outcome::parse(&e.outcome),
            rule: Some(e.rule).filter(|r| !r.is_empty()),
        }
    }
}

/// `audit export`: the audit log, oldest first, from `since` and for `job`
/// when given, in `format`.
pub async fn export_audit(
    store: &Store,
    since: Option<u64>,
    job: Option<JobId>,
    format: Format,
    out: &mut impl Write,
) -> Result<usize, AdminError> {
    let events: Vec<AuditEvent> = store
        .audit_log(job)
        .await
        .map_err(failed)?
        .into_iter()
        .filter(|e| since.is_none_or(|s| e.at >= s))
        .collect();
    write_export(&events, format, out)?;
    Ok(events.len())
}

/// Writes `events` in `format`.
pub fn write_export(
    events: &[AuditEvent],
    format: Format,
    out: &mut impl Write,
) -> Result<(), AdminError> {
    match format {
        Format::Jsonl => {
            for e in events {
                let line = serde_json::to_string(&Exported::from(e)).map_err(failed)?;
                writeln!(out, "{line}").map_err(failed)?;
            }
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            for e in events {
                w.serialize(Exported::from(e)).map_err(failed)?;
            }
            w.flush().map_err(failed)?;
        }
    }
    Ok(())
}

/// Reads an export back: what a script consuming it would get.
pub fn read_export(text: &str, format: Format) -> anyhow::Result<Vec<AuditEvent>> {
    match format {
        Format::Jsonl => text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| Ok(serde_json::from_str::<Exported>(l)?.into()))
            .collect(),
        Format::Csv => csv::Reader::from_reader(text.as_bytes())
            .deserialize::<Exported>()
            .map(|r| Ok(r?.into()))
            .collect(),
    }
}

/// One line for `jobs outbox`: what waits, since when, and why.
pub fn outbox_line(p: &crate::store::Pending) -> String {
    let what = match &p.message {
        crate::ports::chat::Outgoing::Card => "card".to_owned(),
        crate::ports::chat::Outgoing::Progress => "progress checklist".to_owned(),
        crate::ports::chat::Outgoing::Note(n) => {
            let first = n.text.lines().next().unwrap_or_default();
            let short: String = first.chars().take(60).collect();
            format!("note \"{short}\"")
        }
    };
    let why = match (&p.last_error, p.blocked) {
        (Some(e), Some(b)) if b.is_channel() => format!(
            "; BLOCKED until a person acts ({}): {} failed tries, last: {e}{}",
            crate::i18n::render(crate::i18n::Locale::En, b.key(), &[]),
            p.attempts,
            if p.blocked_told {
                "; requester told"
            } else {
                ""
            }
        ),
        (Some(e), _) => format!("; {} failed tries, last: {e}", p.attempts),
        (None, _) => String::new(),
    };
    let collapsed = match p.collapsed {
        0 => String::new(),
        n => format!("; {n} later edit(s) collapsed into it"),
    };
    format!(
        "{} #{} {what} (since {}){collapsed}{why}",
        p.job,
        p.seq,
        rfc3339(p.written_at)
    )
}
