//! Discord's HTTP interactions endpoint, `POST /discord/interactions`. Every
//! request is verified with Ed25519 against the application's public key
//! over timestamp + raw body, and its timestamp must be fresh (serenity's
//! verifier checks only the signature); anything else gets 401. Discord
//! probes this with bad signatures before it accepts the URL.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serenity::all::Interaction;
use serenity::builder::CreateInteractionResponse;
use serenity::interactions_endpoint::Verifier;

use super::inbound::DiscordHandler;

/// How old a signed request may be.
const MAX_AGE_SECS: i64 = 300;

#[derive(Clone)]
struct Http {
    handler: Arc<DiscordHandler>,
    verifier: Arc<Verifier>,
}

/// The routes, or an error if the public key is not 64 hex digits of a valid key.
pub fn routes(handler: Arc<DiscordHandler>, public_key_hex: &str) -> anyhow::Result<Router> {
    let bytes: Vec<u8> = (0..public_key_hex.len())
        .step_by(2)
        .filter_map(|i| u8::from_str_radix(public_key_hex.get(i..i + 2)?, 16).ok())
        .collect();
    let key: [u8; 32] = bytes
        .try_into()
        .map_err(|_| anyhow::anyhow!("discord.public_key must be 64 hex digits"))?;
    let verifier = Verifier::try_new(key)
        .map_err(|_| anyhow::anyhow!("discord.public_key is not a valid Ed25519 key"))?;
    Ok(Router::new()
        .route("/discord/interactions", post(interactions))
        .layer(axum::extract::DefaultBodyLimit::max(
            crate::chat::intake::MAX_BODY,
        ))
        .with_state(Http {
            handler,
            verifier: Arc::new(verifier),
        }))
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn unauthorized(http: &Http) -> Response {
    http.handler
        .service
        .metrics()
        .signature_rejected(crate::domain::ids::Platform::Discord);
    StatusCode::UNAUTHORIZED.into_response()
}

async fn interactions(State(http): State<Http>, headers: HeaderMap, body: Bytes) -> Response {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(signature), Some(timestamp)) = (
        header("x-signature-ed25519"),
        header("x-signature-timestamp"),
    ) else {
        return unauthorized(&http);
    };
    // Checked: a timestamp such as i64::MIN must not overflow the sum.
    let fresh = timestamp.parse::<i64>().is_ok_and(|ts| {
        now()
            .checked_sub(ts)
            .is_some_and(|age| age.unsigned_abs() <= MAX_AGE_SECS.unsigned_abs())
    });
    if !fresh || http.verifier.verify(signature, timestamp, &body).is_err() {
        return unauthorized(&http);
    }
    let Ok(interaction) = serde_json::from_slice::<Interaction>(&body) else {
        return (StatusCode::BAD_REQUEST, "not an interaction").into_response();
    };
    match http.handler.respond(&interaction).await {
        // Exactly Discord's documented PONG (serenity would add "data": null).
        Ok(CreateInteractionResponse::Pong) => {
            axum::Json(serde_json::json!({ "type": 1 })).into_response()
        }
        Ok(response) => axum::Json(response).into_response(),
        Err(e) => (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    }
}
