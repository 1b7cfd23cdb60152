//! The HTTP server's integration tests (router, kubectl, kube-rs, Python clients, the `kobj`
//! binary), one module per area, in one test binary. Run one area with a module filter:
//! `cargo test -p kobj-server --test suite kubectl::`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod fuzz;

mod authorization;
mod binary;
mod discovery;
mod faults;
mod fuzz_http;
mod kube_controller;
mod kube_runtime;
mod kubectl;
mod kubectl_typed_clients;
mod python_client;
mod router;
mod tables;
mod watch;
