//! A small HTTP proxy between the AWS SDK and moto that behaves as AWS
//! documents where moto does not:
//! - moto ignores `DryRun` on CreateVpcEndpoint and creates the endpoint;
//!   AWS answers HTTP 412 `DryRunOperation` when the caller may create it
//!   and HTTP 403 `UnauthorizedOperation` when not, in EC2's XML error shape;
//! - moto gives an interface endpoint only its regional DNS entry; AWS also
//!   lists one entry per zone, in no promised order, so the proxy puts a
//!   zonal entry first;
//! - moto lets anyone assume any role; the proxy refuses chosen roles with
//!   STS's `AccessDenied`;
//! - moto ignores `ClientToken` and `CallerReference`; AWS answers a repeated
//!   CreateVpcEndpoint token with the same endpoint, and refuses a repeated
//!   CreateHostedZone reference with `HostedZoneAlreadyExists`.
//!
//! Where AWS is stricter than moto (whitelisted services, acceptance,
//! Route 53 propagation, paging, zones of other owners), `strict.rs` makes
//! it so.
//!
//! It also injects faults in the providers' own error shapes (EC2's and
//! STS's XML, Route 53's REST XML): before the call reaches moto, or after
//! moto carried it out (the effect happened, the answer is an error).
//! Everything else is forwarded unchanged, and every action is recorded.

mod exact_delete;
mod handle;
pub mod iam;
mod shapes;
mod strict;

pub use shapes::{DryRun, Fault};
use shapes::{error_answer, is_route53};

pub use strict::{ForeignZone, Strict, ZoneOwner};

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

#[derive(Debug, Default)]
pub struct ProxyState {
    /// Where everything else goes (moto's URL); settable after start.
    pub upstream: String,
    pub dry_run: DryRun,
    /// Actions seen: EC2 and STS by their `Action` ("CreateVpcEndpoint",
    /// "CreateVpcEndpoint DryRun", "AssumeRole"), Route 53 by its REST
    /// operation ("CreateHostedZone", "ListHostedZonesByVPC", …).
    pub actions: Vec<String>,
    /// Failures to inject, each used once.
    pub faults: Vec<Fault>,
    /// Role ARNs that AssumeRole refuses.
    pub refused_roles: Vec<String>,
    /// Role ARN → the external id its trust policy requires
    /// (`sts:ExternalId`): AssumeRole without it is refused.
    pub role_external_ids: std::collections::HashMap<String, String>,
    /// List a zonal DNS entry before the regional one on every endpoint.
    pub zonal_first: bool,
    /// The share of calls (0 to 1) answered with a random failure in the
    /// provider's shape: throttled, a server error before the effect or
    /// after it, or a slow answer. DryRuns are left alone.
    pub chaos: f64,
    /// Failures the chaos injected so far.
    pub injected: u32,
    /// Added to every forwarded call: a slowed AWS, so that a process
    /// killed at a random moment is often in the middle of a call.
    pub latency: Option<std::time::Duration>,
    /// (service, region) of every signed call's credential scope: where
    /// the SDK signed it (Route 53 in `us-east-1`, or `cn-northwest-1` in
    /// the China partition).
    pub signed_for: std::collections::BTreeSet<(String, String)>,
    /// ClientToken → the answer to the CreateVpcEndpoint that used it.
    client_tokens: std::collections::HashMap<String, Bytes>,
    /// CallerReferences of the hosted zones created.
    caller_references: std::collections::HashSet<String>,
    /// AWS's strictness where moto is lenient.
    pub strict: Strict,
    /// The IAM policy every caller holds (`iam.rs`): the shipped one by
    /// default; None lets anything through, as moto does.
    pub policy: Option<Arc<iam::Policy>>,
}

#[derive(Clone)]
struct App {
    http: reqwest::Client,
    state: Arc<Mutex<ProxyState>>,
}

