//! The shipped IAM policy in force: the sandbox's AWS proxy judges every
//! call the bot makes against `config/iam-policy.json`, conditions
//! included (`sandbox::aws_proxy::iam`), in both partitions. Every other
//! test's flow already runs under it; these show that it bites: a grant
//! missing from the policy fails the flow, where it should and with the
//! action named.

use aws_sdk_ec2::types::VpcEndpointType;
use privatelink_bot::domain::ids::RoleArn;
use privatelink_bot::domain::job::{JobState, Step};
use privatelink_bot::sandbox::Sandbox;
use privatelink_bot::sandbox::aws_proxy::DryRun;
use privatelink_bot::sandbox::aws_proxy::iam::Policy;

use crate::harness::Harness;

fn refused(h: &Harness) -> Vec<String> {
    h.sandbox
        .proxy
        .lock()
        .strict
        .refusals
        .iter()
        .filter(|r| r.starts_with("AccessDenied") || r.starts_with("UnauthorizedOperation"))
        .cloned()
        .collect()
}

#[tokio::test]
async fn a_whole_create_and_delete_needs_nothing_the_policy_does_not_grant() {
    let (h, _proxy) = Harness::behind_aws_proxy(DryRun::Allowed).await;
    assert!(
        h.sandbox.proxy.lock().policy.is_some(),
        "in force by default"
    );
    let id = h.create_and_run().await;
    assert_eq!(h.state(id), JobState::Succeeded, "{}", h.transcript().await);
    h.say("bob", &format!("delete {id}")).await;
    h.app().engine.wait(id).await;
    assert_eq!(h.state(id), JobState::Deleted, "{}", h.transcript().await);
    assert_eq!(refused(&h), Vec::<String>::new());
}

#[tokio::test]
async fn a_policy_without_get_change_fails_the_records_step_naming_the_action() {
    let h = Harness::start().await;
    h.sandbox.proxy.lock().policy = Some(Policy::shipped().without("route53:GetChange").into());
    let id = h.create_and_run().await;
    let (step, error) = h.failure(id);
    assert_eq!(step, Step::UpsertRecords);
    assert!(error.contains("route53:GetChange"), "{error}");
}

#[tokio::test]
async fn a_policy_without_create_tags_is_caught_by_the_dry_run_before_approval() {
    let (h, _proxy) = Harness::behind_aws_proxy(DryRun::Allowed).await;
    h.sandbox.proxy.lock().policy = Some(Policy::shipped().without("ec2:CreateTags").into());
    let reply = h
        .say("alice", &format!("create {}", h.sandbox.create_args()))
        .await;
    assert!(
        reply.job.is_none(),
        "refused before approval: {}",
        reply.text
    );
    assert!(reply.text.contains("ec2:CreateTags"), "{}", reply.text);
}

#[tokio::test]
async fn a_policy_granting_assume_role_in_aws_only_refuses_a_china_role() {
    const ROLE: &str = "arn:aws-cn:iam::123456789012:role/privatelink-bot";
    let sandbox = Sandbox::start_in("aws-cn-northwest-1", 1)
        .await
        .expect("a sandbox in China");
    let h = Harness::start_on(
        sandbox,
        |c| c.policy.roles = vec![RoleArn::parse(ROLE).expect("role")],
        None,
        None,
    )
    .await;
    // The policy as it was before it named the aws-cn partition.
    h.sandbox.proxy.lock().policy = Some(
        Policy::shipped()
            .with_resources("sts:AssumeRole", &["arn:aws:iam::*:role/privatelink-bot"])
            .into(),
    );
    let reply = h
        .say(
            "alice",
            &format!("create {} role={ROLE}", h.sandbox.create_args()),
        )
        .await;
    assert!(reply.job.is_none(), "{}", reply.text);
    assert!(
        refused(&h).iter().any(|r| r.ends_with("AssumeRole")),
        "{:?}",
        refused(&h)
    );
}

#[tokio::test]
async fn an_endpoint_without_the_job_tag_cannot_be_deleted_with_the_bots_credentials() {
    let h = Harness::start().await;
    // Someone's endpoint, made by hand (no job tag).
    let theirs = aws_sdk_ec2::Client::new(&h.sandbox.aws)
        .create_vpc_endpoint()
        .vpc_endpoint_type(VpcEndpointType::Interface)
        .vpc_id(&h.sandbox.network.vpc)
        .service_name(&h.sandbox.service_name)
        .subnet_ids(&h.sandbox.network.subnets[0])
        .send()
        .await
        .expect("created by hand")
        .vpc_endpoint()
        .and_then(|e| e.vpc_endpoint_id().map(str::to_owned))
        .expect("id");
    // The bot's credentials, through the proxy.
    let bots = privatelink_bot::sandbox::fixtures::emulator_config(
        &h.sandbox.proxy.url,
        privatelink_bot::sandbox::REGION,
    )
    .await;
    let err = aws_sdk_ec2::Client::new(&bots)
        .delete_vpc_endpoints()
        .vpc_endpoint_ids(&theirs)
        .send()
        .await
        .expect_err("refused");
    assert!(
        format!("{err:?}").contains("UnauthorizedOperation"),
        "{err:?}"
    );
    assert_eq!(h.end_state().await.endpoints.len(), 1, "still there");
}
