//! A fake Slack Web API over real HTTP: checks the bot token, records
//! `chat.postMessage`, `chat.update`, `chat.postEphemeral`, `views.open` and
//! `response_url` calls, and can answer 429 with `Retry-After` (for the
//! next calls, or for every call to one channel), answer 500, or drop
//! connections (an outage). Every answer says `Connection: close`, so an
//! outage reaches every call rather than only new connections.
//!
//! Like Slack, it refuses for good what no retry cures: a channel the bot
//! is not in (`not_in_channel`), an archived one (`is_archived`), an
//! unknown one (`channel_not_found`), an edit of a deleted message
//! (`message_not_found`); a user id as the channel is the bot's direct
//! conversation with that person, which needs no membership.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::routing::post;
use serde_json::Value;
use tokio::net::TcpListener;

use crate::harness::Recorder;

mod channels;
mod files;
mod routes;
use routes::{api, api_get, close_connection, response_url};

#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub body: Value,
}

#[derive(Default)]
pub struct FakeSlackState {
    pub rate_limit_next: u32,
    /// User group id → member user ids, for usergroups.users.list.
    pub groups: std::collections::HashMap<String, Vec<String>>,
    next_ts: u64,
    /// The token's scopes, as `auth.test` reports them in `x-oauth-scopes`.
    pub scopes: Option<String>,
    /// An outage of the Web API, for every method or the ones listed.
    pub outage: Option<(Outage, Vec<String>)>,
    /// Channel → `Retry-After` seconds: every call to it is throttled.
    pub throttled_channels: std::collections::HashMap<String, u64>,
    /// Channels the bot is not a member of.
    pub outside: std::collections::HashSet<String>,
    /// Archived channels.
    pub archived: std::collections::HashSet<String>,
    /// Channels that do not exist.
    pub unknown: std::collections::HashSet<String>,
    /// Timestamps of deleted messages.
    pub deleted: std::collections::HashSet<String>,
    /// Socket Mode: the app-level token and the WebSocket server
    /// `apps.connections.open` hands out.
    pub socket: Option<(String, crate::fake_socket::SocketServer)>,
    /// Channels with names, by id (`channels`).
    pub channels: std::collections::HashMap<String, channels::Channel>,
    /// Files asked for, by id (`files`).
    pub uploads: std::collections::HashMap<String, files::Upload>,
    next_file: u64,
    /// Where the fake listens, for the upload URLs it hands out.
    base_url: String,
}

/// How the fake is down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outage {
    /// HTTP 500 with no effect.
    Status500,
    /// The connection is closed before any answer.
    DropConnections,
}

/// A handle to switch the fake's outage from elsewhere (a step hook).
#[derive(Clone)]
pub struct OutageSwitch(Arc<Mutex<FakeSlackState>>);

impl OutageSwitch {
    /// Down for every method, or for `methods` only.
    pub fn down(&self, outage: Outage, methods: &[&str]) {
        self.0.lock().unwrap().outage =
            Some((outage, methods.iter().map(|m| m.to_string()).collect()));
    }

    pub fn up(&self) {
        self.0.lock().unwrap().outage = None;
    }
}

/// The listener that drops connections during a `DropConnections` outage.
struct Flaky {
    inner: TcpListener,
    state: Arc<Mutex<FakeSlackState>>,
    recorder: Arc<Recorder<Call>>,
}

impl axum::serve::Listener for Flaky {
    type Io = tokio::net::TcpStream;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, addr)) = self.inner.accept().await else {
                continue;
            };
            let dropping = matches!(
                self.state.lock().unwrap().outage,
                Some((Outage::DropConnections, _))
            );
            if !dropping {
                return (stream, addr);
            }
            self.recorder.push(Call {
                method: "(connection dropped)".to_owned(),
                body: Value::Null,
            });
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

#[derive(Clone)]
struct App {
    token: Arc<String>,
    state: Arc<Mutex<FakeSlackState>>,
    recorder: Arc<Recorder<Call>>,
}

pub struct FakeSlack {
    pub url: String,
    state: Arc<Mutex<FakeSlackState>>,
    recorder: Arc<Recorder<Call>>,
}

/// A card: a message the bot posted to a channel, not in a thread (a
/// user id as the channel is a direct message, not a card).
pub fn is_card(c: &Call) -> bool {
    c.method == "chat.postMessage"
        && c.body["thread_ts"].is_null()
        && c.body["channel"]
            .as_str()
            .is_some_and(|ch| ch.starts_with('C'))
}

