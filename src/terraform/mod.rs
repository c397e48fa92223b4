//! Terraform for what a job made: a typed HCL writer (`hcl`) and the
//! export of a job's resources as import and resource blocks (`export`).
//! Pure: no I/O; the service reads the job and its owners, and the chat
//! or the command line delivers the file.

pub mod export;
pub mod hcl;

pub use export::{Export, Makers, NotExportable, export};
