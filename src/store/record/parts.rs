//! The pieces of a stored job record, each the mirror of a domain type
//! with the words it is stored under fixed here, and the conversions both
//! ways. Types whose stored form is their own text (ids, the request's
//! values, the step names the outbox also keeps) are stored as they are.

use serde::{Deserialize, Serialize};

use crate::domain::ids::{ChannelId, Platform, UserRef};
use crate::domain::job::{
    Conversation, JobState, MessageRef, Millis, Step, StepRecord, Teardown, Thread,
};
use crate::domain::plan::{Finding, Severity};
use crate::i18n::{Arg, Text};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct ConversationRecord {
    platform: Platform,
    channel: ChannelId,
}

impl From<Conversation> for ConversationRecord {
    fn from(c: Conversation) -> Self {
        Self {
            platform: c.platform,
            channel: c.channel,
        }
    }
}

impl From<ConversationRecord> for Conversation {
    fn from(c: ConversationRecord) -> Self {
        Self {
            platform: c.platform,
            channel: c.channel,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct MessageRefRecord {
    platform: Platform,
    channel: ChannelId,
    id: String,
}

impl From<MessageRef> for MessageRefRecord {
    fn from(m: MessageRef) -> Self {
        Self {
            platform: m.platform,
            channel: m.channel,
            id: m.id,
        }
    }
}

impl From<MessageRefRecord> for MessageRef {
    fn from(m: MessageRefRecord) -> Self {
        Self {
            platform: m.platform,
            channel: m.channel,
            id: m.id,
        }
    }
}

/// The living thread messages. Absent in records from before them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct ThreadRecord {
    #[serde(default)]
    progress: Option<MessageRefRecord>,
    #[serde(default)]
    waits: Vec<(Step, MessageRefRecord)>,
}

impl From<Thread> for ThreadRecord {
    fn from(t: Thread) -> Self {
        Self {
            progress: t.progress.map(Into::into),
            waits: t.waits.into_iter().map(|(s, m)| (s, m.into())).collect(),
        }
    }
}

impl From<ThreadRecord> for Thread {
    fn from(t: ThreadRecord) -> Self {
        Self {
            progress: t.progress.map(Into::into),
            waits: t.waits.into_iter().map(|(s, m)| (s, m.into())).collect(),
        }
    }
}

/// Words we said, stored as a catalogue key and its arguments; records
/// from before the catalogues hold plain English, read as verbatim words.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub(super) enum TextRecord {
    Keyed {
        key: String,
        #[serde(default)]
        args: Vec<(String, Arg)>,
    },
    Plain(String),
}

impl From<Text> for TextRecord {
    fn from(t: Text) -> Self {
        TextRecord::Keyed {
            key: t.key,
            args: t.args,
        }
    }
}

impl From<TextRecord> for Text {
    fn from(t: TextRecord) -> Self {
        match t {
            TextRecord::Keyed { key, args } => Text { key, args },
            TextRecord::Plain(text) => Text::verbatim(text),
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum TeardownRecord {
    Rollback,
    Delete,
}

impl From<Teardown> for TeardownRecord {
    fn from(t: Teardown) -> Self {
        match t {
            Teardown::Rollback => TeardownRecord::Rollback,
            Teardown::Delete => TeardownRecord::Delete,
        }
    }
}

impl From<TeardownRecord> for Teardown {
    fn from(t: TeardownRecord) -> Self {
        match t {
            TeardownRecord::Rollback => Teardown::Rollback,
            TeardownRecord::Delete => Teardown::Delete,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub(super) enum StateRecord {
    PendingApproval,
    Approved,
    Running {
        step: Step,
    },
    Succeeded,
    Repairing {
        step: Step,
    },
    HandedOver {
        at: Millis,
        by: UserRef,
    },
    Failed {
        step: Step,
        error: TextRecord,
    },
    Cancelled,
    Rejected,
    Expired,
    TearingDown {
        reason: TeardownRecord,
    },
    TeardownFailed {
        reason: TeardownRecord,
        error: TextRecord,
    },
    RolledBack,
    Deleted,
}

impl From<JobState> for StateRecord {
    fn from(s: JobState) -> Self {
        use JobState as S;
        match s {
            S::PendingApproval => Self::PendingApproval,
            S::Approved => Self::Approved,
            S::Running { step } => Self::Running { step },
            S::Succeeded => Self::Succeeded,
            S::Repairing { step } => Self::Repairing { step },
            S::HandedOver { at, by } => Self::HandedOver { at, by },
            S::Failed { step, error } => Self::Failed {
                step,
                error: error.into(),
            },
            S::Cancelled => Self::Cancelled,
            S::Rejected => Self::Rejected,
            S::Expired => Self::Expired,
            S::TearingDown { reason } => Self::TearingDown {
                reason: reason.into(),
            },
            S::TeardownFailed { reason, error } => Self::TeardownFailed {
                reason: reason.into(),
                error: error.into(),
            },
            S::RolledBack => Self::RolledBack,
            S::Deleted => Self::Deleted,
        }
    }
}

impl From<StateRecord> for JobState {
    fn from(s: StateRecord) -> Self {
        use StateRecord as R;
        match s {
            R::PendingApproval => Self::PendingApproval,
            R::Approved => Self::Approved,
            R::Running { step } => Self::Running { step },
            R::Succeeded => Self::Succeeded,
            R::Repairing { step } => Self::Repairing { step },
            R::HandedOver { at, by } => Self::HandedOver { at, by },
            R::Failed { step, error } => Self::Failed {
                step,
                error: error.into(),
            },
            R::Cancelled => Self::Cancelled,
            R::Rejected => Self::Rejected,
            R::Expired => Self::Expired,
            R::TearingDown { reason } => Self::TearingDown {
                reason: reason.into(),
            },
            R::TeardownFailed { reason, error } => Self::TeardownFailed {
                reason: reason.into(),
                error: error.into(),
            },
            R::RolledBack => Self::RolledBack,
            R::Deleted => Self::Deleted,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum SeverityRecord {
    Blocking,
    Warning,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct FindingRecord {
    severity: SeverityRecord,
    message: TextRecord,
    fix: Option<TextRecord>,
}

impl From<Finding> for FindingRecord {
    fn from(f: Finding) -> Self {
        Self {
            severity: match f.severity {
                Severity::Blocking => SeverityRecord::Blocking,
                Severity::Warning => SeverityRecord::Warning,
            },
            message: f.message.into(),
            fix: f.fix.map(Into::into),
        }
    }
}

impl From<FindingRecord> for Finding {
    fn from(f: FindingRecord) -> Self {
        Self {
            severity: match f.severity {
                SeverityRecord::Blocking => Severity::Blocking,
                SeverityRecord::Warning => Severity::Warning,
            },
            message: f.message.into(),
            fix: f.fix.map(Into::into),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct StepRecordRecord {
    step: Step,
    started_at: Millis,
    finished_at: Option<Millis>,
    note: Option<String>,
}

impl From<StepRecord> for StepRecordRecord {
    fn from(r: StepRecord) -> Self {
        Self {
            step: r.step,
            started_at: r.started_at,
            finished_at: r.finished_at,
            note: r.note,
        }
    }
}

impl From<StepRecordRecord> for StepRecord {
    fn from(r: StepRecordRecord) -> Self {
        Self {
            step: r.step,
            started_at: r.started_at,
            finished_at: r.finished_at,
            note: r.note,
        }
    }
}
