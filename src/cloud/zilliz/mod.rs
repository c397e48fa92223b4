//! The Zilliz Cloud control-plane client (the documented V2 REST calls),
//! implementing the `Vendor` port over reqwest.
//!
//! Success is `{"code": 0, "data": …}` (V1's `200` too); anything else
//! carries the vendor's code and message, sometimes with HTTP 200, so the
//! code is always checked and classified (see `kind_of`). Reads are retried
//! on 429, 5xx and lost connections; writes only on 429 (see `retry`).

use std::time::Duration;

use async_trait::async_trait;
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::backoff::Backoff;
use crate::domain::ids::{ClusterId, EndpointId, ProjectId, ZillizRegion};
use crate::domain::words::{ClusterPlan, ClusterStatus, RegistrationStatus};
use crate::ports::cloud::{ClusterInfo, EndpointService, RegisteredEndpoint, Vendor};
use crate::ports::error::{CloudError, CloudResult, ErrorKind, Provider};
use crate::retry::{Effect, RetryPolicy};
use crate::secret::Secret;

mod error;
pub mod probe;
mod settings;
mod wire;

use error::{Envelope, hint};
pub use error::{kind_of, lacks_permission};
pub use settings::{ZillizSettings, control_plane};
use wire::{ClusterItem, EndpointsPage, ServicesPage};

const PAGE_SIZE: u32 = 100;

pub struct ZillizClient {
    http: reqwest::Client,
    base: String,
    key: Secret,
    retry: RetryPolicy,
    metrics: Option<std::sync::Arc<crate::metrics::Metrics>>,
}

/// A call's path with its ids taken out, for a metric label of bounded
/// cardinality: `/v2/projects/:id/privateEndpoints`.
fn operation(method: &Method, path: &str) -> String {
    let mut out = String::new();
    let mut after_name = false;
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        let id = after_name;
        out.push('/');
        out.push_str(if id { ":id" } else { segment });
        after_name = matches!(segment, "projects" | "clusters" | "privateEndpoints");
    }
    format!("{method} {out}")
}

