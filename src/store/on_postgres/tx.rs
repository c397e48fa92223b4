//! The PostgreSQL backend's changes, on the writer's connection, at READ
//! COMMITTED with the rows a change reads locked (`FOR UPDATE`); a job is
//! written only by a compare-and-set on its version. Two replicas racing
//! for the same row, slot or outbox entry meet at a lock or a unique key;
//! the loser's body runs again on fresh reads, as sled's conflicting
//! transactions do.
//!
//! Group commit, as on sled: the writer's batch is one transaction, each
//! change in it a savepoint (a change refused or failed is rolled back to
//! its savepoint alone), committed once by `flush`, after which the
//! writer answers the batch's callers. One durable commit serves many
//! changes, and nobody hears of a change before it is committed.

use std::time::Duration;

use std::collections::HashMap;

use postgres::error::SqlState;
use postgres::types::Json;
use postgres::types::ToSql;
use postgres::{Client, Row, Statement};

use super::{Connector, NOTIFY_JOBS, NOTIFY_OUTBOX};
use crate::domain::audit::AuditEvent;
use crate::domain::ids::JobId;
use crate::domain::job::Job;
use crate::domain::ownership::Owners;
use crate::store::backend::{Backend, Lease, Tx, TxError};
use crate::store::outbox::{Meta, Stored};
use crate::store::{ChangeError, StoreError, record};

/// Bodies run again after a conflict, at most; past it the change fails
/// (something keeps writing the same rows).
const CONFLICT_RETRIES: u32 = 50;

/// Whether `e` is two writers meeting (run the body again), not a failure.
pub(super) fn is_conflict(e: &postgres::Error) -> bool {
    matches!(
        e.code(),
        Some(c) if *c == SqlState::UNIQUE_VIOLATION
            || *c == SqlState::T_R_SERIALIZATION_FAILURE
            || *c == SqlState::T_R_DEADLOCK_DETECTED
    )
}

impl From<postgres::Error> for TxError {
    fn from(e: postgres::Error) -> Self {
        match is_conflict(&e) {
            true => TxError::Conflict,
            false => StoreError::Postgres(e).into(),
        }
    }
}

/// A job number as the database keeps it.
pub(super) fn number(id: JobId) -> i64 {
    i64::try_from(id.number()).unwrap_or(i64::MAX)
}

pub(super) fn job_id(n: i64) -> JobId {
    JobId::new(u64::try_from(n).unwrap_or(0))
}

pub(super) fn decode_job(text: &str) -> Result<Job, StoreError> {
    Ok(record::decode(text.as_bytes())?)
}

fn millis(ttl: Duration) -> f64 {
    ttl.as_secs_f64() * 1000.0
}

/// The writer's connection, and the batch's transaction while one is open.
pub(super) struct PgBackend {
    pub(super) connector: Connector,
    pub(super) client: Client,
    /// A batch's transaction is open (until `flush` commits it).
    pub(super) open: bool,
    /// The open batch wrote to the outbox: the other replicas are told at
    /// its commit.
    pub(super) outbox_written: bool,
    /// The connection's prepared statements (gone with the connection).
    pub(super) statements: HashMap<&'static str, Statement>,
    /// A statement failed outside a savepoint: the transaction can only
    /// be rolled back (PostgreSQL would turn its COMMIT into a ROLLBACK
    /// without an error), so `flush` does that and says so.
    pub(super) broken: bool,
}

impl PgBackend {
    /// The connection inside the batch's transaction, opening both as
    /// needed (a connection the server closed is opened again).
    fn in_batch(&mut self) -> Result<&mut Client, StoreError> {
        if !self.open {
            if self.client.is_closed() {
                tracing::warn!("the store's database connection closed; connecting again");
                self.client = self.connector.connect()?;
                self.statements.clear();
            }
            self.client.batch_execute("BEGIN")?;
            self.open = true;
            self.outbox_written = false;
            self.broken = false;
        }
        Ok(&mut self.client)
    }

    /// Runs one of the batch's control statements; a failure breaks the
    /// batch.
    fn control(&mut self, statement: &str) -> Result<(), StoreError> {
        self.client.batch_execute(statement).map_err(|e| {
            self.broken = true;
            StoreError::from(e)
        })
    }

    /// Runs `f` in the batch under a savepoint of its own, so that its
    /// failure undoes it alone and leaves the batch whole.
    fn single<T>(
        &mut self,
        f: impl FnOnce(&mut Client) -> Result<T, postgres::Error>,
    ) -> Result<T, StoreError> {
        self.in_batch()?;
        self.control("SAVEPOINT single")?;
        match f(&mut self.client) {
            Ok(v) => {
                self.control("RELEASE SAVEPOINT single")?;
                Ok(v)
            }
            Err(e) => {
                self.control("ROLLBACK TO SAVEPOINT single")?;
                Err(e.into())
            }
        }
    }
}

