//! The channel a request comes from, as the rules see it: its id, and,
//! when some rule names channels on its platform by name, the name the
//! platform gives it now. Names are kept a few minutes, so a burst of
//! commands in one channel asks once, and a rename is seen soon after.
//!
//! A name the platform will not tell (a missing scope, an outage) is
//! unknown: rules naming channels by name do not match, and the refusal
//! says why, rather than the bot guessing.

use std::collections::HashMap;
use std::sync::Mutex;

use super::Service;
use crate::domain::ids::{ChannelId, ChannelName, Platform};
use crate::domain::job::{Conversation, Millis};
use crate::domain::rules::{ChannelAt, ChannelMatch};

/// How long a channel's name is trusted without asking again.
const NAME_KEPT_MS: Millis = 5 * 60 * 1000;
/// Bounds the memory a flood of distinct channels can take.
const MAX_KEPT: usize = 10_000;

/// Names the platforms told, with when.
#[derive(Default)]
pub struct ChannelNames(Mutex<HashMap<(Platform, ChannelId), (Millis, ChannelName)>>);

/// A channel as seen, and why its name is unknown if it is.
pub struct Seen {
    pub at: ChannelAt,
    pub unread: Option<String>,
}

impl ChannelNames {
    fn kept(&self, key: &(Platform, ChannelId), now: Millis) -> Option<ChannelName> {
        let kept = self.0.lock().ok()?;
        kept.get(key)
            .filter(|(when, _)| now.saturating_sub(*when) < NAME_KEPT_MS)
            .map(|(_, name)| name.clone())
    }

    fn keep(&self, key: (Platform, ChannelId), now: Millis, name: ChannelName) {
        if let Ok(mut kept) = self.0.lock() {
            if kept.len() >= MAX_KEPT {
                kept.retain(|_, (when, _)| now.saturating_sub(*when) < NAME_KEPT_MS);
            }
            if kept.len() < MAX_KEPT {
                kept.insert(key, (now, name));
            }
        }
    }
}

impl Service {
    /// The channel `conversation` is in, named when a rule needs its name.
    pub(super) async fn channel_seen(&self, conversation: &Conversation) -> Seen {
        let at = ChannelAt::of(conversation);
        if !self.p.policy.names_channels_on(at.platform) {
            return Seen { at, unread: None };
        }
        let key = (conversation.platform, conversation.channel.clone());
        let now = self.p.clock.now();
        if let Some(name) = self.names.kept(&key, now) {
            return Seen {
                at: ChannelAt {
                    name: Some(name),
                    ..at
                },
                unread: None,
            };
        }
        match self.p.chat.channel_name(key.0, &key.1).await {
            Ok(name) => {
                self.names.keep(key, now, name.clone());
                Seen {
                    at: ChannelAt {
                        name: Some(name),
                        ..at
                    },
                    unread: None,
                }
            }
            Err(e) => {
                tracing::warn!(platform = %key.0, channel = %key.1, error = %e, "could not read a channel's name");
                Seen {
                    at: ChannelAt { unread: true, ..at },
                    unread: Some(e.to_string()),
                }
            }
        }
    }

    /// The channel a `policy` question names. By id: the asker's own
    /// channel is named as for a request; another's name is not read (a
    /// policy question must not reveal the names of channels the bot is
    /// in). By name: the one channel bearing it, looked up only when a rule
    /// names it (else no lookup is worth a listing of every channel).
    pub(super) async fn channel_asked(&self, asked: &ChannelMatch, from: &Conversation) -> Seen {
        let at = ChannelAt::named_by(asked);
        match (&at.id, &at.name) {
            (Some(id), None) if at.platform == from.platform && *id == from.channel => {
                self.channel_seen(from).await
            }
            (Some(_), None) if self.p.policy.names_channels_on(at.platform) => Seen {
                at: ChannelAt { unread: true, ..at },
                unread: Some(crate::i18n::render(
                    crate::i18n::Locale::En,
                    "policy-other-name-unread",
                    &[],
                )),
            },
            (None, Some(name)) if self.p.policy.names_channel(at.platform, name) => {
                match self.p.chat.channels_named(at.platform, name).await {
                    Ok(ids) => Seen {
                        at: ChannelAt {
                            id: match ids.as_slice() {
                                [one] => Some(one.clone()),
                                _ => None,
                            },
                            ..at
                        },
                        unread: None,
                    },
                    Err(e) => Seen {
                        at,
                        unread: Some(e.to_string()),
                    },
                }
            }
            _ => Seen { at, unread: None },
        }
    }
}
