//! Decisions on jobs: every click and typed action (approve, reject,
//! cancel, retry, roll back, delete) becomes one lifecycle transition,
//! authorized and applied in one store transaction against the job as
//! stored; and the expiry of requests nobody decided.

use super::{Reply, Service, store_failed};
use crate::cards;
use crate::domain::audit::{self, AuditEvent};
use crate::domain::ids::{JobId, UserRef};
use crate::domain::job::Conversation;
use crate::domain::job::{Job, JobState};
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
    /// Take a link handed over to Terraform back (typed only).
    Adopt,
}

/// Which policy rule covers an ask.
type Rule = fn(&Policy, &Actor, &Job) -> Result<(), Denied>;

/// What the asker is told once the ask is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Approved,
    Rejected,
    /// Stopped at once, or at the next step when one is running.
    Cancelled,
    /// "<label> <job>": a retry, a rollback, a delete.
    Acted,
}

/// Everything one kind of ask means, in one place: adding an ask is one
/// arm of `Ask::decision` (and its button or command).
struct Decision {
    /// The verb for audit lines and refusals.
    verb: audit::Action,
    /// The policy rule that covers it.
    rule: Rule,
    /// The lifecycle transition, from who asked and when.
    transition: fn(UserRef, u64) -> Transition,
    /// What the thread says it did (a catalogue key); `None` for a cancel,
    /// which the card and the engine's own note tell.
    label: Option<&'static str>,
    /// Steps run after it: the progress checklist goes up, or on.
    runs_steps: bool,
    answer: Answer,
}

impl Ask {
    fn decision(self) -> Decision {
        match self {
            Ask::Click(Action::Approve) => Decision {
                verb: audit::Action::Approve,
                rule: |p, a, j| p.may_decide(a, j),
                transition: |by, at| Transition::Approve { by, at },
                label: Some("decided-approved"),
                runs_steps: true,
                answer: Answer::Approved,
            },
            Ask::Click(Action::Reject) => Decision {
                verb: audit::Action::Reject,
                rule: |p, a, j| p.may_decide(a, j),
                transition: |by, at| Transition::Reject { by, at },
                label: Some("decided-rejected"),
                runs_steps: false,
                answer: Answer::Rejected,
            },
            Ask::Click(Action::Cancel) => Decision {
                verb: audit::Action::Cancel,
                rule: |p, a, j| p.may_cancel(a, j),
                transition: |by, _| Transition::Cancel { by },
                label: None,
                runs_steps: false,
                answer: Answer::Cancelled,
            },
            Ask::Click(Action::Retry) => Decision {
                verb: audit::Action::Retry,
                rule: |p, a, j| p.may_operate(a, j, "verb-retry"),
                transition: |_, _| Transition::Retry,
                label: Some("decided-retrying"),
                runs_steps: true,
                answer: Answer::Acted,
            },
            Ask::Click(Action::Rollback) => Decision {
                verb: audit::Action::RollBack,
                rule: |p, a, j| p.may_operate(a, j, "verb-rollback"),
                transition: |_, _| Transition::Rollback,
                label: Some("decided-rolling-back"),
                runs_steps: false,
                answer: Answer::Acted,
            },
            Ask::Click(Action::Repair) => Decision {
                verb: audit::Action::Repair,
                rule: |p, a, j| p.may_repair(a, j),
                transition: |by, at| Transition::Repair { by, at },
                label: Some("decided-repairing"),
                runs_steps: false,
                answer: Answer::Acted,
            },
            Ask::Click(Action::Accept) => Decision {
                verb: audit::Action::AcceptDrift,
                rule: |p, a, j| p.may_operate(a, j, "verb-accept"),
                transition: |by, _| Transition::AcceptDrift { by },
                label: Some("decided-accepted"),
                runs_steps: false,
                answer: Answer::Acted,
            },
            Ask::Click(Action::HandOver) => Decision {
                verb: audit::Action::HandOver,
                rule: |p, a, j| p.may_operate(a, j, "verb-hand-over"),
                transition: |by, at| Transition::HandOver { by, at },
                label: Some("decided-handed-over"),
                runs_steps: false,
                answer: Answer::Acted,
            },
            Ask::Adopt => Decision {
                verb: audit::Action::TakeBack,
                rule: |p, a, j| p.may_operate(a, j, "verb-adopt"),
                transition: |by, _| Transition::TakeBack { by },
                label: Some("decided-taken-back"),
                runs_steps: false,
                answer: Answer::Acted,
            },
            Ask::Delete => Decision {
                verb: audit::Action::Delete,
                rule: |p, a, j| p.may_operate(a, j, "verb-delete"),
                transition: |by, _| Transition::Delete { by },
                label: Some("decided-deleting"),
                runs_steps: false,
                answer: Answer::Acted,
            },
        }
    }
}

