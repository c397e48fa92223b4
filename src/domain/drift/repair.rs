//! What a repair of a drifted link would do, worked out from the job
//! alone: the earliest create step whose fact drifted (the steps run again
//! from there, each an ensure), whether it makes a new endpoint (new
//! addresses, a new hourly cost: it needs the approval a create needs),
//! and the exact changes, for the Repair button's preview.

use super::Drift;
use crate::domain::job::{Job, Step};
use crate::domain::words::EndpointState;
use crate::i18n::Text;
use crate::text;

/// A repair, as planned from what was told drifted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The step the repair runs from, through `Verify`.
    pub from: Step,
    /// It makes a new VPC endpoint (the one recorded is gone or refused).
    pub recreates_endpoint: bool,
    /// What it changes, one line each, in the order it does.
    pub changes: Vec<Text>,
}

/// The step that puts `drift` back, and whether that means a new
/// endpoint. `None`: the bot did not make what drifted (a security group
/// rule is the customer's), so it cannot put it back.
fn step_for(drift: &Drift) -> Option<(Step, bool)> {
    Some(match drift {
        Drift::EndpointGone => (Step::EnsureEndpoint, true),
        Drift::EndpointNotAvailable(state) => match EndpointState::parse(state) {
            // Still on its way: wait for it rather than replace it.
            EndpointState::Pending | EndpointState::PendingAcceptance => {
                (Step::WaitAccepted, false)
            }
            _ => (Step::EnsureEndpoint, true),
        },
        // The endpoint lives under another name: read it again, then
        // point the aliases at it.
        Drift::EndpointRenamed => (Step::EnsureEndpoint, false),
        Drift::RegistrationGone | Drift::RegistrationFailed(_) => (Step::EnsureRegistration, false),
        Drift::AddressChanged { .. } => (Step::ReadAddresses, false),
        Drift::ZoneDetached { .. } => (Step::EnsureZones, false),
        Drift::AliasGone { .. } | Drift::AliasRepointed { .. } => (Step::UpsertRecords, false),
        Drift::PortsClosed { .. } => return None,
    })
}

/// The repair of what `job` was told drifted; `None` when nothing told
/// can be put back by the bot.
pub fn plan(job: &Job) -> Option<Plan> {
    let reported = &job.health().reported;
    let steps: Vec<(Step, bool)> = reported.iter().filter_map(step_for).collect();
    let from = steps.iter().map(|(s, _)| *s).min()?;
    let recreates_endpoint = steps.iter().any(|(_, new)| *new);
    Some(Plan {
        from,
        recreates_endpoint,
        changes: changes(job, from, recreates_endpoint),
    })
}

/// The preview's lines: what each step from `from` will change.
fn changes(job: &Job, from: Step, recreates: bool) -> Vec<Text> {
    let (r, res) = (job.request(), job.resources());
    let endpoint = res
        .endpoint
        .as_ref()
        .map(|e| e.id.to_string())
        .unwrap_or_default();
    let target = match (recreates, res.endpoint.as_ref()) {
        (false, Some(e)) => e.dns_name.clone().unwrap_or_else(|| endpoint.clone()),
        _ => String::new(),
    };
    let mut lines = Vec::new();
    if recreates {
        lines.push(text!(
            "repair-new-endpoint",
            vpc = r.vpc,
            service = res.endpoint_service.clone().unwrap_or_default(),
            old = endpoint.as_str()
        ));
        lines.push(text!("repair-register-new", project = r.project));
    } else if from <= Step::EnsureRegistration && job.health().reported.iter().any(is_registration)
    {
        lines.push(text!(
            "repair-register",
            endpoint = endpoint.as_str(),
            project = r.project
        ));
    }
    if from <= Step::ReadAddresses {
        // Hosts may move: which zones and records follow is known only
        // once the addresses are read.
        lines.push(text!("repair-read-addresses"));
        lines.push(text!("repair-upsert-all", target = target.as_str()));
        lines.push(text!("repair-verify"));
        return lines;
    }
    let detached: Vec<&str> = job
        .health()
        .reported
        .iter()
        .filter_map(|d| match d {
            Drift::ZoneDetached { host } => Some(host.as_str()),
            _ => None,
        })
        .collect();
    for c in &res.clusters {
        let zone = c
            .zone_id
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        if detached.contains(&c.host.as_str()) {
            lines.push(text!(
                "repair-zone",
                zone = zone.as_str(),
                host = c.host.as_str(),
                vpc = r.vpc
            ));
        }
        lines.push(match recreates {
            true => text!(
                "repair-upsert-new",
                host = c.host.as_str(),
                zone = zone.as_str()
            ),
            false => text!(
                "repair-upsert",
                host = c.host.as_str(),
                zone = zone.as_str(),
                target = target.as_str()
            ),
        });
    }
    lines.push(text!("repair-verify"));
    lines
}

fn is_registration(d: &Drift) -> bool {
    matches!(d, Drift::RegistrationGone | Drift::RegistrationFailed(_))
}
