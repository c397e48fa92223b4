//! The Zilliz Cloud control-plane client (the documented V2 REST calls),
//! implementing the `Vendor` port over reqwest.
//!
//! Success is `{"code": 0, "data": …}` (V1's `200` too); anything else
//! carries the vendor's code and message, sometimes with HTTP 200, so the
//! code is always checked and classified (see `kind_of`). Reads are retried
//! on 429, 5xx and lost connections; writes only on 429 (see `retry`).

use async_trait::async_trait;
use reqwest::Method;
use serde_json::{Value, json};

use crate::domain::ids::{AccountId, ClusterId, EndpointId, ProjectId, ZillizRegion};
use crate::domain::words::{ClusterPlan, ClusterStatus, RegistrationStatus};
use crate::ports::cloud::{ClusterInfo, EndpointService, RegisteredEndpoint, Vendor};
use crate::ports::error::{CloudResult, ErrorKind};

mod client;
mod error;
pub mod probe;
mod settings;
mod wire;

pub use client::ZillizClient;
pub use error::{kind_of, lacks_permission};
pub use settings::{ZillizSettings, control_plane};
use wire::{ClusterItem, EndpointsPage, ServicesPage};

impl ZillizClient {
    /// The endpoint services in `region`; the project is optional in the
    /// call, and a key without one still proves itself with it.
    pub async fn services_in(
        &self,
        region: &ZillizRegion,
        project: Option<&ProjectId>,
    ) -> CloudResult<Vec<EndpointService>> {
        let mut query = vec![("regionId", region.to_string())];
        if let Some(p) = project {
            query.push(("projectId", p.to_string()));
        }
        let items = self
            .every_page(
                "/v2/privateEndpointServices",
                &query,
                |page: ServicesPage| (page.endpoint_services, page.count),
            )
            .await?;
        Ok(items
            .into_iter()
            .map(|s| EndpointService {
                region: s.region_id,
                service_name: s.endpoint_service,
                whitelist_required: s.whitelist_required,
            })
            .collect())
    }
}

#[async_trait]
impl Vendor for ZillizClient {
    async fn endpoint_services(
        &self,
        region: &ZillizRegion,
        project: &ProjectId,
    ) -> CloudResult<Vec<EndpointService>> {
        self.services_in(region, Some(project)).await
    }

    async fn register_endpoint(
        &self,
        project: &ProjectId,
        region: &ZillizRegion,
        endpoint: &EndpointId,
    ) -> CloudResult<()> {
        let _: Value = self
            .call(
                Method::POST,
                &format!("/v2/projects/{project}/privateEndpoints"),
                &[],
                Some(json!({ "regionId": region.as_str(), "endpointId": endpoint.as_str() })),
            )
            .await?;
        Ok(())
    }

    async fn whitelist_account(
        &self,
        project: &ProjectId,
        region: &ZillizRegion,
        account: &AccountId,
    ) -> CloudResult<()> {
        let _: Value = self
            .call(
                Method::POST,
                &format!("/v2/projects/{project}/privateEndpointWhitelist"),
                &[],
                Some(json!({ "regionId": region.as_str(), "outerUserId": account.as_str() })),
            )
            .await?;
        Ok(())
    }

    async fn endpoints(&self, project: &ProjectId) -> CloudResult<Vec<RegisteredEndpoint>> {
        let path = format!("/v2/projects/{project}/privateEndpoints");
        let items = self
            .every_page(&path, &[], |page: EndpointsPage| {
                (page.endpoints, page.count)
            })
            .await?;
        Ok(items
            .into_iter()
            .map(|e| RegisteredEndpoint {
                endpoint_id: e.endpoint_id,
                region: e.region_id,
                status: RegistrationStatus::parse(&e.endpoint_status),
            })
            .collect())
    }

    async fn deregister_endpoint(
        &self,
        project: &ProjectId,
        region: &ZillizRegion,
        endpoint: &EndpointId,
    ) -> CloudResult<()> {
        let listed = self.endpoints(project).await?;
        if !listed.iter().any(|e| e.endpoint_id == endpoint.as_str()) {
            return Ok(());
        }
        let _: Value = self
            .call(
                Method::DELETE,
                &format!("/v2/projects/{project}/privateEndpoints/{endpoint}"),
                &[("regionId", region.to_string())],
                None,
            )
            .await?;
        Ok(())
    }

    async fn cluster(&self, cluster: &ClusterId) -> CloudResult<Option<ClusterInfo>> {
        let result: CloudResult<ClusterItem> = self
            .call(Method::GET, &format!("/v2/clusters/{cluster}"), &[], None)
            .await;
        match result {
            Ok(c) => Ok(Some(ClusterInfo {
                id: c.cluster_id,
                name: c.cluster_name,
                project_id: c.project_id,
                region_id: c.region_id,
                plan: ClusterPlan::parse(&c.plan),
                status: ClusterStatus::parse(&c.status),
                private_link_address: Some(c.private_link_address).filter(|a| !a.is_empty()),
                connect_address: Some(c.connect_address).filter(|a| !a.is_empty()),
            })),
            Err(e) if e.kind == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}
