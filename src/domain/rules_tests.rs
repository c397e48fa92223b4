//! The matching, as a table a person can check: where a request comes
//! from and what it touches → the rule that applies (or none), and which
//! rules can never apply.

use super::*;

const RULES: &str = r#"
[[rule]]
name = "production"
channels = ["slack:CPLATFORMOPS", "discord:1000000000000000001"]
accounts = ["111111111111"]
requesters = ["slack:group:SPLATFORM"]
approvers = ["slack:group:SPLATFORM"]
approvals = { create = 2, delete = 2, repair = 1 }

[[rule]]
name = "sandbox"
channels = ["slack:CDATASANDBOX", "slack:#data-sandbox", "discord:#data-sandbox"]
accounts = ["222222222222", "333333333333"]
regions = ["aws-us-west-2"]
requesters = ["slack:*"]
approvers = ["slack:*"]

[[rule]]
name = "china"
regions = ["aws-cn-northwest-1"]
approvers = ["slack:UCHINAOPS"]
"#;

#[derive(Deserialize)]
struct File {
    rule: Vec<Rule>,
}

fn rules() -> Vec<Rule> {
    toml::from_str::<File>(RULES).expect("the rules parse").rule
}

/// channel | account | region | project → rule (or ✗)
const TABLE: &str = "
slack:CPLATFORMOPS          | 111111111111 | aws-us-west-2      | proj-a | production
discord:1000000000000000001 | 111111111111 | aws-us-east-1      | proj-b | production
slack:CDATASANDBOX          | 111111111111 | aws-us-west-2      | proj-a | ✗
slack:CDATASANDBOX          | 222222222222 | aws-us-west-2      | proj-a | sandbox
slack:CDATASANDBOX          | 333333333333 | aws-us-west-2      | proj-c | sandbox
slack:CDATASANDBOX          | 222222222222 | aws-us-east-1      | proj-a | ✗
slack:CDATASANDBOX          | -            | aws-us-west-2      | proj-a | ✗
slack:CPLATFORMOPS          | 222222222222 | aws-us-west-2      | proj-a | ✗
slack:CRANDOM               | 111111111111 | aws-cn-northwest-1 | proj-a | china
slack:CPLATFORMOPS          | 111111111111 | aws-cn-northwest-1 | proj-a | production
console:ops                 | -            | aws-cn-northwest-1 | proj-a | china
slack:CNEW #data-sandbox    | 222222222222 | aws-us-west-2      | proj-a | sandbox
slack:CNEW #Data-Sandbox    | 222222222222 | aws-us-west-2      | proj-a | sandbox
slack:CNEW #data-sandbox-2  | 222222222222 | aws-us-west-2      | proj-a | ✗
slack:CNEW                  | 222222222222 | aws-us-west-2      | proj-a | ✗
discord:99 #data-sandbox    | 333333333333 | aws-us-west-2      | proj-a | sandbox
console:data-sandbox        | 333333333333 | aws-us-west-2      | proj-a | ✗
slack:CPLATFORMOPS #general | 111111111111 | aws-us-west-2      | proj-a | production
slack:CNEW ?                | 222222222222 | aws-us-west-2      | proj-a | ? sandbox
slack:CNEW ?                | 222222222222 | aws-cn-northwest-1 | proj-a | china
slack:CNEW ?                | 111111111111 | aws-cn-northwest-1 | proj-a | china
slack:CPLATFORMOPS ?        | 111111111111 | aws-us-west-2      | proj-a | production
";

/// A table cell: `slack:C1`, `slack:C1 #name` for a channel whose
/// platform told its name, `slack:C1 ?` for one whose name it would not.
fn at_channel(cell: &str) -> ChannelAt {
    let (id, name) = match cell.split_once(' ') {
        Some((id, name)) => (id, Some(name)),
        None => (cell, None),
    };
    let m = ChannelMatch::parse(id).expect("a channel");
    ChannelAt {
        name: name.and_then(|n| ChannelName::parse(n).ok()),
        unread: name == Some("?"),
        ..ChannelAt::named_by(&m)
    }
}

#[test]
fn each_request_gets_the_first_rule_that_matches_or_none() {
    let rules = rules();
    for line in TABLE.trim().lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let [channel, account, region, project, want] = cells.as_slice() else {
            panic!("a row has five cells: {line}");
        };
        let at = Where {
            channel: at_channel(channel),
            account: AccountId::parse(account).ok(),
            region: Some(ZillizRegion::parse(region).expect("a region")),
            project: Some(ProjectId::parse(project).expect("a project")),
        };
        let got = match rule_for(&rules, &at) {
            Ok(rule) => rule.name.clone(),
            Err(NoRule::Unmatched(needs)) => {
                assert_eq!(*needs, at, "the refusal names the request");
                "✗".to_owned()
            }
            Err(NoRule::NameUnread { rule }) => format!("? {rule}"),
        };
        assert_eq!(&got, want, "{line}");
    }
}

#[test]
fn a_rule_covered_by_an_earlier_one_is_shadowed() {
    let mut rules = rules();
    assert!(shadowed(&rules).is_empty(), "the example shadows nothing");
    let mut narrower = rules[1].clone();
    narrower.name = "oregon-sandbox".into();
    narrower.accounts.truncate(1);
    rules.push(narrower);
    // The production account from any channel, first: production's own
    // rule can never apply.
    let mut anywhere = rules[0].clone();
    anywhere.name = "production-anywhere".into();
    anywhere.channels.clear();
    rules.insert(0, anywhere);
    assert_eq!(
        shadowed(&rules),
        vec![
            ("production".to_owned(), "production-anywhere".to_owned()),
            ("oregon-sandbox".to_owned(), "sandbox".to_owned()),
        ]
    );
}

#[test]
fn approvals_default_to_one_and_bad_channels_are_refused() {
    let rules = rules();
    assert_eq!(rules[1].approvals, Approvals::default());
    assert_eq!(rules[0].approvals.create, 2);
    assert!(ChannelMatch::parse("teams:C1").is_err());
    assert!(ChannelMatch::parse("slack:").is_err());
    assert!(ChannelMatch::parse("slack:#").is_err());
    assert!(ChannelMatch::parse("slack:#two words").is_err());
    let named = ChannelMatch::parse("slack:#Platform-Ops").expect("a name");
    assert_eq!(
        named.to_string(),
        "slack:#platform-ops",
        "names compare lower-cased"
    );
    assert!(named.name().is_some());
    assert!(toml::from_str::<File>("[[rule]]\nname = \"x\"\nchannels = [\"nope\"]\n").is_err());
}
