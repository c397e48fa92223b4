//! The `/privatelink` command grammar, shared by every chat platform and the
//! console. Pure: text in, a typed [`Command`] or a [`ParseError`] out.
//!
//! Arguments may be written `key=value`, `--key value` or `--key=value`; list
//! values are comma separated. Every problem found is reported at once, each
//! naming its field, so a person fixes a command in one go.

mod create;

use create::parse_create;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::i18n::{Locale, Text};
use crate::{t, text};

use super::help::{
    SUBCOMMANDS, USAGE_ADOPT, USAGE_ANY, USAGE_CANCEL, USAGE_CREATE, USAGE_DELETE, USAGE_EXPORT,
    USAGE_HELP, USAGE_LIST, USAGE_PLAN, USAGE_POLICY, USAGE_RETRY, USAGE_ROLLBACK, USAGE_SANDBOX,
    USAGE_STATUS, USAGE_VERIFY,
};
use super::ids::{
    ClusterId, JobId, ProjectId, RoleArn, SecurityGroupId, SubnetId, VpcId, ZillizRegion,
};

/// The most items a list argument may hold: an interface endpoint takes one
/// subnet per availability zone and a handful of security groups, so longer
/// lists are typos, not intent.
pub const MAX_LIST_ITEMS: usize = 16;

/// A parsed request to connect a VPC to a Zilliz Cloud project's clusters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateRequest {
    pub project: ProjectId,
    pub region: ZillizRegion,
    pub vpc: VpcId,
    pub subnets: Vec<SubnetId>,
    pub security_groups: Vec<SecurityGroupId>,
    pub clusters: Vec<ClusterId>,
    pub role: Option<RoleArn>,
}

/// The request as the grammar writes it: `parse` reads this back to the
/// same request (a property test holds them to it).
impl std::fmt::Display for CreateRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let join = |items: Vec<String>| items.join(",");
        write!(
            f,
            "project={} region={} vpc={} subnets={} sg={} clusters={}",
            self.project,
            self.region,
            self.vpc,
            join(self.subnets.iter().map(ToString::to_string).collect()),
            join(
                self.security_groups
                    .iter()
                    .map(ToString::to_string)
                    .collect()
            ),
            join(self.clusters.iter().map(ToString::to_string).collect()),
        )?;
        if let Some(role) = &self.role {
            write!(f, " role={role}")?;
        }
        Ok(())
    }
}

impl CreateRequest {
    /// The key under which only one job may be active at a time: the VPC
    /// and the Zilliz region.
    pub fn slot(&self) -> String {
        format!("{}|{}", self.vpc, self.region)
    }
}

/// Which jobs `list` shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFilter {
    Mine,
    Pending,
    Running,
    Failed,
    /// Succeeded jobs whose link the drift watch found out of shape.
    Drifted,
    All,
}

/// A command someone typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Create(CreateRequest),
    Plan(CreateRequest),
    Status(JobId),
    /// Check a succeeded job's link now, as the drift watch does.
    Verify(JobId),
    List(ListFilter),
    Cancel(JobId),
    Retry(JobId),
    Rollback(JobId),
    Delete(JobId),
    /// The Terraform for what a job made, into its thread.
    Export(JobId),
    /// Take a link handed over to Terraform back under the bot's care.
    Adopt(JobId),
    /// Which guardrail applies where (each part optional; the channel
    /// defaults to where it is asked).
    Policy(PolicyQuery),
    /// The sandbox's world in this channel, a reset, or a scenario (only
    /// where the bot runs with `serve --sandbox`).
    Sandbox(super::sandbox::SandboxAsk),
    Help(Option<String>),
}

impl Command {
    /// The command's name, as typed: `create`, `status`, …
    pub fn kind(&self) -> &'static str {
        match self {
            Command::Create(_) => "create",
            Command::Plan(_) => "plan",
            Command::Status(_) => "status",
            Command::Verify(_) => "verify",
            Command::List(_) => "list",
            Command::Cancel(_) => "cancel",
            Command::Retry(_) => "retry",
            Command::Rollback(_) => "rollback",
            Command::Delete(_) => "delete",
            Command::Export(_) => "export",
            Command::Adopt(_) => "adopt",
            Command::Policy(_) => "policy",
            Command::Sandbox(_) => "sandbox",
            Command::Help(_) => "help",
        }
    }
}

