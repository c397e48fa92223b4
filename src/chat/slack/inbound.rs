//! Slack payloads → the service's `Inbound`, and answers back. Shared by
//! the HTTP endpoints and Socket Mode: each entry point returns the body to
//! answer with at once (an HTTP response, or a Socket Mode ack's payload)
//! and leaves slow work to a background task, so Slack's three seconds hold.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use slack_morphism::prelude::*;

use super::form;
pub use super::form::form_text;
use super::sink::{Client, with_retry};
use crate::chat::intake::Taken;
use crate::domain::ids::{ChannelId, Platform, UserRef};
use crate::domain::job::Conversation;
use crate::domain::policy::Actor;
use crate::i18n::Locale;
use crate::secret::Secret;
use crate::service::{Event, Inbound, Service};
use crate::t;

/// Why a payload was not turned into an event (answered with 400).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Unhandled(pub String);

/// The acting user; a signed payload with a malformed id is still refused.
pub(super) fn actor(user: &str) -> Result<Actor, Unhandled> {
    UserRef::parse(Platform::Slack, user)
        .map(Actor::new)
        .map_err(|e| Unhandled(e.to_string()))
}

pub(super) fn conversation(channel: &str) -> Result<Conversation, Unhandled> {
    if !crate::domain::ids::is_platform_id(channel) {
        return Err(Unhandled(format!(
            "{:?} is not a Slack channel id",
            crate::domain::ids::printable(channel)
        )));
    }
    let channel = ChannelId::parse(channel).map_err(|e| Unhandled(e.to_string()))?;
    Ok(Conversation {
        platform: Platform::Slack,
        channel,
    })
}

/// A slash command. The trigger id is unique per invocation and the same on
/// a redelivery, so it doubles as the delivery id.
pub fn from_command(ev: &SlackCommandEvent, locale: Locale) -> Result<Inbound, Unhandled> {
    Ok(Inbound {
        actor: actor(ev.user_id.as_ref())?,
        conversation: conversation(ev.channel_id.as_ref())?,
        delivery: Some(format!("slack:{}", ev.trigger_id)),
        event: Event::Command(ev.text.clone().unwrap_or_default()),
        locale,
        card_locale: locale,
    })
}

/// A button click on one of the bot's cards.
pub fn from_block_actions(
    ev: &SlackInteractionBlockActionsEvent,
    locale: Locale,
) -> Result<Inbound, Unhandled> {
    let user = ev
        .user
        .as_ref()
        .ok_or_else(|| Unhandled("a click without a user".into()))?;
    let channel = ev
        .channel
        .as_ref()
        .ok_or_else(|| Unhandled("a click outside a channel".into()))?;
    let value = ev
        .actions
        .as_ref()
        .and_then(|a| a.first())
        .and_then(|a| a.value.clone())
        .ok_or_else(|| Unhandled("a click without a value".into()))?;
    let (action, job) = crate::ports::chat::parse_button_value(&value)
        .ok_or_else(|| Unhandled(format!("not one of the bot's buttons: {value:?}")))?;
    Ok(Inbound {
        actor: actor(user.id.as_ref())?,
        conversation: conversation(channel.id.as_ref())?,
        delivery: Some(format!("slack:{}", ev.trigger_id)),
        event: Event::Click { action, job },
        locale,
        card_locale: locale,
    })
}

/// An answer in the acknowledgement, seen only by the person who typed;
/// `<`, `>` and `&` escaped, as Slack's text format requires.
pub fn ephemeral(text: &str) -> Value {
    json!({ "response_type": "ephemeral", "text": super::render::escape(text) })
}

/// Where the private answer goes.
#[derive(Debug, Clone)]
pub enum ReplyTo {
    ResponseUrl(SlackResponseUrl),
    /// `chat.postEphemeral`, for paths with no response_url (modal submissions).
    Ephemeral {
        channel: String,
        user: String,
    },
}

/// How long a user group's member list is trusted before it is read again.
const GROUP_TTL: Duration = Duration::from_secs(300);

