//! The PostgreSQL schema, as numbered migrations run at start.
//!
//! Each migration runs once, in order, in one transaction with its
//! `schema_migrations` row, under an advisory lock: two replicas starting
//! at once never both migrate. A database at a version newer than this
//! build knows is refused: an older replica must not write to tables it
//! does not understand (a rolling update runs the newer release first).

use postgres::Client;

use crate::store::StoreError;

/// The newest schema this build knows.
pub const SCHEMA_VERSION: i64 = 1;

/// The advisory lock migrations run under (any constant no other lock uses).
const MIGRATION_LOCK: i64 = 0x706c_2d6d_6967; // "pl-mig"

/// The migrations, by version: never edit one that has shipped, add the next.
const MIGRATIONS: &[(i64, &str)] = &[(
    1,
    r#"
CREATE TABLE store_meta (key text PRIMARY KEY, value text NOT NULL);

-- Job numbers are never reused (a sequence never goes back), and start
-- where the embedded store's do: short, human ids such as PL-1042.
CREATE SEQUENCE job_numbers START WITH 1000 MINVALUE 1000;

CREATE TABLE jobs (
    id          bigint PRIMARY KEY,
    -- The store's change counter: every change is a compare-and-set on it.
    version     bigint NOT NULL,
    state       text   NOT NULL,
    requester   text   NOT NULL,
    vpc         text   NOT NULL,
    record      jsonb  NOT NULL,
    -- Which replica works on the job, under which claim, until when.
    lease_owner text,
    lease_epoch bigint NOT NULL DEFAULT 0,
    lease_until timestamptz
);
CREATE INDEX jobs_by_state ON jobs (state, id);
CREATE INDEX jobs_by_requester ON jobs (requester, id);
CREATE INDEX jobs_by_vpc ON jobs (vpc, id);

-- One active job per (VPC, region): the primary key is the rule.
CREATE TABLE slots (
    slot text   PRIMARY KEY,
    job  bigint NOT NULL REFERENCES jobs (id)
);

-- Per cloud resource: who made it, who uses it.
CREATE TABLE owners (resource text PRIMARY KEY, entry jsonb NOT NULL);

CREATE TABLE audit (
    seq   bigserial PRIMARY KEY,
    job   bigint,
    event jsonb NOT NULL
);
CREATE INDEX audit_by_job ON audit (job, seq);

-- Chat effects waiting for delivery, per job in order, and each job's
-- bookkeeping of its living messages.
CREATE SEQUENCE outbox_seq START WITH 1;
CREATE TABLE outbox (
    job   bigint NOT NULL,
    seq   bigint NOT NULL,
    entry jsonb  NOT NULL,
    PRIMARY KEY (job, seq)
);
CREATE TABLE outbox_meta (job bigint PRIMARY KEY, meta jsonb NOT NULL);

-- Platform delivery ids seen: shared, so a retry that reaches another
-- replica is still one effect.
CREATE TABLE deliveries (id text PRIMARY KEY, at bigint NOT NULL);
"#,
)];

/// Brings the schema up to [`SCHEMA_VERSION`], or refuses a newer one.
/// Returns the version found before.
pub(super) fn migrate(client: &mut Client) -> Result<i64, StoreError> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version    bigint PRIMARY KEY,
            applied_at timestamptz NOT NULL DEFAULT now()
        )",
    )?;
    let found: i64 = tx
        .query_one(
            "SELECT coalesce(max(version), 0) FROM schema_migrations",
            &[],
        )?
        .try_get(0)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            found,
            known: SCHEMA_VERSION,
        });
    }
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > found) {
        tracing::info!(version, "migrating the store's schema");
        tx.batch_execute(sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (version) VALUES ($1)",
            &[version],
        )?;
    }
    tx.commit()?;
    Ok(found)
}

/// Refuses the database unless it is a `wanted` store; marks a new one.
pub(super) fn settle(
    client: &mut Client,
    wanted: crate::store::StoreKind,
) -> Result<(), StoreError> {
    let mut tx = client.transaction()?;
    tx.execute(
        "INSERT INTO store_meta (key, value) VALUES ('kind', $1) ON CONFLICT (key) DO NOTHING",
        &[&wanted.as_str()],
    )?;
    let found: String = tx
        .query_one("SELECT value FROM store_meta WHERE key = 'kind'", &[])?
        .try_get(0)?;
    tx.commit()?;
    match crate::store::StoreKind::parse(found.as_bytes()) {
        Some(kind) if kind == wanted => Ok(()),
        Some(kind) => Err(StoreError::WrongKind {
            found: kind,
            wanted,
        }),
        None => Err(StoreError::UnknownKind(found)),
    }
}
