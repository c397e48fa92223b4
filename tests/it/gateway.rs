//! The Discord gateway against a peer over a real WebSocket: the bot's
//! gateway transport (serenity, its REST through the configured
//! `api_url`) identifies with its token, heartbeats, takes interactions as
//! dispatches, resumes its session when asked to reconnect and after the
//! connection drops, and gets what it missed while away exactly once.

use privatelink_bot::domain::ids::JobId;
use privatelink_bot::domain::job::JobState;
use privatelink_bot::secret::Secret;

use crate::discord::{CHANNEL, DiscordBot, TOKEN, click, command};
use crate::fake_discord::Call;
use crate::fake_gateway::{GatewayServer, Seen};

fn count(seen: &[Seen], what: impl Fn(&Seen) -> bool) -> usize {
    seen.iter().filter(|s| what(s)).count()
}

fn callbacks(calls: &[Call], interaction: &str) -> usize {
    calls
        .iter()
        .filter(|c| c.path == format!("/interactions/{interaction}/token-{interaction}/callback"))
        .count()
}

#[tokio::test]
async fn the_gateway_identifies_heartbeats_resumes_and_misses_nothing() {
    let bot = DiscordBot::start_with(|c| {
        if let Some(d) = c.discord.as_mut() {
            d.transport = privatelink_bot::chat::discord::Transport::Gateway;
        }
    })
    .await;
    let (gateway, running) = connected(&bot).await;
    let job = a_command_dispatched_posts_its_card(&bot, &gateway).await;
    let card_id = "900001";

    // Discord asks for a reconnect: the bot resumes its session.
    gateway.reconnect();
    gateway
        .wait_for("a resume", |s| {
            count(s, |s| matches!(s, Seen::Resume(..))) == 1
        })
        .await;

    // The connection drops; the approve click is dispatched meanwhile. The
    // bot resumes and gets it, once.
    gateway.drop_open();
    gateway.dispatch(
        "INTERACTION_CREATE",
        click("2", "222", &[], &format!("approve:{job}"), card_id),
    );
    let seen = gateway
        .wait_for("a second resume", |s| {
            count(s, |s| matches!(s, Seen::Resume(..))) == 2
        })
        .await;
    assert!(
        seen.iter()
            .any(|s| matches!(s, Seen::Resume(session, _) if session == "session-fake-1")),
        "{seen:?}"
    );
    assert_eq!(
        bot.wait_state(job, |s| *s == JobState::Succeeded).await,
        JobState::Succeeded
    );
    assert_eq!(
        callbacks(&bot.discord.calls(), "2"),
        1,
        "the click missed while away, answered once"
    );
    let seen = gateway
        .wait_for("heartbeats", |s| s.contains(&Seen::Heartbeat))
        .await;
    assert!(
        count(&seen, |s| matches!(s, Seen::Identify(_))) == 1,
        "resumed, never identified again: {seen:?}"
    );
    running.abort();
}

/// The bot's gateway transport, connected: identified with the bot token
/// and, once ready, its command registered.
async fn connected(
    bot: &DiscordBot,
) -> (GatewayServer, tokio::task::JoinHandle<anyhow::Result<()>>) {
    let gateway = bot.discord.enable_gateway().await;
    let http = privatelink_bot::chat::discord::http(&bot.settings, &Secret::new(TOKEN));
    let running = tokio::spawn(privatelink_bot::chat::discord::gateway::run(
        bot.handler(),
        http,
        vec![888],
        bot.server.transports.clone(),
    ));
    gateway
        .wait_for("IDENTIFY", |s| {
            s.contains(&Seen::Identify(format!("Bot {TOKEN}")))
                || s.contains(&Seen::Identify(TOKEN.to_owned()))
        })
        .await;
    bot.discord
        .wait_for("the command registered on READY", |c| {
            c.iter()
                .any(|c| c.method == "PUT" && c.path.ends_with("/commands"))
        })
        .await;
    (gateway, running)
}

/// A slash command as a dispatch: answered through the REST callback, and
/// the card goes up. Returns the job on the card.
async fn a_command_dispatched_posts_its_card(bot: &DiscordBot, gateway: &GatewayServer) -> JobId {
    let opts = bot.create_options();
    let opts: Vec<(&str, &str)> = opts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    gateway.dispatch("INTERACTION_CREATE", command("1", "111", "create", &opts));
    let is_card =
        |c: &Call| c.method == "POST" && c.path == format!("/channels/{CHANNEL}/messages");
    let calls = bot
        .discord
        .wait_for("the card", |c| c.iter().any(is_card))
        .await;
    assert_eq!(callbacks(&calls, "1"), 1);
    let card = calls.iter().find(|c| is_card(c)).expect("card");
    let text = card.body.to_string();
    let id = text
        .split("approve:")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("the approve button");
    JobId::parse(id).expect("job id")
}
