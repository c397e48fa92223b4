//! The service: what happens when someone types a command or clicks a
//! button, on any platform. Authorizes, runs preflight, stores jobs, posts
//! cards and hands approved work to the engine.
//!
//! Every click is judged against the job as stored at that moment, never
//! against what the card showed.

mod decisions;
mod inbound;
pub mod preflight;
mod request;

pub use inbound::{Event, Inbound, Reply};

use std::sync::Arc;

use crate::cards;
use crate::domain::command::{self, Command, ListFilter};
use crate::domain::ids::JobId;
use crate::domain::job::{AuditEvent, Conversation, StateKey};
use crate::domain::policy::{Actor, Policy};
use crate::engine::Engine;
use crate::i18n::Locale;
use crate::ports::chat::Action;
use crate::ports::clock::Clock;
use crate::ports::cloud::{CloudAccess, Vendor};
use crate::store::{Admission, ChangeError, Store};
use crate::t;
use decisions::Ask;

/// What the service needs beyond the engine.
pub struct ServiceParts {
    pub store: Arc<Store>,
    pub engine: Engine,
    pub policy: Policy,
    pub cloud: Arc<dyn CloudAccess>,
    pub vendor: Arc<dyn Vendor>,
    pub clock: Arc<dyn Clock>,
    /// Ask EC2 (DryRun) whether the bot may create the endpoint.
    pub dry_run_preflight: bool,
    /// Zilliz Cloud's control plane (global or China), for preflight.
    pub zilliz_base_url: String,
    pub metrics: Arc<crate::metrics::Metrics>,
}

pub struct Service {
    p: ServiceParts,
}

fn store_failed(e: impl Into<ChangeError>, locale: Locale) -> Reply {
    let e = e.into();
    if e.is_busy() {
        tracing::warn!("the store's queue is full; a command was turned away");
        return Reply::say(t!(locale, "reply-busy"));
    }
    tracing::error!(error = %e, "store failure");
    Reply::say(t!(locale, "reply-store-failed"))
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

    /// The bot's metrics, for the adapters' own counts (signatures).
    pub fn metrics(&self) -> &Arc<crate::metrics::Metrics> {
        &self.p.metrics
    }

    /// The answer to a line that needs neither the store nor a cloud call
    /// (a parse error, `help`), so an adapter can give it in its
    /// acknowledgement, with no background work and nothing written.
    /// `None` for everything else.
    pub fn answer_at_once(&self, text: &str, locale: Locale) -> Option<String> {
        match command::parse(text) {
            Err(e) => {
                self.p.metrics.command("invalid");
                Some(e.render(locale))
            }
            Ok(Command::Help(topic)) => {
                self.p.metrics.command("help");
                Some(crate::domain::help::help(topic.as_deref(), locale))
            }
            Ok(_) => None,
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
                    return Reply::duplicate_delivery();
                }
                Err(e) => return store_failed(e, inbound.locale),
            }
        }
        let (actor, locale) = (&inbound.actor, inbound.locale);
        match inbound.event {
            Event::Command(text) => {
                self.command(
                    actor,
                    &inbound.conversation,
                    &text,
                    inbound.locale,
                    inbound.card_locale,
                )
                .await
            }
            Event::Click { action, job } => {
                self.p
                    .metrics
                    .command(&format!("click_{}", action.as_str()));
                self.act(actor, Ask::Click(action), job, locale).await
            }
        }
    }

    async fn command(
        &self,
        actor: &Actor,
        conversation: &Conversation,
        text: &str,
        locale: Locale,
        card_locale: Locale,
    ) -> Reply {
        let command = match command::parse(text) {
            Ok(c) => c,
            Err(e) => {
                self.p.metrics.command("invalid");
                return Reply::say(e.render(locale));
            }
        };
        self.p.metrics.command(command.kind());
        match command {
            Command::Create(req) => {
                self.create(actor, conversation, req, locale, card_locale)
                    .await
            }
            Command::Plan(req) => self.plan(actor, req, locale).await,
            Command::Status(id) => match self.p.store.get(id).await {
                Ok(Some(job)) => Reply::say(cards::status_text(&job, locale)),
                Ok(None) => Reply::say(t!(locale, "reply-no-such-job", job = id)),
                Err(e) => store_failed(e, locale),
            },
            Command::List(filter) => self.list(actor, filter, locale).await,
            Command::Cancel(id) => {
                self.act(actor, Ask::Click(Action::Cancel), id, locale)
                    .await
            }
            Command::Retry(id) => self.act(actor, Ask::Click(Action::Retry), id, locale).await,
            Command::Rollback(id) => {
                self.act(actor, Ask::Click(Action::Rollback), id, locale)
                    .await
            }
            Command::Delete(id) => self.act(actor, Ask::Delete, id, locale).await,
            Command::Help(topic) => Reply::say(crate::domain::help::help(topic.as_deref(), locale)),
        }
    }

    async fn list(&self, actor: &Actor, filter: ListFilter, locale: Locale) -> Reply {
        let store = &self.p.store;
        let jobs = match filter {
            ListFilter::Mine => store.jobs_requested_by(&actor.user).await,
            ListFilter::Pending => store.jobs_in_state(StateKey::PendingApproval).await,
            ListFilter::Running => store.jobs_in_states(&StateKey::OWED_WORK).await,
            ListFilter::Failed => {
                store
                    .jobs_in_states(&[StateKey::Failed, StateKey::TeardownFailed])
                    .await
            }
            ListFilter::All => store.all_jobs().await,
        };
        match jobs {
            Ok(mut jobs) if !jobs.is_empty() => {
                jobs.sort_by_key(|j| j.id);
                Reply::say(
                    jobs.iter()
                        .map(|j| cards::list_line(j, locale))
                        .collect::<Vec<_>>()
                        .join("\n"),
                )
            }
            Ok(_) => Reply::say(t!(locale, "reply-no-jobs")),
            Err(e) => store_failed(e, locale),
        }
    }
}