impl Decision {
    /// The chat effects of the ask, written with the change: the card
    /// always, who decided what in the thread, and the progress checklist
    /// when steps are to run (posted on approval, edited from then on).
    fn says(&self, by: &UserRef, job: &Job) -> Vec<Outgoing> {
        let mut says = vec![Outgoing::Card];
        // An ask that leaves the job waiting for more approvers is counted.
        if let Some((have, need)) = waiting(&self.verb, job) {
            let note = match self.verb {
                audit::Action::Approve => cards::approval_counted(job, by),
                _ => cards::counted(job, by, self.label.unwrap_or_default(), have, need),
            };
            says.push(Outgoing::Note(note));
        } else if let Some(label) = self.label {
            says.push(Outgoing::Note(cards::decided(job, by, label)));
        }
        if self.runs_steps && *job.state() == JobState::Approved {
            says.push(Outgoing::Progress);
        }
        says
    }
}

/// How far an ask that needs several approvers has got while it waits
/// for more: (approvals so far, approvals needed).
fn waiting(verb: &audit::Action, job: &Job) -> Option<(usize, u8)> {
    let guard = job.guard();
    match verb {
        audit::Action::Approve if *job.state() == JobState::PendingApproval => {
            Some((guard.approvals.len(), guard.needed.create))
        }
        audit::Action::Delete if !guard.deleting.is_empty() => {
            Some((guard.deleting.len(), guard.needed.delete))
        }
        audit::Action::Repair if !guard.repairing.is_empty() => {
            let plan = crate::domain::drift::repair::plan(job)?;
            Some((guard.repairing.len(), job.repair_needs(&plan)))
        }
        _ => None,
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
        let decision = ask.decision();
        let (policy, who, rule) = (self.p.policy.clone(), actor.clone(), decision.rule);
        let from = from.cloned();
        let transition = (decision.transition)(actor.user.clone(), now);
        let by = actor.user.clone();
        let verb = decision.verb.clone();
        let result = self
            .p
            .store
            .update_if_allowed(
                Admission::Intake,
                id,
                self.event(Some(id), actor, verb.clone(), audit::Outcome::Unstated),
                move |job| {
                    if let Some(from) = &from {
                        may_click_from(from, job)?;
                    }
                    rule(&policy, &who, job)?;
                    Ok(())
                },
                transition,
                move |job| ask.decision().says(&by, job),
            )
            .await;
        match result {
            Ok(job) => self.acted(&decision, job, locale).await,
            Err(ChangeError::NotFound(_)) => Reply::say(t!(locale, "reply-no-such-job", job = id)),
            Err(ChangeError::Refused(Refusal::Denied(denied))) => {
                self.refused(actor, id, verb.clone(), &denied.0, locale)
                    .await
            }
            Err(ChangeError::Refused(why @ Refusal::ExpiredUndecided(_))) => {
                self.expire(id).await;
                self.refused(actor, id, verb, &why.text(), locale).await
            }
            // A second approval by the same person is a refusal to count.
            Err(ChangeError::Refused(why @ Refusal::AlreadyApproved { .. })) => {
                self.refused(actor, id, verb, &why.text(), locale).await
            }
            Err(ChangeError::Refused(why)) => Reply::say(why.text().render(locale)),
            Err(ChangeError::SlotTaken(other)) => {
                Reply::say(t!(locale, "reply-slot-active", other = other))
            }
            Err(e) => store_failed(e, locale),
        }
    }

    /// Tells the engine what an allowed ask changed, and the asker.
    async fn acted(&self, decision: &Decision, job: Job, locale: Locale) -> Reply {
        let id = job.id();
        if let Some((have, need)) = waiting(&decision.verb, &job) {
            return Reply::say(t!(
                locale,
                "reply-approval-counted",
                job = id,
                have = have,
                need = need
            ));
        }
        let text = match (decision.answer, decision.label) {
            (Answer::Rejected, _) => return Reply::say(t!(locale, "reply-rejected", job = id)),
            (Answer::Cancelled, _) if *job.state() == JobState::Cancelled => {
                return Reply::say(t!(locale, "reply-cancelled", job = id));
            }
            (Answer::Cancelled, _) => t!(locale, "reply-cancel-running", job = id),
            (Answer::Approved, _) => t!(locale, "reply-approved", job = id),
            (Answer::Acted, label) => {
                let what = crate::i18n::render(locale, label.unwrap_or_default(), &[]);
                t!(locale, "reply-acted", what = what, job = id)
            }
        };
        self.p.engine.kick(id);
        Reply::say(text)
    }

    /// Records a refused ask in the audit log and answers with the reason.
    async fn refused(
        &self,
        actor: &Actor,
        id: JobId,
        action: audit::Action,
        why: &Text,
        locale: Locale,
    ) -> Reply {
        // The audit log is for operators: in English, whoever asked.
        let outcome = audit::Outcome::Refused(why.render(Locale::En));
        if let Err(e) = self
            .p
            .store
            .audit(
                Admission::Intake,
                self.event(Some(id), actor, action, outcome),
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
            actor: audit::Actor::Bot,
            action: audit::Action::Expire,
            outcome: audit::Outcome::Unstated,
            rule: None,
        };
        self.p
            .store
            .update_saying(
                Admission::Owed,
                id,
                event,
                Transition::Expire { at: now },
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
                .filter(|j| now >= j.expires_at())
                .map(|j| j.id())
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
