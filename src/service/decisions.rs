//! Decisions on jobs: every click and typed action (approve, reject,
//! cancel, retry, roll back, delete) becomes one lifecycle transition,
//! authorized and applied in one store transaction against the job as
//! stored; and the expiry of requests nobody decided.

use super::{Reply, Service, store_failed};
use crate::cards;
use crate::domain::ids::{JobId, UserRef};
use crate::domain::job::Conversation;
use crate::domain::job::{AuditEvent, Job, JobState};
use crate::domain::lifecycle::{Refusal, Transition};
use crate::domain::policy::{Actor, Denied, Policy, may_click_from};
use crate::i18n::{Locale, Text};
use crate::ports::chat::{Action, Outgoing};
use crate::store::{Admission, ChangeError};
use crate::t;

/// What a person asks of a job: the buttons, plus `delete` (typed only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ask {
    Click(Action),
    Delete,
}

/// Which policy rule covers an ask.
type Rule = fn(&Policy, &Actor, &Job) -> Result<(), Denied>;

impl Ask {
    /// The verb for audit lines and refusals.
    fn verb(self) -> &'static str {
        match self {
            Ask::Click(Action::Rollback) => "roll back",
            Ask::Click(a) => a.as_str(),
            Ask::Delete => "delete",
        }
    }

    fn rule(self) -> Rule {
        match self {
            Ask::Click(Action::Approve | Action::Reject) => |p, a, j| p.may_decide(a, j),
            Ask::Click(Action::Cancel) => |p, a, j| p.may_cancel(a, j),
            Ask::Click(Action::Retry) => |p, a, j| p.may_operate(a, j, "verb-retry"),
            Ask::Click(Action::Rollback) => |p, a, j| p.may_operate(a, j, "verb-rollback"),
            Ask::Delete => |p, a, j| p.may_operate(a, j, "verb-delete"),
        }
    }

    /// What the thread says the ask did (a catalogue key); `None` for a
    /// cancel, which the card and the engine's own note tell.
    fn label(self) -> Option<&'static str> {
        match self {
            Ask::Click(Action::Approve) => Some("decided-approved"),
            Ask::Click(Action::Reject) => Some("decided-rejected"),
            Ask::Click(Action::Cancel) => None,
            Ask::Click(Action::Retry) => Some("decided-retrying"),
            Ask::Click(Action::Rollback) => Some("decided-rolling-back"),
            Ask::Delete => Some("decided-deleting"),
        }
    }

    /// The chat effects of the ask, written with the change: the card
    /// always, who decided what in the thread, and the progress checklist
    /// when steps are to run (posted on approval, edited from then on).
    fn says(self, by: &UserRef, job: &Job) -> Vec<Outgoing> {
        let mut says = vec![Outgoing::Card];
        if let Some(label) = self.label() {
            says.push(Outgoing::Note(cards::decided(job, by, label)));
        }
        if matches!(self, Ask::Click(Action::Approve | Action::Retry))
            && job.state == crate::domain::job::JobState::Approved
        {
            says.push(Outgoing::Progress);
        }
        says
    }

    fn transition(self, actor: &Actor, now: u64) -> Transition {
        let by = actor.user.clone();
        match self {
            Ask::Click(Action::Approve) => Transition::Approve { by, at: now },
            Ask::Click(Action::Reject) => Transition::Reject { by, at: now },
            Ask::Click(Action::Cancel) => Transition::Cancel { by },
            Ask::Click(Action::Retry) => Transition::Retry,
            Ask::Click(Action::Rollback) => Transition::Rollback,
            Ask::Delete => Transition::Delete,
        }
    }
}

impl Service {
    /// A click, or a typed cancel/retry/rollback/delete: the policy and the
    /// transition are judged together against the stored job.
    pub(super) async fn act(&self, actor: &Actor, ask: Ask, id: JobId, locale: Locale) -> Reply {
        self.act_from(actor, ask, id, locale, None).await
    }

