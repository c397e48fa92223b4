//! privatelink-bot: a ChatOps bot that sets up AWS PrivateLink from a VPC to
//! Zilliz Cloud Dedicated clusters, with approval, crash-safe jobs and
//! rollback. See ARCHITECTURE.md for the map.

pub mod admin;
pub mod app;
pub mod backoff;
pub mod cards;
pub mod chat;
pub mod check;
pub mod cloud;
pub mod config;
pub mod delivery;
pub mod domain;
pub mod engine;
pub mod health;
pub mod i18n;
pub mod metrics;
pub mod ports;
pub mod retry;
pub mod sandbox;
pub mod secret;
pub mod serve;
pub mod service;
pub mod store;
pub mod supervise;
pub mod telemetry;
pub mod terraform;
pub mod watch;
