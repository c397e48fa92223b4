//! The DNS steps: ensure a private hosted zone per private link host,
//! associated with the VPC; UPSERT the alias record to the endpoint; and
//! verify the end state.

use crate::domain::job::{Job, Origin, Resources};
use crate::domain::ownership::Resource;
use crate::ports::cloud::{AliasTarget, ErrorKind};

use super::super::{Inner, StepError};
use super::{caller_reference_prefix, err};

impl Inner {
    pub(super) async fn ensure_zones(
        &self,
        job: &Job,
        res: &mut Resources,
    ) -> Result<String, StepError> {
        let aws = self.aws(job).await?;
        let r = &job.request;
        let region = r.region.aws_region();
        let prefix = caller_reference_prefix(job.id);
        let mut lines = Vec::new();
        for c in res.clusters.iter_mut() {
            // Looked up by name and VPC every time: the recorded id alone
            // would miss a zone made just before a crash.
            let zones = aws
                .dns
                .private_zones(&c.host, &r.vpc, &region)
                .await
                .map_err(err("could not list hosted zones"))?;
            // The zone this job recorded, else one it made (its reference
            // prefix), else the one zone of that name this VPC already
            // resolves through (AWS allows only one), whose owner the
            // thread names. Never a guess among several.
            let recorded = zones.iter().find(|z| Some(&z.id) == c.zone_id.as_ref());
            let ours = zones
                .iter()
                .find(|z| z.caller_reference.starts_with(&prefix));
            let zone = match (recorded.or(ours), zones.as_slice()) {
                (Some(z), _) => Some(z.clone()),
                (None, []) => None,
                (None, [only]) => Some(only.clone()),
                (None, several) => {
                    let ids: Vec<&str> = several.iter().map(|z| z.id.as_str()).collect();
                    return Err(format!(
                        "{} private hosted zones named {} are associated with {} ({}); remove all but one",
                        several.len(),
                        c.host,
                        r.vpc,
                        ids.join(", ")
                    )
                    .into());
                }
            };
            let (zone, origin, verb) = match zone {
                Some(z) => {
                    let origin = if z.caller_reference.starts_with(&prefix) {
                        Origin::Created
                    } else {
                        Origin::Adopted
                    };
                    (z, origin, "found")
                }
                None => {
                    // Unique per attempt: AWS refuses a reused reference even
                    // after the zone is gone (a retry after a rollback).
                    let reference = format!("{prefix}{}/{}", c.cluster, self.now());
                    let comment = format!("privatelink-bot {} for {}", job.id, c.cluster);
                    match aws
                        .dns
                        .create_private_zone(&c.host, &r.vpc, &region, &reference, &comment)
                        .await
                    {
                        Ok(z) => (z, Origin::Created, "created"),
                        // A conflict says such a zone exists now (made
                        // meanwhile, or by this very call before a lost
                        // answer): look again rather than fail or repeat.
                        Err(e) if e.kind == ErrorKind::Conflict => {
                            let again = aws
                                .dns
                                .private_zones(&c.host, &r.vpc, &region)
                                .await
                                .map_err(err("could not list hosted zones"))?;
                            let [z] = again.as_slice() else {
                                let context = if e.has_code("ConflictingDomainExists") {
                                    format!(
                                        "could not create the private hosted zone: a zone named {} is already associated with {} in a way this account cannot see (another account's zone, or a shared VPC); disassociate it or link from that account",
                                        c.host, r.vpc
                                    )
                                } else {
                                    "could not create the private hosted zone".to_owned()
                                };
                                return Err(StepError::call(context, e));
                            };
                            let origin = if z.caller_reference.starts_with(&prefix) {
                                Origin::Created
                            } else {
                                Origin::Adopted
                            };
                            (z.clone(), origin, "found")
                        }
                        Err(e) => {
                            return Err(StepError::call(
                                "could not create the private hosted zone",
                                e,
                            ));
                        }
                    }
                }
            };
            let owner = match origin {
                Origin::Created => String::new(),
                Origin::Adopted => format!(
                    " ({})",
                    self.owner_of(&Resource::Zone(zone.id.clone())).await?
                ),
            };
            lines.push(format!("{verb} zone {} for {}{owner}", zone.id, c.host));
            c.zone_id = Some(zone.id);
            c.zone_origin = Some(origin);
        }
        Ok(lines.join("; "))
    }

    pub(super) fn alias_target(res: &Resources) -> Result<AliasTarget, StepError> {
        let e = res
            .endpoint
            .as_ref()
            .ok_or_else(|| StepError::from("the job has no VPC endpoint".to_owned()))?;
        match (&e.dns_name, &e.hosted_zone_id) {
            (Some(dns_name), Some(hosted_zone_id)) => Ok(AliasTarget {
                dns_name: dns_name.clone(),
                hosted_zone_id: hosted_zone_id.clone(),
            }),
            _ => Err(format!("{} has no DNS name to point at", e.id).into()),
        }
    }

    pub(super) async fn upsert_records(
        &self,
        job: &Job,
        res: &mut Resources,
    ) -> Result<String, StepError> {
        let aws = self.aws(job).await?;
        let target = Self::alias_target(res)?;
        let mut lines = Vec::new();
        for c in res.clusters.iter_mut() {
            let zone = c
                .zone_id
                .clone()
                .ok_or_else(|| format!("no hosted zone recorded for {}", c.cluster))?;
            aws.dns
                .upsert_alias(&zone, &c.host, &target)
                .await
                .map_err(err("could not upsert the alias record"))?;
            c.record = true;
            lines.push(format!("{} → {}", c.host, target.dns_name));
        }
        Ok(lines.join("; "))
    }

    pub(super) async fn verify(&self, job: &Job, res: &Resources) -> Result<String, StepError> {
        let aws = self.aws(job).await?;
        let id = Self::endpoint_id(res)?;
        let e = aws
            .network
            .endpoint(id)
            .await
            .map_err(err("could not describe the endpoint"))?
            .ok_or_else(|| format!("{id} does not exist"))?;
        if e.state != "available" {
            return Err(format!("{id} is {}, not available", e.state).into());
        }
        let target = Self::alias_target(res)?;
        let region = job.request.region.aws_region();
        for c in &res.clusters {
            let zone = c.zone_id.as_deref().unwrap_or_default();
            let associated = aws
                .dns
                .private_zones(&c.host, &job.request.vpc, &region)
                .await
                .map_err(err("could not list hosted zones"))?
                .iter()
                .any(|z| z.id == zone);
            if !associated {
                return Err(format!(
                    "zone {zone} for {} is not associated with {}",
                    c.host, job.request.vpc
                )
                .into());
            }
            let record = aws
                .dns
                .alias_record(zone, &c.host)
                .await
                .map_err(err("could not read the alias record"))?;
            let points_right = record.is_some_and(|a| {
                a.dns_name
                    .trim_end_matches('.')
                    .eq_ignore_ascii_case(target.dns_name.trim_end_matches('.'))
            });
            if !points_right {
                return Err(format!(
                    "the alias record for {} does not point at {}",
                    c.host, target.dns_name
                )
                .into());
            }
        }
        Ok(format!(
            "{id} available; {} alias record(s) point at it",
            res.clusters.len()
        ))
    }
}
