//! Preflight runs before any card: blocking findings refuse the request with
//! the reason and the fix, and nothing is stored; warnings go on the card.

use privatelink_bot::domain::job::JobState;
use privatelink_bot::sandbox::aws_proxy::{DryRun, Fault};
use privatelink_bot::sandbox::fixtures::{self, NetworkShape};
use privatelink_bot::sandbox::{REGION, ZILLIZ_REGION};

use crate::harness::Harness;

fn assert_refused(h: &Harness, text: &str, expected: &[&str]) {
    for e in expected {
        assert!(text.contains(e), "missing {e:?} in:\n{text}");
    }
    assert!(
        text.starts_with("Preflight refused the request; nothing was stored"),
        "{text}"
    );
    assert!(h.app().store.blocking().all_jobs().unwrap().is_empty());
}

#[tokio::test]
async fn a_vpc_without_dns_support_is_refused_with_the_fix() {
    let h = Harness::start().await;
    let broken = fixtures::customer_network(
        &h.sandbox.aws,
        REGION,
        20,
        NetworkShape {
            dns_support: false,
            dns_hostnames: false,
            open_ports: true,
        },
    )
    .await
    .unwrap();
    let args = format!(
        "create project=proj-sandbox0001 region={ZILLIZ_REGION} vpc={} subnets={} sg={} clusters=in01-sandbox0001",
        broken.vpc,
        broken.subnets.join(","),
        broken.security_group
    );
    let reply = h.say("alice", &args).await;
    assert_refused(
        &h,
        &reply.text,
        &[
            "has DNS resolution (enableDnsSupport) off",
            &format!(
                "aws ec2 modify-vpc-attribute --vpc-id {} --enable-dns-support",
                broken.vpc
            ),
            "DNS hostnames (enableDnsHostnames) off",
        ],
    );
}

#[tokio::test]
async fn wrong_subnets_groups_and_clusters_are_each_named() {
    let h = Harness::start().await;
    let other = fixtures::customer_network(&h.sandbox.aws, REGION, 30, NetworkShape::default())
        .await
        .unwrap();
    let net = &h.sandbox.network;
    {
        let mut st = h.sandbox.zilliz.lock();
        let mut serverless = st.clusters["in01-sandbox0001"].clone();
        serverless.id = "in03-serverless1".into();
        serverless.plan = "Serverless".into();
        st.clusters.insert(serverless.id.clone(), serverless);
    }
    let args = format!(
        "create project=proj-sandbox0001 region={ZILLIZ_REGION} vpc={} subnets={},{} sg={} clusters=in01-sandbox0001,in03-serverless1,in01-missing",
        net.vpc, net.subnets[0], other.subnets[1], other.security_group
    );
    let reply = h.say("alice", &args).await;
    assert_refused(
        &h,
        &reply.text,
        &[
            &format!(
                "Subnet {} is in {}, not {}",
                other.subnets[1], other.vpc, net.vpc
            ),
            &format!(
                "Security group {} is in {}, not {}",
                other.security_group, other.vpc, net.vpc
            ),
            "Cluster in03-serverless1 is on the Serverless plan; private links work for Dedicated clusters only",
            "Cluster in01-missing does not exist in Zilliz Cloud",
        ],
    );
    assert!(h.end_state().await.endpoints.is_empty());
}

#[tokio::test]
async fn closed_ports_are_a_warning_and_whitelisting_a_step_on_the_card() {
    let h = Harness::start().await;
    h.sandbox.zilliz.lock().services[0].whitelist_required = true;
    let closed = fixtures::customer_network(
        &h.sandbox.aws,
        REGION,
        40,
        NetworkShape {
            open_ports: false,
            ..NetworkShape::default()
        },
    )
    .await
    .unwrap();
    let args = format!(
        "create project=proj-sandbox0001 region={ZILLIZ_REGION} vpc={} subnets={} sg={} clusters=in01-sandbox0001",
        closed.vpc,
        closed.subnets.join(","),
        closed.security_group
    );
    let reply = h.say("alice", &args).await;
    assert!(
        reply.job.is_some(),
        "warnings must not block: {}",
        reply.text
    );
    let t = h.transcript().await;
    assert!(t.contains("⚠ None of the security groups"), "{t}");
    // 443 and the cluster's own port, read from its address.
    assert!(t.contains("lets TCP 443, 19531 in"), "{t}");
    // Whitelisting is part of the plan, not a warning: the job does it.
    assert!(
        t.contains("Allow AWS account 123456789012 into com.amazonaws.vpce"),
        "{t}"
    );
    assert!(!t.contains("allow-listed"), "{t}");
}

#[tokio::test]
async fn plan_shows_findings_and_stores_nothing() {
    let h = Harness::start().await;
    let reply = h
        .say("alice", &format!("plan {}", h.sandbox.create_args()))
        .await;
    assert!(
        reply
            .text
            .starts_with("Plan (nothing was stored or created):"),
        "{}",
        reply.text
    );
    assert!(reply.text.contains(&h.sandbox.service_name));
    assert!(reply.text.contains("AWS account: 123456789012"));
    assert!(h.app().store.all_jobs().await.unwrap().is_empty());
    assert!(h.end_state().await.endpoints.is_empty());
    assert!(!h.transcript().await.contains("card"));
}

