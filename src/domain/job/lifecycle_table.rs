//! Every state × every transition, read from a table a person can check
//! against the design: `→ state` where the job moves, `cancel_requested`
//! where a running job is asked to stop, `✗ reason` where it is refused.

use super::*;
use crate::domain::command::{self, Command};
use crate::domain::ids::Platform;
use crate::domain::job::{Conversation, StateKey};

const TABLE: &str = "
state            | approve          | approve_late      | reject           | cancel             | expire_early | expire    | retry                   | rollback            | delete           | stop      | enter    | finish   | fail     | td_done     | td_fail | repair             | accept | handover       | takeback
pending_approval | →approved        | ✗expired_undecided | →rejected       | →cancelled         | ✗not_due     | →expired  | ✗not_retryable          | ✗not_rollbackable   | ✗not_deletable   | ✗moved    | ✗moved   | ✗moved   | ✗moved   | ✗moved      | ✗moved | ✗not_repairable    | ✗not_repairable | ✗not_handable  | ✗not_handed_over
approved         | ✗already_decided | ✗already_decided  | ✗already_decided | cancel_requested   | ✗not_due     | ✗not_due  | ✗not_retryable          | ✗not_rollbackable   | ✗not_deletable   | →cancelled | →running | ✗moved   | ✗moved   | ✗moved      | ✗moved | ✗not_repairable    | ✗not_repairable | ✗not_handable  | ✗not_handed_over
running          | ✗already_decided | ✗already_decided  | ✗already_decided | cancel_requested   | ✗not_due     | ✗not_due  | ✗not_retryable          | ✗not_rollbackable   | ✗not_deletable   | →cancelled | ✗moved   | →approved | →failed | ✗moved      | ✗moved | ✗not_repairable    | ✗not_repairable | ✗not_handable  | ✗not_handed_over
succeeded        | ✗already_decided | ✗already_decided  | ✗already_decided | ✗nothing_to_cancel | ✗not_due     | ✗not_due  | ✗not_retryable          | ✗not_rollbackable   | →deleting        | ✗moved    | ✗moved   | ✗moved   | ✗moved   | ✗moved      | ✗moved | ✗nothing_to_repair | ✗nothing_to_accept | →handed_over   | ✗not_handed_over
handed_over      | ✗already_decided | ✗already_decided  | ✗already_decided | ✗nothing_to_cancel | ✗not_due     | ✗not_due  | ✗not_retryable          | ✗managed_by_terraform | ✗managed_by_terraform | ✗moved    | ✗moved   | ✗moved   | ✗moved   | ✗moved      | ✗moved | ✗not_repairable    | ✗not_repairable | ✗not_handable  | →succeeded
repairing        | ✗already_decided | ✗already_decided  | ✗already_decided | ✗nothing_to_cancel | ✗not_due     | ✗not_due  | ✗not_retryable          | ✗not_rollbackable   | ✗not_deletable   | ✗moved    | ✗moved   | →repairing | →succeeded | ✗moved    | ✗moved | ✗not_repairable    | ✗not_repairable | ✗not_handable  | ✗not_handed_over
failed           | ✗already_decided | ✗already_decided  | ✗already_decided | ✗nothing_to_cancel | ✗not_due     | ✗not_due  | →approved               | →rolling_back       | ✗not_deletable   | ✗moved    | ✗moved   | ✗moved   | ✗moved   | ✗moved      | ✗moved | ✗not_repairable    | ✗not_repairable | ✗not_handable  | ✗not_handed_over
cancelled        | ✗already_decided | ✗already_decided  | ✗already_decided | ✗nothing_to_cancel | ✗not_due     | ✗not_due  | ✗not_retryable          | →rolling_back       | ✗not_deletable   | ✗moved    | ✗moved   | ✗moved   | ✗moved   | ✗moved      | ✗moved | ✗not_repairable    | ✗not_repairable | ✗not_handable  | ✗not_handed_over
rejected         | ✗already_decided | ✗already_decided  | ✗already_decided | ✗nothing_to_cancel | ✗not_due     | ✗not_due  | ✗not_retryable          | ✗not_rollbackable   | ✗not_deletable   | ✗moved    | ✗moved   | ✗moved   | ✗moved   | ✗moved      | ✗moved | ✗not_repairable    | ✗not_repairable | ✗not_handable  | ✗not_handed_over
expired          | ✗already_decided | ✗already_decided  | ✗already_decided | ✗nothing_to_cancel | ✗not_due     | ✗not_due  | ✗not_retryable          | ✗not_rollbackable   | ✗not_deletable   | ✗moved    | ✗moved   | ✗moved   | ✗moved   | ✗moved      | ✗moved | ✗not_repairable    | ✗not_repairable | ✗not_handable  | ✗not_handed_over
rolling_back     | ✗already_decided | ✗already_decided  | ✗already_decided | ✗nothing_to_cancel | ✗not_due     | ✗not_due  | ✗not_retryable          | ✗not_rollbackable   | ✗not_deletable   | ✗moved    | ✗moved   | ✗moved   | ✗moved   | →rolled_back | →teardown_failed | ✗not_repairable    | ✗not_repairable | ✗not_handable  | ✗not_handed_over
deleting         | ✗already_decided | ✗already_decided  | ✗already_decided | ✗nothing_to_cancel | ✗not_due     | ✗not_due  | ✗not_retryable          | ✗not_rollbackable   | ✗not_deletable   | ✗moved    | ✗moved   | ✗moved   | ✗moved   | →deleted    | →teardown_failed | ✗not_repairable    | ✗not_repairable | ✗not_handable  | ✗not_handed_over
teardown_failed  | ✗already_decided | ✗already_decided  | ✗already_decided | ✗nothing_to_cancel | ✗not_due     | ✗not_due  | ✗teardown_not_retryable | →rolling_back       | →deleting        | ✗moved    | ✗moved   | ✗moved   | ✗moved   | ✗moved      | ✗moved | ✗not_repairable    | ✗not_repairable | ✗not_handable  | ✗not_handed_over
rolled_back      | ✗already_decided | ✗already_decided  | ✗already_decided | ✗nothing_to_cancel | ✗not_due     | ✗not_due  | ✗not_retryable          | ✗not_rollbackable   | ✗not_deletable   | ✗moved    | ✗moved   | ✗moved   | ✗moved   | ✗moved      | ✗moved | ✗not_repairable    | ✗not_repairable | ✗not_handable  | ✗not_handed_over
deleted          | ✗already_decided | ✗already_decided  | ✗already_decided | ✗nothing_to_cancel | ✗not_due     | ✗not_due  | ✗not_retryable          | ✗not_rollbackable   | ✗not_deletable   | ✗moved    | ✗moved   | ✗moved   | ✗moved   | ✗moved      | ✗moved | ✗not_repairable    | ✗not_repairable | ✗not_handable  | ✗not_handed_over
";

