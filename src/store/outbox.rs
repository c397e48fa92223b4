//! The chat outbox, one sled tree: every chat effect of a job change is
//! written here in the same transaction as the change, and leaves only when
//! `delivery` has delivered it. So nothing is said before the store holds
//! it, and nothing the store holds goes unsaid after a crash or an outage.
//!
//! Keys are `job (8 bytes) ++ seq (8 bytes)`, big-endian, with `seq` from
//! sled's monotonic id: a job's entries come out in the order they were
//! written. `seq` 0 is the job's bookkeeping ([`Meta`]): which entry holds
//! each of its living messages (the card, the progress checklist, a long
//! wait's note), so that the outbox stays bounded while a platform is down:
//! a newer version of a living message waiting to be delivered collapses
//! into the entry already waiting (the card and the checklist render the
//! job as it is when delivered; a wait's newer words replace the older),
//! and the entry counts how many it absorbed. Every other note is a
//! decision, a warning, a failure or an outcome, a handful per job, and is
//! never dropped.
//!
//! Delivered entries are removed at once: the tree holds only what waits.
//! An entry replaced while it was being delivered stays, to be delivered
//! again with what replaced it.

use serde::{Deserialize, Serialize};
use sled::Tree;
use sled::transaction::TransactionalTree;

use super::StoreError;
use crate::domain::ids::JobId;
use crate::ports::chat::{Blocked, Living, Outgoing};

const META: u64 = 0;

/// A job's outbox bookkeeping: the entry holding each living message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Meta {
    /// The pending card entry, if there is one.
    card: Option<u64>,
    /// The pending entries of the job's living thread messages.
    #[serde(default)]
    living: Vec<(Living, u64)>,
}

impl Meta {
    /// The waiting entry a new `message` collapses into, if any.
    fn pending(&self, message: &Outgoing) -> Option<u64> {
        match (message, message.living()) {
            (Outgoing::Card, _) => self.card,
            (_, Some(which)) => self
                .living
                .iter()
                .find(|(w, _)| *w == which)
                .map(|(_, seq)| *seq),
            _ => None,
        }
    }

    fn track(&mut self, message: &Outgoing, seq: u64) {
        match (message, message.living()) {
            (Outgoing::Card, _) => self.card = Some(seq),
            (_, Some(which)) => self.living.push((which, seq)),
            _ => {}
        }
    }

    fn untrack(&mut self, seq: u64) {
        if self.card == Some(seq) {
            self.card = None;
        }
        self.living.retain(|(_, s)| *s != seq);
    }
}

/// One waiting entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Stored {
    message: Outgoing,
    written_at: u64,
    #[serde(default)]
    attempts: u32,
    #[serde(default)]
    last_error: Option<String>,
    /// The requester was told privately that the card is late.
    #[serde(default)]
    requester_told: bool,
    /// The platform refuses it for good until a person acts, and why.
    #[serde(default)]
    blocked: Option<Blocked>,
    /// The requester was told, directly, what blocks it.
    #[serde(default)]
    blocked_told: bool,
    /// Later versions of this living message that collapsed into it while
    /// it waited (edits never sent, since this one shows the latest).
    #[serde(default)]
    collapsed: u32,
}

/// What one failed delivery leaves on its entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub error: String,
    /// The requester has now been told the card is late.
    pub requester_told: bool,
    /// Refused until a person acts (the latest failure's reason).
    pub blocked: Option<Blocked>,
    /// The requester has now been told what blocks it.
    pub blocked_told: bool,
}

/// One waiting entry, as the dispatcher and the admin view see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub job: JobId,
    pub seq: u64,
    pub message: Outgoing,
    /// When the change that caused it was made (ms since the epoch).
    pub written_at: u64,
    /// Failed deliveries so far.
    pub attempts: u32,
    pub last_error: Option<String>,
    pub requester_told: bool,
    pub blocked: Option<Blocked>,
    pub blocked_told: bool,
    /// Later versions that collapsed into this entry while it waited.
    pub collapsed: u32,
}

fn key(job: JobId, seq: u64) -> [u8; 16] {
    let mut k = [0u8; 16];
    k[..8].copy_from_slice(&job.number().to_be_bytes());
    k[8..].copy_from_slice(&seq.to_be_bytes());
    k
}

fn split_key(k: &[u8]) -> Option<(JobId, u64)> {
    let job = <[u8; 8]>::try_from(k.get(..8)?).ok()?;
    let seq = <[u8; 8]>::try_from(k.get(8..16)?).ok()?;
    Some((JobId::new(u64::from_be_bytes(job)), u64::from_be_bytes(seq)))
}

type Abort = sled::transaction::ConflictableTransactionError<super::ChangeError>;

fn corrupt(e: serde_json::Error) -> Abort {
    sled::transaction::ConflictableTransactionError::Abort(super::ChangeError::Store(
        StoreError::Corrupt(e),
    ))
}

fn read_meta(outbox: &TransactionalTree, job: JobId) -> Result<Meta, Abort> {
    match outbox.get(key(job, META))? {
        Some(b) => serde_json::from_slice(&b).map_err(corrupt),
        None => Ok(Meta::default()),
    }
}

fn write_meta(outbox: &TransactionalTree, job: JobId, meta: &Meta) -> Result<(), Abort> {
    if *meta == Meta::default() {
        outbox.remove(&key(job, META))?;
    } else {
        outbox.insert(&key(job, META), serde_json::to_vec(meta).map_err(corrupt)?)?;
    }
    Ok(())
}

