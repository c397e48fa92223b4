//! Posting to Discord with the bot token (interaction tokens expire after 15
//! minutes, and jobs can run longer): the card as a channel message edited in
//! place, progress in a thread started from it. A thread started from a
//! message has the message's id, so the card's reference is enough.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use serenity::all::{ChannelId, MessageId, UserId};
use serenity::builder::{CreateAttachment, CreateMessage, CreateThread, EditMessage};
use serenity::http::{Http, HttpError};

use super::render;
use crate::backoff::Backoff;
use crate::domain::ids::{ChannelName, Platform, UserRef};
use crate::domain::job::{Conversation, MessageRef};
use crate::ports::chat::{Blocked, Card, ChatError, ChatSink, Note};
use crate::ports::error::ErrorKind;
use crate::retry::{Classified, Effect, RetryPolicy};

/// Discord's error code for "a thread has already been created for this message".
const THREAD_EXISTS: isize = 160004;
const ATTEMPTS: u32 = 4;

fn status(e: &serenity::Error) -> Option<(u16, isize)> {
    match e {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => {
            Some((r.status_code.as_u16(), r.error.code))
        }
        _ => None,
    }
}

/// The kind of a Discord REST failure.
impl Classified for serenity::Error {
    fn kind(&self) -> ErrorKind {
        match self {
            serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => {
                match r.status_code.as_u16() {
                    429 => ErrorKind::Throttled,
                    401 | 403 => ErrorKind::Denied,
                    404 => ErrorKind::NotFound,
                    400 => ErrorKind::InvalidInput,
                    s if s >= 500 => ErrorKind::Unavailable,
                    _ => ErrorKind::Other,
                }
            }
            serenity::Error::Http(HttpError::Request(_)) => ErrorKind::Unavailable,
            _ => ErrorKind::Other,
        }
    }
}

/// Runs a REST call through the one retry helper: 429s are retried. With
/// serenity's rate limiter on (the default) it waits out `retry_after`
/// itself; with it off (a proxy, the tests) `retry_after` is not exposed, so
/// the retry uses backoff.
pub async fn with_retry<T, F, Fut>(call: F) -> serenity::Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = serenity::Result<T>>,
{
    let policy = RetryPolicy {
        backoff: Backoff {
            initial: Duration::from_millis(500),
            max: Duration::from_secs(5),
        },
        attempts: ATTEMPTS,
    };
    policy.run("Discord REST call", Effect::Write, call).await
}

/// An error in words without its URL: interaction webhook URLs carry the
/// interaction token, which must not reach a log.
pub fn describe(e: &serenity::Error) -> String {
    match e {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => format!(
            "HTTP {} (Discord code {}: {})",
            r.status_code.as_u16(),
            r.error.code,
            r.error.message
        ),
        serenity::Error::Http(HttpError::Request(r)) => format!(
            "request failed ({})",
            if r.is_timeout() {
                "timeout"
            } else if r.is_connect() {
                "connection"
            } else {
                "transport"
            }
        ),
        other => other.to_string(),
    }
}

/// Discord's JSON error codes that no retry cures, until a person acts.
fn blocked_by(e: &serenity::Error) -> Option<Blocked> {
    Some(match status(e)?.1 {
        50001 => Blocked::NotInChannel,
        10003 => Blocked::ChannelGone,
        50083 => Blocked::Archived,
        50013 => Blocked::NoPermission,
        10008 => Blocked::MessageGone,
        _ => return None,
    })
}

pub(super) fn failed(what: &'static str) -> impl Fn(serenity::Error) -> ChatError {
    move |e| ChatError::new(e.kind(), format!("{what}: {}", describe(&e))).blocked(blocked_by(&e))
}

/// A thread as a channel: its id is its starter message's.
fn thread_channel(message: u64) -> Result<crate::domain::ids::ChannelId, ChatError> {
    crate::domain::ids::ChannelId::parse(&message.to_string())
        .map_err(|e| ChatError::new(ErrorKind::Other, e.to_string()))
}

/// A Discord id: serenity's id types panic on zero, so zero is refused
/// here like any other non-id.
pub(super) fn id(text: &str) -> Result<u64, ChatError> {
    match text.parse::<u64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(ChatError::new(
            ErrorKind::InvalidInput,
            format!("{text:?} is not a Discord id"),
        )),
    }
}

pub struct DiscordSink {
    pub(super) http: Arc<Http>,
    threads: Mutex<HashSet<u64>>,
    /// The servers the config names; their channels alone bear names
    /// rules may use (all the bot's servers when empty).
    pub(super) guilds: Vec<u64>,
}

impl DiscordSink {
    pub fn new(http: Arc<Http>) -> Self {
        Self {
            http,
            threads: Mutex::new(HashSet::new()),
            guilds: Vec::new(),
        }
    }

    /// Channel names count only in `guilds` (when any are named).
    pub fn in_guilds(mut self, guilds: Vec<u64>) -> Self {
        self.guilds = guilds;
        self
    }
}

