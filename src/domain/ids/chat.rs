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

/// A channel's name as people see it (`platform-ops`, without the `#`):
/// what a rule may name instead of an id. Names are lower case on both
/// platforms that have them, so they are compared lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChannelName(String);

/// Discord allows 100 characters, Slack 80.
const MAX_CHANNEL_NAME_CHARS: usize = 100;

impl ChannelName {
    pub fn parse(value: &str) -> Result<Self, IdError> {
        let value = value.strip_prefix('#').unwrap_or(value);
        let ok = !value.is_empty()
            && value.chars().count() <= MAX_CHANNEL_NAME_CHARS
            && !value
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '#');
        if ok {
            Ok(Self(value.to_lowercase()))
        } else {
            Err(IdError::new(
                value,
                "id-channel-name",
                "id-expected-channel-name",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ChannelName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}
