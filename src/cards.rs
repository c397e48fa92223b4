//! What the bot says about a job, in the platform-neutral message model:
//! the approval card (one per job, updated in place) and the notes posted in
//! its thread. Adapters decide how these look; this module decides what
//! they say.

use std::time::Duration;

use crate::domain::ids::{JobId, UserRef};
use crate::domain::job::{Job, JobState, Origin, Step, Teardown};
use crate::domain::ownership::{Resource, Verdict};
use crate::domain::plan::{Plan, join};
use crate::ports::chat::{Action, Button, ButtonStyle, Card, Note, Tone};
use crate::ports::clock::rfc3339;

fn button(job: JobId, action: Action) -> Button {
    let (label, style, confirm) = match action {
        Action::Approve => (
            "Approve",
            ButtonStyle::Primary,
            Some(format!(
                "Approve {job}? The bot will create AWS resources in the account shown."
            )),
        ),
        Action::Reject => ("Reject", ButtonStyle::Danger, None),
        Action::Retry => ("Retry", ButtonStyle::Primary, None),
        Action::Rollback => (
            "Roll back",
            ButtonStyle::Danger,
            Some(format!("Remove everything {job} created?")),
        ),
        Action::Cancel => ("Cancel", ButtonStyle::Danger, None),
    };
    Button {
        action,
        job,
        label: label.to_owned(),
        style,
        confirm,
    }
}

/// The buttons that make sense in a state; the others are removed from the card.
pub fn buttons_for(job: &Job) -> Vec<Button> {
    let actions: &[Action] = match job.state {
        JobState::PendingApproval => &[Action::Approve, Action::Reject],
        JobState::Approved | JobState::Running { .. } => &[Action::Cancel],
        JobState::Failed { .. } => &[Action::Retry, Action::Rollback],
        JobState::TeardownFailed { .. } => &[Action::Rollback],
        _ => &[],
    };
    actions.iter().map(|a| button(job.id, *a)).collect()
}

fn tone_for(state: &JobState) -> Tone {
    match state {
        JobState::PendingApproval => Tone::Waiting,
        JobState::Approved | JobState::Running { .. } | JobState::TearingDown { .. } => {
            Tone::Working
        }
        JobState::Succeeded | JobState::RolledBack | JobState::Deleted => Tone::Success,
        JobState::Failed { .. } | JobState::TeardownFailed { .. } => Tone::Failure,
        JobState::Cancelled | JobState::Rejected | JobState::Expired => Tone::Neutral,
    }
}

/// The card's top line: the current state, and who decided.
pub fn status_line(job: &Job) -> String {
    let who = job
        .decided_by
        .as_ref()
        .map(|u| format!(" by {u}"))
        .unwrap_or_default();
    match &job.state {
        JobState::PendingApproval => {
            format!("Waiting for approval (expires {})", rfc3339(job.expires_at))
        }
        JobState::Approved => format!("Approved{who}, queued"),
        JobState::Running { step } => format!("Approved{who}, running step {step}"),
        JobState::Rejected => format!("Rejected{who}"),
        JobState::Cancelled => format!("Cancelled{who}"),
        other => {
            let s = other.to_string();
            let mut chars = s.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => s,
            }
        }
    }
}

/// The job's card, as it should look now.
pub fn card(job: &Job) -> Card {
    let r = &job.request;
    let mut fields = vec![
        ("Requester".to_owned(), job.requester.to_string()),
        ("Project".to_owned(), r.project.to_string()),
        ("Region".to_owned(), r.region.to_string()),
        ("VPC".to_owned(), r.vpc.to_string()),
        ("Subnets".to_owned(), join(&r.subnets)),
        ("Security groups".to_owned(), join(&r.security_groups)),
        ("Clusters".to_owned(), join(&r.clusters)),
        (
            "AWS account".to_owned(),
            job.account.clone().unwrap_or_else(|| "unknown".to_owned()),
        ),
    ];
    if let Some(role) = &r.role {
        fields.push(("Role".to_owned(), role.to_string()));
    }
    if let Some(e) = &job.resources.endpoint {
        fields.push(("Endpoint".to_owned(), e.id.to_string()));
    }
    let plan = Plan {
        endpoint_service: job
            .resources
            .endpoint_service
            .clone()
            .unwrap_or_else(|| "the Zilliz endpoint service".to_owned()),
        account: job.account.clone(),
        whitelist_required: job.resources.whitelist_required,
        findings: job.findings.clone(),
    };
    Card {
        job: job.id,
        revision: job.version,
        title: format!(
            "Private link {}: {} → Zilliz Cloud {}",
            job.id, r.vpc, r.region
        ),
        status: status_line(job),
        tone: tone_for(&job.state),
        fields,
        actions: plan.actions(r),
        warnings: plan.warnings().map(ToString::to_string).collect(),
        buttons: buttons_for(job),
    }
}

fn note(job: JobId, tone: Tone, text: String) -> Note {
    Note {
        job,
        text,
        tone,
        buttons: Vec::new(),
        progress: false,
    }
}

/// A step-by-step note, which the outbox may thin out during an outage.
fn progress(job: JobId, text: String) -> Note {
    Note {
        progress: true,
        ..note(job, Tone::Working, text)
    }
}

/// "Approved by slack:U1." and the like, for the thread.
pub fn decided(job: JobId, who: &UserRef, what: &str) -> Note {
    note(job, Tone::Working, format!("{what} by {who}."))
}

pub fn step_started(job: JobId, step: Step) -> Note {
    progress(job, format!("▶ step {step}"))
}

pub fn step_finished(job: JobId, step: Step, detail: &str) -> Note {
    progress(job, format!("✔ step {step}: {detail}"))
}

