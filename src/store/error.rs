//! What the store answers when it does not do what was asked, and whether
//! a change may wait for room (`Admission`).

use super::Stall;
use crate::domain::ids::JobId;
use crate::domain::lifecycle::Refusal;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store: {0}")]
    Sled(#[from] sled::Error),
    #[error("store: corrupt record: {0}")]
    Corrupt(#[from] serde_json::Error),
    /// A job record this version cannot read (damaged, or from a newer
    /// version).
    #[error("store: job record: {0}")]
    Record(#[from] super::record::RecordError),
    /// The writer's queue is full: new work is refused rather than piled up.
    #[error("store: busy, too many changes waiting")]
    Busy,
    /// The writer thread is gone (the store is closing, or it failed).
    #[error("store: closed")]
    Closed,
    #[error("store: could not start a thread: {0}")]
    Thread(#[from] std::io::Error),
    #[error("store: PostgreSQL: {0}")]
    Postgres(#[from] postgres::Error),
    /// The database's schema is newer than this build knows: an older
    /// replica must not write to tables it does not understand.
    #[error(
        "store: the database's schema is version {found}, newer than this build knows ({known}); run the newer release"
    )]
    NewerSchema { found: i64, known: i64 },
    /// The store's settings cannot be used (a database URL variable unset).
    #[error("store: {0}")]
    Settings(String),
    /// A batch's changes were applied but could not be made durable.
    #[error("store: could not make the change durable: {0}")]
    NotDurable(String),
    /// A store operation failed in a way its caller cannot act on.
    #[error("store: {0}")]
    Unexpected(String),
    /// An operation overran the liveness bound (while opening, say).
    #[error("store: stalled")]
    Stalled(#[source] Stall),
    /// A sandbox store opened for production, or the other way round.
    #[error(
        "store: this is a {found} store; it cannot be opened as a {wanted} one (sandbox and production stores never mix: give each its own path)"
    )]
    WrongKind {
        found: super::StoreKind,
        wanted: super::StoreKind,
    },
    #[error("store: marked as an unknown kind {0:?}")]
    UnknownKind(String),
}

/// Why a change was not made.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error("there is no job {0}")]
    NotFound(JobId),
    /// The change was refused by the job's rules or the policy, judged
    /// against the job as stored.
    #[error("{0}")]
    Refused(#[from] Refusal),
    #[error("{0} exists already")]
    Exists(JobId),
    /// Another job holds this job's (VPC, region) slot.
    #[error("{0} is already active for this VPC and region")]
    SlotTaken(JobId),
    /// This process's claim on the job lapsed and another may have taken
    /// it (it stalled past its lease): it must stop working on the job.
    #[error("{0}: this process no longer holds the job's lease")]
    Fenced(JobId),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ChangeError {
    /// The store turned the change away because too much is waiting.
    pub fn is_busy(&self) -> bool {
        matches!(self, ChangeError::Store(StoreError::Busy))
    }
}

/// Whether a change may wait for room in the writer's queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// New work from a person (a command, a click): refused with
    /// [`StoreError::Busy`] when the queue is full, so a burst is answered
    /// "busy, try again" instead of piling up in memory.
    Intake,
    /// Work the bot already owes (a running job's records, expiry): waits
    /// for room. Bounded by the number of jobs, not by the request rate.
    Owed,
    /// Owed work done under a claim on the job (the engine's steps): as
    /// `Owed`, and refused with [`ChangeError::Fenced`] unless the claim
    /// still holds when the change is made.
    Leased(super::Lease),
}

impl Admission {
    /// The claim the change is fenced by, if any.
    pub fn lease(self) -> Option<super::Lease> {
        match self {
            Admission::Leased(lease) => Some(lease),
            Admission::Intake | Admission::Owed => None,
        }
    }
}
