//! What the drift watch says about a job: the note that its link drifted
//! (once, with each fact that no longer holds), the note that it holds
//! again, and the card's status line while it is out of shape.

use super::button;
use super::notes::note;
use crate::domain::drift::{Drift, Fact, repair};
use crate::domain::ids::JobId;
use crate::domain::job::{Job, JobState, Step};
use crate::i18n::{Arg, Locale, Text};
use crate::ports::chat::{Action, Button, Note, Tone};
use crate::t;

/// Each drift, one per line after a bullet, in `locale`.
pub fn bullets(drifts: &[Drift], locale: Locale) -> String {
    drifts
        .iter()
        .map(|d| format!("\n• {}", d.text().render(locale)))
        .collect()
}

/// The note that a link drifted: each fact, what a repair would change
/// (its exact preview), and the Repair and "Accept as is" buttons.
pub fn drifted(job: &Job, drifts: &[Drift]) -> Note {
    let locale = job.locale();
    let mut text = t!(locale, "note-drifted", job = job.id()) + &bullets(drifts, locale);
    let (said, buttons) = offer(job);
    text.push_str("\n\n");
    text.push_str(&said);
    Note {
        mention: Some(job.requester().clone()),
        buttons,
        ..note(job.id(), Tone::Failure, text)
    }
}

/// What a repair of `job` would do, and the buttons that ask for it.
fn offer(job: &Job) -> (String, Vec<Button>) {
    let locale = job.locale();
    if let JobState::HandedOver { .. } = job.state() {
        return (t!(locale, "note-drift-terraform"), Vec::new());
    }
    let accept = button(job.id(), Action::Accept, locale);
    let Some(plan) = repair::plan(job) else {
        return (t!(locale, "note-drift-no-repair"), vec![accept]);
    };
    if let (true, Some(other)) = (plan.recreates_endpoint, job.health().endpoint_told_by) {
        return (
            t!(locale, "note-drift-repair-there", other = other),
            vec![accept],
        );
    }
    let changes: String = plan
        .changes
        .iter()
        .map(|c| format!("\n• {}", c.render(locale)))
        .collect();
    let mut said = t!(locale, "note-drift-repair", changes = changes);
    if plan.recreates_endpoint {
        said.push('\n');
        said.push_str(&t!(
            locale,
            "note-drift-repair-approval",
            requester = job.requester()
        ));
    }
    let repair = Button {
        confirm: Some(t!(locale, "confirm-repair", job = job.id())),
        ..button(job.id(), Action::Repair, locale)
    };
    (said, vec![repair, accept])
}

/// The repair ended verified; `detail` is what the verify step found.
pub fn repaired(job: &Job, detail: &str) -> Note {
    let text = t!(job.locale(), "note-repaired", job = job.id()) + "\n" + detail;
    Note {
        mention: Some(job.requester().clone()),
        ..note(job.id(), Tone::Success, text)
    }
}

/// The repair failed at `step`: the link is as the watch found it, and
/// the buttons offer the repair again.
pub fn repair_failed(job: &Job, step: Step, error: &Text) -> Note {
    let locale = job.locale();
    let text = t!(
        locale,
        "note-repair-failed",
        job = job.id(),
        step = step.text(),
        error = error.clone()
    );
    let (_, buttons) = offer(job);
    Note {
        buttons,
        ..note(job.id(), Tone::Failure, text)
    }
}

/// Another job's repair replaced the endpoint this one shared.
pub fn repair_shared(job: &Job, other: JobId) -> Note {
    note(
        job.id(),
        Tone::Working,
        t!(
            job.locale(),
            "note-repair-shared",
            job = job.id(),
            other = other
        ),
    )
}

pub fn restored(job: &Job) -> Note {
    note(
        job.id(),
        Tone::Success,
        t!(job.locale(), "note-restored", job = job.id()),
    )
}

/// What `status` says of the watch: when it last checked the link and
/// how it found it, and the reads it was refused (someone must grant
/// them). Nothing for a job never checked.
pub(super) fn last_check(job: &Job, locale: Locale) -> String {
    let health = job.health();
    let Some(at) = health.checked_at else {
        return String::new();
    };
    let at = crate::ports::clock::rfc3339(at);
    let mut out = if health.reported.is_empty() {
        t!(locale, "status-checked-in-shape", at = at)
    } else {
        t!(locale, "status-checked-drifted", at = at) + &bullets(&health.reported, locale)
    };
    out.push('\n');
    if job.resources().whitelist_required {
        // Zilliz has no read for an account's whitelisting: never guessed.
        out.push_str(&t!(locale, "status-check-whitelist-unread"));
        out.push('\n');
    }
    for line in unread(&health.denied, "status-check-denied", locale) {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// A line per fact that could not be read, and why, said as `key` says
/// it (refused: someone must grant it; failed: read again later).
pub fn unread(facts: &[(Fact, String)], key: &str, locale: Locale) -> Vec<String> {
    facts
        .iter()
        .map(|(fact, why)| {
            let args = [
                ("fact", Arg::Nested(Box::new(fact.text()))),
                ("why", Arg::Text(why.clone())),
            ];
            crate::i18n::render(locale, key, &args)
        })
        .collect()
}

/// The card's top line for a succeeded job the watch found out of shape.
pub(super) fn status(job: &Job, locale: Locale) -> Option<String> {
    let first = job.health().reported.first()?;
    let more = job.health().reported.len() - 1;
    let what = first.text().render(locale);
    if let (true, Some(teller)) = (first.is_the_endpoints(), job.health().endpoint_told_by) {
        return Some(t!(
            locale,
            "status-drifted-shared",
            what = what,
            job = teller
        ));
    }
    Some(match more {
        0 => t!(locale, "status-drifted", what = what),
        more => t!(locale, "status-drifted-more", what = what, more = more),
    })
}
