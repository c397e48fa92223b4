//! The load generator: distinct, freshly signed slash commands, sent in a
//! closed loop (as fast as answers come) or an open loop (on schedule,
//! latency counted from when each was due).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use hmac::{KeyInit, Mac};
use privatelink_bot::sandbox::slack_requests;

use crate::{CLOSED_FOR, OPEN_FOR, OPEN_RATE, SIGNING};

pub(crate) fn sign(ts: u64, body: &str) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(SIGNING.as_bytes()).expect("key");
    mac.update(format!("v0:{ts}:{body}").as_bytes());
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

pub(crate) fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A distinct, freshly signed slash command.
pub(crate) fn signed_command(n: u64, user: &str, text: &str) -> (String, String, String) {
    let trigger = format!("{n}.{}", rand::random::<u32>());
    let from = slack_requests::From {
        channel: "C0LOAD",
        user,
        trigger: &trigger,
        response_url: "http://127.0.0.1:9/response",
    };
    let body = slack_requests::slash_command(&from, text);
    let ts = unix_now();
    let signature = sign(ts, &body);
    (body, ts.to_string(), signature)
}

#[derive(Default)]
pub(crate) struct Stats {
    pub(crate) sent: u64,
    pub(crate) non_2xx: u64,
    pub(crate) unanswered: u64,
    pub(crate) latencies: Vec<Duration>,
    pub(crate) elapsed: Duration,
}

impl Stats {
    pub(crate) fn percentile(&self, p: f64) -> Duration {
        let mut l = self.latencies.clone();
        l.sort();
        l.get(((l.len() as f64 * p) as usize).min(l.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    }
    pub(crate) fn throughput(&self) -> f64 {
        self.sent as f64 / self.elapsed.as_secs_f64()
    }
}

pub(crate) struct Target {
    pub(crate) name: &'static str,
    pub(crate) url: String,
    /// Whether an acknowledgement's body is the answer (the bot and Bolt
    /// answer help in it; bare axum answers nothing, as a ceiling).
    pub(crate) answers: bool,
}

pub(crate) async fn one(http: &reqwest::Client, target: &Target, n: u64) -> (bool, bool, Duration) {
    let (body, ts, signature) = signed_command(n, &format!("U{n:08}"), "help");
    let started = Instant::now();
    let resp = http
        .post(&target.url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-slack-request-timestamp", ts)
        .header("x-slack-signature", signature)
        .body(body)
        .send()
        .await;
    match resp {
        Ok(r) => {
            let ok = r.status().is_success();
            let text = r.text().await.unwrap_or_default();
            let took = started.elapsed();
            (
                ok,
                !target.answers || text.contains("Zilliz Cloud Dedicated"),
                took,
            )
        }
        Err(_) => (false, false, started.elapsed()),
    }
}

pub(crate) async fn closed_loop(target: &Target, connections: usize) -> Stats {
    closed_loop_for(target, connections, CLOSED_FOR).await
}

/// As `closed_loop`, for `duration`.
pub(crate) async fn closed_loop_for(
    target: &Target,
    connections: usize,
    duration: std::time::Duration,
) -> Stats {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .build()
        .expect("client");
    let counter = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            let (http, counter) = (http.clone(), counter.clone());
            let target = Target {
                name: target.name,
                url: target.url.clone(),
                answers: target.answers,
            };
            tokio::spawn(async move {
                let mut s = Stats::default();
                while started.elapsed() < duration {
                    let n = counter.fetch_add(1, Ordering::Relaxed);
                    let (ok, answered, took) = one(&http, &target, n).await;
                    s.sent += 1;
                    s.non_2xx += u64::from(!ok);
                    s.unanswered += u64::from(ok && !answered);
                    s.latencies.push(took);
                }
                s
            })
        })
        .collect();
    let mut total = Stats::default();
    for w in workers {
        let s = w.await.expect("worker");
        total.sent += s.sent;
        total.non_2xx += s.non_2xx;
        total.unanswered += s.unanswered;
        total.latencies.extend(s.latencies);
    }
    total.elapsed = started.elapsed();
    total
}

/// Commands sent at a fixed rate whatever the answers do; latency counted
/// from when each was due, so a stall is not hidden by waiting for it.
pub(crate) async fn open_loop(target: &Target, base: u64) -> Stats {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .expect("client");
    let total = OPEN_RATE * OPEN_FOR.as_secs();
    let gap = Duration::from_secs(1) / u32::try_from(OPEN_RATE).expect("rate");
    let started = Instant::now();
    let results = futures_util::stream::iter(0..total)
        .map(|i| {
            let (http, target) = (&http, target);
            async move {
                let due = started + gap * u32::try_from(i).expect("count");
                tokio::time::sleep_until(due.into()).await;
                let (ok, answered, _) = one(http, target, base + i).await;
                (ok, answered, due.elapsed())
            }
        })
        .buffer_unordered(4096)
        .collect::<Vec<_>>()
        .await;
    let mut s = Stats {
        elapsed: started.elapsed(),
        ..Stats::default()
    };
    for (ok, answered, took) in results {
        s.sent += 1;
        s.non_2xx += u64::from(!ok);
        s.unanswered += u64::from(ok && !answered);
        s.latencies.push(took);
    }
    s
}

pub(crate) fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}
