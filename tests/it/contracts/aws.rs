//! The AWS proxy in front of moto keeps what EC2, Route 53 and STS document.

use std::time::Duration;

use aws_sdk_ec2::error::ProvideErrorMetadata;
use aws_sdk_ec2::types::VpcEndpointType;
use aws_sdk_route53::types::{
    AliasTarget, Change, ChangeAction, ChangeBatch, ChangeStatus, HostedZoneConfig,
    ResourceRecordSet, RrType, Vpc, VpcRegion,
};
use privatelink_bot::sandbox::fixtures::emulator_config;
use privatelink_bot::sandbox::{PROJECT, REGION, Sandbox, ZILLIZ_REGION};

fn code<E: ProvideErrorMetadata>(e: &E) -> String {
    e.code().unwrap_or_default().to_owned()
}

fn alias(target: &str, evaluate: bool) -> AliasTarget {
    AliasTarget::builder()
        .dns_name(target)
        .hosted_zone_id("Z1HOSTEDZONE")
        .evaluate_target_health(evaluate)
        .build()
        .expect("alias")
}

fn change(action: ChangeAction, name: &str, target: AliasTarget) -> ChangeBatch {
    ChangeBatch::builder()
        .changes(
            Change::builder()
                .action(action)
                .resource_record_set(
                    ResourceRecordSet::builder()
                        .name(name)
                        .r#type(RrType::A)
                        .alias_target(target)
                        .build()
                        .expect("record"),
                )
                .build()
                .expect("change"),
        )
        .build()
        .expect("batch")
}

/// The bot's clients, through the proxy (the policy in force).
struct Aws {
    sandbox: Sandbox,
    ec2: aws_sdk_ec2::Client,
    r53: aws_sdk_route53::Client,
}

#[tokio::test]
async fn the_aws_proxy_keeps_aws_documented_behaviour() {
    let sandbox = Sandbox::start(1).await.expect("sandbox");
    let config = emulator_config(&sandbox.proxy.url, REGION).await;
    let aws = Aws {
        ec2: aws_sdk_ec2::Client::new(&config),
        r53: aws_sdk_route53::Client::new(&config),
        sandbox,
    };
    a_whitelisted_service_is_invisible_until_allowed_and_propagated(&aws).await;
    an_endpoint_waits_for_acceptance_and_a_token_makes_it_once(&aws).await;
    what_the_policy_does_not_grant_is_refused_and_a_dry_run_does_nothing(&aws).await;
    let zone = a_caller_reference_makes_one_zone_and_changes_go_pending_then_insync(&aws).await;
    a_delete_must_match_the_record_exactly(&aws, &zone).await;
    the_vpcs_zones_come_in_pages_with_other_owners_unreadable(&aws).await;
}

async fn create_endpoint(
    aws: &Aws,
) -> Result<
    aws_sdk_ec2::operation::create_vpc_endpoint::CreateVpcEndpointOutput,
    aws_sdk_ec2::error::SdkError<
        aws_sdk_ec2::operation::create_vpc_endpoint::CreateVpcEndpointError,
    >,
> {
    aws.ec2
        .create_vpc_endpoint()
        .vpc_endpoint_type(VpcEndpointType::Interface)
        .vpc_id(&aws.sandbox.network.vpc)
        .service_name(&aws.sandbox.service_name)
        .subnet_ids(&aws.sandbox.network.subnets[0])
        .client_token("contract-token-1")
        .send()
        .await
}

async fn a_whitelisted_service_is_invisible_until_allowed_and_propagated(aws: &Aws) {
    let describe = || {
        aws.ec2
            .describe_vpc_endpoint_services()
            .service_names(&aws.sandbox.service_name)
            .send()
    };
    let err = describe().await.expect_err("invisible");
    assert_eq!(code(&err), "InvalidServiceName");
    assert_eq!(
        code(&create_endpoint(aws).await.expect_err("invisible")),
        "InvalidServiceName"
    );
    aws.sandbox.proxy.lock().strict.visibility_delay = Duration::from_secs(3600);
    aws.sandbox.zilliz.lock().whitelisted.insert(
        (
            PROJECT.to_owned(),
            ZILLIZ_REGION.to_owned(),
            "123456789012".to_owned(),
        ),
        std::time::Instant::now(),
    );
    assert_eq!(
        code(&describe().await.expect_err("not propagated yet")),
        "InvalidServiceName"
    );
    aws.sandbox.proxy.lock().strict.visibility_delay = Duration::ZERO;
    describe().await.expect("visible once propagated");
}

