//! `create` and `plan`'s arguments: `key=value` pairs (with the aliases of
//! `domain::field`) turned into a typed request, every problem named at
//! once.

use std::collections::BTreeMap;

use super::{CreateRequest, MAX_LIST_ITEMS, ParseError, Problem};
use crate::domain::field::Field;
use crate::domain::ids::{
    ClusterId, IdError, ProjectId, RoleArn, SecurityGroupId, SubnetId, VpcId, ZillizRegion,
};
use crate::text;

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

pub(super) fn parse_create(
    args: &[String],
    usage: &'static str,
) -> Result<CreateRequest, ParseError> {
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

    let p = &mut problems;
    let project = single(Field::Project.name(), project, ProjectId::parse, p);
    let region = single(Field::Region.name(), region, ZillizRegion::parse, p);
    let vpc = single(Field::Vpc.name(), vpc, VpcId::parse, p);
    let subnets = list(Field::Subnets.name(), subnets, SubnetId::parse, p);
    let security_groups = list(Field::SecurityGroups.name(), sgs, SecurityGroupId::parse, p);
    let clusters = list(Field::Clusters.name(), clusters, ClusterId::parse, p);
    let role = single(Field::Role.name(), role, RoleArn::parse, p);

    if let (Some(role), Some(region)) = (&role, &region) {
        problems.extend(partition_mismatch(role, region));
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

/// One id in `field`, its problem noted.
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

/// A comma-separated list of ids in `field`: no empty item, none twice,
/// at most `MAX_LIST_ITEMS`; each problem noted.
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

/// A role in one AWS partition cannot be assumed for a region in another.
fn partition_mismatch(role: &RoleArn, region: &ZillizRegion) -> Option<Problem> {
    let (rp, zp) = (role.partition(), region.aws_region().partition());
    (rp != zp).then(|| Problem {
        field: Some(Field::Role.name().to_owned()),
        message: text!(
            "parse-partition-mismatch",
            role_partition = rp.as_str(),
            region = region,
            region_partition = zp.as_str(),
        ),
    })
}
