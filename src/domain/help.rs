//! The words of the command grammar for people: each sub-command's usage
//! line and what it does, as `help` prints them and as parse errors quote
//! them. The grammar itself is `command.rs`.

use std::sync::OnceLock;

use crate::i18n::{Locale, render};
use crate::t;

pub const USAGE_CREATE: &str = "/privatelink create project=<proj-…> region=<aws-…> vpc=<vpc-…> subnets=<subnet-…,…> sg=<sg-…,…> clusters=<cluster id,…> [role=<IAM role ARN>]";
pub const USAGE_PLAN: &str = "/privatelink plan project=<proj-…> region=<aws-…> vpc=<vpc-…> subnets=<subnet-…,…> sg=<sg-…,…> clusters=<cluster id,…> [role=<IAM role ARN>]";
pub const USAGE_STATUS: &str = "/privatelink status <job id, e.g. PL-1042>";
pub const USAGE_VERIFY: &str = "/privatelink verify <job id>";
pub const USAGE_LIST: &str = "/privatelink list [mine|pending|running|failed|drifted|all]";
pub const USAGE_CANCEL: &str = "/privatelink cancel <job id>";
pub const USAGE_RETRY: &str = "/privatelink retry <job id>";
pub const USAGE_ROLLBACK: &str = "/privatelink rollback <job id>";
pub const USAGE_DELETE: &str = "/privatelink delete <job id>";
pub const USAGE_EXPORT: &str = "/privatelink export <job id>";
pub const USAGE_ADOPT: &str = "/privatelink adopt <job id>";
pub const USAGE_POLICY: &str =
    "/privatelink policy [<platform>:<channel>] [<AWS account>] [<aws-region>] [<proj-…>]";
pub const USAGE_SANDBOX: &str = "/privatelink sandbox [reset|scenarios|scenario <name>]";
pub const USAGE_HELP: &str = "/privatelink help [command]";
pub const USAGE_ANY: &str = "/privatelink create|plan|status|verify|list|cancel|retry|rollback|delete|export|adopt|policy|sandbox|help …";

/// The sub-commands, their usage line and what they do, for `help`.
/// The sub-commands, their usage line and what they do (a catalogue key),
/// for `help`.
pub const SUBCOMMANDS: &[(&str, &str, &str)] = &[
    ("create", USAGE_CREATE, "help-create"),
    ("plan", USAGE_PLAN, "help-plan"),
    ("status", USAGE_STATUS, "help-status"),
    ("verify", USAGE_VERIFY, "help-verify"),
    ("list", USAGE_LIST, "help-list"),
    ("cancel", USAGE_CANCEL, "help-cancel"),
    ("retry", USAGE_RETRY, "help-retry"),
    ("rollback", USAGE_ROLLBACK, "help-rollback"),
    ("delete", USAGE_DELETE, "help-delete"),
    ("export", USAGE_EXPORT, "help-export"),
    ("adopt", USAGE_ADOPT, "help-adopt"),
    ("policy", USAGE_POLICY, "help-policy"),
    ("sandbox", USAGE_SANDBOX, "help-sandbox"),
    ("help", USAGE_HELP, "help-help"),
];

/// The help text for one command, or for all of them, in `locale`.
/// Rendered once per language and topic, on first use: it never changes,
/// and `help` is answered in the acknowledgement, where time counts.
pub fn help(topic: Option<&str>, locale: Locale) -> String {
    static RENDERED: OnceLock<Vec<(Locale, Option<&'static str>, String)>> = OnceLock::new();
    let topic = topic.and_then(|t| SUBCOMMANDS.iter().find(|(name, _, _)| *name == t));
    let name = topic.map(|(name, _, _)| *name);
    let rendered = RENDERED.get_or_init(|| {
        let topics = std::iter::once(None).chain(SUBCOMMANDS.iter().map(|(n, _, _)| Some(*n)));
        topics
            .flat_map(|t| Locale::ALL.into_iter().map(move |l| (l, t)))
            .map(|(l, t)| (l, t, render_help(t, l)))
            .collect()
    });
    rendered
        .iter()
        .find(|(l, t, _)| *l == locale && *t == name)
        .map_or_else(|| render_help(name, locale), |(_, _, text)| text.clone())
}

/// The help text rendered from the catalogue (what [`help`] keeps).
pub fn render_help(topic: Option<&str>, locale: Locale) -> String {
    let what = |key: &str| render(locale, key, &[]);
    match topic.and_then(|t| SUBCOMMANDS.iter().find(|(name, _, _)| *name == t)) {
        Some((_, usage, key)) => format!("{usage}\n{}", what(key)),
        None => {
            let mut out = t!(locale, "help-intro");
            out.push('\n');
            for (_, usage, key) in SUBCOMMANDS {
                out.push_str(&format!("• {usage}\n    {}\n", what(key)));
            }
            out.push_str(&t!(locale, "help-flags"));
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kept_help_is_what_the_catalogue_renders_for_every_language_and_topic() {
        let topics = std::iter::once(None)
            .chain(SUBCOMMANDS.iter().map(|(n, _, _)| Some(*n)))
            .chain([Some("no-such-command")]);
        for topic in topics {
            for locale in Locale::ALL {
                let wanted = render_help(topic, locale);
                assert_eq!(help(topic, locale), wanted, "{topic:?} in {locale:?}");
                assert_eq!(help(topic, locale), wanted, "asked twice");
            }
        }
        assert_ne!(help(None, Locale::En), help(None, Locale::ZhCn));
    }
}
