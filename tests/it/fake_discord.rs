//! A fake Discord REST API (v10) over real HTTP: checks the bot token,
//! records message creation and edits, thread creation, interaction
//! response edits and command registration, and can answer 429.
//!
//! Like Discord, it refuses for good what no retry cures, with its JSON
//! error codes: a channel the bot cannot see (403, 50001 Missing Access),
//! an unknown channel (404, 10003), an edit of a deleted message (404,
//! 10008); and it opens direct-message channels (`POST /users/@me/channels`),
//! which need no access to any guild channel.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::harness::Recorder;

#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub path: String,
    pub body: Value,
}

#[derive(Default)]
pub struct State_ {
    pub rate_limit_next: u32,
    /// Down: every bot-token call answers 500 and does nothing.
    pub down: bool,
    threads: Vec<String>,
    next_id: u64,
    /// The application the token belongs to: (id, public key).
    application: Option<(String, String)>,
    /// Channels the bot has no access to (its role cannot see them).
    pub no_access: std::collections::HashSet<String>,
    /// Ids of deleted messages.
    pub deleted: std::collections::HashSet<String>,
    /// DM channel id → the user it is with.
    pub dms: std::collections::HashMap<String, String>,
    /// The gateway `GET /gateway` hands out.
    pub gateway: Option<String>,
    /// The servers the bot is in: guild id → its channels (id, name,
    /// Discord's channel type: 0 text, 11 a public thread).
    pub guilds: std::collections::BTreeMap<String, Vec<(String, String, u64)>>,
}

#[derive(Clone)]
struct App {
    token: Arc<String>,
    state: Arc<Mutex<State_>>,
    recorder: Arc<Recorder<Call>>,
}

pub struct FakeDiscord {
    pub url: String,
    state: Arc<Mutex<State_>>,
    recorder: Arc<Recorder<Call>>,
}

/// A message as Discord returns it.
pub fn message(id: &str, channel: &str) -> Value {
    json!({
        "id": id, "channel_id": channel, "type": 0, "content": "", "tts": false,
        "author": { "id": "555", "username": "privatelink-bot", "discriminator": "0", "global_name": null, "avatar": null, "bot": true },
        "timestamp": "2026-11-24T00:00:00.000000+00:00", "edited_timestamp": null,
        "mention_everyone": false, "mentions": [], "mention_roles": [], "attachments": [], "embeds": [],
        "pinned": false, "components": [], "flags": 0,
    })
}

impl FakeDiscord {
    pub async fn start(token: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State_ {
            next_id: 900_000,
            ..State_::default()
        }));
        let recorder = Arc::new(Recorder::default());
        let app = App {
            token: Arc::new(token.to_owned()),
            state: state.clone(),
            recorder: recorder.clone(),
        };
        let router = Router::new()
            .route("/api/v10/{*rest}", any(api))
            .with_state(app);
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Self {
            url,
            state,
            recorder,
        }
    }

    pub fn recorder(&self) -> &Recorder<Call> {
        &self.recorder
    }

    pub fn calls(&self) -> Vec<Call> {
        self.recorder.calls()
    }

    pub fn rate_limit_next(&self, n: u32) {
        self.state.lock().unwrap().rate_limit_next = n;
    }

    /// Takes the REST API down (500 to every bot-token call) or back up.
    pub fn set_down(&self, down: bool) {
        self.state.lock().unwrap().down = down;
    }

    /// Serves the gateway (`GET /gateway` names it).
    pub async fn enable_gateway(&self) -> crate::fake_gateway::GatewayServer {
        let server = crate::fake_gateway::GatewayServer::start().await;
        self.state.lock().unwrap().gateway = Some(server.url.clone());
        server
    }

    /// The bot's role loses (or gets back) access to `channel`.
    pub fn set_access(&self, channel: &str, access: bool) {
        let mut st = self.state.lock().unwrap();
        if access {
            st.no_access.remove(channel);
        } else {
            st.no_access.insert(channel.to_owned());
        }
    }

    /// Someone deletes message `id`.
    pub fn delete_message(&self, id: &str) {
        self.state.lock().unwrap().deleted.insert(id.to_owned());
    }

    /// The messages sent by direct message to `user`, in order.
    pub fn direct_messages(&self, user: &str) -> Vec<String> {
        let dms = self.state.lock().unwrap().dms.clone();
        self.calls()
            .into_iter()
            .filter(|c| c.method == "POST")
            .filter_map(|c| {
                let channel = c
                    .path
                    .strip_prefix("/channels/")?
                    .strip_suffix("/messages")?;
                (dms.get(channel).map(String::as_str) == Some(user))
                    .then(|| c.body["content"].as_str().unwrap_or_default().to_owned())
            })
            .collect()
    }

    /// Makes the token belong to application `id` with public key `key`.
    pub fn set_application(&self, id: &str, key: &str) {
        self.state.lock().unwrap().application = Some((id.to_owned(), key.to_owned()));
    }

    /// The bot is in server `guild`, which has a text channel `channel`
    /// named `name`.
    pub fn add_channel(&self, guild: &str, channel: &str, name: &str) {
        self.add_of_kind(guild, channel, name, 0);
    }

    /// A public thread named `name` (anyone may name one), in `guild`.
    pub fn add_thread(&self, guild: &str, thread: &str, name: &str) {
        self.add_of_kind(guild, thread, name, 11);
    }

    fn add_of_kind(&self, guild: &str, channel: &str, name: &str, kind: u64) {
        self.state
            .lock()
            .unwrap()
            .guilds
            .entry(guild.to_owned())
            .or_default()
            .push((channel.to_owned(), name.to_owned(), kind));
    }

    pub async fn wait_for(&self, what: &str, done: impl Fn(&[Call]) -> bool) -> Vec<Call> {
        self.recorder.wait_for(what, done).await
    }
}

