//! A fake Zilliz Cloud control plane for the sandbox demo and the tests.
//!
//! It speaks the documented wire format over real HTTP (bearer key, the
//! `{code, data}` envelope, camelCase fields) and keeps state: endpoints
//! registered with a project move from PENDING to RUNNING after a number of
//! reads, and only then do the project's clusters in that region get a
//! `privateLinkAddress`. Faults (429s, 5xx, refusals) can be injected.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

#[derive(Debug, Clone)]
pub struct FakeCluster {
    pub id: String,
    pub name: String,
    pub project: String,
    pub region: String,
    pub plan: String,
    pub status: String,
}

#[derive(Debug, Clone)]
pub struct FakeService {
    pub region: String,
    pub service_name: String,
    pub whitelist_required: bool,
}

/// What the provider's side has done with an endpoint's connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acceptance {
    Pending,
    Accepted,
    Rejected,
}

#[derive(Debug, Clone)]
struct FakeEndpoint {
    endpoint_id: String,
    region: String,
    /// Reads left before the endpoint is accepted.
    pending_reads: u32,
}

/// The port the fake's clusters listen on: not Zilliz's default 19530, as
/// real clusters often are not either (19531 and 19532 are seen).
pub const PRIVATE_LINK_PORT: u16 = 19531;

/// The `endpointStatus` words of a registration, pending and accepted.
#[derive(Debug, Clone)]
pub struct StatusWords {
    pub pending: String,
    pub accepted: String,
}

impl Default for StatusWords {
    fn default() -> Self {
        Self {
            pending: "PENDING".into(),
            accepted: "RUNNING".into(),
        }
    }
}

/// A fault to answer the next matching request with, instead of serving it.
#[derive(Debug, Clone)]
pub struct Fault {
    /// Matches requests whose "METHOD /path" starts with this.
    pub request_prefix: String,
    pub status: u16,
    pub code: i64,
    pub message: String,
    pub retry_after: Option<u64>,
    /// Serve the request first (the effect happens), then answer with the
    /// fault: a 5xx after commit. Honoured by registration and
    /// deregistration; other requests answer the fault instead.
    pub after_effect: bool,
}

#[derive(Debug)]
pub struct FakeState {
    pub clusters: BTreeMap<String, FakeCluster>,
    pub services: Vec<FakeService>,
    endpoints: BTreeMap<String, Vec<FakeEndpoint>>,
    /// How many list reads a new registration stays pending for.
    pub accept_after_reads: u32,
    /// The `endpointStatus` words the fake uses (undocumented by Zilliz, so
    /// tests vary them, unknown words included).
    pub words: StatusWords,
    pub faults: VecDeque<Fault>,
    /// (project, region, AWS account) allowed into endpoint services, and
    /// when: AWS shows the service to the account a little after (the AWS
    /// proxy reads this).
    pub whitelisted: BTreeMap<(String, String, String), Instant>,
    /// Endpoints whose connection Zilliz's side rejected: AWS reports
    /// them `rejected` (the AWS proxy reads this).
    pub rejected: BTreeSet<String>,
    /// Zilliz's side rejects every endpoint registered from now on.
    pub reject_registrations: bool,
    /// The AWS account whose endpoints register (moto's, by default): where
    /// the service requires it, a registration is never accepted before
    /// this account is allowed in.
    pub aws_account: String,
    /// An after-effect fault taken by the request being served.
    after_effect: Option<Fault>,
    /// Every request served or refused, as "METHOD /path".
    pub requests: Vec<String>,
    /// The share of requests (0 to 1) answered with a random documented
    /// failure: 429, or 503 before the effect or after it (writes).
    pub chaos: f64,
    /// Failures the chaos injected so far.
    pub injected: u32,
}

impl Default for FakeState {
    fn default() -> Self {
        Self {
            clusters: BTreeMap::new(),
            services: Vec::new(),
            endpoints: BTreeMap::new(),
            accept_after_reads: 0,
            words: StatusWords::default(),
            faults: VecDeque::new(),
            requests: Vec::new(),
            whitelisted: BTreeMap::new(),
            rejected: BTreeSet::new(),
            reject_registrations: false,
            // moto's account.
            aws_account: "123456789012".into(),
            after_effect: None,
            chaos: 0.0,
            injected: 0,
        }
    }
}

impl FakeState {
    fn is_running(&self, project: &str, region: &str) -> bool {
        self.allowed(project, region)
            && self.endpoints.get(project).is_some_and(|eps| {
                eps.iter()
                    .any(|e| e.region == region && e.pending_reads == 0)
            })
    }

    /// Whether endpoints of `project` in `region` may be accepted: the
    /// service does not require whitelisting, or the account is allowed.
    fn allowed(&self, project: &str, region: &str) -> bool {
        let required = self
            .services
            .iter()
            .any(|s| s.region == region && s.whitelist_required);
        !required
            || self.whitelisted.contains_key(&(
                project.to_owned(),
                region.to_owned(),
                self.aws_account.clone(),
            ))
    }

