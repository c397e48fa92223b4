//! Errors that cross a port, typed by kind so that callers decide by kind
//! (retry, fail, "already done"), never by reading text. Each keeps the
//! provider's own code, message and request id for the person who reads it.

use std::fmt;
use std::time::Duration;

/// What kind of failure a provider reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The thing asked about does not exist (or is not visible).
    NotFound,
    /// Too many requests: try again later.
    Throttled,
    /// The credentials are refused or lack a permission.
    Denied,
    /// The request clashes with the current state (already exists, in use).
    Conflict,
    /// The request itself is wrong: repeating it cannot help.
    InvalidInput,
    /// The provider or the network failed (5xx, timeout, connection).
    Unavailable,
    Other,
}

impl ErrorKind {
    /// Whether the same call may succeed if made again later.
    pub fn is_transient(self) -> bool {
        matches!(self, ErrorKind::Throttled | ErrorKind::Unavailable)
    }
}

/// Which provider answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Ec2,
    Route53,
    Sts,
    Zilliz,
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Provider::Ec2 => "EC2",
            Provider::Route53 => "Route 53",
            Provider::Sts => "STS",
            Provider::Zilliz => "Zilliz Cloud",
        })
    }
}

/// A failed call to a cloud provider.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct CloudError {
    pub kind: ErrorKind,
    pub provider: Provider,
    /// The provider's error code (`InvalidVpcID.NotFound`, `96018`), if any.
    pub code: Option<String>,
    pub message: String,
    /// The provider's request id, for its support.
    pub request_id: Option<String>,
    /// How long the provider asked us to wait, when it said.
    pub retry_after: Option<Duration>,
}

impl CloudError {
    pub fn new(kind: ErrorKind, provider: Provider, message: impl Into<String>) -> Self {
        Self {
            kind,
            provider,
            code: None,
            message: message.into(),
            request_id: None,
            retry_after: None,
        }
    }

    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    pub fn with_request_id(mut self, id: Option<impl Into<String>>) -> Self {
        self.request_id = id.map(Into::into);
        self
    }

    /// Whether the provider gave this code.
    pub fn has_code(&self, code: &str) -> bool {
        self.code.as_deref() == Some(code)
    }
}

impl fmt::Display for CloudError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.provider, &self.code) {
            (Provider::Zilliz, Some(code)) => {
                write!(f, "Zilliz Cloud error {code}: {}", self.message)?
            }
            (_, Some(code)) => write!(f, "{code}: {}", self.message)?,
            (provider, None) => write!(f, "{provider}: {}", self.message)?,
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

pub type CloudResult<T> = Result<T, CloudError>;