#[async_trait]
impl ChatSink for DiscordSink {
    async fn post_card(&self, to: &Conversation, card: &Card) -> Result<MessageRef, ChatError> {
        let channel = ChannelId::new(id(to.channel.as_str())?);
        let message = with_retry(|| {
            channel.send_message(
                &*self.http,
                CreateMessage::new()
                    .embed(render::embed(card))
                    .components(render::buttons(&card.buttons)),
            )
        })
        .await
        .map_err(failed("create message"))?;
        Ok(MessageRef {
            platform: Platform::Discord,
            channel: to.channel.clone(),
            id: message.id.to_string(),
        })
    }

    async fn update_card(&self, at: &MessageRef, card: &Card) -> Result<(), ChatError> {
        let channel = ChannelId::new(id(at.channel.as_str())?);
        let message = MessageId::new(id(&at.id)?);
        with_retry(|| {
            channel.edit_message(
                &*self.http,
                message,
                EditMessage::new()
                    .embed(render::embed(card))
                    .components(render::buttons(&card.buttons)),
            )
        })
        .await
        .map_err(failed("edit message"))?;
        Ok(())
    }

    async fn post_in_thread(
        &self,
        card: &MessageRef,
        note: &Note,
    ) -> Result<MessageRef, ChatError> {
        let channel = ChannelId::new(id(card.channel.as_str())?);
        let message = id(&card.id)?;
        let known = self
            .threads
            .lock()
            .map(|t| t.contains(&message))
            .unwrap_or(false);
        if !known {
            // The job id alone: a name in no language, read by everyone.
            let name = note.job.to_string();
            let created = with_retry(|| {
                channel.create_thread_from_message(
                    &*self.http,
                    MessageId::new(message),
                    CreateThread::new(name.clone()),
                )
            })
            .await;
            match created {
                Ok(_) => {}
                // Made by an earlier run of the bot: post into it.
                Err(e) if status(&e).is_some_and(|(_, code)| code == THREAD_EXISTS) => {}
                Err(e) => return Err(failed("start thread")(e)),
            }
            if let Ok(mut t) = self.threads.lock() {
                t.insert(message);
            }
        }
        let thread = ChannelId::new(message);
        let sent = with_retry(|| {
            let mut message = CreateMessage::new()
                .content(render::content(note))
                .components(render::buttons(&note.buttons));
            // A file goes with its note, as an attachment of the message.
            if let Some(file) = &note.file {
                message = message.add_file(CreateAttachment::bytes(
                    file.content.as_bytes().to_vec(),
                    file.name.clone(),
                ));
            }
            thread.send_message(&*self.http, message)
        })
        .await;
        match sent {
            // A thread is a channel whose id is its starter message's.
            Ok(posted) => Ok(MessageRef {
                platform: Platform::Discord,
                channel: thread_channel(message)?,
                id: posted.id.to_string(),
            }),
            // The thread itself is gone or locked (someone deleted or
            // archived it), not the channel: forget it, and say the card's
            // conversation is gone so that a fresh card, with a fresh
            // thread, carries on.
            Err(e) if status(&e).is_some_and(|(_, code)| code == 10003 || code == 50083) => {
                if let Ok(mut t) = self.threads.lock() {
                    t.remove(&message);
                }
                Err(failed("thread message")(e).blocked(Some(Blocked::MessageGone)))
            }
            Err(e) => Err(failed("thread message")(e)),
        }
    }

    async fn edit_in_thread(
        &self,
        _card: &MessageRef,
        at: &MessageRef,
        note: &Note,
    ) -> Result<(), ChatError> {
        let thread = ChannelId::new(id(at.channel.as_str())?);
        let message = MessageId::new(id(&at.id)?);
        with_retry(|| {
            thread.edit_message(
                &*self.http,
                message,
                EditMessage::new()
                    .content(render::content(note))
                    .components(render::buttons(&note.buttons)),
            )
        })
        .await
        .map_err(failed("edit thread message"))?;
        Ok(())
    }

    async fn channel_name(
        &self,
        _platform: Platform,
        channel: &crate::domain::ids::ChannelId,
    ) -> Result<ChannelName, ChatError> {
        self.name_of(channel).await
    }

    async fn channels_named(
        &self,
        _platform: Platform,
        name: &ChannelName,
    ) -> Result<Vec<crate::domain::ids::ChannelId>, ChatError> {
        self.named(name).await
    }

    /// A direct message (the DM channel is opened, or found, by Discord),
    /// which needs no access to the job's channel.
    async fn tell_directly(&self, user: &UserRef, text: &str) -> Result<(), ChatError> {
        let user = UserId::new(id(&user.id)?);
        let dm = with_retry(|| user.create_dm_channel(&*self.http))
            .await
            .map_err(failed("open direct message"))?;
        with_retry(|| {
            dm.id
                .send_message(&*self.http, CreateMessage::new().content(text))
        })
        .await
        .map_err(failed("direct message"))?;
        Ok(())
    }
}
