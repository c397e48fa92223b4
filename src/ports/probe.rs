//! What a credential probe answers (`check-config --online`): each adapter
//! probes its own service and returns rows; `check` runs them and renders
//! the table. A port, so that adapters need not know the checker.

use crate::domain::ids::{ProjectId, VpcId, ZillizRegion};

/// What one check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Proven, with what was seen.
    Pass(String),
    /// Not proven: what went wrong and what to do about it.
    Fail { problem: String, fix: String },
    /// Not tried, and why (nothing configured to try it with).
    Skipped(String),
    /// Works, but likely not as meant: what was seen and what to do.
    Warn { problem: String, fix: String },
}

/// One row of the table: what was checked and how it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub check: String,
    pub outcome: Outcome,
}

impl Row {
    pub fn pass(check: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            check: check.into(),
            outcome: Outcome::Pass(detail.into()),
        }
    }

    pub fn fail(
        check: impl Into<String>,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self {
            check: check.into(),
            outcome: Outcome::Fail {
                problem: problem.into(),
                fix: fix.into(),
            },
        }
    }

    pub fn skipped(check: impl Into<String>, why: impl Into<String>) -> Self {
        Self {
            check: check.into(),
            outcome: Outcome::Skipped(why.into()),
        }
    }

    pub fn warn(
        check: impl Into<String>,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self {
            check: check.into(),
            outcome: Outcome::Warn {
                problem: problem.into(),
                fix: fix.into(),
            },
        }
    }

    pub fn failed(&self) -> bool {
        matches!(self.outcome, Outcome::Fail { .. })
    }
}

/// Where to look: the region (as requests name it), and optionally a
/// project and a VPC to try the calls a job makes against.
#[derive(Debug, Clone)]
pub struct Scope {
    pub region: ZillizRegion,
    pub project: Option<ProjectId>,
    pub vpc: Option<VpcId>,
}
