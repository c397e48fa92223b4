//! The platform-neutral message model and the port chat adapters implement.
//!
//! The core says *what* to show (a card with fields and buttons, a note in a
//! thread); each adapter decides *how* (Block Kit, Discord components, text).

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::error::ErrorKind;

use crate::domain::ids::{ChannelId, ChannelName, JobId, Platform, UserRef};
pub use crate::domain::job::Living;
use crate::domain::job::{Conversation, MessageRef};

/// What a button does. A button carries only this and a job id; the bot
/// re-reads the job and re-checks the clicker's rights on every click.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Approve,
    Reject,
    Retry,
    Rollback,
    Cancel,
    /// Put a drifted link back (the drift note's button).
    Repair,
    /// Accept a drift as it is (the drift note's button).
    Accept,
    /// Hand the link over to Terraform (the export note's button).
    HandOver,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Approve => "approve",
            Action::Reject => "reject",
            Action::Retry => "retry",
            Action::Rollback => "rollback",
            Action::Cancel => "cancel",
            Action::Repair => "repair",
            Action::Accept => "accept",
            Action::HandOver => "handover",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "approve" => Action::Approve,
            "reject" => Action::Reject,
            "retry" => Action::Retry,
            "rollback" => Action::Rollback,
            "cancel" => Action::Cancel,
            "repair" => Action::Repair,
            "accept" => Action::Accept,
            "handover" => Action::HandOver,
            _ => return None,
        })
    }
}

/// What a button carries to the platform and back: `action:job`
/// (`approve:PL-1042`), and nothing else. The one codec every platform uses.
pub fn button_value(action: Action, job: JobId) -> String {
    format!("{}:{job}", action.as_str())
}

/// The action and job of a button's value, if it is one of the bot's.
pub fn parse_button_value(value: &str) -> Option<(Action, JobId)> {
    let (action, job) = value.split_once(':')?;
    Some((Action::parse(action)?, JobId::parse(job).ok()?))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ButtonStyle {
    Primary,
    Danger,
    Plain,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Button {
    pub action: Action,
    pub job: JobId,
    pub label: String,
    pub style: ButtonStyle,
    /// A question to confirm before the click counts.
    pub confirm: Option<String>,
    /// The confirmation dialog's title and its way back, in the reader's
    /// language (platforms that show a dialog use them).
    #[serde(default)]
    pub confirm_title: String,
    #[serde(default)]
    pub deny_label: String,
}

/// The overall mood of a message, which adapters map to colours or emoji.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    Waiting,
    Working,
    Success,
    Failure,
    Neutral,
}

/// An approval card: one per job, updated in place as the job moves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    pub job: JobId,
    /// The job's revision (its store change counter) this card shows. The
    /// dispatcher renders cards from the job as stored when it delivers
    /// them, one at a time per job, so an older revision never replaces a
    /// newer one.
    pub revision: u64,
    pub title: String,
    /// The top line: always the job's current state.
    pub status: String,
    pub tone: Tone,
    pub fields: Vec<(String, String)>,
    /// The plan, one action per line.
    pub actions: Vec<String>,
    pub warnings: Vec<String>,
    pub buttons: Vec<Button>,
    /// The headings of the plan and of the warnings, in the card's language.
    pub plan_heading: String,
    pub warnings_heading: String,
}

/// A message in a card's thread: a decision, a warning, a long wait, a
/// failure, a summary; and the job's progress checklist (`cards::progress`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub job: JobId,
    pub text: String,
    pub tone: Tone,
    pub buttons: Vec<Button>,
    /// A message posted once and edited after (the checklist, a long
    /// wait's note), never repeated; a newer one waiting to be delivered
    /// replaces the older.
    #[serde(default)]
    pub living: Option<Living>,
    /// The person the note is for, named so that the platform tells them
    /// (the success summary mentions the requester).
    #[serde(default)]
    pub mention: Option<UserRef>,
    /// A file posted with the note (a Terraform export): uploaded into
    /// the thread where the platform allows files, written out by the
    /// console.
    #[serde(default)]
    pub file: Option<Attachment>,
}

/// A text file a note carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub name: String,
    pub content: String,
}

/// A chat effect of a job change, stored in the outbox with the change
/// (`store::outbox`) and delivered by `delivery`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outgoing {
    /// Show the job's card as the job is when delivered: posted the first
    /// time, edited in place after. Pending ones collapse into one.
    Card,
    /// Show the job's progress checklist in the card's thread, as the job
    /// is when delivered: posted the first time, edited in place after.
    /// Pending ones collapse into one.
    Progress,
    /// A note in the card's thread, as written with the change.
    Note(Note),
}

impl Outgoing {
    /// The living thread message this entry shows, if it is one.
    pub fn living(&self) -> Option<Living> {
        match self {
            Outgoing::Progress => Some(Living::Progress),
            Outgoing::Note(n) => n.living,
            Outgoing::Card => None,
        }
    }
}

