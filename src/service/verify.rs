//! `verify <job>`: the drift watch's check of one succeeded job's link,
//! run now and answered privately: what holds, what drifted, and what
//! could not be read.

use super::{Reply, Service};
use crate::cards;
use crate::domain::drift::Check;
use crate::domain::ids::JobId;
use crate::i18n::Locale;
use crate::t;
use crate::watch::Unwatched;

impl Service {
    pub(super) async fn verify(&self, id: JobId, locale: Locale) -> Reply {
        match self.p.watch.verify(id).await {
            Ok((_, check)) => Reply::say(said(id, &check, locale)),
            Err(Unwatched::NoSuchJob) => Reply::say(t!(locale, "reply-no-such-job", job = id)),
            Err(Unwatched::NotSucceeded(state)) => Reply::say(t!(
                locale,
                "reply-verify-not-succeeded",
                job = id,
                state = state.text()
            )),
            Err(Unwatched::Moved) => Reply::say(t!(locale, "reply-verify-moved", job = id)),
            Err(Unwatched::Store(e)) => {
                tracing::error!(job = %id, error = %e, "verify could not read the job");
                Reply::say(t!(locale, "reply-store-failed"))
            }
        }
    }
}

/// The check, as the asker reads it.
fn said(id: JobId, check: &Check, locale: Locale) -> String {
    let mut out = if check.drifted.is_empty() {
        t!(locale, "reply-verify-in-shape", job = id)
    } else {
        t!(locale, "reply-verify-drifted", job = id)
    };
    out.push_str(&cards::drift::bullets(&check.drifted, locale));
    let refused = cards::drift::unread(&check.denied, "status-check-denied", locale);
    let failed = cards::drift::unread(&check.failed, "reply-verify-read-failed", locale);
    for line in refused.into_iter().chain(failed) {
        out.push('\n');
        out.push_str(&line);
    }
    out
}
