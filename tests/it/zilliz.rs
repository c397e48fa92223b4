//! The Zilliz Cloud client against the fake control plane: envelopes,
//! retries on 429/5xx, and errors that carry the vendor's message.

use std::time::Duration;

use privatelink_bot::backoff::Backoff;
use privatelink_bot::cloud::zilliz::ZillizClient;
use privatelink_bot::domain::ids::{AccountId, ClusterId, EndpointId, ProjectId, ZillizRegion};
use privatelink_bot::ports::cloud::{ErrorKind, Vendor};
use privatelink_bot::sandbox::fake_zilliz::{
    FakeCluster, FakeService, FakeState, FakeZilliz, Fault,
};
use privatelink_bot::secret::Secret;

async fn fake() -> (FakeZilliz, ZillizClient) {
    let mut state = FakeState::default();
    state.services.push(FakeService {
        region: "aws-us-west-2".into(),
        service_name: "com.amazonaws.vpce.us-west-2.vpce-svc-0123456789abcdef0".into(),
        whitelist_required: false,
    });
    state.clusters.insert(
        "in01-abc".into(),
        FakeCluster {
            id: "in01-abc".into(),
            name: "c".into(),
            project: "proj-abc".into(),
            region: "aws-us-west-2".into(),
            plan: "Enterprise".into(),
            status: "RUNNING".into(),
        },
    );
    let fake = FakeZilliz::start("key-1", state).await.unwrap();
    let client = ZillizClient::new(&fake.url, Secret::new("key-1"))
        .unwrap()
        .with_retries(
            Backoff {
                initial: Duration::from_millis(5),
                max: Duration::from_millis(20),
            },
            4,
        );
    (fake, client)
}

fn fault(prefix: &str, status: u16, code: i64) -> Fault {
    Fault {
        request_prefix: prefix.into(),
        status,
        code,
        message: format!("injected {status}"),
        retry_after: Some(0),
        after_effect: false,
    }
}

#[tokio::test]
async fn rate_limits_and_server_errors_are_retried() {
    let (fake, client) = fake().await;
    {
        let mut st = fake.lock();
        st.faults.push_back(fault("GET /v2/clusters/", 429, 429));
        st.faults.push_back(fault("GET /v2/clusters/", 503, 500));
    }
    let c = client
        .cluster(&ClusterId::parse("in01-abc").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.project_id, "proj-abc");
    assert_eq!(
        c.private_link_address, None,
        "no address before a registration"
    );
    assert_eq!(
        fake.lock()
            .requests
            .iter()
            .filter(|r| r.starts_with("GET /v2/clusters/in01-abc"))
            .count(),
        3
    );
}

#[tokio::test]
async fn retries_give_up_after_the_configured_attempts() {
    let (fake, client) = fake().await;
    for _ in 0..4 {
        fake.lock()
            .faults
            .push_back(fault("GET /v2/clusters/", 503, 500));
    }
    let err = client
        .cluster(&ClusterId::parse("in01-abc").unwrap())
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("injected 503"), "{err:#}");
}

#[tokio::test]
async fn registration_lifecycle_and_vendor_errors() {
    let (fake, client) = fake().await;
    let project = ProjectId::parse("proj-abc").unwrap();
    let region = ZillizRegion::parse("aws-us-west-2").unwrap();
    let endpoint = EndpointId::parse("vpce-0123456789abcdef0").unwrap();
    client
        .register_endpoint(&project, &region, &endpoint)
        .await
        .unwrap();
    // A second registration: the vendor's message comes through.
    let err = client
        .register_endpoint(&project, &region, &endpoint)
        .await
        .unwrap_err();
    assert_eq!(
        format!("{err:#}"),
        "Zilliz Cloud error 80004: private endpoint already exists (POST /v2/projects/proj-abc/privateEndpoints)"
    );
    let listed = client.endpoints(&project).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].status.word(), "RUNNING");
    let c = client
        .cluster(&ClusterId::parse("in01-abc").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(
        c.private_link_address
            .unwrap()
            .starts_with("https://in01-abc-privatelink.aws-us-west-2.vectordb.zillizcloud.com:")
    );
    client
        .deregister_endpoint(&project, &region, &endpoint)
        .await
        .unwrap();
    // Already gone is not an error.
    client
        .deregister_endpoint(&project, &region, &endpoint)
        .await
        .unwrap();
    assert!(client.endpoints(&project).await.unwrap().is_empty());
    assert!(
        client
            .cluster(&ClusterId::parse("in01-nope").unwrap())
            .await
            .unwrap()
            .is_none()
    );
    assert!(fake.lock().requests.iter().all(|r| !r.contains("key-1")));
}

