//! The sandbox as chat sees it: a world per channel (a VPC, its subnets and
//! security group, a Zilliz project with two clusters, all inside the
//! process) and the real-world failures a person can ask the next job to
//! meet. Pure: the names, the grammar of `sandbox …`, and the `create`
//! line a world answers with.

use std::fmt;

use super::command::CreateRequest;
use super::ids::{ClusterId, ProjectId, SecurityGroupId, SubnetId, VpcId, ZillizRegion};

/// A failure the next job in a channel's world meets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scenario {
    /// The Zilliz project has not allowed the AWS account in: the job
    /// allows it, and Zilliz accepts the connection only after.
    WhitelistRequired,
    /// Zilliz takes its time to accept the connection.
    SlowAcceptance,
    /// Zilliz's side rejects the connection.
    Rejected,
    /// AWS throttles the next calls (`RequestLimitExceeded`).
    Throttled,
    /// The next notes in the channel fail, then chat recovers.
    ChatOutage,
    /// A finished link's alias record is deleted, for the drift watch.
    Drift,
}

impl Scenario {
    pub const ALL: [Scenario; 6] = [
        Scenario::WhitelistRequired,
        Scenario::SlowAcceptance,
        Scenario::Rejected,
        Scenario::Throttled,
        Scenario::ChatOutage,
        Scenario::Drift,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scenario::WhitelistRequired => "whitelist-required",
            Scenario::SlowAcceptance => "slow-acceptance",
            Scenario::Rejected => "rejected",
            Scenario::Throttled => "throttled",
            Scenario::ChatOutage => "chat-outage",
            Scenario::Drift => "drift",
        }
    }

    /// The catalogue key of what it does, for `help` and `sandbox`.
    pub fn key(self) -> &'static str {
        match self {
            Scenario::WhitelistRequired => "scenario-whitelist-required",
            Scenario::SlowAcceptance => "scenario-slow-acceptance",
            Scenario::Rejected => "scenario-rejected",
            Scenario::Throttled => "scenario-throttled",
            Scenario::ChatOutage => "scenario-chat-outage",
            Scenario::Drift => "scenario-drift",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim().to_ascii_lowercase();
        Scenario::ALL.into_iter().find(|s| s.name() == text)
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What `sandbox …` asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SandboxAsk {
    /// The channel's world and its `create` line (seeded if new).
    Show,
    /// Start the channel over in a new world.
    Reset,
    /// The next job meets `Scenario`.
    Scenario(Scenario),
    /// The scenarios there are.
    Scenarios,
}

/// A channel's world: what its `create` line names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct World {
    pub region: ZillizRegion,
    pub project: ProjectId,
    pub vpc: VpcId,
    pub subnets: Vec<SubnetId>,
    pub security_group: SecurityGroupId,
    pub clusters: Vec<ClusterId>,
}

impl World {
    /// The request that links the world's VPC to its clusters.
    pub fn request(&self) -> CreateRequest {
        CreateRequest {
            project: self.project.clone(),
            region: self.region.clone(),
            vpc: self.vpc.clone(),
            subnets: self.subnets.clone(),
            security_groups: vec![self.security_group.clone()],
            clusters: self.clusters.clone(),
            role: None,
        }
    }

    /// The line to paste: `/privatelink create …`.
    pub fn create_line(&self) -> String {
        format!("/privatelink create {}", self.request())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::command::{Command, parse};

    #[test]
    fn every_scenario_reads_back_from_its_name_and_nothing_else_does() {
        for s in Scenario::ALL {
            assert_eq!(Scenario::parse(s.name()), Some(s));
            assert_eq!(Scenario::parse(&s.name().to_uppercase()), Some(s));
        }
        assert_eq!(Scenario::parse("outage"), None);
        assert_eq!(Scenario::parse(""), None);
    }

    #[test]
    fn sandbox_commands_parse_and_a_wrong_scenario_names_the_right_ones() {
        let ask = |line: &str| match parse(line) {
            Ok(Command::Sandbox(ask)) => Some(ask),
            _ => None,
        };
        assert_eq!(ask("sandbox"), Some(SandboxAsk::Show));
        assert_eq!(ask("/privatelink sandbox reset"), Some(SandboxAsk::Reset));
        assert_eq!(ask("sandbox scenarios"), Some(SandboxAsk::Scenarios));
        assert_eq!(
            ask("sandbox scenario Slow-Acceptance"),
            Some(SandboxAsk::Scenario(Scenario::SlowAcceptance))
        );
        assert_eq!(
            ask("sandbox drift"),
            Some(SandboxAsk::Scenario(Scenario::Drift))
        );
        for bad in [
            "sandbox scenario outage",
            "sandbox reset now",
            "sandbox x y z",
        ] {
            let Err(e) = parse(bad) else {
                panic!("{bad} parses");
            };
            let said = e.render(crate::i18n::Locale::En);
            assert!(said.contains("chat-outage"), "{bad}: {said}");
        }
    }

    #[test]
    fn help_for_sandbox_names_every_scenario_in_both_languages() {
        for locale in crate::i18n::Locale::ALL {
            let help = crate::domain::help::help(Some("sandbox"), locale);
            for s in Scenario::ALL {
                assert!(help.contains(s.name()), "{locale:?}: {help}");
            }
        }
    }

    #[test]
    fn a_worlds_create_line_parses_to_its_request() {
        let world = World {
            region: ZillizRegion::parse("aws-us-west-2").expect("region"),
            project: ProjectId::parse("proj-0123456789abcdef01234").expect("project"),
            vpc: VpcId::parse("vpc-0a1b2c3d4e5f60718").expect("vpc"),
            subnets: vec![SubnetId::parse("subnet-0a1b2c3d4e5f60718").expect("subnet")],
            security_group: SecurityGroupId::parse("sg-0a1b2c3d4e5f60718").expect("sg"),
            clusters: vec![ClusterId::parse("in01-0123456789abcdef").expect("cluster")],
        };
        assert_eq!(
            parse(&world.create_line()),
            Ok(Command::Create(world.request()))
        );
    }
}
