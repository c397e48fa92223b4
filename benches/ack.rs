//! Where a slash command's acknowledgement spends its time, piece by piece,
//! measured side by side in one run (`benches/load` measures the whole
//! path over HTTP; this says which part of it is which):
//!
//! - `ack/verify_signature`: Slack's HMAC-SHA256 over `v0:<ts>:<body>`,
//!   checked as `chat::slack::http` checks it (slack-morphism's verifier);
//! - `ack/parse_form`: the signed body read as a slash command
//!   (`serde_urlencoded` into slack-morphism's `SlackCommandEvent`);
//! - `ack/to_inbound`: the command attributed (user and channel ids
//!   parsed into the bot's types);
//! - `ack/rate_bucket/one_person` and `ack/rate_bucket/among_5000`: the
//!   per-person token bucket, for a person alone and among 5,000 tracked;
//! - `ack/parse_command/status` and `ack/parse_command/create`: the grammar;
//! - `ack/help_answer`: the 1.7 KB help, kept per language, made into the
//!   ephemeral JSON body the acknowledgement carries.
//!
//! Run with `cargo bench --bench ack`. No test asserts on time.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use hmac::{KeyInit, Mac};
use privatelink_bot::chat::slack::inbound;
use privatelink_bot::domain::command;
use privatelink_bot::domain::help;
use privatelink_bot::domain::ids::{Platform, UserRef};
use privatelink_bot::i18n::Locale;
use privatelink_bot::sandbox::slack_requests;
use privatelink_bot::service::limits::RateLimit;
use slack_morphism::prelude::*;
use slack_morphism::signature_verifier::SlackEventSignatureVerifier;

const SIGNING: &str = "8f742231b10e8888abcd99yyyzzz85a5";
const CREATE: &str = "create project=proj-abc123 region=aws-us-west-2 vpc=vpc-0123456789abcdef0 \
    subnets=subnet-0123456789abcdef0,subnet-0123456789abcdef1 sg=sg-0123456789abcdef0 \
    clusters=in01-3e5ad8adc38c2f1";

fn signed(body: &str, ts: &str) -> String {
    let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(SIGNING.as_bytes()) else {
        panic!("an HMAC key of any length");
    };
    mac.update(format!("v0:{ts}:{body}").as_bytes());
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

fn ack_path(c: &mut Criterion) {
    let from = slack_requests::From {
        channel: "C0PLATFORM",
        user: "U024BE7LH",
        trigger: "13345224609.738474920.8088930838d88f008e0",
        response_url: "https://hooks.slack.com/commands/T0001/1234/abcd",
    };
    let body = slack_requests::slash_command(&from, CREATE);
    let ts = "1800000000";
    let signature = signed(&body, ts);
    let verifier = SlackEventSignatureVerifier::new(&SlackSigningSecret::new(SIGNING.to_owned()));
    println!("ack: a signed slash command body of {} bytes", body.len());

    let mut group = c.benchmark_group("ack");
    group.bench_function("verify_signature", |b| {
        b.iter(|| black_box(verifier.verify(&signature, &body, ts).is_ok()))
    });
    group.bench_function("parse_form", |b| {
        b.iter(|| black_box(serde_urlencoded::from_str::<SlackCommandEvent>(&body).is_ok()))
    });
    let Ok(event) = serde_urlencoded::from_str::<SlackCommandEvent>(&body) else {
        panic!("the body is a slash command");
    };
    group.bench_function("to_inbound", |b| {
        b.iter(|| black_box(inbound::from_command(&event, Locale::En).is_ok()))
    });

    let one = RateLimit::new(u32::MAX, u32::MAX);
    let alice = UserRef::new(Platform::Slack, "U024BE7LH");
    group.bench_function("rate_bucket/one_person", |b| {
        b.iter(|| black_box(one.admit(&alice)))
    });
    let crowd = RateLimit::new(u32::MAX, u32::MAX);
    let people: Vec<UserRef> = (0..5000)
        .map(|n| UserRef::new(Platform::Slack, format!("U{n:08}")))
        .collect();
    for p in &people {
        crowd.admit(p);
    }
    let mut next = 0;
    group.bench_function("rate_bucket/among_5000", |b| {
        b.iter(|| {
            next = (next + 1) % people.len();
            black_box(crowd.admit(&people[next]))
        })
    });

    group.bench_function("parse_command/status", |b| {
        b.iter(|| black_box(command::parse("status PL-1042").is_ok()))
    });
    group.bench_function("parse_command/create", |b| {
        b.iter(|| black_box(command::parse(CREATE).is_ok()))
    });
    group.bench_function("help_answer", |b| {
        b.iter(|| {
            let body = inbound::ephemeral(&help::help(None, Locale::En));
            black_box(serde_json::to_vec(&body).map(|v| v.len()).unwrap_or(0))
        })
    });
    group.finish();
}

criterion_group!(benches, ack_path);
criterion_main!(benches);