/// One thing wrong with a command, naming the field where there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: Option<String>,
    pub message: Text,
}

/// Everything wrong with a command, and how it should have looked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub problems: Vec<Problem>,
    pub usage: &'static str,
}

impl ParseError {
    fn single(field: Option<&str>, message: Text, usage: &'static str) -> Self {
        Self {
            problems: vec![Problem {
                field: field.map(str::to_owned),
                message,
            }],
            usage,
        }
    }

    /// The problem reported for `field`, if any (used by forms that show
    /// errors beside their inputs).
    pub fn for_field(&self, field: &str) -> Option<&Text> {
        self.problems
            .iter()
            .find(|p| p.field.as_deref() == Some(field))
            .map(|p| &p.message)
    }

    /// Every problem, one per line, then the usage line, in `locale`.
    pub fn render(&self, locale: Locale) -> String {
        let mut out = String::new();
        for p in &self.problems {
            let message = p.message.render(locale);
            match &p.field {
                Some(field) => out.push_str(&t!(
                    locale,
                    "parse-field-problem",
                    field = field,
                    problem = message
                )),
                None => out.push_str(&message),
            }
            out.push('\n');
        }
        out.push_str(&t!(locale, "parse-usage", usage = self.usage));
        out
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Locale::En))
    }
}

impl std::error::Error for ParseError {}

/// Parses the text after `/privatelink` (a leading `/privatelink` is
/// tolerated, so console lines can be pasted from chat).
pub fn parse(text: &str) -> Result<Command, ParseError> {
    let mut words = tokenize(text);
    if words.first().map(String::as_str) == Some("/privatelink") {
        words.remove(0);
    }
    let Some((verb, args)) = words.split_first() else {
        return Err(ParseError::single(
            None,
            text!("parse-no-command"),
            USAGE_ANY,
        ));
    };
    match verb.to_ascii_lowercase().as_str() {
        "create" => parse_create(args, USAGE_CREATE).map(Command::Create),
        "plan" => parse_create(args, USAGE_PLAN).map(Command::Plan),
        "status" => parse_job(args, USAGE_STATUS).map(Command::Status),
        "verify" => parse_job(args, USAGE_VERIFY).map(Command::Verify),
        "cancel" => parse_job(args, USAGE_CANCEL).map(Command::Cancel),
        "retry" => parse_job(args, USAGE_RETRY).map(Command::Retry),
        "rollback" => parse_job(args, USAGE_ROLLBACK).map(Command::Rollback),
        "delete" => parse_job(args, USAGE_DELETE).map(Command::Delete),
        "export" => parse_job(args, USAGE_EXPORT).map(Command::Export),
        "adopt" => parse_job(args, USAGE_ADOPT).map(Command::Adopt),
        "policy" => parse_policy(args).map(Command::Policy),
        "sandbox" => parse_sandbox(args).map(Command::Sandbox),
        "list" => parse_list(args),
        "help" => match args {
            [] => Ok(Command::Help(None)),
            [topic] => {
                let topic = topic.to_ascii_lowercase();
                if SUBCOMMANDS.iter().any(|(name, _, _)| *name == topic) {
                    Ok(Command::Help(Some(topic)))
                } else {
                    Err(ParseError::single(
                        None,
                        text!("parse-no-such-help", topic = format!("{topic:?}")),
                        USAGE_HELP,
                    ))
                }
            }
            _ => Err(ParseError::single(
                None,
                text!("parse-help-one-topic"),
                USAGE_HELP,
            )),
        },
        other => Err(ParseError::single(
            None,
            text!("parse-unknown-command", command = format!("{other:?}")),
            USAGE_ANY,
        )),
    }
}

/// Splits on white space, re-joining list values written with a space after
/// a comma (`subnets=a, b`), which people type and chat clients produce.
fn tokenize(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        let word = word.replace(['“', '”'], "\"");
        let word = word.trim_matches('"');
        match out.last_mut() {
            Some(prev) if prev.ends_with(',') && !word.starts_with("--") && !word.contains('=') => {
                prev.push_str(word)
            }
            Some(prev) if word.starts_with(',') => prev.push_str(word),
            _ => out.push(word.to_owned()),
        }
    }
    out
}