impl FakeSlack {
    pub async fn start(token: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(FakeSlackState {
            base_url: url.clone(),
            ..FakeSlackState::default()
        }));
        let recorder = Arc::new(Recorder::default());
        let app = App {
            token: Arc::new(token.to_owned()),
            state: state.clone(),
            recorder: recorder.clone(),
        };
        let router = Router::new()
            .route("/api/{method}", post(api).get(api_get))
            .route("/response/{id}", post(response_url))
            .route("/upload/{id}", post(files::upload))
            .layer(axum::middleware::map_response(close_connection))
            .with_state(app);
        let flaky = Flaky {
            inner: listener,
            state: state.clone(),
            recorder: recorder.clone(),
        };
        tokio::spawn(async move { axum::serve(flaky, router).await.unwrap() });
        Self {
            url,
            state,
            recorder,
        }
    }

    pub fn recorder(&self) -> &Recorder<Call> {
        &self.recorder
    }

    pub fn outage(&self) -> OutageSwitch {
        OutageSwitch(self.state.clone())
    }

    /// Throttles every call to `channel` with `Retry-After: seconds`.
    pub fn throttle_channel(&self, channel: &str, seconds: u64) {
        self.state
            .lock()
            .unwrap()
            .throttled_channels
            .insert(channel.to_owned(), seconds);
    }

    pub fn unthrottle_channel(&self, channel: &str) {
        self.state
            .lock()
            .unwrap()
            .throttled_channels
            .remove(channel);
    }

    pub fn calls(&self) -> Vec<Call> {
        self.recorder.calls()
    }

    /// Serves Socket Mode to the app-level token `app_token`.
    pub async fn enable_socket_mode(&self, app_token: &str) -> crate::fake_socket::SocketServer {
        let server = crate::fake_socket::SocketServer::start().await;
        self.state.lock().unwrap().socket = Some((app_token.to_owned(), server.clone()));
        server
    }

    /// The bot is removed from `channel` (or was never invited).
    pub fn remove_bot_from(&self, channel: &str) {
        self.state
            .lock()
            .unwrap()
            .outside
            .insert(channel.to_owned());
    }

    /// Someone runs `/invite @privatelink-bot` in `channel`.
    pub fn invite(&self, channel: &str) {
        self.state.lock().unwrap().outside.remove(channel);
    }

    /// `channel` does not exist (deleted, or never was).
    pub fn mark_unknown(&self, channel: &str) {
        self.state
            .lock()
            .unwrap()
            .unknown
            .insert(channel.to_owned());
    }

    pub fn archive(&self, channel: &str, archived: bool) {
        let mut st = self.state.lock().unwrap();
        if archived {
            st.archived.insert(channel.to_owned());
        } else {
            st.archived.remove(channel);
        }
    }

    /// Someone deletes the message at `ts`.
    pub fn delete_message(&self, ts: &str) {
        self.state.lock().unwrap().deleted.insert(ts.to_owned());
    }

    pub fn set_group(&self, group: &str, users: &[&str]) {
        let users = users.iter().map(|u| u.to_string()).collect();
        self.state
            .lock()
            .unwrap()
            .groups
            .insert(group.to_owned(), users);
    }

    pub fn rate_limit_next(&self, n: u32) {
        self.state.lock().unwrap().rate_limit_next = n;
    }

    /// `channel` is named `name` (public, or private: seen only by members).
    pub fn name_channel(&self, channel: &str, name: &str, private: bool) {
        self.state.lock().unwrap().channels.insert(
            channel.to_owned(),
            channels::Channel {
                name: name.to_owned(),
                private,
            },
        );
    }

    /// The scopes `auth.test` reports for the token (comma-separated).
    pub fn set_scopes(&self, scopes: &str) {
        self.state.lock().unwrap().scopes = Some(scopes.to_owned());
    }

    pub async fn wait_for(&self, what: &str, done: impl Fn(&[Call]) -> bool) -> Vec<Call> {
        self.recorder.wait_for(what, done).await
    }

    /// Once the bot has posted a card (a message not in a thread): every
    /// call so far, and the job id its approve button names.
    pub async fn first_card(&self) -> (Vec<Call>, privatelink_bot::domain::ids::JobId) {
        let calls = self
            .wait_for("the approval card", |c| c.iter().any(is_card))
            .await;
        let blocks = calls.iter().find(|c| is_card(c)).unwrap().body["blocks"].to_string();
        let id = blocks
            .split("approve:")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap();
        let id = privatelink_bot::domain::ids::JobId::parse(id).unwrap();
        (calls, id)
    }
}
