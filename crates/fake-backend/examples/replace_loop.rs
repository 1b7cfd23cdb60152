//! Times replaces of the 1 KiB ConfigMap of the `engine` bench (one value changed each time,
//! with the resourceVersion check) in a plain loop: `R` rounds (default 7) of `N` replaces
//! (default 20,000), printing the minimum and median time per replace over the rounds. The
//! minimum is steadier than criterion's median on a busy machine.
//!
//! `N=20000 R=7 cargo run --release -p kobj-fake --example replace_loop`

#![allow(clippy::unwrap_used)]
#[path = "support/mod.rs"]
mod support;

use kobj_core::CustomObjects;
use kube_core::params::PostParams;
use serde_json::json;
use std::time::Instant;

fn main() {
    let rt = support::runtime();
    let ty = support::configmaps();
    let n = support::setting("N", 20_000);
    let rounds = support::setting("R", 7);
    let c = kobj_fake::FakeCluster::new();
    c.actions().set_enabled(false);
    let mut cur = rt
        .block_on(c.create_object(
            &ty,
            Some("default"),
            &support::object("r"),
            &PostParams::default(),
        ))
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
    support::report("replace", times);
}
