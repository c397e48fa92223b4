//! The endpoint steps: resolve Zilliz's endpoint service, ensure the VPC
//! endpoint, ensure its registration with the project, wait until both
//! sides accept it, and read the clusters' private link addresses.

use std::collections::BTreeSet;

use crate::cards;
use crate::domain::ids::{ClusterId, EndpointId};
use crate::domain::job::{ClusterDns, EndpointRecord, Job, Origin, Resources, Step};
use crate::domain::ownership::Resource;
use crate::domain::plan::{join, port_of};
use crate::i18n::Text;
use crate::ports::cloud::{EndpointInfo, EndpointSpec};
use crate::text;

use super::super::{Inner, StepError};
use super::{Waited, err, host_of};

fn endpoint_record(e: &EndpointInfo, origin: Origin) -> EndpointRecord {
    let regional = e.regional_dns_entry();
    EndpointRecord {
        id: e.id.clone(),
        origin,
        dns_name: regional.map(|(n, _)| n.clone()),
        hosted_zone_id: regional.map(|(_, z)| z.clone()),
    }
}

impl Inner {
    pub(super) async fn resolve_service(
        &self,
        job: &Job,
        res: &mut Resources,
    ) -> Result<Text, StepError> {
        let r = &job.request;
        let services = self
            .parts
            .vendor
            .endpoint_services(&r.region, &r.project)
            .await
            .map_err(err("err-zilliz-list-services"))?;
        let service = services
            .into_iter()
            .find(|s| s.region == r.region.as_str() && !s.service_name.is_empty())
            .ok_or_else(|| text!("err-no-endpoint-service", region = r.region))?;
        res.endpoint_service = Some(service.service_name.clone());
        res.whitelist_required = service.whitelist_required;
        if !service.whitelist_required {
            return Ok(text!(
                "detail-endpoint-service",
                service = service.service_name
            ));
        }
        // Before the endpoint exists: Zilliz accepts no endpoint from an
        // account it has not allowed in, and AWS shows the service only to
        // accounts allowed in. Add-only, so repeating is harmless.
        let aws = self.aws(job).await?;
        let account = match &job.account {
            Some(a) => a.clone(),
            None => aws
                .network
                .account_id()
                .await
                .map_err(err("err-account-id"))?,
        };
        self.parts
            .vendor
            .whitelist_account(&r.project, &r.region, &account)
            .await
            .map_err(err("err-zilliz-whitelist"))?;
        // Allowing an account in takes a little while to reach AWS: wait,
        // bounded, until AWS shows the service, then check the subnets'
        // zones against it as preflight could not.
        let name = service.service_name.as_str();
        let what = text!("wait-service-visible", service = name, account = account);
        let network = &aws.network;
        let zones = self
            .wait_for(job, Step::ResolveService, &what, move || {
                Box::pin(async move {
                    Ok(
                        match network
                            .service_zones(name)
                            .await
                            .map_err(err("err-describe-service"))?
                        {
                            Some(zones) => Waited::Done(zones),
                            None => Waited::Still(text!("wait-service-invisible")),
                        },
                    )
                })
            })
            .await?;
        let subnets = aws
            .network
            .subnets(&r.subnets)
            .await
            .map_err(err("err-describe-subnets"))?;
        let outside: Vec<String> = subnets
            .iter()
            .filter(|s| !zones.contains(&s.availability_zone))
            .map(|s| format!("{} ({})", s.id, s.availability_zone))
            .collect();
        if !outside.is_empty() {
            return Err(text!(
                "err-subnets-outside-service",
                subnets = outside.join(", "),
                zones = zones.join(", ")
            )
            .into());
        }
        Ok(text!(
            "detail-endpoint-service-allowed",
            service = service.service_name,
            account = account
        ))
    }

    pub(super) fn service_name(res: &Resources) -> Result<&str, StepError> {
        res.endpoint_service
            .as_deref()
            .ok_or_else(|| StepError::from(text!("err-service-unknown")))
    }

    pub(super) fn endpoint_id(res: &Resources) -> Result<&EndpointId, StepError> {
        res.endpoint
            .as_ref()
            .map(|e| &e.id)
            .ok_or_else(|| StepError::from(text!("err-no-endpoint")))
    }

