//! What a supervisor and a scraper ask the bot over HTTP:
//! - `GET /healthz`: the process is alive (the store's liveness holds);
//! - `GET /readyz`: it can take traffic: the store is open and healthy (and
//!   its database, on PostgreSQL, answers) and
//!   every chat transport that must connect out (Socket Mode, the Discord
//!   gateway) is connected, naming those that are not;
//! - `GET /metrics`: the OpenMetrics text format Prometheus scrapes (`metrics`).

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::metrics::Metrics;
use crate::store::Store;

pub use crate::ports::readiness::Transports;

#[derive(Clone)]
struct Health {
    store: Arc<Store>,
    metrics: Arc<Metrics>,
    transports: Arc<Transports>,
}

pub fn routes(store: Arc<Store>, metrics: Arc<Metrics>, transports: Arc<Transports>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .with_state(Health {
            store,
            metrics,
            transports,
        })
}

async fn healthz(State(h): State<Health>) -> (StatusCode, String) {
    match h.store.liveness().stalled() {
        None => (StatusCode::OK, "ok".to_owned()),
        Some(stall) => (StatusCode::SERVICE_UNAVAILABLE, stall.to_string()),
    }
}

async fn readyz(State(h): State<Health>) -> (StatusCode, String) {
    let mut missing = Vec::new();
    if let Some(stall) = h.store.liveness().stalled() {
        missing.push(format!("store: {stall}"));
    }
    if h.store.database_up() == Some(false) {
        missing.push("store: the database does not answer (reconnecting)".to_owned());
    }
    for t in h.transports.down() {
        missing.push(format!("{t}: not connected"));
    }
    if missing.is_empty() {
        (StatusCode::OK, "ready".to_owned())
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, missing.join("\n"))
    }
}

async fn metrics_text(State(h): State<Health>) -> Response {
    let body = scrape(&h.metrics, &h.store).await;
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

/// The metrics text with the store's gauges read now. Counted from the
/// state index: a scrape reads no job, however many the store holds.
pub async fn scrape(metrics: &Metrics, store: &Store) -> String {
    let jobs = store.job_counts().await.ok();
    let outbox = store.outbox().await.ok().map(|w| w.len());
    metrics.render(jobs.as_deref(), outbox)
}
