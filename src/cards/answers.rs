//! The answers to `status` and `list` (and the admin CLI's lines): a job's
//! resources, steps and state, in the asker's language.

use super::status_line;
use crate::domain::job::{Job, Origin, StateKey};
use crate::domain::plan::join;
use crate::i18n::Locale;
use crate::ports::chat::Blocked;
use crate::ports::clock::rfc3339;
use crate::t;

/// The resources a job holds, one per line.
pub fn resources(job: &Job, locale: Locale) -> Vec<String> {
    let res = job.resources();
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
            project = job.request().project,
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

/// The answer to `status`, in the asker's language; `held` says why the
/// job's messages wait, when a platform refuses them until a person acts.
pub fn status_text(job: &Job, locale: Locale, held: Option<Blocked>) -> String {
    let mut out = format!("{} — {}\n", job.id(), status_line(job, locale));
    out.push_str(&t!(
        locale,
        "status-requested",
        by = job.requester(),
        at = rfc3339(job.created_at()),
        vpc = job.request().vpc,
        region = job.request().region,
        clusters = join(&job.request().clusters)
    ));
    out.push('\n');
    if job.card().is_none() {
        out.push_str(&t!(locale, "status-card-unposted"));
        out.push('\n');
    }
    out.push_str(&super::drift::last_check(job, locale));
    if let Some(why) = held {
        let why = crate::i18n::render(locale, why.key(), &[]);
        out.push_str(&t!(locale, "status-delivery-blocked", why = why));
        out.push('\n');
    }
    for s in job.steps() {
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
        StateKey::Repairing => "word-repairing",
        StateKey::HandedOver => "word-handed-over",
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
        job = job.id(),
        state = format!("{:<16}", state_word(job.state().key(), locale)),
        vpc = job.request().vpc,
        region = job.request().region,
        clusters = join(&job.request().clusters),
        by = job.requester()
    )
}
