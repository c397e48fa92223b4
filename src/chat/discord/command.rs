//! The `/privatelink` application command: its definition for registration,
//! and the conversion of its typed options back into the command grammar,
//! so that Discord input goes through the same parser and validation as
//! Slack's and the console's text.

use serenity::all::{CommandData, CommandDataOptionValue, CommandOptionType};
use serenity::builder::{CreateCommand, CreateCommandOption};

use crate::domain::field::Field;
use crate::i18n::{Locale, render};

/// Regions offered as choices (Discord allows 25); any other is typed.
const REGIONS: &[&str] = &[
    "aws-us-east-1",
    "aws-us-east-2",
    "aws-us-west-2",
    "aws-ca-central-1",
    "aws-eu-central-1",
    "aws-eu-west-1",
    "aws-eu-west-2",
    "aws-ap-southeast-1",
    "aws-ap-southeast-2",
    "aws-ap-northeast-1",
    "aws-ap-south-1",
    "aws-cn-north-1",
    "aws-cn-northwest-1",
];

/// An option described in English, with Discord's `zh-CN` localization
/// (Discord shows each user the one for their client's language).
fn option(kind: CommandOptionType, name: &str, key: &str) -> CreateCommandOption {
    // Discord allows 100 characters per description.
    let say = |l| render(l, key, &[]).chars().take(100).collect::<String>();
    CreateCommandOption::new(kind, name, say(Locale::En))
        .description_localized(Locale::ZhCn.tag(), say(Locale::ZhCn))
}

fn text(name: &str, key: &str, required: bool) -> CreateCommandOption {
    option(CommandOptionType::String, name, key).required(required)
}

fn create_options(sub: CreateCommandOption) -> CreateCommandOption {
    Field::ALL.iter().fold(sub, |sub, field| {
        let mut option = text(field.option_name(), field.label(), field.required());
        if *field == Field::Region {
            for r in REGIONS {
                option = option.add_string_choice(*r, *r);
            }
        }
        sub.add_sub_option(option)
    })
}

fn job_sub(name: &str, key: &str) -> CreateCommandOption {
    option(CommandOptionType::SubCommand, name, key).add_sub_option(text(
        "job",
        "slash-option-job",
        true,
    ))
}

/// The command to register, globally or per guild.
pub fn definition() -> CreateCommand {
    let sub = |name: &str, key: &str| option(CommandOptionType::SubCommand, name, key);
    let list = sub("list", "help-list").add_sub_option(
        text("filter", "slash-option-filter", false)
            .add_string_choice("mine", "mine")
            .add_string_choice("pending", "pending")
            .add_string_choice("running", "running")
            .add_string_choice("failed", "failed")
            .add_string_choice("drifted", "drifted")
            .add_string_choice("all", "all"),
    );
    CreateCommand::new("privatelink")
        .description(render(Locale::En, "slash-command", &[]))
        .description_localized(
            Locale::ZhCn.tag(),
            render(Locale::ZhCn, "slash-command", &[]),
        )
        .add_option(create_options(sub("create", "slash-create")))
        .add_option(create_options(sub("plan", "slash-plan")))
        .add_option(job_sub("status", "slash-status"))
        .add_option(job_sub("verify", "slash-verify"))
        .add_option(list)
        .add_option(job_sub("cancel", "slash-cancel"))
        .add_option(job_sub("retry", "slash-retry"))
        .add_option(job_sub("rollback", "slash-rollback"))
        .add_option(job_sub("delete", "slash-delete"))
        .add_option(job_sub("export", "slash-export"))
        .add_option(job_sub("adopt", "slash-adopt"))
        .add_option(
            sub("policy", "slash-policy")
                .add_sub_option(text("channel", "slash-option-channel", false))
                .add_sub_option(text("account", "slash-option-account", false))
                .add_sub_option(text("region", "slash-option-policy-region", false))
                .add_sub_option(text("project", "slash-option-policy-project", false)),
        )
        .add_option(sandbox(sub("sandbox", "slash-sandbox")))
        .add_option(sub("help", "slash-help").add_sub_option(text(
            "command",
            "slash-option-command",
            false,
        )))
}

/// `sandbox [action] [scenario]`: the action and the scenario offered as
/// choices, so Discord users pick rather than type.
fn sandbox(sub: CreateCommandOption) -> CreateCommandOption {
    let mut action = text("action", "slash-option-sandbox-action", false);
    for a in ["show", "reset", "scenarios", "scenario"] {
        action = action.add_string_choice(a, a);
    }
    let mut scenario = text("scenario", "slash-option-scenario", false);
    for s in crate::domain::sandbox::Scenario::ALL {
        scenario = scenario.add_string_choice(s.name(), s.name());
    }
    sub.add_sub_option(action).add_sub_option(scenario)
}

/// Turns the interaction's options into grammar text, e.g.
/// `create project=proj-1 region=aws-us-west-2 …`. Values are checked by the
/// core parser afterwards; here only the shape is.
pub fn to_text(data: &CommandData) -> Result<String, String> {
    if data.name != "privatelink" {
        return Err(format!("unknown command /{}", data.name));
    }
    let [sub] = data.options.as_slice() else {
        return Err("expected exactly one subcommand".into());
    };
    let CommandDataOptionValue::SubCommand(options) = &sub.value else {
        return Err(format!("{} is not a subcommand", sub.name));
    };
    let mut out = sub.name.clone();
    for o in options {
        let CommandDataOptionValue::String(value) = &o.value else {
            return Err(format!("option {} must be text", o.name));
        };
        let value: String = value.split_whitespace().collect();
        if value.is_empty() {
            continue;
        }
        match Field::from_key(&o.name) {
            Some(field) => out.push_str(&format!(" {}={value}", field.name())),
            // `job`, `filter`, `command`: the words after the subcommand.
            None => out.push_str(&format!(" {value}")),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::command::tests::valid_request;
    use crate::domain::command::{Command, CreateRequest, parse};
    use proptest::prelude::*;

    /// The interaction Discord sends for `/privatelink create` with the
    /// request's fields as options.
    fn options_of(r: &CreateRequest) -> CommandData {
        let join = |items: Vec<String>| items.join(",");
        let mut options = vec![
            ("project", r.project.to_string()),
            ("region", r.region.to_string()),
            ("vpc", r.vpc.to_string()),
            (
                "subnets",
                join(r.subnets.iter().map(ToString::to_string).collect()),
            ),
            (
                "security_groups",
                join(r.security_groups.iter().map(ToString::to_string).collect()),
            ),
            (
                "clusters",
                join(r.clusters.iter().map(ToString::to_string).collect()),
            ),
        ];
        if let Some(role) = &r.role {
            options.push(("role", role.to_string()));
        }
        let options: Vec<serde_json::Value> = options
            .into_iter()
            .map(|(name, value)| serde_json::json!({ "name": name, "type": 3, "value": value }))
            .collect();
        serde_json::from_value(serde_json::json!({
            "id": "4242", "name": "privatelink", "type": 1,
            "options": [ { "name": "create", "type": 1, "options": options } ],
        }))
        .expect("Discord's command data")
    }

    proptest! {
        /// Discord's typed options, turned into grammar text, parse to the
        /// same request the options were made from.
        #[test]
        fn discord_options_to_text_to_parse_give_the_same_request(r in valid_request()) {
            let text = to_text(&options_of(&r)).expect("text");
            prop_assert_eq!(parse(&text), Ok(Command::Create(r)), "{}", text);
        }
    }
}