/// Runs inbound events through the service and answers privately.
pub struct SlackHandler {
    pub service: Arc<Service>,
    pub client: Arc<Client>,
    pub(super) token: SlackApiToken,
    /// User groups the policy names; Slack does not send membership, so the
    /// adapter looks it up (cached) and passes it on as the actor's roles.
    groups: Vec<String>,
    members: Mutex<HashMap<String, (Instant, Vec<String>)>>,
    /// Slack sends no locale: each workspace's language is configured.
    pub(super) languages: Languages,
    /// Background work and private answers, bounded.
    pub(super) intake: crate::chat::intake::Intake,
}

/// The language of each Slack workspace, by team id, and of the rest.
#[derive(Debug, Clone, Default)]
pub struct Languages {
    pub default: Locale,
    pub workspaces: BTreeMap<String, Locale>,
}

impl Languages {
    pub fn of(&self, team: &str) -> Locale {
        self.workspaces.get(team).copied().unwrap_or(self.default)
    }
}

impl SlackHandler {
    pub fn new(
        service: Arc<Service>,
        client: Arc<Client>,
        bot_token: &Secret,
        groups: Vec<String>,
        languages: Languages,
        intake: crate::chat::intake::Intake,
    ) -> Self {
        Self {
            service,
            client,
            token: SlackApiToken::new(SlackApiTokenValue(bot_token.expose().to_owned())),
            groups,
            members: Mutex::new(HashMap::new()),
            languages,
            intake,
        }
    }

    /// The policy's groups that `user` belongs to. A group that cannot be
    /// read counts as not containing the user (the safe side), and is logged.
    async fn groups_of(&self, user: &str) -> Vec<String> {
        let mut out = Vec::new();
        for group in &self.groups {
            let cached = self.members.lock().ok().and_then(|m| {
                m.get(group)
                    .filter(|(at, _)| at.elapsed() < GROUP_TTL)
                    .map(|(_, users)| users.clone())
            });
            let users = match cached {
                Some(u) => u,
                None => {
                    let session = self.client.open_session(&self.token);
                    let request =
                        SlackApiUserGroupsUsersListRequest::new(SlackUserGroupId(group.clone()));
                    match with_retry("usergroups.users.list", || {
                        session.usergroups_users_list(&request)
                    })
                    .await
                    {
                        Ok(r) => {
                            let users: Vec<String> =
                                r.users.iter().map(ToString::to_string).collect();
                            if let Ok(mut m) = self.members.lock() {
                                m.insert(group.clone(), (Instant::now(), users.clone()));
                            }
                            users
                        }
                        Err(e) => {
                            tracing::warn!(%group, error = %e, "could not read a user group's members");
                            Vec::new()
                        }
                    }
                }
            };
            if users.iter().any(|u| u == user) {
                out.push(group.clone());
            }
        }
        out
    }

    /// A slash command: the body of the acknowledgement, if it says
    /// something. What needs no cloud call (help, parse errors, status,
    /// list, "slow down") is answered right there, as Slack recommends;
    /// the rest starts a bounded background task, or is answered "busy".
    /// `create` with no arguments opens the form instead.
    pub async fn command(self: &Arc<Self>, ev: &SlackCommandEvent) -> Option<Value> {
        let locale = self.languages.of(ev.team_id.as_ref());
        let inbound = match from_command(ev, locale) {
            Ok(inbound) => inbound,
            Err(e) => {
                tracing::warn!(error = %e, "a slash command the bot cannot attribute; ignored");
                return None;
            }
        };
        let text = ev.text.clone().unwrap_or_default();
        if text.trim().eq_ignore_ascii_case("create") {
            if let Some(slow_down) = self.service.admit(&inbound) {
                return Some(ephemeral(&slow_down));
            }
            let Some(slot) = self.intake.try_start() else {
                return Some(ephemeral(&t!(locale, "reply-busy")));
            };
            let me = self.clone();
            let (trigger, channel) = (ev.trigger_id.clone(), ev.channel_id.to_string());
            let reply = ReplyTo::ResponseUrl(ev.response_url.clone());
            tokio::spawn(async move {
                me.open_modal(trigger, channel, reply, locale).await;
                drop(slot);
            });
            return None;
        }
        match self
            .take(inbound, ReplyTo::ResponseUrl(ev.response_url.clone()))
            .await
        {
            Taken::Now(answer) | Taken::Busy(answer) => Some(ephemeral(&answer)),
            Taken::Later => None,
        }
    }

