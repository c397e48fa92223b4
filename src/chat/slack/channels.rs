//! Reading Slack's channels for rules that name them by name:
//! `conversations.info` for the name a request's channel bears now, and
//! `conversations.list` (public and private, every page) for the channels
//! a name stands for. Slack lists a private channel only to its members,
//! so a private channel the bot is not in is, to the bot, no channel.

use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;

use super::sink::{RETRY, SlackSink, classify};
use crate::domain::ids::{ChannelId, ChannelName};
use crate::ports::chat::ChatError;
use crate::ports::error::ErrorKind;
use crate::retry::Effect;

/// Slack recommends no more than 200 a page.
const PAGE: u16 = 200;
/// 100,000 channels: past that a cursor that never ends is taken for one.
const MAX_PAGES: usize = 500;

/// A refused read, said shortly: Slack's error code, and the scope it
/// names when one is missing (its `needed`), not the whole answer.
fn read_failed(what: &str, e: SlackClientError) -> ChatError {
    let short = match &e {
        SlackClientError::ApiError(api) => {
            let needed = api
                .http_response_body
                .as_deref()
                .and_then(|b| serde_json::from_str::<serde_json::Value>(b).ok())
                .and_then(|v| v["needed"].as_str().map(str::to_owned));
            Some(match needed {
                Some(scope) => format!("{what}: {} (the app needs {scope})", api.code),
                None => format!("{what}: {}", api.code),
            })
        }
        _ => None,
    };
    let mut error = classify(what, e);
    if let Some(short) = short {
        error.message = short;
    }
    error
}

/// A read through the one retry helper (safe to repeat after any
/// transient failure), its failure said shortly.
async fn read<T, F, Fut>(what: &str, mut call: F) -> Result<T, ChatError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ClientResult<T>>,
{
    RETRY
        .run(what, Effect::Read, || {
            let fut = call();
            async move { fut.await.map_err(|e| read_failed(what, e)) }
        })
        .await
}

/// A channel Slack describes, as the bot keeps it.
fn name_in(info: &SlackChannelInfo) -> Result<ChannelName, ChatError> {
    let name = info.name.as_deref().unwrap_or_default();
    ChannelName::parse(name).map_err(|e| {
        ChatError::new(
            ErrorKind::Other,
            format!("conversations.info: Slack named the channel {e}"),
        )
    })
}

impl SlackSink {
    pub(super) async fn name_of(&self, channel: &ChannelId) -> Result<ChannelName, ChatError> {
        let what = "conversations.info";
        let session = self.client.open_session(&self.token);
        let request = SlackApiConversationsInfoRequest::new(SlackChannelId(channel.to_string()));
        let info = read(what, || session.conversations_info(&request)).await?;
        name_in(&info.channel)
    }

    pub(super) async fn named(&self, name: &ChannelName) -> Result<Vec<ChannelId>, ChatError> {
        let what = "conversations.list";
        let session = self.client.open_session(&self.token);
        let mut found = Vec::new();
        let mut cursor: Option<SlackCursorId> = None;
        for _ in 0..MAX_PAGES {
            let mut request = SlackApiConversationsListRequest::new()
                .with_types(vec![
                    SlackConversationType::Public,
                    SlackConversationType::Private,
                ])
                .with_exclude_archived(true)
                .with_limit(PAGE);
            request.cursor = cursor.clone();
            let page = read(what, || session.conversations_list(&request)).await?;
            for info in &page.channels {
                if name_in(info).is_ok_and(|n| &n == name)
                    && let Ok(id) = ChannelId::parse(info.id.value())
                {
                    found.push(id);
                }
            }
            cursor = page
                .response_metadata
                .and_then(|m| m.next_cursor)
                .filter(|c| !c.value().is_empty());
            if cursor.is_none() {
                return Ok(found);
            }
        }
        Err(ChatError::new(
            ErrorKind::Other,
            format!("{what}: more than {MAX_PAGES} pages; the listing was given up"),
        ))
    }
}
