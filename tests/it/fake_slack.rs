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
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::harness::Recorder;

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

impl FakeSlack {
    pub async fn start(token: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(FakeSlackState::default()));
        let recorder = Arc::new(Recorder::default());
        let app = App {
            token: Arc::new(token.to_owned()),
            state: state.clone(),
            recorder: recorder.clone(),
        };
        let router = Router::new()
            .route("/api/{method}", post(api).get(api_get))
            .route("/response/{id}", post(response_url))
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
        let is_card = |c: &Call| {
            c.method == "chat.postMessage"
                && c.body["thread_ts"].is_null()
                && c.body["channel"]
                    .as_str()
                    .is_some_and(|ch| ch.starts_with('C'))
        };
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

fn record(app: &App, method: &str, body: Value) {
    app.recorder.push(Call {
        method: method.to_owned(),
        body,
    });
}

/// Slack's answer to a missing or wrong bot token (HTTP 200, ok: false).
fn refuse_bad_token(app: &App, headers: &HeaderMap) -> Option<Response> {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    (auth != format!("Bearer {}", app.token)).then(|| {
        json_response(
            StatusCode::OK,
            json!({ "ok": false, "error": "invalid_auth" }),
        )
    })
}

async fn close_connection(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert("connection", "close".parse().unwrap());
    response
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (
        status,
        [("content-type", "application/json; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

async fn api(
    State(app): State<App>,
    Path(method): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if method == "apps.connections.open" {
        // Socket Mode takes the app-level token, not the bot's.
        let auth = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let socket = app.state.lock().unwrap().socket.clone();
        record(&app, &method, Value::Null);
        return match socket {
            Some((token, server)) if auth == format!("Bearer {token}") => {
                json_response(StatusCode::OK, json!({ "ok": true, "url": server.url }))
            }
            _ => json_response(
                StatusCode::OK,
                json!({ "ok": false, "error": "invalid_auth" }),
            ),
        };
    }
    if let Some(refused) = refuse_bad_token(&app, &headers) {
        return refused;
    }
    {
        let mut st = app.state.lock().unwrap();
        if st.rate_limit_next > 0 {
            st.rate_limit_next -= 1;
            drop(st);
            record(&app, &format!("{method} (429)"), Value::Null);
            let mut r = json_response(
                StatusCode::TOO_MANY_REQUESTS,
                json!({ "ok": false, "error": "ratelimited" }),
            );
            r.headers_mut().insert("retry-after", "1".parse().unwrap());
            return r;
        }
    }
    if method == "auth.test" {
        record(&app, &method, Value::Null);
        let mut r = json_response(
            StatusCode::OK,
            json!({ "ok": true, "url": "https://fake.slack.com/", "team": "Platform", "user": "privatelink-bot", "team_id": "T0001", "user_id": "U0BOT", "bot_id": "B0001" }),
        );
        if let Some(scopes) = app.state.lock().unwrap().scopes.clone() {
            r.headers_mut()
                .insert("x-oauth-scopes", scopes.parse().unwrap());
        }
        return r;
    }
    let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let channel = body["channel"].clone();
    {
        let st = app.state.lock().unwrap();
        let down = st
            .outage
            .as_ref()
            .is_some_and(|(_, methods)| methods.is_empty() || methods.contains(&method));
        let throttled = channel
            .as_str()
            .and_then(|c| st.throttled_channels.get(c).copied());
        drop(st);
        if down {
            record(&app, &format!("{method} (500)"), body);
            return json_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({ "ok": false, "error": "internal_error" }),
            );
        }
        if let Some(seconds) = throttled {
            record(&app, &format!("{method} (429)"), body);
            let mut r = json_response(
                StatusCode::TOO_MANY_REQUESTS,
                json!({ "ok": false, "error": "ratelimited" }),
            );
            r.headers_mut()
                .insert("retry-after", seconds.to_string().parse().unwrap());
            return r;
        }
    }
    // What Slack refuses for good, until a person acts.
    let refusal = {
        let st = app.state.lock().unwrap();
        let to = channel.as_str().unwrap_or_default();
        let posts = matches!(
            method.as_str(),
            "chat.postMessage" | "chat.update" | "chat.postEphemeral"
        );
        let direct = method == "chat.postMessage" && to.starts_with('U');
        if !posts || direct {
            None
        } else if st.unknown.contains(to) {
            Some("channel_not_found")
        } else if st.archived.contains(to) {
            Some("is_archived")
        } else if st.outside.contains(to) {
            Some("not_in_channel")
        } else if method == "chat.update"
            && body["ts"]
                .as_str()
                .is_some_and(|ts| st.deleted.contains(ts))
        {
            Some("message_not_found")
        } else {
            None
        }
    };
    if let Some(error) = refusal {
        record(&app, &format!("{method} ({error})"), body);
        return json_response(StatusCode::OK, json!({ "ok": false, "error": error }));
    }
    // A user id as the channel: the bot's direct conversation with them.
    let channel = match channel.as_str() {
        Some(user) if method == "chat.postMessage" && user.starts_with('U') => {
            json!(format!("D{}", user.trim_start_matches('U')))
        }
        _ => channel,
    };
    let ts = match method.as_str() {
        // Message timestamps count posted messages only, so a test can
        // tell a message's ts from the order of the posts.
        "chat.postMessage" => {
            let mut st = app.state.lock().unwrap();
            st.next_ts += 1;
            format!("1700000000.{:06}", st.next_ts)
        }
        _ => body["ts"]
            .as_str()
            .unwrap_or("1700000000.999999")
            .to_owned(),
    };
    record(&app, &method, body);
    json_response(
        StatusCode::OK,
        json!({ "ok": true, "channel": channel, "ts": ts, "message": { "ts": ts, "type": "message", "text": "" } }),
    )
}

/// The read methods slack-morphism sends as GET with a query string.
async fn api_get(
    State(app): State<App>,
    Path(method): Path<String>,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    if let Some(refused) = refuse_bad_token(&app, &headers) {
        return refused;
    }
    record(&app, &method, json!(query));
    match method.as_str() {
        "usergroups.users.list" => {
            let group = query.get("usergroup").cloned().unwrap_or_default();
            match app.state.lock().unwrap().groups.get(&group) {
                Some(users) => json_response(StatusCode::OK, json!({ "ok": true, "users": users })),
                None => json_response(
                    StatusCode::OK,
                    json!({ "ok": false, "error": "no_such_subteam" }),
                ),
            }
        }
        _ => json_response(
            StatusCode::OK,
            json!({ "ok": false, "error": "unknown_method" }),
        ),
    }
}

async fn response_url(State(app): State<App>, Path(id): Path<String>, body: String) -> Response {
    let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    record(&app, &format!("response_url/{id}"), body);
    (StatusCode::OK, "ok").into_response()
}
