//! Chat adapters: each turns a platform's events into `service::Inbound` and
//! renders the core's neutral cards and notes. No business rules here.

pub mod console;
pub mod discord;
pub mod intake;
pub mod platform;
pub mod router;
pub mod slack;

#[cfg(test)]
mod tests;
