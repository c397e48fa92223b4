//! What a supervisor and a scraper ask the bot over HTTP:
//! - `GET /healthz`: the process is alive (the store's liveness holds);
//! - `GET /readyz`: it can take traffic: the store is open and healthy and
//!   every chat transport that must connect out (Socket Mode, the Discord
//!   gateway) is connected, naming those that are not;
//! - `GET /metrics`: the OpenMetrics text format Prometheus scrapes (`metrics`).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::metrics::Metrics;
use crate::store::Store;

/// The chat transports that connect out, and whether each is connected.
#[derive(Default)]
pub struct Transports {
    connected: Mutex<BTreeMap<String, bool>>,
}

impl Transports {
    /// Registers `name` as a transport readiness waits for (not connected).
    pub fn expect(&self, name: &str) {
        if let Ok(mut c) = self.connected.lock() {
            c.entry(name.to_owned()).or_insert(false);
        }
    }

    pub fn set(&self, name: &str, connected: bool) {
        if let Ok(mut c) = self.connected.lock() {
            c.insert(name.to_owned(), connected);
        }
    }

    /// The transports not connected now.
    pub fn down(&self) -> Vec<String> {
        self.connected
            .lock()
            .map(|c| {
                c.iter()
                    .filter(|(_, up)| !**up)
                    .map(|(n, _)| n.clone())
                    .collect()
            })
            .unwrap_or_default()
    }
}

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
    let body = h.metrics.render(&h.store).await;
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        body,
    )
        .into_response()
}
