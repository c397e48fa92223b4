//! Contracts: what each fake must do, as its service documents it, checked
//! on the wire and apart from the bot, so that a fake cannot quietly drift
//! kinder again. One test per fake; each line is a documented behaviour
//! (refusals, delays, pages, errors no retry cures), not only the happy
//! path. The bot's own tests then run against fakes that keep these.

use std::time::Duration;

use aws_sdk_ec2::error::ProvideErrorMetadata;
use aws_sdk_ec2::types::VpcEndpointType;
use aws_sdk_route53::types::{
    AliasTarget, Change, ChangeAction, ChangeBatch, ChangeStatus, HostedZoneConfig,
    ResourceRecordSet, RrType, Vpc, VpcRegion,
};
use privatelink_bot::sandbox::fixtures::emulator_config;
use privatelink_bot::sandbox::{PROJECT, REGION, Sandbox, ZILLIZ_REGION};
use serde_json::{Value, json};

use crate::discord::TOKEN as DISCORD_TOKEN;
use crate::fake_discord::FakeDiscord;
use crate::fake_slack::FakeSlack;

/// An HTTP answer's JSON body (the fakes always send one).
trait JsonAnswer {
    async fn json_answer(self) -> Value;
}

impl JsonAnswer for reqwest::Result<reqwest::Response> {
    async fn json_answer(self) -> Value {
        self.expect("answer").json().await.expect("json")
    }
}

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

#[tokio::test]
async fn the_zilliz_fake_keeps_zilliz_documented_behaviour() {
    let sandbox = Sandbox::start(1).await.expect("sandbox");
    let base = sandbox.zilliz.url.clone();
    let http = reqwest::Client::new();
    let get = |path: &str, key: &str| http.get(format!("{base}{path}")).bearer_auth(key).send();
    let key = sandbox.api_key.clone();

    // A wrong key: HTTP 401 with Zilliz's code.
    let r = get("/v2/clusters/in01-sandbox0001", "wrong")
        .await
        .expect("answer");
    assert_eq!(r.status(), 401);
    assert_eq!(r.json::<Value>().await.expect("json")["code"], 21119);
    // A missing cluster: its documented code.
    let v: Value = get("/v2/clusters/in01-missing", &key)
        .await
        .json_answer()
        .await;
    assert_eq!(v["code"], 96018);
    // No private link address before an endpoint is registered, accepted
    // and its account allowed in.
    let v: Value = get("/v2/clusters/in01-sandbox0001", &key)
        .await
        .json_answer()
        .await;
    assert_eq!(v["data"]["privateLinkAddress"], "");

    // Lists page as documented: pages from 1, pageSize honoured within
    // 1-100 (10 otherwise), `count` the whole.
    for i in 0..12 {
        sandbox.zilliz.lock().add_registration(
            PROJECT,
            ZILLIZ_REGION,
            &format!("vpce-0contract{i:08x}"),
        );
    }
    let list = |query: &str| {
        let path = format!("/v2/projects/{PROJECT}/privateEndpoints{query}");
        get(&path, &key)
    };
    let v: Value = list("?currentPage=2&pageSize=5").await.json_answer().await;
    assert_eq!(v["data"]["count"], 12);
    assert_eq!(v["data"]["endpoints"].as_array().map(Vec::len), Some(5));
    let v: Value = list("?pageSize=500").await.json_answer().await;
    assert_eq!(v["data"]["endpoints"].as_array().map(Vec::len), Some(10));
    let v: Value = list("?currentPage=3&pageSize=5").await.json_answer().await;
    assert_eq!(v["data"]["endpoints"].as_array().map(Vec::len), Some(2));

    // Whitelisting answers the string "success", and repeats harmlessly.
    for _ in 0..2 {
        let v: Value = http
            .post(format!(
                "{base}/v2/projects/{PROJECT}/privateEndpointWhitelist"
            ))
            .bearer_auth(&key)
            .json(&json!({ "regionId": ZILLIZ_REGION, "outerUserId": "123456789012" }))
            .send()
            .await
            .json_answer()
            .await;
        assert_eq!(v["data"], "success");
    }
}

