//! Ports: the small traits at the core's edge. The core talks only to these;
//! adapters (`cloud::aws`, `cloud::zilliz`, `chat::*`) implement them.

pub mod chat;
pub mod clock;
pub mod cloud;
pub mod error;
pub mod probe;
pub mod readiness;
pub mod sandbox;
