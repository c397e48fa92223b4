//! Requests: `plan` (preflight only, nothing stored) and `create`
//! (preflight, store the pending job, post its card).

use super::channels::Seen;
use super::{Reply, Service, preflight, store_failed};
use crate::domain::audit;
use crate::domain::command::CreateRequest;
use crate::domain::ids::JobId;
use crate::domain::job::{Conversation, Guard, Job, NewJob, Resources};
use crate::domain::plan::Plan;
use crate::domain::policy::{Actor, Denied};
use crate::domain::rules::Where;
use crate::i18n::Locale;
use crate::store::{Admission, ChangeError};
use crate::t;

/// What a pending job starts from besides the request: preflight's plan,
/// the rule it falls under, and the card's language.
struct Pending<'a> {
    plan: &'a Plan,
    guard: Guard,
    locale: Locale,
}

impl Service {
    /// Refuses early when another job already holds the (VPC, region).
    async fn slot_conflict(
        &self,
        req: &CreateRequest,
        locale: Locale,
    ) -> Result<Option<String>, Reply> {
        match self.p.store.slot_holder(&req.slot()).await {
            Ok(None) => Ok(None),
            Ok(Some(other)) => {
                let state = self
                    .p
                    .store
                    .get(other)
                    .await
                    .ok()
                    .flatten()
                    .map(|j| j.state().text().render(locale))
                    .unwrap_or_default();
                Ok(Some(t!(
                    locale,
                    "reply-slot-busy",
                    other = other,
                    state = state,
                    vpc = req.vpc,
                    region = req.region
                )))
            }
            Err(e) => Err(store_failed(e, locale)),
        }
    }

    async fn preflight(&self, req: &CreateRequest) -> crate::domain::plan::Plan {
        preflight::preflight(
            req,
            &*self.p.cloud,
            &*self.p.vendor,
            self.p.dry_run_preflight,
            &self.p.zilliz_plane,
        )
        .await
    }

    pub(super) async fn plan(
        &self,
        actor: &Actor,
        conversation: &Conversation,
        req: CreateRequest,
        locale: Locale,
    ) -> Reply {
        let here = self.channel_seen(conversation).await;
        if let Err(denied) = self.p.policy.may_request_here(actor, &here.at) {
            return Reply::say(with_unread(denied.0.render(locale), &here, locale));
        }
        if let Err(denied) = self.p.policy.may_assume(req.role.as_ref()) {
            return Reply::say(denied.0.render(locale));
        }
        let plan = self.preflight(&req).await;
        // Only the rule the request falls under may show its plan: the
        // first that matches, never a looser one after it.
        let at = Where {
            channel: here.at.clone(),
            account: plan.account.clone(),
            region: Some(req.region.clone()),
            project: Some(req.project.clone()),
        };
        if let Err(denied) = self.p.policy.rule_for_request(actor, &at) {
            return Reply::say(with_unread(denied.0.render(locale), &here, locale));
        }
        let mut text = t!(locale, "plan-heading");
        text.push('\n');
        for a in plan.actions(&req, locale) {
            text.push_str(&format!("• {a}\n"));
        }
        if let Some(account) = &plan.account {
            text.push_str(&t!(locale, "plan-account", account = account));
            text.push('\n');
        }
        for f in &plan.findings {
            let line = if f.is_blocking() {
                t!(locale, "plan-blocking", finding = f.render(locale))
            } else {
                t!(locale, "plan-warning", finding = f.render(locale))
            };
            text.push_str(&line);
            text.push('\n');
        }
        if plan.findings.is_empty() {
            text.push_str(&t!(locale, "plan-clean"));
        }
        Reply::say(text.trim_end())
    }

