//! What a job made, as Terraform: `import` blocks with the ids each
//! resource type documents, and resource blocks written from the job's
//! record that reference each other (record → zone → endpoint), so that
//! the first plan after import has nothing to change. What the job only
//! uses (another job's endpoint or zone) is a data source, named with who
//! made it; the Zilliz registration, which the provider cannot import, is
//! shown commented out beside a `check` that asserts it through the
//! provider's data source. Pure: the job, and who made each resource.

use super::hcl::{Block, Body, Expr, Item, name};
use crate::domain::ids::{JobId, ZoneId};
use crate::domain::job::{ClusterDns, EndpointRecord, Job, Origin};
use crate::domain::ownership::Resource;

/// The tag the bot puts on every endpoint it makes (`ports::cloud`).
const JOB_TAG: &str = "privatelink-bot:job";

/// An export: the file's name and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    pub file_name: String,
    pub text: String,
}

/// Why a job cannot be exported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotExportable {
    /// It made no link (yet, or any more).
    NoLink(JobId),
}

/// Which job made each resource, by `Resource::key` (the owners table, as
/// `Store::makers` reads it); absent when the bot did not.
pub type Makers = std::collections::BTreeMap<String, JobId>;

/// The Terraform for `job`, naming from `makers` who made what it only
/// uses.
pub fn export(job: &Job, makers: &Makers) -> Result<Export, NotExportable> {
    let made_by = |r: &Resource| makers.get(&r.key()).copied();
    let made_by: &dyn Fn(&Resource) -> Option<JobId> = &made_by;
    let id = job.id();
    let res = job.resources();
    let endpoint = res.endpoint.as_ref().ok_or(NotExportable::NoLink(id))?;
    let me = name(&[&id.to_string()]);
    let mut body = Body::default();
    body = body.comment(&format!(
        "Exported by privatelink-bot from {id}: what it made, as Terraform.\nThe import blocks adopt the existing resources into your state (Terraform 1.5 or later):\n`terraform plan` should show the imports and no change."
    ));
    body.push(Item::Blank);
    body = body.block(settings());
    body = body.block(aws_provider(job));
    body = body
        .comment("The Zilliz Cloud provider reads its API key from ZILLIZCLOUD_API_KEY.")
        .block(Block::new("provider", &["zillizcloud"]));
    let ep = endpoint_blocks(job, endpoint, &me, made_by, &mut body);
    for c in &res.clusters {
        cluster_blocks(job, c, &ep, &me, made_by, &mut body);
    }
    zilliz_blocks(job, endpoint, &ep, &me, &mut body);
    Ok(Export {
        file_name: format!("privatelink-{}.tf", id.to_string().to_ascii_lowercase()),
        text: body.to_file(),
    })
}

fn settings() -> Block {
    let provider = |source: &str, version: &str| {
        Expr::Object(vec![
            ("source".into(), Expr::str(source)),
            ("version".into(), Expr::str(version)),
        ])
    };
    Block::new("terraform", &[])
        .attr("required_version", Expr::str(">= 1.5.0"))
        .block(
            Block::new("required_providers", &[])
                .attr("aws", provider("hashicorp/aws", ">= 5.0"))
                .attr("zillizcloud", provider("zilliztech/zillizcloud", ">= 0.6")),
        )
}

fn aws_provider(job: &Job) -> Block {
    let r = job.request();
    let region = r.region.aws_region();
    let mut block = Block::new("provider", &["aws"]).attr("region", Expr::str(region.as_str()));
    if region.partition().as_str() != "aws" {
        block = block.comment(&format!(
            "Partition {}: credentials for that partition are needed.",
            region.partition().as_str()
        ));
    }
    if let Some(role) = &r.role {
        block = block
            .comment("The role the job acted as.")
            .block(Block::new("assume_role", &[]).attr("role_arn", Expr::str(role.to_string())));
    }
    block
}

fn import(to: Expr, id: &str) -> Block {
    Block::new("import", &[])
        .attr("to", to)
        .attr("id", Expr::str(id))
}

/// Who made a resource this job only uses, in words for a comment.
fn maker(made_by: &dyn Fn(&Resource) -> Option<JobId>, resource: &Resource) -> String {
    match made_by(resource) {
        Some(job) => format!("made by {job}; export {job} to manage it"),
        None => "not made by privatelink-bot".to_owned(),
    }
}

