//! Reading Discord's channels for rules that name them by name:
//! `GET /channels/{id}` for the name a request's channel bears now, and
//! each server the bot is in (`GET /users/@me/guilds`, by pages) with its
//! channels (`GET /guilds/{id}/channels`) for the channels a name stands
//! for. Names repeat across servers, and even within one, so a name may
//! stand for several channels.
//!
//! Only text and announcement channels bear names rules may use: a
//! thread or a forum post is named by whoever opens it. Where the config
//! names servers (`[discord] guilds`), only their channels count, so a
//! server that merely invited the bot cannot lend a channel a rule's name.
//!
//! Read through serenity's `fire` into the few fields the bot keeps, not
//! serenity's full models: a field Discord adds or drops must not turn a
//! name into an error.

use serde::Deserialize;
use serenity::all::{ChannelId, GuildId, LightMethod, Request, Route};

use super::sink::{DiscordSink, failed, id, with_retry};
use crate::domain::ids::ChannelName;
use crate::ports::chat::ChatError;
use crate::ports::error::ErrorKind;

/// Discord's largest page of servers.
const PAGE: usize = 200;
/// 100,000 servers: past that a listing that never ends is taken for one.
const MAX_PAGES: usize = 500;

#[derive(Deserialize)]
struct Named {
    id: String,
    #[serde(default)]
    name: Option<String>,
    /// Discord's channel type: 0 text, 5 announcement (threads are 10–12).
    #[serde(default, rename = "type")]
    kind: Option<u64>,
    #[serde(default)]
    guild_id: Option<String>,
}

/// Text and announcement channels: the ones a server's admins name.
const NAMED_KINDS: [u64; 2] = [0, 5];

fn name_in(channel: &Named) -> Result<ChannelName, ChatError> {
    ChannelName::parse(channel.name.as_deref().unwrap_or_default())
        .map_err(|e| ChatError::new(ErrorKind::Other, format!("Discord named the channel {e}")))
}

impl DiscordSink {
    pub(super) async fn name_of(
        &self,
        channel: &crate::domain::ids::ChannelId,
    ) -> Result<ChannelName, ChatError> {
        let channel_id = ChannelId::new(id(channel.as_str())?);
        let read: Named = with_retry(|| {
            self.http.fire(Request::new(
                Route::Channel { channel_id },
                LightMethod::Get,
            ))
        })
        .await
        .map_err(failed("read channel"))?;
        if !read.kind.is_some_and(|k| NAMED_KINDS.contains(&k)) {
            return Err(ChatError::new(
                ErrorKind::InvalidInput,
                "a thread, forum post or direct message: rules name channels, not these",
            ));
        }
        let in_named_server = read
            .guild_id
            .as_deref()
            .and_then(|g| g.parse::<u64>().ok())
            .is_some_and(|g| self.guilds.is_empty() || self.guilds.contains(&g));
        if !in_named_server {
            return Err(ChatError::new(
                ErrorKind::InvalidInput,
                "a channel outside the servers [discord] guilds names",
            ));
        }
        name_in(&read)
    }

    pub(super) async fn named(
        &self,
        name: &ChannelName,
    ) -> Result<Vec<crate::domain::ids::ChannelId>, ChatError> {
        let mut found = Vec::new();
        for guild_id in self.guilds().await? {
            let channels: Vec<Named> = with_retry(|| {
                self.http.fire(Request::new(
                    Route::GuildChannels { guild_id },
                    LightMethod::Get,
                ))
            })
            .await
            .map_err(failed("list channels"))?;
            found.extend(
                channels
                    .iter()
                    .filter(|c| c.kind.is_some_and(|k| NAMED_KINDS.contains(&k)))
                    .filter(|c| name_in(c).is_ok_and(|n| &n == name))
                    .filter_map(|c| crate::domain::ids::ChannelId::parse(&c.id).ok()),
            );
        }
        Ok(found)
    }

    /// The servers whose channels count: the configured ones, else every
    /// server the bot is in, a page at a time.
    async fn guilds(&self) -> Result<Vec<GuildId>, ChatError> {
        if !self.guilds.is_empty() {
            return Ok(self
                .guilds
                .iter()
                .filter(|g| **g > 0)
                .map(|g| GuildId::new(*g))
                .collect());
        }
        let mut all = Vec::new();
        let mut after: Option<u64> = None;
        for _ in 0..MAX_PAGES {
            let mut params = vec![("limit", PAGE.to_string())];
            if let Some(after) = after {
                params.push(("after", after.to_string()));
            }
            let page: Vec<Named> = with_retry(|| {
                self.http.fire(
                    Request::new(Route::UserMeGuilds, LightMethod::Get)
                        .params(Some(params.clone())),
                )
            })
            .await
            .map_err(failed("list servers"))?;
            let ids: Vec<u64> = page.iter().filter_map(|g| id(&g.id).ok()).collect();
            all.extend(ids.iter().copied().map(GuildId::new));
            match (ids.iter().max(), page.len() < PAGE) {
                (Some(last), false) => after = Some(*last),
                _ => return Ok(all),
            }
        }
        Err(ChatError::new(
            ErrorKind::Other,
            format!("list servers: more than {MAX_PAGES} pages; the listing was given up"),
        ))
    }
}
