//! The Slack rows of `check-config --online`: the bot token is accepted
//! (`auth.test`), it carries every scope the app manifest asks for (Slack
//! reports a token's scopes in the `x-oauth-scopes` header), and the secret
//! the transport needs is set.

use std::time::Duration;

use serde::Deserialize;

use super::{SlackSettings, Transport};
use crate::ports::probe::Row;
use crate::secret::Secret;
use crate::secret::from_env as secret_from_env;

/// The bot scopes the bot uses, as `config/slack-app-manifest.yml` lists them.
pub const BOT_SCOPES: [&str; 5] = [
    "commands",
    "chat:write",
    "chat:write.public",
    "usergroups:read",
    "files:write",
];

/// The scopes only rules naming Slack channels by name need (the
/// manifest lists them after the others).
pub const NAME_SCOPES: [&str; 2] = ["channels:read", "groups:read"];

#[derive(Deserialize)]
struct AuthTest {
    ok: bool,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    team: Option<String>,
    #[serde(default)]
    user: Option<String>,
}

pub async fn run(settings: &SlackSettings) -> Vec<Row> {
    let mut rows = vec![transport_secret_row(settings)];
    let token_check = "Slack bot token (auth.test)";
    let token = match secret_from_env(&settings.bot_token_env, "Slack bot token") {
        Ok(t) => t,
        Err(e) => {
            rows.push(Row::fail(
                token_check,
                format!("{e:#}"),
                "install the app and copy the Bot User OAuth Token (xoxb-…)",
            ));
            return rows;
        }
    };
    let answer = auth_test(settings, &token).await;
    let (body, scopes) = match answer {
        Ok(a) => a,
        Err(e) => {
            rows.push(Row::fail(
                token_check,
                format!("Slack did not answer: {}", e.without_url()),
                format!("check that {} is reachable", settings.api_url),
            ));
            return rows;
        }
    };
    if !body.ok {
        let error = body.error.unwrap_or_else(|| "unknown".to_owned());
        rows.push(Row::fail(
            token_check,
            format!("Slack refused the token: {error}"),
            format!(
                "set {} to the app's current Bot User OAuth Token (xoxb-…); reinstall the app if it was revoked",
                settings.bot_token_env
            ),
        ));
        return rows;
    }
    rows.push(Row::pass(
        token_check,
        format!(
            "accepted in team {} as {}",
            body.team.unwrap_or_default(),
            body.user.unwrap_or_default()
        ),
    ));
    rows.push(scope_row(scopes.as_deref()));
    rows
}

/// The secret the transport needs: the signing secret over HTTP, the
/// app-level token for Socket Mode (its shape only: connecting proves it).
fn transport_secret_row(settings: &SlackSettings) -> Row {
    match settings.transport {
        Transport::Http => {
            match secret_from_env(&settings.signing_secret_env, "Slack signing secret") {
                Ok(_) => Row::pass(
                    "Slack signing secret",
                    "set; Slack's requests prove it, there is no call to test it",
                ),
                Err(e) => Row::fail(
                    "Slack signing secret",
                    format!("{e:#}"),
                    "copy the signing secret from the app's Basic Information page",
                ),
            }
        }
        Transport::Socket => {
            match secret_from_env(&settings.app_token_env, "Slack app-level token") {
                Ok(t) if t.expose().starts_with("xapp-") => Row::pass(
                    "Slack app-level token",
                    "set; Socket Mode proves it when it connects",
                ),
                Ok(_) => Row::fail(
                    "Slack app-level token",
                    format!(
                        "{} does not hold an app-level token (xapp-…)",
                        settings.app_token_env
                    ),
                    "create an app-level token with connections:write under Basic Information",
                ),
                Err(e) => Row::fail(
                    "Slack app-level token",
                    format!("{e:#}"),
                    "create an app-level token with connections:write under Basic Information",
                ),
            }
        }
    }
}

/// `auth.test` with the bot token: Slack's answer and the scopes granted.
async fn auth_test(
    settings: &SlackSettings,
    token: &Secret,
) -> Result<(AuthTest, Option<String>), reqwest::Error> {
    let url = format!("{}/auth.test", settings.api_url.trim_end_matches('/'));
    async {
        let resp = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .build()?
            .post(&url)
            .bearer_auth(token.expose())
            .send()
            .await?;
        let scopes = resp
            .headers()
            .get("x-oauth-scopes")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body: AuthTest = resp.json().await?;
        Ok::<_, reqwest::Error>((body, scopes))
    }
    .await
}

fn scope_row(granted: Option<&str>) -> Row {
    let check = "Slack scopes";
    let Some(granted) = granted else {
        return Row::skipped(check, "Slack did not say which scopes the token has");
    };
    let granted: Vec<&str> = granted.split(',').map(str::trim).collect();
    let lacking = |wanted: &[&'static str]| -> Vec<&'static str> {
        wanted
            .iter()
            .copied()
            .filter(|s| !granted.contains(s))
            .collect()
    };
    let fix = "add them under OAuth & Permissions (as config/slack-app-manifest.yml lists them) and reinstall the app";
    let (missing, for_names) = (lacking(&BOT_SCOPES), lacking(&NAME_SCOPES));
    if !missing.is_empty() {
        Row::fail(
            check,
            format!("the token lacks {}", missing.join(", ")),
            fix,
        )
    } else if !for_names.is_empty() {
        Row::warn(
            check,
            format!(
                "the token lacks {}: rules naming Slack channels by name (slack:#name) will not match",
                for_names.join(", ")
            ),
            fix,
        )
    } else {
        Row::pass(
            check,
            [BOT_SCOPES.as_slice(), &NAME_SCOPES].concat().join(", "),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scopes_checked_are_the_manifests() {
        let manifest = include_str!("../../../config/slack-app-manifest.yml");
        let listed: Vec<&str> = manifest
            .lines()
            .skip_while(|l| l.trim() != "bot:")
            .skip(1)
            .map_while(|l| l.trim().strip_prefix("- "))
            .map(|l| l.split('#').next().unwrap_or_default().trim())
            .collect();
        assert_eq!(listed, [BOT_SCOPES.as_slice(), &NAME_SCOPES].concat());
    }

    #[test]
    fn a_missing_scope_is_named() {
        let core = "commands,chat:write,chat:write.public,usergroups:read,files:write";
        let row = scope_row(Some(core));
        assert!(!row.failed(), "names are optional");
        assert!(
            matches!(&row.outcome, crate::ports::probe::Outcome::Warn { problem, .. } if problem.contains("channels:read, groups:read")),
            "{row:?}"
        );
        let all = format!("{core},channels:read,groups:read");
        assert!(matches!(
            scope_row(Some(&all)).outcome,
            crate::ports::probe::Outcome::Pass(_)
        ));
        let row = scope_row(Some("commands, chat:write"));
        assert!(row.failed());
        assert!(format!("{:?}", row.outcome).contains("chat:write.public, usergroups:read"));
    }
}
