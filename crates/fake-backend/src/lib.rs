//! # kobj-fake
//!
//! An in-memory Kubernetes API server for tests (work in progress).

pub mod clock;
pub mod ids;
pub mod patch;
pub mod schema;