/// Why a platform refuses a message for good, until a person changes
/// something: no retry cures these, so the dispatcher never hammers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Blocked {
    /// The bot is not in the channel (Slack `not_in_channel`; Discord 50001
    /// Missing Access): someone must invite it.
    NotInChannel,
    /// The channel does not exist, or no longer (Slack `channel_not_found`;
    /// Discord 10003 Unknown Channel).
    ChannelGone,
    /// The channel or thread is archived (Slack `is_archived`; Discord 50083).
    Archived,
    /// The bot lacks a permission there (Slack `restricted_action`; Discord
    /// 50013 Missing Permissions).
    NoPermission,
    /// The message to edit, or to answer under, was deleted (Slack
    /// `message_not_found`, `cant_update_message`; Discord 10008).
    MessageGone,
}

impl Blocked {
    /// Whether the whole channel refuses the bot (as against one message).
    pub fn is_channel(self) -> bool {
        !matches!(self, Blocked::MessageGone)
    }

    /// The catalogue key of what is wrong and what to do about it.
    pub fn key(self) -> &'static str {
        match self {
            Blocked::NotInChannel => "blocked-not-in-channel",
            Blocked::ChannelGone => "blocked-channel-gone",
            Blocked::Archived => "blocked-archived",
            Blocked::NoPermission => "blocked-no-permission",
            Blocked::MessageGone => "blocked-message-gone",
        }
    }
}

/// A chat platform's failure, typed by kind like a cloud error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("chat: {message}")]
pub struct ChatError {
    pub kind: ErrorKind,
    pub message: String,
    /// How long the platform asked us to wait, when it said.
    pub retry_after: Option<std::time::Duration>,
    /// Refused for good until a person acts, and why.
    pub blocked: Option<Blocked>,
}

impl ChatError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            retry_after: None,
            blocked: None,
        }
    }

    pub fn blocked(mut self, why: Option<Blocked>) -> Self {
        self.blocked = why;
        self
    }
}

/// Posting to chat. Implemented by each platform adapter.
#[async_trait]
pub trait ChatSink: Send + Sync {
    async fn post_card(&self, to: &Conversation, card: &Card) -> Result<MessageRef, ChatError>;
    async fn update_card(&self, at: &MessageRef, card: &Card) -> Result<(), ChatError>;
    /// Posts a note in the card's thread; where it went, for editing it.
    async fn post_in_thread(&self, card: &MessageRef, note: &Note)
    -> Result<MessageRef, ChatError>;
    /// Edits a note posted in the card's thread (`at`, as `post_in_thread`
    /// answered) to say `note` instead.
    async fn edit_in_thread(
        &self,
        card: &MessageRef,
        at: &MessageRef,
        note: &Note,
    ) -> Result<(), ChatError>;
    /// Tells one person something only they see, in the conversation, where
    /// the platform allows it.
    async fn tell_privately(
        &self,
        _to: &Conversation,
        _user: &UserRef,
        _text: &str,
    ) -> Result<(), ChatError> {
        Err(ChatError::new(
            ErrorKind::InvalidInput,
            "this platform has no private message for a bot to send",
        ))
    }

    /// The least time between two messages or edits in one channel of
    /// `platform` (zero: the platform's own limiter is enough).
    fn pacing(&self, _platform: Platform) -> std::time::Duration {
        std::time::Duration::ZERO
    }

    /// The name `channel` of `platform` bears now (for rules that name
    /// channels by name). The adapter holds the platform's client, so it
    /// answers reads about channels as well as posting into them.
    async fn channel_name(
        &self,
        platform: Platform,
        _channel: &ChannelId,
    ) -> Result<ChannelName, ChatError> {
        Err(ChatError::new(
            ErrorKind::InvalidInput,
            format!("{platform} does not tell channel names"),
        ))
    }

    /// The channels of `platform` the bot can see that bear `name` (none,
    /// one, or on Discord several: names repeat across servers).
    async fn channels_named(
        &self,
        platform: Platform,
        _name: &ChannelName,
    ) -> Result<Vec<ChannelId>, ChatError> {
        Err(ChatError::new(
            ErrorKind::InvalidInput,
            format!("{platform} does not list channels"),
        ))
    }

    /// Tells one person something in a direct message from the bot, which
    /// needs no channel: the way left when a channel refuses the bot.
    async fn tell_directly(&self, _user: &UserRef, _text: &str) -> Result<(), ChatError> {
        Err(ChatError::new(
            ErrorKind::InvalidInput,
            "this platform has no direct message for a bot to send",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn a_button_value_reads_back_and_any_text_parses_without_panicking(
            n in 1000u64..1_000_000_000,
            which in 0usize..5,
            junk in ".{0,40}",
        ) {
            let actions = [Action::Approve, Action::Reject, Action::Retry, Action::Rollback, Action::Cancel];
            let (action, job) = (actions[which], JobId::new(n));
            prop_assert_eq!(parse_button_value(&button_value(action, job)), Some((action, job)));
            let _ = parse_button_value(&junk);
        }
    }
}
