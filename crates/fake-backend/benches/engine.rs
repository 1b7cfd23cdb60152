//! Engine benchmarks: get, create, replace, fixture loading, label-selector lists and watch
//! fan-out. Run with `cargo bench -p kobj-fake --bench engine`; memory is measured by the
//! ignored test `tests/memory.rs` (see `docs/performance.md`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use futures::StreamExt;
use kobj_core::{ApiResource, CustomObjects, ResourceType};
use kobj_fake::FakeCluster;
use kube_core::params::{GetParams, ListParams, Patch, PatchParams, PostParams, WatchParams};
use kube_core::{DynamicObject, GroupVersionKind};
use serde_json::json;

/// The ConfigMap resource type, built once, as callers hold theirs (building one allocates
/// five strings, which is not the fake's time).
fn configmaps() -> &'static ResourceType {
    static CONFIGMAPS: std::sync::LazyLock<ResourceType> = std::sync::LazyLock::new(|| {
        ResourceType::namespaced(ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk("", "v1", "ConfigMap"),
            "configmaps",
        ))
    });
    &CONFIGMAPS
}

/// A ConfigMap of about 1 KiB once stored (with server metadata and managedFields).
fn object(name: &str, labels: serde_json::Value) -> DynamicObject {
    let data: serde_json::Map<String, serde_json::Value> = (0..6)
        .map(|i| (format!("key-{i}"), json!("v".repeat(90))))
        .collect();
    serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": "default", "labels": labels,
                     "annotations": {"example.com/owner": "team-a"}},
        "data": data,
    }))
    .unwrap()
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn quiet() -> FakeCluster {
    let c = FakeCluster::new();
    c.actions().set_enabled(false);
    c
}

fn bench_get(cr: &mut Criterion) {
    let rt = rt();
    let c = quiet();
    let made = rt
        .block_on(c.create_object(
            configmaps(),
            Some("default"),
            &object("one", json!({"app": "a"})),
            &PostParams::default(),
        ))
        .unwrap();
    let size = serde_json::to_vec(&made).unwrap().len();
    eprintln!("stored object: {size} bytes of compact JSON");
    cr.bench_function("get_1kib", |b| {
        b.iter(|| {
            rt.block_on(c.get_object(configmaps(), Some("default"), "one", &GetParams::default()))
                .unwrap()
        })
    });
    // The floor of a get and of each watcher's share of a fan-out: the owned copy the caller
    // receives, made and dropped.
    cr.bench_function("clone_and_drop_of_the_object", |b| {
        b.iter(|| black_box(made.clone()))
    });
}

/// Objects a create bench cluster holds before it is replaced by an empty one.
const CREATES_PER_CLUSTER: u64 = 20_000;

fn bench_create(cr: &mut Criterion) {
    let rt = rt();
    let obj = object("x", json!({"app": "a"}));
    let requests = |round: u64| -> Vec<DynamicObject> {
        (0..CREATES_PER_CLUSTER)
            .map(|i| {
                let mut o = obj.clone();
                o.metadata.name = Some(format!("obj-{round}-{i}"));
                o
            })
            .collect()
    };
    let mut round = 0u64;
    let mut c = quiet();
    let mut inputs = requests(round);
    let mut next = 0usize;
    // A cluster takes 20,000 creates and is then replaced by an empty one, with the next
    // 20,000 request objects made at the same time, outside the timed part (as
    // `examples/create_loop.rs` does), so the figure does not depend on how many iterations
    // criterion runs into one cluster. Each returned object is dropped in the timed part.
    cr.bench_function("create", |b| {
        b.iter_custom(|iters| {
            let mut timed = std::time::Duration::ZERO;
            let mut left = iters;
            while left > 0 {
                if next == inputs.len() {
                    round += 1;
                    c = quiet();
                    inputs = requests(round);
                    next = 0;
                }
                let batch = (inputs.len() - next).min(usize::try_from(left).unwrap_or(usize::MAX));
                let start = std::time::Instant::now();
                for o in &inputs[next..next + batch] {
                    black_box(
                        rt.block_on(c.create_object(
                            configmaps(),
                            Some("default"),
                            o,
                            &PostParams::default(),
                        ))
                        .unwrap(),
                    );
                }
                timed += start.elapsed();
                next += batch;
                left -= batch as u64;
            }
            timed
        })
    });
}

