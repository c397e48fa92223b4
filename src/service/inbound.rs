//! What reaches the service from a chat adapter, and what goes back to the
//! person who acted.

use crate::domain::ids::JobId;
use crate::domain::job::Conversation;
use crate::domain::policy::Actor;
use crate::i18n::Locale;
use crate::ports::chat::Action;

/// Something a person did in chat.
#[derive(Debug, Clone)]
pub struct Inbound {
    pub actor: Actor,
    pub conversation: Conversation,
    /// The platform's id for this delivery, when it has one; a second
    /// delivery with the same id has no effect.
    pub delivery: Option<String>,
    pub event: Event,
    /// The language of the answer to this person.
    pub locale: Locale,
    /// The language of a job's card and thread, should this create one:
    /// the workspace's or guild's.
    pub card_locale: Locale,
}

#[derive(Debug, Clone)]
pub enum Event {
    /// The text after `/privatelink`.
    Command(String),
    /// A button click.
    Click { action: Action, job: JobId },
}

/// The answer shown only to the person who acted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub text: String,
    /// The job a `create` stored, so scripts and forms can refer to it.
    pub job: Option<JobId>,
    /// A second delivery of something already handled: nothing was done,
    /// and there is nothing to say.
    pub duplicate: bool,
}

impl Reply {
    pub(super) fn say(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            job: None,
            duplicate: false,
        }
    }

    pub fn duplicate_delivery() -> Self {
        Self {
            duplicate: true,
            ..Self::say("")
        }
    }
}
