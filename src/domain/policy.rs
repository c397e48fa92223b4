//! Who may request and who may decide: the approval policy from config.
//!
//! Decisions are made against the stored job at the moment of each click, so a
//! stale card or a forwarded button never grants more than the policy does.

use std::time::Duration;

use serde::Deserialize;

use super::ids::{Platform, UserRef};
use super::job::{Conversation, Job, JobState};
use crate::i18n::{Arg, Locale, Text};
use crate::text;

/// A configured principal: `slack:U123`, `slack:group:S123`,
/// `discord:role:987`, `console:alice`, or `<platform>:*` for everyone on a
/// platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    User(UserRef),
    Role { platform: Platform, id: String },
    Everyone(Platform),
}

impl Principal {
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "{text:?} is not a principal: expected <platform>:<user id>, <platform>:role:<id>, <platform>:group:<id> or <platform>:* (platform slack, discord or console)"
            )
        };
        let (platform, rest) = text.split_once(':').ok_or_else(bad)?;
        let platform = Platform::parse(platform).ok_or_else(bad)?;
        if rest == "*" {
            return Ok(Principal::Everyone(platform));
        }
        if let Some(id) = rest
            .strip_prefix("role:")
            .or_else(|| rest.strip_prefix("group:"))
        {
            if id.is_empty() {
                return Err(bad());
            }
            return Ok(Principal::Role {
                platform,
                id: id.to_owned(),
            });
        }
        if rest.is_empty() || rest.contains(':') {
            return Err(bad());
        }
        Ok(Principal::User(UserRef::new(platform, rest)))
    }

    pub fn matches(&self, actor: &Actor) -> bool {
        match self {
            Principal::User(u) => *u == actor.user,
            Principal::Role { platform, id } => {
                *platform == actor.user.platform && actor.roles.iter().any(|r| r == id)
            }
            Principal::Everyone(platform) => *platform == actor.user.platform,
        }
    }
}

/// As the config writes it: `slack:U1`, `discord:role:42`, `slack:*`.
impl std::fmt::Display for Principal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Principal::User(u) => write!(f, "{u}"),
            Principal::Role { platform, id } => write!(f, "{}:role:{id}", platform.as_str()),
            Principal::Everyone(platform) => write!(f, "{}:*", platform.as_str()),
        }
    }
}

impl<'de> Deserialize<'de> for Principal {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Principal::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Someone acting: the user and the roles or groups the platform says they hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user: UserRef,
    pub roles: Vec<String>,
}

impl Actor {
    pub fn new(user: UserRef) -> Self {
        Self {
            user,
            roles: Vec::new(),
        }
    }
}

/// The policy, as configured.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Who may ask for private links. Empty means nobody: `<platform>:*`
    /// opens a platform on purpose.
    #[serde(default)]
    pub requesters: Vec<Principal>,
    /// Who may approve, reject, retry, roll back and delete.
    #[serde(default)]
    pub approvers: Vec<Principal>,
    /// Whether a requester who is also an approver may approve their own job.
    #[serde(default)]
    pub allow_self_approval: bool,
    /// How long a request waits for a decision before it expires.
    #[serde(default = "default_ttl", with = "humantime_serde")]
    pub approval_ttl: Duration,
    /// The IAM roles a request may name with `role=`, for VPCs in other
    /// accounts. Empty: requests cannot name a role, and the bot acts with
    /// its own credentials only (a role it could assume is never probed on
    /// someone's say-so).
    #[serde(default)]
    pub roles: Vec<crate::domain::ids::RoleArn>,
    /// `[[policy.rule]]`: guardrails per channel, account, region and
    /// project (`domain::rules`). The flat lists above are the last rule,
    /// matching everything, when they name anyone.
    #[serde(default, rename = "rule")]
    pub rules: Vec<super::rules::Rule>,
}

fn default_ttl() -> Duration {
    Duration::from_secs(24 * 3600)
}

