//! What the drift watch says about a job: the note that its link drifted
//! (once, with each fact that no longer holds), the note that it holds
//! again, and the card's status line while it is out of shape.

use super::notes::note;
use crate::domain::drift::{Drift, Fact};
use crate::domain::job::Job;
use crate::i18n::{Arg, Locale};
use crate::ports::chat::{Note, Tone};
use crate::t;

/// Each drift, one per line after a bullet, in `locale`.
pub fn bullets(drifts: &[Drift], locale: Locale) -> String {
    drifts
        .iter()
        .map(|d| format!("\n• {}", d.text().render(locale)))
        .collect()
}

pub fn drifted(job: &Job, drifts: &[Drift]) -> Note {
    let locale = job.locale();
    let text = t!(locale, "note-drifted", job = job.id()) + &bullets(drifts, locale);
    Note {
        mention: Some(job.requester().clone()),
        ..note(job.id(), Tone::Failure, text)
    }
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
