//! The notes in a card's thread: decisions, the progress checklist, long
//! waits, warnings, failures with their buttons, the summary and the
//! teardown's account. Only the checklist and a long wait's note are
//! edited in place; everything else is a new message a person should see.

use std::time::Duration;

use super::{button, resources};
use crate::domain::ids::{JobId, UserRef};
use crate::domain::job::{Job, JobState, Living, Step, Teardown};
use crate::domain::ownership::{Resource, Verdict};
use crate::domain::plan::join;
use crate::i18n::Text;
use crate::ports::chat::{Action, Note, Tone};
use crate::{t, text};

pub(super) fn note(job: JobId, tone: Tone, text: String) -> Note {
    Note {
        job,
        text,
        tone,
        buttons: Vec::new(),
        living: None,
        mention: None,
        file: None,
    }
}

/// "Approved by slack:U1." and the like, for the thread. `what` is the
/// catalogue key of the decision (`decided-approved`, …).
pub fn decided(job: &Job, who: &UserRef, what: &str) -> Note {
    let what = crate::i18n::render(job.locale(), what, &[]);
    note(
        job.id(),
        Tone::Working,
        t!(job.locale(), "note-decided", what = what, by = who),
    )
}

/// "Approval 1 of 2 by slack:U1.", for the thread, while more are needed.
pub fn approval_counted(job: &Job, who: &UserRef) -> Note {
    let guard = job.guard();
    note(
        job.id(),
        Tone::Waiting,
        t!(
            job.locale(),
            "note-approval-counted",
            have = guard.approvals.len(),
            need = guard.needed.create,
            by = who
        ),
    )
}

/// "slack:U1 asks: deleting (1 of 2 approvals).", for a delete or a
/// repair that waits for more approvers; `what` is the decision's label.
pub fn counted(job: &Job, who: &UserRef, what: &str, have: usize, need: u8) -> Note {
    let what = crate::i18n::render(job.locale(), what, &[]);
    note(
        job.id(),
        Tone::Waiting,
        t!(
            job.locale(),
            "note-counted",
            by = who,
            what = what,
            have = have,
            need = need
        ),
    )
}

/// The first line of a step's result or error, as the checklist shows it.
fn one_line(text: &str) -> String {
    const MAX: usize = 200;
    let first = text.lines().next().unwrap_or_default();
    if first.chars().count() <= MAX {
        first.to_owned()
    } else {
        let mut short: String = first.chars().take(MAX - 1).collect();
        short.push('…');
        short
    }
}

/// The job's progress checklist, the way a CI check list reads: each
/// create step done (✔ and its one-line result), running (▶), failed (✘
/// and why) or still to come (◻). Rendered from the job as stored, so the
/// one message edited in place always ends complete.
pub fn progress(job: &Job) -> Note {
    let locale = job.locale();
    let finished = |step: Step| {
        job.steps()
            .iter()
            .rev()
            .find(|r| r.step == step && r.finished_at.is_some())
    };
    let done = Step::ALL.iter().filter(|s| finished(**s).is_some()).count();
    let mut text = t!(
        locale,
        "progress-heading",
        job = job.id(),
        done = done,
        total = Step::ALL.len()
    );
    for step in Step::ALL {
        let line = match (job.state(), finished(step)) {
            (JobState::Failed { step: s, error }, _) if *s == step => t!(
                locale,
                "progress-failed",
                step = step.text(),
                error = one_line(&error.render(locale))
            ),
            (_, Some(r)) => t!(
                locale,
                "progress-done",
                step = step.text(),
                detail = one_line(r.note.as_deref().unwrap_or_default())
            ),
            (JobState::Running { step: s }, _) if *s == step => {
                t!(locale, "progress-running", step = step.text())
            }
            _ => t!(locale, "progress-waiting", step = step.text()),
        };
        text.push('\n');
        text.push_str(&line);
    }
    let tone = match job.state() {
        JobState::Failed { .. } => Tone::Failure,
        _ if done == Step::ALL.len() => Tone::Success,
        JobState::Approved | JobState::Running { .. } => Tone::Working,
        _ => Tone::Neutral,
    };
    Note {
        living: Some(Living::Progress),
        ..note(job.id(), tone, text)
    }
}