const EXPIRES: Millis = 1_000;
const STEP: Step = Step::EnsureEndpoint;

fn bob() -> UserRef {
    UserRef::new(Platform::Console, "bob")
}

fn transition(column: &str) -> Transition {
    match column {
        "approve" => Transition::Approve { by: bob(), at: 10 },
        "approve_late" => Transition::Approve {
            by: bob(),
            at: EXPIRES,
        },
        "reject" => Transition::Reject { by: bob(), at: 10 },
        "cancel" => Transition::Cancel { by: bob() },
        "expire_early" => Transition::Expire { at: 10 },
        "expire" => Transition::Expire { at: EXPIRES },
        "retry" => Transition::Retry,
        "rollback" => Transition::Rollback,
        "delete" => Transition::Delete { by: bob() },
        "stop" => Transition::StopCancelled,
        "enter" => Transition::EnterStep { step: STEP, at: 20 },
        "finish" => Transition::FinishStep {
            step: STEP,
            resources: Resources::default(),
            note: "done".into(),
            at: 30,
        },
        "fail" => Transition::FailStep {
            step: STEP,
            error: crate::i18n::Text::verbatim("boom"),
        },
        "td_done" => Transition::FinishTeardown,
        "td_fail" => Transition::FailTeardown {
            error: crate::i18n::Text::verbatim("boom"),
        },
        "repair" => Transition::Repair { by: bob(), at: 10 },
        "accept" => Transition::AcceptDrift { by: bob() },
        "handover" => Transition::HandOver { by: bob(), at: 40 },
        "takeback" => Transition::TakeBack { by: bob() },
        other => panic!("unknown column {other}"),
    }
}

