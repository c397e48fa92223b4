//! Delivering one outbox entry: a card rendered from the job as stored now
//! (posted the first time, edited after), or a thread note under the card.
//! Whatever happens is booked in the store: delivered entries leave the
//! outbox, failed ones carry their last error for `jobs outbox`.

use std::time::Duration;

use super::Inner;
use crate::cards;
use crate::domain::job::{AuditEvent, Job, MessageRef};
use crate::i18n::Locale;
use crate::ports::chat::{Blocked, ChatError, Note, Outgoing};
use crate::ports::error::ErrorKind;
use crate::store::{Failure, Pending};
use crate::t;

/// How one delivery went.
#[derive(Debug)]
pub(super) enum Outcome {
    /// Accepted by the platform and booked; `note` when it was a thread
    /// note (the channel's pace applies).
    Delivered { note: bool },
    /// Not delivered; tried again later (after `retry_after` for the whole
    /// channel, when the platform said so; at `delivery.blocked_retry`
    /// when the channel refuses the bot until a person acts).
    Failed {
        retry_after: Option<Duration>,
        blocked: Option<Blocked>,
    },
}

fn delivery_event(job: &Job, action: &str, at: u64) -> AuditEvent {
    AuditEvent {
        at,
        job: Some(job.id),
        actor: "bot".to_owned(),
        action: action.to_owned(),
        outcome: String::new(),
    }
}

/// Posts the job's card and records where, in one store change that also
/// removes outbox entry `seq` when that entry was the card.
async fn post_card(inner: &Inner, job: &Job, seq: Option<u64>) -> Result<MessageRef, ChatError> {
    let at = inner
        .chat
        .post_card(&job.conversation, &cards::card(job))
        .await?;
    let event = delivery_event(job, "card_posted", inner.clock.now());
    // The card is up: record it even if this entry was a note.
    let booked = inner
        .store
        .card_posted(job.id, seq, at.clone(), event, job.version)
        .await;
    if let Err(e) = booked {
        tracing::error!(job = %job.id, error = %e, "the card is posted but could not be recorded; it may be posted again");
    }
    Ok(at)
}

pub(super) async fn send(inner: &Inner, entry: Pending, job: Job) -> Outcome {
    let result = match &entry.message {
        Outgoing::Card => match &job.card {
            None => post_card(inner, &job, Some(entry.seq)).await.map(|_| false),
            Some(at) => match inner.chat.update_card(at, &cards::card(&job)).await {
                Ok(()) => {
                    if let Err(e) = inner
                        .store
                        .card_delivered(job.id, entry.seq, job.version)
                        .await
                    {
                        tracing::error!(job = %job.id, error = %e, "a card update was delivered but could not be booked");
                    }
                    Ok(false)
                }
                Err(e) => Err(e),
            },
        },
        Outgoing::Note(note) => {
            // A job from before the outbox, or whose card entry was lost:
            // its card goes up first, so the note has a thread.
            let at = match &job.card {
                Some(at) => Ok(at.clone()),
                None => post_card(inner, &job, None).await,
            };
            let note = &with_held_back(note, job.locale);
            match at {
                Ok(at) => match inner.chat.post_in_thread(&at, note).await {
                    Ok(()) => book(inner, &entry).await.map(|_| true),
                    // The platform will never take this note as it is: say
                    // so in the log and the audit, and let the rest flow.
                    Err(e) if e.kind == ErrorKind::InvalidInput => {
                        tracing::error!(job = %job.id, error = %e, "the platform refused a note as invalid; it is dropped");
                        let _ = inner
                            .store
                            .audit(
                                crate::store::Admission::Owed,
                                AuditEvent {
                                    outcome: format!("dropped: {e}"),
                                    ..delivery_event(&job, "note_refused", inner.clock.now())
                                },
                            )
                            .await;
                        book(inner, &entry).await.map(|_| true)
                    }
                    Err(e) => Err(e),
                },
                Err(e) => Err(e),
            }
        }
    };
    match result {
        Ok(note) => Outcome::Delivered { note },
        Err(e) => {
            tracing::warn!(job = %job.id, seq = entry.seq, error = %e, "chat delivery failed; it will be tried again");
            if e.blocked == Some(Blocked::MessageGone) && job.card.is_some() {
                forget_card(inner, &job).await;
            }
            // A refused channel refuses a private word there too: the direct
            // message below is the way that still works.
            let requester_told = if e.blocked.is_some() {
                false
            } else {
                tell_if_overdue(inner, &entry, &job, &e).await
            };
            let blocked_told = tell_if_blocked(inner, &entry, &job, &e).await;
            let failure = Failure {
                error: e.to_string(),
                requester_told,
                blocked: e.blocked,
                blocked_told,
            };
            if let Err(store) = inner.store.outbox_failed(job.id, entry.seq, failure).await {
                tracing::warn!(job = %job.id, error = %store, "could not record a failed delivery");
            }
            Outcome::Failed {
                retry_after: e.retry_after,
                blocked: e.blocked,
            }
        }
    }
}