    pub(super) async fn create(
        &self,
        actor: &Actor,
        conversation: &Conversation,
        req: CreateRequest,
        locale: Locale,
        card_locale: Locale,
    ) -> Reply {
        // Read once: a name the platform would not tell is not asked again
        // for the rule after preflight.
        let here = self.channel_seen(conversation).await;
        if let Some(refused) = self
            .refused_before_preflight(actor, &here, &req, locale)
            .await
        {
            return refused;
        }
        let plan = self.preflight(&req).await;
        let blocking: Vec<String> = plan
            .blocking()
            .map(|f| format!("• {}", f.render(locale)))
            .collect();
        if !blocking.is_empty() {
            return Reply::say(format!(
                "{}\n{}",
                t!(locale, "reply-preflight-refused"),
                blocking.join("\n")
            ));
        }
        // The rule, now that preflight knows the account.
        let at = Where {
            channel: here.at.clone(),
            account: plan.account.clone(),
            region: Some(req.region.clone()),
            project: Some(req.project.clone()),
        };
        let rule = match self.p.policy.rule_for_request(actor, &at) {
            Ok(rule) => rule,
            Err(denied) => {
                let refused = self.refuse_create(actor, &denied, locale).await;
                return Reply::say(with_unread(refused.text, &here, locale));
            }
        };
        let id = match self.p.store.next_job_id(Admission::Intake).await {
            Ok(id) => id,
            Err(e) => return store_failed(e, locale),
        };
        let guard = Guard {
            rule: Some(rule.name.clone()),
            needed: rule.approvals,
            ..Guard::default()
        };
        let new = Pending {
            plan: &plan,
            guard,
            locale: card_locale,
        };
        let job = self.pending_job(id, req, actor, conversation, new);
        match self
            .p
            .store
            .insert(
                Admission::Intake,
                &job,
                self.event(
                    Some(id),
                    actor,
                    audit::Action::Create,
                    audit::Outcome::Unstated,
                ),
            )
            .await
        {
            Ok(()) => {}
            Err(ChangeError::SlotTaken(other)) => {
                return Reply::say(t!(locale, "reply-slot-taken", other = other));
            }
            Err(e) => return store_failed(e, locale),
        }
        // The card goes out through the outbox, written with the job: if
        // chat is down it is posted when chat is back, and `status` and
        // `list pending` show the job meanwhile.
        Reply {
            job: Some(id),
            ..Reply::say(t!(locale, "reply-created", job = id))
        }
    }

    /// The job a request becomes once preflight passed: pending approval,
    /// with what preflight found.
    fn pending_job(
        &self,
        id: JobId,
        request: CreateRequest,
        actor: &Actor,
        conversation: &Conversation,
        new: Pending<'_>,
    ) -> Job {
        let Pending {
            plan,
            guard,
            locale,
        } = new;
        let now = self.p.clock.now();
        Job::pending(NewJob {
            id,
            request,
            requester: actor.user.clone(),
            conversation: conversation.clone(),
            created_at: now,
            expires_at: now + self.p.policy.approval_ttl.as_millis() as u64,
            findings: plan.findings.clone(),
            account: plan.account.clone(),
            resources: Resources {
                endpoint_service: Some(plan.endpoint_service.clone()),
                whitelist_required: plan.whitelist_required,
                ..Resources::default()
            },
            locale,
            guard,
        })
    }

    /// Records a refused create (naming the rule, or what one must cover)
    /// and tells the asker why.
    async fn refuse_create(&self, actor: &Actor, denied: &Denied, locale: Locale) -> Reply {
        let why = denied.0.render(Locale::En);
        let event = self.event(
            None,
            actor,
            audit::Action::Create,
            audit::Outcome::Refused(why),
        );
        let _ = self.p.store.audit(Admission::Intake, event).await;
        Reply::say(denied.0.render(locale))
    }

    /// Refuses, before any cloud call, a request its sender may not make,
    /// a role the policy does not allow, or a VPC and region another job
    /// holds.
    async fn refused_before_preflight(
        &self,
        actor: &Actor,
        here: &Seen,
        req: &CreateRequest,
        locale: Locale,
    ) -> Option<Reply> {
        if let Err(denied) = self.p.policy.may_request_here(actor, &here.at) {
            let refused = self.refuse_create(actor, &denied, locale).await;
            return Some(Reply::say(with_unread(refused.text, here, locale)));
        }
        if let Err(denied) = self.p.policy.may_assume(req.role.as_ref()) {
            return Some(Reply::say(t!(
                locale,
                "reply-nothing-stored",
                why = denied.0.render(locale)
            )));
        }
        match self.slot_conflict(req, locale).await {
            Ok(Some(why)) => Some(Reply::say(why)),
            Ok(None) => None,
            Err(reply) => Some(reply),
        }
    }
}

/// A refusal, and why the channel's name is unknown when it is: a rule
/// naming it by name might otherwise have matched.
pub(super) fn with_unread(refusal: String, seen: &Seen, locale: Locale) -> String {
    match &seen.unread {
        None => refusal,
        Some(why) => format!(
            "{refusal}\n{}",
            t!(
                locale,
                "channel-name-unread",
                platform = seen.at.platform.as_str(),
                why = why.as_str()
            )
        ),
    }
}