/// The endpoint: imported and declared when the job made it, read as a
/// data source when it only uses it. Its reference.
fn endpoint_blocks(
    job: &Job,
    e: &EndpointRecord,
    me: &str,
    made_by: &dyn Fn(&Resource) -> Option<JobId>,
    body: &mut Body,
) -> Expr {
    let r = job.request();
    let n = format!("{me}_endpoint");
    if e.origin == Origin::Adopted {
        let why = maker(made_by, &Resource::Endpoint(e.id.clone()));
        *body = std::mem::take(body)
            .comment(&format!("The VPC endpoint {} ({why}).", e.id))
            .block(
                Block::new("data", &["aws_vpc_endpoint", &n]).attr("id", Expr::str(e.id.as_str())),
            );
        return Expr::path(&["data", "aws_vpc_endpoint", &n]);
    }
    let reference = Expr::path(&["aws_vpc_endpoint", &n]);
    let strings = |items: &[String]| Expr::List(items.iter().map(Expr::str).collect());
    let subnets: Vec<String> = r.subnets.iter().map(ToString::to_string).collect();
    let groups: Vec<String> = r.security_groups.iter().map(ToString::to_string).collect();
    let mut resource = Block::new("resource", &["aws_vpc_endpoint", &n])
        .attr("vpc_id", Expr::str(r.vpc.as_str()))
        .attr(
            "service_name",
            Expr::str(job.resources().endpoint_service.clone().unwrap_or_default()),
        )
        .attr("vpc_endpoint_type", Expr::str("Interface"))
        .attr("subnet_ids", strings(&subnets))
        .attr("security_group_ids", strings(&groups))
        .attr("private_dns_enabled", Expr::Bool(false));
    resource.body.push(Item::Blank);
    resource = resource.attr(
        "tags",
        Expr::Object(vec![
            (JOB_TAG.into(), Expr::str(job.id().to_string())),
            (
                "Name".into(),
                Expr::str(format!("zilliz-privatelink-{}", job.id())),
            ),
        ]),
    );
    *body = std::mem::take(body)
        .comment(&format!(
            "The VPC endpoint {id} to Zilliz Cloud's endpoint service.",
            id = e.id
        ))
        .block(import(reference.clone(), e.id.as_str()))
        .block(resource);
    reference
}

/// One cluster's zone and alias record.
fn cluster_blocks(
    job: &Job,
    c: &ClusterDns,
    endpoint: &Expr,
    me: &str,
    made_by: &dyn Fn(&Resource) -> Option<JobId>,
    body: &mut Body,
) {
    let Some(zone) = &c.zone_id else {
        return;
    };
    let n = name(&[me, c.cluster.as_str()]);
    let record = Resource::Record {
        zone: zone.clone(),
        host: c.host.clone(),
    };
    if !c.record || made_by(&record) != Some(job.id()) {
        // Neither the record nor, then, its zone is this job's to declare.
        let who = maker(made_by, &record);
        *body = std::mem::take(body).comment(&format!(
            "{}: the zone {zone} and its alias record {} ({who}).",
            c.cluster, c.host
        ));
        body.push(Item::Blank);
        return;
    }
    let zone_ref = zone_blocks(job, c, zone, endpoint, &n, made_by, body);
    let regional = endpoint.clone().dot("dns_entry").at(0);
    let reference = Expr::path(&["aws_route53_record", &n]);
    let resource = Block::new("resource", &["aws_route53_record", &n])
        .attr("zone_id", zone_ref.dot("zone_id"))
        .attr("name", Expr::str(c.host.as_str()))
        .attr("type", Expr::str("A"))
        .comment("AWS lists the endpoint's regional DNS entry first.")
        .block(
            Block::new("alias", &[])
                .attr("name", regional.clone().dot("dns_name"))
                .attr("zone_id", regional.dot("hosted_zone_id"))
                .attr("evaluate_target_health", Expr::Bool(false)),
        );
    *body = std::mem::take(body)
        .comment(&format!(
            "{}: the alias record sending {} to the endpoint.",
            c.cluster, c.host
        ))
        .block(import(reference, &format!("{zone}_{}_A", c.host)))
        .block(resource);
}

