//! Rollback and delete: the create steps in reverse (records, zones, Zilliz
//! registration, endpoint). Every removal tolerates "already gone", and only
//! what this job created is removed: adopted resources stay, and are named.
//!
//! Besides what the job recorded, teardown also looks for what the job may
//! have created without recording it (a crash between a cloud call and its
//! record): endpoints carrying the job's tag and zones whose CallerReference
//! carries the job's prefix.

use crate::domain::job::{Job, Origin};
use crate::ports::cloud::AliasTarget;

use super::steps::caller_reference_prefix;
use super::{Inner, StepError};

impl Inner {
    /// Tears the job's resources down; returns what was kept (adopted).
    pub(super) async fn teardown(&self, job: &Job) -> Result<Vec<String>, StepError> {
        let aws = self.aws(job).await?;
        let r = &job.request;
        let res = &job.resources;
        let region = r.region.aws_region();
        let prefix = caller_reference_prefix(job.id);
        let mut kept = Vec::new();
        let fail = |what: &str| {
            let what = what.to_owned();
            move |e: anyhow::Error| format!("{what}: {e:#}")
        };

        let target = res.endpoint.as_ref().and_then(|e| {
            Some(AliasTarget {
                dns_name: e.dns_name.clone()?,
                hosted_zone_id: e.hosted_zone_id.clone()?,
            })
        });

        for c in &res.clusters {
            let zones = aws
                .dns
                .private_zones(&c.host, &r.vpc, &region)
                .await
                .map_err(fail("could not list hosted zones"))?;
            for zone in zones {
                let ours = zone.caller_reference.starts_with(&prefix);
                let recorded = c.zone_id.as_ref() == Some(&zone.id);
                if !ours && !recorded {
                    continue;
                }
                // Remove our alias record: in an adopted zone only if it
                // still points at our endpoint; in ours, whatever it holds
                // (a zone must be empty before it can go).
                if let Some(current) = aws
                    .dns
                    .alias_record(&zone.id, &c.host)
                    .await
                    .map_err(fail("could not read the alias record"))?
                {
                    let points_at_us = target.as_ref().is_some_and(|t| {
                        t.dns_name
                            .trim_end_matches('.')
                            .eq_ignore_ascii_case(current.dns_name.trim_end_matches('.'))
                    });
                    if ours || (c.record && points_at_us) {
                        aws.dns
                            .delete_alias(&zone.id, &c.host, &current)
                            .await
                            .map_err(fail("could not delete the alias record"))?;
                    }
                }
                if ours || c.zone_origin == Some(Origin::Created) {
                    aws.dns
                        .delete_zone(&zone.id)
                        .await
                        .map_err(fail("could not delete the hosted zone"))?;
                } else {
                    kept.push(format!("hosted zone {} ({})", zone.id, c.host));
                }
            }
        }

        if let Some(endpoint) = &res.endpoint {
            match res.registration {
                Some(Origin::Created) => self
                    .parts
                    .vendor
                    .deregister_endpoint(&r.project, &r.region, &endpoint.id)
                    .await
                    .map_err(fail("Zilliz Cloud did not deregister the endpoint"))?,
                Some(Origin::Adopted) => kept.push(format!(
                    "Zilliz registration of {} in {}",
                    endpoint.id, r.project
                )),
                None => {}
            }
            if endpoint.origin == Origin::Adopted {
                kept.push(format!("VPC endpoint {}", endpoint.id));
            }
        }

        let mut doomed: Vec<_> = aws
            .network
            .endpoints_tagged(job.id)
            .await
            .map_err(fail("could not look up tagged endpoints"))?
            .into_iter()
            .filter(|e| e.is_live())
            .map(|e| e.id)
            .collect();
        if let Some(e) = &res.endpoint
            && e.origin == Origin::Created
            && !doomed.contains(&e.id)
        {
            doomed.push(e.id.clone());
        }
        for id in doomed {
            aws.network
                .delete_endpoint(&id)
                .await
                .map_err(fail("could not delete the VPC endpoint"))?;
        }
        Ok(kept)
    }
}
