//! Where AWS is stricter than moto, the proxy behaves as AWS documents. On
//! by default wherever the sandbox runs (the demo and every test):
//!
//! - a provider's endpoint service that requires a whitelist is invisible
//!   to an account until the provider has allowed it in, and then only
//!   after a propagation delay: `DescribeVpcEndpointServices` naming it and
//!   `CreateVpcEndpoint` to it answer `InvalidServiceName`;
//! - an endpoint to a provider's service is `pendingAcceptance` until the
//!   provider accepts the connection (the fake Zilliz's registration), and
//!   `rejected` when it refuses it; an endpoint can be made to `fail`;
//! - Route 53 changes are `PENDING` for a while, then `INSYNC` (`GetChange`);
//! - `ListHostedZonesByVPC` and a filtered `DescribeVpcEndpoints` page at
//!   small sizes; the first also lists zones of other owners (another
//!   account, an AWS service), whose `GetHostedZone` is denied.
//!
//! The provider is the fake Zilliz's state, shared: what its operators do
//! there (accept, reject, allow an account in) is what AWS shows here.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::{Fault, error_answer, form_value, xml_value};

mod rewrite;
use crate::sandbox::fake_zilliz::{Acceptance, FakeState};

/// A private hosted zone of another owner, associated with every VPC the
/// proxy is asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignZone {
    pub id: String,
    pub name: String,
    pub owner: ZoneOwner,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZoneOwner {
    /// Another AWS account (`HostedZoneOwner.OwningAccount`).
    Account(String),
    /// An AWS service (`HostedZoneOwner.OwningService`).
    Service(String),
}

/// The strict world's settings and what it remembers.
#[derive(Debug)]
pub struct Strict {
    /// The provider of endpoint services (the fake Zilliz): who is allowed
    /// in, which connections are accepted or rejected.
    pub provider: Option<Arc<Mutex<FakeState>>>,
    /// The account every caller acts as (moto's).
    pub account: String,
    /// How long after an account is allowed in its service becomes visible.
    pub visibility_delay: Duration,
    /// How long a Route 53 change stays `PENDING`.
    pub insync_after: Duration,
    /// Items per page of `ListHostedZonesByVPC`.
    pub zones_page_size: usize,
    /// Items per page of a filtered `DescribeVpcEndpoints`.
    pub endpoints_page_size: usize,
    /// Endpoints AWS reports `failed`.
    pub failed_endpoints: BTreeSet<String>,
    /// Every endpoint created from now on fails (no free address, say).
    pub fail_new_endpoints: bool,
    /// Zones of other owners, listed for every VPC.
    pub foreign_zones: Vec<ForeignZone>,
    /// Route 53 change id → when it was submitted.
    changes: HashMap<String, Instant>,
    /// What the strict world refused, as "Code Action" ("InvalidServiceName
    /// CreateVpcEndpoint", "InvalidChangeBatch ChangeResourceRecordSets").
    pub refusals: Vec<String>,
    /// `GetChange` answers given: (change id, "PENDING" or "INSYNC").
    pub change_answers: Vec<(String, &'static str)>,
    /// `ListHostedZonesByVPC` and `DescribeVpcEndpoints` pages served
    /// after the first.
    pub later_pages: usize,
}

impl Default for Strict {
    fn default() -> Self {
        Self {
            provider: None,
            account: "123456789012".to_owned(),
            visibility_delay: Duration::from_millis(500),
            insync_after: Duration::from_millis(200),
            zones_page_size: 2,
            endpoints_page_size: 1,
            failed_endpoints: BTreeSet::new(),
            fail_new_endpoints: false,
            foreign_zones: vec![ForeignZone {
                id: "Z0FOREIGN0000000000001".to_owned(),
                name: "corp.internal.".to_owned(),
                owner: ZoneOwner::Account("210987654321".to_owned()),
            }],
            changes: HashMap::new(),
            refusals: Vec::new(),
            change_answers: Vec::new(),
            later_pages: 0,
        }
    }
}

fn invalid_service_name(action: &str, name: &str) -> Response {
    error_answer(&Fault::error(
        action,
        400,
        "InvalidServiceName",
        &format!("The Vpc Endpoint Service '{name}' does not exist"),
    ))
}

/// The values of a query form's `Prefix.N` fields.
fn members<'a>(form: &'a [(String, String)], prefix: &str) -> Vec<&'a str> {
    form.iter()
        .filter(|(k, _)| {
            k.strip_prefix(prefix)
                .and_then(|rest| rest.strip_prefix('.'))
                .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()))
        })
        .map(|(_, v)| v.as_str())
        .collect()
}