/// A runtime and a cluster holding the 1 KiB ConfigMap `name`, as created.
fn one_object(name: &str) -> (tokio::runtime::Runtime, FakeCluster, DynamicObject) {
    let rt = rt();
    let c = quiet();
    let created = rt
        .block_on(c.create_object(
            configmaps(),
            Some("default"),
            &object(name, json!({"app": "a"})),
            &PostParams::default(),
        ))
        .unwrap();
    (rt, c, created)
}

fn bench_replace(cr: &mut Criterion) {
    let (rt, c, mut cur) = one_object("r");
    let mut n = 0u64;
    cr.bench_function("replace_with_rv", |b| {
        b.iter(|| {
            n += 1;
            cur.data["data"]["key-0"] = json!(n.to_string());
            cur = rt
                .block_on(c.replace_object(
                    configmaps(),
                    Some("default"),
                    "r",
                    &cur,
                    &PostParams::default(),
                ))
                .unwrap();
        })
    });
}

/// For reference (no target): a merge patch of one value of the same object, as a
/// controller writes one field.
fn bench_merge_patch(cr: &mut Criterion) {
    let (rt, c, _) = one_object("p");
    let mut n = 0u64;
    cr.bench_function("merge_patch", |b| {
        b.iter(|| {
            n += 1;
            let patch = Patch::Merge(json!({"data": {"key-0": n.to_string()}}));
            rt.block_on(c.patch_object(
                configmaps(),
                Some("default"),
                "p",
                &patch,
                &PatchParams::default(),
            ))
            .unwrap()
        })
    });
}

fn bench_load(cr: &mut Criterion) {
    let objects: Vec<DynamicObject> = (0..30_000)
        .map(|i| {
            serde_json::from_value(json!({
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": format!("cm-{i:05}"), "namespace": "default", "labels": {"app": format!("a{}", i % 100)}},
                "data": {"k": "v"},
            }))
            .unwrap()
        })
        .collect();
    let mut g = cr.benchmark_group("load");
    g.sample_size(10);
    g.bench_function("load_30000_objects", |b| {
        b.iter_batched(
            || (quiet(), objects.clone()),
            // The cluster and the returned objects are dropped outside the timed part.
            |(c, objs)| {
                let loaded = c.load_objects(objs).unwrap();
                (c, loaded)
            },
            criterion::BatchSize::PerIteration,
        )
    });
    g.finish();
}

fn bench_list(cr: &mut Criterion) {
    let rt = rt();
    let c = quiet();
    let objects: Vec<DynamicObject> = (0..10_000)
        .map(|i| {
            object(
                &format!("cm-{i:05}"),
                json!({"bucket": format!("b{}", i % 100)}),
            )
        })
        .collect();
    c.load_objects(objects).unwrap();
    let lp = ListParams::default().labels("bucket=b7");
    cr.bench_function("list_selector_10000_returning_100", |b| {
        b.iter(|| {
            let l = rt
                .block_on(c.list_objects(configmaps(), Some("default"), &lp))
                .unwrap();
            assert_eq!(l.items.len(), 100);
            l
        })
    });
}

/// A 2-worker runtime, a cluster holding the ConfigMap `w`, and 100 watches of ConfigMaps
/// in `default` opened after it was created.
fn fanout_setup() -> (
    tokio::runtime::Runtime,
    FakeCluster,
    DynamicObject,
    Vec<kobj_core::WatchStream>,
) {
    fanout_setup_with(|c, wp, rv| c.watch_objects(configmaps(), Some("default"), wp, rv))
}

