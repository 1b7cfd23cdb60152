//! The kube backend's integration tests, one module per area, in one test binary. Run one
//! area with a module filter: `cargo test -p kobj-kube --test suite wire::`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

mod builtin;
mod cluster;
mod discovery;
mod errors;
mod security;
mod verbs;
mod watch;
mod wire;
