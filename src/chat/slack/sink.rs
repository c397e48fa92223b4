//! Posting to Slack: `chat.postMessage` for cards, `chat.update` to change
//! them in place, thread replies (`thread_ts`) for notes and the progress
//! checklist (edited with `chat.update` too), and
//! `chat.postEphemeral` to tell the requester something privately.
//!
//! Each call is made once and its failure typed (a 429 with its
//! `Retry-After`): the delivery dispatcher owns retrying, pacing and
//! ordering, since it also knows what else waits for the same channel.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;

use super::render;
use crate::backoff::Backoff;
use crate::domain::ids::{ChannelId, ChannelName, Platform, UserRef};
use crate::domain::job::{Conversation, MessageRef};
use crate::ports::chat::{Attachment, Blocked, Card, ChatError, ChatSink, Note};
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
pub(super) const RETRY: RetryPolicy = RetryPolicy {
    backoff: Backoff {
        initial: Duration::from_secs(1),
        max: Duration::from_secs(30),
    },
    attempts: 4,
};

/// The kind of a Slack Web API failure.
pub(super) fn classify(what: &str, e: SlackClientError) -> ChatError {
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
            "is_archived" | "restricted_action" | "cant_update_message" => ErrorKind::Denied,
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
    let mut error = ChatError::new(kind, format!("{what}: {e}")).blocked(blocked_by(&e));
    error.retry_after = retry_after;
    error
}

