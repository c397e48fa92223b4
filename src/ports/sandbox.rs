//! The sandbox's worlds, as the service asks for them: only `serve
//! --sandbox` has one (`sandbox::playground`), so the core never names
//! moto or the fake Zilliz Cloud.

use async_trait::async_trait;

use crate::domain::ids::VpcId;
use crate::domain::job::Conversation;
use crate::domain::sandbox::{Scenario, World};

/// Why the sandbox could not do what was asked (an emulator refused, say).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct PlaygroundError(pub String);

/// A world per channel, and the failures its next job meets.
#[async_trait]
pub trait Playground: Send + Sync {
    /// Whether the channel has its world yet.
    fn knows(&self, at: &Conversation) -> bool;

    /// The channel's world, seeded on first use; true when just seeded.
    async fn world(&self, at: &Conversation) -> Result<(World, bool), PlaygroundError>;

    /// Forgets the channel's world and seeds a new one.
    async fn reset(&self, at: &Conversation) -> Result<World, PlaygroundError>;

    /// Makes the channel's next job meet `scenario`.
    async fn arm(&self, at: &Conversation, scenario: Scenario) -> Result<(), PlaygroundError>;

    /// Deletes, by hand, the alias record for `host` in `vpc`'s zones (the
    /// `drift` scenario, told a finished job's VPC and host by the
    /// service); false when there was none.
    async fn delete_alias(&self, vpc: &VpcId, host: &str) -> Result<bool, PlaygroundError>;
}
