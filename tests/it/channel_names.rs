//! Rules that name channels by name (`slack:#platform-ops`), over the
//! fake Slack and Discord: the bot asks the platform the name of the
//! channel a request comes from (`conversations.info`, `GET
//! /channels/{id}`), once for a burst, and matches it; a channel that
//! bears no named rule's name is refused, naming it; a name the platform
//! will not tell (a missing scope, a channel the bot cannot see) is said
//! in the refusal, not guessed.

use privatelink_bot::domain::job::JobState;
use privatelink_bot::domain::policy::Principal;
use privatelink_bot::domain::rules::{Approvals, ChannelMatch, Rule};

/// A rule for requests from `channels` (as the config writes them).
fn rule(name: &str, channels: &[&str], platform: &str, approvers: &[&str], create: u8) -> Rule {
    let principals = |names: &[&str]| {
        names
            .iter()
            .map(|n| Principal::parse(n).expect("a principal"))
            .collect()
    };
    Rule {
        name: name.to_owned(),
        channels: channels
            .iter()
            .map(|c| ChannelMatch::parse(c).expect("a channel"))
            .collect(),
        accounts: Vec::new(),
        regions: Vec::new(),
        projects: Vec::new(),
        requesters: principals(&[&format!("{platform}:*")]),
        approvers: principals(approvers),
        approvals: Approvals {
            create,
            delete: create,
            repair: 1,
        },
    }
}

#[tokio::test]
async fn over_slack_a_rule_naming_a_channel_matches_it_by_the_name_slack_gives() {
    use crate::slack_bot::SlackBot;
    let approvers = ["slack:UBOB", "slack:UCAROL"];
    let bot = SlackBot::start_full(
        &approvers,
        |c| {
            c.policy.rules = vec![
                rule(
                    "production",
                    &["slack:#platform-ops"],
                    "slack",
                    &approvers,
                    2,
                ),
                rule("sandbox", &["slack:#data-sandbox"], "slack", &approvers, 1),
            ];
            (c.policy.requesters, c.policy.approvers) = (Vec::new(), Vec::new());
        },
        None,
    )
    .await;
    bot.slack.name_channel("C0PLATFORM", "platform-ops", false);
    bot.slack.name_channel("C0SANDBOX", "data-sandbox", true);
    bot.slack.name_channel("C0RANDOM", "random", false);
    let create = bot.create_args();

    assert_eq!(bot.command("UALICE", &create, "T1").await, 200);
    let (_, id) = bot.card().await;
    let job = bot
        .server()
        .app
        .store
        .get(id)
        .await
        .expect("store")
        .expect("job");
    assert_eq!(job.guard().rule.as_deref(), Some("production"));
    assert_eq!(job.guard().needed.create, 2);

    // A private channel the bot is in: Slack tells its name too.
    assert_eq!(
        bot.command_in("C0SANDBOX", "UALICE", "policy", "T3").await,
        200
    );
    let policy = answer(&bot, "T3").await;
    assert!(policy.contains("Rule \"sandbox\""), "{policy}");
    assert!(
        policy.contains("slack:C0SANDBOX (#data-sandbox)"),
        "{policy}"
    );

    let refused = refusal(&bot, "C0RANDOM", &create, "T4").await;
    assert!(
        refused.contains("No rule of the policy covers requests from slack:C0RANDOM (#random)"),
        "{refused}"
    );

    // The platform-ops channel was asked about once for both its requests
    // (the create and the preflight's rule), not per question.
    let infos = |channel: &str| {
        bot.slack
            .calls()
            .iter()
            .filter(|c| c.method == "conversations.info" && c.body["channel"] == channel)
            .count()
    };
    assert_eq!(infos("C0PLATFORM"), 1, "kept for a burst");
    assert_eq!(infos("C0SANDBOX"), 1);

    // `policy slack:#name` finds the channel bearing it, over every page
    // of conversations.list.
    for (c, n) in [("C0A", "alpha"), ("C0B", "beta"), ("C0C", "gamma")] {
        bot.slack.name_channel(c, n, false);
    }
    bot.slack.name_channel("C0Z", "zeta-ops", false);
    assert_eq!(
        bot.command_in("C0RANDOM", "UALICE", "policy slack:#data-sandbox", "T5")
            .await,
        200
    );
    let named = answer(&bot, "T5").await;
    assert!(
        named.contains("slack:C0SANDBOX (#data-sandbox)") && named.contains("\"sandbox\""),
        "{named}"
    );
    let lists = bot
        .slack
        .calls()
        .iter()
        .filter(|c| c.method == "conversations.list")
        .count();
    assert!(lists >= 3, "every page was read: {lists}");

    // Without the scope to read names, the refusal says so.
    bot.slack
        .set_scopes("commands,chat:write,chat:write.public,usergroups:read,files:write");
    let unread = refusal(&bot, "C0NEW", &create, "T6").await;
    assert!(
        unread.contains("could not read this channel's name"),
        "{unread}"
    );
    assert!(
        unread.contains("missing_scope (the app needs channels:read)"),
        "the reason, shortly: {unread}"
    );
    assert_eq!(
        bot.server().app.store.all_jobs().await.expect("jobs").len(),
        1,
        "refusals store nothing"
    );
}