#[tokio::test]
async fn a_write_is_repeated_after_a_rate_limit_but_never_after_a_server_error() {
    let (fake, client) = fake().await;
    let project = ProjectId::parse("proj-abc").unwrap();
    let region = ZillizRegion::parse("aws-us-west-2").unwrap();
    let endpoint = EndpointId::parse("vpce-0123456789abcdef0").unwrap();
    let posts = |fake: &FakeZilliz| {
        fake.lock()
            .requests
            .iter()
            .filter(|r| r.starts_with("POST /v2/projects/"))
            .count()
    };
    fake.lock()
        .faults
        .push_back(fault("POST /v2/projects/", 503, 500));
    let err = client
        .register_endpoint(&project, &region, &endpoint)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unavailable, "{err}");
    assert_eq!(
        posts(&fake),
        1,
        "a 5xx may have acted: not repeated blindly"
    );

    fake.lock()
        .faults
        .push_back(fault("POST /v2/projects/", 429, 429));
    client
        .register_endpoint(&project, &region, &endpoint)
        .await
        .expect("a rate-limited write was refused unperformed, so it is retried");
    assert_eq!(posts(&fake), 3);
}

#[test]
fn vendor_answers_are_typed_by_their_documented_codes() {
    use reqwest::StatusCode as S;
    let cases = [
        (S::OK, Some(96018), ErrorKind::NotFound),
        (S::OK, Some(96036), ErrorKind::NotFound),
        (S::UNAUTHORIZED, Some(21119), ErrorKind::Denied),
        (S::OK, Some(80001), ErrorKind::Denied),
        (S::OK, Some(80002), ErrorKind::Denied),
        (S::OK, Some(96013), ErrorKind::Denied),
        (S::OK, Some(96027), ErrorKind::Denied),
        (S::OK, Some(96005), ErrorKind::InvalidInput),
        (S::TOO_MANY_REQUESTS, None, ErrorKind::Throttled),
        (S::SERVICE_UNAVAILABLE, Some(500), ErrorKind::Unavailable),
        (S::OK, Some(90002), ErrorKind::Other),
    ];
    for (status, code, kind) in cases {
        assert_eq!(
            privatelink_bot::cloud::zilliz::kind_of(status, code),
            kind,
            "{status} {code:?}"
        );
    }
}

#[tokio::test]
async fn each_class_of_vendor_error_says_what_to_do_and_never_shows_the_key() {
    let (fake, client) = fake().await;
    let cluster = ClusterId::parse("in01-abc").unwrap();
    let cases = [
        (401, 21119, ErrorKind::Denied, "refused the API key"),
        (200, 80001, ErrorKind::Denied, "refused the API key"),
        (
            200,
            96013,
            ErrorKind::Denied,
            "lacks the permission this call needs",
        ),
        (200, 96036, ErrorKind::NotFound, "no such cluster"),
    ];
    for (status, code, kind, says) in cases {
        fake.lock()
            .faults
            .push_back(fault("GET /v2/clusters/", status, code));
        let result = client.cluster(&cluster).await;
        match (kind, result) {
            // Not found is an answer, not an error, for a cluster lookup.
            (ErrorKind::NotFound, Ok(None)) => {}
            (_, Err(e)) => {
                assert_eq!(e.kind, kind, "{code}: {e}");
                let text = e.to_string();
                assert!(text.contains(says), "{code}: {text}");
                assert!(
                    text.contains("GET /v2/clusters/in01-abc"),
                    "names the call: {text}"
                );
                assert!(!text.contains("key-1"), "the key never shows: {text}");
            }
            (_, other) => panic!("{code}: {other:?}"),
        }
    }
    // A wrong key, as Zilliz answers it.
    let wrong = ZillizClient::new(&fake.url, Secret::new("not-the-key")).unwrap();
    let e = wrong.cluster(&cluster).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Denied);
    assert!(e.to_string().contains("refused the API key"), "{e}");
    assert!(!e.to_string().contains("not-the-key"), "{e}");
}

#[tokio::test]
async fn no_endpoint_is_accepted_before_its_account_is_allowed_in_where_the_service_requires_it() {
    let (fake, client) = fake().await;
    fake.lock().services[0].whitelist_required = true;
    let project = ProjectId::parse("proj-abc").unwrap();
    let region = ZillizRegion::parse("aws-us-west-2").unwrap();
    let endpoint = EndpointId::parse("vpce-0123456789abcdef0").unwrap();
    client
        .register_endpoint(&project, &region, &endpoint)
        .await
        .unwrap();
    for _ in 0..3 {
        assert_eq!(
            client.endpoints(&project).await.unwrap()[0].status.word(),
            "PENDING"
        );
    }
    client
        .whitelist_account(
            &project,
            &region,
            &AccountId::parse("123456789012").unwrap(),
        )
        .await
        .unwrap();
    client
        .whitelist_account(
            &project,
            &region,
            &AccountId::parse("123456789012").unwrap(),
        )
        .await
        .expect("add-only: repeating is harmless");
    assert_eq!(
        client.endpoints(&project).await.unwrap()[0].status.word(),
        "RUNNING"
    );
}

#[tokio::test]
async fn an_error_status_with_a_success_looking_code_is_still_an_error() {
    let (fake, client) = fake().await;
    {
        let mut st = fake.lock();
        for _ in 0..4 {
            st.faults.push_back(fault("GET /v2/clusters", 503, 0));
        }
    }
    let cluster = ClusterId::parse("in01-abc").unwrap();
    let err = client.cluster(&cluster).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unavailable, "{err}");
    assert!(err.code.is_none(), "code 0 is no error code: {err:?}");
}
