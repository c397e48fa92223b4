//! The audit log's line, typed: who did what to which job and how it
//! ended. Writers name an [`Action`] and an [`Outcome`], never a string;
//! the words are fixed here, because the stored log and its exports are
//! read by operators' tools and must not drift with a refactor.
//!
//! Lines written by older versions (plain strings) read back: a word this
//! version does not know is kept as said ([`Action::Other`],
//! [`Outcome::Other`], [`Actor::Other`]), never refused.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::ids::{JobId, UserRef};
use super::job::{Millis, StateKey};

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub at: Millis,
    pub job: Option<JobId>,
    pub actor: Actor,
    pub action: Action,
    pub outcome: Outcome,
    /// The guardrail behind the allow or the refusal (`domain::rules`):
    /// the job's rule, filled in by the store for every line about a job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

/// Who acted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum Actor {
    /// A person in chat (or at the console).
    Person(UserRef),
    /// The bot's own housekeeping and delivery.
    Bot,
    /// The engine running a job's steps.
    Engine,
    /// An operator at the admin command line.
    Operator,
    /// A word written by another version.
    Other(String),
}

/// What was done. The words are the stored ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum Action {
    Create,
    Approve,
    Reject,
    Cancel,
    Retry,
    RollBack,
    Delete,
    Expire,
    StepStarted,
    StepFinished,
    StepFailed,
    TeardownFinished,
    TeardownFailed,
    ResourcesRecorded,
    CardPosted,
    CardLost,
    NoteRefused,
    OutboxDropped,
    /// The drift watch checked a finished link.
    DriftChecked,
    /// Someone asked for a drifted link back (or a shared endpoint's
    /// repair moved another job onto the new one).
    Repair,
    /// Someone accepted a drift as it is.
    AcceptDrift,
    /// A link handed over to Terraform.
    HandOver,
    /// A handed-over link taken back.
    TakeBack,
    /// A word written by another version.
    Other(String),
}

impl Action {
    const KNOWN: [Action; 23] = [
        Action::Create,
        Action::Approve,
        Action::Reject,
        Action::Cancel,
        Action::Retry,
        Action::RollBack,
        Action::Delete,
        Action::Expire,
        Action::StepStarted,
        Action::StepFinished,
        Action::StepFailed,
        Action::TeardownFinished,
        Action::TeardownFailed,
        Action::ResourcesRecorded,
        Action::CardPosted,
        Action::CardLost,
        Action::NoteRefused,
        Action::OutboxDropped,
        Action::DriftChecked,
        Action::Repair,
        Action::AcceptDrift,
        Action::HandOver,
        Action::TakeBack,
    ];

    /// The stored word.
    pub fn word(&self) -> &str {
        match self {
            Action::Create => "create",
            Action::Approve => "approve",
            Action::Reject => "reject",
            Action::Cancel => "cancel",
            Action::Retry => "retry",
            Action::RollBack => "roll back",
            Action::Delete => "delete",
            Action::Expire => "expire",
            Action::StepStarted => "step_started",
            Action::StepFinished => "step_finished",
            Action::StepFailed => "step_failed",
            Action::TeardownFinished => "teardown_finished",
            Action::TeardownFailed => "teardown_failed",
            Action::ResourcesRecorded => "resources_recorded",
            Action::CardPosted => "card_posted",
            Action::CardLost => "card_lost",
            Action::NoteRefused => "note_refused",
            Action::OutboxDropped => "outbox_dropped",
            Action::DriftChecked => "drift_checked",
            Action::Repair => "repair",
            Action::AcceptDrift => "accept_drift",
            Action::HandOver => "hand_over",
            Action::TakeBack => "take_back",
            Action::Other(word) => word,
        }
    }

    pub fn parse(word: &str) -> Self {
        Self::KNOWN
            .into_iter()
            .find(|a| a.word() == word)
            .unwrap_or_else(|| Action::Other(word.to_owned()))
    }
}

