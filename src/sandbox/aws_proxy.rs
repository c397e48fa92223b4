//! A small HTTP proxy between the AWS SDK and moto that behaves as AWS
//! documents where moto does not. moto ignores `DryRun` on
//! CreateVpcEndpoint and creates the endpoint; AWS answers HTTP 412
//! `DryRunOperation` when the caller may create it and HTTP 403
//! `UnauthorizedOperation` when not, in EC2's XML error shape. It can also
//! refuse chosen EC2 actions with AWS's own throttling error
//! (`RequestLimitExceeded`). Everything else is forwarded unchanged, and
//! every EC2 action is recorded.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// What the proxy answers to a DryRun CreateVpcEndpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DryRun {
    /// `DryRunOperation`: the caller may create the endpoint.
    #[default]
    Allowed,
    /// `UnauthorizedOperation`: the caller may not.
    Denied,
}

#[derive(Debug, Default)]
pub struct ProxyState {
    /// Where everything else goes (moto's URL); settable after start.
    pub upstream: String,
    pub dry_run: DryRun,
    /// EC2 actions seen ("CreateVpcEndpoint", "CreateVpcEndpoint DryRun", …).
    pub ec2_actions: Vec<String>,
    /// EC2 actions to refuse with AWS's throttling error, once per entry,
    /// before they reach moto ("CreateVpcEndpoint" for a real one,
    /// "CreateVpcEndpoint DryRun" for a dry run).
    pub throttle: Vec<String>,
}

#[derive(Clone)]
struct App {
    http: reqwest::Client,
    state: Arc<Mutex<ProxyState>>,
}

pub struct AwsProxy {
    pub url: String,
    pub state: Arc<Mutex<ProxyState>>,
    _stop: oneshot::Sender<()>,
}

impl AwsProxy {
    /// Starts the proxy on a free loopback port, in front of `upstream`
    /// (which may be set later through the state).
    pub async fn start(upstream: &str) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let url = format!("http://{}", listener.local_addr()?);
        let state = Arc::new(Mutex::new(ProxyState {
            upstream: upstream.trim_end_matches('/').to_owned(),
            ..ProxyState::default()
        }));
        let app = App {
            http: reqwest::Client::new(),
            state: state.clone(),
        };
        let router = Router::new().fallback(handle).with_state(app);
        let stop = super::serve_until_dropped(listener, router);
        Ok(Self {
            url,
            state,
            _stop: stop,
        })
    }

    pub fn lock(&self) -> MutexGuard<'_, ProxyState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// EC2's error answer, as AWS shapes it.
fn ec2_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>proxy-0000</RequestID></Response>"
    );
    (status, [("content-type", "text/xml")], body).into_response()
}

async fn handle(
    State(app): State<App>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let upstream = app
        .state
        .lock()
        .map(|st| st.upstream.trim_end_matches('/').to_owned())
        .unwrap_or_default();
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if let Some(action) = field("Action") {
        let dry = field("DryRun").is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let mut st = app.state.lock().unwrap_or_else(|e| e.into_inner());
        let seen = if dry {
            format!("{action} DryRun")
        } else {
            action.to_owned()
        };
        let throttled = st.throttle.iter().position(|a| *a == seen);
        st.ec2_actions.push(seen);
        if let Some(i) = throttled {
            st.throttle.remove(i);
            return ec2_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "RequestLimitExceeded",
                "Request limit exceeded.",
            );
        }
        if dry && action == "CreateVpcEndpoint" {
            return match st.dry_run {
                DryRun::Allowed => ec2_error(
                    StatusCode::PRECONDITION_FAILED,
                    "DryRunOperation",
                    "Request would have succeeded, but DryRun flag is set.",
                ),
                DryRun::Denied => ec2_error(
                    StatusCode::FORBIDDEN,
                    "UnauthorizedOperation",
                    "You are not authorized to perform this operation. User: arn:aws:iam::123456789012:user/bot is not authorized to perform: ec2:CreateVpcEndpoint",
                ),
            };
        }
    }
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let mut req = app
        .http
        .request(method, format!("{upstream}{path}"))
        .body(body);
    for (name, value) in headers.iter() {
        if name != "host" && name != "content-length" {
            req = req.header(name, value);
        }
    }
    match req.send().await {
        Ok(resp) => {
            let status = resp.status();
            let mut out = Response::builder().status(status.as_u16());
            for (name, value) in resp.headers() {
                if name != "content-length" && name != "transfer-encoding" {
                    out = out.header(name, value);
                }
            }
            let bytes = resp.bytes().await.unwrap_or_default();
            out.body(Body::from(bytes))
                .unwrap_or_else(|_| StatusCode::BAD_GATEWAY.into_response())
        }
        Err(_) => StatusCode::BAD_GATEWAY.into_response(),
    }
}
