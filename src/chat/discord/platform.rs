//! Discord as a [`ChatPlatform`]: the REST sink; the HTTP interactions
//! endpoint (the command registered before serving) or the gateway (the
//! command registered once it is ready).

use std::sync::Arc;

use async_trait::async_trait;
use serenity::http::Http;

use super::inbound::DiscordHandler;
use super::sink::DiscordSink;
use super::{DiscordSettings, Transport as DiscordTransport, gateway, probe};
use crate::chat::platform::{Attached, ChatPlatform, Core, PlatformSettings, Transport};
use crate::domain::ids::Platform;
use crate::ports::chat::ChatSink;
use crate::ports::probe::Row;
use crate::secret::{Secret, SecretSource};

pub struct Discord {
    settings: DiscordSettings,
    http: Arc<Http>,
    token: Secret,
}

#[async_trait]
impl PlatformSettings for DiscordSettings {
    fn platform(&self) -> Platform {
        Platform::Discord
    }

    fn connect(&self, secrets: &SecretSource) -> anyhow::Result<Box<dyn ChatPlatform>> {
        let token = secrets.read(&self.bot_token_env, "Discord bot token")?;
        Ok(Box::new(Discord {
            settings: self.clone(),
            http: Arc::new(super::http(self, &token)),
            token,
        }))
    }

    async fn probe(&self) -> Vec<Row> {
        probe::run(self).await
    }
}

impl ChatPlatform for Discord {
    fn platform(&self) -> Platform {
        Platform::Discord
    }

    /// No pace of its own: serenity's per-route limiter (or the adapter's
    /// own 429 handling behind a proxy) keeps to Discord's buckets.
    fn sink(&self) -> Arc<dyn ChatSink> {
        Arc::new(DiscordSink::new(self.http.clone()).in_guilds(self.settings.guilds.clone()))
    }

    fn attach(&self, core: &Core) -> anyhow::Result<Attached> {
        let handler = Arc::new(DiscordHandler {
            service: core.service.clone(),
            http: self.http.clone(),
            default_locale: core.default_locale,
            intake: core.intake.clone(),
        });
        let mut attached = Attached::default();
        match self.settings.transport {
            DiscordTransport::Http => {
                attached.routes = super::http::routes(handler.clone(), &self.settings.public_key)?;
                let (http, guilds) = (self.http.clone(), self.settings.guilds.clone());
                attached.setup.push(Box::pin(async move {
                    super::register_commands(&http, &guilds).await?;
                    Ok(())
                }));
            }
            DiscordTransport::Gateway => {
                let (settings, token) = (self.settings.clone(), self.token.clone());
                let transports = core.transports.clone();
                attached.transports.push(Transport {
                    name: gateway::TRANSPORT,
                    once: true,
                    connect: Box::new(move || {
                        let (handler, transports) = (handler.clone(), transports.clone());
                        // A fresh client each time: serenity's own holds
                        // the shard that ended.
                        let http = super::http(&settings, &token);
                        let guilds = settings.guilds.clone();
                        Box::pin(async move {
                            if let Err(e) = gateway::run(handler, http, guilds, transports).await {
                                tracing::error!(error = %e, "the Discord gateway stopped");
                            }
                        })
                    }),
                });
            }
        }
        Ok(attached)
    }
}
