//! The fake's routes: the bearer-key gate, injected faults, and one handler
//! per documented call, each answering in Zilliz's envelope.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::*;

#[derive(Clone)]
struct App {
    key: Arc<String>,
    state: Arc<Mutex<FakeState>>,
}

impl App {
    fn lock(&self) -> MutexGuard<'_, FakeState> {
        // A panic while holding the lock would poison it; the state itself
        // is still consistent enough for a fake.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The documented routes over `state`, answering only `key`.
pub(super) fn router(key: &str, state: Arc<Mutex<FakeState>>) -> Router {
    let app = App {
        key: Arc::new(key.to_owned()),
        state,
    };
    Router::new()
        .route("/v2/privateEndpointServices", get(services))
        .route(
            "/v2/projects/{project}/privateEndpoints",
            get(list_endpoints).post(register),
        )
        .route(
            "/v2/projects/{project}/privateEndpoints/{endpoint}",
            delete(deregister),
        )
        .route(
            "/v2/projects/{project}/privateEndpointWhitelist",
            post(whitelist),
        )
        .route("/v2/clusters/{cluster}", get(cluster))
        .with_state(app)
}

fn ok(data: Value) -> Response {
    Json(json!({ "code": 0, "data": data })).into_response()
}

fn fail(status: StatusCode, code: i64, message: &str) -> Response {
    (status, Json(json!({ "code": code, "message": message }))).into_response()
}

/// Checks the key and injected faults; records the request.
fn gate(app: &App, headers: &HeaderMap, request: String) -> Option<Response> {
    let mut st = app.lock();
    st.after_effect = None;
    st.requests.push(request.clone());
    let expected = format!("Bearer {}", app.key);
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        // Recorded from Zilliz Cloud for a wrong key.
        return Some(fail(
            StatusCode::UNAUTHORIZED,
            21119,
            "The apikey is illegal",
        ));
    }
    let write = request.starts_with("POST ") || request.starts_with("DELETE ");
    let chaotic = st.chaos > 0.0 && rand::random::<f64>() < st.chaos;
    let f = if chaotic {
        st.injected += 1;
        // The codes of these answers are undocumented: the status is
        // mirrored, and the bot decides by the HTTP status.
        let (status, code, message) = if rand::random::<bool>() {
            (429, 429, "Too many requests")
        } else {
            (503, 503, "Service unavailable")
        };
        Fault {
            request_prefix: request.clone(),
            status,
            code,
            message: message.to_owned(),
            retry_after: None,
            after_effect: write && status == 503 && rand::random::<bool>(),
        }
    } else {
        let idx = st
            .faults
            .iter()
            .position(|f| request.starts_with(&f.request_prefix))?;
        st.faults.remove(idx)?
    };
    if f.after_effect && (request.starts_with("POST ") || request.starts_with("DELETE ")) {
        st.after_effect = Some(f);
        return None;
    }
    Some(fault_response(&f))
}

fn fault_response(f: &Fault) -> Response {
    let mut resp = fail(
        StatusCode::from_u16(f.status).unwrap_or(StatusCode::OK),
        f.code,
        &f.message,
    );
    if let Some(s) = f.retry_after
        && let Ok(v) = s.to_string().parse()
    {
        resp.headers_mut().insert("retry-after", v);
    }
    resp
}

