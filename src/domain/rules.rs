//! Guardrails as data: rules matched on where a request comes from (the
//! channel)
//! and what it touches (the AWS account, the region, the Zilliz project),
//! each naming who may ask, who may approve and how many distinct
//! approvals a create, a delete and a repair need. The first rule that
//! matches wins; a request no rule matches is refused, naming what a rule
//! would have to cover. Pure: `rule_for` and `shadowed` read only values.

use std::fmt;

use serde::Deserialize;

use super::ids::{AccountId, ChannelId, ChannelName, Platform, ProjectId, ZillizRegion};
use super::job::{Conversation, Job};
use super::policy::{Actor, Denied, Policy, Principal};
use crate::text;

/// The name of the rule the flat `requesters` and `approvers` make.
pub const DEFAULT_RULE: &str = "default";

/// A channel a rule names, by id (`slack:C024BE91L`, `discord:1234…`,
/// `console:ops`) or by name (`slack:#platform-ops`). A name is matched
/// against the name the platform gives the request's channel when it
/// comes in, so a renamed channel follows its new name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelMatch {
    pub platform: Platform,
    pub channel: ChannelRef,
}

/// How a rule names a channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelRef {
    Id(ChannelId),
    Name(ChannelName),
}

impl ChannelMatch {
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "{text:?} is not a channel: expected <platform>:<channel id> or <platform>:#<channel name>"
            )
        };
        let (platform, channel) = text.split_once(':').ok_or_else(bad)?;
        let channel = match channel.starts_with('#') {
            true => ChannelRef::Name(ChannelName::parse(channel).map_err(|_| bad())?),
            false => ChannelRef::Id(ChannelId::parse(channel).map_err(|_| bad())?),
        };
        Ok(Self {
            platform: Platform::parse(platform).ok_or_else(bad)?,
            channel,
        })
    }

    /// Whether the request's channel is this one: by id, or by the name
    /// its platform gave it (a channel whose name is unknown matches no
    /// rule naming channels by name).
    pub fn matches(&self, at: &ChannelAt) -> bool {
        self.platform == at.platform
            && match &self.channel {
                ChannelRef::Id(id) => at.id.as_ref() == Some(id),
                ChannelRef::Name(name) => at.name.as_ref() == Some(name),
            }
    }

    /// The name, when this names a channel by name.
    pub fn name(&self) -> Option<&ChannelName> {
        match &self.channel {
            ChannelRef::Name(name) => Some(name),
            ChannelRef::Id(_) => None,
        }
    }
}

impl<'de> Deserialize<'de> for ChannelMatch {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ChannelMatch::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for ChannelMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.channel {
            ChannelRef::Id(id) => write!(f, "{}:{id}", self.platform.as_str()),
            ChannelRef::Name(name) => write!(f, "{}:{name}", self.platform.as_str()),
        }
    }
}

/// The channel a request comes from, or a `policy` question names: its
/// id and its name, each when known. The name is only asked of the
/// platform when some rule names channels by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelAt {
    pub platform: Platform,
    pub id: Option<ChannelId>,
    pub name: Option<ChannelName>,
    /// The platform was asked for the name and would not tell it: a rule
    /// naming channels by name can then be neither matched nor passed by.
    pub unread: bool,
}

impl ChannelAt {
    /// The channel a conversation is in, its name not yet known.
    pub fn of(conversation: &Conversation) -> Self {
        Self {
            platform: conversation.platform,
            id: Some(conversation.channel.clone()),
            name: None,
            unread: false,
        }
    }

    /// The channel a `policy` question names, as far as it says.
    pub fn named_by(m: &ChannelMatch) -> Self {
        let (id, name) = match &m.channel {
            ChannelRef::Id(id) => (Some(id.clone()), None),
            ChannelRef::Name(name) => (None, Some(name.clone())),
        };
        Self {
            platform: m.platform,
            id,
            name,
            unread: false,
        }
    }
}

