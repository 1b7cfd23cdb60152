//! Times replaces of the 1 KiB ConfigMap of the `engine` bench (one value changed each time,
//! with the resourceVersion check) in a plain loop: `R` rounds (default 7) of `N` replaces
//! (default 20,000), printing the minimum and median time per replace over the rounds. The
//! minimum is steadier than criterion's median on a busy machine.
//!
//! `N=20000 R=7 cargo run --release -p kobj-fake --example replace_loop`

#![allow(clippy::unwrap_used)]
use kobj_core::{ApiResource, CustomObjects, ResourceType};
use kube_core::params::PostParams;
use kube_core::{DynamicObject, GroupVersionKind};
use serde_json::json;
use std::time::Instant;
fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let ty = ResourceType::namespaced(ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("", "v1", "ConfigMap"),
        "configmaps",
    ));
    let data: serde_json::Map<String, serde_json::Value> = (0..6)
        .map(|i| (format!("key-{i}"), json!("v".repeat(90))))
        .collect();
    let obj: DynamicObject = serde_json::from_value(json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "r", "namespace": "default", "labels": {"app":"a"}, "annotations": {"example.com/owner": "team-a"}}, "data": data})).unwrap();
    let n: usize = std::env::var("N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let rounds: usize = std::env::var("R")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7);
    let c = kobj_fake::FakeCluster::new();
    c.actions().set_enabled(false);
    let mut cur = rt
        .block_on(c.create_object(&ty, Some("default"), &obj, &PostParams::default()))
        .unwrap();
    let mut times = vec![];
    let mut k = 0u64;
    for _round in 0..rounds {
        let t = Instant::now();
        for _ in 0..n {
            k += 1;
            cur.data["data"]["key-0"] = json!(k.to_string());
            cur = rt
                .block_on(c.replace_object(&ty, Some("default"), "r", &cur, &PostParams::default()))
                .unwrap();
        }
        times.push(t.elapsed().as_secs_f64() * 1e6 / n as f64);
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "replace: min {:.2} median {:.2} µs",
        times[0],
        times[rounds / 2]
    );
}