#[tokio::test]
async fn an_unknown_region_and_a_rejected_api_key_block_without_leaking_the_key() {
    let h = Harness::start_with(1, |c| c.zilliz.base_url = c.zilliz.base_url.clone(), None).await;
    let reply = h
        .say(
            "alice",
            &h.sandbox
                .create_args()
                .replace(ZILLIZ_REGION, "aws-eu-central-1")
                .replace("project=", "create project="),
        )
        .await;
    assert!(
        reply
            .text
            .contains("Zilliz Cloud offers no private endpoint service in aws-eu-central-1"),
        "{}",
        reply.text
    );

    // The same bot with a wrong key: refused, and the key is nowhere.
    let wrong_key = "sk-wrong-0123456789";
    let vendor = privatelink_bot::cloud::zilliz::ZillizClient::new(
        &h.sandbox.zilliz.url,
        privatelink_bot::secret::Secret::new(wrong_key),
    )
    .unwrap();
    use privatelink_bot::ports::cloud::Vendor;
    let err = vendor
        .endpoint_services(
            &privatelink_bot::domain::ids::ZillizRegion::parse(ZILLIZ_REGION).unwrap(),
            &privatelink_bot::domain::ids::ProjectId::parse("proj-sandbox0001").unwrap(),
        )
        .await
        .unwrap_err();
    let shown = format!("{err:#} {err:?}");
    assert!(shown.contains("refused the API key"), "{shown}");
    assert!(!shown.contains(wrong_key), "the API key leaked: {shown}");
}

#[tokio::test]
async fn a_china_region_with_the_global_control_plane_is_refused_naming_both() {
    let h = Harness::start().await;
    let n = &h.sandbox.network;
    let reply = h
        .say(
            "alice",
            &format!(
                "plan project=proj-sandbox0001 region=aws-cn-northwest-1 vpc={} subnets={} sg={} clusters=in01-sandbox0001",
                n.vpc,
                n.subnets.join(","),
                n.security_group
            ),
        )
        .await;
    assert!(
        reply.text.contains("aws-cn-northwest-1 is served by Zilliz Cloud China's control plane, but the bot talks to the global one (http://127.0.0.1"),
        "{}",
        reply.text
    );
}

/// A harness whose AWS calls go through the behaviour proxy, DryRun on.
#[tokio::test]
async fn the_dry_run_says_allowed_and_creates_nothing() {
    let (h, proxy) = Harness::behind_aws_proxy(DryRun::Allowed).await;
    let reply = h
        .say("alice", &format!("plan {}", h.sandbox.create_args()))
        .await;
    assert!(!reply.text.contains("BLOCKING"), "{}", reply.text);
    assert_eq!(
        proxy
            .lock()
            .actions
            .iter()
            .filter(|a| a.starts_with("CreateVpcEndpoint"))
            .collect::<Vec<_>>(),
        vec!["CreateVpcEndpoint DryRun"]
    );
    assert!(
        h.end_state().await.endpoints.is_empty(),
        "a dry run creates nothing"
    );
    // And a real job still runs through the proxy.
    let id = h.create_and_run().await;
    assert_eq!(h.state(id), JobState::Succeeded, "{}", h.transcript().await);
}

#[tokio::test]
async fn the_dry_run_says_denied_and_the_request_is_refused_naming_the_action() {
    let (h, _proxy) = Harness::behind_aws_proxy(DryRun::Denied).await;
    let reply = h
        .say("alice", &format!("create {}", h.sandbox.create_args()))
        .await;
    assert!(reply.job.is_none(), "{}", reply.text);
    assert!(
        reply.text.contains("may not create the endpoint")
            && reply.text.contains("ec2:CreateVpcEndpoint"),
        "{}",
        reply.text
    );
    assert!(h.app().store.all_jobs().await.unwrap().is_empty());
    assert!(h.end_state().await.endpoints.is_empty());
}

#[tokio::test]
async fn throttled_ec2_calls_are_retried_and_the_job_still_makes_one_endpoint() {
    let (h, proxy) = Harness::behind_aws_proxy(DryRun::Allowed).await;
    proxy.lock().faults = vec![
        Fault::throttle("CreateVpcEndpoint"),
        Fault::throttle("CreateVpcEndpoint"),
        Fault::throttle("DescribeVpcEndpoints"),
    ];
    let id = h.create_and_run().await;
    assert_eq!(h.state(id), JobState::Succeeded, "{}", h.transcript().await);
    h.end_state()
        .await
        .verify(&h.sandbox.hosts())
        .expect("exactly one endpoint, zone and record");
    let creates = proxy.lock().count("CreateVpcEndpoint");
    assert_eq!(creates, 3, "two throttled tries, then the one that landed");
    assert!(proxy.lock().faults.is_empty());
}