/// How it ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum Outcome {
    /// Nothing said by the writer: the store records the state the job
    /// reached instead ([`Outcome::Reached`]).
    Unstated,
    /// The state the change left the job in.
    Reached(StateKey),
    /// Refused, and why (in English: the log is for operators).
    Refused(String),
    /// A message given up on, and why.
    Dropped(String),
    /// Anything else, in words (an operator's count, an older line).
    Other(String),
}

const REFUSED: &str = "refused: ";
const DROPPED: &str = "dropped: ";

impl Outcome {
    pub fn parse(word: &str) -> Self {
        if word.is_empty() {
            return Outcome::Unstated;
        }
        if let Some(key) = StateKey::parse(word) {
            return Outcome::Reached(key);
        }
        match (word.strip_prefix(REFUSED), word.strip_prefix(DROPPED)) {
            (Some(why), _) => Outcome::Refused(why.to_owned()),
            (_, Some(why)) => Outcome::Dropped(why.to_owned()),
            _ => Outcome::Other(word.to_owned()),
        }
    }

    pub fn is_refusal(&self) -> bool {
        matches!(self, Outcome::Refused(_))
    }
}

impl Actor {
    pub fn parse(word: &str) -> Self {
        match word {
            "bot" => Actor::Bot,
            "engine" => Actor::Engine,
            "operator" => Actor::Operator,
            _ => word
                .split_once(':')
                .and_then(|(platform, id)| {
                    let platform = super::ids::Platform::parse(platform)?;
                    UserRef::parse(platform, id).ok()
                })
                .map_or_else(|| Actor::Other(word.to_owned()), Actor::Person),
        }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Person(user) => user.fmt(f),
            Actor::Bot => f.write_str("bot"),
            Actor::Engine => f.write_str("engine"),
            Actor::Operator => f.write_str("operator"),
            Actor::Other(word) => f.write_str(word),
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Unstated => Ok(()),
            Outcome::Reached(key) => f.write_str(key.as_str()),
            Outcome::Refused(why) => write!(f, "{REFUSED}{why}"),
            Outcome::Dropped(why) => write!(f, "{DROPPED}{why}"),
            Outcome::Other(word) => f.write_str(word),
        }
    }
}

macro_rules! stored_as_words {
    ($($t:ty),*) => {$(
        impl From<String> for $t {
            fn from(word: String) -> Self {
                <$t>::parse(&word)
            }
        }
        impl From<$t> for String {
            fn from(value: $t) -> Self {
                value.to_string()
            }
        }
    )*};
}
stored_as_words!(Actor, Action, Outcome);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::Platform;

    #[test]
    fn every_word_reads_back_as_itself() {
        for action in Action::KNOWN {
            assert_eq!(Action::parse(action.word()), action);
        }
        let outcomes = StateKey::ALL.into_iter().map(Outcome::Reached).chain([
            Outcome::Unstated,
            Outcome::Refused("not an approver".into()),
            Outcome::Dropped("channel_not_found".into()),
            Outcome::Other("3 message(s) dropped".into()),
        ]);
        for outcome in outcomes {
            assert_eq!(Outcome::parse(&outcome.to_string()), outcome);
        }
        let person = Actor::Person(UserRef::new(Platform::Slack, "U123"));
        for actor in [person, Actor::Bot, Actor::Engine, Actor::Operator] {
            assert_eq!(Actor::parse(&actor.to_string()), actor);
        }
    }

    #[test]
    fn a_line_an_older_version_wrote_reads_with_its_words_kept() {
        let line = r#"{"at":1,"job":null,"actor":"someone","action":"frobnicate","outcome":"odd"}"#;
        let event: AuditEvent = serde_json::from_str(line).unwrap();
        assert_eq!(event.actor, Actor::Other("someone".into()));
        assert_eq!(event.action, Action::Other("frobnicate".into()));
        assert_eq!(event.outcome, Outcome::Other("odd".into()));
        assert_eq!(serde_json::to_string(&event).unwrap(), line);
    }
}
