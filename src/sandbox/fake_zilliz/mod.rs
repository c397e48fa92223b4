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

use tokio::net::TcpListener;
use tokio::sync::oneshot;

mod routes;

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
    /// Clusters whose private link address Zilliz's operators changed
    /// (cluster id → address), in place of the one the fake hands out.
    pub moved: BTreeMap<String, String>,
    /// Zilliz's side rejects every endpoint registered from now on.
    pub reject_registrations: bool,
    /// Projects whose next registration Zilliz's side rejects (once).
    pub reject_next: BTreeSet<String>,
    /// Projects whose next registration stays pending this many list
    /// reads, in place of `accept_after_reads` (once).
    pub slow_next: BTreeMap<String, u32>,
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
            moved: BTreeMap::new(),
            reject_registrations: false,
            reject_next: BTreeSet::new(),
            slow_next: BTreeMap::new(),
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

    /// A running Dedicated (Enterprise) cluster `id` in `project` and
    /// `region`, as the sandbox's worlds have them.
    pub fn add_dedicated(&mut self, id: &str, project: &str, region: &str) {
        self.clusters.insert(
            id.to_owned(),
            FakeCluster {
                id: id.to_owned(),
                name: format!("sandbox-{id}"),
                project: project.to_owned(),
                region: region.to_owned(),
                plan: "Enterprise".to_owned(),
                status: "RUNNING".to_owned(),
            },
        );
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

    /// Removes `endpoint`'s registration from `project`, as someone in
    /// the Zilliz console would.
    pub fn remove_registration(&mut self, project: &str, endpoint: &str) {
        if let Some(eps) = self.endpoints.get_mut(project) {
            eps.retain(|e| e.endpoint_id != endpoint);
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
        let router = routes::router(api_key, state.clone());
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
