//! The providers' own shapes, as the proxy must speak them: which Route 53
//! REST operation a request is, the injected failures, and each
//! provider's error answer (EC2's and STS's query XML, Route 53's REST XML).

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};

/// What the proxy answers to a DryRun CreateVpcEndpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DryRun {
    /// `DryRunOperation`: the caller may create the endpoint.
    #[default]
    Allowed,
    /// `UnauthorizedOperation`: the caller may not.
    Denied,
}

/// One injected failure, used once, for the first call of `action`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// "CreateVpcEndpoint", "CreateVpcEndpoint DryRun", "CreateHostedZone", …
    pub action: String,
    pub status: u16,
    pub code: String,
    pub message: String,
    /// Forward the call to moto first, then answer with the error.
    pub after_effect: bool,
}

impl Fault {
    /// AWS's throttling answer, before the call has any effect.
    pub fn throttle(action: &str) -> Self {
        let code = if is_route53(action) {
            "Throttling"
        } else {
            "RequestLimitExceeded"
        };
        Self {
            action: action.to_owned(),
            status: 503,
            code: code.to_owned(),
            message: "Rate exceeded".to_owned(),
            after_effect: false,
        }
    }

    /// An arbitrary error with the provider's code.
    pub fn error(action: &str, status: u16, code: &str, message: &str) -> Self {
        Self {
            action: action.to_owned(),
            status,
            code: code.to_owned(),
            message: message.to_owned(),
            after_effect: false,
        }
    }

    /// The same error, answered after moto carried the call out.
    pub fn after_effect(mut self) -> Self {
        self.after_effect = true;
        self
    }
}

pub(super) fn is_route53(action: &str) -> bool {
    ROUTE53_OPERATIONS.iter().any(|(_, _, op)| *op == action)
}

/// Route 53's REST operations the bot uses, by method and path shape.
const ROUTE53_OPERATIONS: [(&str, &str, &str); 9] = [
    ("POST", "/2013-04-01/hostedzone", "CreateHostedZone"),
    (
        "GET",
        "/2013-04-01/hostedzonesbyvpc",
        "ListHostedZonesByVPC",
    ),
    ("GET", "/2013-04-01/hostedzone/", "GetHostedZone"),
    ("DELETE", "/2013-04-01/hostedzone/", "DeleteHostedZone"),
    ("POST", "/rrset", "ChangeResourceRecordSets"),
    ("GET", "/rrset", "ListResourceRecordSets"),
    ("POST", "/associatevpc", "AssociateVPCWithHostedZone"),
    ("GET", "/2013-04-01/hostedzone", "ListHostedZones"),
    ("GET", "/2013-04-01/change/", "GetChange"),
];

/// The Route 53 operation a REST request is, if it is one.
pub(super) fn route53_operation(method: &Method, path: &str) -> Option<&'static str> {
    let path = path.split('?').next().unwrap_or(path);
    if !path.starts_with("/2013-04-01/") {
        return None;
    }
    let matches = |m: &str, shape: &str| {
        method.as_str() == m
            && if shape.starts_with("/2013-04-01/") {
                if shape.ends_with('/') {
                    path.strip_prefix(shape)
                        .is_some_and(|id| !id.is_empty() && !id.contains('/'))
                } else {
                    path == shape
                }
            } else {
                path.ends_with(shape)
            }
    };
    ROUTE53_OPERATIONS
        .iter()
        .find(|(m, shape, _)| matches(m, shape))
        .map(|(_, _, op)| *op)
}

/// The provider's error answer, in its own shape: Route 53's REST XML, or
/// the query protocol's XML that EC2 and STS share.
pub(super) fn error_answer(fault: &Fault) -> Response {
    let status = StatusCode::from_u16(fault.status).unwrap_or(StatusCode::BAD_REQUEST);
    let (code, message) = (&fault.code, &fault.message);
    let body = if is_route53(&fault.action) {
        format!(
            "<?xml version=\"1.0\"?>\n<ErrorResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>proxy-0000</RequestId></ErrorResponse>"
        )
    } else if fault.action == "AssumeRole" || fault.action == "GetCallerIdentity" {
        format!(
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>proxy-0000</RequestId></ErrorResponse>"
        )
    } else {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>proxy-0000</RequestID></Response>"
        )
    };
    (status, [("content-type", "text/xml")], body).into_response()
}
