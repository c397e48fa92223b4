//! AWS China end to end: a whole create and delete in `aws-cn-northwest-1`
//! on Zilliz Cloud China's control plane, through a role in the `aws-cn`
//! partition; every AWS call signed for China (Route 53's China partition
//! lives in `cn-northwest-1`, not `us-east-1`).

use privatelink_bot::domain::job::JobState;
use privatelink_bot::sandbox::Sandbox;

use crate::harness::Harness;

const ROLE: &str = "arn:aws-cn:iam::123456789012:role/privatelink-bot";

#[tokio::test]
async fn a_whole_create_and_delete_in_aws_china_on_zilliz_cloud_china() {
    let sandbox = Sandbox::start_in("aws-cn-northwest-1", 1)
        .await
        .expect("a sandbox in China");
    let h = Harness::start_on(
        sandbox,
        |c| {
            c.policy.roles = vec![privatelink_bot::domain::ids::RoleArn::parse(ROLE).expect("role")]
        },
        None,
        None,
    )
    .await;
    assert!(h.config.zilliz.control_plane().china);

    let reply = h
        .say(
            "alice",
            &format!("create {} role={ROLE}", h.sandbox.create_args()),
        )
        .await;
    let id = reply
        .job
        .unwrap_or_else(|| panic!("refused: {}", reply.text));
    h.click("bob", privatelink_bot::ports::chat::Action::Approve, id)
        .await;
    h.app().engine.wait(id).await;
    let t = h.transcript().await;
    assert_eq!(h.state(id), JobState::Succeeded, "{t}");
    assert!(t.contains("vectordb.zilliz.com.cn"), "{t}");
    let end = h.end_state().await;
    assert_eq!(
        (
            end.endpoints.len(),
            end.zones.len(),
            end.alias_records.len()
        ),
        (1, 1, 1),
        "{end:?}"
    );

    h.say("bob", &format!("delete {id}")).await;
    h.app().engine.wait(id).await;
    assert_eq!(h.state(id), JobState::Deleted, "{}", h.transcript().await);
    let end = h.end_state().await;
    assert!(end.endpoints.is_empty() && end.zones.is_empty(), "{end:?}");
    assert!(h.registered().is_empty());

    let proxy = h.sandbox.proxy.lock();
    assert!(
        proxy.count("AssumeRole") >= 1,
        "the aws-cn role was assumed"
    );
    let signed: Vec<(String, String)> = proxy.signed_for.iter().cloned().collect();
    assert!(
        signed.contains(&("route53".to_owned(), "cn-northwest-1".to_owned())),
        "{signed:?}"
    );
    assert!(
        signed.iter().all(|(_, region)| region == "cn-northwest-1"),
        "nothing signed outside China: {signed:?}"
    );
}

#[tokio::test]
async fn a_china_region_on_the_global_control_plane_is_refused_naming_both() {
    let sandbox = Sandbox::start_in("aws-cn-northwest-1", 1)
        .await
        .expect("a sandbox in China");
    let h = Harness::start_on(
        sandbox,
        |c| c.zilliz.cloud = Some("global".into()),
        None,
        None,
    )
    .await;
    let reply = h
        .say("alice", &format!("create {}", h.sandbox.create_args()))
        .await;
    assert!(reply.job.is_none(), "{}", reply.text);
    assert!(reply.text.contains("aws-cn-northwest-1"), "{}", reply.text);
}
