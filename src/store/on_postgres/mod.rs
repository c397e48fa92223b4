//! The PostgreSQL backend, for several replicas on one database: the same
//! tables the embedded store keeps ([`schema`]), changes on the writer's
//! connection ([`tx`]), queries on a small pool ([`reads`]), and what only
//! a shared database needs ([`Extras`]): wake-ups by `LISTEN/NOTIFY` and
//! singletons held by advisory locks.

mod extras;
mod reads;
mod schema;
mod tx;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

pub use extras::{Extras, Singleton};
pub use schema::SCHEMA_VERSION;

use crate::secret::Secret;
use crate::store::backend::Reads;
use crate::store::writer::Opened;
use crate::store::{StoreError, StoreKind};

/// Channels the replicas notify each other on.
pub(super) const NOTIFY_OUTBOX: &str = "privatelink_outbox";
pub(super) const NOTIFY_JOBS: &str = "privatelink_jobs";

/// Where the database is.
#[derive(Clone, Debug)]
pub struct PostgresOptions {
    /// A libpq-style URL or key=value string; it may hold a password, so
    /// it is never logged.
    pub url: Secret,
    /// How long a connection attempt may take.
    pub connect_timeout: Duration,
}

impl PostgresOptions {
    pub fn new(url: Secret) -> Self {
        Self {
            url,
            connect_timeout: Duration::from_secs(5),
        }
    }

    /// The parsed connection settings; an unparsable URL is told without
    /// its text.
    pub(super) fn config(&self) -> Result<tokio_postgres::Config, StoreError> {
        let mut config = tokio_postgres::Config::from_str(self.url.expose()).map_err(|_| {
            StoreError::Settings(
                "the database URL cannot be read (expected postgres://user@host:port/db or key=value pairs)"
                    .to_owned(),
            )
        })?;
        config.connect_timeout(self.connect_timeout);
        config.application_name("privatelink-bot");
        Ok(config)
    }
}

/// Opens synchronous connections (the writer's, the reads' pool).
#[derive(Clone)]
pub(super) struct Connector {
    config: postgres::Config,
}

impl Connector {
    fn new(options: &PostgresOptions) -> Result<Self, StoreError> {
        Ok(Self {
            config: postgres::Config::from(options.config()?),
        })
    }

    pub(super) fn connect(&self) -> Result<postgres::Client, StoreError> {
        Ok(self.config.connect(postgres::NoTls)?)
    }
}

/// Connects, migrates and checks the store's kind; run on the writer
/// thread.
pub(super) fn open(options: &PostgresOptions, kind: StoreKind) -> Result<Opened, StoreError> {
    let connector = Connector::new(options)?;
    let mut client = connector.connect()?;
    let before = schema::migrate(&mut client)?;
    if before < SCHEMA_VERSION {
        tracing::info!(from = before, to = SCHEMA_VERSION, "store schema migrated");
    }
    schema::settle(&mut client, kind)?;
    let reads: Arc<dyn Reads> = Arc::new(reads::PgReads::new(connector.clone()));
    let backend = tx::PgBackend {
        connector,
        client,
        open: false,
        outbox_written: false,
        statements: Default::default(),
        broken: false,
    };
    Ok((Box::new(backend), reads))
}
