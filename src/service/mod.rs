//! The service: what happens when someone types a command or clicks a
//! button, on any platform. Authorizes, runs preflight, stores jobs, posts
//! cards and hands approved work to the engine.
//!
//! Every click is judged against the job as stored at that moment, never
//! against what the card showed.

pub mod preflight;

use std::sync::Arc;

use crate::cards;
use crate::domain::command::{self, Command, CreateRequest, ListFilter};
use crate::domain::ids::JobId;
use crate::domain::job::{AuditEvent, Conversation, Job, JobState, Resources, Teardown};
use crate::domain::policy::{Actor, Policy};
use crate::engine::Engine;
use crate::ports::chat::{Action, ChatSink};
use crate::ports::clock::Clock;
use crate::ports::cloud::{CloudAccess, Vendor};
use crate::store::{Admission, ChangeError, Store};

/// Something a person did in chat.
#[derive(Debug, Clone)]
pub struct Inbound {
    pub actor: Actor,
    pub conversation: Conversation,
    /// The platform's id for this delivery, when it has one; a second
    /// delivery with the same id has no effect.
    pub delivery: Option<String>,
    pub event: Event,
}

#[derive(Debug, Clone)]
pub enum Event {
    /// The text after `/privatelink`.
    Command(String),
    /// A button click.
    Click { action: Action, job: JobId },
}

/// The answer shown only to the person who acted. Empty: say nothing (a
/// duplicate delivery).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub text: String,
    /// The job a `create` stored, so scripts and forms can refer to it.
    pub job: Option<JobId>,
}

