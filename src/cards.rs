//! What the bot says about a job, in the platform-neutral message model:
//! the approval card (one per job, updated in place) and the notes posted in
//! its thread. Adapters decide how these look; this module decides what
//! they say.

use std::time::Duration;

use crate::domain::ids::{JobId, UserRef};
use crate::domain::job::{Job, JobState, Origin, StateKey, Step, Teardown};
use crate::domain::ownership::{Resource, Verdict};
use crate::domain::plan::{Plan, join};
use crate::i18n::{Locale, Text};
use crate::ports::chat::{Action, Button, ButtonStyle, Card, Note, Tone};
use crate::ports::clock::rfc3339;
use crate::{t, text};

fn button(job: JobId, action: Action, locale: Locale) -> Button {
    let (label, style, confirm) = match action {
        Action::Approve => (
            t!(locale, "button-approve"),
            ButtonStyle::Primary,
            Some(t!(locale, "confirm-approve", job = job)),
        ),
        Action::Reject => (t!(locale, "button-reject"), ButtonStyle::Danger, None),
        Action::Retry => (t!(locale, "button-retry"), ButtonStyle::Primary, None),
        Action::Rollback => (
            t!(locale, "button-rollback"),
            ButtonStyle::Danger,
            Some(t!(locale, "confirm-rollback", job = job)),
        ),
        Action::Cancel => (t!(locale, "button-cancel"), ButtonStyle::Danger, None),
    };
    Button {
        action,
        job,
        label,
        style,
        confirm,
        confirm_title: t!(locale, "confirm-title"),
        deny_label: t!(locale, "confirm-deny"),
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
    actions
        .iter()
        .map(|a| button(job.id, *a, job.locale))
        .collect()
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
pub fn status_line(job: &Job, locale: Locale) -> String {
    let by = |u: &Option<UserRef>| {
        u.as_ref()
            .map(ToString::to_string)
            .unwrap_or_else(|| "-".to_owned())
    };
    let who = by(&job.decided_by);
    let decided = job.decided_by.is_some();
    match &job.state {
        JobState::PendingApproval => {
            t!(locale, "status-waiting", expires = rfc3339(job.expires_at))
        }
        JobState::Approved if decided => t!(locale, "status-approved-by", by = who),
        JobState::Running { step } if decided => {
            t!(locale, "status-running-by", by = who, step = step.text())
        }
        JobState::Rejected if decided => t!(locale, "status-rejected-by", by = who),
        JobState::Cancelled if decided => t!(locale, "status-cancelled-by", by = who),
        other => {
            // A sentence's first word, capitalised where the script has case.
            let s = other.text().render(locale);
            let mut chars = s.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => s,
            }
        }
    }
}

/// The job's card, as it should look now, in the job's language.
pub fn card(job: &Job) -> Card {
    let locale = job.locale;
    let r = &job.request;
    let field = |key: &str, value: String| (crate::i18n::render(locale, key, &[]), value);
    let mut fields = vec![
        field("field-requester", job.requester.to_string()),
        field("field-project", r.project.to_string()),
        field("field-region", r.region.to_string()),
        field("field-vpc", r.vpc.to_string()),
        field("field-subnets", join(&r.subnets)),
        field("field-security-groups", join(&r.security_groups)),
        field("field-clusters", join(&r.clusters)),
        field(
            "field-account",
            job.account
                .clone()
                .unwrap_or_else(|| t!(locale, "value-unknown")),
        ),
    ];
    if let Some(role) = &r.role {
        fields.push(field("field-role", role.to_string()));
    }
    if let Some(e) = &job.resources.endpoint {
        fields.push(field("field-endpoint", e.id.to_string()));
    }
    let plan = Plan {
        endpoint_service: job
            .resources
            .endpoint_service
            .clone()
            .unwrap_or_else(|| t!(locale, "value-zilliz-service")),
        account: job.account.clone(),
        whitelist_required: job.resources.whitelist_required,
        findings: job.findings.clone(),
    };
    Card {
        job: job.id,
        revision: job.version,
        title: t!(
            locale,
            "card-title",
            job = job.id,
            vpc = r.vpc,
            region = r.region
        ),
        status: status_line(job, locale),
        tone: tone_for(&job.state),
        fields,
        actions: plan.actions(r, locale),
        warnings: plan.warnings().map(|f| f.render(locale)).collect(),
        buttons: buttons_for(job),
        plan_heading: t!(locale, "card-plan"),
        warnings_heading: t!(locale, "card-warnings"),
    }
}

fn note(job: JobId, tone: Tone, text: String) -> Note {
    Note {
        job,
        text,
        tone,
        buttons: Vec::new(),
        progress: false,
        held_back: 0,
    }
}

/// A step-by-step note, which the outbox may thin out during an outage.
fn progress(job: JobId, text: String) -> Note {
    Note {
        progress: true,
        ..note(job, Tone::Working, text)
    }
}

/// "Approved by slack:U1." and the like, for the thread. `what` is the
/// catalogue key of the decision (`decided-approved`, …).
pub fn decided(job: &Job, who: &UserRef, what: &str) -> Note {
    let what = crate::i18n::render(job.locale, what, &[]);
    note(
        job.id,
        Tone::Working,
        t!(job.locale, "note-decided", what = what, by = who),
    )
}

pub fn step_started(job: &Job, step: Step) -> Note {
    progress(
        job.id,
        t!(job.locale, "note-step-started", step = step.text()),
    )
}

pub fn step_finished(job: &Job, step: Step, detail: &str) -> Note {
    progress(
        job.id,
        t!(
            job.locale,
            "note-step-finished",
            step = step.text(),
            detail = detail
        ),
    )
}

pub fn still_waiting(job: &Job, step: Step, elapsed: Duration, what: &Text) -> Note {
    progress(
        job.id,
        t!(
            job.locale,
            "note-still-waiting",
            step = step.text(),
            seconds = elapsed.as_secs(),
            what = what.clone()
        ),
    )
}

pub fn failed(job: &Job, step: Step, error: &str) -> Note {
    let locale = job.locale;
    Note {
        job: job.id,
        text: t!(
            locale,
            "note-step-failed",
            step = step.text(),
            error = error
        ),
        tone: Tone::Failure,
        buttons: vec![
            button(job.id, Action::Retry, locale),
            button(job.id, Action::Rollback, locale),
        ],
        progress: false,
        held_back: 0,
    }
}

/// A rollback or delete failed part-way: never a retry (that would
/// re-create what it removed); rolling back or deleting again finishes it.
pub fn teardown_failed(job: &Job, reason: Teardown, error: &str) -> Note {
    let locale = job.locale;
    let text = match reason {
        Teardown::Rollback => t!(locale, "note-rollback-failed", error = error, job = job.id),
        Teardown::Delete => t!(locale, "note-delete-failed", error = error, job = job.id),
    };
    Note {
        job: job.id,
        text,
        tone: Tone::Failure,
        buttons: vec![button(job.id, Action::Rollback, locale)],
        progress: false,
        held_back: 0,
    }
}

pub fn cancelled(job: &Job) -> Note {
    note(
        job.id,
        Tone::Neutral,
        t!(job.locale, "note-cancelled", job = job.id),
    )
}

/// A resource in words ("VPC endpoint vpce-…").
pub fn resource_text(resource: &Resource) -> Text {
    match resource {
        Resource::Endpoint(e) => text!("resource-endpoint", endpoint = e),
        Resource::Registration { project, endpoint } => {
            text!(
                "resource-registration",
                endpoint = endpoint,
                project = project
            )
        }
        Resource::Zone(z) => text!("resource-zone", zone = z),
        Resource::Record { zone, host } => text!("resource-record", host = host, zone = zone),
    }
}

/// Why a resource stays or goes, in words.
pub fn verdict_text(verdict: &Verdict) -> Text {
    match verdict {
        Verdict::Remove => text!("verdict-removed"),
        Verdict::StillUsedBy(jobs) => text!("verdict-still-used", jobs = join(jobs)),
        Verdict::NotMadeByTheBot => text!("verdict-not-bot"),
    }
}

/// The resources a job holds, one per line.
pub fn resources(job: &Job, locale: Locale) -> Vec<String> {
    let res = &job.resources;
    let origin = |o: Origin| match o {
        Origin::Created => t!(locale, "origin-created"),
        Origin::Adopted => t!(locale, "origin-adopted"),
    };
    let mut out = Vec::new();
    if let Some(e) = &res.endpoint {
        out.push(t!(
            locale,
            "line-endpoint",
            endpoint = e.id,
            origin = origin(e.origin)
        ));
        if let Some(dns) = &e.dns_name {
            out.push(t!(locale, "line-endpoint-dns", name = dns));
        }
    }
    if let Some(o) = res.registration {
        out.push(t!(
            locale,
            "line-registration",
            project = job.request.project,
            origin = origin(o)
        ));
    }
    for c in &res.clusters {
        let mut line = t!(
            locale,
            "line-cluster",
            cluster = c.cluster,
            address = c.private_link_address
        );
        if let Some(z) = &c.zone_id {
            line.push_str(&t!(locale, "line-cluster-zone", zone = z));
        }
        if c.record {
            line.push_str(&t!(locale, "line-cluster-record", host = c.host));
        }
        out.push(line);
    }
    out
}

pub fn summary(job: &Job) -> Note {
    let locale = job.locale;
    let mut text = t!(locale, "note-succeeded", job = job.id);
    for c in &job.resources.clusters {
        text.push_str(&format!("\n• {}: {}", c.cluster, c.private_link_address));
    }
    text.push('\n');
    text.push_str(&t!(locale, "note-resources"));
    for line in resources(job, locale) {
        text.push_str(&format!("\n• {line}"));
    }
    note(job.id, Tone::Success, text)
}

pub fn torn_down(job: &Job, reason: Teardown, kept: &[(Resource, Verdict)]) -> Note {
    let locale = job.locale;
    let mut text = match (reason, kept.is_empty()) {
        (Teardown::Rollback, true) => t!(locale, "note-rolled-back-all", job = job.id),
        (Teardown::Rollback, false) => t!(locale, "note-rolled-back-some", job = job.id),
        (Teardown::Delete, true) => t!(locale, "note-deleted-all", job = job.id),
        (Teardown::Delete, false) => t!(locale, "note-deleted-some", job = job.id),
    };
    for (resource, why) in kept {
        text.push('\n');
        text.push_str(&t!(
            locale,
            "note-kept",
            why = verdict_text(why),
            resource = resource_text(resource)
        ));
    }
    note(job.id, Tone::Success, text)
}

/// The answer to `status`, in the asker's language.
pub fn status_text(job: &Job, locale: Locale) -> String {
    let mut out = format!("{} — {}\n", job.id, status_line(job, locale));
    out.push_str(&t!(
        locale,
        "status-requested",
        by = job.requester,
        at = rfc3339(job.created_at),
        vpc = job.request.vpc,
        region = job.request.region,
        clusters = join(&job.request.clusters)
    ));
    out.push('\n');
    if job.card.is_none() {
        out.push_str(&t!(locale, "status-card-unposted"));
        out.push('\n');
    }
    for s in &job.steps {
        let line = match (&s.finished_at, &s.note) {
            (Some(_), Some(note)) => t!(
                locale,
                "status-step-done-note",
                step = s.step.text(),
                note = note
            ),
            (Some(_), None) => t!(locale, "status-step-done", step = s.step.text()),
            (None, _) => t!(locale, "status-step-started", step = s.step.text()),
        };
        out.push_str(&format!("  {line}\n"));
    }
    for line in resources(job, locale) {
        out.push_str(&format!("  • {line}\n"));
    }
    out.trim_end().to_owned()
}

/// A state in one word, for lists (in English the word `list` filters by).
pub fn state_word(key: StateKey, locale: Locale) -> String {
    let word = match key {
        StateKey::PendingApproval => "word-pending-approval",
        StateKey::Approved => "word-approved",
        StateKey::Running => "word-running",
        StateKey::Succeeded => "word-succeeded",
        StateKey::Failed => "word-failed",
        StateKey::Cancelled => "word-cancelled",
        StateKey::Rejected => "word-rejected",
        StateKey::Expired => "word-expired",
        StateKey::RollingBack => "word-rolling-back",
        StateKey::Deleting => "word-deleting",
        StateKey::TeardownFailed => "word-teardown-failed",
        StateKey::RolledBack => "word-rolled-back",
        StateKey::Deleted => "word-deleted",
    };
    crate::i18n::render(locale, word, &[])
}

/// One line for `list`.
pub fn list_line(job: &Job, locale: Locale) -> String {
    t!(
        locale,
        "list-line",
        job = job.id,
        state = format!("{:<16}", state_word(job.state.key(), locale)),
        vpc = job.request.vpc,
        region = job.request.region,
        clusters = join(&job.request.clusters),
        by = job.requester
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
