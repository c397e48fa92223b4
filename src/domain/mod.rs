//! The bot's vocabulary: ids, the command grammar, jobs, plans and the
//! approval policy. Pure data and rules; nothing here does I/O.

pub mod audit;
pub mod command;
pub mod drift;
pub mod field;
pub mod help;
pub mod ids;
pub mod job;
pub use job::lifecycle;
pub mod ownership;
pub mod plan;
pub mod policy;
pub mod preflight;
pub mod rules;
pub mod sandbox;
pub mod words;
