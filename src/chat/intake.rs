//! Background work from chat, bounded. Whatever a chat request cannot
//! answer in its acknowledgement (a create, a plan, a click) runs as a task
//! holding one of a fixed number of slots; with none free, the
//! acknowledgement says the bot is busy and nothing is started. Private
//! answers sent afterwards (`response_url`, webhook edits) hold one of a
//! smaller number of reply slots and give up after a timeout, so a slow
//! or unreachable chat API cannot pile up tasks either.

use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The largest request body a chat endpoint reads; larger ones are refused
/// (413) before their signature is checked or anything is parsed. Slack's
/// and Discord's own payloads stay far below it.
pub const MAX_BODY: usize = 64 * 1024;

/// `[intake]` in the config.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IntakeSettings {
    /// Requests being worked on in the background at once (queued or
    /// running); beyond it the acknowledgement says "busy".
    pub max_in_flight: usize,
    /// Private answers being sent at once.
    pub max_replies: usize,
    /// How long one private answer may take before it is given up.
    #[serde(with = "humantime_serde")]
    pub reply_timeout: Duration,
    /// Commands and clicks one person may send per minute (a burst of
    /// `per_user_burst` at once).
    pub per_user_per_minute: u32,
    pub per_user_burst: u32,
}

impl Default for IntakeSettings {
    fn default() -> Self {
        Self {
            max_in_flight: 256,
            max_replies: 32,
            reply_timeout: Duration::from_secs(10),
            per_user_per_minute: 30,
            per_user_burst: 10,
        }
    }
}

/// The slots. Cheap to clone; clones share them.
#[derive(Clone)]
pub struct Intake {
    work: Arc<Semaphore>,
    replies: Arc<Semaphore>,
    limit: usize,
    pub reply_timeout: Duration,
}

impl Intake {
    pub fn new(settings: &IntakeSettings) -> Self {
        Self {
            work: Arc::new(Semaphore::new(settings.max_in_flight.max(1))),
            replies: Arc::new(Semaphore::new(settings.max_replies.max(1))),
            limit: settings.max_in_flight.max(1),
            reply_timeout: settings.reply_timeout,
        }
    }

    /// A slot for one request's background work, if one is free now. The
    /// task holds it until it ends.
    pub fn try_start(&self) -> Option<OwnedSemaphorePermit> {
        self.work.clone().try_acquire_owned().ok()
    }

    /// Requests being worked on now.
    pub fn in_flight(&self) -> usize {
        self.limit - self.work.available_permits()
    }

    /// Sends one private answer within the reply slots and the timeout;
    /// false when it was given up.
    pub async fn reply<F, T>(&self, send: F) -> Option<T>
    where
        F: std::future::Future<Output = T>,
    {
        let _slot = self.replies.acquire().await.ok()?;
        tokio::time::timeout(self.reply_timeout, send).await.ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn work_beyond_the_limit_is_turned_away_and_slots_come_back() {
        let intake = Intake::new(&IntakeSettings {
            max_in_flight: 2,
            ..IntakeSettings::default()
        });
        let a = intake.try_start().expect("first");
        let _b = intake.try_start().expect("second");
        assert!(intake.try_start().is_none(), "full");
        assert_eq!(intake.in_flight(), 2);
        drop(a);
        assert!(intake.try_start().is_some(), "a slot came back");
    }

    #[tokio::test]
    async fn a_reply_that_hangs_is_given_up() {
        let intake = Intake::new(&IntakeSettings {
            reply_timeout: Duration::from_millis(10),
            ..IntakeSettings::default()
        });
        let hung = intake.reply(std::future::pending::<()>()).await;
        assert!(hung.is_none());
        assert_eq!(intake.reply(async { 7 }).await, Some(7));
    }
}