/// A running proxy; it stops when the last clone is dropped.
#[derive(Clone)]
pub struct AwsProxy {
    pub url: String,
    pub state: Arc<Mutex<ProxyState>>,
    _stop: Arc<oneshot::Sender<()>>,
}

impl ProxyState {
    /// How many calls of exactly `action` the proxy saw.
    pub fn count(&self, action: &str) -> usize {
        self.actions.iter().filter(|a| *a == action).count()
    }
}

impl AwsProxy {
    /// Starts the proxy on a free loopback port, in front of `upstream`
    /// (which may be set later through the state).
    pub async fn start(upstream: &str) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let url = format!("http://{}", listener.local_addr()?);
        let state = Arc::new(Mutex::new(ProxyState {
            upstream: upstream.trim_end_matches('/').to_owned(),
            policy: Some(Arc::new(iam::Policy::shipped())),
            ..ProxyState::default()
        }));
        let app = App {
            http: reqwest::Client::new(),
            state: state.clone(),
        };
        let router = Router::new().fallback(handle::handle).with_state(app);
        let stop = super::serve_until_dropped(listener, router);
        Ok(Self {
            url,
            state,
            _stop: Arc::new(stop),
        })
    }

    pub fn lock(&self) -> MutexGuard<'_, ProxyState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// What the proxy does with one call, decided before forwarding it.
enum Decision {
    Answer(Response),
    Forward {
        then_fail: Option<Fault>,
        delay: Option<std::time::Duration>,
    },
}

/// A random failure for `action`, in its provider's shape, laid over what
/// the strict AWS would have done: a fault before the call acts answers in
/// its place; a fault after it, or a slow answer, keeps the call's own
/// answer and effect (so chaos never shows what strictness hides, such as a
/// service not yet visible or a change not yet in sync).
fn chaotic(action: &str, decided: Decision) -> Decision {
    let server_error = || {
        if is_route53(action) {
            Fault::error(action, 503, "ServiceUnavailable", "Service unavailable")
        } else {
            Fault::error(
                action,
                500,
                "InternalError",
                "An internal error has occurred",
            )
        }
    };
    match (rand::random_range(0..4u8), decided) {
        (0, _) => Decision::Answer(error_answer(&Fault::throttle(action))),
        (1, _) | (2, Decision::Answer(_)) => Decision::Answer(error_answer(&server_error())),
        (2, Decision::Forward { delay, .. }) => Decision::Forward {
            then_fail: Some(server_error()),
            delay,
        },
        (_, Decision::Forward { then_fail, .. }) => Decision::Forward {
            then_fail,
            delay: Some(std::time::Duration::from_millis(300)),
        },
        (_, answered) => answered,
    }
}

/// The value of `<tag>…</tag>` in an XML body.
/// A field of a query-protocol form (EC2's and STS's), by name.
fn form_value<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn xml_value<'a>(xml: &'a str, tag: &str) -> Option<&'a str> {
    let (_, rest) = xml.split_once(&format!("<{tag}>"))?;
    rest.split_once(&format!("</{tag}>")).map(|(v, _)| v)
}

fn decide(st: &mut ProxyState, seen: String, path: &str, form: &[(String, String)]) -> Decision {
    // A fault a test asked for is exactly what the call meets.
    let asked = st.faults.iter().any(|f| f.action == seen);
    let chaos =
        !asked && st.chaos > 0.0 && !seen.ends_with("DryRun") && rand::random::<f64>() < st.chaos;
    let decided = decide_strictly(st, &seen, path, form);
    if chaos {
        st.injected += 1;
        return chaotic(&seen, decided);
    }
    decided
}

