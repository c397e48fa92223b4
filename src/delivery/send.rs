//! Delivering one outbox entry: a card rendered from the job as stored now
//! (posted the first time, edited after), or a thread note under the card.
//! Whatever happens is booked in the store: delivered entries leave the
//! outbox, failed ones carry their last error for `jobs outbox`.

use std::time::Duration;

use super::Inner;
use crate::cards;
use crate::domain::audit::{self, Action, Actor, AuditEvent};
use crate::domain::job::{Job, Living, MessageRef};
use crate::ports::chat::{Blocked, ChatError, Note, Outgoing};
use crate::ports::error::ErrorKind;
use crate::store::{Failure, Pending};
use crate::t;

/// How one delivery went.
#[derive(Debug)]
pub(super) enum Outcome {
    /// Accepted by the platform and booked (the channel's pace applies).
    Delivered,
    /// Not delivered; tried again later (after `retry_after` for the whole
    /// channel, when the platform said so; at `delivery.blocked_retry`
    /// when the channel refuses the bot until a person acts).
    Failed {
        retry_after: Option<Duration>,
        blocked: Option<Blocked>,
    },
}

fn delivery_event(job: &Job, action: Action, at: u64) -> AuditEvent {
    AuditEvent {
        at,
        job: Some(job.id()),
        actor: Actor::Bot,
        action,
        outcome: audit::Outcome::Unstated,
        rule: None,
    }
}

/// Posts the job's card and records where, in one store change that also
/// removes outbox entry `seq` when that entry was the card.
async fn post_card(inner: &Inner, job: &Job, seq: Option<u64>) -> Result<MessageRef, ChatError> {
    let at = inner
        .chat
        .post_card(job.conversation(), &cards::card(job))
        .await?;
    let event = delivery_event(job, Action::CardPosted, inner.clock.now());
    // The card is up: record it even if this entry was a note.
    let booked = inner
        .store
        .card_posted(job.id(), seq, at.clone(), event, job.version())
        .await;
    if let Err(e) = booked {
        tracing::error!(job = %job.id(), error = %e, "the card is posted but could not be recorded; it may be posted again");
    }
    Ok(at)
}

/// The card a thread message goes under. A job from before the outbox, or
/// whose card entry was lost, gets its card first, so the note has a thread.
async fn the_card(inner: &Inner, job: &Job) -> Result<MessageRef, ChatError> {
    match job.card() {
        Some(at) => Ok(at.clone()),
        None => post_card(inner, job, None).await,
    }
}

/// Shows the card as the job is now: posted the first time, edited after.
async fn show_card(inner: &Inner, entry: &Pending, job: &Job) -> Result<(), ChatError> {
    let Some(at) = &job.card() else {
        return post_card(inner, job, Some(entry.seq)).await.map(|_| ());
    };
    inner.chat.update_card(at, &cards::card(job)).await?;
    // Shown as the job was at this version; a later change shows again.
    let rendered = job.version();
    let booked = inner
        .store
        .living_delivered(job.id(), entry.seq, Outgoing::Card, None, move |j| {
            j.version() == rendered
        })
        .await;
    if let Err(e) = booked {
        tracing::error!(job = %job.id(), error = %e, "a card update was delivered but could not be booked");
    }
    Ok(())
}

/// Shows a living thread message (the checklist, a long wait's note):
/// posted under the card the first time, edited in place after, posted
/// afresh if someone deleted it. `shown` tells whether the job as stored
/// when it is booked still shows as `note` does; if not, the entry stays
/// and goes again, so the message always ends with the job's last state.
async fn show_living(
    inner: &Inner,
    entry: &Pending,
    job: &Job,
    which: Living,
    note: &Note,
    shown: impl Fn(&Job) -> bool + Send + Sync + 'static,
) -> Result<(), ChatError> {
    let card = the_card(inner, job).await?;
    let posted = match job.thread().at(which) {
        Some(at) => match inner.chat.edit_in_thread(&card, at, note).await {
            Ok(()) => None,
            Err(e) if e.blocked == Some(Blocked::MessageGone) => {
                tracing::info!(job = %job.id(), "a living thread message was deleted; posting it afresh");
                Some((which, inner.chat.post_in_thread(&card, note).await?))
            }
            Err(e) => return Err(e),
        },
        None => Some((which, inner.chat.post_in_thread(&card, note).await?)),
    };
    let booked = inner
        .store
        .living_delivered(job.id(), entry.seq, entry.message.clone(), posted, shown)
        .await;
    if let Err(e) = booked {
        // Delivered, not booked: shown again (the narrow window the
        // dispatcher documents), never lost.
        tracing::error!(job = %job.id(), error = %e, "a thread message was delivered but could not be booked");
    }
    Ok(())
}