struct PgTx<'a> {
    tx: &'a mut Client,
    /// The connection's prepared statements: each is parsed once per
    /// connection, not on every change (a round trip saved per statement).
    statements: &'a mut HashMap<&'static str, Statement>,
    /// Whether this change wrote to the outbox.
    outbox_written: bool,
}

impl PgTx<'_> {
    fn prepared(&mut self, sql: &'static str) -> Result<Statement, postgres::Error> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.tx.prepare(sql)?;
        self.statements.insert(sql, statement.clone());
        Ok(statement)
    }

    fn query_opt(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, postgres::Error> {
        let statement = self.prepared(sql)?;
        self.tx.query_opt(&statement, params)
    }

    fn query_one(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Row, postgres::Error> {
        let statement = self.prepared(sql)?;
        self.tx.query_one(&statement, params)
    }

    fn execute(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, postgres::Error> {
        let statement = self.prepared(sql)?;
        self.tx.execute(&statement, params)
    }
}

impl Tx for PgTx<'_> {
    fn job(&mut self, id: JobId) -> Result<Option<Job>, TxError> {
        let row = self.query_opt(
            "SELECT record::text FROM jobs WHERE id = $1 FOR UPDATE",
            &[&number(id)],
        )?;
        match row {
            Some(row) => Ok(Some(decode_job(row.try_get(0)?)?)),
            None => Ok(None),
        }
    }

    fn put_job(&mut self, before: Option<&Job>, job: &Job) -> Result<(), TxError> {
        let bytes = record::encode(job, job.version())?;
        let text = String::from_utf8_lossy(&bytes);
        let id = number(job.id());
        let version = i64::try_from(job.version()).unwrap_or(i64::MAX);
        let state = job.state().key().as_str();
        let requester = job.requester().to_string();
        let vpc = job.request().vpc.as_str();
        match before {
            // A new job: a second insert of the same id meets the key.
            None => {
                self.execute(
                    "INSERT INTO jobs (id, version, state, requester, vpc, record)
                     VALUES ($1, $2, $3, $4, $5, $6::text::jsonb)",
                    &[&id, &version, &state, &requester, &vpc, &text.as_ref()],
                )?;
            }
            Some(before) => {
                let was = i64::try_from(before.version()).unwrap_or(i64::MAX);
                let changed = self.execute(
                    "UPDATE jobs SET version = $2, state = $3, requester = $4, vpc = $5,
                            record = $6::text::jsonb
                     WHERE id = $1 AND version = $7",
                    &[
                        &id,
                        &version,
                        &state,
                        &requester,
                        &vpc,
                        &text.as_ref(),
                        &was,
                    ],
                )?;
                if changed == 0 {
                    return Err(TxError::Conflict);
                }
            }
        }
        Ok(())
    }

    fn fence(&mut self, lease: Lease) -> Result<(), TxError> {
        let row = self.query_opt(
            "SELECT lease_epoch, coalesce(lease_until > now(), false) FROM jobs
             WHERE id = $1 FOR UPDATE",
            &[&number(lease.job)],
        )?;
        let held = match row {
            Some(row) => {
                let epoch: i64 = row.try_get(0)?;
                let live: bool = row.try_get(1)?;
                live && u64::try_from(epoch).ok() == Some(lease.epoch)
            }
            None => false,
        };
        match held {
            true => Ok(()),
            false => Err(ChangeError::Fenced(lease.job).into()),
        }
    }

    fn slot_holder(&mut self, slot: &str) -> Result<Option<JobId>, TxError> {
        let row = self.query_opt("SELECT job FROM slots WHERE slot = $1 FOR UPDATE", &[&slot])?;
        match row {
            Some(r) => Ok(Some(job_id(r.try_get(0)?))),
            None => Ok(None),
        }
    }

    fn take_slot(&mut self, slot: &str, job: JobId) -> Result<(), TxError> {
        // Another replica's job taking it first meets the primary key.
        self.execute(
            "INSERT INTO slots (slot, job) VALUES ($1, $2)
             ON CONFLICT (slot) DO UPDATE SET job = EXCLUDED.job WHERE slots.job = EXCLUDED.job",
            &[&slot, &number(job)],
        )?;
        match self.slot_holder(slot)? {
            Some(holder) if holder != job => Err(ChangeError::SlotTaken(holder).into()),
            _ => Ok(()),
        }
    }

    fn free_slot(&mut self, slot: &str) -> Result<(), TxError> {
        self.execute("DELETE FROM slots WHERE slot = $1", &[&slot])?;
        Ok(())
    }

    fn owners(&mut self, resource: &str) -> Result<Option<Owners>, TxError> {
        let row = self.query_opt(
            "SELECT entry FROM owners WHERE resource = $1 FOR UPDATE",
            &[&resource],
        )?;
        match row {
            Some(r) => Ok(Some(r.try_get::<_, Json<Owners>>(0)?.0)),
            None => Ok(None),
        }
    }

    fn put_owners(&mut self, resource: &str, owners: &Owners) -> Result<(), TxError> {
        self.execute(
            "INSERT INTO owners (resource, entry) VALUES ($1, $2)
             ON CONFLICT (resource) DO UPDATE SET entry = EXCLUDED.entry",
            &[&resource, &Json(owners)],
        )?;
        Ok(())
    }

    fn remove_owners(&mut self, resource: &str) -> Result<(), TxError> {
        self.execute("DELETE FROM owners WHERE resource = $1", &[&resource])?;
        Ok(())
    }

    fn append_audit(&mut self, event: &AuditEvent) -> Result<(), TxError> {
        let job = event.job.map(number);
        self.execute(
            "INSERT INTO audit (job, event) VALUES ($1, $2)",
            &[&job, &Json(event)],
        )?;
        Ok(())
    }

    fn outbox_meta(&mut self, job: JobId) -> Result<Meta, TxError> {
        let row = self.query_opt(
            "SELECT meta FROM outbox_meta WHERE job = $1 FOR UPDATE",
            &[&number(job)],
        )?;
        match row {
            Some(r) => Ok(r.try_get::<_, Json<Meta>>(0)?.0),
            None => Ok(Meta::default()),
        }
    }

    fn put_outbox_meta(&mut self, job: JobId, meta: &Meta) -> Result<(), TxError> {
        if *meta == Meta::default() {
            self.execute("DELETE FROM outbox_meta WHERE job = $1", &[&number(job)])?;
        } else {
            self.execute(
                "INSERT INTO outbox_meta (job, meta) VALUES ($1, $2)
                 ON CONFLICT (job) DO UPDATE SET meta = EXCLUDED.meta",
                &[&number(job), &Json(meta)],
            )?;
        }
        Ok(())
    }

    fn outbox_entry(&mut self, job: JobId, seq: u64) -> Result<Option<Stored>, TxError> {
        let row = self.query_opt(
            "SELECT entry FROM outbox WHERE job = $1 AND seq = $2 FOR UPDATE",
            &[&number(job), &seq_number(seq)],
        )?;
        match row {
            Some(r) => Ok(Some(r.try_get::<_, Json<Stored>>(0)?.0)),
            None => Ok(None),
        }
    }

    fn put_outbox_entry(&mut self, job: JobId, seq: u64, entry: &Stored) -> Result<(), TxError> {
        self.execute(
            "INSERT INTO outbox (job, seq, entry) VALUES ($1, $2, $3)
             ON CONFLICT (job, seq) DO UPDATE SET entry = EXCLUDED.entry",
            &[&number(job), &seq_number(seq), &Json(entry)],
        )?;
        self.outbox_written = true;
        Ok(())
    }

    fn remove_outbox_entry(&mut self, job: JobId, seq: u64) -> Result<bool, TxError> {
        let n = self.execute(
            "DELETE FROM outbox WHERE job = $1 AND seq = $2",
            &[&number(job), &seq_number(seq)],
        )?;
        Ok(n > 0)
    }

    fn next_outbox_seq(&mut self) -> Result<u64, TxError> {
        let n: i64 = self
            .query_one("SELECT nextval('outbox_seq')", &[])?
            .try_get(0)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

fn seq_number(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

impl Backend for PgBackend {
    fn run(
        &mut self,
        body: &mut dyn FnMut(&mut dyn Tx) -> Result<(), TxError>,
    ) -> Result<(), ChangeError> {
        let mut conflicts = 0;
        loop {
            self.in_batch()?;
            self.control("SAVEPOINT change")?;
            let mut pg = PgTx {
                tx: &mut self.client,
                statements: &mut self.statements,
                outbox_written: false,
            };
            // A body that panics is undone like one that failed, and the
            // panic goes on to the writer (which tells its caller).
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| body(&mut pg)));
            let wrote = pg.outbox_written;
            let outcome = match outcome {
                Ok(outcome) => outcome,
                Err(panic) => {
                    self.control("ROLLBACK TO SAVEPOINT change")?;
                    std::panic::resume_unwind(panic);
                }
            };
            match outcome {
                Ok(()) => {
                    self.control("RELEASE SAVEPOINT change")?;
                    self.outbox_written |= wrote;
                    return Ok(());
                }
                Err(TxError::Change(e)) => {
                    self.control("ROLLBACK TO SAVEPOINT change")?;
                    return Err(e);
                }
                Err(TxError::Conflict) => {
                    self.control("ROLLBACK TO SAVEPOINT change")?;
                    conflicts += 1;
                    if conflicts > CONFLICT_RETRIES {
                        return Err(StoreError::Unexpected(
                            "a change kept meeting other writers; given up".to_owned(),
                        )
                        .into());
                    }
                }
            }
        }
    }

    fn next_job_id(&mut self) -> Result<JobId, StoreError> {
        // A sequence never goes back, committed or not: a number is never
        // handed out twice.
        let n: i64 = self.single(|c| {
            c.query_one("SELECT nextval('job_numbers')", &[])?
                .try_get(0)
        })?;
        Ok(job_id(n))
    }

    fn first_delivery(&mut self, delivery: &str, at: u64) -> Result<bool, StoreError> {
        let at = i64::try_from(at).unwrap_or(i64::MAX);
        let n = self.single(|c| {
            c.execute(
                "INSERT INTO deliveries (id, at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
                &[&delivery, &at],
            )
        })?;
        Ok(n == 1)
    }

    fn forget_deliveries_before(&mut self, before: u64) -> Result<usize, StoreError> {
        let before = i64::try_from(before).unwrap_or(i64::MAX);
        let n = self.single(|c| c.execute("DELETE FROM deliveries WHERE at < $1", &[&before]))?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    fn uncommitted(&self) -> bool {
        self.open
    }

    /// Commits the batch's transaction, telling the other replicas of new
    /// chat to deliver. A batch that cannot commit whole is rolled back,
    /// and every caller of it told.
    fn flush(&mut self) -> Result<(), StoreError> {
        if !self.open {
            return Ok(());
        }
        self.open = false;
        if self.broken {
            let _ = self.client.batch_execute("ROLLBACK");
            return Err(StoreError::Unexpected(
                "the batch's transaction failed; nothing of it was kept".to_owned(),
            ));
        }
        if self.outbox_written
            && let Err(e) = self
                .client
                .execute("SELECT pg_notify($1, '')", &[&NOTIFY_OUTBOX])
        {
            let _ = self.client.batch_execute("ROLLBACK");
            return Err(e.into());
        }
        self.client.batch_execute("COMMIT")?;
        Ok(())
    }

    fn claim(
        &mut self,
        id: JobId,
        owner: &str,
        ttl: Duration,
    ) -> Result<Option<Lease>, StoreError> {
        let row = self.single(|c| {
            c.query_opt(
                "UPDATE jobs SET lease_owner = $2, lease_epoch = lease_epoch + 1,
                        lease_until = now() + $3 * interval '1 millisecond'
                 WHERE id = $1
                   AND (lease_owner IS NULL OR lease_until IS NULL OR lease_until <= now()
                        OR lease_owner = $2)
                 RETURNING lease_epoch",
                &[&number(id), &owner, &millis(ttl)],
            )
        })?;
        match row {
            Some(r) => Ok(Some(Lease {
                job: id,
                epoch: u64::try_from(r.try_get::<_, i64>(0)?).unwrap_or(0),
            })),
            None => Ok(None),
        }
    }

    fn renew(&mut self, lease: Lease, ttl: Duration) -> Result<bool, StoreError> {
        let epoch = i64::try_from(lease.epoch).unwrap_or(i64::MAX);
        let n = self.single(|c| {
            c.execute(
                "UPDATE jobs SET lease_until = now() + $3 * interval '1 millisecond'
                 WHERE id = $1 AND lease_epoch = $2 AND lease_until > now()",
                &[&number(lease.job), &epoch, &millis(ttl)],
            )
        })?;
        Ok(n == 1)
    }

    fn release(&mut self, lease: Lease) -> Result<(), StoreError> {
        let epoch = i64::try_from(lease.epoch).unwrap_or(i64::MAX);
        self.single(|c| {
            let n = c.execute(
                "UPDATE jobs SET lease_owner = NULL, lease_until = NULL
                 WHERE id = $1 AND lease_epoch = $2",
                &[&number(lease.job), &epoch],
            )?;
            if n == 1 {
                // Another replica may be waiting to work on it (told at the
                // batch's commit).
                c.execute(
                    "SELECT pg_notify($1, $2)",
                    &[&NOTIFY_JOBS, &lease.job.to_string()],
                )?;
            }
            Ok(())
        })
    }
}
