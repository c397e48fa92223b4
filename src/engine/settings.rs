//! How the engine waits and polls, and the hook tests use to stop it at the
//! worst moments.

use std::time::Duration;

use async_trait::async_trait;

use crate::backoff::Backoff;
use crate::domain::ids::JobId;
use crate::domain::job::Step;

/// How long the engine waits and how it polls.
#[derive(Debug, Clone)]
pub struct EngineSettings {
    /// The longest a wait step (acceptance, addresses) may take.
    pub wait_timeout: Duration,
    pub backoff: Backoff,
    /// How often a long wait posts "still waiting".
    pub progress_every: Duration,
    /// How long a claim on a job lasts without renewal (`[store] lease`).
    pub lease: Duration,
}

impl Default for EngineSettings {
    fn default() -> Self {
        Self {
            wait_timeout: Duration::from_secs(20 * 60),
            backoff: Backoff {
                initial: Duration::from_secs(2),
                max: Duration::from_secs(30),
            },
            progress_every: Duration::from_secs(60),
            lease: Duration::from_secs(30),
        }
    }
}

/// Where in a step a hook is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookPoint {
    /// The step's start is recorded; nothing has been done yet.
    Started,
    /// The step's cloud effects are done; its finish is not yet recorded.
    Effected,
}

/// Called at the two points of every step. Used by tests to stop the engine
/// at the worst moments (a crash), and available for tracing.
#[async_trait]
pub trait StepHook: Send + Sync {
    async fn at(&self, job: JobId, step: Step, point: HookPoint);
}