#[tokio::test]
async fn the_slack_fake_keeps_slacks_documented_behaviour() {
    let slack = FakeSlack::start("xoxb-contract").await;
    let http = reqwest::Client::new();
    let call = |method: &str, token: &str, body: Value| {
        http.post(format!("{}/api/{method}", slack.url))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let error = |v: Value| v["error"].as_str().unwrap_or_default().to_owned();

    // A wrong token: HTTP 200, ok false, invalid_auth.
    let r = call(
        "chat.postMessage",
        "xoxb-wrong",
        json!({ "channel": "C1", "text": "x" }),
    )
    .await
    .expect("answer");
    assert_eq!(r.status(), 200);
    assert_eq!(error(r.json().await.expect("json")), "invalid_auth");

    // What no retry cures, with Slack's codes.
    slack.remove_bot_from("COUT");
    slack.archive("CARCH", true);
    slack.mark_unknown("CGONE");
    for (channel, expected) in [
        ("COUT", "not_in_channel"),
        ("CARCH", "is_archived"),
        ("CGONE", "channel_not_found"),
    ] {
        let v: Value = call(
            "chat.postMessage",
            "xoxb-contract",
            json!({ "channel": channel, "text": "x" }),
        )
        .await
        .json_answer()
        .await;
        assert_eq!(error(v), expected, "{channel}");
    }
    let posted: Value = call(
        "chat.postMessage",
        "xoxb-contract",
        json!({ "channel": "C1", "text": "x" }),
    )
    .await
    .json_answer()
    .await;
    let ts = posted["ts"].as_str().expect("ts").to_owned();
    slack.delete_message(&ts);
    let v: Value = call(
        "chat.update",
        "xoxb-contract",
        json!({ "channel": "C1", "ts": ts, "text": "y" }),
    )
    .await
    .json_answer()
    .await;
    assert_eq!(error(v), "message_not_found");
    // A user id as the channel is the bot's direct conversation.
    let v: Value = call(
        "chat.postMessage",
        "xoxb-contract",
        json!({ "channel": "UALICE", "text": "x" }),
    )
    .await
    .json_answer()
    .await;
    assert_eq!(v["ok"], true);
    assert!(
        v["channel"].as_str().is_some_and(|c| c.starts_with('D')),
        "{v}"
    );

    // 429 with Retry-After.
    slack.rate_limit_next(1);
    let r = call(
        "chat.postMessage",
        "xoxb-contract",
        json!({ "channel": "C1", "text": "x" }),
    )
    .await
    .expect("answer");
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));

    // Socket Mode takes the app-level token only.
    slack.enable_socket_mode("xapp-contract").await;
    let v: Value = call("apps.connections.open", "xoxb-contract", json!({}))
        .await
        .json_answer()
        .await;
    assert_eq!(error(v), "invalid_auth");
    let v: Value = call("apps.connections.open", "xapp-contract", json!({}))
        .await
        .json_answer()
        .await;
    assert!(
        v["url"].as_str().is_some_and(|u| u.starts_with("ws://")),
        "{v}"
    );

    // A user group it does not know.
    let v: Value = http
        .get(format!(
            "{}/api/usergroups.users.list?usergroup=S0NONE",
            slack.url
        ))
        .bearer_auth("xoxb-contract")
        .send()
        .await
        .json_answer()
        .await;
    assert_eq!(error(v), "no_such_subteam");
}

#[tokio::test]
async fn the_discord_fake_keeps_discords_documented_behaviour() {
    let discord = FakeDiscord::start(DISCORD_TOKEN).await;
    let http = reqwest::Client::new();
    let auth = format!("Bot {DISCORD_TOKEN}");
    let post = |path: &str, token: &str, body: Value| {
        http.post(format!("{}/api/v10{path}", discord.url))
            .header("authorization", token)
            .json(&body)
            .send()
    };
    let code = |v: Value| v["code"].as_i64().unwrap_or_default();

    let r = post(
        "/channels/777/messages",
        "Bot wrong",
        json!({ "content": "x" }),
    )
    .await
    .expect("answer");
    assert_eq!(r.status(), 401);

    discord.set_access("778", false);
    let r = post("/channels/778/messages", &auth, json!({ "content": "x" }))
        .await
        .expect("answer");
    assert_eq!(r.status(), 403);
    assert_eq!(code(r.json().await.expect("json")), 50001);

    let message: Value = post("/channels/777/messages", &auth, json!({ "content": "x" }))
        .await
        .json_answer()
        .await;
    let id = message["id"].as_str().expect("id").to_owned();
    let thread = || {
        post(
            &format!("/channels/777/messages/{id}/threads"),
            &auth,
            json!({ "name": "t" }),
        )
    };
    assert_eq!(thread().await.expect("answer").status(), 201);
    let r = thread().await.expect("answer");
    assert_eq!(r.status(), 400);
    assert_eq!(code(r.json().await.expect("json")), 160004);

    discord.delete_message(&id);
    let r = http
        .patch(format!(
            "{}/api/v10/channels/777/messages/{id}",
            discord.url
        ))
        .header("authorization", &auth)
        .json(&json!({ "content": "y" }))
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 404);
    assert_eq!(code(r.json().await.expect("json")), 10008);

    let dm: Value = post(
        "/users/@me/channels",
        &auth,
        json!({ "recipient_id": "111" }),
    )
    .await
    .json_answer()
    .await;
    assert_eq!(dm["type"], 1);

    discord.rate_limit_next(1);
    let r = post("/channels/777/messages", &auth, json!({ "content": "x" }))
        .await
        .expect("answer");
    assert_eq!(r.status(), 429);
    assert!(r.json::<Value>().await.expect("json")["retry_after"].is_number());
}
