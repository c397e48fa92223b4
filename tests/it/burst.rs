//! A burst of signed slash commands well past the intake limit, at the real
//! binary (`serve`) over HTTP: every request is acknowledged (200, "busy"
//! for those beyond the limit, nothing started for them), every accepted
//! one is answered, the process's memory stays bounded and comes back
//! down, and afterwards a fresh command is answered normally.

use futures_util::StreamExt;

use crate::binary::{ServeBinary, memory};

const BURST: usize = 1500;
const CONCURRENCY: usize = 150;
const MAX_IN_FLIGHT: usize = 16;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_burst_past_the_limit_the_bot_answers_and_its_memory_comes_back() {
    let bot = ServeBinary::start(
        &format!("[intake]\nmax_in_flight = {MAX_IN_FLIGHT}\n"),
        &[("RUST_LOG", "warn")],
    )
    .await;
    let (pid, slack) = (bot.pid(), &bot.slack);
    let plan = format!("plan {}", bot.sandbox.create_args());
    warm_up(&bot, &plan).await;
    let (baseline, _) = memory(pid);

    let acks = burst(&bot, &plan).await;
    let (_, peak) = memory(pid);
    assert!(
        acks.iter().all(|(_, s, _)| *s == 200),
        "every request acknowledged"
    );
    let busy = acks.iter().filter(|(_, _, t)| t.contains("busy")).count();
    let accepted: Vec<usize> = acks
        .iter()
        .filter(|(_, _, t)| t.is_empty())
        .map(|(n, _, _)| *n)
        .collect();
    assert_eq!(busy + accepted.len(), BURST, "an ack is empty or says busy");
    assert!(busy > 0, "the burst went past the limit");
    assert!(!accepted.is_empty());

    // Every accepted command is answered.
    slack
        .wait_for("an answer to every accepted command", |c| {
            let answered: std::collections::HashSet<&str> = c
                .iter()
                .filter_map(|c| c.method.strip_prefix("response_url/B"))
                .collect();
            accepted
                .iter()
                .all(|n| answered.contains(n.to_string().as_str()))
        })
        .await;
    // A fresh command is answered normally: at once when it needs no cloud
    // call, and through response_url when it does.
    let (status, said) = bot.command("UAFTER", "status PL-1", "A1").await;
    assert_eq!((status, said.as_str()), (200, "There is no job PL-1."));
    let (status, said) = bot.command("UAFTER", &plan, "A2").await;
    assert_eq!((status, said.as_str()), (200, ""));
    slack
        .wait_for("the answer after the burst", |c| {
            c.iter().any(|c| c.method == "response_url/A2")
        })
        .await;

    let (after, _) = memory(pid);
    eprintln!(
        "burst of {BURST}: {} accepted, {busy} busy; RSS {baseline} KiB before, peak {peak} KiB, {after} KiB after",
        accepted.len()
    );
    // Bounded: the work in flight is capped, so a burst adds little. The
    // unbounded version grew by gigabytes.
    assert!(
        peak < baseline + 128 * 1024,
        "peak {peak} KiB against {baseline} KiB before the burst"
    );
    assert!(
        after < baseline + 64 * 1024,
        "{after} KiB after the burst against {baseline} KiB before"
    );
}

/// Warm up, so the baseline holds what a working bot holds.
async fn warm_up(bot: &ServeBinary, plan: &str) {
    for n in 0..5 {
        let (status, _) = bot
            .command(&format!("UWARM{n}"), plan, &format!("W{n}"))
            .await;
        assert_eq!(status, 200);
    }
    bot.slack
        .wait_for("the warm-up answers", |c| {
            c.iter()
                .filter(|c| c.method.starts_with("response_url/W"))
                .count()
                == 5
        })
        .await;
}

/// The burst: distinct people (the per-person rate is not what is tested),
/// distinct triggers, all at once. Each one's number, status and words.
async fn burst(bot: &ServeBinary, plan: &str) -> Vec<(usize, u16, String)> {
    futures_util::stream::iter(0..BURST)
        .map(|n| async move {
            let (status, said) = bot
                .command(&format!("UBURST{n:05}"), plan, &format!("B{n}"))
                .await;
            (n, status, said)
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await
}
