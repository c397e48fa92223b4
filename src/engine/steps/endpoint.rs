//! The endpoint steps: resolve Zilliz's endpoint service (allowing the
//! account in and waiting for AWS to show it), ensure the VPC endpoint, and
//! ensure its registration with the project. `acceptance.rs` waits for both
//! sides to accept it and reads the clusters' addresses.

use crate::domain::ids::{AccountId, EndpointId};
use crate::domain::job::{EndpointRecord, Job, Origin, Resources, Step};
use crate::domain::ownership::Resource;
use crate::i18n::Text;
use crate::ports::cloud::{AwsTarget, EndpointInfo, EndpointSpec};
use crate::text;

use super::super::{Inner, StepError};
use super::{Waited, err};

pub(super) fn endpoint_record(e: &EndpointInfo, origin: Origin) -> EndpointRecord {
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
        let r = job.request();
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
        let aws = self.aws(job).await?;
        let (account, zones) = self
            .allow_account_in(job, &aws, &service.service_name)
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

    /// Allows the job's AWS account in with Zilliz before the endpoint
    /// exists: Zilliz accepts no endpoint from an account it has not allowed
    /// in, and AWS shows the service only to accounts allowed in. Add-only,
    /// so repeating is harmless. The account, and the service's zones once
    /// AWS shows it.
    async fn allow_account_in(
        &self,
        job: &Job,
        aws: &AwsTarget,
        service_name: &str,
    ) -> Result<(AccountId, Vec<String>), StepError> {
        let r = job.request();
        let account = match job.account() {
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
        let name = service_name;
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
        Ok((account, zones))
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
        let r = job.request();
        let service = Self::service_name(res)?.to_owned();

        if let Some(said) = self.endpoint_in_place(job, &aws, res, &service).await? {
            return Ok(said);
        }
        // 4. Create it, tagged with the job so that step 2 finds it next time.
        let spec = EndpointSpec {
            vpc: r.vpc.clone(),
            service_name: service.clone(),
            subnets: r.subnets.clone(),
            security_groups: r.security_groups.clone(),
            job: job.id(),
            // Stable while this attempt lasts (the job's version only moves
            // on a stored change, and none happens between entering this
            // step and creating); new after a retry.
            client_token: format!("{}-v{}", job.id(), job.version()),
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
            state = e.state.as_str()
        ))
    }

    /// The job's endpoint if one is already there, recorded on `res`: the
    /// one it recorded, else one it made without recording (its tag), else
    /// one to the same service already in the VPC (adopted, rather than
    /// making a second). What the thread says of it.
    async fn endpoint_in_place(
        &self,
        job: &Job,
        aws: &AwsTarget,
        res: &mut Resources,
        service: &str,
    ) -> Result<Option<Text>, StepError> {
        let r = job.request();
        // 1. The endpoint this job already recorded, if it still lives.
        if let Some(rec) = res.endpoint.clone()
            && let Some(e) = aws
                .network
                .endpoint(&rec.id)
                .await
                .map_err(err("err-describe-endpoint"))?
        {
            if e.is_live() {
                res.endpoint = Some(endpoint_record(&e, rec.origin));
                return Ok(Some(text!(
                    "detail-endpoint-in-place",
                    endpoint = e.id,
                    state = e.state.as_str()
                )));
            }
            // One it made that was refused (rejected, failed, expired)
            // stays in the VPC, billed, until deleted: it goes before a
            // new one is made in its place.
            if rec.origin == Origin::Created && e.state.is_refused() {
                aws.network
                    .delete_endpoint(&e.id)
                    .await
                    .map_err(err("err-delete-endpoint"))?;
            }
        }
        // 2. One this job created but did not get to record (crash, timeout):
        //    found by the job tag set at creation.
        let mut tagged: Vec<EndpointInfo> = aws
            .network
            .endpoints_tagged(job.id())
            .await
            .map_err(err("err-tagged-endpoints"))?
            .into_iter()
            .filter(|e| e.is_live() && e.vpc == r.vpc.as_str())
            .collect();
        tagged.sort_by(|a, b| a.id.cmp(&b.id));
        if let Some(e) = tagged.first() {
            res.endpoint = Some(endpoint_record(e, Origin::Created));
            return Ok(Some(text!("detail-endpoint-found", endpoint = e.id)));
        }
        // 3. An endpoint to the same service already in the VPC (made by hand
        //    or by another tool): adopt it rather than make a second one.
        let existing = aws
            .network
            .endpoints_to_service(&r.vpc, service)
            .await
            .map_err(err("err-vpc-endpoints"))?;
        if let Some(e) = existing.iter().find(|e| e.is_live()) {
            res.endpoint = Some(endpoint_record(e, Origin::Adopted));
            let owner = self.owner_of(&Resource::Endpoint(e.id.clone())).await?;
            return Ok(Some(text!(
                "detail-endpoint-adopted",
                endpoint = e.id,
                service = service,
                owner = owner
            )));
        }
        Ok(None)
    }

    pub(super) async fn ensure_registration(
        &self,
        job: &Job,
        res: &mut Resources,
    ) -> Result<Text, StepError> {
        let r = job.request();
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
        self.save_resources(job.id(), res).await?;
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
            .endpoints(&job.request().project)
            .await
            .map_err(err("err-zilliz-list-endpoints"))?
            .into_iter()
            .any(|e| e.endpoint_id == endpoint.as_str()))
    }
}
