//! Rollback and delete: the create steps in reverse (records, zones, Zilliz
//! registration, endpoint). Every removal tolerates "already gone", and a
//! resource goes only when the ownership rule says so (see
//! `domain::ownership`): the bot made it and no other job still uses it.
//! What stays is named, with the reason.
//!
//! Besides what the job recorded, teardown also looks for what the job may
//! have created without recording it (a crash between a cloud call and its
//! record): endpoints carrying the job's tag and zones whose CallerReference
//! carries the job's prefix.

use crate::domain::job::{Job, Origin};
use crate::domain::ownership::{Resource, Verdict};
use crate::i18n::Text;
use crate::ports::cloud::{AliasTarget, CloudError};

use super::steps::caller_reference_prefix;
use super::{Inner, StepError};

/// A resource the teardown left in place, and why.
pub(crate) type Kept = (Resource, Verdict);

impl Inner {
    /// What the teardown of `job` may do with `resource`, which the job
    /// holds as `recorded`.
    async fn verdict(
        &self,
        job: &Job,
        resource: &Resource,
        recorded: Option<Origin>,
    ) -> Result<Verdict, StepError> {
        let owners = self.parts.store.owners(resource).await.map_err(|e| {
            StepError::from(crate::text!(
                "err-read-owners",
                resource = crate::cards::resource_text(resource),
                error = e
            ))
        })?;
        Ok(owners.verdict_for(job.id, recorded))
    }

    /// Tears the job's resources down; returns what was kept and why.
    pub(super) async fn teardown(&self, job: &Job) -> Result<Vec<Kept>, StepError> {
        let aws = self.aws(job).await?;
        let r = &job.request;
        let res = &job.resources;
        let region = r.region.aws_region();
        let prefix = caller_reference_prefix(job.id);
        let mut kept: Vec<Kept> = Vec::new();
        let fail =
            |key: &'static str| move |e: CloudError| StepError::call(Text::new(key, Vec::new()), e);

        let target = res.endpoint.as_ref().and_then(|e| {
            Some(AliasTarget {
                dns_name: e.dns_name.clone()?,
                hosted_zone_id: e.hosted_zone_id.clone()?,
                evaluate_target_health: false,
            })
        });

        for c in &res.clusters {
            let zones = aws
                .dns
                .private_zones(&c.host, &r.vpc, &region)
                .await
                .map_err(fail("err-list-zones"))?;
            // Zones of other owners are never the job's to touch.
            for zone in zones.into_iter().filter(|z| z.foreign_owner.is_none()) {
                let ours = zone.caller_reference.starts_with(&prefix);
                let recorded = c.zone_id.as_ref() == Some(&zone.id);
                if !ours && !recorded {
                    continue;
                }
                let own = if ours {
                    Some(Origin::Created)
                } else {
                    c.zone_origin
                };
                let zone_res = Resource::Zone(zone.id.clone());
                let zone_verdict = self.verdict(job, &zone_res, own).await?;
                let record_res = Resource::Record {
                    zone: zone.id.clone(),
                    host: c.host.clone(),
                };
                let record_verdict = self
                    .verdict(job, &record_res, c.record.then_some(Origin::Created))
                    .await?;
                let current = aws
                    .dns
                    .alias_record(&zone.id, &c.host)
                    .await
                    .map_err(fail("err-read-record"))?;
                // A zone that goes must be empty first, so its record goes
                // whatever it holds; in a zone that stays, our record goes
                // only if it still points at our endpoint and nobody else
                // holds it.
                let points_at_us = |current: &AliasTarget| {
                    target.as_ref().is_some_and(|t| {
                        t.dns_name
                            .trim_end_matches('.')
                            .eq_ignore_ascii_case(current.dns_name.trim_end_matches('.'))
                    })
                };
                if let Some(current) = current
                    && (zone_verdict == Verdict::Remove
                        || (record_verdict == Verdict::Remove && points_at_us(&current)))
                {
                    aws.dns
                        .delete_alias(&zone.id, &c.host, &current)
                        .await
                        .map_err(fail("err-delete-record"))?;
                }
                if zone_verdict == Verdict::Remove {
                    aws.dns
                        .delete_zone(&zone.id)
                        .await
                        .map_err(fail("err-delete-zone"))?;
                } else {
                    kept.push((zone_res, zone_verdict));
                }
            }
        }

        let mut doomed = Vec::new();
        if let Some(endpoint) = &res.endpoint {
            if let Some(origin) = res.registration {
                let registration = Resource::Registration {
                    project: r.project.clone(),
                    endpoint: endpoint.id.clone(),
                };
                match self.verdict(job, &registration, Some(origin)).await? {
                    Verdict::Remove => self
                        .parts
                        .vendor
                        .deregister_endpoint(&r.project, &r.region, &endpoint.id)
                        .await
                        .map_err(fail("err-zilliz-deregister"))?,
                    other => kept.push((registration, other)),
                }
            }
            let resource = Resource::Endpoint(endpoint.id.clone());
            match self.verdict(job, &resource, Some(endpoint.origin)).await? {
                Verdict::Remove => doomed.push(endpoint.id.clone()),
                other => kept.push((resource, other)),
            }
        }
        // Endpoints this job made but never recorded carry its tag.
        let tagged = aws
            .network
            .endpoints_tagged(job.id)
            .await
            .map_err(fail("err-tagged-endpoints"))?;
        for e in tagged.into_iter().filter(|e| e.is_live()) {
            if doomed.contains(&e.id)
                || kept
                    .iter()
                    .any(|(r, _)| *r == Resource::Endpoint(e.id.clone()))
            {
                continue;
            }
            let resource = Resource::Endpoint(e.id.clone());
            match self.verdict(job, &resource, Some(Origin::Created)).await? {
                Verdict::Remove => doomed.push(e.id),
                other => kept.push((resource, other)),
            }
        }
        for id in doomed {
            aws.network
                .delete_endpoint(&id)
                .await
                .map_err(fail("err-delete-endpoint"))?;
        }
        Ok(kept)
    }
}
