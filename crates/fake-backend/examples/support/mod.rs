//! What the loop examples share: the loops themselves (get, create, replace, merge patch,
//! load), the runtime, the ConfigMap type and objects of the `engine` bench, the `N` and `R`
//! settings, and the report. Each loop reports time per operation for every round; the minimum over rounds is
//! steadier than criterion's median on a busy machine.

#![allow(dead_code)] // each loop example uses part of this setup

use kobj_core::{ApiResource, CustomObjects, ResourceType};
use kube_core::params::{GetParams, Patch, PatchParams, PostParams};
use kube_core::{DynamicObject, GroupVersionKind};
use serde_json::json;
use std::time::Instant;

/// `R` rounds (default 7), each creating `N` 1 KiB ConfigMaps (default 20,000) into a fresh
/// cluster: µs per create, per round. Each answer is dropped inside the timed part.
pub fn create_rounds() -> Vec<f64> {
    let rt = runtime();
    let ty = configmaps();
    let obj = object("x");
    let n = setting("N", 20_000);
    let mut times = vec![];
    for _round in 0..setting("R", 7) {
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
        times.push(per_operation(t, n));
    }
    times
}

/// `R` rounds (default 7) of `N` gets (default 200,000) of one 1 KiB ConfigMap: µs per get,
/// per round. Each answer is dropped inside the timed part.
pub fn get_rounds() -> Vec<f64> {
    rounds_on_one_object(200_000, |rt, c, ty, _| {
        let got = rt
            .block_on(c.get_object(ty, Some("default"), NAME, &GetParams::default()))
            .unwrap();
        drop(got);
    })
}

/// `R` rounds (default 7) of `N` replaces (default 20,000) of one 1 KiB ConfigMap, one value
/// changed each time, with the resourceVersion check: µs per replace, per round.
pub fn replace_rounds() -> Vec<f64> {
    let mut k = 0u64;
    rounds_on_one_object(20_000, |rt, c, ty, cur| {
        k += 1;
        cur.data["data"]["key-0"] = json!(k.to_string());
        *cur = rt
            .block_on(c.replace_object(ty, Some("default"), NAME, cur, &PostParams::default()))
            .unwrap();
    })
}

/// For reference (no target): `R` rounds (default 7) of `N` merge patches (default 20,000)
/// of one value of one 1 KiB ConfigMap, as a controller writes one field: µs per patch, per
/// round. Each answer is dropped inside the timed part.
pub fn merge_patch_rounds() -> Vec<f64> {
    let mut k = 0u64;
    rounds_on_one_object(20_000, |rt, c, ty, _| {
        k += 1;
        let patch = Patch::Merge(json!({"data": {"key-0": k.to_string()}}));
        let patched = rt
            .block_on(c.patch_object(ty, Some("default"), NAME, &patch, &PatchParams::default()))
            .unwrap();
        drop(patched);
    })
}

/// The name of the one object of [`rounds_on_one_object`].
const NAME: &str = "one";

/// `R` rounds (default 7) of `N` calls (default `n`) of `op` on a cluster holding one 1 KiB
/// ConfigMap ([`NAME`]); `op` gets the object as last created or written back: µs per call,
/// per round.
fn rounds_on_one_object(
    n: usize,
    mut op: impl FnMut(
        &tokio::runtime::Runtime,
        &kobj_fake::FakeCluster,
        &ResourceType,
        &mut DynamicObject,
    ),
) -> Vec<f64> {
    let rt = runtime();
    let ty = configmaps();
    let n = setting("N", n);
    let c = kobj_fake::FakeCluster::new();
    c.actions().set_enabled(false);
    let mut cur = rt
        .block_on(c.create_object(&ty, Some("default"), &object(NAME), &PostParams::default()))
        .unwrap();
    let mut times = vec![];
    for _round in 0..setting("R", 7) {
        let t = Instant::now();
        for _ in 0..n {
            op(&rt, &c, &ty, &mut cur);
        }
        times.push(per_operation(t, n));
    }
    times
}

/// `R` rounds (default 7), each loading the `engine` bench's `N` small ConfigMaps (default
/// 30,000) into a fresh cluster with `load_objects`: µs per object, per round (times `N` is
/// the load). The cluster and the returned objects are dropped outside the timed part.
pub fn load_rounds() -> Vec<f64> {
    let n = setting("N", 30_000);
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
    for _round in 0..setting("R", 7) {
        let c = kobj_fake::FakeCluster::new();
        c.actions().set_enabled(false);
        let input = objects.clone();
        let t = Instant::now();
        let loaded = c.load_objects(input).unwrap();
        times.push(per_operation(t, n));
        drop((loaded, c));
    }
    times
}

/// µs per operation of `n` operations started at `t`.
fn per_operation(t: Instant, n: usize) -> f64 {
    t.elapsed().as_secs_f64() * 1e6 / n as f64
}

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
