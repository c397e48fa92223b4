//! One retry helper for every outbound call (AWS, Zilliz Cloud, Slack,
//! Discord), deciding by the error's kind, never by its text.
//!
//! A call that changes something is repeated only when the provider said
//! it did not act (throttled); after a 5xx, a timeout or a lost connection
//! it may have acted, so the error goes back to the caller, whose "ensure"
//! looks before acting again.

use std::future::Future;
use std::time::Duration;

use crate::backoff::Backoff;
use crate::ports::error::{CloudError, ErrorKind};

/// An error that says what kind it is.
pub trait Classified {
    fn kind(&self) -> ErrorKind;
    /// How long the provider asked us to wait, when it said.
    fn retry_after(&self) -> Option<Duration> {
        None
    }
}

impl Classified for crate::ports::chat::ChatError {
    fn kind(&self) -> ErrorKind {
        self.kind
    }
    fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }
}

impl Classified for CloudError {
    fn kind(&self) -> ErrorKind {
        self.kind
    }
    fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }
}

/// Whether a call changes anything at the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// A read: safe to repeat after any transient failure.
    Read,
    /// A write: repeated only when the provider refused it unperformed.
    Write,
}

/// How often and how patiently to retry.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub backoff: Backoff,
    /// Tries in all, the first included.
    pub attempts: u32,
}

/// The longest single wait, whatever a provider asks for.
const MAX_WAIT: Duration = Duration::from_secs(60);

impl RetryPolicy {
    /// The wait before another try after `error` on try number `attempt`
    /// (0 for the first), or None when the error goes back to the caller.
    pub fn next_wait<E: Classified>(
        &self,
        effect: Effect,
        error: &E,
        attempt: u32,
    ) -> Option<Duration> {
        if attempt + 1 >= self.attempts {
            return None;
        }
        let again = match error.kind() {
            ErrorKind::Throttled => true,
            ErrorKind::Unavailable => effect == Effect::Read,
            _ => false,
        };
        again.then(|| {
            error
                .retry_after()
                .unwrap_or_else(|| self.backoff.delay(attempt))
                .min(MAX_WAIT)
        })
    }

    /// Runs `call` until it succeeds or `next_wait` says stop.
    /// Logs only the error's kind: some providers' errors carry URLs with
    /// tokens in them.
    pub async fn run<T, E, F, Fut>(&self, what: &str, effect: Effect, mut call: F) -> Result<T, E>
    where
        E: Classified,
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let mut attempt = 0;
        loop {
            match call().await {
                Ok(v) => return Ok(v),
                Err(e) => match self.next_wait(effect, &e, attempt) {
                    Some(wait) => {
                        tracing::info!(what, attempt, ?wait, kind = ?e.kind(), "retrying");
                        tokio::time::sleep(wait).await;
                        attempt += 1;
                    }
                    None => return Err(e),
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::error::Provider;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            backoff: Backoff {
                initial: Duration::from_millis(1),
                max: Duration::from_millis(2),
            },
            attempts: 3,
        }
    }

    fn error(kind: ErrorKind) -> CloudError {
        CloudError::new(kind, Provider::Zilliz, "x")
    }

    #[test]
    fn writes_are_repeated_only_when_refused_unperformed() {
        let p = policy();
        assert!(
            p.next_wait(Effect::Write, &error(ErrorKind::Throttled), 0)
                .is_some()
        );
        assert!(
            p.next_wait(Effect::Write, &error(ErrorKind::Unavailable), 0)
                .is_none()
        );
        assert!(
            p.next_wait(Effect::Read, &error(ErrorKind::Unavailable), 0)
                .is_some()
        );
        for kind in [
            ErrorKind::NotFound,
            ErrorKind::Denied,
            ErrorKind::Conflict,
            ErrorKind::InvalidInput,
            ErrorKind::Other,
        ] {
            assert!(
                p.next_wait(Effect::Read, &error(kind), 0).is_none(),
                "{kind:?}"
            );
        }
        assert!(
            p.next_wait(Effect::Read, &error(ErrorKind::Throttled), 2)
                .is_none(),
            "attempts are capped"
        );
    }

    #[test]
    fn a_provider_s_wait_is_honoured_up_to_a_cap() {
        let mut e = error(ErrorKind::Throttled);
        e.retry_after = Some(Duration::from_secs(7));
        assert_eq!(
            policy().next_wait(Effect::Write, &e, 0),
            Some(Duration::from_secs(7))
        );
        e.retry_after = Some(Duration::from_secs(3600));
        assert_eq!(policy().next_wait(Effect::Write, &e, 0), Some(MAX_WAIT));
    }

    #[tokio::test]
    async fn run_stops_at_the_first_success() {
        let mut calls = 0;
        let out: Result<u32, CloudError> = policy()
            .run("test", Effect::Read, || {
                calls += 1;
                let n = calls;
                async move {
                    if n < 2 {
                        Err(error(ErrorKind::Unavailable))
                    } else {
                        Ok(n)
                    }
                }
            })
            .await;
        assert_eq!(out, Ok(2));
    }
}
