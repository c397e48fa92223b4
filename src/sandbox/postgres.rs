//! Starts a PostgreSQL server of its own from the machine's binaries
//! (`initdb`, `pg_ctl`) on a free loopback port, for the tests and the
//! benchmarks, as `moto` does for AWS. PostgreSQL refuses to run as root:
//! as root, the server runs as the machine's `postgres` user, on a
//! directory that user owns.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, bail};

/// A running server; dropping it stops the server and removes its files.
pub struct Postgres {
    dir: tempfile::TempDir,
    port: u16,
    user: Option<String>,
}

/// Where the server's binaries are: `PRIVATELINK_BOT_PG_BIN`, or the PATH.
fn binary(name: &str) -> PathBuf {
    match std::env::var_os("PRIVATELINK_BOT_PG_BIN") {
        Some(dir) => Path::new(&dir).join(name),
        None => PathBuf::from(name),
    }
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

impl Postgres {
    /// Starts a fresh server. `durable` false turns fsync off (tests: the
    /// bot's guarantees are about commits, which stay; benchmarks keep it).
    pub fn start(durable: bool) -> anyhow::Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("privatelink-bot-pg")
            .tempdir()?;
        let user = running_as_root().then(|| "postgres".to_owned());
        if let Some(user) = &user {
            let chown = Command::new("chown")
                .arg("-R")
                .arg(user)
                .arg(dir.path())
                .status()?;
            if !chown.success() {
                bail!("could not give {} to {user}", dir.path().display());
            }
        }
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let server = Self { dir, port, user };
        let data = server.data();
        server.run(
            binary("initdb"),
            &[
                "-D",
                &data,
                "-A",
                "trust",
                "-U",
                "bot",
                "--no-sync",
                "-E",
                "UTF8",
            ],
        )?;
        let fsync = if durable { "on" } else { "off" };
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync={fsync} -c max_connections=200",
            server.dir.path().display()
        );
        let log = format!("{}/server.log", server.dir.path().display());
        server.run(
            binary("pg_ctl"),
            &["-D", &data, "-o", &options, "-l", &log, "-w", "start"],
        )?;
        Ok(server)
    }

    fn data(&self) -> String {
        format!("{}/data", self.dir.path().display())
    }

    fn run(&self, program: PathBuf, args: &[&str]) -> anyhow::Result<()> {
        let mut command = match &self.user {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&program);
                c
            }
            None => Command::new(&program),
        };
        let out = command
            .args(args)
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("could not run {}", program.display()))?;
        if !out.status.success() {
            bail!(
                "{} failed: {}{}",
                program.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(())
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL of database `name` on this server.
    pub fn url(&self, name: &str) -> String {
        format!("postgres://bot@127.0.0.1:{}/{name}", self.port)
    }

    /// Creates a new, empty database and returns its URL.
    pub async fn database(&self) -> anyhow::Result<String> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let name = format!("bot_{}", NEXT.fetch_add(1, Ordering::Relaxed));
        let (client, connection) =
            tokio_postgres::connect(&self.url("postgres"), tokio_postgres::NoTls).await?;
        let driver = tokio::spawn(connection);
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await?;
        drop(client);
        let _ = driver.await;
        Ok(self.url(&name))
    }
}

impl Postgres {
    /// Stops the server at once, as a crash or an outage would.
    pub fn stop(&self) -> anyhow::Result<()> {
        let data = self.data();
        self.run(binary("pg_ctl"), &["-D", &data, "-m", "immediate", "stop"])
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}
