//! # kobj-fake
//!
//! An in-memory Kubernetes API server for tests: [`FakeCluster`] implements kobj's
//! [`CustomObjects`](kobj_core::CustomObjects) and [`CoreResources`](kobj_core::CoreResources)
//! with the real API server's rules (see `shared/kubernetes-semantics.md`, sections A–J):
//! resourceVersions, generation, managedFields, optimistic concurrency, status and scale
//! subresources, finalizers and garbage collection, namespace lifecycle, selectors,
//! consistent paging, watches with history, CRDs with schema validation, pruning and
//! defaulting, JSON/merge/strategic patches and server-side apply, dry-run.
//!
//! Modules and the rules they implement:
//! - [`cluster`]: the shared state, builder, fork, fixtures and dumps; `bootstrap`: what a
//!   new API server creates for itself.
//! - [`registry`]: built-in types and CRD-registered types (rules 22, 43–46, 50).
//! - `store`: objects, the resourceVersion counter and the history (rules 12–14, 36–37).
//! - `meta`: names (rules 7–8), metadata helpers; `nesting`: the depth limit that keeps
//!   deeply nested input from overflowing the stack.
//! - `verbs`: create (6–10), get/list (11–13), update (15–20), subresources (21–22), patch
//!   (23–27), delete (28–33), watch start (36–39).
//! - `watch`: the watch hub and streams (34–41); `selection`: selectors (42–43).
//! - `gc` and `namespaces`: garbage collection and namespace lifecycle (31–33).
//! - `crd`: CRD validation and registration, and the status controllers (naming,
//!   establishing, finalizer) that write its conditions through `/status` (44–46, 51).
//! - `builtins`: built-in kinds' Go JSON decoding (unknown fields, type errors, quantities,
//!   times), defaults, always-present fields, strategies and the Service allocations.
//! - `verbs::reviews`: the create-only, never-stored access, rules, token and self-subject
//!   reviews (`kubectl auth can-i`, `kubectl auth whoami`); [`tokens`]: TokenRequests.
//! - [`schema`], [`patch`]: schema validation/pruning/defaulting (47–49) and patches (23–26).
//! - `pod_logs`: what containers printed, for `pods/<name>/log`, written by tests;
//!   `kubelet_connect`: `exec`, `attach` and `portforward`, refused as without a kubelet.
//! - [`rbac`]: who a request is and whether RBAC allows it (impersonated handles, access
//!   reviews), the bootstrap roles and the ClusterRole aggregation controller.
//! - [`actions`], [`faults`], [`fixtures`], [`clock`], [`ids`]: the test kit.

pub mod actions;
mod binding;
mod bootstrap;
mod builtins;
pub mod clock;
pub mod cluster;
mod crd;
mod eviction;
pub mod faults;
pub mod fixtures;
mod gc;
pub mod ids;
mod kubelet_connect;
mod load;
pub mod meta;
mod namespaces;
mod nesting;
pub mod patch;
mod pod_logs;
pub mod rbac;
pub mod registry;
mod request_pattern;
pub mod schema;
mod selection;
mod store;
pub mod tokens;
mod verbs;
mod watch;

pub use clock::Clock;
pub use cluster::{FakeCluster, FakeClusterBuilder, Settings};
pub use crd::{CLEANUP_FINALIZER, crd_type};
pub use ids::Ids;
pub use nesting::MAX_NESTING_DEPTH;
pub use rbac::UserInfo;
pub use registry::{NameRule, ScaleSpec, TypeInfo};
pub use verbs::WriteOptions;
pub use verbs::reviews::{CALLER_GROUPS, CALLER_USERNAME, UNKNOWN_TOKEN_ERROR};

/// The fields a write of `body` to the built-in kind `api_version`/`kind` would drop as
/// unknown to its Go struct, with the paths the server's `unknown field "…"` warnings and
/// strict errors name (`spec.template.spec.containers[0].imagee`). Empty for kinds that are
/// not built in, and for a body that does not decode (its write is refused anyway). The HTTP
/// server turns them into `Warning` headers.
///
/// ```
/// let body = serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
///     "metadata": {"name": "c"}, "data": {"a": "1"}, "spec": {"a": "1"}});
/// assert_eq!(kobj_fake::builtin_unknown_fields("v1", "ConfigMap", &body), ["spec"]);
/// ```
#[must_use]
pub fn builtin_unknown_fields(
    api_version: &str,
    kind: &str,
    body: &serde_json::Value,
) -> Vec<String> {
    let mut copy = body.clone();
    builtins::json_decode::decode(api_version, kind, &mut copy).unwrap_or_default()
}
pub use verbs::delete::{FOREGROUND_FINALIZER, ORPHAN_FINALIZER};
