//! The DNS steps: ensure a private hosted zone per private link host,
//! associated with the VPC; UPSERT the alias record to the endpoint; and
//! verify the end state.

use crate::domain::ids::VpcId;
use crate::domain::job::{ClusterDns, Job, Origin, Resources, Step};
use crate::domain::ownership::Resource;
use crate::i18n::{Arg, Text};
use crate::ports::cloud::{AliasTarget, AwsTarget, EndpointState, ErrorKind, ZoneInfo};
use crate::text;

use super::super::{Inner, StepError};
use super::{Waited, caller_reference_prefix, err};

impl Inner {
    pub(super) async fn ensure_zones(
        &self,
        job: &Job,
        res: &mut Resources,
    ) -> Result<Text, StepError> {
        let aws = self.aws(job).await?;
        let mut lines = Vec::new();
        for c in res.clusters.iter_mut() {
            lines.push(self.ensure_zone(job, &aws, c).await?);
        }
        Ok(Text::list(lines))
    }

    /// One cluster's zone: found (looked up by name and VPC every time: the
    /// recorded id alone would miss a zone made just before a crash) or
    /// made, and recorded on `c`; what the thread says of it.
    async fn ensure_zone(
        &self,
        job: &Job,
        aws: &AwsTarget,
        c: &mut ClusterDns,
    ) -> Result<Text, StepError> {
        let (r, prefix) = (job.request(), caller_reference_prefix(job.id()));
        let mut zones = aws
            .dns
            .private_zones(&c.host, &r.vpc, &r.region.aws_region())
            .await
            .map_err(err("err-list-zones"))?;
        if self.reattached(aws, c, &zones, job).await? {
            zones = aws
                .dns
                .private_zones(&c.host, &r.vpc, &r.region.aws_region())
                .await
                .map_err(err("err-list-zones"))?;
        }
        let (zone, origin, verb) = match the_zone(&zones, c, &r.vpc, &prefix)? {
            Some(z) => {
                let origin = origin_of(&z, &prefix);
                (z, origin, "detail-zone-found")
            }
            None => self.create_zone(job, aws, c, &prefix).await?,
        };
        let line = Text::new(
            verb,
            vec![
                ("zone".to_owned(), Arg::Text(zone.id.to_string())),
                ("host".to_owned(), Arg::Text(c.host.clone())),
            ],
        );
        let line = match origin {
            Origin::Created => line,
            Origin::Adopted => text!(
                "detail-with-owner",
                detail = line,
                owner = self.owner_of(&Resource::Zone(zone.id.clone())).await?
            ),
        };
        c.zone_id = Some(zone.id);
        c.zone_origin = Some(origin);
        Ok(line)
    }

    /// Associates the VPC again with the zone the job made and recorded,
    /// when someone detached it (a repair): the records in it stay as
    /// they were, where a new zone would start empty. Whether it did; a
    /// zone gone meanwhile, or another zone of the name now answering in
    /// the VPC, leaves the choice to the usual ensure.
    async fn reattached(
        &self,
        aws: &AwsTarget,
        c: &ClusterDns,
        zones: &[ZoneInfo],
        job: &Job,
    ) -> Result<bool, StepError> {
        let Some(recorded) = c.zone_id.as_ref() else {
            return Ok(false);
        };
        if c.zone_origin != Some(Origin::Created) || zones.iter().any(|z| z.id == *recorded) {
            return Ok(false);
        }
        let r = job.request();
        match aws
            .dns
            .associate_zone(recorded, &r.vpc, &r.region.aws_region())
            .await
        {
            Ok(()) => Ok(true),
            Err(e) if matches!(e.kind, ErrorKind::NotFound | ErrorKind::Conflict) => Ok(false),
            Err(e) => Err(StepError::call(
                text!("err-associate-zone", zone = recorded),
                e,
            )),
        }
    }

    /// Makes the cluster's zone. A conflict says such a zone exists now
    /// (made meanwhile, or by this very call before a lost answer): look
    /// again rather than fail or repeat.
    async fn create_zone(
        &self,
        job: &Job,
        aws: &AwsTarget,
        c: &ClusterDns,
        prefix: &str,
    ) -> Result<(ZoneInfo, Origin, &'static str), StepError> {
        let (r, region) = (job.request(), job.request().region.aws_region());
        // Unique per attempt: AWS refuses a reused reference even after the
        // zone is gone (a retry after a rollback).
        // The job's version too: two attempts in one millisecond (or
        // under a clock that stands still) still differ.
        let reference = format!("{prefix}{}/{}-v{}", c.cluster, self.now(), job.version());
        let comment = format!("privatelink-bot {} for {}", job.id(), c.cluster);
        let e = match aws
            .dns
            .create_private_zone(&c.host, &r.vpc, &region, &reference, &comment)
            .await
        {
            Ok(z) => return Ok((z, Origin::Created, "detail-zone-created")),
            Err(e) if e.kind == ErrorKind::Conflict => e,
            Err(e) => return Err(StepError::call(text!("err-create-zone"), e)),
        };
        let again = aws
            .dns
            .private_zones(&c.host, &r.vpc, &region)
            .await
            .map_err(err("err-list-zones"))?;
        let [z] = again.as_slice() else {
            let context = if e.has_code("ConflictingDomainExists") {
                text!("err-zone-conflict-hidden", host = c.host, vpc = r.vpc)
            } else {
                text!("err-create-zone")
            };
            return Err(StepError::call(context, e));
        };
        Ok((z.clone(), origin_of(z, prefix), "detail-zone-found"))
    }

