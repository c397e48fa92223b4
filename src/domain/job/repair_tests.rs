//! The repair's rules: which step a drift sends the repair back to,
//! whether it makes a new endpoint, how each step moves it, and what
//! accepting a drift keeps quiet.

use super::super::lifecycle::table::job_in;
use super::super::lifecycle::{Outcome, Refusal, Transition};
use super::super::{EndpointRecord, JobState, Origin, Resources, Step};
use crate::domain::drift::{Check, Drift, repair};
use crate::domain::ids::{EndpointId, Platform, UserRef};

fn drifted(drifts: &[Drift]) -> super::Job {
    let mut job = job_in(JobState::Succeeded, false);
    for at in [1, 2] {
        job.health.take(
            at,
            Check {
                drifted: drifts.to_vec(),
                ..Check::default()
            },
        );
    }
    assert!(job.health.is_drifted());
    job
}

fn bob() -> UserRef {
    UserRef::new(Platform::Console, "bob")
}

fn alias_gone() -> Drift {
    Drift::AliasGone { host: "h".into() }
}

/// The step a repair starts at, and whether it makes a new endpoint.
type Starts = (Step, bool);

#[test]
fn a_repair_starts_at_the_earliest_step_whose_fact_drifted() {
    let rows: [(&[Drift], Option<Starts>); 8] = [
        (&[alias_gone()], Some((Step::UpsertRecords, false))),
        (
            &[Drift::ZoneDetached { host: "h".into() }, alias_gone()],
            Some((Step::EnsureZones, false)),
        ),
        (
            &[Drift::AddressChanged {
                cluster: "c".into(),
            }],
            Some((Step::ReadAddresses, false)),
        ),
        (
            &[Drift::RegistrationGone],
            Some((Step::EnsureRegistration, false)),
        ),
        (
            &[Drift::EndpointNotAvailable("pendingAcceptance".into())],
            Some((Step::WaitAccepted, false)),
        ),
        (
            &[Drift::EndpointNotAvailable("rejected".into()), alias_gone()],
            Some((Step::EnsureEndpoint, true)),
        ),
        (&[Drift::EndpointGone], Some((Step::EnsureEndpoint, true))),
        (
            &[Drift::PortsClosed {
                ports: "19530".into(),
            }],
            None,
        ),
    ];
    for (drifts, expected) in rows {
        let plan = repair::plan(&drifted(drifts));
        assert_eq!(
            plan.as_ref().map(|p| (p.from, p.recreates_endpoint)),
            expected,
            "{drifts:?}"
        );
    }
}

#[test]
fn a_repair_runs_its_steps_and_ends_succeeded_with_nothing_told() {
    let mut job = drifted(&[Drift::ZoneDetached { host: "h".into() }]);
    let repair = Transition::Repair { by: bob(), at: 3 };
    assert_eq!(job.apply(repair), Ok(Outcome::Moved));
    for step in [Step::EnsureZones, Step::UpsertRecords, Step::Verify] {
        assert_eq!(job.state, JobState::Repairing { step });
        let done = Transition::FinishStep {
            step,
            resources: Resources::default(),
            note: String::new(),
            at: 4,
        };
        assert_eq!(job.apply(done), Ok(Outcome::Moved));
    }
    assert_eq!(job.state, JobState::Succeeded);
    assert!(!job.health.is_drifted());
    assert!(job.health.seen.is_empty());
}

#[test]
fn a_failed_repair_leaves_the_link_told_drifted_and_a_new_endpoint_is_remembered() {
    let mut job = drifted(&[Drift::EndpointGone]);
    let endpoint = |id: &str| Resources {
        endpoint: Some(EndpointRecord {
            id: EndpointId::parse(id).expect("an id"),
            origin: Origin::Created,
            dns_name: None,
            hosted_zone_id: None,
        }),
        ..Resources::default()
    };
    job.resources = endpoint("vpce-0aaaaaaaaaaaaaaaa");
    assert_eq!(
        job.apply(Transition::Repair { by: bob(), at: 3 }),
        Ok(Outcome::Moved)
    );
    let made = Transition::FinishStep {
        step: Step::EnsureEndpoint,
        resources: endpoint("vpce-0bbbbbbbbbbbbbbbb"),
        note: String::new(),
        at: 4,
    };
    assert_eq!(job.apply(made), Ok(Outcome::Moved));
    assert_eq!(
        job.health.replaced,
        EndpointId::parse("vpce-0aaaaaaaaaaaaaaaa").ok()
    );
    let failed = Transition::FailStep {
        step: Step::EnsureRegistration,
        error: crate::i18n::Text::verbatim("boom"),
    };
    assert_eq!(job.apply(failed), Ok(Outcome::Moved));
    assert_eq!(job.state, JobState::Succeeded);
    assert!(job.health.is_drifted(), "still told drifted");
}

#[test]
fn an_accepted_drift_is_quiet_while_it_holds_and_told_when_it_changes() {
    let repointed = |to: &str| Drift::AliasRepointed {
        host: "h".into(),
        to: to.into(),
    };
    let mut job = drifted(&[repointed("a")]);
    let accept = Transition::AcceptDrift { by: bob() };
    assert_eq!(job.apply(accept.clone()), Ok(Outcome::Recorded));
    assert!(!job.health.is_drifted());
    assert_eq!(job.apply(accept), Err(Refusal::NothingToAccept(job.id)));
    let check = |drifts: Vec<Drift>| Check {
        drifted: drifts,
        ..Check::default()
    };
    for at in 3..6 {
        job.health.take(at, check(vec![repointed("a")]));
        assert!(!job.health.is_drifted());
    }
    // Pointed elsewhere again: a new drift, told after two checks.
    job.health.take(6, check(vec![repointed("b")]));
    job.health.take(7, check(vec![repointed("b")]));
    assert!(job.health.is_drifted());
}
