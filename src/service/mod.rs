//! The service: what happens when someone types a command or clicks a
//! button, on any platform. Authorizes, runs preflight, stores jobs, posts
//! cards and hands approved work to the engine.
//!
//! Every click is judged against the job as stored at that moment, never
//! against what the card showed.

mod channels;
mod decisions;
mod export;
mod inbound;
pub mod limits;
mod policy;
pub mod preflight;
mod request;
mod sandbox;
mod verify;

pub use inbound::{Event, Inbound, Reply};

use std::sync::Arc;

use crate::cards;
use crate::domain::audit::{self, AuditEvent};
use crate::domain::command::{self, Command, ListFilter};
use crate::domain::ids::JobId;
use crate::domain::job::{Conversation, StateKey};
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
    pub zilliz_plane: crate::domain::plan::ControlPlane,
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Commands and clicks per person per minute, and the burst allowed.
    pub per_user_per_minute: u32,
    pub per_user_burst: u32,
    /// The drift watch, for `verify`.
    pub watch: Arc<crate::watch::Watch>,
    /// The chat platforms, asked for channel names when rules use them.
    pub chat: Arc<dyn crate::ports::chat::ChatSink>,
    /// The sandbox's worlds, under `serve --sandbox` only.
    pub playground: Option<Arc<dyn crate::ports::sandbox::Playground>>,
}

pub struct Service {
    p: ServiceParts,
    limits: limits::RateLimit,
    names: channels::ChannelNames,
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
        let limits = limits::RateLimit::new(parts.per_user_per_minute, parts.per_user_burst);
        Self {
            p: parts,
            limits,
            names: channels::ChannelNames::default(),
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.p.engine
    }

    /// Who may do what; adapters read which platform groups it names.
    pub fn policy(&self) -> &Policy {
        &self.p.policy
    }

    fn event(
        &self,
        job: Option<JobId>,
        actor: &Actor,
        action: audit::Action,
        outcome: audit::Outcome,
    ) -> AuditEvent {
        AuditEvent {
            at: self.p.clock.now(),
            job,
            actor: audit::Actor::Person(actor.user.clone()),
            action,
            outcome,
            rule: None,
        }
    }

    /// The bot's metrics, for the adapters' own counts (signatures).
    pub fn metrics(&self) -> &Arc<crate::metrics::Metrics> {
        &self.p.metrics
    }

    /// The answer to what needs no cloud call and writes nothing (a parse
    /// error, `help`, `status`, `list`, or "slow down" to someone over
    /// their rate), so a chat adapter can give it in its acknowledgement:
    /// no background task, no delivery id stored, no follow-up call.
    /// `None` when the request needs background work (`handle`).
    ///
    /// Chat adapters call this first for every command and click: it is
    /// where the per-person rate limit is applied.
    pub async fn answer_now(&self, inbound: &Inbound) -> Option<String> {
        let locale = inbound.locale;
        if let Some(slow_down) = self.admit(inbound) {
            return Some(slow_down);
        }
        let Event::Command(text) = &inbound.event else {
            return None;
        };
        // A channel's first command in the sandbox seeds its world first.
        if self.sandbox_unseeded(&inbound.conversation) {
            return None;
        }
        match command::parse(text) {
            Err(e) => {
                self.p.metrics.command("invalid");
                Some(e.render(locale))
            }
            Ok(Command::Help(topic)) => {
                self.p.metrics.command("help");
                Some(crate::domain::help::help(topic.as_deref(), locale))
            }
            Ok(Command::Status(id)) => {
                self.p.metrics.command("status");
                Some(self.status(id, locale).await.text)
            }
            Ok(Command::List(filter)) => {
                self.p.metrics.command("list");
                Some(self.list(&inbound.actor, filter, locale).await.text)
            }
            Ok(_) => None,
        }
    }

    /// The per-person rate limit alone: what to say when `inbound`'s
    /// sender is over it (and a token is taken when they are not). For
    /// paths that do not go through `answer_now` (opening a form).
    pub fn admit(&self, inbound: &Inbound) -> Option<String> {
        if self.limits.admit(&inbound.actor.user) {
            return None;
        }
        self.p.metrics.command("rate_limited");
        tracing::info!(user = %inbound.actor.user, "over the per-person rate; told to slow down");
        Some(t!(inbound.locale, "reply-slow-down"))
    }

    async fn status(&self, id: JobId, locale: Locale) -> Reply {
        match self.p.store.get(id).await {
            Ok(Some(job)) => {
                // Only why the head waits matters: later entries wait on it.
                let held = match self.p.store.outbox_head(id).await {
                    Ok(head) => head.and_then(|p| p.blocked),
                    Err(e) => {
                        tracing::warn!(job = %id, error = %e, "could not read the job's outbox for status");
                        None
                    }
                };
                Reply::say(cards::status_text(&job, locale, held))
            }
            Ok(None) => Reply::say(t!(locale, "reply-no-such-job", job = id)),
            Err(e) => store_failed(e, locale),
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
                self.act_from(
                    actor,
                    Ask::Click(action),
                    job,
                    locale,
                    Some(&inbound.conversation),
                )
                .await
            }
        }
    }

    /// A command, after the sandbox's welcome when it is the channel's
    /// first there.
    async fn command(
        &self,
        actor: &Actor,
        conversation: &Conversation,
        text: &str,
        locale: Locale,
        card_locale: Locale,
    ) -> Reply {
        let parsed = command::parse(text);
        let welcome = match parsed {
            Ok(Command::Sandbox(_)) => None,
            _ => self.sandbox_welcome(actor, conversation, locale).await,
        };
        let mut reply = self
            .command_itself(actor, conversation, parsed, locale, card_locale)
            .await;
        if let Some(welcome) = welcome {
            reply.text = format!("{welcome}\n\n{}", reply.text);
        }
        reply
    }

    async fn command_itself(
        &self,
        actor: &Actor,
        conversation: &Conversation,
        parsed: Result<Command, command::ParseError>,
        locale: Locale,
        card_locale: Locale,
    ) -> Reply {
        let command = match parsed {
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
            Command::Plan(req) => self.plan(actor, conversation, req, locale).await,
            Command::Status(id) => self.status(id, locale).await,
            Command::Verify(id) => self.verify(id, locale).await,
            Command::Export(id) => self.export(actor, id, locale).await,
            Command::Adopt(id) => self.act(actor, Ask::Adopt, id, locale).await,
            Command::Policy(q) => self.which_rule(conversation, q, locale).await,
            Command::Sandbox(ask) => self.sandbox(actor, conversation, ask, locale).await,
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
            ListFilter::Drifted => store.jobs_in_state(StateKey::Succeeded).await.map(|jobs| {
                jobs.into_iter()
                    .filter(|j| j.health().is_drifted())
                    .collect()
            }),
            ListFilter::All => store.all_jobs().await,
        };
        match jobs {
            Ok(mut jobs) if !jobs.is_empty() => {
                jobs.sort_by_key(|j| j.id());
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
