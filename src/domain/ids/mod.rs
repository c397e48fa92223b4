//! Identifiers that can only be built by parsing.
//!
//! Every id the bot hands to AWS or Zilliz Cloud passes through one of these
//! types first, so a malformed id is refused where the user typed it, never
//! half-way through a job. AWS's ids are in `aws.rs`, Zilliz Cloud's in
//! `zilliz.rs`; the bot's own (jobs, people) are here.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::i18n::{Arg, Locale, Text};
use crate::text;

/// Why a piece of text is not a valid id of some kind. The message is written
/// for the person who typed it.
/// A value that is not the id it should be. `what` and `expected` are
/// catalogue keys (`i18n`), so the problem can be told in any language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdError {
    pub value: String,
    pub what: &'static str,
    pub expected: &'static str,
    /// The EC2 prefix, for `id-expected-ec2`.
    pub prefix: &'static str,
}

impl IdError {
    fn new(value: &str, what: &'static str, expected: &'static str) -> Self {
        Self {
            value: value.to_owned(),
            what,
            expected,
            prefix: "",
        }
    }

    /// The problem, to be told in the reader's language.
    pub fn text(&self) -> Text {
        text!(
            "id-invalid",
            value = format!("{:?}", self.value),
            what = Arg::Message(self.what.to_owned()),
            expected = Text::new(
                self.expected,
                vec![("prefix".to_owned(), Arg::Text(self.prefix.to_owned()))]
            ),
        )
    }
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text().render(Locale::En))
    }
}

impl std::error::Error for IdError {}

pub(super) fn is_lower_hex(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

pub(super) fn is_lower_alnum(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
}

/// Implements the string plumbing shared by every string-backed id.
macro_rules! string_id {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(value: String) -> Result<Self, IdError> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

mod aws;
mod chat;
mod zilliz;

pub use aws::{
    AccountId, AwsRegion, EndpointId, Partition, RoleArn, SecurityGroupId, SubnetId, VpcId, ZoneId,
};
pub use chat::{ChannelId, ChannelName};
pub use zilliz::{ClusterId, ProjectId, ZillizRegion};

/// A job id as people say it: `PL-1042`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct JobId(u64);

impl JobId {
    pub const fn new(number: u64) -> Self {
        Self(number)
    }

    pub fn parse(value: &str) -> Result<Self, IdError> {
        let err = || IdError::new(value, "id-job", "id-expected-job");
        let digits = value
            .get(..3)
            .filter(|p| p.eq_ignore_ascii_case("pl-"))
            .and_then(|_| value.get(3..))
            .ok_or_else(err)?;
        if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        digits.parse().map(Self).map_err(|_| err())
    }

    pub fn number(self) -> u64 {
        self.0
    }
}

impl TryFrom<String> for JobId {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, IdError> {
        Self::parse(&value)
    }
}

impl From<JobId> for String {
    fn from(id: JobId) -> String {
        id.to_string()
    }
}

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PL-{}", self.0)
    }
}

/// The chat platform an actor or conversation belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Slack,
    Discord,
    Console,
}

impl Platform {
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Slack => "slack",
            Platform::Discord => "discord",
            Platform::Console => "console",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "slack" => Some(Platform::Slack),
            "discord" => Some(Platform::Discord),
            "console" => Some(Platform::Console),
            _ => None,
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A user qualified by platform, `slack:U024BE7LH`, so that rights given on
/// one platform never leak to a same-named user on another.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UserRef {
    pub platform: Platform,
    pub id: String,
}

impl UserRef {
    pub fn new(platform: Platform, id: impl Into<String>) -> Self {
        Self {
            platform,
            id: id.into(),
        }
    }

    /// A user id as a platform sends it: 1 to 64 ASCII letters, digits and
    /// `_ . - @`. Anything else (empty, control characters, direction
    /// overrides, spaces) is refused, so nothing odd reaches the store, the
    /// audit log or a terminal.
    pub fn parse(platform: Platform, id: &str) -> Result<Self, IdError> {
        if is_platform_id(id) {
            Ok(Self::new(platform, id))
        } else {
            Err(IdError::new(&printable(id), "id-user", "id-expected-user"))
        }
    }
}

/// Whether `id` looks like a platform's user or channel id.
pub fn is_platform_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.-@".contains(&b))
}

/// `text` with every control or invisible formatting character (direction
/// overrides included) shown as its escape: safe to print anywhere.
pub fn printable(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let hidden = c.is_control()
                || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}');
            let shown: Vec<char> = if hidden {
                c.escape_unicode().collect()
            } else {
                vec![c]
            };
            shown
        })
        .collect()
}

impl fmt::Display for UserRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.platform, self.id)
    }
}

#[cfg(test)]
mod tests;
