//! Several replicas on one PostgreSQL store: jobs approved across both are
//! each run by one and verified once; a replica killed mid-steps has its
//! jobs finished by the other once their leases lapse; a replica frozen
//! past its lease finds its next record refused (fencing) and does not
//! act again. Clouds are moto (through the strict proxy) and the fake
//! Zilliz Cloud; chat is the console, delivered by whichever replica holds
//! the dispatcher.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use privatelink_bot::app::App;
use privatelink_bot::domain::audit::Outcome;
use privatelink_bot::domain::ids::{JobId, Platform, UserRef};
use privatelink_bot::domain::job::{Conversation, JobState, StateKey, Step};
use privatelink_bot::domain::policy::Actor;
use privatelink_bot::engine::{HookPoint, StepHook};
use privatelink_bot::ports::chat::Action;
use privatelink_bot::sandbox::fixtures::CustomerNetwork;
use privatelink_bot::service::{Event, Inbound, Reply};
use privatelink_bot::store::WriteHook;
use tokio::sync::Notify;

use crate::backing::Backing;
use crate::harness::{Buffer, Harness, create_line};

/// Short leases, so a lapse is seen in seconds.
const LEASE: Duration = Duration::from_secs(2);

async fn two_replicas(
    hook_a: Option<Arc<dyn StepHook>>,
    hook_b: Option<Arc<dyn StepHook>>,
    store_hook_a: Option<Arc<dyn WriteHook>>,
) -> (Harness, App, Buffer, Backing) {
    let backing = Backing::postgres().await;
    let h = Harness::start_full(
        1,
        |c| {
            backing.configure(c);
            c.store.lease = LEASE;
            c.store.liveness_bound = Duration::from_secs(120);
        },
        hook_a,
        store_hook_a,
    )
    .await;
    let out_b = Buffer::default();
    let b = h.replica(&out_b, hook_b, None).await;
    (h, b, out_b, backing)
}

/// `user` acts on replica `app`, from the ops channel.
async fn send(app: &App, user: &str, event: Event) -> Reply {
    app.service
        .handle(Inbound {
            actor: Actor {
                user: UserRef::new(Platform::Console, user),
                roles: Default::default(),
            },
            conversation: Conversation {
                platform: Platform::Console,
                channel: privatelink_bot::domain::ids::ChannelId::parse("platform-ops")
                    .expect("an id"),
            },
            delivery: None,
            event,
            locale: privatelink_bot::i18n::Locale::En,
            card_locale: privatelink_bot::i18n::Locale::En,
        })
        .await
}

async fn create_on(app: &App, h: &Harness, network: &CustomerNetwork) -> JobId {
    let line = create_line(network, &h.sandbox.clusters);
    let reply = send(app, "alice", Event::Command(line)).await;
    reply
        .job
        .unwrap_or_else(|| panic!("create was refused: {}", reply.text))
}

async fn approve_on(app: &App, id: JobId) {
    let reply = send(
        app,
        "bob",
        Event::Click {
            action: Action::Approve,
            job: id,
        },
    )
    .await;
    assert!(reply.text.contains("approved"), "{}", reply.text);
}

/// Waits (bounded) until `done` holds of the store, looking again after
/// every change any replica makes (the outbox signal) or every 200 ms.
async fn until(app: &App, what: &str, done: impl Fn(&App) -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(240);
    while !done(app) {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        let signal = app.store.outbox_signal().clone();
        let _ = tokio::time::timeout(Duration::from_millis(200), signal.notify.notified()).await;
    }
}

fn state(app: &App, id: JobId) -> JobState {
    app.store
        .blocking()
        .get(id)
        .expect("store")
        .expect("job")
        .state()
        .clone()
}