fn state(key: &str) -> JobState {
    match key {
        "pending_approval" => JobState::PendingApproval,
        "approved" => JobState::Approved,
        "running" => JobState::Running { step: STEP },
        "succeeded" => JobState::Succeeded,
        "repairing" => JobState::Repairing { step: STEP },
        "handed_over" => JobState::HandedOver { at: 40, by: bob() },
        "failed" => JobState::Failed {
            step: STEP,
            error: crate::i18n::Text::verbatim("boom"),
        },
        "cancelled" => JobState::Cancelled,
        "rejected" => JobState::Rejected,
        "expired" => JobState::Expired,
        "rolling_back" => JobState::TearingDown {
            reason: Teardown::Rollback,
        },
        "deleting" => JobState::TearingDown {
            reason: Teardown::Delete,
        },
        "teardown_failed" => JobState::TeardownFailed {
            reason: Teardown::Delete,
            error: crate::i18n::Text::verbatim("boom"),
        },
        "rolled_back" => JobState::RolledBack,
        "deleted" => JobState::Deleted,
        other => panic!("unknown state {other}"),
    }
}

/// A job in `state`, with step 1 done (so a failed job has a step to
/// retry) and, for `stop`, a cancel requested.
pub(in crate::domain::job) fn job_in(state: JobState, cancel_requested: bool) -> Job {
    let Ok(Command::Create(request)) = command::parse(
        "create project=proj-abc123 region=aws-us-west-2 vpc=vpc-0123456789abcdef0 subnets=subnet-0123456789abcdef0 sg=sg-0123456789abcdef0 clusters=in01-3e5ad8adc38c2f1",
    ) else {
        panic!("the line parses");
    };
    Job {
        id: JobId::new(1000),
        request,
        requester: UserRef::new(Platform::Console, "alice"),
        conversation: Conversation {
            platform: Platform::Console,
            channel: crate::domain::ids::ChannelId::parse("ops").expect("an id"),
        },
        card: None,
        thread: Default::default(),
        state,
        created_at: 0,
        expires_at: EXPIRES,
        decided_by: None,
        findings: Vec::new(),
        account: None,
        steps: vec![StepRecord {
            step: Step::ResolveService,
            started_at: 1,
            finished_at: Some(2),
            note: None,
        }],
        resources: Resources::default(),
        cancel_requested,
        version: 0,
        locale: crate::i18n::Locale::En,
        health: Default::default(),
        guard: Default::default(),
    }
}

fn refusal_name(r: &Refusal) -> &'static str {
    match r {
        Refusal::AlreadyDecided { .. } => "already_decided",
        Refusal::ExpiredUndecided(_) => "expired_undecided",
        Refusal::NotDue(_) => "not_due",
        Refusal::NothingToCancel { .. } => "nothing_to_cancel",
        Refusal::NotRetryable { .. } => "not_retryable",
        Refusal::TeardownNotRetryable(_) => "teardown_not_retryable",
        Refusal::NotRollbackable { .. } => "not_rollbackable",
        Refusal::NotDeletable { .. } => "not_deletable",
        Refusal::Moved { .. } => "moved",
        Refusal::Denied(_) => "denied",
        Refusal::NotRepairable { .. } => "not_repairable",
        Refusal::NothingToRepair(_) => "nothing_to_repair",
        Refusal::NothingToAccept(_) => "nothing_to_accept",
        Refusal::RepairElsewhere { .. } => "repair_elsewhere",
        Refusal::ManagedByTerraform { .. } => "managed_by_terraform",
        Refusal::NotHandable { .. } => "not_handable",
        Refusal::NotHandedOver { .. } => "not_handed_over",
        Refusal::AlreadyApproved { .. } => "already_approved",
    }
}

