//! The stored form of a job, pinned: a record this version writes reads
//! back as the same job; a record written before schemas were numbered
//! (its JSON kept here as it was on disk) reads as its job means today;
//! a record from a newer schema is refused.

use super::{RecordError, SCHEMA, decode, encode};
use crate::domain::command::{Command, parse};
use crate::domain::ids::{JobId, Platform, UserRef};
use crate::domain::job::{Conversation, Job, JobState, Step, StepRecord, Teardown};
use crate::i18n::{Locale, Text};
use crate::text;

fn a_job() -> Job {
    let Ok(Command::Create(request)) = parse(
        "create project=proj-abc123 region=aws-us-west-2 vpc=vpc-0123456789abcdef0 \
         subnets=subnet-0123456789abcdef0 sg=sg-0123456789abcdef0 clusters=in01-abc123",
    ) else {
        panic!("the request parses");
    };
    let mut parts = crate::sandbox::fixtures::pending_job(
        JobId::new(1042),
        request,
        UserRef::new(Platform::Slack, "UALICE"),
        Conversation {
            platform: Platform::Slack,
            channel: crate::domain::ids::ChannelId::parse("C0PLATFORM").expect("an id"),
        },
    )
    .into_parts();
    parts.state = JobState::TeardownFailed {
        reason: Teardown::Rollback,
        error: text!(
            "err-create-zone",
            error = text!("verbatim", text = "Throttling")
        ),
    };
    parts.locale = Locale::ZhCn;
    parts.steps = vec![StepRecord {
        step: Step::ResolveService,
        started_at: 1,
        finished_at: Some(2),
        note: Some("done".into()),
    }];
    Job::from_parts(parts)
}

#[test]
fn a_job_reads_back_as_written_with_the_version_given() {
    let job = a_job();
    let bytes = encode(&job, 7).expect("encode");
    let back = decode(&bytes).expect("decode");
    assert_eq!(back.version(), 7);
    let mut expected = job.into_parts();
    expected.version = 7;
    assert_eq!(back, Job::from_parts(expected));
    let json: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
    assert_eq!(json["schema"], SCHEMA);
    assert_eq!(json["state"]["state"], "teardown_failed");
    assert_eq!(json["state"]["reason"], "rollback");
}

/// A job as the version before numbered schemas wrote it: no schema, no
/// thread, no language, no whitelisting, its failure in plain English, and
/// a failed delete stored as `failed` with every create step finished.
const BEFORE_SCHEMAS: &str = r#"{
  "id": "PL-1001",
  "request": {"project":"proj-abc123","region":"aws-us-west-2","vpc":"vpc-0123456789abcdef0",
              "subnets":["subnet-0123456789abcdef0"],"security_groups":["sg-0123456789abcdef0"],
              "clusters":["in01-abc123"]},
  "requester": {"platform":"slack","id":"UALICE"},
  "conversation": {"platform":"slack","channel":"C0PLATFORM"},
  "card": {"platform":"slack","channel":"C0PLATFORM","id":"1700000000.000100"},
  "state": {"state":"failed","step":"verify","error":"Route 53 said: Throttling"},
  "created_at": 1, "expires_at": 2, "decided_by": {"platform":"slack","id":"UBOB"},
  "findings": [{"severity":"warning","message":"Port 19531 looks closed.","fix":null}],
  "account": "123456789012",
  "steps": STEPS,
  "resources": {"endpoint_service":"com.amazonaws.vpce.us-west-2.vpce-svc-0abc",
                "endpoint":null,"registration":null,"clusters":[]},
  "cancel_requested": false,
  "version": 12
}"#;

fn before_schemas() -> String {
    let steps: Vec<String> = Step::ALL
        .iter()
        .map(|s| {
            format!(
                r#"{{"step":"{}","started_at":1,"finished_at":2,"note":null}}"#,
                s.name()
            )
        })
        .collect();
    BEFORE_SCHEMAS.replace("STEPS", &format!("[{}]", steps.join(",")))
}

#[test]
fn a_record_from_before_schemas_reads_as_what_it_meant() {
    let job = decode(before_schemas().as_bytes()).expect("an old record reads");
    assert_eq!(
        *job.state(),
        JobState::TeardownFailed {
            reason: Teardown::Delete,
            error: Text::verbatim("Route 53 said: Throttling"),
        },
        "a failed delete from before teardown_failed"
    );
    assert_eq!(job.locale(), Locale::En);
    assert_eq!(job.thread().progress, None);
    assert!(!job.resources().whitelist_required);
    assert_eq!(
        job.findings()[0].message,
        Text::verbatim("Port 19531 looks closed.")
    );
    assert_eq!(job.version(), 12);
    // Written again, it is a schema 1 record that reads the same.
    let again = decode(&encode(&job, job.version()).expect("encode")).expect("decode");
    assert_eq!(again, job);
}

#[test]
fn an_old_failure_with_a_create_step_left_stays_a_failure() {
    let old = before_schemas().replacen(
        r#"{"step":"verify","started_at":1,"finished_at":2,"note":null}"#,
        r#"{"step":"verify","started_at":1,"finished_at":null,"note":null}"#,
        1,
    );
    let job = decode(old.as_bytes()).expect("reads");
    assert!(matches!(
        job.state(),
        JobState::Failed {
            step: Step::Verify,
            ..
        }
    ));
}

#[test]
fn a_record_from_a_newer_schema_is_refused_not_half_read() {
    let newer = encode(&a_job(), 1)
        .map(|b| String::from_utf8(b).expect("utf-8"))
        .expect("encode")
        .replacen(&format!("\"schema\":{SCHEMA}"), "\"schema\":99", 1);
    assert!(matches!(
        decode(newer.as_bytes()),
        Err(RecordError::Newer { found: 99 })
    ));
}
