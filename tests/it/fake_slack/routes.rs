//! The fake's Web API methods: the token checked, each call recorded, and
//! Slack's own refusals and throttling.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::*;

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

pub(super) async fn close_connection(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert("connection", "close".parse().unwrap());
    response
}

pub(super) fn json_response(status: StatusCode, body: Value) -> Response {
    (
        status,
        [("content-type", "application/json; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

pub(super) async fn api(
    State(app): State<App>,
    Path(method): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if method == "apps.connections.open" {
        return connections_open(&app, &method, &headers);
    }
    if let Some(refused) = refuse_bad_token(&app, &headers) {
        return refused;
    }
    if let Some(limited) = rate_limited_next(&app, &method) {
        return limited;
    }
    if method == "auth.test" {
        return auth_test(&app, &method);
    }
    let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    if let Some(failed) = outage_or_throttle(&app, &method, &body) {
        return failed;
    }
    if method == "files.completeUploadExternal" {
        return super::files::complete(&app, &body);
    }
    if let Some(error) = refused_for_good(&app, &method, &body) {
        record(&app, &format!("{method} ({error})"), body);
        return json_response(StatusCode::OK, json!({ "ok": false, "error": error }));
    }
    posted(&app, &method, body)
}

/// Socket Mode takes the app-level token, not the bot's.
fn connections_open(app: &App, method: &str, headers: &HeaderMap) -> Response {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let socket = app.state.lock().unwrap().socket.clone();
    record(app, method, Value::Null);
    match socket {
        Some((token, server)) if auth == format!("Bearer {token}") => {
            json_response(StatusCode::OK, json!({ "ok": true, "url": server.url }))
        }
        _ => json_response(
            StatusCode::OK,
            json!({ "ok": false, "error": "invalid_auth" }),
        ),
    }
}

/// A 429 with Retry-After for the next calls a test asked to throttle.
fn rate_limited_next(app: &App, method: &str) -> Option<Response> {
    let mut st = app.state.lock().unwrap();
    if st.rate_limit_next == 0 {
        return None;
    }
    st.rate_limit_next -= 1;
    drop(st);
    record(app, &format!("{method} (429)"), Value::Null);
    let mut r = json_response(
        StatusCode::TOO_MANY_REQUESTS,
        json!({ "ok": false, "error": "ratelimited" }),
    );
    r.headers_mut().insert("retry-after", "1".parse().unwrap());
    Some(r)
}

fn auth_test(app: &App, method: &str) -> Response {
    record(app, method, Value::Null);
    let mut r = json_response(
        StatusCode::OK,
        json!({ "ok": true, "url": "https://fake.slack.com/", "team": "Platform", "user": "privatelink-bot", "team_id": "T0001", "user_id": "U0BOT", "bot_id": "B0001" }),
    );
    if let Some(scopes) = app.state.lock().unwrap().scopes.clone() {
        r.headers_mut()
            .insert("x-oauth-scopes", scopes.parse().unwrap());
    }
    r
}

/// A 500 during an outage of the method; a 429 on a throttled channel.
fn outage_or_throttle(app: &App, method: &str, body: &Value) -> Option<Response> {
    let st = app.state.lock().unwrap();
    let down = st
        .outage
        .as_ref()
        .is_some_and(|(_, methods)| methods.is_empty() || methods.iter().any(|m| m == method));
    let throttled = body["channel"]
        .as_str()
        .and_then(|c| st.throttled_channels.get(c).copied());
    drop(st);
    if down {
        record(app, &format!("{method} (500)"), body.clone());
        return Some(json_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({ "ok": false, "error": "internal_error" }),
        ));
    }
    let seconds = throttled?;
    record(app, &format!("{method} (429)"), body.clone());
    let mut r = json_response(
        StatusCode::TOO_MANY_REQUESTS,
        json!({ "ok": false, "error": "ratelimited" }),
    );
    r.headers_mut()
        .insert("retry-after", seconds.to_string().parse().unwrap());
    Some(r)
}

/// What Slack refuses for good, until a person acts.
fn refused_for_good(app: &App, method: &str, body: &Value) -> Option<&'static str> {
    let st = app.state.lock().unwrap();
    let to = body["channel"].as_str().unwrap_or_default();
    let posts = matches!(
        method,
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
}

/// A message posted or updated, answered as Slack answers it.
fn posted(app: &App, method: &str, body: Value) -> Response {
    // A user id as the channel: the bot's direct conversation with them.
    let channel = match body["channel"].as_str() {
        Some(user) if method == "chat.postMessage" && user.starts_with('U') => {
            json!(format!("D{}", user.trim_start_matches('U')))
        }
        _ => body["channel"].clone(),
    };
    let ts = match method {
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
    record(app, method, body);
    json_response(
        StatusCode::OK,
        json!({ "ok": true, "channel": channel, "ts": ts, "message": { "ts": ts, "type": "message", "text": "" } }),
    )
}

/// The read methods slack-morphism sends as GET with a query string.
pub(super) async fn api_get(
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
        "files.getUploadURLExternal" => super::files::upload_url(&app, &query),
        "conversations.info" => super::channels::info(&app, &query),
        "conversations.list" => super::channels::list(&app, &query),
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

pub(super) async fn response_url(
    State(app): State<App>,
    Path(id): Path<String>,
    body: String,
) -> Response {
    let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    record(&app, &format!("response_url/{id}"), body);
    (StatusCode::OK, "ok").into_response()
}