/// Every job succeeded, each VPC has one endpoint, every job's summary was
/// said once across both replicas' chat, and the outbox is empty.
async fn each_verified_once(
    h: &Harness,
    b: &App,
    out_b: &Buffer,
    jobs: &[(JobId, CustomerNetwork)],
) {
    until(b, "every job succeeded", |app| {
        jobs.iter()
            .all(|(id, _)| state(app, *id) == JobState::Succeeded)
    })
    .await;
    until(b, "the outbox drained", |app| {
        app.store.blocking().outbox().expect("outbox").is_empty()
    })
    .await;
    let chat = format!("{}{}", h.out.text(), out_b.text());
    for (id, network) in jobs {
        let end = privatelink_bot::sandbox::fixtures::end_state(
            &h.sandbox.aws,
            privatelink_bot::sandbox::REGION,
            network.vpc.as_str(),
        )
        .await
        .expect("end state");
        assert_eq!(
            end.endpoints.len(),
            1,
            "{id}: one endpoint, {:?}",
            end.endpoints
        );
        let summary = format!("{id} succeeded");
        assert_eq!(
            chat.matches(&summary).count(),
            1,
            "{id}'s summary once:\n{chat}"
        );
        let audit = b.store.audit_log(Some(*id)).await.expect("audit");
        let verified = audit
            .iter()
            .filter(|e| e.outcome == Outcome::Reached(StateKey::Succeeded))
            .count();
        assert_eq!(verified, 1, "{id} verified once: {audit:#?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_jobs_approved_across_two_replicas_are_each_verified_once() {
    let (h, b, out_b, _backing) = two_replicas(None, None, None).await;
    let mut jobs = Vec::new();
    for i in 0..20u8 {
        let network = h.network(40 + i).await;
        // Asked on one replica, approved on the other.
        let (asked, approved) = if i % 2 == 0 {
            (h.app(), &b)
        } else {
            (&b, h.app())
        };
        let id = create_on(asked, &h, &network).await;
        approve_on(approved, id).await;
        jobs.push((id, network));
    }
    each_verified_once(&h, &b, &out_b, &jobs).await;
}

/// Holds every job on replica A at a step's start, as a process that died
/// there; tells the test when `count` jobs got there.
struct DieAt {
    reached: AtomicUsize,
    count: usize,
    all: Notify,
}

#[async_trait]
impl StepHook for DieAt {
    async fn at(&self, _job: JobId, step: Step, point: HookPoint) {
        if step == Step::EnsureRegistration && point == HookPoint::Effected {
            if self.reached.fetch_add(1, Ordering::SeqCst) + 1 == self.count {
                self.all.notify_one();
            }
            std::future::pending::<()>().await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_killed_mid_steps_has_its_jobs_finished_by_the_other_once_leases_lapse() {
    let die = Arc::new(DieAt {
        reached: AtomicUsize::new(0),
        count: 4,
        all: Notify::new(),
    });
    let (mut h, b, out_b, _backing) = two_replicas(Some(die.clone()), None, None).await;
    let mut jobs = Vec::new();
    for i in 0..4u8 {
        let network = h.network(70 + i).await;
        let id = create_on(h.app(), &h, &network).await;
        approve_on(h.app(), id).await;
        jobs.push((id, network));
    }
    // Every job's registration is made on A, none recorded; then A dies
    // holding their leases and the dispatcher.
    die.all.notified().await;
    h.kill().await;
    each_verified_once(&h, &b, &out_b, &jobs).await;
    // B re-ran the step that A had done but not recorded: the fake saw one
    // registration per endpoint, never a second.
    assert_eq!(h.registered().len(), jobs.len(), "{:?}", h.registered());
}

/// Replica A's writer, frozen at will: every write waits (renewals
/// included), as in a process stopped with SIGSTOP.
#[derive(Default)]
struct Freeze {
    frozen: Mutex<bool>,
    thawed: Condvar,
}

impl Freeze {
    fn set(&self, frozen: bool) {
        if let Ok(mut f) = self.frozen.lock() {
            *f = frozen;
        }
        self.thawed.notify_all();
    }
}

impl WriteHook for Freeze {
    fn before(&self, _what: &str) {
        let Ok(mut frozen) = self.frozen.lock() else {
            return;
        };
        while *frozen {
            let Ok(f) = self.thawed.wait(frozen) else {
                return;
            };
            frozen = f;
        }
    }
}

fn endpoint_calls(app: &App) -> u64 {
    app.aws_calls
        .counts()
        .get(&("ec2".to_owned(), "CreateVpcEndpoint".to_owned()))
        .copied()
        .unwrap_or(0)
}

/// Freezes A right after its endpoint is made, before it is recorded.
struct FreezeAfterEndpoint {
    freeze: Arc<Freeze>,
    reached: Notify,
    /// Steps A reached after it was thawed (it must reach none).
    after: AtomicUsize,
    thawed: AtomicBool,
}

#[async_trait]
impl StepHook for FreezeAfterEndpoint {
    async fn at(&self, _job: JobId, step: Step, point: HookPoint) {
        if self.thawed.load(Ordering::SeqCst) {
            self.after.fetch_add(1, Ordering::SeqCst);
        }
        if step == Step::EnsureEndpoint && point == HookPoint::Effected {
            self.freeze.set(true);
            self.reached.notify_one();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_frozen_past_its_lease_has_its_next_record_refused_and_does_not_act_again() {
    let freeze = Arc::new(Freeze::default());
    let hook = Arc::new(FreezeAfterEndpoint {
        freeze: freeze.clone(),
        reached: Notify::new(),
        after: AtomicUsize::new(0),
        thawed: AtomicBool::new(false),
    });
    let (h, b, out_b, _backing) =
        two_replicas(Some(hook.clone()), None, Some(freeze.clone())).await;
    let network = h.network(90).await;
    let id = create_on(&b, &h, &network).await;
    approve_on(h.app(), id).await;
    hook.reached.notified().await;
    let endpoints_before = endpoint_calls(h.app());
    // B adopts the job once A's lease lapses, and finishes it; A's
    // endpoint is found, not made again.
    until(&b, "B finished the job", |app| {
        state(app, id) == JobState::Succeeded
    })
    .await;
    // A wakes: its renewal and its record of the endpoint are refused.
    hook.thawed.store(true, Ordering::SeqCst);
    freeze.set(false);
    h.app().engine.wait(id).await;
    assert_eq!(
        hook.after.load(Ordering::SeqCst),
        0,
        "A ran no further step"
    );
    assert_eq!(
        endpoint_calls(h.app()),
        endpoints_before,
        "A made no AWS call after waking"
    );
    let metrics = h.app().metrics.render(None, None);
    assert!(
        metrics.contains("privatelink_bot_lease_events_total{kind=\"lost\"} 1"),
        "{metrics}"
    );
    each_verified_once(&h, &b, &out_b, &[(id, network)]).await;
}