/// A guild channel (or thread) as Discord describes it.
fn text_channel(guild: &str, id: &str, name: &str, kind: u64) -> Value {
    json!({
        "id": id, "type": kind, "guild_id": guild, "name": name, "position": 0,
        "permission_overwrites": [], "nsfw": false, "parent_id": null,
        "topic": null, "last_message_id": null, "rate_limit_per_user": 0, "flags": 0,
    })
}

/// `GET /channels/{id}`, `GET /users/@me/guilds` (by `limit` and `after`,
/// ids ascending) and `GET /guilds/{id}/channels`; a channel in no server
/// the bot is in is Discord's 10003 Unknown Channel.
fn channels(st: &State_, parts: &[&str], query: &str) -> Option<Response> {
    let param = |key: &str| {
        query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.to_owned())
    };
    Some(match parts {
        ["channels", id] => {
            let found = st.guilds.iter().find_map(|(guild, channels)| {
                channels
                    .iter()
                    .find(|(c, _, _)| c == id)
                    .map(|(c, name, kind)| text_channel(guild, c, name, *kind))
            });
            match found {
                Some(channel) => reply(StatusCode::OK, channel),
                None => reply(
                    StatusCode::NOT_FOUND,
                    json!({ "code": 10003, "message": "Unknown Channel" }),
                ),
            }
        }
        ["users", "@me", "guilds"] => {
            let limit = param("limit")
                .and_then(|l| l.parse::<usize>().ok())
                .unwrap_or(200)
                .clamp(1, 200);
            let after: u64 = param("after").and_then(|a| a.parse().ok()).unwrap_or(0);
            let mut ids: Vec<u64> = st.guilds.keys().filter_map(|g| g.parse().ok()).collect();
            ids.sort_unstable();
            let page: Vec<Value> = ids
                .into_iter()
                .filter(|g| *g > after)
                .take(limit)
                .map(|g| json!({ "id": g.to_string(), "name": format!("server {g}"), "icon": null, "owner": false, "permissions": "0", "features": [] }))
                .collect();
            reply(StatusCode::OK, json!(page))
        }
        // Threads are not a server's channels: Discord lists them apart.
        ["guilds", guild, "channels"] => match st.guilds.get(*guild) {
            Some(channels) => reply(
                StatusCode::OK,
                json!(
                    channels
                        .iter()
                        .filter(|(_, _, kind)| *kind != 11)
                        .map(|(c, n, k)| text_channel(guild, c, n, *k))
                        .collect::<Vec<_>>()
                ),
            ),
            None => reply(
                StatusCode::NOT_FOUND,
                json!({ "code": 10004, "message": "Unknown Guild" }),
            ),
        },
        _ => return None,
    })
}