/// How long something has taken, as a person says it: "45 s", "3 min",
/// "1 h 5 min".
pub fn elapsed(locale: crate::i18n::Locale, took: Duration) -> String {
    let secs = took.as_secs();
    match secs {
        0..60 => t!(locale, "duration-seconds", n = secs),
        60..3600 => t!(locale, "duration-minutes", n = secs / 60),
        _ => t!(
            locale,
            "duration-hours",
            h = secs / 3600,
            m = secs % 3600 / 60
        ),
    }
}

/// A wait that goes on: one note per step, edited as it goes on.
pub fn still_waiting(job: &Job, step: Step, took: Duration, what: &Text) -> Note {
    Note {
        living: Some(Living::Wait(step)),
        ..note(
            job.id(),
            Tone::Working,
            t!(
                job.locale(),
                "note-still-waiting",
                step = step.text(),
                elapsed = elapsed(job.locale(), took),
                what = what.clone()
            ),
        )
    }
}

/// Something found during a step that a person should act on, though the
/// job goes on (a port the security groups do not let in).
pub fn step_warning(job: &Job, step: Step, warning: &Text) -> Note {
    note(
        job.id(),
        Tone::Neutral,
        t!(
            job.locale(),
            "note-step-warning",
            step = step.text(),
            warning = warning.clone()
        ),
    )
}

pub fn failed(job: &Job, step: Step, error: &Text) -> Note {
    let locale = job.locale();
    Note {
        job: job.id(),
        text: t!(
            locale,
            "note-step-failed",
            step = step.text(),
            error = error.clone()
        ),
        tone: Tone::Failure,
        buttons: vec![
            button(job.id(), Action::Retry, locale),
            button(job.id(), Action::Rollback, locale),
        ],
        living: None,
        mention: None,
        file: None,
    }
}

/// A rollback or delete failed part-way: never a retry (that would
/// re-create what it removed); rolling back or deleting again finishes it.
pub fn teardown_failed(job: &Job, reason: Teardown, error: &Text) -> Note {
    let locale = job.locale();
    let text = match reason {
        Teardown::Rollback => t!(
            locale,
            "note-rollback-failed",
            error = error.clone(),
            job = job.id()
        ),
        Teardown::Delete => t!(
            locale,
            "note-delete-failed",
            error = error.clone(),
            job = job.id()
        ),
    };
    Note {
        job: job.id(),
        text,
        tone: Tone::Failure,
        buttons: vec![button(job.id(), Action::Rollback, locale)],
        living: None,
        mention: None,
        file: None,
    }
}

pub fn cancelled(job: &Job) -> Note {
    note(
        job.id(),
        Tone::Neutral,
        t!(job.locale(), "note-cancelled", job = job.id()),
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
        Verdict::ManagedByTerraform(jobs) => text!("verdict-terraform", jobs = join(jobs)),
    }
}

pub fn summary(job: &Job) -> Note {
    let locale = job.locale();
    let mut text = t!(locale, "note-succeeded", job = job.id());
    for c in &job.resources().clusters {
        text.push_str(&format!("\n• {}: {}", c.cluster, c.private_link_address));
    }
    text.push('\n');
    text.push_str(&t!(locale, "note-resources"));
    for line in resources(job, locale) {
        text.push_str(&format!("\n• {line}"));
    }
    Note {
        mention: Some(job.requester().clone()),
        ..note(job.id(), Tone::Success, text)
    }
}

pub fn torn_down(job: &Job, reason: Teardown, kept: &[(Resource, Verdict)]) -> Note {
    let locale = job.locale();
    let mut text = match (reason, kept.is_empty()) {
        (Teardown::Rollback, true) => t!(locale, "note-rolled-back-all", job = job.id()),
        (Teardown::Rollback, false) => t!(locale, "note-rolled-back-some", job = job.id()),
        (Teardown::Delete, true) => t!(locale, "note-deleted-all", job = job.id()),
        (Teardown::Delete, false) => t!(locale, "note-deleted-some", job = job.id()),
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
    note(job.id(), Tone::Success, text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    #[test]
    fn a_wait_says_how_long_as_a_person_would() {
        let say = |secs| elapsed(Locale::En, Duration::from_secs(secs));
        assert_eq!(
            [say(0), say(59), say(180), say(3599), say(3900)],
            ["0 s", "59 s", "3 min", "59 min", "1 h 5 min"]
        );
        assert_eq!(elapsed(Locale::ZhCn, Duration::from_secs(180)), "3 分钟");
    }
}
