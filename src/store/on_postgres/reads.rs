//! The PostgreSQL backend's queries, each on a connection from a small
//! pool of its own (the writer's connection is the writer's alone).

use std::sync::Mutex;

use postgres::Client;
use postgres::types::Json;

use super::Connector;
use super::tx::{decode_job, job_id, number};
use crate::domain::audit::AuditEvent;
use crate::domain::ids::{JobId, UserRef, VpcId};
use crate::domain::job::{Job, StateKey};
use crate::domain::ownership::Owners;
use crate::store::StoreError;
use crate::store::backend::Reads;
use crate::store::outbox::{Pending, Stored};

/// Idle connections kept for reads; more are opened under load and closed
/// after.
const IDLE: usize = 4;

pub(super) struct PgReads {
    connector: Connector,
    idle: Mutex<Vec<Client>>,
}

impl Drop for PgReads {
    /// A synchronous client blocks while it closes, which must not happen
    /// on an async worker (the store may be dropped on one): the idle
    /// connections close on a thread of their own.
    fn drop(&mut self) {
        let idle = self.idle.get_mut().map(std::mem::take).unwrap_or_default();
        if !idle.is_empty() {
            let _ = std::thread::Builder::new()
                .name("store-close".to_owned())
                .spawn(move || drop(idle));
        }
    }
}

impl PgReads {
    pub(super) fn new(connector: Connector) -> Self {
        Self {
            connector,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Runs `f` on a pooled connection.
    fn with<T>(
        &self,
        f: impl FnOnce(&mut Client) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let pooled = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let mut client = match pooled {
            Some(c) if !c.is_closed() => c,
            _ => self.connector.connect()?,
        };
        let out = f(&mut client);
        if !client.is_closed()
            && let Ok(mut idle) = self.idle.lock()
            && idle.len() < IDLE
        {
            idle.push(client);
        }
        out
    }

    fn jobs_where(&self, sql: &str, arg: &str) -> Result<Vec<Job>, StoreError> {
        self.with(|c| {
            c.query(sql, &[&arg])?
                .iter()
                .map(|r| decode_job(r.try_get(0)?))
                .collect()
        })
    }

    fn outbox_query(
        &self,
        sql: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<Vec<Pending>, StoreError> {
        self.with(|c| {
            c.query(sql, params)?
                .iter()
                .map(|r| {
                    let seq: i64 = r.try_get(1)?;
                    let entry: Json<Stored> = r.try_get(2)?;
                    Ok(entry
                        .0
                        .pending(job_id(r.try_get(0)?), u64::try_from(seq).unwrap_or(0)))
                })
                .collect()
        })
    }
}

impl Reads for PgReads {
    fn needs_a_thread_off_the_runtime(&self) -> bool {
        true
    }

    fn get(&self, id: JobId) -> Result<Option<Job>, StoreError> {
        self.with(|c| {
            match c.query_opt(
                "SELECT record::text FROM jobs WHERE id = $1",
                &[&number(id)],
            )? {
                Some(row) => Ok(Some(decode_job(row.try_get(0)?)?)),
                None => Ok(None),
            }
        })
    }

    fn slot_holder(&self, slot: &str) -> Result<Option<JobId>, StoreError> {
        self.with(
            |c| match c.query_opt("SELECT job FROM slots WHERE slot = $1", &[&slot])? {
                Some(r) => Ok(Some(job_id(r.try_get(0)?))),
                None => Ok(None),
            },
        )
    }

    fn owners(&self, resource: &str) -> Result<Owners, StoreError> {
        self.with(|c| {
            match c.query_opt("SELECT entry FROM owners WHERE resource = $1", &[&resource])? {
                Some(r) => Ok(r.try_get::<_, Json<Owners>>(0)?.0),
                None => Ok(Owners::default()),
            }
        })
    }

    fn audit_log(&self, job: Option<JobId>) -> Result<Vec<AuditEvent>, StoreError> {
        self.with(|c| {
            let rows = match job {
                Some(id) => c.query(
                    "SELECT event FROM audit WHERE job = $1 ORDER BY seq",
                    &[&number(id)],
                )?,
                None => c.query("SELECT event FROM audit ORDER BY seq", &[])?,
            };
            rows.iter()
                .map(|r| Ok(r.try_get::<_, Json<AuditEvent>>(0)?.0))
                .collect()
        })
    }

    fn jobs_in_state(&self, state: StateKey) -> Result<Vec<Job>, StoreError> {
        self.jobs_where(
            "SELECT record::text FROM jobs WHERE state = $1 ORDER BY id",
            state.as_str(),
        )
    }

    fn job_counts(&self) -> Result<Vec<(StateKey, usize)>, StoreError> {
        let counted: Vec<(String, i64)> = self.with(|c| {
            c.query("SELECT state, count(*) FROM jobs GROUP BY state", &[])?
                .iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
                .collect()
        })?;
        Ok(StateKey::ALL
            .into_iter()
            .map(|state| {
                let n = counted
                    .iter()
                    .find(|(s, _)| s == state.as_str())
                    .map_or(0, |(_, n)| usize::try_from(*n).unwrap_or(0));
                (state, n)
            })
            .collect())
    }

    fn jobs_requested_by(&self, user: &UserRef) -> Result<Vec<Job>, StoreError> {
        self.jobs_where(
            "SELECT record::text FROM jobs WHERE requester = $1 ORDER BY id",
            &user.to_string(),
        )
    }

    fn jobs_for_vpc(&self, vpc: &VpcId) -> Result<Vec<Job>, StoreError> {
        self.jobs_where(
            "SELECT record::text FROM jobs WHERE vpc = $1 ORDER BY id",
            vpc.as_str(),
        )
    }

    fn all_jobs(&self) -> Result<Vec<Job>, StoreError> {
        self.with(|c| {
            c.query("SELECT record::text FROM jobs ORDER BY id", &[])?
                .iter()
                .map(|r| decode_job(r.try_get(0)?))
                .collect()
        })
    }

    fn outbox(&self) -> Result<Vec<Pending>, StoreError> {
        self.outbox_query("SELECT job, seq, entry FROM outbox ORDER BY job, seq", &[])
    }

    fn outbox_head(&self, job: JobId) -> Result<Option<Pending>, StoreError> {
        Ok(self
            .outbox_query(
                "SELECT job, seq, entry FROM outbox WHERE job = $1 ORDER BY seq LIMIT 1",
                &[&number(job)],
            )?
            .into_iter()
            .next())
    }

    fn outbox_heads(&self) -> Result<Vec<Pending>, StoreError> {
        self.outbox_query(
            "SELECT DISTINCT ON (job) job, seq, entry FROM outbox ORDER BY job, seq",
            &[],
        )
    }

    fn unclaimed(&self, states: &[StateKey]) -> Result<Vec<JobId>, StoreError> {
        let states: Vec<&str> = states.iter().map(|s| s.as_str()).collect();
        self.with(|c| {
            c.query(
                "SELECT id FROM jobs WHERE state = ANY($1)
                   AND (lease_owner IS NULL OR lease_until IS NULL OR lease_until <= now())
                 ORDER BY id",
                &[&states],
            )?
            .iter()
            .map(|r| Ok(job_id(r.try_get(0)?)))
            .collect()
        })
    }
}
