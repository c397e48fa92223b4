//! One call through the proxy, in the order AWS would judge it: read what
//! was asked, let the caller's IAM policy refuse it, let the strict rules
//! and injected faults answer instead of moto, refuse an inexact record
//! delete, then forward to moto, remember what took effect (for
//! idempotency), and answer as AWS would have.

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::shapes::{error_answer, route53_operation};
use super::{
    App, Decision, Fault, ProxyState, Strict, credential_scope, decide, exact_delete, form_value,
    iam, xml_value, zonal_entry_first,
};

/// What a call asks, read once.
struct Asked {
    form: Vec<(String, String)>,
    path: String,
    /// The action as recorded: EC2/STS `Action` (with " DryRun"), or
    /// Route 53's REST operation.
    seen: Option<String>,
    /// Route 53's `CallerReference`, when the body has one.
    reference: Option<String>,
    /// EC2's `ClientToken`, when the form has one.
    token: Option<String>,
    authorization: String,
}

impl Asked {
    fn read(method: &Method, uri: &Uri, headers: &HeaderMap, body: &Bytes) -> Self {
        let form: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
        let path = uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/")
            .to_owned();
        let value = |key: &str| form_value(&form, key).map(str::to_owned);
        let dry = form
            .iter()
            .any(|(k, v)| k == "DryRun" && v.eq_ignore_ascii_case("true"));
        let seen = match (value("Action"), route53_operation(method, &path)) {
            (Some(a), _) if dry => Some(format!("{a} DryRun")),
            (Some(a), _) => Some(a),
            (None, Some(op)) => Some(op.to_owned()),
            (None, None) => None,
        };
        let reference = std::str::from_utf8(body)
            .ok()
            .and_then(|b| xml_value(b, "CallerReference"))
            .map(str::to_owned);
        let authorization = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        Self {
            token: value("ClientToken"),
            form,
            path,
            seen,
            reference,
            authorization,
        }
    }

    fn is(&self, action: &str) -> bool {
        self.seen.as_deref() == Some(action)
    }
}

fn lock(app: &App) -> std::sync::MutexGuard<'_, ProxyState> {
    app.state.lock().unwrap_or_else(|e| e.into_inner())
}

pub(super) async fn handle(
    State(app): State<App>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let asked = Asked::read(&method, &uri, &headers, &body);
    if let Some(scope) = credential_scope(&asked.authorization) {
        lock(&app).signed_for.insert(scope);
    }
    // AWS judges the caller's policy before anything else.
    if let Some(refused) = refused_by_policy(&app, &asked).await {
        return refused;
    }
    let (upstream, decision, zonal_first) = decided(&app, &asked);
    let (then_fail, delay) = match decision {
        Decision::Answer(answer) => return answer,
        Decision::Forward { then_fail, delay } => (then_fail, delay),
    };
    if let Some(refused) = refused_as_inexact(&app, &asked, &upstream, &body).await {
        return refused;
    }
    let latency = lock(&app).latency;
    if let Some(d) = delay.or(latency) {
        tokio::time::sleep(d).await;
    }
    let (status, answer_headers, bytes) =
        match forwarded(&app, method, &headers, body, &asked, &upstream).await {
            Ok(answer) => answer,
            Err(failed) => return failed,
        };
    // What was done is remembered before any injected failure is answered,
    // so the caller's retry meets AWS's idempotency, not a second effect.
    if status.is_success() {
        remember_effect(&mut lock(&app), &asked, &bytes);
    }
    if let Some(f) = then_fail {
        return error_answer(&f);
    }
    answered_as_aws(&app, &asked, status, &answer_headers, bytes, zonal_first)
}

/// The caller's IAM policy, when the test set one, refusing the call.
async fn refused_by_policy(app: &App, asked: &Asked) -> Option<Response> {
    let (policy, upstream) = {
        let st = lock(app);
        (
            st.policy.clone(),
            st.upstream.trim_end_matches('/').to_owned(),
        )
    };
    let (action, policy) = (asked.seen.as_ref()?, policy?);
    let (answer, code) = iam::authorize(
        &app.http,
        &policy,
        action,
        &asked.form,
        &asked.path,
        &asked.authorization,
        &upstream,
    )
    .await?;
    let mut st = lock(app);
    st.actions.push(action.clone());
    st.strict.refusals.push(format!("{code} {action}"));
    Some(answer)
}

