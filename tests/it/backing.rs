//! The store's backends for one suite: each store test runs once on sled
//! and once on a PostgreSQL server of its own (`sandbox::postgres`).

use std::sync::Arc;

use privatelink_bot::sandbox::postgres::Postgres;
use privatelink_bot::secret::Secret;
use privatelink_bot::store::{PostgresOptions, Store, StoreOptions};

/// Where a test's store lives; opening it again reaches the same tables.
pub enum Backing {
    Sled(tempfile::TempDir),
    /// The server lives as long as the backing (it stops when dropped).
    Postgres {
        _server: Arc<Postgres>,
        url: String,
    },
}

impl Backing {
    pub fn sled() -> Self {
        Backing::Sled(tempfile::tempdir().expect("temp dir"))
    }

    /// A fresh server with one empty database.
    pub async fn postgres() -> Self {
        let server = tokio::task::spawn_blocking(|| Postgres::start(false))
            .await
            .expect("joined")
            .expect("PostgreSQL starts");
        let url = server.database().await.expect("a database");
        Backing::Postgres {
            _server: Arc::new(server),
            url,
        }
    }

    pub async fn open(&self, options: StoreOptions) -> Store {
        match self {
            Backing::Sled(dir) => Store::open(&dir.path().join("store.sled"), options).await,
            Backing::Postgres { url, .. } => {
                Store::open_postgres(PostgresOptions::new(Secret::new(url.clone())), options).await
            }
        }
        .expect("the store opens")
    }

    /// The least config the admin commands need for this store, written
    /// into `dir`, and the environment they run with.
    pub fn admin(
        &self,
        dir: &tempfile::TempDir,
    ) -> (std::path::PathBuf, Vec<(&'static str, String)>) {
        match self {
            Backing::Sled(store) => (
                crate::harness::admin_config(dir, &store.path().join("store.sled")),
                Vec::new(),
            ),
            Backing::Postgres { url, .. } => {
                let config = dir.path().join("bot.toml");
                std::fs::write(
                    &config,
                    "[store]\nbackend = \"postgres\"\n[zilliz]\nbase_url = \"global\"\n[policy]\napprovers = [\"console:bob\"]\n",
                )
                .expect("config written");
                (config, vec![("PRIVATELINK_BOT_DATABASE_URL", url.clone())])
            }
        }
    }

    /// Points a config's store here.
    pub fn configure(&self, config: &mut privatelink_bot::config::Config) {
        match self {
            Backing::Sled(dir) => config.store.path = dir.path().join("store.sled"),
            Backing::Postgres { url, .. } => {
                config.store.backend = privatelink_bot::config::StoreBackend::Postgres;
                config.store.database_url = Some(Secret::new(url.clone()));
            }
        }
    }
}

/// Runs the async test function `$test(backing)` as two tests:
/// `$test::on_sled` and `$test::on_postgres`.
#[macro_export]
macro_rules! on_both_backends {
    ($test:ident) => {
        mod $test {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sled() {
                super::$test($crate::backing::Backing::sled()).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                super::$test($crate::backing::Backing::postgres().await).await
            }
        }
    };
}
