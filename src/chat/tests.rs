//! Every word a platform renders comes from the catalogues: a zh-CN job's
//! card, in every state, and its thread notes, as Slack blocks and as
//! Discord embeds, buttons and content, hold no word that only the English
//! catalogue has. A renderer that writes `*Plan*` by hand fails here.

use crate::cards;
use crate::domain::command::{Command, parse};
use crate::domain::ids::{JobId, Platform, UserRef};
use crate::domain::job::{
    ClusterDns, Conversation, EndpointRecord, Job, JobState, Origin, Step, StepRecord, Teardown,
};
use crate::domain::plan::Finding;
use crate::i18n::Locale;
use crate::i18n::leaks::{english_leaks, english_only, shown_text};
use crate::ports::chat::{Blocked, Card, Note};
use crate::text;

fn job_in(state: JobState) -> Job {
    let Ok(Command::Create(request)) = parse(
        "create project=proj-abc123 region=aws-us-west-2 vpc=vpc-0123456789abcdef0 \
         subnets=subnet-0123456789abcdef0 sg=sg-0123456789abcdef0 clusters=in01-abc123",
    ) else {
        panic!("the request parses");
    };
    let mut job = crate::sandbox::fixtures::pending_job(
        JobId::new(1042),
        request,
        UserRef::new(Platform::Slack, "UALICE"),
        Conversation {
            platform: Platform::Slack,
            channel: crate::domain::ids::ChannelId::parse("C0PLATFORM").expect("an id"),
        },
    )
    .into_parts();
    job.locale = Locale::ZhCn;
    job.state = state;
    job.account = crate::domain::ids::AccountId::parse("123456789012").ok();
    job.decided_by = Some(UserRef::new(Platform::Slack, "UBOB"));
    job.findings = vec![
        Finding::warning(
            text!(
                "finding-ports-closed",
                sgs = "sg-0123456789abcdef0",
                ports = "19531"
            ),
            Some(text!("fix-ports-closed", ports = "19531")),
        ),
        Finding::warning(
            text!(
                "finding-service-not-yet-visible",
                service = "com.amazonaws.vpce.us-west-2.vpce-svc-0abc",
                account = "123456789012"
            ),
            None,
        ),
    ];
    job.resources.endpoint_service = Some("com.amazonaws.vpce.us-west-2.vpce-svc-0abc".into());
    job.resources.whitelist_required = true;
    job.resources.endpoint = Some(EndpointRecord {
        id: crate::domain::ids::EndpointId::parse("vpce-0123456789abcdef0").expect("id"),
        origin: Origin::Created,
        dns_name: Some("vpce-0123-abcd.vpce-svc-0abc.us-west-2.vpce.amazonaws.com".into()),
        hosted_zone_id: Some(crate::domain::ids::ZoneId::parse("Z1YSHQZHG15GKL").expect("an id")),
    });
    job.resources.registration = Some(Origin::Created);
    job.resources.clusters = vec![ClusterDns {
        cluster: crate::domain::ids::ClusterId::parse("in01-abc123").expect("id"),
        private_link_address:
            "https://in01-abc123-privatelink.aws-us-west-2.vectordb.zillizcloud.com:19531".into(),
        host: "in01-abc123-privatelink.aws-us-west-2.vectordb.zillizcloud.com".into(),
        zone_id: Some(crate::domain::ids::ZoneId::parse("Z0ZONE").expect("an id")),
        zone_origin: Some(Origin::Created),
        record: true,
    }];
    job.steps = vec![StepRecord {
        step: Step::ResolveService,
        started_at: 1,
        finished_at: Some(2),
        note: Some("终端节点服务".into()),
    }];
    Job::from_parts(job)
}

