//! The console adapter: commands from a line-oriented input (a terminal or a
//! script), cards and thread messages printed as text.
//!
//! Script lines: `/as <user> [role,…]` switches the acting user,
//! `approve <job>` and `reject <job>` stand in for the buttons, `/wait <job>`
//! waits until the engine is done with a job, `/expire` runs the expiry
//! sweep; `$last` stands for the job most recently created. Anything else is
//! a `/privatelink` command. `#` starts a comment.

use std::io::Write;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use tokio::io::{AsyncBufRead, AsyncBufReadExt};

use crate::config::ConsoleSettings;
use crate::delivery::Dispatcher;
use crate::domain::ids::{JobId, Platform, UserRef};
use crate::domain::job::{Conversation, MessageRef};
use crate::domain::policy::Actor;
use crate::i18n::Locale;
use crate::ports::chat::{Action, Button, ButtonStyle, Card, ChatError, ChatSink, Note, Tone};
use crate::service::{Event, Inbound, Service};
use crate::t;

/// Where the console writes; shared by the input loop and the sink.
pub type SharedOut = Arc<Mutex<Box<dyn Write + Send>>>;

pub fn stdout() -> SharedOut {
    Arc::new(Mutex::new(Box::new(std::io::stdout())))
}

fn write(out: &SharedOut, text: &str) {
    if let Ok(mut w) = out.lock() {
        let _ = writeln!(w, "{text}");
        let _ = w.flush();
    }
}

fn icon(tone: Tone) -> &'static str {
    match tone {
        Tone::Waiting => "⏳",
        Tone::Working => "⚙",
        Tone::Success => "✅",
        Tone::Failure => "❌",
        Tone::Neutral => "•",
    }
}

fn render_buttons(buttons: &[Button]) -> String {
    buttons
        .iter()
        .map(|b| {
            let style = match b.style {
                ButtonStyle::Primary => "*",
                ButtonStyle::Danger => "!",
                ButtonStyle::Plain => "",
            };
            format!("[{style}{}: `{} {}`]", b.label, b.action.as_str(), b.job)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A card as text.
pub fn render_card(card: &Card) -> String {
    let mut s = format!("{} {}\n  {}\n", icon(card.tone), card.title, card.status);
    for (k, v) in &card.fields {
        s.push_str(&format!("  {k}: {v}\n"));
    }
    if !card.actions.is_empty() {
        s.push_str(&format!("  {}\n", card.plan_heading));
        for a in &card.actions {
            s.push_str(&format!("   - {a}\n"));
        }
    }
    for w in &card.warnings {
        s.push_str(&format!("  ⚠ {w}\n"));
    }
    if !card.buttons.is_empty() {
        s.push_str(&format!("  {}\n", render_buttons(&card.buttons)));
    }
    s.trim_end().to_owned()
}

/// Prints cards and thread messages. A card's reference is its job's
/// (`card-PL-1000`), so it means the same card after a restart.
pub struct ConsoleSink {
    out: SharedOut,
    /// The language of the console's own words around cards and notes.
    locale: Locale,
}

impl ConsoleSink {
    pub fn new(out: SharedOut, locale: Locale) -> Self {
        Self { out, locale }
    }
}

#[async_trait]
impl ChatSink for ConsoleSink {
    async fn post_card(&self, to: &Conversation, card: &Card) -> Result<MessageRef, ChatError> {
        let id = format!("card-{}", card.job);
        write(
            &self.out,
            &format!(
                "┌─ {}\n{}",
                t!(
                    self.locale,
                    "console-card-posted",
                    card = id,
                    channel = to.channel
                ),
                render_card(card)
            ),
        );
        Ok(MessageRef {
            platform: Platform::Console,
            channel: to.channel.clone(),
            id,
        })
    }

    async fn update_card(&self, at: &MessageRef, card: &Card) -> Result<(), ChatError> {
        let buttons = if card.buttons.is_empty() {
            String::new()
        } else {
            format!(" {}", render_buttons(&card.buttons))
        };
        write(
            &self.out,
            &format!(
                "↻  {} {} {}{buttons}",
                t!(self.locale, "console-card-now", card = at.id),
                icon(card.tone),
                card.status
            ),
        );
        Ok(())
    }

    async fn post_in_thread(&self, card: &MessageRef, note: &Note) -> Result<(), ChatError> {
        let mut text = format!(
            "│  [{}] {}",
            t!(
                self.locale,
                "console-thread",
                job = note.job,
                card = card.id
            ),
            note.text.replace('\n', "\n│    ")
        );
        if !note.buttons.is_empty() {
            text.push_str(&format!("\n│    {}", render_buttons(&note.buttons)));
        }
        write(&self.out, &text);
        Ok(())
    }

    async fn tell_privately(
        &self,
        _to: &Conversation,
        user: &UserRef,
        text: &str,
    ) -> Result<(), ChatError> {
        write(
            &self.out,
            &format!(
                "  ({}) {text}",
                t!(self.locale, "console-only", user = user.id)
            ),
        );
        Ok(())
    }

    async fn tell_directly(&self, user: &UserRef, text: &str) -> Result<(), ChatError> {
        let console = Conversation {
            platform: crate::domain::ids::Platform::Console,
            channel: String::new(),
        };
        self.tell_privately(&console, user, text).await
    }
}

/// Reads commands until the input ends, then waits for running jobs. After
/// each line it waits until what the line made the bot say has been
/// delivered, so a script's transcript reads in order.
pub async fn run<R: AsyncBufRead + Unpin>(
    service: &Service,
    delivery: &Dispatcher,
    mut input: R,
    out: SharedOut,
    settings: &ConsoleSettings,
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
        let reply = service
            .handle(Inbound {
                actor: actor.clone(),
                conversation: conversation.clone(),
                delivery: None,
                event,
                locale,
                card_locale: locale,
            })
            .await;
        if let Some(id) = reply.job {
            last = Some(id);
        }
        if !reply.duplicate {
            write(
                &out,
                &format!("{only_you} {}", reply.text.replace('\n', "\n    ")),
            );
        }
        delivery.settled().await;
    }
    service.engine().wait_all().await;
    delivery.settled().await;
    Ok(())
}
