//! The fake's channels, as `conversations.info` and `conversations.list`
//! describe them. As Slack documents: a public channel needs
//! `channels:read` and a private one `groups:read` (else `missing_scope`,
//! with `needed`); a private channel exists, to the bot, only if the bot
//! is in it (else `channel_not_found`); the list comes in pages that may
//! hold fewer than `limit` (this fake gives two at most), each with
//! `response_metadata.next_cursor`, empty on the last.
//!
//! A channel a test never named is, to these methods, no channel
//! (`channel_not_found`).

use std::collections::HashMap;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::routes::json_response;
use super::*;

/// A named channel.
#[derive(Debug, Clone)]
pub struct Channel {
    pub name: String,
    pub private: bool,
}

/// Most channels one page holds, whatever the limit asked.
const PAGE: usize = 2;

fn lacks(st: &FakeSlackState, scope: &'static str) -> Option<Response> {
    let granted = st.scopes.as_deref()?;
    if granted.split(',').any(|s| s.trim() == scope) {
        return None;
    }
    Some(json_response(
        StatusCode::OK,
        json!({ "ok": false, "error": "missing_scope", "needed": scope, "provided": granted }),
    ))
}

fn describe(id: &str, c: &Channel, archived: bool) -> Value {
    json!({
        "id": id, "name": c.name, "name_normalized": c.name, "created": 1_700_000_000,
        "is_channel": !c.private, "is_group": false, "is_im": false, "is_mpim": false,
        "is_private": c.private, "is_archived": archived, "is_general": false,
        "is_member": true,
    })
}

pub(super) fn info(app: &App, query: &HashMap<String, String>) -> Response {
    let st = app.state.lock().unwrap();
    let id = query.get("channel").cloned().unwrap_or_default();
    let named = st.channels.get(&id).cloned();
    let private = named.as_ref().is_some_and(|c| c.private);
    if let Some(refused) = lacks(
        &st,
        if private {
            "groups:read"
        } else {
            "channels:read"
        },
    ) {
        return refused;
    }
    let gone = st.unknown.contains(&id) || (private && st.outside.contains(&id));
    let Some(channel) = named.filter(|_| !gone) else {
        return json_response(
            StatusCode::OK,
            json!({ "ok": false, "error": "channel_not_found" }),
        );
    };
    let archived = st.archived.contains(&id);
    json_response(
        StatusCode::OK,
        json!({ "ok": true, "channel": describe(&id, &channel, archived) }),
    )
}

pub(super) fn list(app: &App, query: &HashMap<String, String>) -> Response {
    let st = app.state.lock().unwrap();
    let types = query
        .get("types")
        .cloned()
        .unwrap_or_else(|| "public_channel".to_owned());
    let (public, private) = (
        types.contains("public_channel"),
        types.contains("private_channel"),
    );
    let scopes = [(public, "channels:read"), (private, "groups:read")];
    for (asked, scope) in scopes {
        if let Some(refused) = lacks(&st, scope).filter(|_| asked) {
            return refused;
        }
    }
    let exclude_archived = query.get("exclude_archived").is_some_and(|v| v == "true");
    let limit = query
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(100)
        .clamp(1, PAGE);
    let start = query
        .get("cursor")
        .and_then(|c| c.strip_prefix("next:"))
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(0);
    let mut visible: Vec<(&String, &Channel)> = st
        .channels
        .iter()
        .filter(|(id, c)| {
            if c.private {
                private && !st.outside.contains(*id)
            } else {
                public
            }
        })
        .filter(|(id, _)| !st.unknown.contains(*id))
        .filter(|(id, _)| !(exclude_archived && st.archived.contains(*id)))
        .collect();
    visible.sort_by(|a, b| a.0.cmp(b.0));
    let page: Vec<Value> = visible
        .iter()
        .skip(start)
        .take(limit)
        .map(|(id, c)| describe(id, c, st.archived.contains(*id)))
        .collect();
    let next = match start + limit < visible.len() {
        true => format!("next:{}", start + limit),
        false => String::new(),
    };
    json_response(
        StatusCode::OK,
        json!({ "ok": true, "channels": page, "response_metadata": { "next_cursor": next } }),
    )
}