    /// Whether `service_name` is one of this fake's endpoint services.
    pub fn offers(&self, service_name: &str) -> bool {
        self.services.iter().any(|s| s.service_name == service_name)
    }

    /// Whether AWS shows `service_name` to `account`: always, unless the
    /// service requires a whitelist; then only `delay` after some project
    /// allowed the account into the service's region.
    pub fn visible_to(&self, service_name: &str, account: &str, delay: Duration) -> bool {
        let Some(service) = self
            .services
            .iter()
            .find(|s| s.service_name == service_name)
        else {
            return true;
        };
        !service.whitelist_required
            || self.whitelisted.iter().any(|((_, region, who), at)| {
                *region == service.region && who == account && at.elapsed() >= delay
            })
    }

    /// What Zilliz's side has done with a connection from `endpoint`:
    /// accepted once it is registered, past its pending reads and allowed
    /// in; rejected when told to; pending otherwise.
    pub fn acceptance(&self, endpoint: &str) -> Acceptance {
        if self.rejected.contains(endpoint) {
            return Acceptance::Rejected;
        }
        let accepted = self.endpoints.iter().any(|(project, eps)| {
            eps.iter().any(|e| {
                e.endpoint_id == endpoint
                    && e.pending_reads == 0
                    && self.allowed(project, &e.region)
            })
        });
        if accepted {
            Acceptance::Accepted
        } else {
            Acceptance::Pending
        }
    }

    /// Registers `endpoint` with `project` directly (another team's, say),
    /// accepted, as if through the API.
    pub fn add_registration(&mut self, project: &str, region: &str, endpoint: &str) {
        self.endpoints
            .entry(project.to_owned())
            .or_default()
            .push(FakeEndpoint {
                endpoint_id: endpoint.to_owned(),
                region: region.to_owned(),
                pending_reads: 0,
            });
    }

    /// Rejects the connection from `endpoint`, as Zilliz's operators may.
    pub fn reject(&mut self, endpoint: &str) {
        self.rejected.insert(endpoint.to_owned());
    }

    /// The private link address the fake hands out for a cluster.
    pub fn private_link_address(cluster: &FakeCluster) -> String {
        // Zilliz Cloud China's hosts end in zilliz.com.cn.
        let domain = if cluster.region.starts_with("aws-cn-") {
            "vectordb.zilliz.com.cn"
        } else {
            "vectordb.zillizcloud.com"
        };
        format!(
            "https://{}-privatelink.{}.{domain}:{PRIVATE_LINK_PORT}",
            cluster.id, cluster.region
        )
    }

    /// Accepts every pending registration now (as Zilliz's operators would).
    pub fn accept_all(&mut self) {
        for e in self.endpoints.values_mut().flatten() {
            e.pending_reads = 0;
        }
    }

    /// Endpoint ids registered with a project.
    pub fn registered(&self, project: &str) -> Vec<String> {
        self.endpoints
            .get(project)
            .map(|eps| eps.iter().map(|e| e.endpoint_id.clone()).collect())
            .unwrap_or_default()
    }
}

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

/// A running fake; dropping it stops the server.
pub struct FakeZilliz {
    pub url: String,
    pub state: Arc<Mutex<FakeState>>,
    _stop: oneshot::Sender<()>,
}

impl FakeZilliz {
    /// Starts the fake on a free loopback port, accepting `api_key`.
    pub async fn start(api_key: &str, state: FakeState) -> std::io::Result<Self> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), api_key, state).await
    }

    pub async fn start_on(
        addr: SocketAddr,
        api_key: &str,
        state: FakeState,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let url = format!("http://{}", listener.local_addr()?);
        let state = Arc::new(Mutex::new(state));
        let app = App {
            key: Arc::new(api_key.to_owned()),
            state: state.clone(),
        };
        let router = Router::new()
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
            .with_state(app);
        let stop = super::serve_until_dropped(listener, router);
        Ok(Self {
            url,
            state,
            _stop: stop,
        })
    }

    pub fn lock(&self) -> MutexGuard<'_, FakeState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
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
    let pending = st.accept_after_reads;
    if !st.services.iter().any(|s| s.region == body.region_id) {
        return fail(StatusCode::OK, 80003, "region not supported");
    }
    let list = st.endpoints.entry(project).or_default();
    if list.iter().any(|e| e.endpoint_id == body.endpoint_id) {
        return fail(StatusCode::OK, 80004, "private endpoint already exists");
    }
    list.push(FakeEndpoint {
        endpoint_id: body.endpoint_id.clone(),
        region: body.region_id.clone(),
        pending_reads: pending,
    });
    if st.reject_registrations {
        st.rejected.insert(body.endpoint_id.clone());
    }
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
        FakeState::private_link_address(c)
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
