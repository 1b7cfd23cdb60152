//! # kobj
//!
//! Async, dyn-compatible traits for Kubernetes custom objects ([`CustomObjects`]) and built-in
//! kinds ([`CoreResources`]), with one error model, a typed layer, watch-based waiting, and
//! two backends: [`fake`] (an in-memory API server for tests, feature `fake`, on by default)
//! and [`kube`] (a real cluster through kube-rs, feature `kube`).
//!
//! This facade re-exports `kobj-core` at its root.

pub use kobj_core::*;

/// The in-memory fake backend (`kobj-fake`).
#[cfg(feature = "fake")]
pub use kobj_fake as fake;

/// The real-cluster backend (`kobj-kube`).
#[cfg(feature = "kube")]
pub use kobj_kube as kube;