/// Posts a note under the card: a new message a person should see.
async fn post_note(
    inner: &Inner,
    entry: &Pending,
    job: &Job,
    note: &Note,
) -> Result<(), ChatError> {
    let card = the_card(inner, job).await?;
    inner.chat.post_in_thread(&card, note).await?;
    book(inner, entry).await;
    Ok(())
}

pub(super) async fn send(inner: &Inner, entry: Pending, job: Job) -> Outcome {
    let result = match &entry.message {
        Outgoing::Card => show_card(inner, &entry, &job).await,
        Outgoing::Progress => {
            let note = cards::progress(&job);
            let rendered = note.text.clone();
            let shown = move |j: &Job| cards::progress(j).text == rendered;
            show_living(inner, &entry, &job, Living::Progress, &note, shown).await
        }
        Outgoing::Note(note) => match note.living {
            Some(which) => show_living(inner, &entry, &job, which, note, |_| true).await,
            None => post_note(inner, &entry, &job, note).await,
        },
    };
    match result {
        Ok(()) => Outcome::Delivered,
        // The platform will never take this thread message as it is: say
        // so in the log and the audit, and let the rest flow.
        Err(e) if e.kind == ErrorKind::InvalidInput && entry.message != Outgoing::Card => {
            tracing::error!(job = %job.id(), error = %e, "the platform refused a thread message as invalid; it is dropped");
            let _ = inner
                .store
                .audit(
                    crate::store::Admission::Owed,
                    AuditEvent {
                        outcome: audit::Outcome::Dropped(e.to_string()),
                        ..delivery_event(&job, Action::NoteRefused, inner.clock.now())
                    },
                )
                .await;
            if let Err(e) = inner.store.outbox_discard(job.id(), entry.seq).await {
                tracing::error!(job = %job.id(), error = %e, "could not drop a refused thread message");
            }
            Outcome::Delivered
        }
        Err(e) => {
            tracing::warn!(job = %job.id(), seq = entry.seq, error = %e, "chat delivery failed; it will be tried again");
            if e.blocked == Some(Blocked::MessageGone) && job.card().is_some() {
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
            if let Err(store) = inner
                .store
                .outbox_failed(job.id(), entry.seq, failure)
                .await
            {
                tracing::warn!(job = %job.id(), error = %store, "could not record a failed delivery");
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
    let event = delivery_event(job, Action::CardLost, inner.clock.now());
    match inner.store.card_lost(job.id(), event).await {
        Ok(_) => {
            tracing::warn!(job = %job.id(), "the job's card was deleted; a fresh one will be posted")
        }
        Err(e) => {
            tracing::error!(job = %job.id(), error = %e, "could not forget a deleted card")
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
        job.locale(),
        "note-delivery-blocked",
        job = job.id(),
        channel = channel,
        why = crate::i18n::render(job.locale(), why.key(), &[])
    );
    let direct = inner.chat.tell_directly(job.requester(), &text).await;
    let told = match direct {
        Ok(()) => Ok(()),
        Err(e) => {
            tracing::info!(job = %job.id(), error = %e, "could not tell the requester directly; trying in the channel");
            inner
                .chat
                .tell_privately(job.conversation(), job.requester(), &text)
                .await
        }
    };
    match told {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(job = %job.id(), error = %e, "could not tell the requester why the job's messages wait");
            false
        }
    }
}

/// Removes a delivered entry from the outbox.
async fn book(inner: &Inner, entry: &Pending) {
    if let Err(e) = inner
        .store
        .outbox_delivered(entry.job, entry.seq, entry.message.clone())
        .await
    {
        // Delivered, not booked: it will be delivered again (the narrow
        // window the module documents), not lost.
        tracing::error!(job = %entry.job, error = %e, "a message was delivered but could not be booked");
    }
}

/// When a job's card has not gone up for `card_overdue`, tells the
/// requester privately (once), so that nobody waits on a card that is not
/// there. The job itself is visible all along in `list` and `status`.
async fn tell_if_overdue(inner: &Inner, entry: &Pending, job: &Job, error: &ChatError) -> bool {
    let overdue = inner.settings.card_overdue.as_millis() as u64;
    let late = inner.clock.now().saturating_sub(entry.written_at) >= overdue;
    if !matches!(entry.message, Outgoing::Card)
        || job.card().is_some()
        || entry.requester_told
        || !late
    {
        return false;
    }
    let text = t!(
        job.locale(),
        "note-card-overdue",
        job = job.id(),
        error = error
    );
    match inner
        .chat
        .tell_privately(job.conversation(), job.requester(), &text)
        .await
    {
        Ok(()) => true,
        Err(e) => {
            tracing::info!(job = %job.id(), error = %e, "could not tell the requester that the card is late");
            false
        }
    }
}