/// What AWS itself would do with the call, faults asked for by a test
/// first.
fn decide_strictly(
    st: &mut ProxyState,
    seen: &str,
    path: &str,
    form: &[(String, String)],
) -> Decision {
    let field = |name: &str| form_value(form, name);
    let fault = st
        .faults
        .iter()
        .position(|f| f.action == seen)
        .map(|i| st.faults.remove(i));
    st.actions.push(seen.to_owned());
    if let Some(f) = fault {
        return if f.after_effect {
            Decision::Forward {
                then_fail: Some(f),
                delay: None,
            }
        } else {
            Decision::Answer(error_answer(&f))
        };
    }
    // As AWS: a repeated token or reference is answered, not acted on.
    if seen == "CreateVpcEndpoint"
        && let Some(answer) = field("ClientToken").and_then(|t| st.client_tokens.get(t))
    {
        return Decision::Answer(
            (
                StatusCode::OK,
                [("content-type", "text/xml")],
                answer.clone(),
            )
                .into_response(),
        );
    }
    if let Some(answer) = answer_as_aws_does(st, seen, form) {
        return Decision::Answer(answer);
    }
    if let Some(answer) = st.strict.answer_before(seen, path, form) {
        return Decision::Answer(answer);
    }
    Decision::Forward {
        then_fail: None,
        delay: None,
    }
}

/// AWS's own answer where moto would act: a dry run's verdict, a role
/// refused to this caller (or asked without the external id its trust
/// policy requires).
fn answer_as_aws_does(st: &ProxyState, seen: &str, form: &[(String, String)]) -> Option<Response> {
    let field = |name: &str| form_value(form, name);
    if seen == "CreateVpcEndpoint DryRun" {
        let f = match st.dry_run {
            DryRun::Allowed => Fault::error(
                seen,
                412,
                "DryRunOperation",
                "Request would have succeeded, but DryRun flag is set.",
            ),
            DryRun::Denied => Fault::error(
                seen,
                403,
                "UnauthorizedOperation",
                "You are not authorized to perform this operation. User: arn:aws:iam::123456789012:user/bot is not authorized to perform: ec2:CreateVpcEndpoint",
            ),
        };
        return Some(error_answer(&f));
    }
    if seen != "AssumeRole" {
        return None;
    }
    let role = field("RoleArn").unwrap_or_default();
    let wrong_external_id = st
        .role_external_ids
        .get(role)
        .is_some_and(|wanted| field("ExternalId") != Some(wanted.as_str()));
    (st.refused_roles.iter().any(|r| r == role) || wrong_external_id).then(|| {
        error_answer(&Fault::error(
            "AssumeRole",
            403,
            "AccessDenied",
            &format!(
                "User: arn:aws:iam::123456789012:user/bot is not authorized to perform: sts:AssumeRole on resource: {role}"
            ),
        ))
    })
}

/// The (service, region) of a SigV4 `Authorization` header's credential
/// scope: `Credential=AKID/20260101/us-east-1/route53/aws4_request`.
pub(super) fn credential_scope(authorization: &str) -> Option<(String, String)> {
    let credential = authorization.split("Credential=").nth(1)?;
    let mut parts = credential.split(['/', ',']).skip(2);
    let region = parts.next()?.to_owned();
    let service = parts.next()?.to_owned();
    Some((service, region))
}

/// Puts a zonal entry before each endpoint's regional one, as AWS may.
fn zonal_entry_first(xml: &str) -> String {
    const OPEN: &str = "<dnsEntrySet><item><dnsName>";
    let mut out = String::with_capacity(xml.len() + 256);
    let mut rest = xml;
    while let Some((before, after)) = rest.split_once(OPEN) {
        let name = after.split('<').next().unwrap_or_default();
        let zonal = match name.split_once('.') {
            Some((label, domain)) => format!("{label}-us-west-2a.{domain}"),
            None => format!("{name}-us-west-2a"),
        };
        out.push_str(before);
        out.push_str(&format!(
            "<dnsEntrySet><item><dnsName>{zonal}</dnsName><hostedZoneId>ZONAL0000</hostedZoneId></item><item><dnsName>"
        ));
        rest = after;
    }
    out.push_str(rest);
    out
}
