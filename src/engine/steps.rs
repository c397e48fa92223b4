//! The create steps. Each is an "ensure": it looks for what an earlier run
//! (or a crash half-way through one) left behind before it creates anything,
//! because emulators, and AWS under some failures, do not deduplicate for us.

use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

use crate::cards;
use crate::domain::ids::{ClusterId, EndpointId, JobId};
use crate::domain::job::{ClusterDns, EndpointRecord, Job, Origin, Resources, Step};
use crate::domain::ownership::Resource;
use crate::ports::cloud::{AliasTarget, AwsTarget, CloudError, EndpointInfo, EndpointSpec};

use super::{Inner, StepError};

/// The prefix of every hosted zone CallerReference a job uses; a zone whose
/// reference starts with it was created by that job.
pub(crate) fn caller_reference_prefix(job: JobId) -> String {
    format!("privatelink-bot/{job}/")
}

/// The DNS name to put in the private hosted zone: the host part of the
/// cluster's private link address.
pub(crate) fn host_of(address: &str) -> Result<String, StepError> {
    let with_scheme = if address.contains("://") {
        address.to_owned()
    } else {
        format!("https://{address}")
    };
    url::Url::parse(&with_scheme)
        .ok()
        .and_then(|u| {
            u.host_str()
                .map(|h| h.trim_end_matches('.').to_ascii_lowercase())
        })
        .filter(|h| h.contains('.'))
        .ok_or_else(|| {
            format!("Zilliz returned a private link address with no host: {address:?}").into()
        })
}

fn endpoint_record(e: &EndpointInfo, origin: Origin) -> EndpointRecord {
    let first = e.dns_entries.first();
    EndpointRecord {
        id: e.id.clone(),
        origin,
        dns_name: first.map(|(n, _)| n.clone()),
        hosted_zone_id: first.map(|(_, z)| z.clone()),
    }
}

/// One poll of a wait: `Some` when the wait is over.
type Check<'a, T> = Pin<Box<dyn Future<Output = Result<Option<T>, StepError>> + Send + 'a>>;

fn err(context: &str) -> impl Fn(CloudError) -> StepError + '_ {
    move |e| StepError::call(context, e)
}

impl Inner {
    pub(super) async fn aws(&self, job: &Job) -> Result<AwsTarget, StepError> {
        self.parts
            .cloud
            .target(&job.request.region.aws_region(), job.request.role.as_ref())
            .await
            .map_err(err("could not reach AWS"))
    }

    /// Runs one step; returns the job's resources after it, and a line for
    /// the thread.
    pub(super) async fn perform(
        &self,
        job: &Job,
        step: Step,
    ) -> Result<(Resources, String), StepError> {
        let mut res = job.resources.clone();
        let detail = match step {
            Step::ResolveService => self.resolve_service(job, &mut res).await?,
            Step::EnsureEndpoint => self.ensure_endpoint(job, &mut res).await?,
            Step::EnsureRegistration => self.ensure_registration(job, &mut res).await?,
            Step::WaitAccepted => self.wait_accepted(job, &mut res).await?,
            Step::ReadAddresses => self.read_addresses(job, &mut res).await?,
            Step::EnsureZones => self.ensure_zones(job, &mut res).await?,
            Step::UpsertRecords => self.upsert_records(job, &mut res).await?,
            Step::Verify => self.verify(job, &res).await?,
        };
        Ok((res, detail))
    }

    async fn resolve_service(&self, job: &Job, res: &mut Resources) -> Result<String, StepError> {
        let r = &job.request;
        let services = self
            .parts
            .vendor
            .endpoint_services(&r.region, &r.project)
            .await
            .map_err(err("Zilliz Cloud did not list endpoint services"))?;
        let service = services
            .into_iter()
            .find(|s| s.region == r.region.as_str() && !s.service_name.is_empty())
            .ok_or_else(|| format!("Zilliz Cloud offers no endpoint service in {}", r.region))?;
        res.endpoint_service = Some(service.service_name.clone());
        Ok(format!("endpoint service {}", service.service_name))
    }

    fn service_name(res: &Resources) -> Result<&str, StepError> {
        res.endpoint_service
            .as_deref()
            .ok_or_else(|| StepError::from("the endpoint service is not known yet".to_owned()))
    }

    fn endpoint_id(res: &Resources) -> Result<&EndpointId, StepError> {
        res.endpoint
            .as_ref()
            .map(|e| &e.id)
            .ok_or_else(|| StepError::from("the job has no VPC endpoint yet".to_owned()))
    }

