//! Slack payloads → the service's `Inbound`, and the private reply back
//! through the payload's `response_url`. Shared by the HTTP endpoints and
//! Socket Mode, so both transports behave the same.

use std::sync::Arc;

use slack_morphism::prelude::*;

use super::sink::{Client, with_retry};
use crate::domain::ids::{JobId, Platform, UserRef};
use crate::domain::job::Conversation;
use crate::domain::policy::Actor;
use crate::ports::chat::Action;
use crate::service::{Event, Inbound, Service};

/// Why a payload was not turned into an event.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Unhandled(pub String);

fn actor(user: &SlackUserId) -> Actor {
    Actor::new(UserRef::new(Platform::Slack, user.to_string()))
}

fn conversation(channel: &SlackChannelId) -> Conversation {
    Conversation {
        platform: Platform::Slack,
        channel: channel.to_string(),
    }
}

/// A slash command. The trigger id is unique per invocation, so it doubles
/// as the delivery id.
pub fn from_command(ev: &SlackCommandEvent) -> Inbound {
    Inbound {
        actor: actor(&ev.user_id),
        conversation: conversation(&ev.channel_id),
        delivery: Some(format!("slack:{}", ev.trigger_id)),
        event: Event::Command(ev.text.clone().unwrap_or_default()),
    }
}

/// A button click on one of the bot's cards.
pub fn from_block_actions(ev: &SlackInteractionBlockActionsEvent) -> Result<Inbound, Unhandled> {
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
    let (action, job) = value
        .split_once(':')
        .and_then(|(a, j)| Some((Action::parse(a)?, JobId::parse(j).ok()?)))
        .ok_or_else(|| Unhandled(format!("not one of the bot's buttons: {value:?}")))?;
    Ok(Inbound {
        actor: actor(&user.id),
        conversation: conversation(&channel.id),
        delivery: Some(format!("slack:{}", ev.trigger_id)),
        event: Event::Click { action, job },
    })
}

/// Runs inbound events through the service and answers privately.
pub struct SlackHandler {
    pub service: Arc<Service>,
    pub client: Arc<Client>,
}

impl SlackHandler {
    /// Acknowledge first, work after: the caller returns to Slack at once
    /// and this runs in the background.
    pub fn spawn(self: &Arc<Self>, inbound: Inbound, response_url: Option<SlackResponseUrl>) {
        let me = self.clone();
        tokio::spawn(async move { me.handle(inbound, response_url).await });
    }

    pub async fn handle(&self, inbound: Inbound, response_url: Option<SlackResponseUrl>) {
        let reply = self.service.handle(inbound).await;
        if reply.is_empty() {
            return;
        }
        let Some(url) = response_url else { return };
        let request = SlackApiPostWebhookMessageRequest::new(
            SlackMessageContent::new().with_text(reply.text.clone()),
        )
        .with_replace_original(false);
        if let Err(e) = with_retry("response_url", || {
            self.client.respond_to_event(&url, &request)
        })
        .await
        {
            tracing::warn!(error = %e, "could not answer through response_url");
        }
    }
}
