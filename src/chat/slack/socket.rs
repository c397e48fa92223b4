//! Slack over Socket Mode: no public URL. The bot opens a WebSocket with its
//! app-level token (`apps.connections.open`), and Slack sends envelopes over
//! it. Each envelope is acknowledged by its `envelope_id` (with a response
//! payload where one is due, such as form errors) and dispatched to the same
//! handlers as the HTTP endpoints.

use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use slack_morphism::prelude::*;
use tokio_tungstenite::tungstenite::Message;

use super::inbound::SlackHandler;
use super::sink::Client;
use crate::backoff::Backoff;
use crate::secret::Secret;

/// What to do after an envelope.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The acknowledgement to send back, if the envelope wants one.
    pub ack: Option<String>,
    /// Slack asked us to reconnect (it rotates connections).
    pub reconnect: bool,
}

fn ack(envelope_id: &str, payload: Option<Value>) -> String {
    match payload {
        Some(p) => json!({ "envelope_id": envelope_id, "payload": p }).to_string(),
        None => json!({ "envelope_id": envelope_id }).to_string(),
    }
}

/// Handles one envelope's text. Pure but for the work it hands to `handler`.
pub async fn on_envelope(handler: &Arc<SlackHandler>, text: &str) -> Outcome {
    let Ok(envelope) = serde_json::from_str::<Value>(text) else {
        tracing::warn!("Socket Mode sent something that is not JSON");
        return Outcome::default();
    };
    let id = envelope["envelope_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    match envelope["type"].as_str() {
        Some("hello") => Outcome::default(),
        Some("disconnect") => Outcome {
            ack: None,
            reconnect: true,
        },
        Some("slash_commands") => {
            let body =
                match serde_json::from_value::<SlackCommandEvent>(envelope["payload"].clone()) {
                    Ok(ev) => handler.command(&ev).await,
                    Err(e) => {
                        tracing::warn!(error = %e, "a slash command envelope without a command");
                        None
                    }
                };
            Outcome {
                ack: Some(ack(&id, body)),
                reconnect: false,
            }
        }
        Some("interactive") => {
            let body = match handler.interaction(&envelope["payload"].to_string()).await {
                Ok(body) => body,
                Err(e) => {
                    tracing::warn!(error = %e, "an interaction the bot does not handle");
                    None
                }
            };
            Outcome {
                ack: Some(ack(&id, body)),
                reconnect: false,
            }
        }
        // Anything else that carries an envelope id is acknowledged so that
        // Slack does not redeliver it.
        _ if !id.is_empty() => Outcome {
            ack: Some(ack(&id, None)),
            reconnect: false,
        },
        _ => Outcome::default(),
    }
}

/// Its name in `/readyz`.
pub const TRANSPORT: &str = "slack socket mode";

/// The longest silence on a Socket Mode connection before it is replaced.
const READ_WATCHDOG: Duration = Duration::from_secs(90);

/// Keeps a Socket Mode connection open until the process ends, reconnecting
/// with backoff.
pub async fn run(
    handler: Arc<SlackHandler>,
    client: Arc<Client>,
    app_token: Secret,
    transports: Arc<crate::ports::readiness::Transports>,
) {
    let token = SlackApiToken::new(SlackApiTokenValue(app_token.expose().to_owned()));
    let backoff = Backoff {
        initial: Duration::from_secs(1),
        max: Duration::from_secs(60),
    };
    let mut attempt = 0;
    loop {
        let result = connect_once(&handler, &client, &token, &transports).await;
        transports.set(TRANSPORT, false);
        match result {
            Ok(()) => attempt = 0,
            Err(e) => {
                tracing::warn!(error = %e, "Socket Mode connection failed");
                attempt += 1;
            }
        }
        tokio::time::sleep(backoff.delay(attempt)).await;
    }
}

async fn connect_once(
    handler: &Arc<SlackHandler>,
    client: &Arc<Client>,
    token: &SlackApiToken,
    transports: &crate::ports::readiness::Transports,
) -> anyhow::Result<()> {
    let session = client.open_session(token);
    let url = session
        .apps_connections_open(&SlackApiAppsConnectionOpenRequest::new())
        .await?
        .url;
    let (socket, _) = tokio_tungstenite::connect_async(url.value().as_str()).await?;
    tracing::info!("Socket Mode connected");
    transports.set(TRANSPORT, true);
    let (mut tx, mut rx) = socket.split();
    // Slack pings every few seconds: silence this long means a half-open
    // connection, which only a new one cures.
    loop {
        let Ok(next) = tokio::time::timeout(READ_WATCHDOG, rx.next()).await else {
            anyhow::bail!(
                "no frame from Slack in {}s; reconnecting",
                READ_WATCHDOG.as_secs()
            );
        };
        let Some(message) = next else {
            return Ok(());
        };
        match message? {
            Message::Text(text) => {
                let outcome = on_envelope(handler, text.as_str()).await;
                if let Some(ack) = outcome.ack {
                    tx.send(Message::Text(ack.into())).await?;
                }
                if outcome.reconnect {
                    return Ok(());
                }
            }
            Message::Ping(data) => tx.send(Message::Pong(data)).await?,
            Message::Close(_) => return Ok(()),
            _ => {}
        }
    }
}
