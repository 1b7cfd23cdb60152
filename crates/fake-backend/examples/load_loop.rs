//! Times `load_objects` of the `engine` bench's 30,000 small ConfigMaps in a plain loop: `R`
//! rounds (default 7) of `N` objects (default 30,000), each into a fresh cluster, printing the
//! minimum and median time per object over the rounds (multiply by `N` for the load). The
//! clusters and the returned objects are dropped outside the timed part, as in the bench.
//!
//! `N=30000 R=7 cargo run --release -p kobj-fake --example load_loop`

#![allow(clippy::unwrap_used)]
#[path = "support/mod.rs"]
mod support;

use kube_core::DynamicObject;
use serde_json::json;
use std::time::Instant;

fn main() {
    let n = support::setting("N", 30_000);
    let rounds = support::setting("R", 7);
    let objects: Vec<DynamicObject> = (0..n)
        .map(|i| {
            serde_json::from_value(json!({
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": format!("cm-{i:05}"), "namespace": "default",
                             "labels": {"app": format!("a{}", i % 100)}},
                "data": {"k": "v"},
            }))
            .unwrap()
        })
        .collect();
    let mut times = vec![];
    for _round in 0..rounds {
        let c = kobj_fake::FakeCluster::new();
        c.actions().set_enabled(false);
        let input = objects.clone();
        let t = Instant::now();
        let loaded = c.load_objects(input).unwrap();
        times.push(t.elapsed().as_secs_f64() * 1e6 / n as f64);
        drop((loaded, c));
    }
    support::report("load (per object)", times);
}
