//! What the loop examples share: the runtime, the ConfigMap type and object of the `engine`
//! bench, the `N` and `R` settings, and the report.

#![allow(dead_code)] // each loop example uses part of this setup

use kobj_core::{ApiResource, ResourceType};
use kube_core::{DynamicObject, GroupVersionKind};
use serde_json::json;

/// A current-thread runtime, as the benches use.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// The ConfigMap resource type.
pub fn configmaps() -> ResourceType {
    ResourceType::namespaced(ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("", "v1", "ConfigMap"),
        "configmaps",
    ))
}

/// The bench's 1 KiB ConfigMap named `name` in `default`.
pub fn object(name: &str) -> DynamicObject {
    let data: serde_json::Map<String, serde_json::Value> = (0..6)
        .map(|i| (format!("key-{i}"), json!("v".repeat(90))))
        .collect();
    serde_json::from_value(json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": "default", "labels": {"app":"a"},
                     "annotations": {"example.com/owner": "team-a"}}, "data": data}))
    .unwrap()
}

/// The environment variable `name` as a number, or `default`.
pub fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Prints the minimum and median of `times` (µs per operation).
pub fn report(what: &str, mut times: Vec<f64>) {
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "{what}: min {:.2} median {:.2} µs",
        times[0],
        times[times.len() / 2]
    );
}