/// [`fanout_setup`] with the 100 watches opened by `open` (cluster, parameters, version).
fn fanout_setup_with<S>(
    open: impl for<'a> Fn(
        &'a FakeCluster,
        &'a WatchParams,
        &'a str,
    ) -> futures::future::BoxFuture<'a, kobj_core::Result<S>>,
) -> (tokio::runtime::Runtime, FakeCluster, DynamicObject, Vec<S>) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let c = quiet();
    let cur = rt
        .block_on(c.create_object(
            configmaps(),
            Some("default"),
            &object("w", json!({"app": "a"})),
            &PostParams::default(),
        ))
        .unwrap();
    let rv = c.resource_version().to_string();
    let wp = WatchParams {
        bookmarks: false,
        ..Default::default()
    };
    let watches = (0..100)
        .map(|_| rt.block_on(open(&c, &wp, &rv)).unwrap())
        .collect();
    (rt, c, cur, watches)
}

/// Changes `key-0` of `cur` and replaces it.
async fn write(c: &FakeCluster, cur: &mut DynamicObject, n: u64) {
    cur.data["data"]["key-0"] = json!(n.to_string());
    *cur = c
        .replace_object(
            configmaps(),
            Some("default"),
            "w",
            cur,
            &PostParams::default(),
        )
        .await
        .unwrap();
}

/// Times one write followed by every watch in `watches` yielding its event (each event
/// dropped as soon as it is read).
fn bench_fanout<S>(
    cr: &mut Criterion,
    name: &str,
    (rt, c, mut cur): (tokio::runtime::Runtime, FakeCluster, DynamicObject),
    mut watches: Vec<S>,
) where
    S: futures::Stream + Unpin,
{
    let mut n = 0u64;
    cr.bench_function(name, |b| {
        b.iter(|| {
            n += 1;
            rt.block_on(async {
                write(&c, &mut cur, n).await;
                for w in &mut watches {
                    black_box(w.next().await);
                }
            })
        })
    });
}

fn bench_watch_fanout(cr: &mut Criterion) {
    let (rt, c, cur, watches) = fanout_setup();
    bench_fanout(cr, "write_delivered_to_100_watches", (rt, c, cur), watches);
}

/// The fan-out with shared events: every watch opened with `watch_objects_shared`, so the
/// 100 watchers of a write receive one `Arc` of the object instead of 100 copies.
fn bench_watch_fanout_shared(cr: &mut Criterion) {
    let (rt, c, cur, watches) = fanout_setup_with(|c, wp, rv| {
        c.watch_objects_shared(configmaps(), Some("default"), wp, rv)
    });
    bench_fanout(
        cr,
        "write_delivered_to_100_shared_watches",
        (rt, c, cur),
        watches,
    );
}

/// The same write, but each of the 100 watches is read by its own task on the 2-worker
/// runtime, as controllers read their watches; timed until every task has received the event
/// (each task drops its event after counting it, so the drops are in the timed part too).
fn bench_watch_fanout_tasks(cr: &mut Criterion) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    let (rt, c, mut cur, watches) = fanout_setup();
    let received = Arc::new(AtomicU64::new(0));
    let all_received = Arc::new(tokio::sync::Notify::new());
    let expected = Arc::new(AtomicU64::new(u64::MAX));
    for mut w in watches {
        let (received, all_received, expected) =
            (received.clone(), all_received.clone(), expected.clone());
        rt.spawn(async move {
            while let Some(event) = w.next().await {
                black_box(&event);
                let now = received.fetch_add(1, Ordering::AcqRel) + 1;
                if now == expected.load(Ordering::Acquire) {
                    all_received.notify_one();
                }
                drop(event);
            }
        });
    }
    let mut n = 0u64;
    cr.bench_function("write_delivered_to_100_watcher_tasks", |b| {
        b.iter(|| {
            n += 1;
            expected.store(n * 100, Ordering::Release);
            rt.block_on(async {
                write(&c, &mut cur, n).await;
                all_received.notified().await;
            })
        })
    });
    assert_eq!(
        received.load(Ordering::Acquire),
        n * 100,
        "every task got every event"
    );
}

criterion_group!(
    benches,
    bench_get,
    bench_create,
    bench_replace,
    bench_merge_patch,
    bench_list,
    bench_watch_fanout,
    bench_watch_fanout_shared,
    bench_watch_fanout_tasks,
    bench_load
);
criterion_main!(benches);
