//! The transport under every Zilliz Cloud call: the bearer key, the
//! envelope checked and classified, retries by kind, paging, and a metric
//! per operation.

use std::time::Duration;

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::{Envelope, hint, kind_of};
use crate::backoff::Backoff;
use crate::ports::error::{CloudError, CloudResult, ErrorKind, Provider};
use crate::retry::{Effect, RetryPolicy};
use crate::secret::Secret;

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

    pub(super) async fn call<T: DeserializeOwned>(
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
    pub(super) async fn every_page<P: DeserializeOwned, T>(
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

    pub(super) async fn once<T: DeserializeOwned>(
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
    pub(super) async fn sent<T: DeserializeOwned>(
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