pub fn still_waiting(job: JobId, step: Step, elapsed: Duration, what: &str) -> Note {
    progress(
        job,
        format!(
            "… still waiting at step {step} ({}s): {what}",
            elapsed.as_secs()
        ),
    )
}

pub fn failed(job: &Job, step: Step, error: &str) -> Note {
    Note {
        job: job.id,
        text: format!(
            "✘ step {step} failed: {error}\nRetry runs the job again from this step; Roll back removes what it created."
        ),
        tone: Tone::Failure,
        buttons: vec![
            button(job.id, Action::Retry),
            button(job.id, Action::Rollback),
        ],
        progress: false,
    }
}

/// A rollback or delete failed part-way: never a retry (that would
/// re-create what it removed); rolling back or deleting again finishes it.
pub fn teardown_failed(job: &Job, reason: Teardown, error: &str) -> Note {
    let what = match reason {
        Teardown::Rollback => "Rollback",
        Teardown::Delete => "Delete",
    };
    Note {
        job: job.id,
        text: format!(
            "✘ {what} failed: {error}\nRoll back (or `/privatelink delete {}`) runs the teardown again; what is already gone is skipped.",
            job.id
        ),
        tone: Tone::Failure,
        buttons: vec![button(job.id, Action::Rollback)],
        progress: false,
    }
}

pub fn cancelled(job: &Job) -> Note {
    note(
        job.id,
        Tone::Neutral,
        format!(
            "Cancelled. Resources created so far are kept; `/privatelink rollback {}` removes them.",
            job.id
        ),
    )
}

/// The resources a job holds, one per line.
pub fn resources(job: &Job) -> Vec<String> {
    let res = &job.resources;
    let origin = |o: Origin| match o {
        Origin::Created => "created",
        Origin::Adopted => "adopted",
    };
    let mut out = Vec::new();
    if let Some(e) = &res.endpoint {
        out.push(format!("VPC endpoint {} ({})", e.id, origin(e.origin)));
        if let Some(dns) = &e.dns_name {
            out.push(format!("Endpoint DNS name {dns}"));
        }
    }
    if let Some(o) = res.registration {
        out.push(format!(
            "Zilliz registration in {} ({})",
            job.request.project,
            origin(o)
        ));
    }
    for c in &res.clusters {
        out.push(format!(
            "{}: private link {}{}{}",
            c.cluster,
            c.private_link_address,
            c.zone_id
                .as_ref()
                .map(|z| format!(", hosted zone {z}"))
                .unwrap_or_default(),
            if c.record {
                format!(", alias A {} → endpoint", c.host)
            } else {
                String::new()
            }
        ));
    }
    out
}

pub fn summary(job: &Job) -> Note {
    let mut text = format!("✅ {} succeeded. Connect through:", job.id);
    for c in &job.resources.clusters {
        text.push_str(&format!("\n• {}: {}", c.cluster, c.private_link_address));
    }
    text.push_str("\nResources:");
    for line in resources(job) {
        text.push_str(&format!("\n• {line}"));
    }
    note(job.id, Tone::Success, text)
}

pub fn torn_down(job: &Job, reason: Teardown, kept: &[(Resource, Verdict)]) -> Note {
    let what = match reason {
        Teardown::Rollback => "Rolled back",
        Teardown::Delete => "Deleted",
    };
    let mut text = if kept.is_empty() {
        format!("{what}: everything {} created is gone.", job.id)
    } else {
        format!(
            "{what}: what {} held alone is gone; the rest stays.",
            job.id
        )
    };
    for (resource, why) in kept {
        text.push_str(&format!("\n• kept ({why}): {resource}"));
    }
    note(job.id, Tone::Success, text)
}

/// The answer to `status`.
pub fn status_text(job: &Job) -> String {
    let mut out = format!("{} — {}\n", job.id, status_line(job));
    out.push_str(&format!(
        "Requested by {} at {}; {} in {} for {}\n",
        job.requester,
        rfc3339(job.created_at),
        job.request.vpc,
        job.request.region,
        join(&job.request.clusters)
    ));
    if job.card.is_none() {
        out.push_str("  (its card not posted yet: chat has not taken it; the bot keeps trying)\n");
    }
    for s in &job.steps {
        let done = if s.finished_at.is_some() {
            "done"
        } else {
            "started"
        };
        out.push_str(&format!(
            "  step {} — {done}{}\n",
            s.step,
            s.note
                .as_ref()
                .map(|n| format!(": {n}"))
                .unwrap_or_default()
        ));
    }
    for line in resources(job) {
        out.push_str(&format!("  • {line}\n"));
    }
    out.trim_end().to_owned()
}

/// One line for `list`.
pub fn list_line(job: &Job) -> String {
    format!(
        "{} {:<16} {} {} {} (by {})",
        job.id,
        job.state.key(),
        job.request.vpc,
        job.request.region,
        join(&job.request.clusters),
        job.requester
    )
}

/// One line for `jobs outbox`: what waits, since when, and why.
pub fn outbox_line(p: &crate::store::Pending) -> String {
    let what = match &p.message {
        crate::ports::chat::Outgoing::Card => "card".to_owned(),
        crate::ports::chat::Outgoing::Note(n) => {
            let first = n.text.lines().next().unwrap_or_default();
            let short: String = first.chars().take(60).collect();
            format!("note \"{short}\"")
        }
    };
    let why = match &p.last_error {
        Some(e) => format!("; {} failed tries, last: {e}", p.attempts),
        None => String::new(),
    };
    format!(
        "{} #{} {what} (since {}){why}",
        p.job,
        p.seq,
        rfc3339(p.written_at)
    )
}
