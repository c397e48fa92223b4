//! Part 1 of the load harness: signed slash commands against the bot, the
//! two Bolt servers and a bare axum handler, side by side (see `main.rs`).

use std::collections::HashMap;
use std::process::Stdio;
use std::time::Duration;

use privatelink_bot::sandbox::Sandbox;

use crate::drive::{self, Target, closed_loop, ms, open_loop};
use crate::servers::{
    BOLT_APP, BOLT_ASYNC_APP, bolt_async_venv, bolt_venv, free_port, memory, quiet_slack,
    server_command, start_bot, terminate, wait_until_up,
};
use crate::{CLOSED_CONNECTIONS, SIGNING, TOKEN};

/// Throughput by (target, connections).
type Throughput = HashMap<(usize, usize), f64>;

pub(crate) async fn commands(sandbox: &Sandbox) {
    println!(
        "\n== signed slash commands at POST /slack/commands (answered in the acknowledgement) =="
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let slack = quiet_slack().await;
    let bot = start_bot(
        sandbox,
        &sandbox.moto.url,
        &dir.path().join("store.sled"),
        &slack,
    )
    .await;
    let bot_pid = bot.child.id().unwrap_or_default();
    let mut others = Alternatives::start(dir.path(), &slack).await;
    let targets = [
        Target {
            name: "privatelink-bot",
            url: format!("{}/slack/commands", bot.url),
            answers: true,
        },
        Target {
            name: "Bolt async (uvicorn ×2, pbr)",
            url: format!("http://127.0.0.1:{}/slack/commands", others.async_port),
            answers: true,
        },
        Target {
            name: "Bolt sync (gunicorn + Flask, pbr)",
            url: format!("http://127.0.0.1:{}/slack/commands", others.bolt_port),
            answers: true,
        },
        Target {
            name: "bare axum 200",
            url: format!("http://127.0.0.1:{}/slack/commands", others.bare_port),
            answers: false,
        },
    ];
    let throughput = measure(&targets).await;
    print_ratios(&throughput);
    // After the bursts, a fresh command is answered normally.
    let after = bot.command(u64::MAX - 1, "UAFTER", "help").await;
    println!(
        "after the load: a fresh command {} answered",
        if after.contains("Zilliz Cloud Dedicated") {
            "is"
        } else {
            "is NOT"
        }
    );
    let (rss, peak) = memory(bot_pid);
    println!("bot memory after the command load: RSS {rss:.1} MiB, peak {peak:.1} MiB");
    bot.stop().await;
    others.stop().await;
}

/// The servers the bot is measured against, each a process of its own.
struct Alternatives {
    bolt: tokio::process::Child,
    bolt_async: tokio::process::Child,
    bare: tokio::process::Child,
    bolt_port: u16,
    async_port: u16,
    bare_port: u16,
}

impl Alternatives {
    async fn start(dir: &std::path::Path, slack: &str) -> Self {
        let venv = bolt_venv();
        let bolt_port = free_port();
        let workers = 2 * std::thread::available_parallelism().map_or(1, |n| n.get()) + 1;
        std::fs::write(dir.join("bolt_app.py"), BOLT_APP).expect("bolt app");
        let bolt = server_command(venv.join("bin/gunicorn"))
            .args(["--chdir", &dir.display().to_string()])
            .args(["-w", &workers.to_string()])
            .args(["-b", &format!("127.0.0.1:{bolt_port}")])
            .args(["--log-level", "warning", "bolt_app:flask_app"])
            .env("SLACK_BOT_TOKEN", TOKEN)
            .env("SLACK_SIGNING_SECRET", SIGNING)
            .env("SLACK_API_URL", format!("{slack}/api/"))
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("gunicorn starts");
        let async_venv = bolt_async_venv();
        let async_port = free_port();
        std::fs::write(dir.join("bolt_async_app.py"), BOLT_ASYNC_APP).expect("bolt async app");
        let bolt_async = server_command(async_venv.join("bin/uvicorn"))
            .args(["--app-dir", &dir.display().to_string()])
            .args(["--workers", "2", "--host", "127.0.0.1"])
            .args(["--port", &async_port.to_string()])
            .args(["--log-level", "warning", "bolt_async_app:api"])
            .env("SLACK_BOT_TOKEN", TOKEN)
            .env("SLACK_SIGNING_SECRET", SIGNING)
            .env("SLACK_API_URL", format!("{slack}/api/"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("uvicorn starts");
        let bare_port = free_port();
        let bare = server_command(std::env::current_exe().expect("this harness"))
            .env("LOAD_BARE_AXUM_PORT", bare_port.to_string())
            .kill_on_drop(true)
            .spawn()
            .expect("bare axum starts");
        wait_until_up(&format!("http://127.0.0.1:{bolt_port}/"), "gunicorn").await;
        wait_until_up(&format!("http://127.0.0.1:{async_port}/"), "uvicorn").await;
        wait_until_up(&format!("http://127.0.0.1:{bare_port}/"), "bare axum").await;
        Self {
            bolt,
            bolt_async,
            bare,
            bolt_port,
            async_port,
            bare_port,
        }
    }

    async fn stop(&mut self) {
        terminate(&mut self.bolt_async).await;
        terminate(&mut self.bolt).await;
        let _ = self.bare.kill().await;
    }
}

/// Every target warmed (Bolt's workers each call auth.test on their first
/// request), then closed loops side by side and an open loop each.
async fn measure(targets: &[Target]) -> Throughput {
    for t in targets {
        let _ = drive::closed_loop_for(t, 8, Duration::from_secs(2)).await;
    }
    let mut throughput = Throughput::new();
    println!(
        "{:<36} {:>6} {:>12} {:>10} {:>10} {:>8} {:>10}",
        "server", "conns", "closed cmd/s", "p50", "p99", "non-2xx", "unanswered"
    );
    for connections in CLOSED_CONNECTIONS {
        for (i, t) in targets.iter().enumerate() {
            let c = closed_loop(t, connections).await;
            println!(
                "{:<36} {:>6} {:>12.0} {:>10} {:>10} {:>8} {:>10}",
                t.name,
                connections,
                c.throughput(),
                ms(c.percentile(0.5)),
                ms(c.percentile(0.99)),
                c.non_2xx,
                c.unanswered,
            );
            throughput.insert((i, connections), c.throughput());
        }
    }
    println!(
        "{:<36} {:>10} {:>10} {:>8}",
        "open loop 500/s", "p50", "p99", "non-2xx"
    );
    for (i, t) in targets.iter().enumerate() {
        let o = open_loop(t, 1_000_000_000 * (i as u64 + 1)).await;
        println!(
            "{:<36} {:>10} {:>10} {:>8}",
            t.name,
            ms(o.percentile(0.5)),
            ms(o.percentile(0.99)),
            o.non_2xx + o.unanswered,
        );
    }
    throughput
}

/// The bot against each alternative (targets in `commands`' order), and
/// the headline: against the faster Bolt, at whichever load it is smaller.
fn print_ratios(throughput: &Throughput) {
    let tp = |i: usize, c: usize| throughput.get(&(i, c)).copied().unwrap_or(f64::NAN);
    let mut headline = f64::INFINITY;
    for c in CLOSED_CONNECTIONS {
        let (ours, fastest_bolt) = (tp(0, c), tp(1, c).max(tp(2, c)));
        headline = headline.min(ours / fastest_bolt);
        println!(
            "ratios at {c} connections: bot / bare axum = {:.2}; bot / Bolt async = {:.1}×; bot / Bolt sync = {:.1}×",
            ours / tp(3, c),
            ours / tp(1, c),
            ours / tp(2, c),
        );
    }
    println!(
        "headline: bot / Bolt at its fastest = {headline:.1}× (the smaller ratio of the two loads)"
    );
}
