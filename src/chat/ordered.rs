//! A card never goes backwards: every card carries its job's revision (the
//! store's change counter), and an update older than the newest one already
//! shown on that card is dropped. The service and the engine both refresh
//! cards after their own store changes, and their calls can overtake each
//! other on the way to the platform.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use crate::domain::job::{Conversation, MessageRef};
use crate::ports::chat::{Card, ChatError, ChatSink, Note};

/// Wraps a sink so that each card shows only newer revisions.
pub struct NewestCardWins {
    inner: Arc<dyn ChatSink>,
    /// Per card: the newest revision shown, behind a lock held across the
    /// update so two updates of one card cannot cross.
    shown: Mutex<HashMap<MessageRef, Arc<tokio::sync::Mutex<u64>>>>,
}

impl NewestCardWins {
    pub fn new(inner: Arc<dyn ChatSink>) -> Self {
        Self {
            inner,
            shown: Mutex::new(HashMap::new()),
        }
    }

    fn slot(&self, at: &MessageRef) -> Arc<tokio::sync::Mutex<u64>> {
        match self.shown.lock() {
            Ok(mut shown) => shown.entry(at.clone()).or_default().clone(),
            // A poisoned map only loses the ordering, never the update.
            Err(_) => Arc::default(),
        }
    }
}

#[async_trait]
impl ChatSink for NewestCardWins {
    async fn post_card(&self, to: &Conversation, card: &Card) -> Result<MessageRef, ChatError> {
        let at = self.inner.post_card(to, card).await?;
        *self.slot(&at).lock().await = card.revision;
        Ok(at)
    }

    async fn update_card(&self, at: &MessageRef, card: &Card) -> Result<(), ChatError> {
        let slot = self.slot(at);
        let mut shown = slot.lock().await;
        if card.revision < *shown {
            tracing::debug!(card = %at.id, revision = card.revision, shown = *shown, "an older card update is dropped");
            return Ok(());
        }
        self.inner.update_card(at, card).await?;
        *shown = card.revision;
        Ok(())
    }

    async fn post_in_thread(&self, card: &MessageRef, note: &Note) -> Result<(), ChatError> {
        self.inner.post_in_thread(card, note).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::{JobId, Platform};
    use crate::ports::chat::Tone;

    #[derive(Default)]
    struct Shown(Mutex<Vec<u64>>);

    #[async_trait]
    impl ChatSink for Shown {
        async fn post_card(&self, to: &Conversation, card: &Card) -> Result<MessageRef, ChatError> {
            if let Ok(mut v) = self.0.lock() {
                v.push(card.revision);
            }
            Ok(MessageRef {
                platform: to.platform,
                channel: to.channel.clone(),
                id: "m1".into(),
            })
        }
        async fn update_card(&self, _: &MessageRef, card: &Card) -> Result<(), ChatError> {
            if let Ok(mut v) = self.0.lock() {
                v.push(card.revision);
            }
            Ok(())
        }
        async fn post_in_thread(&self, _: &MessageRef, _: &Note) -> Result<(), ChatError> {
            Ok(())
        }
    }

    fn card(revision: u64) -> Card {
        Card {
            job: JobId::new(1000),
            revision,
            title: String::new(),
            status: String::new(),
            tone: Tone::Working,
            fields: Vec::new(),
            actions: Vec::new(),
            warnings: Vec::new(),
            buttons: Vec::new(),
        }
    }

    #[tokio::test]
    async fn an_older_revision_never_replaces_a_newer_one() {
        let shown = Arc::new(Shown::default());
        let sink = NewestCardWins::new(shown.clone());
        let to = Conversation {
            platform: Platform::Console,
            channel: "ops".into(),
        };
        let at = sink.post_card(&to, &card(1)).await.expect("posted");
        sink.update_card(&at, &card(4)).await.expect("updated");
        sink.update_card(&at, &card(3))
            .await
            .expect("dropped quietly");
        sink.update_card(&at, &card(4))
            .await
            .expect("same revision again");
        sink.update_card(&at, &card(5)).await.expect("updated");
        assert_eq!(*shown.0.lock().expect("shown"), vec![1, 4, 4, 5]);
    }
}
