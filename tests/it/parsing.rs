//! Bad input gets a specific message naming the field, with a usage line,
//! and nothing is stored or created.

use crate::harness::Harness;

#[tokio::test]
async fn every_parser_error_names_its_field_and_stores_nothing() {
    let h = Harness::start().await;
    let good = h.sandbox.create_args();
    let net = &h.sandbox.network;
    let cases: Vec<(String, &str, &str)> = vec![
        (
            format!("create {good} colour=blue"),
            "`colour`",
            "unknown key",
        ),
        (
            good.replace(&format!("vpc={}", net.vpc), ""),
            "`vpc`",
            "is required",
        ),
        (
            good.replace(&net.vpc, "vpc-123"),
            "`vpc`",
            "is not a VPC id",
        ),
        (
            format!("{good} project=proj-other"),
            "`project`",
            "given more than once",
        ),
        (
            good.replace(&format!("sg={}", net.security_group), "sg="),
            "`sg`",
            "has an empty value",
        ),
        (
            good.replace(&net.subnets.join(","), &format!("{0},{0}", net.subnets[0])),
            "`subnets`",
            "twice",
        ),
        (
            good.replace("aws-us-west-2", "us-west-2"),
            "`region`",
            "is not a Zilliz Cloud AWS region id",
        ),
        (
            good.replace("in01-sandbox0001", "my-cluster"),
            "`clusters`",
            "is not a Zilliz Cloud cluster id",
        ),
        (
            format!("{good} role=arn:aws:iam::123:role/x"),
            "`role`",
            "is not an IAM role ARN",
        ),
    ];
    for (args, field, problem) in cases {
        let text = if args.starts_with("create") {
            args.clone()
        } else {
            format!("create {args}")
        };
        let reply = h.say("alice", &text).await;
        assert!(reply.text.contains(field), "{text}\n→ {}", reply.text);
        assert!(reply.text.contains(problem), "{text}\n→ {}", reply.text);
        assert!(
            reply.text.contains("Usage: /privatelink create"),
            "{}",
            reply.text
        );
        assert!(reply.job.is_none());
    }
    assert!(
        h.app().store.all_jobs().await.unwrap().is_empty(),
        "a bad command stored a job"
    );
    assert!(h.end_state().await.endpoints.is_empty());
    assert!(
        !h.transcript().await.contains("card"),
        "a bad command posted a card"
    );
}

#[tokio::test]
async fn unknown_commands_and_bad_job_ids_are_explained() {
    let h = Harness::start().await;
    let r = h.say("alice", "frobnicate").await;
    assert!(
        r.text.contains("unknown command \"frobnicate\""),
        "{}",
        r.text
    );
    let r = h.say("alice", "status 1042").await;
    assert!(
        r.text.contains("`job`: \"1042\" is not a job id"),
        "{}",
        r.text
    );
    let r = h.say("alice", "list sideways").await;
    assert!(r.text.contains("`filter`"), "{}", r.text);
}