impl fmt::Display for ChannelAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let platform = self.platform.as_str();
        match (&self.id, &self.name) {
            (Some(id), Some(name)) => write!(f, "{platform}:{id} ({name})"),
            (Some(id), None) => write!(f, "{platform}:{id}"),
            (None, Some(name)) => write!(f, "{platform}:{name}"),
            (None, None) => write!(f, "{platform}:?"),
        }
    }
}

/// How many distinct approvals each kind of change needs (default 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Approvals {
    pub create: u8,
    pub delete: u8,
    pub repair: u8,
}

impl Default for Approvals {
    fn default() -> Self {
        Self {
            create: 1,
            delete: 1,
            repair: 1,
        }
    }
}

/// One `[[policy.rule]]`. An empty list matches anything on that axis.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub name: String,
    #[serde(default)]
    pub channels: Vec<ChannelMatch>,
    #[serde(default)]
    pub accounts: Vec<AccountId>,
    #[serde(default)]
    pub regions: Vec<ZillizRegion>,
    #[serde(default)]
    pub projects: Vec<ProjectId>,
    #[serde(default)]
    pub requesters: Vec<Principal>,
    #[serde(default)]
    pub approvers: Vec<Principal>,
    #[serde(default)]
    pub approvals: Approvals,
}

/// Where a request comes from and what it touches. The account is known
/// once preflight has read the VPC's owner (or the role's account); a
/// rule that names accounts never matches a request whose account is not
/// known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Where {
    pub channel: ChannelAt,
    pub account: Option<AccountId>,
    /// Unknown (a `policy` question that names none): only rules that
    /// name no region match.
    pub region: Option<ZillizRegion>,
    pub project: Option<ProjectId>,
}

/// Why no rule applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoRule {
    /// No rule covers the request: what one would have to name.
    Unmatched(Box<Where>),
    /// `rule` names channels by name and the channel's name could not be
    /// read: whether it applies is unknown, so no later rule may stand in
    /// for it (fail closed).
    NameUnread { rule: String },
}

/// Whether `list` allows `value`: empty allows anything.
fn allows<T: PartialEq>(list: &[T], value: Option<&T>) -> bool {
    list.is_empty() || value.is_some_and(|v| list.contains(v))
}

/// Whether `channels` allows the channel `at`: empty allows any.
fn allows_channel(channels: &[ChannelMatch], at: &ChannelAt) -> bool {
    channels.is_empty() || channels.iter().any(|c| c.matches(at))
}

impl Rule {
    pub fn matches(&self, at: &Where) -> bool {
        allows_channel(&self.channels, &at.channel)
            && allows(&self.accounts, at.account.as_ref())
            && allows(&self.regions, at.region.as_ref())
            && allows(&self.projects, at.project.as_ref())
    }

    /// Whether this rule could apply at `at` but for the channel's name,
    /// which could not be read.
    fn hangs_on_unread_name(&self, at: &Where) -> bool {
        at.channel.unread
            && self
                .channels
                .iter()
                .any(|c| c.platform == at.channel.platform && c.name().is_some())
            && allows(&self.accounts, at.account.as_ref())
            && allows(&self.regions, at.region.as_ref())
            && allows(&self.projects, at.project.as_ref())
    }

    /// Whether every request `later` matches, this one matches too: then,
    /// this one coming first, `later` can never apply.
    pub fn covers(&self, later: &Rule) -> bool {
        fn wider<T: PartialEq>(mine: &[T], theirs: &[T]) -> bool {
            mine.is_empty() || (!theirs.is_empty() && theirs.iter().all(|t| mine.contains(t)))
        }
        wider(&self.channels, &later.channels)
            && wider(&self.accounts, &later.accounts)
            && wider(&self.regions, &later.regions)
            && wider(&self.projects, &later.projects)
    }
}

/// The rule that applies at `at`: the first that matches; none where a
/// rule before any match hangs on a channel name that could not be read.
pub fn rule_for<'a>(rules: &'a [Rule], at: &Where) -> Result<&'a Rule, NoRule> {
    for rule in rules {
        if rule.matches(at) {
            return Ok(rule);
        }
        if rule.hangs_on_unread_name(at) {
            return Err(NoRule::NameUnread {
                rule: rule.name.clone(),
            });
        }
    }
    Err(NoRule::Unmatched(Box::new(at.clone())))
}

