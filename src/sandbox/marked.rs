//! The sandbox's chat: every card and thread note carries the sandbox
//! mark (in both languages, so nobody mistakes it for a real link
//! whatever the channel speaks), and the `chat-outage` scenario makes the
//! next messages in a channel fail, as a platform outage would, until
//! chat "recovers".

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use crate::domain::ids::{ChannelId, ChannelName, Platform, UserRef};
use crate::domain::job::{Conversation, MessageRef};
use crate::i18n::{Locale, render};
use crate::ports::chat::{Card, ChatError, ChatSink, Note};
use crate::ports::error::ErrorKind;

/// How many messages an outage fails before chat recovers.
pub const OUTAGE_FAILURES: u32 = 3;

/// The channels whose next messages fail, and how many; and how many
/// have failed so far.
#[derive(Default)]
pub struct ChatOutages {
    left: Mutex<HashMap<(Platform, ChannelId), u32>>,
    failed: std::sync::atomic::AtomicU64,
}

impl ChatOutages {
    pub fn start(&self, at: &Conversation) {
        if let Ok(mut all) = self.left.lock() {
            all.insert((at.platform, at.channel.clone()), OUTAGE_FAILURES);
        }
    }

    /// Messages failed by outages so far.
    pub fn failed(&self) -> u64 {
        self.failed.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Fails this message when the channel is in an outage.
    fn take(&self, platform: Platform, channel: &ChannelId) -> Result<(), ChatError> {
        let Ok(mut all) = self.left.lock() else {
            return Ok(());
        };
        let key = (platform, channel.clone());
        match all.get_mut(&key) {
            Some(left) if *left > 0 => {
                *left -= 1;
                if *left == 0 {
                    all.remove(&key);
                }
                self.failed
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Err(ChatError::new(
                    ErrorKind::Unavailable,
                    "sandbox chat outage (the chat-outage scenario)",
                ))
            }
            _ => Ok(()),
        }
    }
}

/// The mark, in every language the bot speaks.
pub fn mark() -> String {
    Locale::ALL
        .into_iter()
        .map(|l| render(l, "sandbox-mark", &[]))
        .collect::<Vec<_>>()
        .join(" / ")
}

/// A sink that marks and, in an outage, fails what it passes on.
pub struct Marked {
    inner: Arc<dyn ChatSink>,
    outages: Arc<ChatOutages>,
    mark: String,
}

impl Marked {
    pub fn new(inner: Arc<dyn ChatSink>, outages: Arc<ChatOutages>) -> Self {
        Self {
            inner,
            outages,
            mark: mark(),
        }
    }

    fn card(&self, card: &Card) -> Card {
        Card {
            title: format!("{} · {}", self.mark, card.title),
            ..card.clone()
        }
    }

    fn note(&self, note: &Note) -> Note {
        Note {
            text: format!("{}\n{}", self.mark, note.text),
            ..note.clone()
        }
    }
}

#[async_trait]
impl ChatSink for Marked {
    fn pacing(&self, platform: Platform) -> std::time::Duration {
        self.inner.pacing(platform)
    }
    async fn post_card(&self, to: &Conversation, card: &Card) -> Result<MessageRef, ChatError> {
        self.outages.take(to.platform, &to.channel)?;
        self.inner.post_card(to, &self.card(card)).await
    }
    async fn update_card(&self, at: &MessageRef, card: &Card) -> Result<(), ChatError> {
        self.outages.take(at.platform, &at.channel)?;
        self.inner.update_card(at, &self.card(card)).await
    }
    async fn post_in_thread(
        &self,
        card: &MessageRef,
        note: &Note,
    ) -> Result<MessageRef, ChatError> {
        self.outages.take(card.platform, &card.channel)?;
        self.inner.post_in_thread(card, &self.note(note)).await
    }
    async fn edit_in_thread(
        &self,
        card: &MessageRef,
        at: &MessageRef,
        note: &Note,
    ) -> Result<(), ChatError> {
        self.outages.take(card.platform, &card.channel)?;
        self.inner.edit_in_thread(card, at, &self.note(note)).await
    }
    async fn tell_privately(
        &self,
        to: &Conversation,
        user: &UserRef,
        text: &str,
    ) -> Result<(), ChatError> {
        self.inner.tell_privately(to, user, text).await
    }
    async fn tell_directly(&self, user: &UserRef, text: &str) -> Result<(), ChatError> {
        self.inner.tell_directly(user, text).await
    }
    async fn channel_name(
        &self,
        platform: Platform,
        channel: &ChannelId,
    ) -> Result<ChannelName, ChatError> {
        self.inner.channel_name(platform, channel).await
    }
    async fn channels_named(
        &self,
        platform: Platform,
        name: &ChannelName,
    ) -> Result<Vec<ChannelId>, ChatError> {
        self.inner.channels_named(platform, name).await
    }
}
