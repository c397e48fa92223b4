//! Posting to Slack: `chat.postMessage` for cards, `chat.update` to change
//! them in place, thread replies (`thread_ts`) for progress.
//!
//! Thread notes go through one worker that coalesces them: everything queued
//! for a thread while the channel's last message is younger than
//! `min_interval` goes out as one message, so a burst of progress never
//! needs more than about one message a second per channel. A 429 is retried
//! after its `Retry-After`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use tokio::sync::{mpsc, oneshot};

use super::render;
use crate::backoff::Backoff;
use crate::domain::ids::Platform;
use crate::domain::job::{Conversation, MessageRef};
use crate::ports::chat::{Card, ChatError, ChatSink, Note};
use crate::ports::error::ErrorKind;
use crate::retry::{Effect, RetryPolicy};
use crate::secret::Secret;

pub type Client = SlackClient<
    SlackClientHyperConnector<
        hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
    >,
>;

/// Builds a Slack Web API client for `api_url` (Slack's, or a fake's).
pub fn client(api_url: &str) -> anyhow::Result<Client> {
    // Named explicitly: two rustls providers are linked (slack-morphism
    // enables ring, the AWS SDK and reqwest use aws-lc-rs), so rustls cannot
    // pick a process default by itself.
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_native_roots(rustls::crypto::aws_lc_rs::default_provider())?
        .https_or_http()
        .enable_http1()
        .build();
    // slack-morphism joins "{base}/{method}": a trailing slash would double.
    let connector = SlackClientHyperConnector::with_connector(https)
        .with_slack_api_url(api_url.trim_end_matches('/'));
    Ok(SlackClient::new(connector))
}

/// 429s are retried after Slack's `Retry-After` (a second when it does not
/// say); a post that may have landed is never repeated.
const RETRY: RetryPolicy = RetryPolicy {
    backoff: Backoff {
        initial: Duration::from_secs(1),
        max: Duration::from_secs(30),
    },
    attempts: 4,
};

/// The kind of a Slack Web API failure.
fn classify(what: &str, e: SlackClientError) -> ChatError {
    let kind = match &e {
        SlackClientError::RateLimitError(_) => ErrorKind::Throttled,
        SlackClientError::ApiError(api) => match api.code.as_str() {
            "ratelimited" => ErrorKind::Throttled,
            "not_authed"
            | "invalid_auth"
            | "account_inactive"
            | "token_revoked"
            | "token_expired"
            | "missing_scope"
            | "not_allowed_token_type"
            | "no_permission" => ErrorKind::Denied,
            "channel_not_found" | "message_not_found" | "thread_not_found" | "not_in_channel" => {
                ErrorKind::NotFound
            }
            "internal_error" | "fatal_error" | "service_unavailable" | "request_timeout" => {
                ErrorKind::Unavailable
            }
            "invalid_arguments"
            | "invalid_blocks"
            | "invalid_blocks_format"
            | "msg_too_long"
            | "no_text"
            | "too_many_attachments" => ErrorKind::InvalidInput,
            _ => ErrorKind::Other,
        },
        SlackClientError::HttpError(h) if h.status_code.is_server_error() => ErrorKind::Unavailable,
        SlackClientError::HttpProtocolError(_) | SlackClientError::SystemError(_) => {
            ErrorKind::Unavailable
        }
        _ => ErrorKind::Other,
    };
    let retry_after = match &e {
        SlackClientError::RateLimitError(r) => r.retry_after,
        _ => None,
    };
    // Slack's errors carry no token: the client redacts it.
    let mut error = ChatError::new(kind, format!("{what}: {e}"));
    error.retry_after = retry_after;
    error
}

/// Runs a Web API call through the one retry helper.
pub async fn with_retry<T, F, Fut>(what: &str, mut call: F) -> Result<T, ChatError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ClientResult<T>>,
{
    RETRY
        .run(what, Effect::Write, || {
            let fut = call();
            async move { fut.await.map_err(|e| classify(what, e)) }
        })
        .await
}