    pub(super) async fn ensure_endpoint(
        &self,
        job: &Job,
        res: &mut Resources,
    ) -> Result<Text, StepError> {
        let aws = self.aws(job).await?;
        let r = &job.request;
        let service = Self::service_name(res)?.to_owned();

        // 1. The endpoint this job already recorded, if it still lives.
        if let Some(rec) = res.endpoint.clone()
            && let Some(e) = aws
                .network
                .endpoint(&rec.id)
                .await
                .map_err(err("err-describe-endpoint"))?
            && e.is_live()
        {
            res.endpoint = Some(endpoint_record(&e, rec.origin));
            return Ok(text!(
                "detail-endpoint-in-place",
                endpoint = e.id,
                state = e.state
            ));
        }
        // 2. One this job created but did not get to record (crash, timeout):
        //    found by the job tag set at creation.
        let mut tagged: Vec<EndpointInfo> = aws
            .network
            .endpoints_tagged(job.id)
            .await
            .map_err(err("err-tagged-endpoints"))?
            .into_iter()
            .filter(|e| e.is_live() && e.vpc == r.vpc.as_str())
            .collect();
        tagged.sort_by(|a, b| a.id.cmp(&b.id));
        if let Some(e) = tagged.first() {
            res.endpoint = Some(endpoint_record(e, Origin::Created));
            return Ok(text!("detail-endpoint-found", endpoint = e.id));
        }
        // 3. An endpoint to the same service already in the VPC (made by hand
        //    or by another tool): adopt it rather than make a second one.
        let existing = aws
            .network
            .endpoints_to_service(&r.vpc, &service)
            .await
            .map_err(err("err-vpc-endpoints"))?;
        if let Some(e) = existing.iter().find(|e| e.is_live()) {
            res.endpoint = Some(endpoint_record(e, Origin::Adopted));
            let owner = self.owner_of(&Resource::Endpoint(e.id.clone())).await?;
            return Ok(text!(
                "detail-endpoint-adopted",
                endpoint = e.id,
                service = service,
                owner = owner
            ));
        }
        // 4. Create it, tagged with the job so that step 2 finds it next time.
        let spec = EndpointSpec {
            vpc: r.vpc.clone(),
            service_name: service.clone(),
            subnets: r.subnets.clone(),
            security_groups: r.security_groups.clone(),
            job: job.id,
            // Stable while this attempt lasts (the job's version only moves
            // on a stored change, and none happens between entering this
            // step and creating); new after a retry.
            client_token: format!("{}-v{}", job.id, job.version),
        };
        let e = aws
            .network
            .create_endpoint(&spec)
            .await
            .map_err(err("err-create-endpoint"))?;
        res.endpoint = Some(endpoint_record(&e, Origin::Created));
        Ok(text!(
            "detail-endpoint-created",
            endpoint = e.id,
            state = e.state
        ))
    }

    pub(super) async fn ensure_registration(
        &self,
        job: &Job,
        res: &mut Resources,
    ) -> Result<Text, StepError> {
        let r = &job.request;
        let endpoint = Self::endpoint_id(res)?.clone();
        let vendor = &self.parts.vendor;
        if self.registered(job, &endpoint).await? {
            // Found: ours if this job recorded its intent before registering.
            let origin = res.registration.unwrap_or(Origin::Adopted);
            res.registration = Some(origin);
            return Ok(text!(
                "detail-already-registered",
                endpoint = endpoint,
                project = r.project
            ));
        }
        // Record the intent first, so that a crash right after registering
        // still knows this job made the registration.
        res.registration = Some(Origin::Created);
        self.save_resources(job.id, res).await?;
        match vendor
            .register_endpoint(&r.project, &r.region, &endpoint)
            .await
        {
            Ok(()) => Ok(text!(
                "detail-registered",
                endpoint = endpoint,
                project = r.project
            )),
            // Whatever the answer said, Zilliz may have acted (a 5xx after
            // commit; no code is documented for "already registered"):
            // look before deciding. There now, after our own attempt, is
            // done, and made by this job.
            Err(e) => {
                if !e.kind.is_transient() && self.registered(job, &endpoint).await? {
                    return Ok(text!(
                        "detail-registered-despite",
                        endpoint = endpoint,
                        project = r.project,
                        answer = e
                    ));
                }
                Err(StepError::call(text!("err-registration-refused"), e))
            }
        }
    }

    /// Whether `endpoint` is registered with the job's project now.
    async fn registered(&self, job: &Job, endpoint: &EndpointId) -> Result<bool, StepError> {
        Ok(self
            .parts
            .vendor
            .endpoints(&job.request.project)
            .await
            .map_err(err("err-zilliz-list-endpoints"))?
            .into_iter()
            .any(|e| e.endpoint_id == endpoint.as_str()))
    }

