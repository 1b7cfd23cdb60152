//! # kobj-fake
//!
//! An in-memory Kubernetes API server for tests (work in progress).

pub mod actions;
pub mod clock;
pub mod faults;
pub mod fixtures;
pub mod ids;
pub mod patch;
pub mod schema;
