//! The fake Zilliz Cloud keeps what Zilliz documents.

use privatelink_bot::sandbox::{PROJECT, Sandbox, ZILLIZ_REGION};
use serde_json::{Value, json};

use super::JsonAnswer;

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
