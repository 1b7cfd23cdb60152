//! Resident memory of stored objects against their compact JSON size (docs/performance.md).
//!
//! Ignored by default (it stores 30,000 objects and wants a release build):
//! `cargo test --release -p kobj-fake --test memory -- --ignored --nocapture`.
//! Each measurement runs in a fresh child process, so memory freed by one cannot be reused
//! by the next: the RSS delta (from `/proc/self/statm`) counts everything the stored objects
//! keep alive, plus whatever the allocator keeps after the transient work of the writes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "suite/common/mod.rs"]
mod common;

use std::process::Command;

use common::configmaps;
use kobj_core::CustomObjects;
use kobj_fake::FakeCluster;
use kube_core::DynamicObject;
use kube_core::params::{ListParams, PostParams};
use serde_json::json;

const OBJECTS: usize = 30_000;
const MODE: &str = "KOBJ_MEMORY_MODE";

/// A ConfigMap of about 1 KiB once stored (as in the benches).
fn object(i: usize) -> DynamicObject {
    let data: serde_json::Map<String, serde_json::Value> = (0..6)
        .map(|k| (format!("key-{k}"), json!(format!("{i:08}").repeat(11))))
        .collect();
    serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": format!("cm-{i:05}"), "namespace": "default",
                     "labels": {"bucket": format!("b{}", i % 100)},
                     "annotations": {"example.com/owner": "team-a"}},
        "data": data,
    }))
    .unwrap()
}

fn rss_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: usize = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

/// The compact JSON size of every stored ConfigMap, as a client reads it.
async fn stored_json_bytes(c: &FakeCluster) -> usize {
    let mut total = 0;
    let mut params = ListParams::default().limit(1000);
    loop {
        let page = c
            .list_objects(&configmaps(), Some("default"), &params)
            .await
            .unwrap();
        total += page
            .items
            .iter()
            .map(|o| serde_json::to_vec(o).unwrap().len())
            .sum::<usize>();
        match page.metadata.continue_ {
            Some(token) => params = params.continue_token(&token),
            None => return total,
        }
    }
}

/// One measurement, in this process: `create` stores the objects one request at a time,
/// `load` as fixtures in batches of 1,000.
async fn measure(mode: &str) {
    let c = FakeCluster::new();
    c.actions().set_enabled(false);
    let before = rss_bytes();
    match mode {
        "create" => {
            for i in 0..OBJECTS {
                let made = c
                    .create_object(
                        &configmaps(),
                        Some("default"),
                        &object(i),
                        &PostParams::default(),
                    )
                    .await
                    .unwrap();
                drop(made);
            }
        }
        "load" => {
            for start in (0..OBJECTS).step_by(1000) {
                let batch: Vec<_> = (start..start + 1000).map(object).collect();
                drop(c.load_objects(batch).unwrap());
            }
        }
        other => panic!("unknown mode {other}"),
    }
    let after = rss_bytes();
    let json = stored_json_bytes(&c).await;
    let delta = after.saturating_sub(before);
    let ratio = delta as f64 / json as f64;
    println!(
        "memory {mode}: {OBJECTS} objects, {:.1} MiB compact JSON, RSS +{:.1} MiB, ratio {ratio:.2}",
        json as f64 / 1_048_576.0,
        delta as f64 / 1_048_576.0,
    );
    assert!(
        ratio <= 2.5,
        "{mode}: resident memory {ratio:.2}× the JSON size"
    );
}

#[tokio::test]
#[ignore = "stores 30,000 objects; run in release with --ignored --nocapture"]
async fn resident_memory_within_two_and_a_half_times_json() {
    if let Ok(mode) = std::env::var(MODE) {
        measure(&mode).await;
        return;
    }
    let exe = std::env::current_exe().unwrap();
    for mode in ["create", "load"] {
        let out = Command::new(&exe)
            .args([
                "--exact",
                "resident_memory_within_two_and_a_half_times_json",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(MODE, mode)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        for line in stdout.lines() {
            if let Some(at) = line.find("memory ") {
                println!("{}", &line[at..]);
            }
        }
        assert!(
            out.status.success(),
            "{mode} measurement failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