/// The answer to a request whose effect is done: the after-effect fault it
/// took, if any, else `done`.
fn answered(st: &mut FakeState, done: Response) -> Response {
    match st.after_effect.take() {
        Some(f) => fault_response(&f),
        None => done,
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ServicesQuery {
    region_id: Option<String>,
}

async fn services(
    State(app): State<App>,
    headers: HeaderMap,
    Query(q): Query<ServicesQuery>,
) -> Response {
    if let Some(r) = gate(&app, &headers, "GET /v2/privateEndpointServices".into()) {
        return r;
    }
    let st = app.lock();
    let items: Vec<Value> = st
        .services
        .iter()
        .filter(|s| q.region_id.as_ref().is_none_or(|r| *r == s.region))
        .map(|s| {
            json!({
                "regionId": s.region,
                "cloudId": "aws",
                "endpointService": s.service_name,
                "whitelistRequired": s.whitelist_required,
            })
        })
        .collect();
    let count = items.len();
    ok(json!({ "endpointServices": items, "currentPage": 1, "pageSize": 10, "count": count }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WhitelistBody {
    region_id: String,
    outer_user_id: String,
}

async fn whitelist(
    State(app): State<App>,
    headers: HeaderMap,
    Path(project): Path<String>,
    body: Option<Json<WhitelistBody>>,
) -> Response {
    if let Some(r) = gate(
        &app,
        &headers,
        format!("POST /v2/projects/{project}/privateEndpointWhitelist"),
    ) {
        return r;
    }
    let Some(Json(body)) = body else {
        return fail(StatusCode::BAD_REQUEST, 96005, "invalid request body");
    };
    let mut st = app.lock();
    // Add-only: the first time counts for when AWS shows the service.
    st.whitelisted
        .entry((project, body.region_id, body.outer_user_id))
        .or_insert_with(Instant::now);
    // Documented: the data is the string "success"; add-only.
    ok(json!("success"))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RegisterBody {
    region_id: String,
    endpoint_id: String,
}

async fn register(
    State(app): State<App>,
    headers: HeaderMap,
    Path(project): Path<String>,
    body: Option<Json<RegisterBody>>,
) -> Response {
    if let Some(r) = gate(
        &app,
        &headers,
        format!("POST /v2/projects/{project}/privateEndpoints"),
    ) {
        return r;
    }
    let Some(Json(body)) = body else {
        return fail(StatusCode::BAD_REQUEST, 80002, "invalid request body");
    };
    let mut st = app.lock();
    if !st.services.iter().any(|s| s.region == body.region_id) {
        return fail(StatusCode::OK, 80003, "region not supported");
    }
    let exists = st
        .endpoints
        .get(&project)
        .is_some_and(|l| l.iter().any(|e| e.endpoint_id == body.endpoint_id));
    if exists {
        return fail(StatusCode::OK, 80004, "private endpoint already exists");
    }
    let pending = st
        .slow_next
        .remove(&project)
        .unwrap_or(st.accept_after_reads);
    if st.reject_registrations || st.reject_next.remove(&project) {
        st.rejected.insert(body.endpoint_id.clone());
    }
    st.endpoints.entry(project).or_default().push(FakeEndpoint {
        endpoint_id: body.endpoint_id.clone(),
        region: body.region_id.clone(),
        pending_reads: pending,
    });
    let done = ok(json!({ "endpointId": body.endpoint_id, "regionId": body.region_id }));
    answered(&mut st, done)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageQuery {
    current_page: Option<usize>,
    page_size: Option<usize>,
}

async fn list_endpoints(
    State(app): State<App>,
    headers: HeaderMap,
    Path(project): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    if let Some(r) = gate(
        &app,
        &headers,
        format!("GET /v2/projects/{project}/privateEndpoints"),
    ) {
        return r;
    }
    let mut st = app.lock();
    let services = st.services.clone();
    let words = st.words.clone();
    let allowed_regions: Vec<String> = st
        .services
        .iter()
        .map(|s| s.region.clone())
        .filter(|r| st.allowed(&project, r))
        .collect();
    let list = st.endpoints.entry(project).or_default();
    let page = q.current_page.unwrap_or(1).max(1);
    // Documented: a pageSize outside 1-100 silently falls back to 10.
    let size = q.page_size.filter(|s| (1..=100).contains(s)).unwrap_or(10);
    let count = list.len();
    let items: Vec<Value> = list
        .iter_mut()
        .skip((page - 1) * size)
        .take(size)
        .map(|e| {
            let allowed = allowed_regions.contains(&e.region);
            let status = if e.pending_reads == 0 && allowed {
                words.accepted.clone()
            } else {
                words.pending.clone()
            };
            if allowed {
                e.pending_reads = e.pending_reads.saturating_sub(1);
            }
            let service = services
                .iter()
                .find(|s| s.region == e.region)
                .map(|s| s.service_name.clone())
                .unwrap_or_default();
            json!({
                "regionId": e.region,
                "cloudId": "aws",
                "endpointService": service,
                "endpointServiceStatus": "RUNNING",
                "endpointId": e.endpoint_id,
                "endpointStatus": status,
                "gcpProjectId": null,
            })
        })
        .collect();
    ok(json!({ "endpoints": items, "currentPage": page, "pageSize": size, "count": count }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RegionQuery {
    region_id: Option<String>,
}

async fn deregister(
    State(app): State<App>,
    headers: HeaderMap,
    Path((project, endpoint)): Path<(String, String)>,
    Query(q): Query<RegionQuery>,
) -> Response {
    if let Some(r) = gate(
        &app,
        &headers,
        format!("DELETE /v2/projects/{project}/privateEndpoints/{endpoint}"),
    ) {
        return r;
    }
    let mut st = app.lock();
    let list = st.endpoints.entry(project).or_default();
    let before = list.len();
    list.retain(|e| {
        !(e.endpoint_id == endpoint && q.region_id.as_ref().is_none_or(|r| *r == e.region))
    });
    if list.len() == before {
        return fail(StatusCode::OK, 80005, "private endpoint not found");
    }
    answered(&mut st, ok(json!({ "endpointId": endpoint })))
}

async fn cluster(State(app): State<App>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = gate(&app, &headers, format!("GET /v2/clusters/{id}")) {
        return r;
    }
    let st = app.lock();
    let Some(c) = st.clusters.get(&id) else {
        // Zilliz's V2 code for a missing cluster (96018); its HTTP status
        // is not documented, and the bot reads only the code.
        return fail(StatusCode::OK, 96018, "cluster not exist");
    };
    let address = if st.is_running(&c.project, &c.region) {
        st.moved
            .get(&c.id)
            .cloned()
            .unwrap_or_else(|| FakeState::private_link_address(c))
    } else {
        String::new()
    };
    ok(json!({
        "clusterId": c.id,
        "clusterName": c.name,
        "projectId": c.project,
        "regionId": c.region,
        "plan": c.plan,
        "status": c.status,
        "connectAddress": format!(
            "https://{}.api.{}.zillizcloud.com:{PRIVATE_LINK_PORT}",
            c.id, c.region
        ),
        "privateLinkAddress": address,
        "cuSize": 1,
    }))
}