    /// Waits until AWS says the endpoint is available and every cluster
    /// has its private link address. Zilliz's status words are not
    /// documented, so they are shown and never waited on: a word that means
    /// failure fails the step with the vendor's word, an unknown one is
    /// noted once.
    pub(super) async fn wait_accepted(
        &self,
        job: &Job,
        res: &mut Resources,
    ) -> Result<Text, StepError> {
        let aws = &self.aws(job).await?;
        let endpoint = &Self::endpoint_id(res)?.clone();
        let project = &job.request.project;
        let clusters = &job.request.clusters;
        let vendor = &self.parts.vendor;
        let noted = &std::sync::atomic::AtomicBool::new(false);
        let what = text!("wait-accepted", endpoint = endpoint);
        let info = self
            .wait_for(job, Step::WaitAccepted, &what, move || {
                Box::pin(async move {
                    let e = aws
                        .network
                        .endpoint(endpoint)
                        .await
                        .map_err(err("err-describe-endpoint"))?
                        .ok_or_else(|| text!("err-endpoint-gone", endpoint = endpoint))?;
                    // AWS's final words, each with what to do about it.
                    match e.state.as_str() {
                        "rejected" => {
                            return Err(text!("err-endpoint-rejected", endpoint = endpoint).into());
                        }
                        "failed" => {
                            return Err(text!("err-endpoint-failed", endpoint = endpoint).into());
                        }
                        _ if !e.is_live() => {
                            return Err(text!("err-endpoint-state", endpoint = endpoint, state = e.state).into());
                        }
                        _ => {}
                    }
                    let registration = vendor
                        .endpoints(project)
                        .await
                        .map_err(err("err-zilliz-list-endpoints"))?
                        .into_iter()
                        .find(|r| r.endpoint_id == endpoint.as_str());
                    let word = registration
                        .as_ref()
                        .map_or(text!("wait-not-listed"), |z| Text::verbatim(z.status.clone()));
                    if let Some(z) = &registration {
                        if z.has_failed() {
                            return Err(text!(
                                "err-zilliz-reports",
                                endpoint = endpoint,
                                status = z.status
                            )
                            .into());
                        }
                        if !z.status_is_known()
                            && !noted.swap(true, std::sync::atomic::Ordering::Relaxed)
                        {
                            tracing::warn!(job = %job.id, status = %z.status, "Zilliz Cloud reported a status word the bot does not know; waiting on AWS and the private link addresses");
                        }
                    }
                    if e.state != "available" {
                        return Ok(Waited::Still(text!(
                            "wait-aws-and-zilliz",
                            aws = e.state,
                            zilliz = word
                        )));
                    }
                    for id in clusters {
                        let address = vendor
                            .cluster(id)
                            .await
                            .map_err(err("err-zilliz-describe-cluster"))?
                            .and_then(|c| c.private_link_address)
                            .filter(|a| !a.trim().is_empty());
                        if address.is_none() {
                            return Ok(Waited::Still(text!(
                                "wait-no-address",
                                cluster = id,
                                zilliz = word
                            )));
                        }
                    }
                    Ok(Waited::Done(e))
                })
            })
            .await?;
        let origin = res.endpoint.as_ref().map_or(Origin::Created, |e| e.origin);
        res.endpoint = Some(endpoint_record(&info, origin));
        Ok(text!("detail-accepted", endpoint = endpoint))
    }

    pub(super) async fn read_addresses(
        &self,
        job: &Job,
        res: &mut Resources,
    ) -> Result<Text, StepError> {
        let vendor = &self.parts.vendor;
        let mut out = Vec::new();
        for cluster in &job.request.clusters {
            let id: &ClusterId = cluster;
            let what = text!("wait-address", cluster = id);
            let address = self
                .wait_for(job, Step::ReadAddresses, &what, move || {
                    Box::pin(async move {
                        let c = vendor
                            .cluster(id)
                            .await
                            .map_err(err("err-zilliz-describe-cluster"))?
                            .ok_or_else(|| text!("err-cluster-gone", cluster = id))?;
                        Ok(
                            match c.private_link_address.filter(|a| !a.trim().is_empty()) {
                                Some(address) => Waited::Done(address),
                                None => Waited::Still(text!(
                                    "wait-cluster-status",
                                    cluster = id,
                                    status = c.status
                                )),
                            },
                        )
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
        let ports: BTreeSet<i32> = out
            .iter()
            .filter_map(|c| port_of(&c.private_link_address))
            .collect();
        res.clusters = out;
        self.warn_if_ports_closed(job, &ports).await;
        Ok(text!("detail-hosts", hosts = hosts.join(", ")))
    }

    /// Preflight could only guess the clusters' port (from their public
    /// address); now that the private link addresses are known, the thread
    /// is told if the security groups do not let that port in. The job goes
    /// on: the link itself works, clients just cannot reach it yet. A check
    /// that cannot be made is logged, never a reason to fail the step.
    async fn warn_if_ports_closed(&self, job: &Job, ports: &BTreeSet<i32>) {
        let r = &job.request;
        let groups = match self.aws(job).await {
            Ok(aws) => aws.network.security_groups(&r.security_groups).await,
            Err(e) => {
                tracing::warn!(job = %job.id, error = %e, "could not check the security groups' ports");
                return;
            }
        };
        let groups = match groups {
            Ok(g) => g,
            Err(e) => {
                tracing::warn!(job = %job.id, error = %e, "could not check the security groups' ports");
                return;
            }
        };
        let closed: Vec<String> = ports
            .iter()
            .filter(|p| {
                !groups
                    .iter()
                    .any(|g| g.ingress.iter().any(|rule| rule.admits_tcp(**p)))
            })
            .map(ToString::to_string)
            .collect();
        if !closed.is_empty() {
            let warning = text!(
                "finding-ports-closed",
                sgs = join(&r.security_groups),
                ports = closed.join(", ")
            );
            self.say(job, cards::step_warning(job, Step::ReadAddresses, &warning))
                .await;
        }
    }
}