/// What the proxy decides before moto sees the call: moto's URL, the
/// decision, and whether zonal DNS entries go first.
fn decided(app: &App, asked: &Asked) -> (String, Decision, bool) {
    let mut st = lock(app);
    let repeated_zone = asked.is("CreateHostedZone")
        && asked
            .reference
            .as_ref()
            .is_some_and(|r| st.caller_references.contains(r));
    let decision = match asked.seen.clone() {
        Some(_) if repeated_zone => Decision::Answer(error_answer(&Fault::error(
            "CreateHostedZone",
            409,
            "HostedZoneAlreadyExists",
            "A hosted zone has already been created with the specified caller reference.",
        ))),
        Some(seen) => decide(&mut st, seen, &asked.path, &asked.form),
        None => Decision::Forward {
            then_fail: None,
            delay: None,
        },
    };
    (
        st.upstream.trim_end_matches('/').to_owned(),
        decision,
        st.zonal_first,
    )
}

/// Route 53 refusing a DELETE whose record does not match exactly.
async fn refused_as_inexact(
    app: &App,
    asked: &Asked,
    upstream: &str,
    body: &Bytes,
) -> Option<Response> {
    if !asked.is("ChangeResourceRecordSets") {
        return None;
    }
    let text = std::str::from_utf8(body).ok()?;
    let (answer, code) = exact_delete::refuse_inexact_delete(
        &app.http,
        upstream,
        &asked.path,
        &asked.authorization,
        text,
    )
    .await?;
    lock(app)
        .strict
        .refusals
        .push(format!("{code} ChangeResourceRecordSets"));
    Some(answer)
}

/// The call sent on to moto (its path and body as strict AWS needs them):
/// moto's status, headers and body.
async fn forwarded(
    app: &App,
    method: Method,
    headers: &HeaderMap,
    body: Bytes,
    asked: &Asked,
    upstream: &str,
) -> Result<(StatusCode, HeaderMap, Bytes), Response> {
    let action = asked.seen.as_deref().unwrap_or_default();
    let path = Strict::upstream_path(action, &asked.path);
    let body = Strict::upstream_body(action, &asked.form).unwrap_or(body);
    let mut req = app
        .http
        .request(method, format!("{upstream}{path}"))
        .body(body);
    for (name, value) in headers {
        if name != "host" && name != "content-length" {
            req = req.header(name, value);
        }
    }
    let resp = req
        .send()
        .await
        .map_err(|_| StatusCode::BAD_GATEWAY.into_response())?;
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.bytes().await.unwrap_or_default();
    Ok((status, headers, bytes))
}

/// Keeps what AWS's idempotency needs: the endpoint a client token made,
/// and each caller reference used.
fn remember_effect(st: &mut ProxyState, asked: &Asked, bytes: &Bytes) {
    if asked.is("CreateVpcEndpoint")
        && let Some(t) = &asked.token
    {
        st.client_tokens.insert(t.clone(), bytes.clone());
    }
    if asked.is("CreateHostedZone")
        && let Some(r) = &asked.reference
    {
        st.caller_references.insert(r.clone());
    }
}

/// Moto's answer, rewritten where strict AWS answers otherwise (states,
/// pages, zonal DNS entries first).
fn answered_as_aws(
    app: &App,
    asked: &Asked,
    status: StatusCode,
    headers: &HeaderMap,
    bytes: Bytes,
    zonal_first: bool,
) -> Response {
    let mut out = Response::builder().status(status.as_u16());
    for (name, value) in headers {
        if name != "content-length" && name != "transfer-encoding" {
            out = out.header(name, value);
        }
    }
    let bytes = match (std::str::from_utf8(&bytes), &asked.seen) {
        (Ok(text), Some(action)) if status.is_success() => {
            let strict = lock(app)
                .strict
                .rewrite(action, &asked.path, &asked.form, text);
            let text = strict.as_deref().unwrap_or(text);
            if zonal_first && text.contains("<dnsEntrySet>") {
                Bytes::from(zonal_entry_first(text))
            } else if strict.is_some() {
                Bytes::from(text.to_owned())
            } else {
                bytes
            }
        }
        _ => bytes,
    };
    out.body(Body::from(bytes))
        .unwrap_or_else(|_| StatusCode::BAD_GATEWAY.into_response())
}
