//! The providers' words, typed: EC2's endpoint state, and Zilliz Cloud's
//! cluster plan and status and registration status. Each adapter reads its
//! provider's words into these once, and everything after it matches
//! variants, never strings.
//!
//! Zilliz publishes no list of its words (`shared/reference/
//! zilliz-cloud-api.md`, "Status values: undocumented"), so each type keeps
//! the word it was read from, to be shown as the vendor said it, and only
//! words whose meaning is beyond doubt get a meaning of their own.

use std::fmt;

/// A cluster's plan. Only Dedicated clusters can have a private link; the
/// shared tiers are named as such, and every other word is taken for a
/// Dedicated tier (Standard, Enterprise, …), since refusing an unknown tier
/// would be a guess too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClusterPlan {
    /// Serverless or Free: no private link.
    Shared(String),
    Dedicated(String),
}

impl ClusterPlan {
    pub fn parse(word: &str) -> Self {
        let lower = word.to_ascii_lowercase();
        if lower.contains("serverless") || lower.contains("free") {
            ClusterPlan::Shared(word.to_owned())
        } else {
            ClusterPlan::Dedicated(word.to_owned())
        }
    }

    pub fn word(&self) -> &str {
        match self {
            ClusterPlan::Shared(w) | ClusterPlan::Dedicated(w) => w,
        }
    }
}

/// A cluster's status: running, or anything else as said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClusterStatus {
    Running,
    Other(String),
}

impl ClusterStatus {
    pub fn parse(word: &str) -> Self {
        if word.trim().eq_ignore_ascii_case("running") {
            ClusterStatus::Running
        } else {
            ClusterStatus::Other(word.to_owned())
        }
    }

    pub fn word(&self) -> &str {
        match self {
            ClusterStatus::Running => "RUNNING",
            ClusterStatus::Other(w) => w,
        }
    }
}

/// A private endpoint registration's status (`endpointStatus`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistrationStatus {
    /// A word that clearly means it failed (`failed`, `rejected`,
    /// `deleted`, `error`, any case): the wait ends with it.
    Failed(String),
    /// A word seen or to be expected while waiting or once done; shown,
    /// never relied on (the end of the wait is AWS's and the addresses').
    Usual(String),
    /// Anything else: noted once, never waited on.
    Unfamiliar(String),
}

impl RegistrationStatus {
    pub fn parse(word: &str) -> Self {
        let lower = word.trim().to_ascii_lowercase();
        match lower.as_str() {
            "failed" | "rejected" | "deleted" | "error" => RegistrationStatus::Failed(word.into()),
            "" | "running" | "available" | "accepted" | "active" | "pending"
            | "pendingacceptance" | "pending_acceptance" | "creating" | "connecting" => {
                RegistrationStatus::Usual(word.into())
            }
            _ => RegistrationStatus::Unfamiliar(word.into()),
        }
    }

    pub fn word(&self) -> &str {
        match self {
            RegistrationStatus::Failed(w)
            | RegistrationStatus::Usual(w)
            | RegistrationStatus::Unfamiliar(w) => w,
        }
    }
}

macro_rules! shown_as_said {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.word())
            }
        }
    )*};
}
shown_as_said!(ClusterPlan, ClusterStatus, RegistrationStatus);

/// EC2's state of an interface endpoint (`VpcEndpoint.State`, as
/// documented), read once by the adapter; a word AWS adds later is kept as
/// it came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointState {
    PendingAcceptance,
    Pending,
    Available,
    Deleting,
    Deleted,
    Rejected,
    Failed,
    Expired,
    Other(String),
}

impl EndpointState {
    /// From EC2's word, in any case.
    pub fn parse(word: &str) -> Self {
        match word.trim().to_ascii_lowercase().as_str() {
            "pendingacceptance" => Self::PendingAcceptance,
            "pending" => Self::Pending,
            "available" => Self::Available,
            "deleting" => Self::Deleting,
            "deleted" => Self::Deleted,
            "rejected" => Self::Rejected,
            "failed" => Self::Failed,
            "expired" => Self::Expired,
            _ => Self::Other(word.trim().to_owned()),
        }
    }

    /// EC2's word, lower case, as people see it in the thread.
    pub fn as_str(&self) -> &str {
        match self {
            Self::PendingAcceptance => "pendingacceptance",
            Self::Pending => "pending",
            Self::Available => "available",
            Self::Deleting => "deleting",
            Self::Deleted => "deleted",
            Self::Rejected => "rejected",
            Self::Failed => "failed",
            Self::Expired => "expired",
            Self::Other(word) => word,
        }
    }

    /// Refused for good (rejected, failed, expired), yet still there.
    pub fn is_refused(&self) -> bool {
        matches!(self, Self::Rejected | Self::Failed | Self::Expired)
    }

    /// Alive, or on its way to being so.
    pub fn is_live(&self) -> bool {
        !matches!(
            self,
            Self::Deleting | Self::Deleted | Self::Rejected | Self::Failed | Self::Expired
        )
    }
}

impl std::fmt::Display for EndpointState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Formats milliseconds since the epoch as RFC 3339 (UTC, seconds), as
/// people read a time in chat.
pub fn rfc3339(at: crate::domain::job::Millis) -> String {
    // humantime panics past year 9999: a time that far out (a job that
    // never expires, say) prints as the last one it can say.
    const LAST: u64 = 253_402_300_799_000; // 9999-12-31T23:59:59Z
    humantime::format_rfc3339_seconds(
        std::time::UNIX_EPOCH + std::time::Duration::from_millis(at.min(LAST)),
    )
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ec2_states_are_read_once_whatever_their_case_and_new_words_kept() {
        assert_eq!(
            EndpointState::parse("pendingAcceptance"),
            EndpointState::PendingAcceptance
        );
        assert_eq!(EndpointState::parse("Available"), EndpointState::Available);
        let new = EndpointState::parse("partial");
        assert_eq!(new, EndpointState::Other("partial".into()));
        assert!(new.is_live(), "an unknown word is never taken for an end");
        assert!(!EndpointState::parse("rejected").is_live());
        assert_eq!(
            EndpointState::PendingAcceptance.to_string(),
            "pendingacceptance"
        );
    }

    #[test]
    fn only_words_beyond_doubt_get_a_meaning_and_every_word_is_kept() {
        for (word, shared) in [
            ("Serverless", true),
            ("Free", true),
            ("Dedicated-Standard", false),
            ("Enterprise", false),
            ("", false),
        ] {
            let plan = ClusterPlan::parse(word);
            assert_eq!(matches!(plan, ClusterPlan::Shared(_)), shared, "{word}");
            assert_eq!(plan.word(), word);
        }
        assert_eq!(ClusterStatus::parse(" running "), ClusterStatus::Running);
        assert_eq!(
            ClusterStatus::parse("SUSPENDED"),
            ClusterStatus::Other("SUSPENDED".into())
        );
        for (word, failed, usual) in [
            ("REJECTED", true, false),
            ("accepted", false, true),
            ("PendingAcceptance", false, true),
            ("", false, true),
            ("Quarantined", false, false),
        ] {
            let status = RegistrationStatus::parse(word);
            assert_eq!(
                matches!(status, RegistrationStatus::Failed(_)),
                failed,
                "{word}"
            );
            assert_eq!(
                matches!(status, RegistrationStatus::Usual(_)),
                usual,
                "{word}"
            );
            assert_eq!(status.to_string(), word);
        }
    }
}
