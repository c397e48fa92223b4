//! Slack's request bodies as Slack sends them: a slash command's form and
//! a button click's `payload=`, for the tests and the load harness that
//! drive the bot over HTTP. Signing them is the caller's.

use serde_json::json;

/// Where a request comes from and whom its private answer goes to.
pub struct From<'a> {
    pub channel: &'a str,
    pub user: &'a str,
    pub trigger: &'a str,
    pub response_url: &'a str,
}

/// The form of `/privatelink <text>`.
pub fn slash_command(from: &From<'_>, text: &str) -> String {
    serde_urlencoded::to_string([
        ("token", "ignored"),
        ("team_id", "T0"),
        ("team_domain", "acme"),
        ("channel_id", from.channel),
        ("channel_name", "platform"),
        ("user_id", from.user),
        ("user_name", from.user),
        ("command", "/privatelink"),
        ("text", text),
        ("response_url", from.response_url),
        ("trigger_id", from.trigger),
        ("api_app_id", "A0"),
    ])
    .unwrap_or_default()
}

/// The form of a click on the button whose value is `value`, on the
/// message at `message_ts`.
pub fn button_click(from: &From<'_>, value: &str, message_ts: &str) -> String {
    let payload = json!({
        "type": "block_actions",
        "team": { "id": "T0", "domain": "acme" },
        "user": { "id": from.user, "team_id": "T0", "username": from.user, "name": from.user },
        "api_app_id": "A0",
        "container": { "type": "message", "message_ts": message_ts, "channel_id": from.channel, "is_ephemeral": false },
        "trigger_id": from.trigger,
        "channel": { "id": from.channel, "name": "platform" },
        "response_url": from.response_url,
        "actions": [ { "type": "button", "action_id": "privatelink_x", "block_id": "b", "value": value, "action_ts": "1700000000.1" } ],
    });
    serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap_or_default()
}
