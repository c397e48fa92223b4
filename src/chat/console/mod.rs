//! The console adapter: commands from a line-oriented input (a terminal or a
//! script), cards and thread messages printed as text (`sink`).
//!
//! Script lines: `/as <user> [role,…]` switches the acting user,
//! `approve`, `reject`, `repair` and `accept <job>` stand in for the buttons, `/wait <job>`
//! waits until the engine is done with a job, `/expire` runs the expiry
//! sweep; `$last` stands for the job most recently created. Anything else is
//! a `/privatelink` command. `#` starts a comment.

mod platform;
mod sink;

use serde::Deserialize;
use tokio::io::{AsyncBufRead, AsyncBufReadExt};

use crate::delivery::Dispatcher;
use crate::domain::ids::{ChannelId, JobId, Platform, UserRef};
use crate::domain::job::Conversation;
use crate::domain::policy::Actor;
use crate::i18n::Locale;
use crate::ports::chat::Action;
use std::sync::Arc;

use crate::chat::intake::{Intake, Taken};
use crate::service::{Event, Inbound, Reply, Service};
use crate::t;

pub use platform::Console;
use sink::write;
pub use sink::{ConsoleSink, SharedOut, render_card, stdout};

/// `[console]` in the config.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConsoleSettings {
    /// Who the console acts as until a `/as` line says otherwise.
    pub user: String,
    pub channel: ChannelId,
    /// Where files the bot posts (Terraform exports) are written.
    #[serde(default = "default_exports")]
    pub exports: std::path::PathBuf,
}

fn default_exports() -> std::path::PathBuf {
    std::path::PathBuf::from("privatelink-exports")
}

impl Default for ConsoleSettings {
    fn default() -> Self {
        Self {
            user: std::env::var("USER").unwrap_or_else(|_| "operator".to_owned()),
            channel: ChannelId::console(),
            exports: default_exports(),
        }
    }
}

/// Reads commands until the input ends, then waits for running jobs. After
/// each line it waits until what the line made the bot say has been
/// delivered, so a script's transcript reads in order.
///
/// Every line goes through the same intake as Slack and Discord
/// (`chat::intake`): the per-person rate applies, and what needs no cloud
/// call is answered at once.
pub async fn run<R: AsyncBufRead + Unpin>(
    service: &Arc<Service>,
    delivery: &Dispatcher,
    mut input: R,
    out: SharedOut,
    settings: &ConsoleSettings,
    intake: &Intake,
    locale: Locale,
) -> anyhow::Result<()> {
    let mut session = Session {
        service,
        delivery,
        out,
        intake,
        locale,
        only_you: format!("  ({})", t!(locale, "console-only-you")),
        actor: Actor::new(UserRef::new(Platform::Console, settings.user.clone())),
        conversation: Conversation {
            platform: Platform::Console,
            channel: settings.channel.clone(),
        },
        last: None,
    };
    let mut bytes = Vec::new();
    loop {
        bytes.clear();
        if input.read_until(b'\n', &mut bytes).await? == 0 {
            break;
        }
        session.line(&bytes).await;
    }
    service.engine().wait_all().await;
    delivery.settled().await;
    Ok(())
}

/// One person at the console: who they are now (`/as`), where they type,
/// and the last job they were told of (`$last`).
struct Session<'a> {
    service: &'a Arc<Service>,
    delivery: &'a Dispatcher,
    out: SharedOut,
    intake: &'a Intake,
    locale: Locale,
    only_you: String,
    actor: Actor,
    conversation: Conversation,
    last: Option<JobId>,
}

impl Session<'_> {
    /// Prints what only the person at the console sees.
    fn say(&self, text: &str) {
        write(&self.out, &format!("{} {text}", self.only_you));
    }

    async fn line(&mut self, bytes: &[u8]) {
        // A line that is not UTF-8 is refused, and the session goes on.
        let Ok(raw) = std::str::from_utf8(bytes) else {
            self.say(&t!(self.locale, "console-not-utf8"));
            return;
        };
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            return;
        }
        let line = match self.last {
            Some(id) => line.replace("$last", &id.to_string()),
            None => line.to_owned(),
        };
        write(&self.out, &format!("\n{}> {line}", self.actor.user.id));
        let words: Vec<&str> = line.split_whitespace().collect();
        match self.event(&words, &line).await {
            Ok(Some(event)) => self.ask(event).await,
            Ok(None) => {}
            Err(problem) => self.say(&problem),
        }
    }

    /// What a line asks of the bot; `None` for the console's own
    /// directives (`/as`, `/wait`, `/expire`), carried out here.
    async fn event(&mut self, words: &[&str], line: &str) -> Result<Option<Event>, String> {
        let locale = self.locale;
        match words {
            ["/as", user, rest @ ..] => {
                let user =
                    UserRef::parse(Platform::Console, user).map_err(|e| e.text().render(locale))?;
                self.actor = Actor {
                    user,
                    roles: rest
                        .iter()
                        .flat_map(|r| r.trim_start_matches("roles=").split(','))
                        .filter(|r| !r.is_empty())
                        .map(str::to_owned)
                        .collect(),
                };
                Ok(None)
            }
            ["/wait", job] => {
                match JobId::parse(job) {
                    Ok(id) => self.service.engine().wait(id).await,
                    Err(e) => self.say(&e.text().render(locale)),
                }
                self.delivery.settled().await;
                Ok(None)
            }
            ["/expire"] => {
                let expired = self.service.expire_due().await;
                let expired: Vec<String> = expired.iter().map(ToString::to_string).collect();
                self.say(&t!(locale, "console-expired", jobs = expired.join(", ")));
                self.delivery.settled().await;
                Ok(None)
            }
            [verb @ ("approve" | "reject" | "repair" | "accept"), job] => {
                let job = JobId::parse(job).map_err(|e| e.text().render(locale))?;
                Ok(Some(Event::Click {
                    action: Action::parse(verb).unwrap_or(Action::Reject),
                    job,
                }))
            }
            _ => Ok(Some(Event::Command(line.to_owned()))),
        }
    }

    /// Asks the bot through the same intake as every platform, and prints
    /// the answer.
    async fn ask(&mut self, event: Event) {
        let inbound = Inbound {
            actor: self.actor.clone(),
            conversation: self.conversation.clone(),
            delivery: None,
            event,
            locale: self.locale,
            card_locale: self.locale,
        };
        let (answered, answer) = tokio::sync::oneshot::channel();
        let send = move |reply: Reply| async move {
            let _ = answered.send(reply);
        };
        let reply = match self
            .intake
            .take(self.service, inbound, std::future::ready, send)
            .await
        {
            Taken::Now(text) | Taken::Busy(text) => Some((text, None)),
            // A repeated delivery sends nothing, and nothing is printed.
            Taken::Later => answer.await.ok().map(|r| (r.text, r.job)),
        };
        if let Some((text, job)) = reply {
            if let Some(id) = job {
                self.last = Some(id);
            }
            self.say(&text.replace('\n', "\n    "));
        }
        self.delivery.settled().await;
    }
}
