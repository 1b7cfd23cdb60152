//! Times creates of the 1 KiB ConfigMap of the `engine` bench in a plain loop: `R` rounds
//! (default 7), each creating `N` objects (default 20,000) into a fresh cluster, and prints
//! the minimum and median time per create over the rounds. Steadier than the criterion bench,
//! which creates into one cluster that grows for the whole run.
//!
//! `N=20000 R=5 cargo run --release -p kobj-fake --example create_loop`

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
        "metadata": {"name": "x", "namespace": "default", "labels": {"app":"a"}, "annotations": {"example.com/owner": "team-a"}}, "data": data})).unwrap();
    let n: usize = std::env::var("N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let rounds: usize = std::env::var("R")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7);
    let mut times = vec![];
    for _round in 0..rounds {
        let c = kobj_fake::FakeCluster::new();
        c.actions().set_enabled(false);
        let inputs: Vec<DynamicObject> = (0..n)
            .map(|i| {
                let mut o = obj.clone();
                o.metadata.name = Some(format!("obj-{i}"));
                o
            })
            .collect();
        let t = Instant::now();
        for o in &inputs {
            let r = rt
                .block_on(c.create_object(&ty, Some("default"), o, &PostParams::default()))
                .unwrap();
            drop(r);
        }
        times.push(t.elapsed().as_secs_f64() * 1e6 / n as f64);
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "create: min {:.2} median {:.2} µs",
        times[0],
        times[rounds / 2]
    );
}
