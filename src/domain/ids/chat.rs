//! Chat's ids: the channel a request came from and its card lives in.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::IdError;

/// A channel as its platform names it: a Slack channel id (`C024BE91L`), a
/// Discord channel's snowflake, the console's channel name. Opaque to the
/// bot, which only compares and sends it back; so it is held to what any
/// of them can be, a short token with no spaces or control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ChannelId(String);

/// Longer than any platform's channel id; a bound on what is stored.
const MAX_CHANNEL_CHARS: usize = 80;

impl ChannelId {
    pub fn parse(value: &str) -> Result<Self, IdError> {
        let ok = !value.is_empty()
            && value.chars().count() <= MAX_CHANNEL_CHARS
            && !value.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok {
            Ok(Self(value.to_owned()))
        } else {
            Err(IdError::new(value, "id-channel", "id-expected-channel"))
        }
    }

    /// The console's channel when the config names none.
    pub fn console() -> Self {
        Self("console".to_owned())
    }
}
string_id!(ChannelId);