impl ZillizClient {
    pub fn new(base_url: &str, key: Secret) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .user_agent(concat!("privatelink-bot/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            http,
            base: base_url.trim_end_matches('/').to_owned(),
            key,
            retry: RetryPolicy {
                backoff: Backoff {
                    initial: Duration::from_millis(500),
                    max: Duration::from_secs(10),
                },
                attempts: 5,
            },
            metrics: None,
        })
    }

    /// Counts every call in `metrics`.
    pub fn with_metrics(mut self, metrics: std::sync::Arc<crate::metrics::Metrics>) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// Overrides the retry policy (tests use short delays).
    pub fn with_retries(mut self, backoff: Backoff, attempts: u32) -> Self {
        self.retry = RetryPolicy {
            backoff,
            attempts: attempts.max(1),
        };
        self
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<Value>,
    ) -> CloudResult<T> {
        let effect = if method == Method::GET {
            Effect::Read
        } else {
            Effect::Write
        };
        let what = format!("{method} {path}");
        self.retry
            .run(&what, effect, || {
                self.once(&method, path, query, body.as_ref())
            })
            .await
    }

    /// Reads every page of a list call: pages start at 1, 100 asked for
    /// each. Where `count` is given it decides (a server may serve fewer
    /// than asked, so a short page alone is not the end); an empty page
    /// always ends it, so a `count` that lies cannot loop for ever.
    async fn every_page<P: DeserializeOwned, T>(
        &self,
        path: &str,
        query: &[(&str, String)],
        items: impl Fn(P) -> (Vec<T>, Option<u64>),
    ) -> CloudResult<Vec<T>> {
        let mut out = Vec::new();
        // Far more pages than any project holds endpoints: a server whose
        // `count` lies cannot keep the loop going for ever.
        const MAX_PAGES: u32 = 1_000;
        for page_no in 1u32..=MAX_PAGES {
            let mut q = query.to_vec();
            q.push(("currentPage", page_no.to_string()));
            q.push(("pageSize", PAGE_SIZE.to_string()));
            let (got, count) = items(self.call(Method::GET, path, &q, None).await?);
            let (empty, short) = (got.is_empty(), got.len() < PAGE_SIZE as usize);
            out.extend(got);
            let done = match count {
                Some(c) => out.len() as u64 >= c,
                None => short,
            };
            if done || empty {
                break;
            }
        }
        Ok(out)
    }

    async fn once<T: DeserializeOwned>(
        &self,
        method: &Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> CloudResult<T> {
        let url = format!("{}{path}", self.base);
        let mut req = self
            .http
            .request(method.clone(), &url)
            .bearer_auth(self.key.expose())
            .query(query);
        if let Some(b) = body {
            req = req.json(b);
        }
        let result = self.sent(req, method, path).await;
        if let Some(m) = &self.metrics {
            m.cloud_call("zilliz", &operation(method, path), result.is_err());
        }
        result
    }

    /// Sends one request and reads Zilliz's envelope.
    async fn sent<T: DeserializeOwned>(
        &self,
        req: reqwest::RequestBuilder,
        method: &Method,
        path: &str,
    ) -> CloudResult<T> {
        let fail = |kind, message: String| CloudError::new(kind, Provider::Zilliz, message);
        // reqwest errors name the URL, never the Authorization header.
        let resp = req
            .send()
            .await
            .map_err(|e| fail(ErrorKind::Unavailable, format!("{method} {path}: {e}")))?;
        let status = resp.status();
        let request_id = resp
            .headers()
            .get("requestid")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let text = resp
            .text()
            .await
            .map_err(|e| fail(ErrorKind::Unavailable, format!("{method} {path}: {e}")))?;
        let envelope: Envelope = match serde_json::from_str(&text) {
            Ok(envelope) => envelope,
            Err(_) => {
                let mut e = fail(
                    kind_of(status, None),
                    format!(
                        "{method} {path}: HTTP {status} with a body that is not Zilliz's envelope: {}",
                        text.chars().take(200).collect::<String>()
                    ),
                )
                .with_request_id(request_id);
                e.retry_after = retry_after;
                return Err(e);
            }
        };
        // Success is a success status *and* a success code: an error status
        // with a code that looks like success (or none) is still an error.
        let code_ok = matches!(envelope.code, 0 | 200);
        if !status.is_success() || !code_ok {
            let kind = kind_of(status, Some(envelope.code).filter(|_| !code_ok));
            let said = envelope
                .message
                .filter(|m| !m.trim().is_empty())
                .unwrap_or_else(|| format!("HTTP {status}"));
            let mut e = fail(
                kind,
                format!("{said} ({method} {path}){}", hint(status, envelope.code)),
            )
            .with_request_id(request_id);
            if !code_ok {
                e = e.with_code(envelope.code.to_string());
            }
            e.retry_after = retry_after;
            return Err(e);
        }
        let data = envelope.data.unwrap_or(Value::Null);
        serde_json::from_value(data).map_err(|e| {
            fail(
                ErrorKind::Other,
                format!("{method} {path}: unexpected data shape: {e}"),
            )
            .with_request_id(request_id)
        })
    }
}

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
        account: &str,
    ) -> CloudResult<()> {
        let _: Value = self
            .call(
                Method::POST,
                &format!("/v2/projects/{project}/privateEndpointWhitelist"),
                &[],
                Some(json!({ "regionId": region.as_str(), "outerUserId": account })),
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

#[cfg(test)]
mod operation_tests {
    use super::*;

    #[test]
    fn operations_are_labelled_without_ids() {
        let op = |m: Method, p: &str| operation(&m, p);
        assert_eq!(
            op(
                Method::DELETE,
                "/v2/projects/proj-1/privateEndpoints/vpce-1"
            ),
            "DELETE /v2/projects/:id/privateEndpoints/:id"
        );
        assert_eq!(
            op(Method::GET, "/v2/clusters/in01-abc"),
            "GET /v2/clusters/:id"
        );
        assert_eq!(
            op(Method::POST, "/v2/projects/proj-1/privateEndpointWhitelist"),
            "POST /v2/projects/:id/privateEndpointWhitelist"
        );
        assert_eq!(
            op(Method::GET, "/v2/privateEndpointServices"),
            "GET /v2/privateEndpointServices"
        );
    }
}
