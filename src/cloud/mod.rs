//! Cloud adapters: the real implementations of the `Network`, `Dns` and
//! `Vendor` ports. No business rules live here, only translation.

pub mod aws;
pub mod zilliz;
