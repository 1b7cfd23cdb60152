//! Times creates of the 1 KiB ConfigMap of the `engine` bench in a plain loop: `R` rounds
//! (default 7), each creating `N` objects (default 20,000) into a fresh cluster, and prints
//! the minimum and median time per create over the rounds. Steadier than criterion's median
//! on a busy machine.
//!
//! `N=20000 R=5 cargo run --release -p kobj-fake --example create_loop`

#![allow(clippy::unwrap_used)]
#[path = "support/mod.rs"]
mod support;

use kobj_core::CustomObjects;
use kube_core::DynamicObject;
use kube_core::params::PostParams;
use std::time::Instant;

fn main() {
    let rt = support::runtime();
    let ty = support::configmaps();
    let obj = support::object("x");
    let n = support::setting("N", 20_000);
    let rounds = support::setting("R", 7);
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
    support::report("create", times);
}