#[tokio::test]
async fn a_name_that_cannot_be_read_never_falls_through_to_a_later_rule() {
    use crate::slack_bot::SlackBot;
    // Production by name, with two approvals; the flat lists after it
    // match everything, with one.
    let bot = SlackBot::start_full(
        &["slack:UBOB", "slack:UCAROL"],
        |c| {
            c.policy.rules = vec![rule(
                "production",
                &["slack:#platform-ops"],
                "slack",
                &["slack:UBOB", "slack:UCAROL"],
                2,
            )];
        },
        None,
    )
    .await;
    bot.slack.name_channel("C0PLATFORM", "platform-ops", false);
    bot.slack
        .set_scopes("commands,chat:write,chat:write.public,usergroups:read,files:write");
    let refused = refusal(&bot, "C0PLATFORM", &bot.create_args(), "T1").await;
    assert!(
        refused.contains("cannot tell whether that rule applies"),
        "not the flat lists' one approval: {refused}"
    );
    assert!(refused.contains("missing_scope"), "{refused}");
    assert!(
        bot.server()
            .app
            .store
            .all_jobs()
            .await
            .expect("jobs")
            .is_empty(),
        "nothing stored"
    );
}

/// What the bot answered `trigger`: in the acknowledgement, or later.
async fn answer(bot: &crate::slack_bot::SlackBot, trigger: &str) -> String {
    bot.ephemeral(trigger).await
}

async fn refusal(
    bot: &crate::slack_bot::SlackBot,
    channel: &str,
    create: &str,
    trigger: &str,
) -> String {
    let (_, body) = bot
        .command_answer_in(channel, "UALICE", create, trigger)
        .await;
    match body.is_empty() {
        true => bot.ephemeral(trigger).await,
        false => body,
    }
}

#[tokio::test]
async fn over_discord_a_rule_naming_a_channel_matches_it_and_an_unseen_channel_is_refused() {
    use crate::discord_bot::{CHANNEL, DiscordBot, click};
    let approvers = ["discord:222", "discord:333"];
    let bot = DiscordBot::start_with(|c| {
        c.policy.rules = vec![rule(
            "production",
            &["discord:#platform-ops"],
            "discord",
            &approvers,
            2,
        )];
        (c.policy.requesters, c.policy.approvers) = (Vec::new(), Vec::new());
    })
    .await;
    bot.discord.add_channel("888", CHANNEL, "platform-ops");
    let (card, id) = bot.create("1001", "111").await;
    for (n, user) in [("1002", "222"), ("1003", "333")] {
        let approve = click(n, user, &[], &format!("approve:{id}"), &card);
        assert_eq!(bot.post(&approve).await.status(), 200);
    }
    bot.wait_state(id, |s| *s == JobState::Succeeded).await;
    let job = bot
        .server
        .app
        .store
        .get(id)
        .await
        .expect("store")
        .expect("job");
    assert_eq!(job.guard().rule.as_deref(), Some("production"));
    assert_eq!(job.guard().approvals.len(), 2);

    // A channel in no server the bot is in: Discord's Unknown Channel.
    let elsewhere = bot.create_command_in("1006", "111", "999999");
    assert_eq!(bot.post(&elsewhere).await.status(), 200);
    let said = bot.ephemeral_reply("1006").await;
    assert!(
        said.contains("No rule of the policy covers requests from discord:999999"),
        "{said}"
    );
    assert!(said.contains("10003"), "Discord's reason is said: {said}");
    // A thread anyone opened with the rule's name is no channel of it.
    bot.discord.add_thread("888", "5555", "platform-ops");
    let thread = bot.create_command_in("1007", "111", "5555");
    assert_eq!(bot.post(&thread).await.status(), 200);
    let said = bot.ephemeral_reply("1007").await;
    assert!(
        said.contains("No rule of the policy covers requests from discord:5555")
            && said.contains("thread"),
        "{said}"
    );
    assert_eq!(
        bot.server.app.store.all_jobs().await.expect("jobs").len(),
        1
    );
}