fn states() -> Vec<JobState> {
    vec![
        JobState::PendingApproval,
        JobState::Approved,
        JobState::Running {
            step: Step::WaitAccepted,
        },
        JobState::Succeeded,
        JobState::Failed {
            step: Step::EnsureZones,
            error: text!("err-create-zone"),
        },
        JobState::Cancelled,
        JobState::Rejected,
        JobState::Expired,
        JobState::TearingDown {
            reason: Teardown::Delete,
        },
        JobState::TeardownFailed {
            reason: Teardown::Rollback,
            error: text!("err-create-zone"),
        },
        JobState::RolledBack,
        JobState::Deleted,
    ]
}

fn notes(job: &Job) -> Vec<Note> {
    let who = UserRef::new(Platform::Slack, "UBOB");
    vec![
        cards::decided(job, &who, "decided-approved"),
        cards::progress(job),
        cards::progress(&{
            let mut done = job.clone().into_parts();
            done.steps.push(crate::domain::job::StepRecord {
                step: Step::ResolveService,
                started_at: 0,
                finished_at: Some(1),
                note: Some("完成".into()),
            });
            Job::from_parts(done)
        }),
        cards::still_waiting(
            job,
            Step::WaitAccepted,
            std::time::Duration::from_secs(90),
            &text!("wait-dns-pending"),
        ),
        cards::step_warning(
            job,
            Step::ReadAddresses,
            &text!(
                "finding-ports-closed",
                sgs = "sg-0123456789abcdef0",
                ports = "19531"
            ),
        ),
        cards::failed(job, Step::EnsureZones, &text!("err-create-zone")),
        cards::teardown_failed(job, Teardown::Delete, &text!("err-create-zone")),
        cards::cancelled(job),
        cards::summary(job),
        cards::torn_down(job, Teardown::Delete, &[]),
    ]
}

/// Everything the two platforms would show of `card` and `notes`.
fn rendered(card: &Card, notes: &[Note]) -> String {
    let json = |v: serde_json::Result<serde_json::Value>| v.unwrap_or_default();
    let mut out = String::new();
    out.push_str(&shown_text(&json(serde_json::to_value(
        super::slack::render::card(card),
    ))));
    out.push_str(&shown_text(&json(serde_json::to_value(
        super::discord::render::embed(card),
    ))));
    out.push_str(&shown_text(&json(serde_json::to_value(
        super::discord::render::buttons(&card.buttons),
    ))));
    for n in notes {
        out.push_str(&shown_text(&json(serde_json::to_value(
            super::slack::render::note(n),
        ))));
        out.push_str(&super::discord::render::content(n));
        out.push_str(&shown_text(&json(serde_json::to_value(
            super::discord::render::buttons(&n.buttons),
        ))));
    }
    out
}

#[test]
fn a_chinese_job_renders_no_english_word_on_either_platform() {
    let english = english_only();
    assert!(
        // Not "plan": the Chinese catalogue names `terraform plan`.
        english.contains("warnings") && english.contains("approve"),
        "the check knows English words: {english:?}"
    );
    for state in states() {
        let job = job_in(state.clone());
        let shown = rendered(&cards::card(&job), &notes(&job));
        let leaked = english_leaks(&shown);
        assert!(
            leaked.is_empty(),
            "{state:?}: English {leaked:?} in {shown}"
        );
    }
    for why in [
        Blocked::NotInChannel,
        Blocked::ChannelGone,
        Blocked::Archived,
        Blocked::NoPermission,
        Blocked::MessageGone,
    ] {
        let said = cards::status_text(&job_in(JobState::Succeeded), Locale::ZhCn, Some(why));
        let leaked = english_leaks(&said);
        assert!(leaked.is_empty(), "{why:?}: English {leaked:?} in {said}");
    }
}

#[test]
fn the_check_catches_a_hand_written_english_heading() {
    let job = job_in(JobState::PendingApproval);
    let mut card = cards::card(&job);
    card.plan_heading = "Warnings".into();
    let shown = rendered(&card, &[]);
    assert_eq!(
        english_leaks(&shown),
        vec!["warnings".to_owned()],
        "{shown}"
    );
}
