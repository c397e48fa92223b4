//! Configuration: parsing, environment overrides and the checks at start.

use super::*;

const MIN: &str = r#"
[store]
path = "data/bot.sled"
[zilliz]
base_url = "https://api.cloud.zilliz.com"
[policy]
approvers = ["slack:U1"]
"#;

#[test]
fn the_example_config_is_valid_and_says_what_the_defaults_are() {
    let example = include_str!("../../config/privatelink-bot.example.toml");
    let c = Config::from_toml(example, std::iter::empty()).unwrap();
    let defaults = crate::delivery::DeliverySettings::default();
    assert_eq!(c.delivery.backoff_max, defaults.backoff_max);
    assert_eq!(c.delivery.card_overdue, defaults.card_overdue);
    assert_eq!(c.delivery.blocked_retry, defaults.blocked_retry);
    assert!(c.policy.roles.is_empty());
}

#[test]
fn the_sandbox_example_is_valid_and_keeps_its_store_apart() {
    let example = include_str!("../../config/sandbox.example.toml");
    let c = Config::from_toml(example, std::iter::empty()).unwrap();
    assert_ne!(c.sandbox.store, c.store.path);
    assert!(c.slack.is_some());
    let default = Config::from_toml(MIN, std::iter::empty()).unwrap();
    assert!(!default.sandbox.enabled);
    assert_eq!(
        default.sandbox.store,
        std::path::PathBuf::from("privatelink-bot-sandbox.sled")
    );
}

#[test]
fn a_broken_config_names_the_key_the_problem_and_the_fix() {
    let typo = MIN.replace("[policy]", "[policy]\napprover = [\"console:x\"]");
    let err = format!(
        "{:#}",
        Config::from_toml(&typo, std::iter::empty()).unwrap_err()
    );
    assert!(
        err.contains("unknown field `approver`") && err.contains("`policy`"),
        "{err}"
    );
    assert!(
        err.contains("fix: remove the key or correct its spelling"),
        "{err}"
    );

    let bad = format!("{MIN}\n[delivery]\ncard_overdue = \"soon\"\n");
    let err = format!(
        "{:#}",
        Config::from_toml(&bad, std::iter::empty()).unwrap_err()
    );
    assert!(err.contains("delivery.card_overdue"), "{err}");
    assert!(err.contains("fix: write a duration such as"), "{err}");

    let section = format!("{MIN}\n[logs]\nformat = \"json\"\n");
    let err = format!(
        "{:#}",
        Config::from_toml(&section, std::iter::empty()).unwrap_err()
    );
    assert!(
        err.contains("unknown field `logs`"),
        "a misspelt section too: {err}"
    );
}

#[test]
fn control_planes_may_be_named() {
    let cn = Config::from_toml(
        &MIN.replace("https://api.cloud.zilliz.com", "cn"),
        std::iter::empty(),
    )
    .expect("valid");
    assert_eq!(cn.zilliz.base_url, "https://api.cloud.zilliz.com.cn");
    let global = Config::from_toml(
        &MIN.replace("https://api.cloud.zilliz.com", "global"),
        std::iter::empty(),
    )
    .expect("valid");
    assert_eq!(global.zilliz.base_url, "https://api.cloud.zilliz.com");
    assert!(
        Config::from_toml(
            &MIN.replace("https://api.cloud.zilliz.com", "mars"),
            std::iter::empty()
        )
        .is_err(),
        "neither a name nor a URL"
    );
}

#[test]
fn env_overrides_and_validation() {
    let c = Config::from_toml(
        MIN,
        [
            (
                "PRIVATELINK_BOT__AWS__ENDPOINT_URL".to_owned(),
                "http://127.0.0.1:5000".to_owned(),
            ),
            (
                "PRIVATELINK_BOT__POLICY__ALLOW_SELF_APPROVAL".to_owned(),
                "true".to_owned(),
            ),
        ]
        .into_iter(),
    )
    .unwrap();
    assert_eq!(c.aws.endpoint_url.as_deref(), Some("http://127.0.0.1:5000"));
    assert!(c.policy.allow_self_approval);
    assert_eq!(c.policy.approval_ttl, Duration::from_secs(86400));
    assert!(Config::from_toml(&MIN.replace("slack:U1", "nobody"), std::iter::empty()).is_err());
    assert!(Config::from_toml(&format!("{MIN}\n[bogus]\nx=1"), std::iter::empty()).is_err());
    let discord = format!("{MIN}\n[discord]\napplication_id = 1\npublic_key = \"abc\"");
    let err = Config::from_toml(&discord, std::iter::empty()).unwrap_err();
    assert!(format!("{err:#}").contains("64 hex digits"), "{err:#}");
    let ok = discord.replace("abc", &"ab".repeat(32));
    assert!(Config::from_toml(&ok, std::iter::empty()).is_ok());
}

#[test]
fn policy_rules_parse_in_order_and_a_rule_that_can_never_apply_is_refused() {
    let example = include_str!("../../config/privatelink-bot.example.toml");
    let c = Config::from_toml(example, std::iter::empty()).unwrap();
    let names: Vec<String> = c.policy.in_force().into_iter().map(|r| r.name).collect();
    assert_eq!(names, ["production", "sandbox", "default"]);
    assert_eq!(c.policy.rules[0].approvals.create, 2);

    let rule = |name: &str, channels: &str| {
        format!(
            "[[policy.rule]]\nname = \"{name}\"\nchannels = [{channels}]\napprovers = [\"slack:U1\"]\n"
        )
    };
    let shadowing = format!(
        "{MIN}{}{}",
        rule("anywhere", ""),
        rule("ops", "\"slack:C1\"")
    );
    let err = format!(
        "{:#}",
        Config::from_toml(&shadowing, std::iter::empty()).unwrap_err()
    );
    assert!(
        err.contains("\"ops\" can never apply") && err.contains("\"anywhere\""),
        "{err}"
    );
    let twice = format!(
        "{MIN}{}{}",
        rule("ops", "\"slack:C1\""),
        rule("ops", "\"slack:C2\"")
    );
    let err = format!(
        "{:#}",
        Config::from_toml(&twice, std::iter::empty()).unwrap_err()
    );
    assert!(err.contains("two policy rules are named \"ops\""), "{err}");
    let none = MIN.replace("approvers = [\"slack:U1\"]", "approvers = []");
    let err = format!(
        "{:#}",
        Config::from_toml(&none, std::iter::empty()).unwrap_err()
    );
    assert!(err.contains("nobody could approve"), "{err}");
}
