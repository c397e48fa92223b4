//! The notes in a card's thread: decisions, step progress, waits,
//! failures with their buttons, the summary and the teardown's account.

use std::time::Duration;

use super::{button, resources};
use crate::domain::ids::{JobId, UserRef};
use crate::domain::job::{Job, Step, Teardown};
use crate::domain::ownership::{Resource, Verdict};
use crate::domain::plan::join;
use crate::i18n::Text;
use crate::ports::chat::{Action, Note, Tone};
use crate::{t, text};

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

/// Something found during a step that a person should act on, though the
/// job goes on (a port the security groups do not let in).
pub fn step_warning(job: &Job, step: Step, warning: &Text) -> Note {
    note(
        job.id,
        Tone::Neutral,
        t!(
            job.locale,
            "note-step-warning",
            step = step.text(),
            warning = warning.clone()
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