    async fn ensure_endpoint(&self, job: &Job, res: &mut Resources) -> Result<String, StepError> {
        let aws = self.aws(job).await?;
        let r = &job.request;
        let service = Self::service_name(res)?.to_owned();

        // 1. The endpoint this job already recorded, if it still lives.
        if let Some(rec) = res.endpoint.clone()
            && let Some(e) = aws
                .network
                .endpoint(&rec.id)
                .await
                .map_err(err("could not describe the endpoint"))?
            && e.is_live()
        {
            res.endpoint = Some(endpoint_record(&e, rec.origin));
            return Ok(format!("{} already in place ({})", e.id, e.state));
        }
        // 2. One this job created but did not get to record (crash, timeout):
        //    found by the job tag set at creation.
        let mut tagged: Vec<EndpointInfo> = aws
            .network
            .endpoints_tagged(job.id)
            .await
            .map_err(err("could not look up tagged endpoints"))?
            .into_iter()
            .filter(|e| e.is_live() && e.vpc == r.vpc.as_str())
            .collect();
        tagged.sort_by(|a, b| a.id.cmp(&b.id));
        if let Some(e) = tagged.first() {
            res.endpoint = Some(endpoint_record(e, Origin::Created));
            return Ok(format!("found {} created earlier by this job", e.id));
        }
        // 3. An endpoint to the same service already in the VPC (made by hand
        //    or by another tool): adopt it rather than make a second one.
        let existing = aws
            .network
            .endpoints_to_service(&r.vpc, &service)
            .await
            .map_err(err("could not look up endpoints in the VPC"))?;
        if let Some(e) = existing.iter().find(|e| e.is_live()) {
            res.endpoint = Some(endpoint_record(e, Origin::Adopted));
            let owner = self.owner_of(&Resource::Endpoint(e.id.clone())).await?;
            return Ok(format!(
                "adopted existing endpoint {} to {service} ({owner})",
                e.id
            ));
        }
        // 4. Create it, tagged with the job so that step 2 finds it next time.
        let spec = EndpointSpec {
            vpc: r.vpc.clone(),
            service_name: service.clone(),
            subnets: r.subnets.clone(),
            security_groups: r.security_groups.clone(),
            job: job.id,
        };
        let e = aws
            .network
            .create_endpoint(&spec)
            .await
            .map_err(err("could not create the VPC endpoint"))?;
        res.endpoint = Some(endpoint_record(&e, Origin::Created));
        Ok(format!("created {} ({})", e.id, e.state))
    }

    /// Who made a resource a job is about to adopt, in words for the thread.
    async fn owner_of(&self, resource: &Resource) -> Result<String, StepError> {
        let owners = self
            .parts
            .store
            .owners(resource)
            .await
            .map_err(|e| format!("could not read who uses {resource}: {e}"))?;
        Ok(match owners.made_by {
            Some(job) => format!("made by {job}; shared, removed with its last user"),
            None => "not made by the bot; it stays on teardown".to_owned(),
        })
    }

    async fn ensure_registration(
        &self,
        job: &Job,
        res: &mut Resources,
    ) -> Result<String, StepError> {
        let r = &job.request;
        let endpoint = Self::endpoint_id(res)?.clone();
        let vendor = &self.parts.vendor;
        let registered = vendor
            .endpoints(&r.project)
            .await
            .map_err(err("Zilliz Cloud did not list the project's endpoints"))?
            .into_iter()
            .any(|e| e.endpoint_id == endpoint.as_str());
        if registered {
            // Found: ours if this job recorded its intent before registering.
            let origin = res.registration.unwrap_or(Origin::Adopted);
            res.registration = Some(origin);
            return Ok(format!("{endpoint} already registered with {}", r.project));
        }
        // Record the intent first, so that a crash right after registering
        // still knows this job made the registration.
        res.registration = Some(Origin::Created);
        self.save_resources(job.id, res).await?;
        vendor
            .register_endpoint(&r.project, &r.region, &endpoint)
            .await
            .map_err(err("Zilliz Cloud refused the registration"))?;
        Ok(format!("registered {endpoint} with {}", r.project))
    }

