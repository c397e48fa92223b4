//! What the bot says about a job, in the platform-neutral message model:
//! the approval card (one per job, updated in place; here), the notes
//! posted in its thread (`notes`), and the answers to `status` and `list`
//! (`answers`). Adapters decide how these look; this module decides what
//! they say.

mod answers;
pub mod drift;
mod export;
mod notes;

pub use answers::{list_line, resources, state_word, status_text};
pub use drift::{drifted, restored};
pub use export::exported;
pub use notes::{
    approval_counted, cancelled, counted, decided, failed, progress, resource_text, step_warning,
    still_waiting, summary, teardown_failed, torn_down, verdict_text,
};

use crate::domain::ids::{JobId, UserRef};
use crate::domain::job::{Job, JobState};
use crate::domain::plan::{Plan, join};
use crate::i18n::Locale;
use crate::ports::chat::{Action, Button, ButtonStyle, Card, Tone};
use crate::ports::clock::rfc3339;
use crate::t;

pub(super) fn button(job: JobId, action: Action, locale: Locale) -> Button {
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
        // The drift note sets the repair's preview as its confirmation.
        Action::Repair => (t!(locale, "button-repair"), ButtonStyle::Primary, None),
        Action::Accept => (
            t!(locale, "button-accept"),
            ButtonStyle::Plain,
            Some(t!(locale, "confirm-accept", job = job)),
        ),
        Action::HandOver => (
            t!(locale, "button-hand-over"),
            ButtonStyle::Danger,
            Some(t!(locale, "confirm-hand-over", job = job)),
        ),
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
    let actions: &[Action] = match job.state() {
        JobState::PendingApproval => &[Action::Approve, Action::Reject],
        JobState::Approved | JobState::Running { .. } => &[Action::Cancel],
        JobState::Failed { .. } => &[Action::Retry, Action::Rollback],
        JobState::TeardownFailed { .. } => &[Action::Rollback],
        _ => &[],
    };
    actions
        .iter()
        .map(|a| button(job.id(), *a, job.locale()))
        .collect()
}

fn tone_for(state: &JobState) -> Tone {
    match state {
        JobState::PendingApproval => Tone::Waiting,
        JobState::Approved
        | JobState::Running { .. }
        | JobState::Repairing { .. }
        | JobState::TearingDown { .. } => Tone::Working,
        JobState::Succeeded
        | JobState::HandedOver { .. }
        | JobState::RolledBack
        | JobState::Deleted => Tone::Success,
        JobState::Failed { .. } | JobState::TeardownFailed { .. } => Tone::Failure,
        JobState::Cancelled | JobState::Rejected | JobState::Expired => Tone::Neutral,
    }
}

/// The card's top line: the current state, and who decided.
pub fn status_line(job: &Job, locale: Locale) -> String {
    let by = |u: Option<&UserRef>| {
        u.as_ref()
            .map(ToString::to_string)
            .unwrap_or_else(|| "-".to_owned())
    };
    let who = by(job.decided_by());
    let decided = job.decided_by().is_some();
    match job.state() {
        JobState::PendingApproval if job.guard().needed.create > 1 => {
            let approvals = &job.guard().approvals;
            let by: Vec<String> = approvals.iter().map(ToString::to_string).collect();
            t!(
                locale,
                "status-waiting-approvals",
                have = approvals.len(),
                need = job.guard().needed.create,
                by = if by.is_empty() {
                    "-".to_owned()
                } else {
                    by.join(", ")
                },
                expires = rfc3339(job.expires_at())
            )
        }
        JobState::PendingApproval => {
            t!(
                locale,
                "status-waiting",
                expires = rfc3339(job.expires_at())
            )
        }
        JobState::Approved if decided => t!(locale, "status-approved-by", by = who),
        JobState::Running { step } if decided => {
            t!(locale, "status-running-by", by = who, step = step.text())
        }
        JobState::Rejected if decided => t!(locale, "status-rejected-by", by = who),
        JobState::Cancelled if decided => t!(locale, "status-cancelled-by", by = who),
        JobState::Succeeded | JobState::HandedOver { .. } if job.health().is_drifted() => {
            drift::status(job, locale).unwrap_or_default()
        }
        JobState::HandedOver { at, by } => {
            t!(locale, "status-handed-over", by = by, at = rfc3339(*at))
        }
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
    let locale = job.locale();
    let r = job.request();
    let field = |key: &str, value: String| (crate::i18n::render(locale, key, &[]), value);
    let mut fields = vec![
        field("field-requester", job.requester().to_string()),
        field("field-project", r.project.to_string()),
        field("field-region", r.region.to_string()),
        field("field-vpc", r.vpc.to_string()),
        field("field-subnets", join(&r.subnets)),
        field("field-security-groups", join(&r.security_groups)),
        field("field-clusters", join(&r.clusters)),
        field(
            "field-account",
            job.account()
                .as_ref()
                .map_or_else(|| t!(locale, "value-unknown"), ToString::to_string),
        ),
    ];
    if let Some(role) = &r.role {
        fields.push(field("field-role", role.to_string()));
    }
    if let Some(e) = &job.resources().endpoint {
        fields.push(field("field-endpoint", e.id.to_string()));
    }
    let plan = Plan {
        endpoint_service: job
            .resources()
            .endpoint_service
            .clone()
            .unwrap_or_else(|| t!(locale, "value-zilliz-service")),
        account: job.account().cloned(),
        whitelist_required: job.resources().whitelist_required,
        findings: job.findings().to_vec(),
    };
    Card {
        job: job.id(),
        revision: job.version(),
        title: t!(
            locale,
            "card-title",
            job = job.id(),
            vpc = r.vpc,
            region = r.region
        ),
        status: status_line(job, locale),
        tone: if *job.state() == JobState::Succeeded && job.health().is_drifted() {
            Tone::Failure
        } else {
            tone_for(job.state())
        },
        fields,
        actions: plan.actions(r, locale),
        warnings: plan.warnings().map(|f| f.render(locale)).collect(),
        buttons: buttons_for(job),
        plan_heading: t!(locale, "card-plan"),
        warnings_heading: t!(locale, "card-warnings"),
    }
}