    pub(super) fn alias_target(res: &Resources) -> Result<AliasTarget, StepError> {
        let e = res
            .endpoint
            .as_ref()
            .ok_or_else(|| StepError::from(text!("err-no-endpoint")))?;
        match (&e.dns_name, &e.hosted_zone_id) {
            (Some(dns_name), Some(hosted_zone_id)) => Ok(AliasTarget {
                dns_name: dns_name.clone(),
                hosted_zone_id: hosted_zone_id.clone(),
                evaluate_target_health: false,
            }),
            _ => Err(text!("err-no-dns-name", endpoint = e.id).into()),
        }
    }

    pub(super) async fn upsert_records(
        &self,
        job: &Job,
        res: &mut Resources,
    ) -> Result<Text, StepError> {
        let aws = self.aws(job).await?;
        let target = Self::alias_target(res)?;
        let mut lines = Vec::new();
        let mut changes = Vec::new();
        for c in res.clusters.iter_mut() {
            let zone = c
                .zone_id
                .clone()
                .ok_or_else(|| text!("err-no-zone-recorded", cluster = c.cluster))?;
            let change = aws
                .dns
                .upsert_alias(&zone, &c.host, &target)
                .await
                .map_err(err("err-upsert-record"))?;
            changes.push(change);
            c.record = true;
            lines.push(text!(
                "detail-record",
                host = c.host,
                target = target.dns_name
            ));
        }
        // Done only once every Route 53 server answers with the records:
        // until then a client may still resolve the public address. After
        // a crash here the step runs again: the UPSERTs repeat harmlessly
        // and give new changes to wait on.
        let dns = &aws.dns;
        for change in &changes {
            let what = text!("wait-dns-in-sync", change = change);
            self.wait_for(job, Step::UpsertRecords, &what, move || {
                Box::pin(async move {
                    Ok(
                        if dns
                            .change_in_sync(change)
                            .await
                            .map_err(err("err-read-change"))?
                        {
                            Waited::Done(())
                        } else {
                            Waited::Still(text!("wait-dns-pending"))
                        },
                    )
                })
            })
            .await?;
        }
        Ok(Text::list(lines))
    }

    pub(super) async fn verify(&self, job: &Job, res: &Resources) -> Result<Text, StepError> {
        let aws = self.aws(job).await?;
        let id = Self::endpoint_id(res)?;
        let e = aws
            .network
            .endpoint(id)
            .await
            .map_err(err("err-describe-endpoint"))?
            .ok_or_else(|| text!("err-endpoint-gone", endpoint = id))?;
        if e.state != EndpointState::Available {
            return Err(text!(
                "err-endpoint-not-available",
                endpoint = id,
                state = e.state.as_str()
            )
            .into());
        }
        let target = Self::alias_target(res)?;
        let region = job.request().region.aws_region();
        for c in &res.clusters {
            let associated = match &c.zone_id {
                Some(zone) => aws
                    .dns
                    .private_zones(&c.host, &job.request().vpc, &region)
                    .await
                    .map_err(err("err-list-zones"))?
                    .iter()
                    .find(|z| z.id == *zone)
                    .map(|z| z.id.clone()),
                None => None,
            };
            let Some(zone) = associated else {
                return Err(text!(
                    "err-zone-not-associated",
                    zone = c.zone_id.as_ref().map_or("-", |z| z.as_str()),
                    host = c.host,
                    vpc = job.request().vpc
                )
                .into());
            };
            let record = aws
                .dns
                .alias_record(&zone, &c.host)
                .await
                .map_err(err("err-read-record"))?;
            let points_right = record.is_some_and(|a| {
                a.dns_name
                    .trim_end_matches('.')
                    .eq_ignore_ascii_case(target.dns_name.trim_end_matches('.'))
            });
            if !points_right {
                return Err(
                    text!("err-record-wrong", host = c.host, target = target.dns_name).into(),
                );
            }
        }
        Ok(text!(
            "detail-verified",
            endpoint = id,
            count = res.clusters.len()
        ))
    }
}

/// Which of the zones named after the cluster's host in the VPC is the
/// job's: the zone it recorded, else one it made (its reference prefix),
/// else the one zone of that name the VPC already resolves through (AWS
/// allows only one), whose owner the thread names. Never a guess among
/// several; none means one is to be made.
fn the_zone(
    zones: &[ZoneInfo],
    c: &ClusterDns,
    vpc: &VpcId,
    prefix: &str,
) -> Result<Option<ZoneInfo>, StepError> {
    // A zone of that name owned by another account or an AWS service
    // already answers for the host in this VPC (AWS allows one): the bot
    // may not write into it, nor add its own beside it. Its owner is
    // named; it is never touched.
    if let Some(z) = zones.iter().find(|z| z.foreign_owner.is_some()) {
        return Err(text!(
            "err-zone-foreign",
            zone = z.id,
            host = c.host,
            vpc = vpc,
            owner = z.foreign_owner.clone().unwrap_or_default()
        )
        .into());
    }
    let recorded = zones.iter().find(|z| Some(&z.id) == c.zone_id.as_ref());
    let ours = zones
        .iter()
        .find(|z| z.caller_reference.starts_with(prefix));
    match (recorded.or(ours), zones) {
        (Some(z), _) => Ok(Some(z.clone())),
        (None, []) => Ok(None),
        (None, [only]) => Ok(Some(only.clone())),
        (None, several) => {
            let ids: Vec<&str> = several.iter().map(|z| z.id.as_str()).collect();
            Err(text!(
                "err-several-zones",
                count = several.len(),
                host = c.host,
                vpc = vpc,
                zones = ids.join(", ")
            )
            .into())
        }
    }
}

/// Made by the bot (its reference prefix) or found and adopted.
fn origin_of(zone: &ZoneInfo, prefix: &str) -> Origin {
    if zone.caller_reference.starts_with(prefix) {
        Origin::Created
    } else {
        Origin::Adopted
    }
}
