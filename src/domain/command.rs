//! The `/privatelink` command grammar, shared by every chat platform and the
//! console. Pure: text in, a typed [`Command`] or a [`ParseError`] out.
//!
//! Arguments may be written `key=value`, `--key value` or `--key=value`; list
//! values are comma separated. Every problem found is reported at once, each
//! naming its field, so a person fixes a command in one go.

use super::field::Field;
use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::i18n::{Locale, Text};
use crate::{t, text};

use super::help::{
    SUBCOMMANDS, USAGE_ANY, USAGE_CANCEL, USAGE_CREATE, USAGE_DELETE, USAGE_HELP, USAGE_LIST,
    USAGE_PLAN, USAGE_RETRY, USAGE_ROLLBACK, USAGE_STATUS,
};
use super::ids::{
    ClusterId, IdError, JobId, ProjectId, RoleArn, SecurityGroupId, SubnetId, VpcId, ZillizRegion,
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
    All,
}

/// A command someone typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Create(CreateRequest),
    Plan(CreateRequest),
    Status(JobId),
    List(ListFilter),
    Cancel(JobId),
    Retry(JobId),
    Rollback(JobId),
    Delete(JobId),
    Help(Option<String>),
}

impl Command {
    /// The command's name, as typed: `create`, `status`, …
    pub fn kind(&self) -> &'static str {
        match self {
            Command::Create(_) => "create",
            Command::Plan(_) => "plan",
            Command::Status(_) => "status",
            Command::List(_) => "list",
            Command::Cancel(_) => "cancel",
            Command::Retry(_) => "retry",
            Command::Rollback(_) => "rollback",
            Command::Delete(_) => "delete",
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
        "cancel" => parse_job(args, USAGE_CANCEL).map(Command::Cancel),
        "retry" => parse_job(args, USAGE_RETRY).map(Command::Retry),
        "rollback" => parse_job(args, USAGE_ROLLBACK).map(Command::Rollback),
        "delete" => parse_job(args, USAGE_DELETE).map(Command::Delete),
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

fn parse_list(args: &[String]) -> Result<Command, ParseError> {
    let filter = match args {
        [] => ListFilter::Mine,
        [f] => match f.to_ascii_lowercase().as_str() {
            "mine" => ListFilter::Mine,
            "pending" => ListFilter::Pending,
            "running" => ListFilter::Running,
            "failed" => ListFilter::Failed,
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

/// The keys `create` and `plan` take, with the aliases people reach for.
fn canonical_key(key: &str) -> Option<&'static str> {
    Field::from_key(key).map(Field::name)
}

/// Collects `key=value` / `--key value` pairs, reporting malformed words,
/// unknown keys and keys given twice.
fn collect_pairs<'a>(
    args: &'a [String],
    problems: &mut Vec<Problem>,
) -> BTreeMap<&'static str, &'a str> {
    let mut pairs = BTreeMap::new();
    let mut i = 0;
    while i < args.len() {
        let word = args[i].as_str();
        i += 1;
        let (key, value) = if let Some(flag) = word.strip_prefix("--") {
            match flag.split_once('=') {
                Some((k, v)) => (k, v),
                None => match args.get(i) {
                    Some(v) if !v.starts_with("--") => {
                        i += 1;
                        (flag, v.as_str())
                    }
                    _ => (flag, ""),
                },
            }
        } else if let Some((k, v)) = word.split_once('=') {
            (k, v)
        } else {
            problems.push(Problem {
                field: None,
                message: text!("parse-not-an-argument", word = format!("{word:?}")),
            });
            continue;
        };
        let lower = key.to_ascii_lowercase();
        let Some(canonical) = canonical_key(&lower) else {
            problems.push(Problem {
                field: Some(key.to_owned()),
                message: text!("parse-unknown-key", key = format!("{key:?}")),
            });
            continue;
        };
        if pairs.insert(canonical, value).is_some() {
            problems.push(Problem {
                field: Some(canonical.to_owned()),
                message: text!("parse-given-twice"),
            });
        }
    }
    pairs
}

fn parse_create(args: &[String], usage: &'static str) -> Result<CreateRequest, ParseError> {
    let mut problems = Vec::new();
    let pairs = collect_pairs(args, &mut problems);

    let mut one = |field: &'static str, required: bool| -> Option<&str> {
        match pairs.get(field) {
            None if required => {
                problems.push(Problem {
                    field: Some(field.to_owned()),
                    message: text!("parse-required"),
                });
                None
            }
            None => None,
            Some(v) if v.trim().is_empty() => {
                problems.push(Problem {
                    field: Some(field.to_owned()),
                    message: text!("parse-empty-value"),
                });
                None
            }
            Some(v) => Some(v.trim()),
        }
    };
    let mut field = |f: Field| one(f.name(), f.required());
    let project = field(Field::Project);
    let region = field(Field::Region);
    let vpc = field(Field::Vpc);
    let subnets = field(Field::Subnets);
    let sgs = field(Field::SecurityGroups);
    let clusters = field(Field::Clusters);
    let role = field(Field::Role);

    fn single<T>(
        field: &str,
        value: Option<&str>,
        parse: fn(&str) -> Result<T, IdError>,
        problems: &mut Vec<Problem>,
    ) -> Option<T> {
        let value = value?;
        parse(value)
            .map_err(|e| {
                problems.push(Problem {
                    field: Some(field.to_owned()),
                    message: e.text(),
                })
            })
            .ok()
    }

    fn list<T: PartialEq>(
        field: &str,
        value: Option<&str>,
        parse: fn(&str) -> Result<T, IdError>,
        problems: &mut Vec<Problem>,
    ) -> Option<Vec<T>> {
        let value = value?;
        let mut items = Vec::new();
        let mut ok = true;
        for raw in value.split(',').map(str::trim) {
            if raw.is_empty() {
                problems.push(Problem {
                    field: Some(field.to_owned()),
                    message: text!("parse-empty-item", value = format!("{value:?}")),
                });
                ok = false;
                continue;
            }
            match parse(raw) {
                Ok(item) if items.contains(&item) => {
                    problems.push(Problem {
                        field: Some(field.to_owned()),
                        message: text!("parse-listed-twice", item = raw),
                    });
                    ok = false;
                }
                Ok(item) => items.push(item),
                Err(e) => {
                    problems.push(Problem {
                        field: Some(field.to_owned()),
                        message: e.text(),
                    });
                    ok = false;
                }
            }
        }
        if items.len() > MAX_LIST_ITEMS {
            problems.push(Problem {
                field: Some(field.to_owned()),
                message: text!(
                    "parse-too-many-items",
                    count = items.len(),
                    max = MAX_LIST_ITEMS
                ),
            });
            ok = false;
        }
        ok.then_some(items)
    }

    let p = &mut problems;
    let project = single(Field::Project.name(), project, ProjectId::parse, p);
    let region = single(Field::Region.name(), region, ZillizRegion::parse, p);
    let vpc = single(Field::Vpc.name(), vpc, VpcId::parse, p);
    let subnets = list(Field::Subnets.name(), subnets, SubnetId::parse, p);
    let security_groups = list(Field::SecurityGroups.name(), sgs, SecurityGroupId::parse, p);
    let clusters = list(Field::Clusters.name(), clusters, ClusterId::parse, p);
    let role = single(Field::Role.name(), role, RoleArn::parse, p);

    if let (Some(role), Some(region)) = (&role, &region) {
        let (rp, zp) = (role.partition(), region.aws_region().partition());
        if rp != zp {
            problems.push(Problem {
                field: Some(Field::Role.name().to_owned()),
                message: text!(
                    "parse-partition-mismatch",
                    role_partition = rp.as_str(),
                    region = region,
                    region_partition = zp.as_str(),
                ),
            });
        }
    }

    match (project, region, vpc, subnets, security_groups, clusters) {
        (
            Some(project),
            Some(region),
            Some(vpc),
            Some(subnets),
            Some(security_groups),
            Some(clusters),
        ) if problems.is_empty() => Ok(CreateRequest {
            project,
            region,
            vpc,
            subnets,
            security_groups,
            clusters,
            role,
        }),
        _ => Err(ParseError { problems, usage }),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use proptest::prelude::*;

    /// Requests the grammar accepts: valid ids, distinct list items, a role
    /// (sometimes) in the region's partition.
    pub(crate) fn valid_request() -> impl Strategy<Value = CreateRequest> {
        let hex = |n: usize| proptest::string::string_regex(&format!("[0-9a-f]{{{n}}}")).unwrap();
        let ec2 = move |prefix: &'static str| {
            prop_oneof![hex(8), hex(17)].prop_map(move |h| format!("{prefix}-{h}"))
        };
        let distinct = |s: BoxedStrategy<String>| {
            proptest::collection::btree_set(s, 1..4)
                .prop_map(|set| set.into_iter().collect::<Vec<_>>())
        };
        (
            "proj-[a-z0-9]{1,20}",
            prop_oneof![
                Just("us-west-2"),
                Just("eu-central-1"),
                Just("cn-northwest-1"),
                Just("us-gov-west-1")
            ],
            ec2("vpc"),
            distinct(ec2("subnet").boxed()),
            distinct(ec2("sg").boxed()),
            distinct("[a-z]{2}[0-9]{2}-[a-z0-9]{1,20}".boxed()),
            proptest::option::of("[A-Za-z0-9+=,.@_-]{1,30}"),
        )
            .prop_map(|(project, region, vpc, subnets, sgs, clusters, role)| {
                let partition = if region.starts_with("cn-") {
                    "aws-cn"
                } else {
                    "aws"
                };
                CreateRequest {
                    project: ProjectId::parse(&project).unwrap(),
                    region: ZillizRegion::parse(&format!("aws-{region}")).unwrap(),
                    vpc: VpcId::parse(&vpc).unwrap(),
                    subnets: subnets
                        .iter()
                        .map(|s| SubnetId::parse(s).unwrap())
                        .collect(),
                    security_groups: sgs
                        .iter()
                        .map(|s| SecurityGroupId::parse(s).unwrap())
                        .collect(),
                    clusters: clusters
                        .iter()
                        .map(|c| ClusterId::parse(c).unwrap())
                        .collect(),
                    role: role.map(|name| {
                        RoleArn::parse(&format!("arn:{partition}:iam::123456789012:role/{name}"))
                            .unwrap()
                    }),
                }
            })
    }

    proptest! {
        /// The grammar answers any line, however odd, with a command or an
        /// error; it never panics.
        #[test]
        fn parsing_never_panics(line in "\\PC{0,120}") {
            // Nor does telling the problems, in either language.
            if let Err(e) = parse(&line) {
                for locale in crate::i18n::Locale::ALL {
                    prop_assert!(e.render(locale).contains("/privatelink"));
                }
            }
        }

        /// A valid request, written out, parses back to itself.
        #[test]
        fn a_valid_create_round_trips_through_its_rendering(r in valid_request()) {
            let line = format!("create {r}");
            prop_assert_eq!(parse(&line), Ok(Command::Create(r)), "{}", line);
        }

        /// Lines shaped like commands, with odd characters where ids go.
        #[test]
        fn command_shaped_lines_never_panic(
            verb in "(create|plan|status|list|cancel|retry|rollback|delete|help)",
            args in proptest::collection::vec("(project|region|vpc|subnets|sg|clusters|role)=[a-zé0-9,:/ -]{0,24}", 0..8),
        ) {
            if let Err(e) = parse(&format!("{verb} {}", args.join(" "))) {
                for locale in crate::i18n::Locale::ALL {
                    prop_assert!(!e.render(locale).is_empty());
                }
            }
        }
    }

    use super::*;

    const OK: &str = "create project=proj-abc123 region=aws-us-west-2 vpc=vpc-0123abcd subnets=subnet-0123abcd,subnet-4567abcd sg=sg-0123abcd clusters=in01-abc";

    #[test]
    fn parses_a_create_in_both_styles() {
        let Command::Create(a) = parse(OK).unwrap() else {
            panic!("not a create")
        };
        let b = parse("/privatelink create --project proj-abc123 --region aws-us-west-2 --vpc=vpc-0123abcd --subnets subnet-0123abcd, subnet-4567abcd --sg sg-0123abcd --clusters in01-abc").unwrap();
        assert_eq!(Command::Create(a.clone()), b);
        assert_eq!(a.subnets.len(), 2);
        assert_eq!(a.role, None);
    }

    #[test]
    fn reports_every_problem_with_its_field() {
        let err = parse("create project=proj-abc region=us-west-2 vpc=vpc-12 subnets=subnet-0123abcd,subnet-0123abcd sg= bogus=1").unwrap_err();
        for field in ["region", "vpc", "subnets", "sg", "bogus", "clusters"] {
            assert!(
                err.for_field(field).is_some(),
                "no problem for {field}: {err}"
            );
        }
        assert!(err.to_string().contains("Usage: /privatelink create"));
    }

    #[test]
    fn role_partition_must_match_region() {
        let err = parse(&format!("{OK} role=arn:aws-cn:iam::123456789012:role/bot")).unwrap_err();
        assert!(
            err.for_field("role")
                .unwrap()
                .render(Locale::En)
                .contains("partition")
        );
    }

    #[test]
    fn short_commands() {
        assert_eq!(
            parse("status pl-7").unwrap(),
            Command::Status(JobId::new(7))
        );
        assert_eq!(parse("list").unwrap(), Command::List(ListFilter::Mine));
        assert!(parse("list everything").is_err());
        assert!(parse("retry").is_err());
        assert_eq!(
            parse("help create").unwrap(),
            Command::Help(Some("create".into()))
        );
        assert!(parse("frobnicate").is_err());
        assert!(parse("").is_err());
    }
}