enum Work {
    Note(MessageRef, Note),
    Flush(oneshot::Sender<()>),
}

pub struct SlackSink {
    client: Arc<Client>,
    token: SlackApiToken,
    queue: mpsc::UnboundedSender<Work>,
}

impl SlackSink {
    pub fn new(client: Arc<Client>, bot_token: &Secret, min_interval: Duration) -> Self {
        let token = SlackApiToken::new(SlackApiTokenValue(bot_token.expose().to_owned()));
        let (queue, rx) = mpsc::unbounded_channel();
        tokio::spawn(coalesce(client.clone(), token.clone(), rx, min_interval));
        Self {
            client,
            token,
            queue,
        }
    }

    /// Waits until every note queued so far has been sent.
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.queue.send(Work::Flush(done)).is_ok() {
            let _ = wait.await;
        }
    }
}

async fn coalesce(
    client: Arc<Client>,
    token: SlackApiToken,
    mut rx: mpsc::UnboundedReceiver<Work>,
    min_interval: Duration,
) {
    let mut last_sent: HashMap<String, Instant> = HashMap::new();
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while let Ok(more) = rx.try_recv() {
            batch.push(more);
        }
        // Group by thread, keeping order; flushes answer after the sends.
        let mut threads: Vec<(MessageRef, Vec<Note>)> = Vec::new();
        let mut flushes = Vec::new();
        for work in batch {
            match work {
                Work::Note(at, note) => match threads.iter_mut().find(|(t, _)| *t == at) {
                    Some((_, notes)) => notes.push(note),
                    None => threads.push((at, vec![note])),
                },
                Work::Flush(done) => flushes.push(done),
            }
        }
        for (at, notes) in threads {
            if let Some(last) = last_sent.get(&at.channel) {
                let since = last.elapsed();
                if since < min_interval {
                    tokio::time::sleep(min_interval - since).await;
                }
            }
            let session = client.open_session(&token);
            let request = SlackApiChatPostMessageRequest::new(
                SlackChannelId(at.channel.clone()),
                render::notes(&notes),
            )
            .with_thread_ts(SlackTs(at.id.clone()));
            if let Err(e) =
                with_retry("chat.postMessage", || session.chat_post_message(&request)).await
            {
                tracing::warn!(error = %e, "could not post progress to Slack");
            }
            last_sent.insert(at.channel.clone(), Instant::now());
        }
        for done in flushes {
            let _ = done.send(());
        }
    }
}

#[async_trait]
impl ChatSink for SlackSink {
    async fn post_card(&self, to: &Conversation, card: &Card) -> Result<MessageRef, ChatError> {
        let session = self.client.open_session(&self.token);
        let request = SlackApiChatPostMessageRequest::new(
            SlackChannelId(to.channel.clone()),
            render::card(card),
        );
        let posted = with_retry("chat.postMessage", || session.chat_post_message(&request)).await?;
        Ok(MessageRef {
            platform: Platform::Slack,
            channel: posted.channel.to_string(),
            id: posted.ts.to_string(),
        })
    }

    async fn update_card(&self, at: &MessageRef, card: &Card) -> Result<(), ChatError> {
        let session = self.client.open_session(&self.token);
        let request = SlackApiChatUpdateRequest::new(
            SlackChannelId(at.channel.clone()),
            render::card(card),
            SlackTs(at.id.clone()),
        );
        with_retry("chat.update", || session.chat_update(&request)).await?;
        Ok(())
    }

    async fn post_in_thread(&self, card: &MessageRef, note: &Note) -> Result<(), ChatError> {
        self.queue
            .send(Work::Note(card.clone(), note.clone()))
            .map_err(|_| {
                ChatError::new(ErrorKind::Unavailable, "the Slack progress worker stopped")
            })
    }
}
