//! Discord interactions → the service's `Inbound`, and the immediate
//! interaction response. Shared by the HTTP interactions endpoint and the
//! gateway, so both behave the same.
//!
//! Everything but PING is answered with a deferred, ephemeral response at
//! once (Discord wants an answer within three seconds; preflight can take
//! longer); the private reply then replaces it through the interaction's
//! webhook. Cards and progress go through the bot token (see `sink`).

use std::sync::Arc;

use serenity::all::{Interaction, Member, User};
use serenity::builder::{
    Builder, CreateInteractionResponse, CreateInteractionResponseMessage, EditInteractionResponse,
};
use serenity::http::Http;

use super::command;
use crate::chat::intake::Taken;
use crate::domain::ids::{Platform, UserRef};
use crate::domain::job::Conversation;
use crate::domain::policy::Actor;
use crate::i18n::Locale;
use crate::service::{Event, Inbound, Service};

/// Why an interaction was not turned into an event (answered with 400).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Unhandled(pub String);

fn actor(user: &User, member: Option<&Member>) -> Actor {
    Actor {
        user: UserRef::new(Platform::Discord, user.id.to_string()),
        // Guild roles, so approvers can be named by role.
        roles: member
            .map(|m| m.roles.iter().map(ToString::to_string).collect())
            .unwrap_or_default(),
    }
}

/// What an interaction asks of the bot.
pub enum Asked {
    Ping,
    /// An event for the service, and the token to answer it privately with.
    Event {
        inbound: Inbound,
        token: String,
    },
}

/// The languages Discord says: the user's for the answer, the guild's for
/// the card (a direct message has no guild: the user's then). A locale the
/// bot does not speak falls back to `default`.
fn locales(user: &str, guild: Option<&str>, default: Locale) -> (Locale, Locale) {
    let user = Locale::from_tag(user);
    let guild = guild.and_then(Locale::from_tag);
    (
        user.or(guild).unwrap_or(default),
        guild.or(user).unwrap_or(default),
    )
}

/// The channel an interaction came from. A snowflake is always a channel
/// id; the check is the one every platform's channel goes through.
fn conversation(channel: serenity::all::ChannelId) -> Result<Conversation, Unhandled> {
    let channel = crate::domain::ids::ChannelId::parse(&channel.to_string())
        .map_err(|e| Unhandled(e.to_string()))?;
    Ok(Conversation {
        platform: Platform::Discord,
        channel,
    })
}

/// Converts an interaction. Pure: no I/O.
pub fn from_interaction(interaction: &Interaction, default: Locale) -> Result<Asked, Unhandled> {
    match interaction {
        Interaction::Ping(_) => Ok(Asked::Ping),
        Interaction::Command(c) => {
            let text = command::to_text(&c.data).map_err(Unhandled)?;
            let (locale, card_locale) = locales(&c.locale, c.guild_locale.as_deref(), default);
            Ok(Asked::Event {
                inbound: Inbound {
                    actor: actor(&c.user, c.member.as_deref()),
                    conversation: conversation(c.channel_id)?,
                    delivery: Some(format!("discord:{}", c.id)),
                    event: Event::Command(text),
                    locale,
                    card_locale,
                },
                token: c.token.clone(),
            })
        }
        Interaction::Component(c) => {
            let (action, job) = crate::ports::chat::parse_button_value(&c.data.custom_id)
                .ok_or_else(|| {
                    Unhandled(format!(
                        "not one of the bot's buttons: {:?}",
                        c.data.custom_id
                    ))
                })?;
            let (locale, card_locale) = locales(&c.locale, c.guild_locale.as_deref(), default);
            Ok(Asked::Event {
                inbound: Inbound {
                    actor: actor(&c.user, c.member.as_ref()),
                    conversation: conversation(c.channel_id)?,
                    delivery: Some(format!("discord:{}", c.id)),
                    event: Event::Click { action, job },
                    locale,
                    card_locale,
                },
                token: c.token.clone(),
            })
        }
        _ => Err(Unhandled(
            "an interaction type the bot does not handle".into(),
        )),
    }
}

pub struct DiscordHandler {
    pub service: Arc<Service>,
    pub http: Arc<Http>,
    /// The language when an interaction carries none the bot speaks.
    pub default_locale: Locale,
    /// Background work and private answers, bounded.
    pub intake: crate::chat::intake::Intake,
}

impl DiscordHandler {
    /// The response to give now; the work continues in the background.
    pub async fn respond(
        self: &Arc<Self>,
        interaction: &Interaction,
    ) -> Result<CreateInteractionResponse, Unhandled> {
        let say_now = |text: String| {
            let text: String = text.chars().take(2000).collect();
            CreateInteractionResponse::Message(
                CreateInteractionResponseMessage::new()
                    .ephemeral(true)
                    .content(text),
            )
        };
        match from_interaction(interaction, self.default_locale)? {
            Asked::Ping => Ok(CreateInteractionResponse::Pong),
            Asked::Event { inbound, token } => {
                // What needs no cloud call (help, parse errors, status,
                // list, "slow down") is the initial response itself: no
                // store write, no task, no follow-up call. The rest edits
                // the deferred response when done.
                let http = self.http.clone();
                let answer = move |done: crate::service::Reply| async move {
                    let text: String = done.text.chars().take(2000).collect();
                    let edit = EditInteractionResponse::new().content(text);
                    if let Err(e) = edit.execute(&*http, &token).await {
                        let error = super::sink::describe(&e);
                        tracing::warn!(%error, "could not answer the interaction");
                    }
                };
                let taken = self
                    .intake
                    .take(&self.service, inbound, std::future::ready, answer)
                    .await;
                if let Taken::Now(text) | Taken::Busy(text) = taken {
                    return Ok(say_now(text));
                }
                Ok(CreateInteractionResponse::Defer(
                    CreateInteractionResponseMessage::new().ephemeral(true),
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_speaks_the_users_language_and_the_card_the_guilds() {
        let en = Locale::En;
        assert_eq!(
            locales("en-US", Some("zh-CN"), en),
            (Locale::En, Locale::ZhCn)
        );
        assert_eq!(
            locales("zh-CN", Some("en-GB"), en),
            (Locale::ZhCn, Locale::En)
        );
        // A direct message has no guild: the user's language for both.
        assert_eq!(locales("zh-CN", None, en), (Locale::ZhCn, Locale::ZhCn));
        // Languages the bot does not speak fall back: to the other one
        // Discord sent, then to the configured default.
        assert_eq!(
            locales("fr", Some("zh-CN"), en),
            (Locale::ZhCn, Locale::ZhCn)
        );
        assert_eq!(
            locales("ja", Some("de"), Locale::ZhCn),
            (Locale::ZhCn, Locale::ZhCn)
        );
    }
}