/// Slack's answers that no retry cures, until a person acts.
fn blocked_by(e: &SlackClientError) -> Option<Blocked> {
    let SlackClientError::ApiError(api) = e else {
        return None;
    };
    Some(match api.code.as_str() {
        "not_in_channel" => Blocked::NotInChannel,
        "channel_not_found" => Blocked::ChannelGone,
        "is_archived" => Blocked::Archived,
        "restricted_action" => Blocked::NoPermission,
        "message_not_found" | "cant_update_message" => Blocked::MessageGone,
        _ => return None,
    })
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

pub struct SlackSink {
    pub(super) client: Arc<Client>,
    pub(super) token: SlackApiToken,
}

impl SlackSink {
    pub fn new(client: Arc<Client>, bot_token: &Secret) -> Self {
        let token = SlackApiToken::new(SlackApiTokenValue(bot_token.expose().to_owned()));
        Self { client, token }
    }
}

/// One Web API call, its failure typed.
async fn once<T>(
    what: &str,
    call: impl std::future::Future<Output = ClientResult<T>>,
) -> Result<T, ChatError> {
    call.await.map_err(|e| classify(what, e))
}

/// The channel Slack says a message went to; one that is no channel id
/// is an answer the bot cannot keep.
fn answered_channel(channel: &str) -> Result<ChannelId, ChatError> {
    ChannelId::parse(channel).map_err(|e| ChatError::new(ErrorKind::Other, e.to_string()))
}

impl SlackSink {
    /// Shares `file` in the card's thread, as `files.uploadV2` does:
    /// an upload URL, the bytes, then the share into the thread.
    async fn upload(&self, card: &MessageRef, file: &Attachment) -> Result<(), ChatError> {
        let session = self.client.open_session(&self.token);
        let bytes = file.content.as_bytes().to_vec();
        let asked = SlackApiFilesGetUploadUrlExternalRequest::new(file.name.clone(), bytes.len());
        let place = once(
            "files.getUploadURLExternal",
            session.get_upload_url_external(&asked),
        )
        .await?;
        let sent = SlackApiFilesUploadViaUrlRequest::new(
            place.upload_url.clone(),
            bytes,
            "text/plain".to_owned(),
        );
        once("files upload", session.files_upload_via_url(&sent)).await?;
        let share = SlackApiFilesCompleteUploadExternalRequest::new(vec![
            SlackApiFilesComplete::new(place.file_id.clone()).with_title(file.name.clone()),
        ])
        .with_channel_id(SlackChannelId(card.channel.to_string()))
        .with_thread_ts(SlackTs(card.id.clone()));
        once(
            "files.completeUploadExternal",
            session.files_complete_upload_external(&share),
        )
        .await?;
        Ok(())
    }
}

#[async_trait]
impl ChatSink for SlackSink {
    async fn post_card(&self, to: &Conversation, card: &Card) -> Result<MessageRef, ChatError> {
        let session = self.client.open_session(&self.token);
        let request = SlackApiChatPostMessageRequest::new(
            SlackChannelId(to.channel.to_string()),
            render::card(card),
        );
        let posted = once("chat.postMessage", session.chat_post_message(&request)).await?;
        Ok(MessageRef {
            platform: Platform::Slack,
            channel: answered_channel(posted.channel.as_ref())?,
            id: posted.ts.to_string(),
        })
    }

    async fn update_card(&self, at: &MessageRef, card: &Card) -> Result<(), ChatError> {
        let session = self.client.open_session(&self.token);
        let request = SlackApiChatUpdateRequest::new(
            SlackChannelId(at.channel.to_string()),
            render::card(card),
            SlackTs(at.id.clone()),
        );
        once("chat.update", session.chat_update(&request)).await?;
        Ok(())
    }

    async fn post_in_thread(
        &self,
        card: &MessageRef,
        note: &Note,
    ) -> Result<MessageRef, ChatError> {
        let session = self.client.open_session(&self.token);
        let request = SlackApiChatPostMessageRequest::new(
            SlackChannelId(card.channel.to_string()),
            render::note(note),
        )
        .with_thread_ts(SlackTs(card.id.clone()));
        // The file first: a note that says "attached" is never posted
        // without it.
        if let Some(file) = &note.file {
            self.upload(card, file).await?;
        }
        let posted = once("chat.postMessage", session.chat_post_message(&request)).await?;
        Ok(MessageRef {
            platform: Platform::Slack,
            channel: answered_channel(posted.channel.as_ref())?,
            id: posted.ts.to_string(),
        })
    }

    /// A reply in a thread is edited like any message: its channel and ts.
    async fn edit_in_thread(
        &self,
        _card: &MessageRef,
        at: &MessageRef,
        note: &Note,
    ) -> Result<(), ChatError> {
        let session = self.client.open_session(&self.token);
        let request = SlackApiChatUpdateRequest::new(
            SlackChannelId(at.channel.to_string()),
            render::note(note),
            SlackTs(at.id.clone()),
        );
        once("chat.update", session.chat_update(&request)).await?;
        Ok(())
    }

    async fn tell_privately(
        &self,
        to: &Conversation,
        user: &UserRef,
        text: &str,
    ) -> Result<(), ChatError> {
        let session = self.client.open_session(&self.token);
        let request = SlackApiChatPostEphemeralRequest::new(
            SlackChannelId(to.channel.to_string()),
            SlackUserId(user.id.clone()),
            SlackMessageContent::new().with_text(text.to_owned()),
        );
        once("chat.postEphemeral", session.chat_post_ephemeral(&request)).await?;
        Ok(())
    }

    async fn channel_name(
        &self,
        _platform: Platform,
        channel: &ChannelId,
    ) -> Result<ChannelName, ChatError> {
        self.name_of(channel).await
    }

    async fn channels_named(
        &self,
        _platform: Platform,
        name: &ChannelName,
    ) -> Result<Vec<ChannelId>, ChatError> {
        self.named(name).await
    }

    /// A user id as the channel posts into the bot's direct conversation
    /// with that person (its App Home's Messages tab), which needs no
    /// membership of any channel.
    async fn tell_directly(&self, user: &UserRef, text: &str) -> Result<(), ChatError> {
        let session = self.client.open_session(&self.token);
        let request = SlackApiChatPostMessageRequest::new(
            SlackChannelId(user.id.clone()),
            SlackMessageContent::new().with_text(text.to_owned()),
        );
        once("chat.postMessage", session.chat_post_message(&request)).await?;
        Ok(())
    }
}
