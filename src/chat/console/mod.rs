//! The console adapter: commands from a line-oriented input (a terminal or a
//! script), cards and thread messages printed as text (`sink`).
//!
//! Script lines: `/as <user> [role,…]` switches the acting user,
//! `approve <job>` and `reject <job>` stand in for the buttons, `/wait <job>`
//! waits until the engine is done with a job, `/expire` runs the expiry
//! sweep; `$last` stands for the job most recently created. Anything else is
//! a `/privatelink` command. `#` starts a comment.

mod platform;
mod sink;

use serde::Deserialize;
use tokio::io::{AsyncBufRead, AsyncBufReadExt};

use crate::delivery::Dispatcher;
use crate::domain::ids::{JobId, Platform, UserRef};
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
    pub channel: String,
}

impl Default for ConsoleSettings {
    fn default() -> Self {
        Self {
            user: std::env::var("USER").unwrap_or_else(|_| "operator".to_owned()),
            channel: "console".to_owned(),
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
    let only_you = format!("  ({})", t!(locale, "console-only-you"));
    let mut actor = Actor::new(UserRef::new(Platform::Console, settings.user.clone()));
    let conversation = Conversation {
        platform: Platform::Console,
        channel: settings.channel.clone(),
    };
    let mut last: Option<JobId> = None;
    let mut bytes = Vec::new();
    loop {
        bytes.clear();
        if input.read_until(b'\n', &mut bytes).await? == 0 {
            break;
        }
        // A line that is not UTF-8 is refused, and the session goes on.
        let Ok(raw) = std::str::from_utf8(&bytes) else {
            write(
                &out,
                &format!("{only_you} {}", t!(locale, "console-not-utf8")),
            );
            continue;
        };
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = match last {
            Some(id) => line.replace("$last", &id.to_string()),
            None => line.to_owned(),
        };
        write(&out, &format!("\n{}> {line}", actor.user.id));
        let words: Vec<&str> = line.split_whitespace().collect();
        let event = match words.as_slice() {
            ["/as", user, rest @ ..] => {
                let user = match UserRef::parse(Platform::Console, user) {
                    Ok(u) => u,
                    Err(e) => {
                        write(&out, &format!("{only_you} {}", e.text().render(locale)));
                        continue;
                    }
                };
                actor = Actor {
                    user,
                    roles: rest
                        .iter()
                        .flat_map(|r| r.trim_start_matches("roles=").split(','))
                        .filter(|r| !r.is_empty())
                        .map(str::to_owned)
                        .collect(),
                };
                continue;
            }
            ["/wait", job] => {
                match JobId::parse(job) {
                    Ok(id) => service.engine().wait(id).await,
                    Err(e) => write(&out, &format!("{only_you} {}", e.text().render(locale))),
                }
                delivery.settled().await;
                continue;
            }
            ["/expire"] => {
                let expired = service.expire_due().await;
                let expired: Vec<String> = expired.iter().map(ToString::to_string).collect();
                write(
                    &out,
                    &format!(
                        "{only_you} {}",
                        t!(locale, "console-expired", jobs = expired.join(", "))
                    ),
                );
                delivery.settled().await;
                continue;
            }
            [verb @ ("approve" | "reject"), job] => match JobId::parse(job) {
                Ok(job) => Event::Click {
                    action: Action::parse(verb).unwrap_or(Action::Reject),
                    job,
                },
                Err(e) => {
                    write(&out, &format!("{only_you} {}", e.text().render(locale)));
                    continue;
                }
            },
            _ => Event::Command(line.clone()),
        };
        let inbound = Inbound {
            actor: actor.clone(),
            conversation: conversation.clone(),
            delivery: None,
            event,
            locale,
            card_locale: locale,
        };
        let (answered, answer) = tokio::sync::oneshot::channel();
        let send = move |reply: Reply| async move {
            let _ = answered.send(reply);
        };
        let reply = match intake
            .take(service, inbound, std::future::ready, send)
            .await
        {
            Taken::Now(text) | Taken::Busy(text) => Some((text, None)),
            // A repeated delivery sends nothing, and nothing is printed.
            Taken::Later => answer.await.ok().map(|r| (r.text, r.job)),
        };
        if let Some((text, job)) = reply {
            if let Some(id) = job {
                last = Some(id);
            }
            write(
                &out,
                &format!("{only_you} {}", text.replace('\n', "\n    ")),
            );
        }
        delivery.settled().await;
    }
    service.engine().wait_all().await;
    delivery.settled().await;
    Ok(())
}