/// The id at the end of a Route 53 path (`/2013-04-01/change/C123`).
fn last_segment(path: &str) -> &str {
    let path = path.split('?').next().unwrap_or(path);
    path.rsplit('/').next().unwrap_or_default()
}

fn route53_xml(body: String) -> Response {
    (StatusCode::OK, [("content-type", "text/xml")], body).into_response()
}

impl Strict {
    fn visible(&self, service_name: &str) -> bool {
        match &self.provider {
            None => true,
            Some(p) => p.lock().unwrap_or_else(|e| e.into_inner()).visible_to(
                service_name,
                &self.account,
                self.visibility_delay,
            ),
        }
    }

    /// An answer AWS would give before the call reaches moto, if any.
    pub(super) fn answer_before(
        &mut self,
        action: &str,
        path: &str,
        form: &[(String, String)],
    ) -> Option<Response> {
        let (answer, refusal) = self.decide_before(action, path, form)?;
        if let Some(code) = refusal {
            self.refusals.push(format!("{code} {action}"));
        }
        Some(answer)
    }

    fn decide_before(
        &mut self,
        action: &str,
        path: &str,
        form: &[(String, String)],
    ) -> Option<(Response, Option<&'static str>)> {
        match action {
            "DescribeVpcEndpointServices" => members(form, "ServiceName")
                .into_iter()
                .find(|name| !self.visible(name))
                .map(|name| {
                    (
                        invalid_service_name(action, name),
                        Some("InvalidServiceName"),
                    )
                }),
            "CreateVpcEndpoint" => form_value(form, "ServiceName")
                .filter(|name| !self.visible(name))
                .map(|name| {
                    (
                        invalid_service_name(action, name),
                        Some("InvalidServiceName"),
                    )
                }),
            "GetChange" => {
                let id = last_segment(path);
                let submitted = self.changes.get(id)?;
                let status = if submitted.elapsed() >= self.insync_after {
                    "INSYNC"
                } else {
                    "PENDING"
                };
                self.change_answers.push((id.to_owned(), status));
                Some((
                    route53_xml(format!(
                        "<?xml version=\"1.0\"?>\n<GetChangeResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><ChangeInfo><Id>/change/{id}</Id><Status>{status}</Status><SubmittedAt>2026-01-01T00:00:00Z</SubmittedAt></ChangeInfo></GetChangeResponse>"
                    )),
                    None,
                ))
            }
            "GetHostedZone" => {
                let id = last_segment(path);
                self.foreign_zones.iter().find(|z| z.id == id).map(|z| {
                    let answer = error_answer(&Fault::error(
                        action,
                        403,
                        "AccessDenied",
                        &format!(
                            "User: arn:aws:iam::{}:user/bot is not authorized to access this resource: hosted zone {} belongs to another owner",
                            self.account, z.id
                        ),
                    ));
                    (answer, Some("AccessDenied"))
                })
            }
            _ => None,
        }
    }

    /// The path to forward: list calls the proxy pages itself go to moto
    /// whole.
    pub(super) fn upstream_path(action: &str, path: &str) -> String {
        if action != "ListHostedZonesByVPC" {
            return path.to_owned();
        }
        let (base, query) = path.split_once('?').unwrap_or((path, ""));
        let kept: Vec<&str> = query
            .split('&')
            .filter(|kv| {
                let key = kv.split('=').next().unwrap_or_default();
                !key.eq_ignore_ascii_case("maxitems") && !key.eq_ignore_ascii_case("nexttoken")
            })
            .collect();
        format!("{base}?{}", kept.join("&"))
    }

    /// The form to forward: a filtered `DescribeVpcEndpoints`, which the
    /// proxy pages itself, goes to moto without its paging fields.
    pub(super) fn upstream_body(
        action: &str,
        form: &[(String, String)],
    ) -> Option<axum::body::Bytes> {
        if action != "DescribeVpcEndpoints" || !Self::pages_endpoints(form) {
            return None;
        }
        let kept: Vec<&(String, String)> = form
            .iter()
            .filter(|(k, _)| k != "NextToken" && k != "MaxResults")
            .collect();
        serde_urlencoded::to_string(kept)
            .ok()
            .map(axum::body::Bytes::from)
    }

    /// Lookups by id are answered whole, as AWS does; filtered ones page.
    fn pages_endpoints(form: &[(String, String)]) -> bool {
        !form.iter().any(|(k, _)| k.starts_with("VpcEndpointId."))
    }
}