/// Writes `messages` for `job`, inside the change's transaction.
pub(super) fn enqueue(
    outbox: &TransactionalTree,
    job: JobId,
    messages: Vec<Outgoing>,
    now: u64,
) -> Result<(), Abort> {
    if messages.is_empty() {
        return Ok(());
    }
    let mut meta = read_meta(outbox, job)?;
    for message in messages {
        if let Some(seq) = meta.pending(&message) {
            let k = key(job, seq);
            if let Some(b) = outbox.get(k)? {
                let mut stored: Stored = serde_json::from_slice(&b).map_err(corrupt)?;
                stored.collapsed = stored.collapsed.saturating_add(1);
                // A wait's newer words replace the older; the card and
                // the checklist render the job when delivered.
                stored.message = message;
                outbox.insert(&k, serde_json::to_vec(&stored).map_err(corrupt)?)?;
                continue;
            }
            meta.untrack(seq);
        }
        // sled's ids start at 0, which is the bookkeeping key.
        let seq = outbox.generate_id()? + 1;
        meta.track(&message, seq);
        let stored = Stored {
            message,
            written_at: now,
            attempts: 0,
            last_error: None,
            requester_told: false,
            blocked: None,
            blocked_told: false,
            collapsed: 0,
        };
        outbox.insert(
            &key(job, seq),
            serde_json::to_vec(&stored).map_err(corrupt)?,
        )?;
    }
    write_meta(outbox, job, &meta)
}

/// Removes a delivered entry, inside a transaction, unless what waits there
/// is no longer what was `delivered` (a newer version replaced it while it
/// was being delivered): then it stays, to be delivered again. True when
/// it was removed (or was already gone).
pub(super) fn remove(
    outbox: &TransactionalTree,
    job: JobId,
    seq: u64,
    delivered: &Outgoing,
) -> Result<bool, Abort> {
    let k = key(job, seq);
    let Some(b) = outbox.get(k)? else {
        return Ok(true);
    };
    let stored: Stored = serde_json::from_slice(&b).map_err(corrupt)?;
    if stored.message != *delivered {
        return Ok(false);
    }
    discard(outbox, job, seq)?;
    Ok(true)
}

/// Removes an entry whatever it holds now (an operator gave up on it).
pub(super) fn discard(outbox: &TransactionalTree, job: JobId, seq: u64) -> Result<(), Abort> {
    if outbox.remove(&key(job, seq))?.is_some() {
        let mut meta = read_meta(outbox, job)?;
        meta.untrack(seq);
        write_meta(outbox, job, &meta)?;
    }
    Ok(())
}

/// Records a failed delivery on the entry, inside a transaction.
pub(super) fn record_failure(
    outbox: &TransactionalTree,
    job: JobId,
    seq: u64,
    failure: &Failure,
) -> Result<(), Abort> {
    let k = key(job, seq);
    let Some(b) = outbox.get(k)? else {
        return Ok(());
    };
    let mut stored: Stored = serde_json::from_slice(&b).map_err(corrupt)?;
    stored.attempts = stored.attempts.saturating_add(1);
    stored.last_error = Some(failure.error.clone());
    stored.requester_told |= failure.requester_told;
    stored.blocked = failure.blocked;
    stored.blocked_told |= failure.blocked_told;
    outbox.insert(&k, serde_json::to_vec(&stored).map_err(corrupt)?)?;
    Ok(())
}

fn entries(tree: &Tree) -> impl Iterator<Item = Result<Pending, StoreError>> + '_ {
    decoded(tree.iter())
}

fn decoded(
    items: impl Iterator<Item = sled::Result<(sled::IVec, sled::IVec)>>,
) -> impl Iterator<Item = Result<Pending, StoreError>> {
    items.filter_map(|item| {
        let (k, v) = match item {
            Ok(kv) => kv,
            Err(e) => return Some(Err(e.into())),
        };
        let (job, seq) = split_key(&k)?;
        if seq == META {
            return None;
        }
        Some(
            serde_json::from_slice::<Stored>(&v)
                .map(|s| Pending {
                    job,
                    seq,
                    message: s.message,
                    written_at: s.written_at,
                    attempts: s.attempts,
                    last_error: s.last_error,
                    requester_told: s.requester_told,
                    blocked: s.blocked,
                    blocked_told: s.blocked_told,
                    collapsed: s.collapsed,
                })
                .map_err(StoreError::from),
        )
    })
}

/// Everything waiting, per job in order.
pub(super) fn all(tree: &Tree) -> Result<Vec<Pending>, StoreError> {
    entries(tree).collect()
}

/// The first waiting entry of one job, if any.
pub(super) fn head_of(tree: &Tree, job: JobId) -> Result<Option<Pending>, StoreError> {
    decoded(tree.scan_prefix(job.number().to_be_bytes()))
        .next()
        .transpose()
}

/// The first waiting entry of each job: what may be delivered next.
pub(super) fn heads(tree: &Tree) -> Result<Vec<Pending>, StoreError> {
    let mut out: Vec<Pending> = Vec::new();
    for p in entries(tree) {
        let p = p?;
        if out.last().is_none_or(|last| last.job != p.job) {
            out.push(p);
        }
    }
    Ok(out)
}