    /// As `act`, for a click: `from` is where the click came from, which
    /// must be where the job's card is.
    pub(super) async fn act_from(
        &self,
        actor: &Actor,
        ask: Ask,
        id: JobId,
        locale: Locale,
        from: Option<&Conversation>,
    ) -> Reply {
        let now = self.p.clock.now();
        let (policy, who, rule) = (self.p.policy.clone(), actor.clone(), ask.rule());
        let from = from.cloned();
        let transition = ask.transition(actor, now);
        let by = actor.user.clone();
        let result = self
            .p
            .store
            .update_saying(
                Admission::Intake,
                id,
                self.event(Some(id), actor, ask.verb(), ""),
                move |job| {
                    if let Some(from) = &from {
                        may_click_from(from, job)?;
                    }
                    rule(&policy, &who, job)?;
                    job.apply(transition.clone()).map(|_| ())
                },
                move |job| ask.says(&by, job),
            )
            .await;
        match result {
            Ok(job) => self.acted(ask, job, locale).await,
            Err(ChangeError::NotFound(_)) => Reply::say(t!(locale, "reply-no-such-job", job = id)),
            Err(ChangeError::Refused(Refusal::Denied(denied))) => {
                self.refused(actor, id, ask.verb(), &denied.0, locale).await
            }
            Err(ChangeError::Refused(why @ Refusal::ExpiredUndecided(_))) => {
                self.expire(id).await;
                self.refused(actor, id, ask.verb(), &why.text(), locale)
                    .await
            }
            Err(ChangeError::Refused(why)) => Reply::say(why.text().render(locale)),
            Err(ChangeError::SlotTaken(other)) => {
                Reply::say(t!(locale, "reply-slot-active", other = other))
            }
            Err(e) => store_failed(e, locale),
        }
    }

    /// Tells the engine what an allowed ask changed, and the asker.
    async fn acted(&self, ask: Ask, job: Job, locale: Locale) -> Reply {
        let id = job.id;
        let label = match ask.label() {
            Some(label) => label,
            None if job.state == JobState::Cancelled => {
                return Reply::say(t!(locale, "reply-cancelled", job = id));
            }
            None => {
                self.p.engine.kick(id);
                return Reply::say(t!(locale, "reply-cancel-running", job = id));
            }
        };
        match ask {
            Ask::Click(Action::Reject) => Reply::say(t!(locale, "reply-rejected", job = id)),
            Ask::Click(Action::Approve) => {
                self.p.engine.kick(id);
                Reply::say(t!(locale, "reply-approved", job = id))
            }
            _ => {
                self.p.engine.kick(id);
                let what = crate::i18n::render(locale, label, &[]);
                Reply::say(t!(locale, "reply-acted", what = what, job = id))
            }
        }
    }

    /// Records a refused ask in the audit log and answers with the reason.
    async fn refused(
        &self,
        actor: &Actor,
        id: JobId,
        action: &str,
        why: &Text,
        locale: Locale,
    ) -> Reply {
        // The audit log is for operators: in English, whoever asked.
        let outcome = format!("refused: {}", why.render(Locale::En));
        if let Err(e) = self
            .p
            .store
            .audit(
                Admission::Intake,
                self.event(Some(id), actor, action, &outcome),
            )
            .await
        {
            return store_failed(e, locale);
        }
        Reply::say(why.render(locale))
    }

    /// Expires job `id` if it is still pending and due; says whether it did.
    async fn expire(&self, id: JobId) -> bool {
        let now = self.p.clock.now();
        let event = AuditEvent {
            at: now,
            job: Some(id),
            actor: "bot".to_owned(),
            action: "expire".to_owned(),
            outcome: String::new(),
        };
        self.p
            .store
            .update_saying(
                Admission::Owed,
                id,
                event,
                move |j| j.apply(Transition::Expire { at: now }).map(|_| ()),
                |_| vec![Outgoing::Card],
            )
            .await
            .is_ok()
    }

    /// Expires every pending job whose approval window has passed. Run
    /// periodically by the process that serves chat.
    pub async fn expire_due(&self) -> Vec<JobId> {
        let now = self.p.clock.now();
        let due = match self
            .p
            .store
            .jobs_in_state(crate::domain::job::StateKey::PendingApproval)
            .await
        {
            Ok(jobs) => jobs
                .into_iter()
                .filter(|j| now >= j.expires_at)
                .map(|j| j.id)
                .collect::<Vec<_>>(),
            Err(e) => {
                tracing::error!(error = %e, "could not scan pending jobs");
                return Vec::new();
            }
        };
        let mut expired = Vec::new();
        for id in due {
            if self.expire(id).await {
                expired.push(id);
            }
        }
        expired
    }

    /// Runs `housekeeping` once a minute, for as long as it is polled: the
    /// one upkeep loop `serve` (supervised) and `console` both run.
    pub async fn keep_house(self: std::sync::Arc<Self>) {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            self.housekeeping().await;
        }
    }

    /// Periodic upkeep: expires due requests and forgets delivery ids older
    /// than a day (platforms redeliver within minutes).
    pub async fn housekeeping(&self) {
        let expired = self.expire_due().await;
        if !expired.is_empty() {
            tracing::info!(?expired, "expired unanswered requests");
        }
        let day_ago = self.p.clock.now().saturating_sub(24 * 3600 * 1000);
        if let Err(e) = self.p.store.forget_deliveries_before(day_ago).await {
            tracing::warn!(error = %e, "could not prune delivery ids");
        }
    }
}
