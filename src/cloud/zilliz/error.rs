//! Zilliz Cloud's answers read as errors: the envelope every answer comes
//! in, the kind of a vendor code as documented, and what a person should
//! make of it.

use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::Value;

use crate::ports::error::{CloudError, ErrorKind};

#[derive(Deserialize)]
pub(super) struct Envelope {
    pub(super) code: i64,
    #[serde(default)]
    pub(super) data: Option<Value>,
    #[serde(default)]
    pub(super) message: Option<String>,
}

/// The kind of a Zilliz answer, from its HTTP status and vendor code as
/// documented (see `shared/reference/zilliz-cloud-api.md`).
pub fn kind_of(status: StatusCode, code: Option<i64>) -> ErrorKind {
    match code {
        Some(21119 | 80001 | 80002 | 96012..=96016 | 96027) => ErrorKind::Denied,
        Some(96018 | 96036) => ErrorKind::NotFound,
        Some(96005 | 96008 | 96025) => ErrorKind::InvalidInput,
        _ if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN => {
            ErrorKind::Denied
        }
        _ if status == StatusCode::TOO_MANY_REQUESTS => ErrorKind::Throttled,
        _ if status.is_server_error() => ErrorKind::Unavailable,
        _ => ErrorKind::Other,
    }
}

/// Whether a refusal is about the key's permissions (96012–96016, 96027)
/// rather than the key itself.
pub fn lacks_permission(e: &CloudError) -> bool {
    e.kind == ErrorKind::Denied
        && e.code
            .as_deref()
            .and_then(|c| c.parse::<i64>().ok())
            .is_some_and(|c| matches!(c, 96012..=96016 | 96027))
}

/// What a person should make of an error class, after the vendor's words.
pub(super) fn hint(status: StatusCode, code: i64) -> &'static str {
    match code {
        21119 | 80001 | 80002 => "; Zilliz Cloud refused the API key: give the bot a valid one",
        96012..=96016 | 96027 => "; the API key lacks the permission this call needs",
        96018 | 96036 => "; there is no such cluster for this API key",
        _ if status == StatusCode::UNAUTHORIZED => {
            "; Zilliz Cloud refused the API key: give the bot a valid one"
        }
        _ => "",
    }
}
