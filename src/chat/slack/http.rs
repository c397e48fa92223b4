//! Slack over HTTP: `POST /slack/commands` and `POST /slack/interactions`.
//! Every request is verified with the signing secret (HMAC-SHA256 over
//! `v0:<timestamp>:<raw body>`, constant-time, five-minute window) before
//! anything is parsed; a missing, wrong or stale signature gets 401.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::Deserialize;
use slack_morphism::prelude::*;
use slack_morphism::signature_verifier::SlackEventSignatureVerifier;

use super::inbound::SlackHandler;
use crate::secret::Secret;

#[derive(Clone)]
struct Http {
    handler: Arc<SlackHandler>,
    verifier: Arc<SlackEventSignatureVerifier>,
}

pub fn routes(handler: Arc<SlackHandler>, signing_secret: &Secret) -> Router {
    let verifier = SlackEventSignatureVerifier::new(&SlackSigningSecret::new(
        signing_secret.expose().to_owned(),
    ));
    Router::new()
        .route("/slack/commands", post(commands))
        .route("/slack/interactions", post(interactions))
        .layer(axum::extract::DefaultBodyLimit::max(
            crate::chat::intake::MAX_BODY,
        ))
        .with_state(Http {
            handler,
            verifier: Arc::new(verifier),
        })
}

/// Slack's window: a request signed more than five minutes from now, or
/// whose timestamp is not a number of seconds at all, is refused.
fn timestamp_is_fresh(timestamp: &str, now_secs: u64) -> bool {
    const WINDOW_SECS: i128 = 5 * 60;
    timestamp
        .parse::<i64>()
        .is_ok_and(|ts| (i128::from(now_secs) - i128::from(ts)).abs() <= WINDOW_SECS)
}

/// The verified body, or the status to answer with (always 401).
fn verified<'a>(http: &Http, headers: &HeaderMap, body: &'a Bytes) -> Result<&'a str, StatusCode> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let unauthorized = || {
        http.handler
            .service
            .metrics()
            .signature_rejected(crate::domain::ids::Platform::Slack);
        StatusCode::UNAUTHORIZED
    };
    let (Some(signature), Some(timestamp)) = (
        header("x-slack-signature"),
        header("x-slack-request-timestamp"),
    ) else {
        return Err(unauthorized());
    };
    // slack-morphism subtracts the timestamp from the clock unchecked: an
    // extreme one (i64::MIN) overflows inside it. Judged here first.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    if !timestamp_is_fresh(timestamp, now) {
        return Err(unauthorized());
    }
    let text = std::str::from_utf8(body).map_err(|_| unauthorized())?;
    match http.verifier.verify(signature, text, timestamp) {
        Ok(()) => Ok(text),
        Err(e) => {
            tracing::info!(error = %e, "refused a Slack request with a bad signature");
            Err(unauthorized())
        }
    }
}

async fn commands(State(http): State<Http>, headers: HeaderMap, body: Bytes) -> Response {
    let text = match verified(&http, &headers, &body) {
        Ok(t) => t,
        Err(status) => return status.into_response(),
    };
    let Ok(event) = serde_urlencoded::from_str::<SlackCommandEvent>(text) else {
        return (StatusCode::BAD_REQUEST, "not a slash command payload").into_response();
    };
    answer(http.handler.command(&event).await)
}

/// The body to answer with now, or an empty 200 (the acknowledgement).
fn answer(body: Option<serde_json::Value>) -> Response {
    match body {
        Some(v) => axum::Json(v).into_response(),
        None => StatusCode::OK.into_response(),
    }
}

#[derive(Deserialize)]
struct InteractionForm {
    payload: String,
}

async fn interactions(State(http): State<Http>, headers: HeaderMap, body: Bytes) -> Response {
    let text = match verified(&http, &headers, &body) {
        Ok(t) => t,
        Err(status) => return status.into_response(),
    };
    let Ok(form) = serde_urlencoded::from_str::<InteractionForm>(text) else {
        return (StatusCode::BAD_REQUEST, "no payload").into_response();
    };
    match http.handler.interaction(&form.payload).await {
        Ok(body) => answer(body),
        Err(e) => (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::timestamp_is_fresh;

    #[test]
    fn timestamps_far_from_now_or_not_numbers_are_refused_without_overflow() {
        let now = 1_800_000_000;
        assert!(timestamp_is_fresh("1800000000", now));
        assert!(timestamp_is_fresh("1799999750", now));
        assert!(!timestamp_is_fresh("1799999000", now));
        assert!(!timestamp_is_fresh(&i64::MIN.to_string(), now));
        assert!(!timestamp_is_fresh(&i64::MAX.to_string(), now));
        assert!(!timestamp_is_fresh("-1", now));
        assert!(!timestamp_is_fresh("soon", now));
        assert!(!timestamp_is_fresh("", u64::MAX));
    }

    proptest::proptest! {
        #[test]
        fn any_header_and_any_clock_are_judged_without_panicking(
            timestamp in ".{0,24}",
            number in proptest::num::i64::ANY,
            now in proptest::num::u64::ANY,
        ) {
            let _ = timestamp_is_fresh(&timestamp, now);
            let _ = timestamp_is_fresh(&number.to_string(), now);
        }
    }
}