fn reply(status: StatusCode, body: Value) -> Response {
    (
        status,
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

async fn api(
    State(app): State<App>,
    method: Method,
    uri: Uri,
    Path(rest): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let path = uri.path().trim_start_matches("/api/v10").to_owned();
    let parts: Vec<&str> = rest.split('/').collect();
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let body: Value = match crate::fake_multipart::boundary(content_type) {
        Some(boundary) => crate::fake_multipart::form(&body, boundary),
        None => serde_json::from_str(&body).unwrap_or(Value::Null),
    };
    // Interaction webhooks and callbacks carry their token in the path.
    let is_webhook = matches!(parts.first(), Some(&"webhooks") | Some(&"interactions"));
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !is_webhook && auth != format!("Bot {}", app.token) {
        return reply(
            StatusCode::UNAUTHORIZED,
            json!({ "code": 0, "message": "401: Unauthorized" }),
        );
    }
    let mut st = app.state.lock().unwrap();
    let failed = if is_webhook {
        None
    } else {
        down_or_throttled(&mut st)
    };
    if let Some((status, what, answer)) = failed {
        drop(st);
        let method = format!("{method} ({what})");
        app.recorder.push(Call {
            method,
            path,
            body: Value::Null,
        });
        return reply(status, answer);
    }
    if let Some((status, code, message)) = refused_for_good(&st, &method, &parts) {
        drop(st);
        let method = format!("{method} ({code})");
        app.recorder.push(Call { method, path, body });
        return reply(status, json!({ "code": code, "message": message }));
    }
    app.recorder.push(Call {
        method: method.to_string(),
        path,
        body: body.clone(),
    });
    if method == Method::GET
        && let Some(read) = channels(&st, &parts, uri.query().unwrap_or_default())
    {
        return read;
    }
    answer(&mut st, &method, &parts, &body)
}

/// A 500 while the API is down; a 429 for the next calls a test throttled.
fn down_or_throttled(st: &mut State_) -> Option<(StatusCode, &'static str, Value)> {
    if st.down {
        let answer = json!({ "message": "500: Internal Server Error", "code": 0 });
        return Some((StatusCode::INTERNAL_SERVER_ERROR, "500", answer));
    }
    if st.rate_limit_next == 0 {
        return None;
    }
    st.rate_limit_next -= 1;
    let answer =
        json!({ "message": "You are being rate limited.", "retry_after": 0.05, "global": false });
    Some((StatusCode::TOO_MANY_REQUESTS, "429", answer))
}

/// What Discord refuses for good, until a person acts.
fn refused_for_good(
    st: &State_,
    method: &Method,
    parts: &[&str],
) -> Option<(StatusCode, u32, &'static str)> {
    match parts {
        ["channels", channel, ..] if st.no_access.contains(*channel) => {
            Some((StatusCode::FORBIDDEN, 50001, "Missing Access"))
        }
        ["channels", _, "messages", id] if method == "PATCH" && st.deleted.contains(*id) => {
            Some((StatusCode::NOT_FOUND, 10008, "Unknown Message"))
        }
        ["channels", _, "messages", id, "threads"] if st.deleted.contains(*id) => {
            Some((StatusCode::NOT_FOUND, 10008, "Unknown Message"))
        }
        _ => None,
    }
}

/// The answer to a call the fake accepts, as Discord documents it.
fn answer(st: &mut State_, method: &Method, parts: &[&str], body: &Value) -> Response {
    let not_found = || {
        reply(
            StatusCode::NOT_FOUND,
            json!({ "code": 0, "message": "404: Not Found" }),
        )
    };
    match (method.as_str(), parts) {
        ("GET", ["gateway"]) | ("GET", ["gateway", "bot"]) => match &st.gateway {
            Some(url) => reply(
                StatusCode::OK,
                json!({ "url": url, "shards": 1, "session_start_limit": { "total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1 } }),
            ),
            None => not_found(),
        },
        ("POST", ["interactions", _, _, "callback"]) => {
            (StatusCode::NO_CONTENT, "").into_response()
        }
        ("POST", ["users", "@me", "channels"]) => {
            // Numbered apart from messages, whose ids tests count.
            let id = (700_000 + st.dms.len() as u64 + 1).to_string();
            let user = body["recipient_id"].as_str().unwrap_or_default().to_owned();
            st.dms.insert(id.clone(), user.clone());
            reply(
                StatusCode::OK,
                json!({
                    "id": id, "type": 1, "last_message_id": null, "flags": 0,
                    "recipients": [ { "id": user, "username": format!("user{user}"), "discriminator": "0", "global_name": null, "avatar": null } ],
                }),
            )
        }
        ("POST", ["channels", channel, "messages"]) => {
            st.next_id += 1;
            reply(StatusCode::OK, message(&st.next_id.to_string(), channel))
        }
        ("PATCH", ["channels", channel, "messages", id]) => {
            reply(StatusCode::OK, message(id, channel))
        }
        ("POST", ["channels", channel, "messages", id, "threads"]) => thread(st, channel, id, body),
        ("PUT", ["applications", _, "commands"])
        | ("PUT", ["applications", _, "guilds", _, "commands"]) => reply(StatusCode::OK, json!([])),
        ("GET", ["oauth2", "applications", "@me"]) => match &st.application {
            Some((id, key)) => reply(
                StatusCode::OK,
                json!({
                    "id": id, "name": "privatelink-bot", "icon": null, "description": "",
                    "bot_public": false, "bot_require_code_grant": false, "verify_key": key,
                    "team": null, "flags": 0,
                    "owner": { "id": "42", "username": "owner", "discriminator": "0", "global_name": null, "avatar": null },
                }),
            ),
            None => reply(
                StatusCode::NOT_FOUND,
                json!({ "code": 10002, "message": "Unknown Application" }),
            ),
        },
        ("PATCH", ["webhooks", _, _, "messages", "@original"]) => {
            reply(StatusCode::OK, message("1", "777"))
        }
        _ => not_found(),
    }
}

/// A thread from a message: once per message, as Discord allows.
fn thread(st: &mut State_, channel: &str, id: &str, body: &Value) -> Response {
    if st.threads.iter().any(|t| t == id) {
        return reply(
            StatusCode::BAD_REQUEST,
            json!({ "code": 160004, "message": "A thread has already been created for this message" }),
        );
    }
    st.threads.push(id.to_owned());
    reply(
        StatusCode::CREATED,
        json!({ "id": id, "type": 11, "guild_id": "888", "parent_id": channel, "name": body["name"], "position": 0, "permission_overwrites": [], "nsfw": false }),
    )
}
