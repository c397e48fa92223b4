//! The Discord rows of `check-config --online`: the bot token is accepted
//! and belongs to the configured application (`GET /oauth2/applications/@me`), and
//! the configured public key is that application's, so signed interactions
//! will verify.

use serenity::all::StatusCode;
use serenity::http::HttpError;

use super::DiscordSettings;
use crate::ports::probe::Row;
use crate::secret::from_env as secret_from_env;

pub async fn run(settings: &DiscordSettings) -> Vec<Row> {
    let check = "Discord bot token";
    let token = match secret_from_env(&settings.bot_token_env, "Discord bot token") {
        Ok(t) => t,
        Err(e) => {
            return vec![Row::fail(
                check,
                format!("{e:#}"),
                "copy the bot token from the Developer Portal's Bot page",
            )];
        }
    };
    let http = super::http(settings, &token);
    let info = match http.get_current_application_info().await {
        Ok(info) => info,
        Err(serenity::Error::Http(HttpError::UnsuccessfulRequest(r)))
            if r.status_code == StatusCode::UNAUTHORIZED =>
        {
            return vec![Row::fail(
                check,
                "Discord refused the token (401 Unauthorized)",
                format!(
                    "set {} to the bot's current token (Developer Portal → Bot → Reset Token)",
                    settings.bot_token_env
                ),
            )];
        }
        Err(e) => {
            return vec![Row::fail(
                check,
                format!(
                    "Discord did not accept the call: {}",
                    super::sink::describe(&e)
                ),
                "check that Discord (or [discord] api_url) is reachable and run the check again",
            )];
        }
    };
    let mut rows = Vec::new();
    let id = info.id.get();
    rows.push(if id == settings.application_id {
        Row::pass(check, format!("accepted; application {} ({id})", info.name))
    } else {
        Row::fail(
            check,
            format!(
                "the token belongs to application {id} ({}), but [discord] application_id is {}",
                info.name, settings.application_id
            ),
            format!(
                "set [discord] application_id = {id}, or use application {}'s token",
                settings.application_id
            ),
        )
    });
    let key = "Discord public key";
    rows.push(if info.verify_key.eq_ignore_ascii_case(settings.public_key.trim()) {
        Row::pass(key, "matches the application's")
    } else {
        Row::fail(
            key,
            "[discord] public_key is not the application's: every interaction would be refused with 401",
            format!("set [discord] public_key = \"{}\"", info.verify_key),
        )
    });
    rows
}
