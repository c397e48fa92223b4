//! Why a step failed, typed: what it was doing (in the catalogue) and the
//! provider's error, whose kind alone decides a retry.

use std::time::Duration;

use crate::i18n::{Locale, Text};
use crate::ports::cloud::{CloudError, ErrorKind};
use crate::retry::Classified;

/// Why a step (or a teardown) failed: what it was doing, and the provider's
/// typed error when a call failed. The engine decides by the cause's kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepError {
    /// What the step was doing, or what is wrong, in the catalogue (boxed:
    /// errors travel by value through every step's `Result`).
    pub context: Box<Text>,
    pub cause: Option<CloudError>,
}

impl StepError {
    /// A call to a provider failed while doing `context`.
    pub(crate) fn call(context: Text, cause: CloudError) -> Self {
        Self {
            context: Box::new(context),
            cause: Some(cause),
        }
    }

    /// What failed, in the catalogue, then the provider's own words (not
    /// ours to translate), kept apart until a reader's language is known.
    pub fn text(&self) -> Text {
        match &self.cause {
            Some(cause) => crate::text!(
                "error-with-cause",
                what = (*self.context).clone(),
                cause = cause.to_string()
            ),
            None => (*self.context).clone(),
        }
    }

    /// [`StepError::text`] in `locale`.
    pub fn render(&self, locale: Locale) -> String {
        self.text().render(locale)
    }

    /// The provider's request id, for its support (and the log).
    pub fn request_id(&self) -> Option<&str> {
        self.cause.as_ref().and_then(|c| c.request_id.as_deref())
    }
}

impl Classified for StepError {
    fn kind(&self) -> ErrorKind {
        self.cause.as_ref().map_or(ErrorKind::Other, |c| c.kind)
    }
    fn retry_after(&self) -> Option<Duration> {
        self.cause.as_ref().and_then(|c| c.retry_after)
    }
}

impl From<Text> for StepError {
    fn from(context: Text) -> Self {
        Self {
            context: Box::new(context),
            cause: None,
        }
    }
}

impl std::fmt::Display for StepError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(Locale::En))
    }
}