/// The zone: imported and declared (its VPC association inside it, the
/// one form) when the job made it, read as a data source otherwise. Its
/// reference.
fn zone_blocks(
    job: &Job,
    c: &ClusterDns,
    zone: &ZoneId,
    endpoint: &Expr,
    n: &str,
    made_by: &dyn Fn(&Resource) -> Option<JobId>,
    body: &mut Body,
) -> Expr {
    let resource = Resource::Zone(zone.clone());
    if c.zone_origin != Some(Origin::Created) {
        *body = std::mem::take(body)
            .comment(&format!(
                "{}: the private hosted zone {zone} for {} ({}).",
                c.cluster,
                c.host,
                maker(made_by, &resource)
            ))
            .block(
                Block::new("data", &["aws_route53_zone", n])
                    .attr("zone_id", Expr::str(zone.as_str()))
                    .attr("private_zone", Expr::Bool(true)),
            );
        return Expr::path(&["data", "aws_route53_zone", n]);
    }
    let reference = Expr::path(&["aws_route53_zone", n]);
    let r = job.request();
    let block = Block::new("resource", &["aws_route53_zone", n])
        .attr("name", Expr::str(c.host.as_str()))
        .attr(
            "comment",
            Expr::str(format!("privatelink-bot {} for {}", job.id(), c.cluster)),
        )
        .comment("The zone's one VPC association: never also an aws_route53_zone_association.")
        .block(
            Block::new("vpc", &[])
                .attr("vpc_id", endpoint.clone().dot("vpc_id"))
                .attr("vpc_region", Expr::str(r.region.aws_region().as_str())),
        );
    *body = std::mem::take(body)
        .comment(&format!(
            "{}: the private hosted zone for {}.",
            c.cluster, c.host
        ))
        .block(import(reference.clone(), zone.as_str()))
        .block(block);
    reference
}

/// The Zilliz side: the registration shown commented out (the provider
/// cannot import it), a check that it exists, and the whitelist in words.
fn zilliz_blocks(job: &Job, e: &EndpointRecord, endpoint: &Expr, me: &str, body: &mut Body) {
    let r = job.request();
    let registration = Block::new(
        "resource",
        &[
            "zillizcloud_private_endpoint",
            &format!("{me}_registration"),
        ],
    )
    .attr("project_id", Expr::str(r.project.as_str()))
    .attr("region_id", Expr::str(r.region.as_str()))
    .attr("endpoint_id", endpoint.clone().dot("id"));
    let data = format!("{me}_endpoints");
    let listed = Expr::path(&["data", "zillizcloud_private_endpoints", &data, "endpoints"]);
    let check = Block::new("check", &[&format!("{me}_registration")])
        .block(
            Block::new("data", &["zillizcloud_private_endpoints", &data])
                .attr("project_id", Expr::str(r.project.as_str()))
                .attr("page_size", Expr::Num(100)),
        )
        .block(
            Block::new("assert", &[])
                .attr(
                    "condition",
                    Expr::Call(
                        "contains",
                        vec![
                            Expr::For {
                                var: "e".into(),
                                over: Box::new(listed),
                                value: Box::new(Expr::path(&["e", "endpoint_id"])),
                            },
                            endpoint.clone().dot("id"),
                        ],
                    ),
                )
                .attr(
                    "error_message",
                    Expr::str(format!(
                        "{} is no longer registered with Zilliz Cloud project {}.",
                        e.id, r.project
                    )),
                ),
        );
    let mut tail = std::mem::take(body)
        .comment(&format!(
            "Zilliz Cloud: {} is registered with project {} ({}).\nzillizcloud_private_endpoint has no import: declaring it would register the\nendpoint again, so it stays out of your state. For reference:",
            e.id, r.project, r.region
        ));
    tail.push(Item::Commented(registration.commented_out()));
    tail = tail
        .comment("The registration is checked on every plan instead.")
        .block(check);
    if job.resources().whitelist_required {
        tail.push(Item::Blank);
        let account = job.account().map(ToString::to_string).unwrap_or_default();
        tail = tail.comment(&format!(
            "The endpoint service admits only allowed accounts: the job allowed AWS account\n{account} into project {} ({}).\nzillizcloud_private_endpoint_whitelist cannot read it back (its Read is a no-op),\nso it is not declared here.",
            r.project, r.region
        ));
    }
    *body = tail;
}
