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

#[tokio::test]
async fn the_aws_proxy_keeps_aws_documented_behaviour() {
    let sandbox = Sandbox::start(1).await.expect("sandbox");
    // The bot's credentials, through the proxy (the policy in force).
    let config = emulator_config(&sandbox.proxy.url, REGION).await;
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let r53 = aws_sdk_route53::Client::new(&config);
    let service = sandbox.service_name.clone();
    let network = &sandbox.network;

    // A service that needs a whitelist is invisible until the provider
    // allows the account in, and then only after a propagation delay.
    let describe = || {
        ec2.describe_vpc_endpoint_services()
            .service_names(&service)
            .send()
    };
    let err = describe().await.expect_err("invisible");
    assert_eq!(code(&err), "InvalidServiceName");
    let create = || {
        ec2.create_vpc_endpoint()
            .vpc_endpoint_type(VpcEndpointType::Interface)
            .vpc_id(&network.vpc)
            .service_name(&service)
            .subnet_ids(&network.subnets[0])
            .client_token("contract-token-1")
            .send()
    };
    assert_eq!(
        code(&create().await.expect_err("invisible")),
        "InvalidServiceName"
    );
    sandbox.proxy.lock().strict.visibility_delay = Duration::from_secs(3600);
    sandbox.zilliz.lock().whitelisted.insert(
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
    sandbox.proxy.lock().strict.visibility_delay = Duration::ZERO;
    describe().await.expect("visible once propagated");

    // An endpoint to the provider's service waits for its acceptance; a
    // repeated ClientToken gives the same endpoint, not a second one.
    let endpoint = create().await.expect("created");
    let e = endpoint.vpc_endpoint().expect("endpoint");
    let id = e.vpc_endpoint_id().expect("id").to_owned();
    assert_eq!(e.state().map(|s| s.as_str()), Some("pendingAcceptance"));
    let again = create().await.expect("the same token");
    assert_eq!(
        again.vpc_endpoint().and_then(|e| e.vpc_endpoint_id()),
        Some(id.as_str())
    );
    let state = |id: String| {
        let ec2 = ec2.clone();
        async move {
            ec2.describe_vpc_endpoints()
                .vpc_endpoint_ids(id)
                .send()
                .await
                .expect("described")
                .vpc_endpoints()[0]
                .state()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default()
        }
    };
    assert_eq!(state(id.clone()).await, "pendingAcceptance");
    sandbox
        .zilliz
        .lock()
        .add_registration(PROJECT, ZILLIZ_REGION, &id);
    assert_eq!(
        state(id.clone()).await,
        "available",
        "accepted by the provider"
    );
    sandbox.zilliz.lock().reject(&id);
    assert_eq!(state(id.clone()).await, "rejected");

    // What the policy does not grant is refused as IAM refuses it.
    let err = ec2
        .delete_vpc()
        .vpc_id(&network.vpc)
        .send()
        .await
        .expect_err("not granted");
    assert_eq!(code(&err), "UnauthorizedOperation");
    // A DryRun says whether the caller may, and does nothing.
    let dry = ec2
        .create_vpc_endpoint()
        .dry_run(true)
        .vpc_endpoint_type(VpcEndpointType::Interface)
        .vpc_id(&network.vpc)
        .service_name(&service)
        .send()
        .await
        .expect_err("a DryRun answers with an error");
    assert_eq!(code(&dry), "DryRunOperation");

    // Route 53: a repeated CallerReference is refused; changes are PENDING
    // until INSYNC.
    let zone = |reference: &'static str| {
        r53.create_hosted_zone()
            .name("contract.example.com")
            .caller_reference(reference)
            .vpc(
                Vpc::builder()
                    .vpc_id(&network.vpc)
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
    sandbox.proxy.lock().strict.insync_after = Duration::from_secs(3600);
    let changed = r53
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
    let status = || r53.get_change().id(info.id()).send();
    assert_eq!(
        status()
            .await
            .expect("change")
            .change_info()
            .map(|c| c.status().clone()),
        Some(ChangeStatus::Pending)
    );
    sandbox.proxy.lock().strict.insync_after = Duration::ZERO;
    assert_eq!(
        status()
            .await
            .expect("change")
            .change_info()
            .map(|c| c.status().clone()),
        Some(ChangeStatus::Insync)
    );

    // A DELETE must match the record exactly.
    let delete = |evaluate: bool| {
        r53.change_resource_record_sets()
            .hosted_zone_id(&zone_id)
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

    // The VPC's zones come in pages, with other owners' among them; their
    // details are not this account's to read.
    let mut pages = 0;
    let mut owners = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let page = r53
            .list_hosted_zones_by_vpc()
            .vpc_id(&network.vpc)
            .vpc_region(VpcRegion::from(REGION))
            .set_next_token(next.clone())
            .send()
            .await
            .expect("page");
        pages += 1;
        for z in page.hosted_zone_summaries() {
            owners.push((
                z.hosted_zone_id().to_owned(),
                z.owner()
                    .and_then(|o| o.owning_account())
                    .unwrap_or_default()
                    .to_owned(),
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
    assert_eq!(
        code(
            &r53.get_hosted_zone()
                .id(&foreign.0)
                .send()
                .await
                .expect_err("denied")
        ),
        "AccessDenied"
    );
}
