//! Integration tests: the bot driven over its real interfaces, against
//! moto_server (started by the harness on a free port) and the fake Zilliz
//! Cloud control plane. One binary, so the AWS SDK is linked once.

mod admin;
mod approvals;
mod binary;
mod burst;
mod calls;
mod chaos;
mod check_config;
mod china;
mod crash;
mod discord;
mod fake_discord;
mod fake_gateway;
mod fake_slack;
mod fake_socket;
mod flow;
mod gateway;
mod harness;
mod iam_enforced;
mod iam_policy;
mod intake;
mod kill;
mod language;
mod liveness;
mod observability;
mod outbox;
mod packaging;
mod parsing;
mod preflight;
mod races;
mod refusals;
mod route53;
mod secrets;
mod sharing;
mod slack;
mod slack_bot;
mod socket_mode;
mod store;
mod stress;
mod strict_aws;
mod teardown;
mod waits;
mod whitelist;
mod workers;
mod zilliz;
