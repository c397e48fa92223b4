//! The policy's evaluation: wildcards, conditions, and what fails closed.

use super::*;

fn ask(action: &str, resource: &str, context: &[(&str, &str)]) -> Ask {
    Ask {
        action: action.to_owned(),
        resource: resource.to_owned(),
        context: context
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    }
}

#[test]
fn the_shipped_policy_is_judged_as_iam_would() {
    let p = Policy::shipped();
    assert!(p.allows(&ask("ec2:CreateVpcEndpoint", "*", &[])));
    assert!(
        p.allows(&ask("EC2:describevpcs", "*", &[])),
        "actions ignore case"
    );
    assert!(!p.allows(&ask("ec2:DeleteVpc", "*", &[])));
    assert!(p.allows(&ask(
        "ec2:CreateTags",
        "*",
        &[("ec2:CreateAction", "CreateVpcEndpoint")]
    )));
    assert!(
        !p.allows(&ask("ec2:CreateTags", "*", &[])),
        "only at creation"
    );
    assert!(p.allows(&ask(
        "ec2:DeleteVpcEndpoints",
        "*",
        &[("ec2:ResourceTag/privatelink-bot:job", "PL-1000")]
    )));
    assert!(
        !p.allows(&ask("ec2:DeleteVpcEndpoints", "*", &[])),
        "an endpoint without the job tag is not the bot's to delete"
    );
    for role in [
        "arn:aws:iam::123456789012:role/privatelink-bot",
        "arn:aws-cn:iam::123456789012:role/privatelink-bot",
    ] {
        assert!(p.allows(&ask("sts:AssumeRole", role, &[])), "{role}");
    }
    assert!(!p.allows(&ask(
        "sts:AssumeRole",
        "arn:aws:iam::123456789012:role/admin",
        &[]
    )));
}

#[test]
fn globs_backtrack_and_deny_wins() {
    assert!(matches(
        "arn:aws:iam::*:role/p*-bot",
        "arn:aws:iam::1:role/pl-x-bot",
        false
    ));
    assert!(!matches("PL-*", "pl-1", false));
    let p = Policy::parse(
        r#"{"Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"},
            {"Effect":"Deny","Action":"ec2:Delete*","Resource":"*"}]}"#,
    )
    .expect("policy");
    assert!(p.allows(&ask("ec2:DescribeVpcs", "*", &[])));
    assert!(!p.allows(&ask("ec2:DeleteVpcEndpoints", "*", &[])));
}
