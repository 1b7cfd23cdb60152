//! The fake API server's integration tests, one module per area, in one test binary (one
//! link instead of fifty: the per-file binaries took about 4 GB of disk in a clean build).
//! Run one area with a module filter: `cargo test -p kobj-fake --test suite rbac_`.
//! `tests/memory.rs` stays a binary of its own: it measures a process's resident memory.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod fuzz;

mod builtin_admission;
mod builtin_autoscaling_validation;
mod builtin_claims_and_priority_classes;
mod builtin_config_data;
mod builtin_defaults;
mod builtin_json_decode;
mod builtin_networking_validation;
mod builtin_pod_scheduling_and_network;
mod builtin_pod_security;
mod builtin_pod_security_and_tolerations;
mod builtin_pod_volumes_and_probes;
mod builtin_rbac_validation;
mod builtin_reviews;
mod builtin_service_validation;
mod builtin_workload_validation;
mod builtin_zero_fields;
mod certificate_signing_requests;
mod crd_bodies;
mod crd_status_controllers;
mod create_get;
mod delete_gc;
mod deprecated_versions;
mod event_versions;
mod future_sizes;
mod fuzz_apply;
mod fuzz_apply_regressions;
mod fuzz_bad_input;
mod fuzz_certificate_requests;
mod fuzz_deletes;
mod fuzz_gc;
mod fuzz_pod_subresources;
mod fuzz_rbac;
mod fuzz_reads;
mod fuzz_schema;
mod gc_controller;
mod gc_owner_identity;
mod hpa_versions;
mod json_entry;
mod kubelet_connect;
mod list_watch;
mod nesting_depth;
mod patch_sub;
mod pod_binding;
mod pod_ephemeral_containers;
mod pod_eviction;
mod pod_logs;
mod pod_resize;
mod rbac_authorization;
mod rbac_reviews;
mod rbac_roles;
mod service_account_tokens;
mod service_allocation;
mod smoke;
mod stress;
