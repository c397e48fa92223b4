//! Requests: `plan` (preflight only, nothing stored) and `create`
//! (preflight, store the pending job, post its card).

use super::{Reply, Service, preflight, store_failed};
use crate::domain::command::CreateRequest;
use crate::domain::job::{Conversation, Job, JobState, Resources};
use crate::domain::policy::Actor;
use crate::store::{Admission, ChangeError};

impl Service {
    /// Refuses early when another job already holds the (VPC, region).
    async fn slot_conflict(&self, req: &CreateRequest) -> Result<Option<String>, Reply> {
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
                    .map(|j| j.state.to_string())
                    .unwrap_or_default();
                Ok(Some(format!(
                    "{other} is already {state} for {} in {}; only one job per VPC and region runs at a time. Wait for it, or cancel it first.",
                    req.vpc, req.region
                )))
            }
            Err(e) => Err(store_failed(e)),
        }
    }

    async fn preflight(&self, req: &CreateRequest) -> crate::domain::plan::Plan {
        preflight::preflight(
            req,
            &*self.p.cloud,
            &*self.p.vendor,
            self.p.dry_run_preflight,
            &self.p.zilliz_base_url,
        )
        .await
    }

    pub(super) async fn plan(&self, actor: &Actor, req: CreateRequest) -> Reply {
        if let Err(denied) = self.p.policy.may_request(actor) {
            return Reply::say(denied.to_string());
        }
        if let Err(denied) = self.p.policy.may_assume(req.role.as_ref()) {
            return Reply::say(denied.to_string());
        }
        let plan = self.preflight(&req).await;
        let mut text = String::from("Plan (nothing was stored or created):\n");
        for a in plan.actions(&req) {
            text.push_str(&format!("• {a}\n"));
        }
        if let Some(account) = &plan.account {
            text.push_str(&format!("AWS account: {account}\n"));
        }
        for f in &plan.findings {
            let tag = if f.is_blocking() {
                "BLOCKING"
            } else {
                "warning"
            };
            text.push_str(&format!("{tag}: {f}\n"));
        }
        if plan.findings.is_empty() {
            text.push_str("Preflight found nothing to fix.\n");
        }
        Reply::say(text.trim_end())
    }

    pub(super) async fn create(
        &self,
        actor: &Actor,
        conversation: &Conversation,
        req: CreateRequest,
    ) -> Reply {
        if let Err(denied) = self.p.policy.may_request(actor) {
            let _ = self
                .p
                .store
                .audit(
                    Admission::Intake,
                    self.event(None, actor, "create", "refused: not a requester"),
                )
                .await;
            return Reply::say(denied.to_string());
        }
        if let Err(denied) = self.p.policy.may_assume(req.role.as_ref()) {
            return Reply::say(format!("{denied}; nothing was stored."));
        }
        match self.slot_conflict(&req).await {
            Ok(Some(why)) => return Reply::say(why),
            Ok(None) => {}
            Err(reply) => return reply,
        }
        let plan = self.preflight(&req).await;
        let blocking: Vec<String> = plan.blocking().map(|f| format!("• {f}")).collect();
        if !blocking.is_empty() {
            return Reply::say(format!(
                "Preflight refused the request; nothing was stored:\n{}",
                blocking.join("\n")
            ));
        }
        let id = match self.p.store.next_job_id(Admission::Intake).await {
            Ok(id) => id,
            Err(e) => return store_failed(e),
        };
        let now = self.p.clock.now();
        let job = Job {
            id,
            request: req,
            requester: actor.user.clone(),
            conversation: conversation.clone(),
            card: None,
            state: JobState::PendingApproval,
            created_at: now,
            expires_at: now + self.p.policy.approval_ttl.as_millis() as u64,
            decided_by: None,
            findings: plan.findings.clone(),
            account: plan.account.clone(),
            steps: Vec::new(),
            resources: Resources {
                endpoint_service: Some(plan.endpoint_service.clone()),
                whitelist_required: plan.whitelist_required,
                ..Resources::default()
            },
            cancel_requested: false,
            version: 0,
        };
        match self
            .p
            .store
            .insert(
                Admission::Intake,
                &job,
                self.event(Some(id), actor, "create", ""),
            )
            .await
        {
            Ok(()) => {}
            Err(ChangeError::SlotTaken(other)) => {
                return Reply::say(format!(
                    "{other} took this VPC and region a moment ago; only one job per VPC and region runs at a time."
                ));
            }
            Err(e) => return store_failed(e),
        }
        // The card goes out through the outbox, written with the job: if
        // chat is down it is posted when chat is back, and `status` and
        // `list pending` show the job meanwhile.
        Reply {
            job: Some(id),
            ..Reply::say(format!(
                "{id} is waiting for approval; its card is going to the channel. An approver other than you must approve it."
            ))
        }
    }
}
