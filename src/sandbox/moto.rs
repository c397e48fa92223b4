//! Starts moto_server (the AWS emulator from PyPI `moto[server]`) on a free
//! loopback port, installing it into a cached virtualenv when it is missing.
//! Used by the sandbox demo and the integration tests.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::process::{Child, Command};

/// A running moto_server; dropping it kills the process.
pub struct Moto {
    pub url: String,
    child: Child,
}

/// Where the bot keeps its own virtualenv with moto.
pub fn venv_dir() -> PathBuf {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    cache.join("privatelink-bot").join("moto-venv")
}

fn on_path(name: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|p| p.join(name))
        .find(|p| p.is_file())
}

fn works(bin: &Path) -> bool {
    std::process::Command::new(bin)
        .arg("--help")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Finds moto_server: `PRIVATELINK_BOT_MOTO_SERVER`, the bot's virtualenv,
/// the PATH, or else installs `moto[server]` into the virtualenv.
pub fn moto_server_binary() -> anyhow::Result<PathBuf> {
    if let Some(p) = std::env::var_os("PRIVATELINK_BOT_MOTO_SERVER") {
        return Ok(PathBuf::from(p));
    }
    let venv = venv_dir();
    let bin = venv.join("bin").join("moto_server");
    if bin.is_file() && works(&bin) {
        return Ok(bin);
    }
    if let Some(p) = on_path("moto_server").filter(|p| works(p)) {
        return Ok(p);
    }
    // Tests start many sandboxes at once, in threads or processes: one
    // installs while the others wait on the lock, then find it installed.
    let parent = venv.parent().unwrap_or(&venv);
    std::fs::create_dir_all(parent)?;
    let lock = std::fs::File::create(parent.join("moto-venv.lock"))?;
    lock.lock()?;
    if bin.is_file() && works(&bin) {
        return Ok(bin);
    }
    eprintln!(
        "moto_server not found; installing moto[server] into {}",
        venv.display()
    );
    let python = on_path("python3").context("python3 is needed to install moto[server]")?;
    let status = std::process::Command::new(&python)
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .context("could not run python3 -m venv")?;
    if !status.success() {
        bail!("python3 -m venv {} failed", venv.display());
    }
    let status = std::process::Command::new(venv.join("bin").join("pip"))
        .args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "moto[server]>=5,<6",
        ])
        .status()
        .context("could not run pip")?;
    if !status.success() || !bin.is_file() {
        bail!("pip install 'moto[server]' failed");
    }
    Ok(bin)
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl Moto {
    pub async fn start() -> anyhow::Result<Self> {
        let bin = moto_server_binary()?;
        let mut last_error = None;
        // The free port may be taken between probing and binding; try again.
        for _ in 0..3 {
            match Self::start_once(&bin).await {
                Ok(m) => return Ok(m),
                Err(e) => last_error = Some(e),
            }
        }
        Err(last_error.unwrap_or_else(|| anyhow::anyhow!("moto_server did not start")))
    }

    async fn start_once(bin: &Path) -> anyhow::Result<Self> {
        let port = free_port()?;
        let mut child = Command::new(bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("could not start {}", bin.display()))?;
        let url = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        // Readiness: moto answers its own API once it serves requests.
        loop {
            if let Some(status) = child.try_wait()? {
                bail!("moto_server exited early ({status})");
            }
            if client
                .get(format!("{url}/moto-api/"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return Ok(Self { url, child });
            }
            if Instant::now() > deadline {
                bail!("moto_server did not answer on {url} within 60s");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Stops the server and waits for it to exit.
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}