fn parse_job(args: &[String], usage: &'static str) -> Result<JobId, ParseError> {
    match args {
        [] => Err(ParseError::single(
            Some("job"),
            text!("parse-job-required"),
            usage,
        )),
        [id] => JobId::parse(id).map_err(|e| ParseError::single(Some("job"), e.text(), usage)),
        _ => Err(ParseError::single(
            Some("job"),
            text!("parse-one-job"),
            usage,
        )),
    }
}

/// What `policy` asks about; each part told by its form (`slack:C…`, twelve
/// digits, `aws-…`, `proj-…`), with or without its `name=`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyQuery {
    pub channel: Option<crate::domain::rules::ChannelMatch>,
    pub account: Option<crate::domain::ids::AccountId>,
    pub region: Option<ZillizRegion>,
    pub project: Option<ProjectId>,
}

fn parse_policy(args: &[String]) -> Result<PolicyQuery, ParseError> {
    let mut q = PolicyQuery::default();
    for arg in args {
        let value = ["channel=", "account=", "region=", "project="]
            .iter()
            .find_map(|k| arg.strip_prefix(k))
            .unwrap_or(arg);
        if let Ok(a) = crate::domain::ids::AccountId::parse(value) {
            q.account = Some(a);
        } else if let Ok(p) = ProjectId::parse(value) {
            q.project = Some(p);
        } else if let Ok(r) = ZillizRegion::parse(value) {
            q.region = Some(r);
        } else if let Ok(c) = crate::domain::rules::ChannelMatch::parse(value) {
            q.channel = Some(c);
        } else {
            return Err(ParseError::single(
                None,
                text!("parse-bad-policy-part", part = format!("{value:?}")),
                USAGE_POLICY,
            ));
        }
    }
    Ok(q)
}

fn parse_sandbox(args: &[String]) -> Result<super::sandbox::SandboxAsk, ParseError> {
    use super::sandbox::{SandboxAsk, Scenario};
    let words: Vec<String> = args.iter().map(|a| a.to_ascii_lowercase()).collect();
    let names = || {
        Scenario::ALL
            .iter()
            .map(|s| s.name())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match words
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] | ["show"] => Ok(SandboxAsk::Show),
        ["reset"] => Ok(SandboxAsk::Reset),
        ["scenarios"] | ["scenario"] => Ok(SandboxAsk::Scenarios),
        // Discord's form may give the scenario without the word.
        [name] if Scenario::parse(name).is_some() => {
            Ok(Scenario::parse(name).map_or(SandboxAsk::Scenarios, SandboxAsk::Scenario))
        }
        ["scenario", name] => Scenario::parse(name)
            .map(SandboxAsk::Scenario)
            .ok_or_else(|| {
                ParseError::single(
                    Some("scenario"),
                    text!(
                        "parse-no-such-scenario",
                        scenario = format!("{name:?}"),
                        names = names()
                    ),
                    USAGE_SANDBOX,
                )
            }),
        _ => Err(ParseError::single(
            None,
            text!("parse-bad-sandbox", names = names()),
            USAGE_SANDBOX,
        )),
    }
}

fn parse_list(args: &[String]) -> Result<Command, ParseError> {
    let filter = match args {
        [] => ListFilter::Mine,
        [f] => match f.to_ascii_lowercase().as_str() {
            "mine" => ListFilter::Mine,
            "pending" => ListFilter::Pending,
            "running" => ListFilter::Running,
            "failed" => ListFilter::Failed,
            "drifted" => ListFilter::Drifted,
            "all" => ListFilter::All,
            other => {
                return Err(ParseError::single(
                    Some("filter"),
                    text!("parse-bad-filter", filter = format!("{other:?}")),
                    USAGE_LIST,
                ));
            }
        },
        _ => {
            return Err(ParseError::single(
                Some("filter"),
                text!("parse-one-filter"),
                USAGE_LIST,
            ));
        }
    };
    Ok(Command::List(filter))
}

#[cfg(test)]
pub(crate) mod tests;
