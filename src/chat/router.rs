//! One `ChatSink` over several platforms: each message goes to the adapter
//! of the platform its conversation or card lives on.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::domain::ids::{ChannelId, ChannelName, Platform, UserRef};
use crate::domain::job::{Conversation, MessageRef};
use crate::ports::chat::{Card, ChatError, ChatSink, Note};
use crate::ports::error::ErrorKind;

#[derive(Default)]
pub struct ChatRouter {
    sinks: HashMap<Platform, (Arc<dyn ChatSink>, Duration)>,
}

impl ChatRouter {
    /// Routes `platform`'s messages to `sink`, at most one per `pacing` in
    /// a channel.
    pub fn with(mut self, platform: Platform, sink: Arc<dyn ChatSink>, pacing: Duration) -> Self {
        self.sinks.insert(platform, (sink, pacing));
        self
    }

    fn sink(&self, platform: Platform) -> Result<&Arc<dyn ChatSink>, ChatError> {
        self.sinks
            .get(&platform)
            .map(|(sink, _)| sink)
            .ok_or_else(|| {
                ChatError::new(
                    ErrorKind::InvalidInput,
                    format!("{platform} is not configured"),
                )
            })
    }
}

#[async_trait]
impl ChatSink for ChatRouter {
    fn pacing(&self, platform: Platform) -> Duration {
        self.sinks
            .get(&platform)
            .map(|(_, pace)| *pace)
            .unwrap_or_default()
    }
    async fn post_card(&self, to: &Conversation, card: &Card) -> Result<MessageRef, ChatError> {
        self.sink(to.platform)?.post_card(to, card).await
    }
    async fn update_card(&self, at: &MessageRef, card: &Card) -> Result<(), ChatError> {
        self.sink(at.platform)?.update_card(at, card).await
    }
    async fn post_in_thread(
        &self,
        card: &MessageRef,
        note: &Note,
    ) -> Result<MessageRef, ChatError> {
        self.sink(card.platform)?.post_in_thread(card, note).await
    }
    async fn edit_in_thread(
        &self,
        card: &MessageRef,
        at: &MessageRef,
        note: &Note,
    ) -> Result<(), ChatError> {
        self.sink(card.platform)?
            .edit_in_thread(card, at, note)
            .await
    }
    async fn tell_privately(
        &self,
        to: &Conversation,
        user: &UserRef,
        text: &str,
    ) -> Result<(), ChatError> {
        self.sink(to.platform)?.tell_privately(to, user, text).await
    }
    async fn tell_directly(&self, user: &UserRef, text: &str) -> Result<(), ChatError> {
        self.sink(user.platform)?.tell_directly(user, text).await
    }
    async fn channel_name(
        &self,
        platform: Platform,
        channel: &ChannelId,
    ) -> Result<ChannelName, ChatError> {
        self.sink(platform)?.channel_name(platform, channel).await
    }
    async fn channels_named(
        &self,
        platform: Platform,
        name: &ChannelName,
    ) -> Result<Vec<ChannelId>, ChatError> {
        self.sink(platform)?.channels_named(platform, name).await
    }
}
