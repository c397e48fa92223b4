//! Discord over the gateway (serenity's client): no public URL needed.
//! Interactions arrive as events and go through the same conversion and
//! handler as the HTTP endpoint; the response is sent back over REST.

use std::sync::Arc;

use async_trait::async_trait;
use serenity::all::{Context, EventHandler, GatewayIntents, Interaction, Ready};

use super::inbound::DiscordHandler;

/// Its name in `/readyz`.
pub const TRANSPORT: &str = "discord gateway";

struct Events {
    handler: Arc<DiscordHandler>,
    guilds: Vec<u64>,
    transports: Arc<crate::ports::readiness::Transports>,
}

#[async_trait]
impl EventHandler for Events {
    async fn ready(&self, ctx: Context, ready: Ready) {
        tracing::info!(user = %ready.user.name, "Discord gateway ready");
        self.transports.set(TRANSPORT, true);
        if let Err(e) = super::register_commands(&ctx.http, &self.guilds).await {
            tracing::warn!(error = %e, "could not register /privatelink");
        }
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        let response = match self.handler.respond(&interaction).await {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(error = %e, "an interaction the bot does not handle");
                return;
            }
        };
        let sent = match &interaction {
            Interaction::Command(c) => c.create_response(&ctx.http, response).await,
            Interaction::Component(c) => c.create_response(&ctx.http, response).await,
            _ => Ok(()),
        };
        if let Err(e) = sent {
            let error = super::sink::describe(&e);
            tracing::warn!(%error, "could not answer an interaction");
        }
    }
}

/// Runs the gateway client until it stops. Its REST calls (the gateway's
/// URL among them) go through `http`, so a configured `api_url` (a proxy,
/// or a fake in tests) holds for the gateway as for everything else.
pub async fn run(
    handler: Arc<DiscordHandler>,
    http: serenity::http::Http,
    guilds: Vec<u64>,
    transports: Arc<crate::ports::readiness::Transports>,
) -> anyhow::Result<()> {
    // Interactions need no privileged intents.
    let mut client = serenity::client::ClientBuilder::new_with_http(http, GatewayIntents::GUILDS)
        .event_handler(Events {
            handler,
            guilds,
            transports: transports.clone(),
        })
        .await?;
    let ended = client.start().await;
    transports.set(TRANSPORT, false);
    ended?;
    Ok(())
}