/// Someone deleted the job's card: it cannot be edited nor answered
/// under. Forgetting it makes the next delivery post a fresh card, with
/// the job as it is, and the thread go on under that one.
async fn forget_card(inner: &Inner, job: &Job) {
    let event = delivery_event(job, "card_lost", inner.clock.now());
    match inner.store.card_lost(job.id, event).await {
        Ok(_) => {
            tracing::warn!(job = %job.id, "the job's card was deleted; a fresh one will be posted")
        }
        Err(e) => {
            tracing::error!(job = %job.id, error = %e, "could not forget a deleted card")
        }
    }
}

/// When the job's channel refuses the bot for good (it is not in it, the
/// channel is archived or gone), tells the requester once, by direct
/// message (which needs no channel), what to fix; the job's messages wait
/// and go out by themselves once it is fixed. `status` and `jobs outbox`
/// say the same meanwhile.
async fn tell_if_blocked(inner: &Inner, entry: &Pending, job: &Job, error: &ChatError) -> bool {
    let Some(why) = error.blocked.filter(|b| b.is_channel()) else {
        return false;
    };
    if entry.blocked_told {
        return false;
    }
    let channel = super::channel_of(job);
    let text = t!(
        job.locale,
        "note-delivery-blocked",
        job = job.id,
        channel = channel,
        why = crate::i18n::render(job.locale, why.key(), &[])
    );
    let direct = inner.chat.tell_directly(&job.requester, &text).await;
    let told = match direct {
        Ok(()) => Ok(()),
        Err(e) => {
            tracing::info!(job = %job.id, error = %e, "could not tell the requester directly; trying in the channel");
            inner
                .chat
                .tell_privately(&job.conversation, &job.requester, &text)
                .await
        }
    };
    match told {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(job = %job.id, error = %e, "could not tell the requester why the job's messages wait");
            false
        }
    }
}

/// The note as the reader sees it: with how many progress notes were
/// left out before it, if any were.
fn with_held_back(note: &Note, locale: Locale) -> Note {
    let mut note = note.clone();
    if note.held_back > 0 {
        note.text = format!(
            "{}\n{}",
            t!(locale, "note-held-back", count = note.held_back),
            note.text
        );
    }
    note
}

/// Removes a delivered entry from the outbox.
async fn book(inner: &Inner, entry: &Pending) -> Result<(), ChatError> {
    if let Err(e) = inner.store.outbox_delivered(entry.job, entry.seq).await {
        // Delivered, not booked: it will be delivered again (the narrow
        // window the module documents), not lost.
        tracing::error!(job = %entry.job, error = %e, "a message was delivered but could not be booked");
    }
    Ok(())
}

/// When a job's card has not gone up for `card_overdue`, tells the
/// requester privately (once), so that nobody waits on a card that is not
/// there. The job itself is visible all along in `list` and `status`.
async fn tell_if_overdue(inner: &Inner, entry: &Pending, job: &Job, error: &ChatError) -> bool {
    let overdue = inner.settings.card_overdue.as_millis() as u64;
    let late = inner.clock.now().saturating_sub(entry.written_at) >= overdue;
    if !matches!(entry.message, Outgoing::Card)
        || job.card.is_some()
        || entry.requester_told
        || !late
    {
        return false;
    }
    let text = t!(job.locale, "note-card-overdue", job = job.id, error = error);
    match inner
        .chat
        .tell_privately(&job.conversation, &job.requester, &text)
        .await
    {
        Ok(()) => true,
        Err(e) => {
            tracing::info!(job = %job.id, error = %e, "could not tell the requester that the card is late");
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::JobId;
    use crate::ports::chat::Tone;

    #[test]
    fn a_note_after_held_back_progress_says_how_many_in_the_readers_language() {
        let note = Note {
            job: JobId::new(1000),
            text: "✅ done".into(),
            tone: Tone::Success,
            buttons: Vec::new(),
            progress: false,
            held_back: 20,
        };
        let en = with_held_back(&note, Locale::En).text;
        assert!(
            en.starts_with("(20 progress message(s) were held back"),
            "{en}"
        );
        assert!(en.ends_with("\n✅ done"), "{en}");
        let zh = with_held_back(&note, Locale::ZhCn).text;
        assert!(
            zh.contains("20 条进度消息") && zh.ends_with("✅ done"),
            "{zh}"
        );
        let plain = Note {
            held_back: 0,
            ..note
        };
        assert_eq!(with_held_back(&plain, Locale::En).text, "✅ done");
    }
}
