//! Slack as a [`ChatPlatform`]: the Web API sink, paced per channel; the
//! HTTP endpoints or Socket Mode for intake; the user-group lookup the
//! policy needs.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::inbound::{Languages, SlackHandler};
use super::sink::{self, Client, SlackSink};
use super::{SlackSettings, Transport as SlackTransport, http, probe, socket};
use crate::chat::platform::{Attached, ChatPlatform, Core, PlatformSettings, Transport};
use crate::domain::ids::Platform;
use crate::ports::chat::ChatSink;
use crate::ports::probe::Row;
use crate::secret::{Secret, SecretSource};

/// How Slack reaches the bot: its signing secret for the HTTP endpoints, or
/// an app-level token for Socket Mode.
enum Intake {
    Http { signing_secret: Secret },
    Socket { app_token: Secret },
}

pub struct Slack {
    settings: SlackSettings,
    client: Arc<Client>,
    sink: Arc<SlackSink>,
    bot_token: Secret,
    intake: Intake,
}

#[async_trait]
impl PlatformSettings for SlackSettings {
    fn platform(&self) -> Platform {
        Platform::Slack
    }

    fn connect(&self, secrets: &SecretSource) -> anyhow::Result<Box<dyn ChatPlatform>> {
        let bot_token = secrets.read(&self.bot_token_env, "Slack bot token")?;
        let intake = match self.transport {
            SlackTransport::Http => Intake::Http {
                signing_secret: secrets.read(&self.signing_secret_env, "Slack signing secret")?,
            },
            SlackTransport::Socket => Intake::Socket {
                app_token: secrets.read(&self.app_token_env, "Slack app-level token")?,
            },
        };
        let client = Arc::new(sink::client(&self.api_url)?);
        Ok(Box::new(Slack {
            settings: self.clone(),
            sink: Arc::new(SlackSink::new(client.clone(), &bot_token)),
            client,
            bot_token,
            intake,
        }))
    }

    async fn probe(&self) -> Vec<Row> {
        probe::run(self).await
    }
}

impl ChatPlatform for Slack {
    fn platform(&self) -> Platform {
        Platform::Slack
    }

    fn sink(&self) -> Arc<dyn ChatSink> {
        self.sink.clone()
    }

    /// `chat.postMessage` allows about one message per second per channel,
    /// and `chat.update` is Tier 3: edits count against the same pace.
    fn pacing(&self) -> Duration {
        self.settings.progress_interval
    }

    fn attach(&self, core: &Core) -> anyhow::Result<Attached> {
        // Slack sends no group membership: the handler looks up the groups
        // the policy names.
        let handler = Arc::new(SlackHandler::new(
            core.service.clone(),
            self.client.clone(),
            &self.bot_token,
            core.service.policy().role_ids(Platform::Slack),
            Languages {
                default: core.default_locale,
                workspaces: self.settings.workspace_languages.clone(),
            },
            core.intake.clone(),
        ));
        let mut attached = Attached::default();
        match &self.intake {
            Intake::Http { signing_secret } => {
                attached.routes = http::routes(handler, signing_secret);
            }
            Intake::Socket { app_token } => {
                let (client, app_token, transports) = (
                    self.client.clone(),
                    app_token.clone(),
                    core.transports.clone(),
                );
                attached.transports.push(Transport {
                    name: socket::TRANSPORT,
                    // Slack spreads events over every open socket.
                    once: false,
                    connect: Box::new(move || {
                        Box::pin(socket::run(
                            handler.clone(),
                            client.clone(),
                            app_token.clone(),
                            transports.clone(),
                        ))
                    }),
                });
            }
        }
        Ok(attached)
    }
}