    /// An interaction payload (the JSON in `payload=`).
    pub async fn interaction(self: &Arc<Self>, payload: &str) -> Result<Option<Value>, Unhandled> {
        let raw: Value = serde_json::from_str(payload)
            .map_err(|_| Unhandled("the payload is not JSON".into()))?;
        match raw["type"].as_str() {
            Some("block_actions") => {
                let Ok(SlackInteractionEvent::BlockActions(ev)) = serde_json::from_value(raw)
                else {
                    return Err(Unhandled("not a block_actions payload".into()));
                };
                let inbound = from_block_actions(&ev, self.languages.of(ev.team.id.as_ref()))?;
                let reply = match &ev.response_url {
                    Some(url) => ReplyTo::ResponseUrl(url.clone()),
                    None => ReplyTo::Ephemeral {
                        channel: inbound.conversation.channel.to_string(),
                        user: inbound.actor.user.id.clone(),
                    },
                };
                // A click's acknowledgement shows nothing: what is said
                // goes through response_url, from a bounded task.
                let locale = inbound.locale;
                match self.take(inbound, reply.clone()).await {
                    Taken::Now(answer) => self.say_later(reply, answer, locale),
                    Taken::Busy(busy) => {
                        tracing::warn!(reason = %busy, "a click was turned away: intake is full");
                    }
                    Taken::Later => {}
                }
                Ok(None)
            }
            Some("view_submission") if raw["view"]["callback_id"] == form::MODAL => {
                Ok(self.submit_modal(&raw).await)
            }
            other => Err(Unhandled(format!("unsupported interaction {other:?}"))),
        }
    }

    /// Takes a request through the one intake protocol; the answer of
    /// work done later goes to `reply`. The sender's user groups are looked
    /// up first, since Slack does not send them.
    pub(super) async fn take(self: &Arc<Self>, inbound: Inbound, reply: ReplyTo) -> Taken {
        let (me, again) = (self.clone(), self.clone());
        let prepare = move |mut inbound: Inbound| async move {
            inbound.actor.roles = me.groups_of(&inbound.actor.user.id).await;
            inbound
        };
        let answer = move |done: crate::service::Reply| async move {
            again.answer(&reply, &done.text).await;
        };
        self.intake
            .take(&self.service, inbound, prepare, answer)
            .await
    }

    /// Says `text` through `reply` from a bounded task, where the
    /// acknowledgement shows nothing; a full intake is logged.
    pub(super) fn say_later(self: &Arc<Self>, reply: ReplyTo, text: String, locale: Locale) {
        let me = self.clone();
        let sent = self.intake.send_later(locale, async move {
            me.answer(&reply, &text).await;
        });
        if let Err(busy) = sent {
            tracing::warn!(reason = %busy, "an answer was turned away: intake is full");
        }
    }

    pub(super) async fn answer(&self, reply: &ReplyTo, text: &str) {
        let content = SlackMessageContent::new().with_text(super::render::escape(text));
        let result = match reply {
            ReplyTo::ResponseUrl(url) => {
                let request =
                    SlackApiPostWebhookMessageRequest::new(content).with_replace_original(false);
                with_retry("response_url", || {
                    self.client.respond_to_event(url, &request)
                })
                .await
                .map(|_| ())
            }
            ReplyTo::Ephemeral { channel, user } => {
                let session = self.client.open_session(&self.token);
                let request = SlackApiChatPostEphemeralRequest::new(
                    SlackChannelId(channel.clone()),
                    SlackUserId(user.clone()),
                    content,
                );
                with_retry("chat.postEphemeral", || {
                    session.chat_post_ephemeral(&request)
                })
                .await
                .map(|_| ())
            }
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, "could not answer privately");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_workspace_speaks_its_configured_language() {
        let languages = Languages {
            default: Locale::En,
            workspaces: BTreeMap::from([("T0CHINA".to_owned(), Locale::ZhCn)]),
        };
        assert_eq!(languages.of("T0CHINA"), Locale::ZhCn);
        assert_eq!(languages.of("T0OTHER"), Locale::En);
        assert_eq!(languages.of(""), Locale::En);
    }
}