async fn an_endpoint_waits_for_acceptance_and_a_token_makes_it_once(aws: &Aws) {
    let endpoint = create_endpoint(aws).await.expect("created");
    let e = endpoint.vpc_endpoint().expect("endpoint");
    let id = e.vpc_endpoint_id().expect("id").to_owned();
    assert_eq!(e.state().map(|s| s.as_str()), Some("pendingAcceptance"));
    let again = create_endpoint(aws).await.expect("the same token");
    assert_eq!(
        again.vpc_endpoint().and_then(|e| e.vpc_endpoint_id()),
        Some(id.as_str())
    );
    let state = || async {
        aws.ec2
            .describe_vpc_endpoints()
            .vpc_endpoint_ids(&id)
            .send()
            .await
            .expect("described")
            .vpc_endpoints()[0]
            .state()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default()
    };
    assert_eq!(state().await, "pendingAcceptance");
    let zilliz = &aws.sandbox.zilliz;
    zilliz.lock().add_registration(PROJECT, ZILLIZ_REGION, &id);
    assert_eq!(state().await, "available", "accepted by the provider");
    zilliz.lock().reject(&id);
    assert_eq!(state().await, "rejected");
}

async fn what_the_policy_does_not_grant_is_refused_and_a_dry_run_does_nothing(aws: &Aws) {
    let network = &aws.sandbox.network;
    let err = aws
        .ec2
        .delete_vpc()
        .vpc_id(&network.vpc)
        .send()
        .await
        .expect_err("not granted");
    assert_eq!(code(&err), "UnauthorizedOperation");
    let dry = aws
        .ec2
        .create_vpc_endpoint()
        .dry_run(true)
        .vpc_endpoint_type(VpcEndpointType::Interface)
        .vpc_id(&network.vpc)
        .service_name(&aws.sandbox.service_name)
        .send()
        .await
        .expect_err("a DryRun answers with an error");
    assert_eq!(code(&dry), "DryRunOperation");
}

/// Returns the zone made.
async fn a_caller_reference_makes_one_zone_and_changes_go_pending_then_insync(aws: &Aws) -> String {
    let zone = |reference: &'static str| {
        aws.r53
            .create_hosted_zone()
            .name("contract.example.com")
            .caller_reference(reference)
            .vpc(
                Vpc::builder()
                    .vpc_id(&aws.sandbox.network.vpc)
                    .vpc_region(VpcRegion::from(REGION))
                    .build(),
            )
            .hosted_zone_config(HostedZoneConfig::builder().private_zone(true).build())
            .send()
    };
    let made = zone("contract-ref-1").await.expect("zone");
    let zone_id = made.hosted_zone().expect("zone").id().to_owned();
    assert_eq!(
        code(&zone("contract-ref-1").await.expect_err("repeated")),
        "HostedZoneAlreadyExists"
    );
    aws.sandbox.proxy.lock().strict.insync_after = Duration::from_secs(3600);
    let changed = aws
        .r53
        .change_resource_record_sets()
        .hosted_zone_id(&zone_id)
        .change_batch(change(
            ChangeAction::Upsert,
            "contract.example.com",
            alias("target.example.com", false),
        ))
        .send()
        .await
        .expect("upsert");
    let info = changed.change_info().expect("change");
    assert_eq!(info.status(), &ChangeStatus::Pending);
    let status = || async {
        let answer = aws.r53.get_change().id(info.id()).send().await;
        answer
            .expect("change")
            .change_info()
            .map(|c| c.status().clone())
    };
    assert_eq!(status().await, Some(ChangeStatus::Pending));
    aws.sandbox.proxy.lock().strict.insync_after = Duration::ZERO;
    assert_eq!(status().await, Some(ChangeStatus::Insync));
    zone_id
}

async fn a_delete_must_match_the_record_exactly(aws: &Aws, zone_id: &str) {
    let delete = |evaluate: bool| {
        aws.r53
            .change_resource_record_sets()
            .hosted_zone_id(zone_id)
            .change_batch(change(
                ChangeAction::Delete,
                "contract.example.com",
                alias("target.example.com", evaluate),
            ))
            .send()
    };
    assert_eq!(
        code(&delete(true).await.expect_err("not as it is")),
        "InvalidChangeBatch"
    );
    delete(false).await.expect("exactly as it is");
}

async fn the_vpcs_zones_come_in_pages_with_other_owners_unreadable(aws: &Aws) {
    let mut pages = 0;
    let mut owners = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let page = aws
            .r53
            .list_hosted_zones_by_vpc()
            .vpc_id(&aws.sandbox.network.vpc)
            .vpc_region(VpcRegion::from(REGION))
            .set_next_token(next.clone())
            .send()
            .await
            .expect("page");
        pages += 1;
        for z in page.hosted_zone_summaries() {
            let owner = z.owner().and_then(|o| o.owning_account());
            owners.push((
                z.hosted_zone_id().to_owned(),
                owner.unwrap_or_default().to_owned(),
            ));
        }
        next = page.next_token().map(str::to_owned);
        if next.is_none() {
            break;
        }
    }
    assert!(pages >= 1 && owners.len() >= 2, "{owners:?}");
    let foreign = owners
        .iter()
        .find(|(_, owner)| owner != "123456789012")
        .expect("a zone of another account");
    let read = aws.r53.get_hosted_zone().id(&foreign.0).send().await;
    assert_eq!(code(&read.expect_err("denied")), "AccessDenied");
}