impl Reply {
    fn say(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            job: None,
        }
    }

    pub fn none() -> Self {
        Self::say("")
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

/// What the service needs beyond the engine.
pub struct ServiceParts {
    pub store: Arc<Store>,
    pub engine: Engine,
    pub policy: Policy,
    pub cloud: Arc<dyn CloudAccess>,
    pub vendor: Arc<dyn Vendor>,
    pub chat: Arc<dyn ChatSink>,
    pub clock: Arc<dyn Clock>,
    /// Ask EC2 (DryRun) whether the bot may create the endpoint.
    pub dry_run_preflight: bool,
}

pub struct Service {
    p: ServiceParts,
}

fn store_failed(e: impl Into<ChangeError>) -> Reply {
    let e = e.into();
    if e.is_busy() {
        tracing::warn!("the store's queue is full; a command was turned away");
        return Reply::say(
            "The bot is busy right now and did not take this in; nothing was changed. Try again in a moment.",
        );
    }
    tracing::error!(error = %e, "store failure");
    Reply::say(
        "The bot could not read or write its state; nothing was changed. The error is in the bot's log.",
    )
}

impl Service {
    pub fn new(parts: ServiceParts) -> Self {
        Self { p: parts }
    }

    pub fn engine(&self) -> &Engine {
        &self.p.engine
    }

    fn event(&self, job: Option<JobId>, actor: &Actor, action: &str, outcome: &str) -> AuditEvent {
        AuditEvent {
            at: self.p.clock.now(),
            job,
            actor: actor.user.to_string(),
            action: action.to_owned(),
            outcome: outcome.to_owned(),
        }
    }

    /// Handles one inbound event and returns the private reply.
    pub async fn handle(&self, inbound: Inbound) -> Reply {
        if let Some(delivery) = &inbound.delivery {
            match self
                .p
                .store
                .first_delivery(Admission::Intake, delivery, self.p.clock.now())
                .await
            {
                Ok(true) => {}
                Ok(false) => {
                    tracing::info!(delivery, "duplicate delivery dropped");
                    return Reply::none();
                }
                Err(e) => return store_failed(e),
            }
        }
        match inbound.event {
            Event::Command(text) => {
                self.command(&inbound.actor, &inbound.conversation, &text)
                    .await
            }
            Event::Click { action, job } => self.act(&inbound.actor, action, job).await,
        }
    }

    async fn command(&self, actor: &Actor, conversation: &Conversation, text: &str) -> Reply {
        let command = match command::parse(text) {
            Ok(c) => c,
            Err(e) => return Reply::say(e.to_string()),
        };
        match command {
            Command::Create(req) => self.create(actor, conversation, req).await,
            Command::Plan(req) => self.plan(actor, req).await,
            Command::Status(id) => match self.p.store.get(id).await {
                Ok(Some(job)) => Reply::say(cards::status_text(&job)),
                Ok(None) => Reply::say(format!("There is no job {id}.")),
                Err(e) => store_failed(e),
            },
            Command::List(filter) => self.list(actor, filter).await,
            Command::Cancel(id) => self.act(actor, Action::Cancel, id).await,
            Command::Retry(id) => self.act(actor, Action::Retry, id).await,
            Command::Rollback(id) => self.act(actor, Action::Rollback, id).await,
            Command::Delete(id) => self.delete(actor, id).await,
            Command::Help(topic) => Reply::say(command::help(topic.as_deref())),
        }
    }

    async fn list(&self, actor: &Actor, filter: ListFilter) -> Reply {
        let store = &self.p.store;
        let jobs = match filter {
            ListFilter::Mine => store.jobs_requested_by(&actor.user).await,
            ListFilter::Pending => store.jobs_in_state("pending_approval").await,
            ListFilter::Running => store.jobs_in_states(&JobState::OWED_WORK_KEYS).await,
            ListFilter::Failed => store.jobs_in_state("failed").await,
            ListFilter::All => store.all_jobs().await,
        };
        match jobs {
            Ok(mut jobs) if !jobs.is_empty() => {
                jobs.sort_by_key(|j| j.id);
                Reply::say(
                    jobs.iter()
                        .map(cards::list_line)
                        .collect::<Vec<_>>()
                        .join("\n"),
                )
            }
            Ok(_) => Reply::say("No jobs."),
            Err(e) => store_failed(e),
        }
    }

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
        )
        .await
    }

    async fn plan(&self, actor: &Actor, req: CreateRequest) -> Reply {
        if let Err(denied) = self.p.policy.may_request(actor) {
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

    async fn create(
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
        let posted = self
            .p
            .chat
            .post_card(conversation, &cards::card(&job))
            .await;
        match posted {
            Ok(card) => {
                let at = card.clone();
                if let Err(e) = self
                    .p
                    .store
                    .update(
                        Admission::Owed,
                        id,
                        self.event(Some(id), actor, "card_posted", ""),
                        move |j| {
                            j.card = Some(at.clone());
                            Ok(())
                        },
                    )
                    .await
                {
                    return store_failed(e);
                }
                Reply {
                    job: Some(id),
                    ..Reply::say(format!(
                        "{id} is waiting for approval; the card is in the channel. An approver other than you must approve it."
                    ))
                }
            }
            Err(e) => {
                tracing::warn!(job = %id, error = %e, "could not post the approval card");
                Reply {
                    job: Some(id),
                    ..Reply::say(format!(
                        "{id} is stored and waiting for approval, but the card could not be posted ({e}). Approvers can still act on it by id."
                    ))
                }
            }
        }
    }

    async fn refresh_card(&self, job: &Job) {
        if let Some(at) = &job.card
            && let Err(e) = self.p.chat.update_card(at, &cards::card(job)).await
        {
            tracing::warn!(job = %job.id, error = %e, "could not update the card");
        }
    }

    async fn note(&self, job: &Job, note: crate::ports::chat::Note) {
        if let Some(at) = &job.card
            && let Err(e) = self.p.chat.post_in_thread(at, &note).await
        {
            tracing::warn!(job = %job.id, error = %e, "could not post in the thread");
        }
    }

    async fn refused(&self, actor: &Actor, id: JobId, action: &str, why: String) -> Reply {
        if let Err(e) = self
            .p
            .store
            .audit(
                Admission::Intake,
                self.event(Some(id), actor, action, &format!("refused: {why}")),
            )
            .await
        {
            return store_failed(e);
        }
        Reply::say(why)
    }

    /// A click, or a typed cancel/retry/rollback.
    async fn act(&self, actor: &Actor, action: Action, id: JobId) -> Reply {
        let job = match self.p.store.get(id).await {
            Ok(Some(job)) => job,
            Ok(None) => return Reply::say(format!("There is no job {id}.")),
            Err(e) => return store_failed(e),
        };
        match action {
            Action::Approve | Action::Reject => self.decide(actor, action, job).await,
            Action::Cancel => self.cancel(actor, job).await,
            Action::Retry => self.retry(actor, job).await,
            Action::Rollback => self.teardown(actor, job, Teardown::Rollback).await,
        }
    }

    async fn decide(&self, actor: &Actor, action: Action, job: Job) -> Reply {
        let id = job.id;
        let verb = action.as_str();
        if let Err(denied) = self.p.policy.may_decide(actor, &job) {
            return self.refused(actor, id, verb, denied.to_string()).await;
        }
        if job.state != JobState::PendingApproval {
            let by = job
                .decided_by
                .as_ref()
                .map(|u| format!(" by {u}"))
                .unwrap_or_default();
            return Reply::say(format!("{id} is already {}{by}; nothing to do.", job.state));
        }
        let now = self.p.clock.now();
        if now >= job.expires_at {
            self.expire(&job).await;
            return self
                .refused(
                    actor,
                    id,
                    verb,
                    format!("{id} expired before anyone decided; request it again."),
                )
                .await;
        }
        let decider = actor.user.clone();
        let result = self
            .p
            .store
            .update(
                Admission::Intake,
                id,
                self.event(Some(id), actor, verb, ""),
                move |j| {
                    if j.state != JobState::PendingApproval {
                        return Err(format!("{} is already {}; nothing to do.", j.id, j.state));
                    }
                    if now >= j.expires_at {
                        return Err(format!("{} expired before anyone decided.", j.id));
                    }
                    j.state = match action {
                        Action::Approve => JobState::Approved,
                        _ => JobState::Rejected,
                    };
                    j.decided_by = Some(decider.clone());
                    Ok(())
                },
            )
            .await;
        let job = match result {
            Ok(job) => job,
            Err(ChangeError::Refused(why)) => return Reply::say(why),
            Err(e) => return store_failed(e),
        };
        self.refresh_card(&job).await;
        if action == Action::Approve {
            self.note(&job, cards::decided(id, &actor.user, "Approved"))
                .await;
            self.p.engine.kick(id);
            Reply::say(format!("You approved {id}; it is running."))
        } else {
            self.note(&job, cards::decided(id, &actor.user, "Rejected"))
                .await;
            Reply::say(format!("You rejected {id}."))
        }
    }

    /// Expires `job` if it is still pending and due; says whether it did.
    async fn expire(&self, job: &Job) -> bool {
        let now = self.p.clock.now();
        let event = AuditEvent {
            at: now,
            job: Some(job.id),
            actor: "bot".to_owned(),
            action: "expire".to_owned(),
            outcome: String::new(),
        };
        let result = self
            .p
            .store
            .update(Admission::Owed, job.id, event, move |j| {
                if j.state != JobState::PendingApproval || now < j.expires_at {
                    return Err("not due".to_owned());
                }
                j.state = JobState::Expired;
                Ok(())
            })
            .await;
        match result {
            Ok(job) => {
                self.refresh_card(&job).await;
                true
            }
            Err(_) => false,
        }
    }

    /// Expires every pending job whose approval window has passed. Run
    /// periodically by the process that serves chat.
    pub async fn expire_due(&self) -> Vec<JobId> {
        let now = self.p.clock.now();
        let due = match self.p.store.jobs_in_state("pending_approval").await {
            Ok(jobs) => jobs
                .into_iter()
                .filter(|j| now >= j.expires_at)
                .collect::<Vec<_>>(),
            Err(e) => {
                tracing::error!(error = %e, "could not scan pending jobs");
                return Vec::new();
            }
        };
        let mut expired = Vec::new();
        for job in due {
            if self.expire(&job).await {
                expired.push(job.id);
            }
        }
        expired
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

    async fn cancel(&self, actor: &Actor, job: Job) -> Reply {
        let id = job.id;
        if let Err(denied) = self.p.policy.may_cancel(actor, &job) {
            return self.refused(actor, id, "cancel", denied.to_string()).await;
        }
        let who = actor.user.clone();
        let result = self
            .p
            .store
            .update(
                Admission::Intake,
                id,
                self.event(Some(id), actor, "cancel", ""),
                move |j| {
                    match j.state {
                        JobState::PendingApproval => {
                            j.state = JobState::Cancelled;
                            j.decided_by = Some(who.clone());
                        }
                        // The engine owns running jobs; it stops at the next step
                        // boundary, where nothing is half done.
                        JobState::Approved | JobState::Running { .. } => j.cancel_requested = true,
                        _ => {
                            return Err(format!(
                                "{} is {}; there is nothing to cancel.",
                                j.id, j.state
                            ));
                        }
                    }
                    Ok(())
                },
            )
            .await;
        match result {
            Ok(job) if job.state == JobState::Cancelled => {
                self.refresh_card(&job).await;
                Reply::say(format!("{id} is cancelled."))
            }
            Ok(job) => {
                self.p.engine.kick(job.id);
                Reply::say(format!(
                    "{id} will stop after its current step; resources made so far are kept until you roll it back."
                ))
            }
            Err(ChangeError::Refused(why)) => Reply::say(why),
            Err(e) => store_failed(e),
        }
    }

    async fn retry(&self, actor: &Actor, job: Job) -> Reply {
        let id = job.id;
        if let Err(denied) = self.p.policy.may_operate(actor, &job, "retry") {
            return self.refused(actor, id, "retry", denied.to_string()).await;
        }
        let result = self
            .p
            .store
            .update(
                Admission::Intake,
                id,
                self.event(Some(id), actor, "retry", ""),
                |j| {
                if !matches!(j.state, JobState::Failed { .. }) {
                    return Err(format!(
                        "{} is {}; only failed jobs can be retried.",
                        j.id, j.state
                    ));
                }
                if j.next_step().is_none() {
                    // Every create step finished: what failed was a teardown.
                    return Err(format!(
                        "{}'s create steps all finished; what failed was its teardown. Roll it back to run the teardown again.",
                        j.id
                    ));
                }
                j.state = JobState::Approved;
                j.cancel_requested = false;
                Ok(())
            })
            .await;
        self.after_operation(actor, id, result, "Retrying").await
    }

    async fn delete(&self, actor: &Actor, id: JobId) -> Reply {
        match self.p.store.get(id).await {
            Ok(Some(job)) => self.teardown(actor, job, Teardown::Delete).await,
            Ok(None) => Reply::say(format!("There is no job {id}.")),
            Err(e) => store_failed(e),
        }
    }

    async fn teardown(&self, actor: &Actor, job: Job, reason: Teardown) -> Reply {
        let id = job.id;
        let verb = match reason {
            Teardown::Rollback => "roll back",
            Teardown::Delete => "delete",
        };
        if let Err(denied) = self.p.policy.may_operate(actor, &job, verb) {
            return self.refused(actor, id, verb, denied.to_string()).await;
        }
        let result = self
            .p
            .store
            .update(
                Admission::Intake,
                id,
                self.event(Some(id), actor, verb, ""),
                move |j| {
                let allowed = match reason {
                    Teardown::Rollback => matches!(j.state, JobState::Failed { .. } | JobState::Cancelled),
                    Teardown::Delete => j.state == JobState::Succeeded,
                };
                if !allowed {
                    let hint = match reason {
                        Teardown::Rollback => "only failed or cancelled jobs can be rolled back; use delete for a finished link",
                        Teardown::Delete => "only succeeded jobs can be deleted; use rollback for a failed one",
                    };
                    return Err(format!("{} is {}; {hint}.", j.id, j.state));
                }
                j.state = JobState::TearingDown { reason };
                Ok(())
            })
            .await;
        let label = match reason {
            Teardown::Rollback => "Rolling back",
            Teardown::Delete => "Deleting",
        };
        self.after_operation(actor, id, result, label).await
    }

    async fn after_operation(
        &self,
        actor: &Actor,
        id: JobId,
        result: Result<Job, ChangeError>,
        label: &str,
    ) -> Reply {
        match result {
            Ok(job) => {
                self.refresh_card(&job).await;
                self.note(&job, cards::decided(id, &actor.user, label))
                    .await;
                self.p.engine.kick(id);
                Reply::say(format!("{label} {id}."))
            }
            Err(ChangeError::SlotTaken(other)) => Reply::say(format!(
                "{other} is active on the same VPC and region; wait for it to finish first."
            )),
            Err(ChangeError::Refused(why)) => Reply::say(why),
            Err(e) => store_failed(e),
        }
    }
}
