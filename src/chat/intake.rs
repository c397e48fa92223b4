//! Background work from chat, bounded. Whatever a chat request cannot
//! answer in its acknowledgement (a create, a plan, a click) runs as a task
//! holding one of a fixed number of slots; with none free, the
//! acknowledgement says the bot is busy and nothing is started. Private
//! answers sent afterwards (`response_url`, webhook edits) hold one of a
//! smaller number of reply slots and give up after a timeout, so a slow
//! or unreachable chat API cannot pile up tasks either.
//!
//! [`Intake::take`] is the one intake protocol every platform and the
//! console go through: the per-person rate and what needs no cloud call are
//! answered at once; the rest takes a slot and runs in a task whose answer
//! goes to the platform's private reply; a repeated delivery is answered
//! once.

use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::service::{Inbound, Reply, Service};

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

/// How a request was taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken {
    /// Answered at once (help, a parse error, `status`, `list`, "slow
    /// down"): to be said in the acknowledgement where the platform has one.
    Now(String),
    /// No slot was free: nothing was started; this says so ("busy").
    Busy(String),
    /// Being worked on; the answer goes to the reply given.
    Later,
}

impl Intake {
    /// Takes one request from chat: answered now when it can be, else
    /// worked on in a task holding a slot: `prepare` completes the request
    /// (Slack looks up the sender's user groups), the service handles it,
    /// and `reply` sends the answer privately, within the reply slots and
    /// timeout. A second delivery of a request already handled gets no
    /// answer (it would overwrite the first's).
    pub async fn take<P, PF, R, RF>(
        &self,
        service: &Arc<Service>,
        inbound: Inbound,
        prepare: P,
        reply: R,
    ) -> Taken
    where
        P: FnOnce(Inbound) -> PF + Send + 'static,
        PF: std::future::Future<Output = Inbound> + Send,
        R: FnOnce(Reply) -> RF + Send + 'static,
        RF: std::future::Future<Output = ()> + Send,
    {
        if let Some(answer) = service.answer_now(&inbound).await {
            return Taken::Now(answer);
        }
        let Some(slot) = self.try_start() else {
            return Taken::Busy(crate::t!(inbound.locale, "reply-busy"));
        };
        let (me, service) = (self.clone(), service.clone());
        tokio::spawn(async move {
            let _slot = slot;
            let answer = service.handle(prepare(inbound).await).await;
            if answer.duplicate {
                return;
            }
            if me.reply(reply(answer)).await.is_none() {
                tracing::warn!("a private answer took too long and was given up");
            }
        });
        Taken::Later
    }

    /// Sends an answer from a task holding a slot, for platforms whose
    /// acknowledgement shows nothing (a click, a form): `Err` with what to
    /// say ("busy") when no slot is free.
    pub fn send_later(
        &self,
        locale: crate::i18n::Locale,
        send: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<(), String> {
        let Some(slot) = self.try_start() else {
            return Err(crate::t!(locale, "reply-busy"));
        };
        let me = self.clone();
        tokio::spawn(async move {
            let _slot = slot;
            if me.reply(send).await.is_none() {
                tracing::warn!("a private answer took too long and was given up");
            }
        });
        Ok(())
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