#[test]
fn every_state_and_transition_does_what_the_table_says() {
    let mut lines = TABLE.trim().lines();
    let header: Vec<&str> = lines
        .next()
        .map(|l| l.split('|').map(str::trim).collect())
        .unwrap_or_default();
    let mut seen_states = Vec::new();
    for line in lines {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        assert_eq!(cells.len(), header.len(), "{line}");
        let from = state(cells[0]);
        assert_eq!(from.key().as_str(), cells[0]);
        seen_states.push(from.key());
        for (column, expected) in header.iter().zip(&cells).skip(1) {
            let mut job = job_in(from.clone(), *column == "stop");
            let before = job.clone();
            let got = match job.apply(transition(column)) {
                Ok(Outcome::Moved) => format!("→{}", job.state.key().as_str()),
                Ok(Outcome::CancelRequested) => {
                    assert!(job.cancel_requested);
                    assert_eq!(job.state, from, "a cancel request keeps the state");
                    "cancel_requested".to_owned()
                }
                Ok(Outcome::Recorded) => unreachable!("a transition always moves or refuses"),
                Err(r) => {
                    assert_eq!(job, before, "a refusal changes nothing");
                    format!("✗{}", refusal_name(&r))
                }
            };
            assert_eq!(&got, expected, "{} × {column}", cells[0]);
        }
    }
    let mut all = StateKey::ALL.to_vec();
    all.sort_by_key(|k| k.as_str());
    seen_states.sort_by_key(|k| k.as_str());
    assert_eq!(seen_states, all, "the table covers every state");
}

#[test]
fn stop_needs_a_requested_cancel() {
    let mut job = job_in(JobState::Running { step: STEP }, false);
    assert!(matches!(
        job.apply(Transition::StopCancelled),
        Err(Refusal::Moved { .. })
    ));
}

#[test]
fn a_step_only_finishes_or_fails_while_it_runs() {
    let mut job = job_in(
        JobState::Running {
            step: Step::EnsureRegistration,
        },
        false,
    );
    assert!(matches!(
        job.apply(transition("finish")),
        Err(Refusal::Moved { .. })
    ));
    assert!(matches!(
        job.apply(transition("fail")),
        Err(Refusal::Moved { .. })
    ));
}

#[test]
fn the_last_step_finishing_succeeds_and_a_finished_teardown_forgets_resources() {
    let mut job = job_in(JobState::Running { step: Step::Verify }, false);
    let done = Transition::FinishStep {
        step: Step::Verify,
        resources: Resources::default(),
        note: "verified".into(),
        at: 5,
    };
    assert_eq!(job.apply(done), Ok(Outcome::Moved));
    assert_eq!(job.state, JobState::Succeeded);

    let mut job = job_in(
        JobState::TearingDown {
            reason: Teardown::Delete,
        },
        false,
    );
    job.resources.endpoint_service = Some("svc".into());
    assert_eq!(job.apply(Transition::FinishTeardown), Ok(Outcome::Moved));
    assert_eq!(job.resources, Resources::default());
}

#[test]
fn records_move_no_state_and_resources_are_recorded_only_while_work_runs() {
    use crate::domain::job::{Change, Living, MessageRef};
    let at = |id: &str| MessageRef {
        platform: Platform::Console,
        channel: crate::domain::ids::ChannelId::parse("ops").expect("an id"),
        id: id.into(),
    };
    let mut job = job_in(JobState::Running { step: STEP }, false);
    let made = Resources {
        endpoint_service: Some("svc".into()),
        ..Resources::default()
    };
    assert_eq!(
        job.change(Change::RecordResources(made.clone())),
        Ok(Outcome::Recorded)
    );
    assert_eq!(job.resources, made);
    assert_eq!(
        job.change(Change::CardPosted(at("card"))),
        Ok(Outcome::Recorded)
    );
    let checklist = Change::LivingPosted(Living::Progress, at("checklist"));
    assert_eq!(job.change(checklist), Ok(Outcome::Recorded));
    assert_eq!(job.thread.at(Living::Progress), Some(&at("checklist")));
    assert_eq!(job.change(Change::CardLost), Ok(Outcome::Recorded));
    assert_eq!((job.card(), job.thread.at(Living::Progress)), (None, None));
    assert_eq!(job.state, JobState::Running { step: STEP });

    for state in [
        JobState::PendingApproval,
        JobState::Succeeded,
        JobState::Deleted,
    ] {
        let mut job = job_in(state, false);
        let before = job.clone();
        assert!(matches!(
            job.change(Change::RecordResources(made.clone())),
            Err(Refusal::Moved { .. })
        ));
        assert_eq!(job, before);
    }
}
