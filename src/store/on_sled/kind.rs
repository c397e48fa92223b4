//! Which kind of store this is, written into it when it is first opened:
//! a production store and a sandbox store can never be confused (a
//! sandbox's jobs name resources that live only in its process).
//!
//! A store from before the mark is production if it holds any job.

use std::path::Path;

use crate::store::StoreError;

/// Production (the default) or sandbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StoreKind {
    #[default]
    Production,
    Sandbox,
}

impl StoreKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StoreKind::Production => "production",
            StoreKind::Sandbox => "sandbox",
        }
    }

    pub(in crate::store) fn parse(bytes: &[u8]) -> Option<Self> {
        match bytes {
            b"production" => Some(StoreKind::Production),
            b"sandbox" => Some(StoreKind::Sandbox),
            _ => None,
        }
    }
}

impl std::fmt::Display for StoreKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

const META: &str = "meta";
const KIND: &str = "kind";
/// The job counter (`tables::next_job_id`), kept when a sandbox starts
/// over so that a card from an earlier run never names a new job.
const COUNTER: &str = "next_job_number";

/// What `db` says it is: its mark, or production when unmarked and
/// holding anything; `None` when new (empty).
fn found(db: &sled::Db) -> Result<Option<StoreKind>, StoreError> {
    let meta = db.open_tree(META)?;
    if let Some(mark) = meta.get(KIND)? {
        return match StoreKind::parse(&mark) {
            Some(kind) => Ok(Some(kind)),
            None => Err(StoreError::UnknownKind(
                String::from_utf8_lossy(&mark).into_owned(),
            )),
        };
    }
    let mut holds = !db.is_empty();
    for name in db.tree_names() {
        if name.as_ref() != META.as_bytes() && !db.open_tree(&name)?.is_empty() {
            holds = true;
        }
    }
    Ok(holds.then_some(StoreKind::Production))
}

/// Refuses `db` unless it is a `wanted` store; marks a new one.
pub(in crate::store) fn settle(db: &sled::Db, wanted: StoreKind) -> Result<(), StoreError> {
    match found(db)? {
        Some(kind) if kind != wanted => Err(StoreError::WrongKind {
            found: kind,
            wanted,
        }),
        Some(_) => Ok(()),
        None => {
            db.open_tree(META)?.insert(KIND, wanted.as_str())?;
            db.flush()?;
            Ok(())
        }
    }
}

/// Empties the sandbox store at `path` for a new run (its clouds died
/// with the last one), keeping only its mark and its job counter. Refuses
/// a production store.
pub fn start_sandbox_over(path: &Path) -> Result<(), StoreError> {
    if !path.exists() {
        return Ok(());
    }
    // Waits, as opening the store does, for a process that just let go.
    let db = crate::store::open_waiting_for_lock(&sled::Config::new().path(path), path)?;
    match found(&db)? {
        Some(StoreKind::Production) => {
            return Err(StoreError::WrongKind {
                found: StoreKind::Production,
                wanted: StoreKind::Sandbox,
            });
        }
        Some(StoreKind::Sandbox) | None => {}
    }
    let counter = db.get(COUNTER)?;
    for name in db.tree_names() {
        if name != db.name() {
            db.drop_tree(&name)?;
        }
    }
    db.clear()?;
    if let Some(counter) = counter {
        db.insert(COUNTER, counter)?;
    }
    db.open_tree(META)?
        .insert(KIND, StoreKind::Sandbox.as_str())?;
    db.flush()?;
    Ok(())
}
