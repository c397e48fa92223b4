//! Preflight findings and the plan shown on an approval card.

use serde::{Deserialize, Serialize};

use super::command::CreateRequest;

/// How much a finding matters: a blocking one refuses the request, a warning
/// goes on the card for the approver to weigh.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Blocking,
    Warning,
}

/// Something preflight found, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub severity: Severity,
    pub message: String,
    pub fix: Option<String>,
}

impl Finding {
    pub fn blocking(message: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            severity: Severity::Blocking,
            message: message.into(),
            fix: Some(fix.into()),
        }
    }

    pub fn warning(message: impl Into<String>, fix: Option<String>) -> Self {
        Self {
            severity: Severity::Warning,
            message: message.into(),
            fix,
        }
    }

    pub fn is_blocking(&self) -> bool {
        self.severity == Severity::Blocking
    }
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)?;
        if let Some(fix) = &self.fix {
            write!(f, " Fix: {fix}")?;
        }
        Ok(())
    }
}

/// The outcome of preflight: what the job will do and what was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub endpoint_service: String,
    pub account: Option<String>,
    /// Zilliz says the service admits only allowed AWS accounts.
    pub whitelist_required: bool,
    pub findings: Vec<Finding>,
}

impl Plan {
    pub fn blocking(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.is_blocking())
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| !f.is_blocking())
    }

    /// The actions the job will take, in words, for the card.
    pub fn actions(&self, request: &CreateRequest) -> Vec<String> {
        let mut out = Vec::new();
        if self.whitelist_required {
            out.push(format!(
                "Allow AWS account {} into {} (Zilliz Cloud requires it: whitelistRequired; add-only, harmless to repeat)",
                self.account.as_deref().unwrap_or("of the bot's credentials"),
                self.endpoint_service
            ));
        }
        out.extend([
            format!(
                "Create an interface VPC endpoint in {} to {} (subnets {}, security groups {}), private DNS off",
                request.vpc,
                self.endpoint_service,
                join(&request.subnets),
                join(&request.security_groups)
            ),
            format!(
                "Register the endpoint with Zilliz Cloud project {} in {}",
                request.project, request.region
            ),
        ]);
        for cluster in &request.clusters {
            out.push(format!(
                "Create a Route 53 private hosted zone for {cluster}'s private link host, associated with {}, with an alias A record to the endpoint",
                request.vpc
            ));
        }
        out
    }
}

pub fn join<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
