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

use crate::domain::ids::{EndpointId, ZoneId};
use crate::domain::job::{ClusterDns, Job, Origin};
use crate::domain::ownership::{Resource, Verdict};
use crate::ports::cloud::{AliasTarget, AwsTarget};

use super::steps::{caller_reference_prefix, err};
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
        Ok(owners.verdict_for(job.id(), recorded))
    }

    /// Tears the job's resources down; returns what was kept and why.
    pub(super) async fn teardown(&self, job: &Job) -> Result<Vec<Kept>, StepError> {
        let aws = self.aws(job).await?;
        let mut kept: Vec<Kept> = Vec::new();
        for c in &job.resources().clusters {
            self.tear_down_cluster_dns(job, &aws, c, &mut kept).await?;
        }
        let mut doomed = self.tear_down_registration(job, &mut kept).await?;
        // Endpoints this job made but never recorded carry its tag.
        let tagged = aws
            .network
            .endpoints_tagged(job.id())
            .await
            .map_err(err("err-tagged-endpoints"))?;
        for e in tagged.into_iter().filter(|e| e.is_live()) {
            let resource = Resource::Endpoint(e.id.clone());
            if doomed.contains(&e.id) || kept.iter().any(|(r, _)| *r == resource) {
                continue;
            }
            match self.verdict(job, &resource, Some(Origin::Created)).await? {
                Verdict::Remove => doomed.push(e.id),
                other => kept.push((resource, other)),
            }
        }
        for id in doomed {
            aws.network
                .delete_endpoint(&id)
                .await
                .map_err(err("err-delete-endpoint"))?;
        }
        Ok(kept)
    }

    /// One cluster's zones (those the job made or recorded, never another
    /// owner's) and the alias record in each.
    pub(super) async fn tear_down_cluster_dns(
        &self,
        job: &Job,
        aws: &AwsTarget,
        c: &ClusterDns,
        kept: &mut Vec<Kept>,
    ) -> Result<(), StepError> {
        let region = job.request().region.aws_region();
        let prefix = caller_reference_prefix(job.id());
        let zones = aws
            .dns
            .private_zones(&c.host, &job.request().vpc, &region)
            .await
            .map_err(err("err-list-zones"))?;
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
            self.tear_down_record(job, aws, c, &zone.id, zone_verdict == Verdict::Remove)
                .await?;
            if zone_verdict == Verdict::Remove {
                aws.dns
                    .delete_zone(&zone.id)
                    .await
                    .map_err(err("err-delete-zone"))?;
            } else {
                kept.push((zone_res, zone_verdict));
            }
        }
        Ok(())
    }

    /// The cluster's alias record in `zone`. A zone that goes must be empty
    /// first, so its record goes whatever it holds; in a zone that stays,
    /// the record goes only if it still points at the job's endpoint and
    /// nobody else holds it.
    async fn tear_down_record(
        &self,
        job: &Job,
        aws: &AwsTarget,
        c: &ClusterDns,
        zone: &ZoneId,
        zone_goes: bool,
    ) -> Result<(), StepError> {
        let record = Resource::Record {
            zone: zone.clone(),
            host: c.host.clone(),
        };
        let record_verdict = self
            .verdict(job, &record, c.record.then_some(Origin::Created))
            .await?;
        let current = aws
            .dns
            .alias_record(zone, &c.host)
            .await
            .map_err(err("err-read-record"))?;
        let endpoint_name = job
            .resources()
            .endpoint
            .as_ref()
            .filter(|e| e.hosted_zone_id.is_some())
            .and_then(|e| e.dns_name.as_deref());
        let points_at_us = |current: &AliasTarget| {
            endpoint_name.is_some_and(|ours| {
                ours.trim_end_matches('.')
                    .eq_ignore_ascii_case(current.dns_name.trim_end_matches('.'))
            })
        };
        if let Some(current) = current
            && (zone_goes || (record_verdict == Verdict::Remove && points_at_us(&current)))
        {
            aws.dns
                .delete_alias(zone, &c.host, &current)
                .await
                .map_err(err("err-delete-record"))?;
        }
        Ok(())
    }

    /// The Zilliz registration, then the recorded endpoint's verdict: the
    /// endpoints to delete (the rest are kept, with why).
    async fn tear_down_registration(
        &self,
        job: &Job,
        kept: &mut Vec<Kept>,
    ) -> Result<Vec<EndpointId>, StepError> {
        let (r, res) = (job.request(), job.resources());
        let mut doomed = Vec::new();
        let Some(endpoint) = &res.endpoint else {
            return Ok(doomed);
        };
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
                    .map_err(err("err-zilliz-deregister"))?,
                other => kept.push((registration, other)),
            }
        }
        let resource = Resource::Endpoint(endpoint.id.clone());
        match self.verdict(job, &resource, Some(endpoint.origin)).await? {
            Verdict::Remove => doomed.push(endpoint.id.clone()),
            other => kept.push((resource, other)),
        }
        Ok(doomed)
    }
}
