//! After registration: wait until AWS and Zilliz Cloud have both accepted
//! the endpoint (AWS's final words, rejected and failed, each with what to
//! do), read the clusters' private link addresses, and tell the thread
//! when the security groups do not let their port in.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::cards;
use crate::domain::ids::{ClusterId, EndpointId};
use crate::domain::job::{ClusterDns, Job, Origin, Resources, Step};
use crate::domain::plan::{join, port_of};
use crate::domain::words::RegistrationStatus;
use crate::i18n::Text;
use crate::ports::cloud::{EndpointState, RegisteredEndpoint, Vendor};
use crate::text;

use super::super::{Inner, StepError};
use super::endpoint::endpoint_record;
use super::{Waited, err, host_of};

impl Inner {
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
        let project = &job.request().project;
        let clusters = &job.request().clusters;
        let vendor = &self.parts.vendor;
        let noted = &AtomicBool::new(false);
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
                    ended_at_aws(endpoint, &e.state)?;
                    let registration = vendor
                        .endpoints(project)
                        .await
                        .map_err(err("err-zilliz-list-endpoints"))?
                        .into_iter()
                        .find(|r| r.endpoint_id == endpoint.as_str());
                    let word = zilliz_word(job, endpoint, registration.as_ref(), noted)?;
                    if e.state != EndpointState::Available {
                        return Ok(Waited::Still(text!(
                            "wait-aws-and-zilliz",
                            aws = e.state.as_str(),
                            zilliz = word
                        )));
                    }
                    if let Some(id) = first_without_address(vendor, clusters).await? {
                        return Ok(Waited::Still(text!(
                            "wait-no-address",
                            cluster = id,
                            zilliz = word
                        )));
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
        for cluster in &job.request().clusters {
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
        self.forget_moved_hosts(job, &res.clusters, &out).await?;
        let hosts: Vec<String> = out.iter().map(|c| c.host.clone()).collect();
        let ports: BTreeSet<i32> = out
            .iter()
            .filter_map(|c| port_of(&c.private_link_address))
            .collect();
        res.clusters = out;
        self.warn_if_ports_closed(job, &ports).await;
        Ok(text!("detail-hosts", hosts = hosts.join(", ")))
    }

    /// A cluster whose host changed (Zilliz moved its private link
    /// address) leaves the zone the job made for the old host: it answers
    /// for a name nobody uses now, so it goes, as a teardown removes it
    /// (only what the job made, never what another job shares). Looked
    /// up by name every time, so a step run again after a crash finds
    /// nothing left to remove.
    async fn forget_moved_hosts(
        &self,
        job: &Job,
        before: &[ClusterDns],
        now: &[ClusterDns],
    ) -> Result<(), StepError> {
        let moved: Vec<&ClusterDns> = before
            .iter()
            .filter(|b| b.zone_id.is_some())
            .filter(|b| {
                now.iter()
                    .any(|n| n.cluster == b.cluster && n.host != b.host)
            })
            .collect();
        if moved.is_empty() {
            return Ok(());
        }
        let aws = self.aws(job).await?;
        let mut kept = Vec::new();
        for old in moved {
            self.tear_down_cluster_dns(job, &aws, old, &mut kept)
                .await?;
        }
        Ok(())
    }

    /// Preflight could only guess the clusters' port (from their public
    /// address); now that the private link addresses are known, the thread
    /// is told if the security groups do not let that port in. The job goes
    /// on: the link itself works, clients just cannot reach it yet. A check
    /// that cannot be made is logged, never a reason to fail the step.
    async fn warn_if_ports_closed(&self, job: &Job, ports: &BTreeSet<i32>) {
        let r = job.request();
        let groups = match self.aws(job).await {
            Ok(aws) => aws.network.security_groups(&r.security_groups).await,
            Err(e) => {
                tracing::warn!(job = %job.id(), error = %e, "could not check the security groups' ports");
                return;
            }
        };
        let groups = match groups {
            Ok(g) => g,
            Err(e) => {
                tracing::warn!(job = %job.id(), error = %e, "could not check the security groups' ports");
                return;
            }
        };
        let closed: Vec<String> = crate::ports::cloud::closed_ports(&groups, ports)
            .iter()
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

/// AWS's final words on the endpoint, each with what to do about it.
fn ended_at_aws(endpoint: &EndpointId, state: &EndpointState) -> Result<(), StepError> {
    match state {
        EndpointState::Rejected => Err(text!("err-endpoint-rejected", endpoint = endpoint).into()),
        EndpointState::Failed => Err(text!("err-endpoint-failed", endpoint = endpoint).into()),
        state if !state.is_live() => Err(text!(
            "err-endpoint-state",
            endpoint = endpoint,
            state = state.as_str()
        )
        .into()),
        _ => Ok(()),
    }
}

/// What Zilliz Cloud says of the registration, as the wait shows it; a
/// word that means failure ends the wait, and an unfamiliar one is noted
/// once and never waited on.
fn zilliz_word(
    job: &Job,
    endpoint: &EndpointId,
    registration: Option<&RegisteredEndpoint>,
    noted: &AtomicBool,
) -> Result<Text, StepError> {
    let Some(z) = registration else {
        return Ok(text!("wait-not-listed"));
    };
    match &z.status {
        RegistrationStatus::Failed(word) => {
            Err(text!("err-zilliz-reports", endpoint = endpoint, status = word).into())
        }
        RegistrationStatus::Unfamiliar(_) if !noted.swap(true, Ordering::Relaxed) => {
            tracing::warn!(job = %job.id(), status = %z.status, "Zilliz Cloud reported a status word the bot does not know; waiting on AWS and the private link addresses");
            Ok(Text::verbatim(z.status.word()))
        }
        _ => Ok(Text::verbatim(z.status.word())),
    }
}

/// The first of the clusters Zilliz has not yet given a private link
/// address.
async fn first_without_address<'c>(
    vendor: &Arc<dyn Vendor>,
    clusters: &'c [ClusterId],
) -> Result<Option<&'c ClusterId>, StepError> {
    for id in clusters {
        let address = vendor
            .cluster(id)
            .await
            .map_err(err("err-zilliz-describe-cluster"))?
            .and_then(|c| c.private_link_address)
            .filter(|a| !a.trim().is_empty());
        if address.is_none() {
            return Ok(Some(id));
        }
    }
    Ok(None)
}