/// Why an actor may not do something, to be told to them in their
/// language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied(pub Text);

impl std::fmt::Display for Denied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.render(Locale::En))
    }
}

impl std::error::Error for Denied {}

impl Policy {
    /// Whether a request may have the bot act as `role`.
    pub fn may_assume(&self, role: Option<&crate::domain::ids::RoleArn>) -> Result<(), Denied> {
        match role {
            None => Ok(()),
            Some(r) if self.roles.contains(r) => Ok(()),
            Some(r) if self.roles.is_empty() => Err(Denied(text!("denied-no-roles", role = r))),
            Some(r) => Err(Denied(text!(
                "denied-role-not-listed",
                role = r,
                allowed = self
                    .roles
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    /// The role or group ids the policy names for `platform`: what an
    /// adapter must look up when its platform does not send membership.
    pub fn role_ids(&self, platform: Platform) -> Vec<String> {
        let in_force = self.in_force();
        let mut ids: Vec<String> = in_force
            .iter()
            .flat_map(|r| r.requesters.iter().chain(&r.approvers))
            .filter_map(|p| match p {
                Principal::Role { platform: pl, id } if *pl == platform => Some(id.clone()),
                _ => None,
            })
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// Whether `actor` is an approver under the rule `job` was requested
    /// under.
    pub fn is_approver_of(&self, actor: &Actor, job: &Job) -> bool {
        self.approvers_of(job).iter().any(|p| p.matches(actor))
    }

    /// May `actor` approve or reject `job` now?
    pub fn may_decide(&self, actor: &Actor, job: &Job) -> Result<(), Denied> {
        if !self.is_approver_of(actor, job) {
            return Err(Denied(text!("denied-not-approver", job = job.id())));
        }
        // Self-approval, where allowed, is for a rule one approval
        // satisfies: where a rule asks for several, the requester never
        // counts among them.
        let alone = job.guard().needed.create <= 1 && self.allow_self_approval;
        if actor.user == *job.requester() && !alone {
            return Err(Denied(text!("denied-self-approval", job = job.id())));
        }
        Ok(())
    }

    /// May `actor` cancel `job`? The requester may withdraw their own pending
    /// request; approvers may cancel anything.
    pub fn may_cancel(&self, actor: &Actor, job: &Job) -> Result<(), Denied> {
        if self.is_approver_of(actor, job)
            || (actor.user == *job.requester() && *job.state() == JobState::PendingApproval)
        {
            Ok(())
        } else {
            Err(Denied(text!("denied-cancel", job = job.id())))
        }
    }

    /// May `actor` retry, roll back or delete `job`? These change cloud
    /// resources, so they take an approver.
    /// `verb` is the catalogue key of what is asked (`verb-retry`, …).
    pub fn may_operate(&self, actor: &Actor, job: &Job, verb: &str) -> Result<(), Denied> {
        if self.is_approver_of(actor, job) {
            Ok(())
        } else {
            Err(Denied(text!(
                "denied-operate",
                what = Arg::Message(verb.to_owned()),
                job = job.id()
            )))
        }
    }
}

impl Policy {
    /// May `actor` repair `job`'s drifted link? Putting DNS or a
    /// registration back takes an approver; a repair that makes a new
    /// endpoint (new addresses, a new cost) takes the approval a create
    /// takes: an approver who is not the requester (unless self-approval
    /// is allowed).
    pub fn may_repair(&self, actor: &Actor, job: &Job) -> Result<(), Denied> {
        self.may_operate(actor, job, "verb-repair")?;
        let new_endpoint =
            crate::domain::drift::repair::plan(job).is_some_and(|p| p.recreates_endpoint);
        if new_endpoint && actor.user == *job.requester() && !self.allow_self_approval {
            return Err(Denied(text!("denied-repair-new-endpoint", job = job.id())));
        }
        Ok(())
    }
}

/// A button acts only where its card is: a click naming a job from another
/// channel (or workspace, or guild) is a forged or replayed payload, and is
/// refused whatever the clicker's rights.
pub fn may_click_from(from: &Conversation, job: &Job) -> Result<(), Denied> {
    if from == job.conversation() {
        Ok(())
    } else {
        Err(Denied(text!("denied-other-conversation", job = job.id())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principals_parse() {
        assert_eq!(
            Principal::parse("slack:U1").unwrap(),
            Principal::User(UserRef::new(Platform::Slack, "U1"))
        );
        assert!(matches!(
            Principal::parse("discord:role:42").unwrap(),
            Principal::Role { .. }
        ));
        assert!(Principal::parse("teams:U1").is_err());
        assert!(Principal::parse("slack:").is_err());
    }
}

#[cfg(test)]
mod role_tests {
    use super::*;
    use crate::domain::ids::RoleArn;

    fn policy(roles: &[&str]) -> Policy {
        Policy {
            requesters: Vec::new(),
            approvers: Vec::new(),
            allow_self_approval: false,
            approval_ttl: default_ttl(),
            roles: roles.iter().map(|r| RoleArn::parse(r).unwrap()).collect(),
            rules: Vec::new(),
        }
    }

    #[test]
    fn only_listed_roles_may_be_assumed_and_none_when_none_are_listed() {
        let listed = RoleArn::parse("arn:aws:iam::123456789012:role/a").unwrap();
        let other = RoleArn::parse("arn:aws:iam::123456789012:role/b").unwrap();
        assert!(policy(&[]).may_assume(None).is_ok());
        assert!(policy(&[]).may_assume(Some(&listed)).is_err());
        let p = policy(&["arn:aws:iam::123456789012:role/a"]);
        assert!(p.may_assume(Some(&listed)).is_ok());
        let Err(Denied(why)) = p.may_assume(Some(&other)) else {
            panic!("an unlisted role is refused");
        };
        let why = why.render(Locale::En);
        assert!(why.contains("role/a"), "{why}");
    }

    #[test]
    fn nobody_named_means_nobody_may_request_and_a_platform_opens_on_purpose() {
        use crate::domain::rules::{ChannelAt, ChannelMatch};
        let here = ChannelAt::named_by(&ChannelMatch::parse("slack:C1").unwrap());
        let alice = Actor::new(UserRef::new(Platform::Slack, "UALICE"));
        assert!(
            policy(&[]).may_request_here(&alice, &here).is_err(),
            "empty lets nobody in"
        );
        let open = Policy {
            requesters: vec![Principal::parse("slack:*").unwrap()],
            ..policy(&[])
        };
        assert!(open.may_request_here(&alice, &here).is_ok());
        let discord = Actor::new(UserRef::new(Platform::Discord, "42"));
        assert!(
            open.may_request_here(&discord, &here).is_err(),
            "only the platform named"
        );
    }

    #[test]
    fn a_click_counts_only_from_its_cards_conversation() {
        let Ok(crate::domain::command::Command::Create(request)) = crate::domain::command::parse(
            "create project=proj-abc region=aws-us-west-2 vpc=vpc-0123abcd subnets=subnet-0123abcd sg=sg-0123abcd clusters=in01-abc",
        ) else {
            panic!("parses");
        };
        let here = Conversation {
            platform: Platform::Slack,
            channel: crate::domain::ids::ChannelId::parse("C0HERE").expect("an id"),
        };
        let job = crate::sandbox::fixtures::pending_job(
            crate::domain::ids::JobId::new(1000),
            request,
            UserRef::new(Platform::Slack, "UALICE"),
            here.clone(),
        );
        assert!(may_click_from(&here, &job).is_ok());
        let elsewhere = Conversation {
            channel: crate::domain::ids::ChannelId::parse("C0THERE").expect("an id"),
            ..here
        };
        assert!(may_click_from(&elsewhere, &job).is_err());
    }
}