    /// Polls `check` with backoff until it yields a value, posting "still
    /// waiting" now and then, bounded by the configured timeout.
    async fn wait_for<'a, T>(
        &self,
        job: &Job,
        step: Step,
        what: &str,
        mut check: impl FnMut() -> Check<'a, T> + Send,
    ) -> Result<T, StepError> {
        let settings = &self.parts.settings;
        let started = Instant::now();
        let mut last_note = Instant::now();
        let mut attempt = 0;
        loop {
            if let Some(v) = check().await? {
                return Ok(v);
            }
            if started.elapsed() >= settings.wait_timeout {
                return Err(format!(
                    "timed out after {}s waiting for {what}",
                    started.elapsed().as_secs()
                )
                .into());
            }
            if last_note.elapsed() >= settings.progress_every {
                last_note = Instant::now();
                self.say(
                    job,
                    cards::still_waiting(job.id, step, started.elapsed(), what),
                )
                .await;
            }
            let remaining = settings.wait_timeout.saturating_sub(started.elapsed());
            tokio::time::sleep(settings.backoff.delay(attempt).min(remaining)).await;
            attempt += 1;
        }
    }

    async fn wait_accepted(&self, job: &Job, res: &mut Resources) -> Result<String, StepError> {
        let aws = &self.aws(job).await?;
        let endpoint = &Self::endpoint_id(res)?.clone();
        let project = &job.request.project;
        let vendor = &self.parts.vendor;
        let what = format!("{endpoint} to be available in AWS and running in Zilliz Cloud");
        let info = self
            .wait_for(job, Step::WaitAccepted, &what, move || {
                Box::pin(async move {
                    let e = aws
                        .network
                        .endpoint(endpoint)
                        .await
                        .map_err(err("could not describe the endpoint"))?
                        .ok_or_else(|| format!("{endpoint} no longer exists"))?;
                    if !e.is_live() {
                        return Err(format!("{endpoint} is {}", e.state).into());
                    }
                    let zilliz = vendor
                        .endpoints(project)
                        .await
                        .map_err(err("Zilliz Cloud did not list the project's endpoints"))?
                        .into_iter()
                        .find(|r| r.endpoint_id == endpoint.as_str());
                    if let Some(z) = &zilliz
                        && z.has_failed()
                    {
                        return Err(
                            format!("Zilliz Cloud reports {endpoint} as {}", z.status).into()
                        );
                    }
                    let running = zilliz.is_some_and(|z| z.is_running());
                    Ok((e.state == "available" && running).then_some(e))
                })
            })
            .await?;
        let origin = res.endpoint.as_ref().map_or(Origin::Created, |e| e.origin);
        res.endpoint = Some(endpoint_record(&info, origin));
        Ok(format!("{endpoint} is available and accepted"))
    }

    async fn read_addresses(&self, job: &Job, res: &mut Resources) -> Result<String, StepError> {
        let vendor = &self.parts.vendor;
        let mut out = Vec::new();
        for cluster in &job.request.clusters {
            let id: &ClusterId = cluster;
            let what = format!("{id}'s private link address");
            let address = self
                .wait_for(job, Step::ReadAddresses, &what, move || {
                    Box::pin(async move {
                        let c = vendor
                            .cluster(id)
                            .await
                            .map_err(err("Zilliz Cloud did not describe the cluster"))?
                            .ok_or_else(|| format!("cluster {id} no longer exists"))?;
                        Ok(c.private_link_address.filter(|a| !a.trim().is_empty()))
                    })
                })
                .await?;
            let host = host_of(&address)?;
            let previous = res.clusters.iter().find(|c| c.cluster == *cluster);
            out.push(ClusterDns {
                cluster: cluster.clone(),
                private_link_address: address,
                // A changed host makes an earlier zone irrelevant to this job.
                zone_id: previous
                    .filter(|p| p.host == host)
                    .and_then(|p| p.zone_id.clone()),
                zone_origin: previous
                    .filter(|p| p.host == host)
                    .and_then(|p| p.zone_origin),
                record: previous.is_some_and(|p| p.host == host && p.record),
                host,
            });
        }
        let hosts: Vec<String> = out.iter().map(|c| c.host.clone()).collect();
        res.clusters = out;
        Ok(format!("private link hosts: {}", hosts.join(", ")))
    }

    async fn ensure_zones(&self, job: &Job, res: &mut Resources) -> Result<String, StepError> {
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
            let zone = match zones.iter().find(|z| Some(&z.id) == c.zone_id.as_ref()) {
                Some(z) => Some(z.clone()),
                None => zones
                    .iter()
                    .find(|z| z.caller_reference.starts_with(&prefix))
                    .or_else(|| zones.first())
                    .cloned(),
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
                    let z = aws
                        .dns
                        .create_private_zone(&c.host, &r.vpc, &region, &reference, &comment)
                        .await
                        .map_err(err("could not create the private hosted zone"))?;
                    (z, Origin::Created, "created")
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

    fn alias_target(res: &Resources) -> Result<AliasTarget, StepError> {
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

    async fn upsert_records(&self, job: &Job, res: &mut Resources) -> Result<String, StepError> {
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

    async fn verify(&self, job: &Job, res: &Resources) -> Result<String, StepError> {
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

#[cfg(test)]
mod tests {
    use super::host_of;

    #[test]
    fn hosts_from_private_link_addresses() {
        assert_eq!(
            host_of("https://in01-abc.aws-us-west-2.vectordb.zillizcloud.com:19530").unwrap(),
            "in01-abc.aws-us-west-2.vectordb.zillizcloud.com"
        );
        assert_eq!(
            host_of("in01-abc.privatelink.example.com:19530").unwrap(),
            "in01-abc.privatelink.example.com"
        );
        assert!(host_of("https://:19530").is_err());
    }
}