/// Rules that can never apply, each with the earlier rule that covers
/// every request it would match: a mistake in the config.
pub fn shadowed(rules: &[Rule]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, later) in rules.iter().enumerate() {
        if let Some(first) = rules[..i].iter().find(|r| r.covers(later)) {
            out.push((later.name.clone(), first.name.clone()));
        }
    }
    out
}

impl Policy {
    /// Whether some rule names a channel on `platform` by name: only then
    /// is the platform asked for a request's channel name.
    pub fn names_channels_on(&self, platform: Platform) -> bool {
        self.rules
            .iter()
            .flat_map(|r| &r.channels)
            .any(|c| c.platform == platform && c.name().is_some())
    }

    /// Whether some rule names the channel `name` on `platform`.
    pub fn names_channel(&self, platform: Platform, name: &ChannelName) -> bool {
        self.rules
            .iter()
            .flat_map(|r| &r.channels)
            .any(|c| c.platform == platform && c.name() == Some(name))
    }

    /// The rules in force, in order: the configured ones, then the flat
    /// lists as the one that matches everything (when they name anyone).
    pub fn in_force(&self) -> Vec<Rule> {
        let mut rules = self.rules.clone();
        if !self.requesters.is_empty() || !self.approvers.is_empty() {
            rules.push(Rule {
                name: DEFAULT_RULE.to_owned(),
                channels: Vec::new(),
                accounts: Vec::new(),
                regions: Vec::new(),
                projects: Vec::new(),
                requesters: self.requesters.clone(),
                approvers: self.approvers.clone(),
                approvals: Approvals::default(),
            });
        }
        rules
    }

    /// Whether `actor` may ask for anything from `channel` under some
    /// rule: checked before preflight, which the exact rule needs.
    pub fn may_request_here(&self, actor: &Actor, channel: &ChannelAt) -> Result<(), Denied> {
        let rules = self.in_force();
        let here: Vec<&Rule> = rules
            .iter()
            .filter(|r| allows_channel(&r.channels, channel))
            .collect();
        if here.is_empty() {
            return Err(Denied(text!(
                "denied-no-rule-here",
                channel = channel.to_string()
            )));
        }
        match here
            .iter()
            .any(|r| r.requesters.iter().any(|p| p.matches(actor)))
        {
            true => Ok(()),
            false => Err(Denied(text!("denied-not-requester"))),
        }
    }

    /// The rule a request made at `at` falls under, if `actor` may make
    /// it; else why not, naming the rule or what one would have to cover.
    pub fn rule_for_request(&self, actor: &Actor, at: &Where) -> Result<Rule, Denied> {
        let rules = self.in_force();
        let rule = rule_for(&rules, at).map_err(|no| match no {
            NoRule::NameUnread { rule } => Denied(text!(
                "denied-name-unread",
                rule = rule.as_str(),
                channel = at.channel.to_string()
            )),
            NoRule::Unmatched(needs) => Denied(text!(
                "denied-no-rule",
                channel = needs.channel.to_string(),
                account = needs
                    .account
                    .map(|a| a.to_string())
                    .unwrap_or_else(|| "-".into()),
                region = needs
                    .region
                    .map(|r| r.to_string())
                    .unwrap_or_else(|| "-".into()),
                project = needs
                    .project
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| "-".into())
            )),
        })?;
        if !rule.requesters.iter().any(|p| p.matches(actor)) {
            return Err(Denied(text!(
                "denied-rule-requester",
                rule = rule.name.as_str()
            )));
        }
        Ok(rule.clone())
    }

    /// The approvers of the rule `job` was requested under; a job from
    /// before rules falls under the flat lists. A rule since removed from
    /// the config has none: nobody decides under a rule nobody can read.
    pub fn approvers_of(&self, job: &Job) -> Vec<Principal> {
        let name = job.guard().rule.as_deref().unwrap_or(DEFAULT_RULE);
        self.in_force()
            .into_iter()
            .find(|r| r.name == name)
            .map(|r| r.approvers)
            .unwrap_or_default()
    }
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
