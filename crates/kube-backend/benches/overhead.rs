//! Per-call overhead of `KubeBackend` over calling `kube::Api<DynamicObject>` directly, for
//! get, list and patch, against the same local endpoint (an axum server on 127.0.0.1 returning
//! fixed bytes), both measured in the same run on the same `kube::Client`.
//!
//! ```text
//! cargo bench -p kobj-kube --bench overhead
//! ```
//!
//! Criterion measures each path on its own (`<verb>/kube_api` and `<verb>/kobj`); then a paired
//! run alternates the two paths call by call (ABBA order, 4000 calls each) and prints both
//! medians and the overhead, which is less sensitive to drift on a busy machine.
//!
//! With `KOBJ_BENCH_CALLS=<direct|kobj>:<get|list|patch>:<n>` the binary only makes `n`
//! in-process calls on one path and exits: run it under `valgrind --tool=callgrind` with two
//! values of `n` to get a machine-independent instruction count per call.
//!
//! The `inproc-<verb>` groups run the same calls against an in-process tower service that
//! answers the same bytes at once (no socket), so the difference between the two paths there
//! is the backend's own CPU cost per call, free of network noise.

#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use criterion::{Criterion, criterion_group};
use kobj_core::ResourceType;
use kobj_kube::KubeBackend;
use kube::Api;
use kube_core::DynamicObject;
use kube_core::params::{GetParams, ListParams, Patch, PatchParams};
use serde_json::{Value, json};

const NS: &str = "default";
const NAME: &str = "settings";

fn configmap(i: usize) -> Value {
    let data: serde_json::Map<String, Value> = (0..16)
        .map(|k| {
            (
                format!("key-{k:02}"),
                json!(format!("value-{i}-{k}-0123456789abcdef")),
            )
        })
        .collect();
    json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": if i == 0 { NAME.to_string() } else { format!("cm-{i}") },
            "namespace": NS, "uid": format!("8f0e2c4a-0000-4000-8000-{i:012}"),
            "resourceVersion": format!("{}", 1000 + i), "creationTimestamp": "2026-01-01T00:00:00Z",
            "labels": {"app": "bench", "tier": "backend"}},
        "data": data
    })
}

/// The bytes the endpoint answers: one ConfigMap, or a list of ten.
fn bodies() -> (String, String) {
    let one = configmap(0).to_string();
    let list = json!({"apiVersion": "v1", "kind": "ConfigMapList", "metadata": {"resourceVersion": "2000"},
        "items": (0..10).map(configmap).collect::<Vec<_>>()})
    .to_string();
    (one, list)
}

struct Fixture {
    runtime: tokio::runtime::Runtime,
    api: Api<DynamicObject>,
    backend: KubeBackend,
    rt: ResourceType,
}

fn fixture() -> Fixture {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (one, list) = bodies();
    let (url, client) = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let object = one.clone();
        let app = Router::new()
            .route(
                "/api/v1/namespaces/default/configmaps",
                get(move || {
                    let list = list.clone();
                    async move { ([(CONTENT_TYPE, "application/json")], list) }
                }),
            )
            .route(
                "/api/v1/namespaces/default/configmaps/settings",
                get({
                    let object = object.clone();
                    move || {
                        let object = object.clone();
                        async move { ([(CONTENT_TYPE, "application/json")], object) }
                    }
                })
                .patch(move || {
                    let object = one.clone();
                    async move { ([(CONTENT_TYPE, "application/json")], object) }
                }),
            );
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let client = kube::Client::try_from(kube::Config::new(url.parse().unwrap())).unwrap();
        (url, client)
    });
    let rt = ResourceType::of::<k8s_openapi::api::core::v1::ConfigMap>();
    let api = Api::namespaced_with(client.clone(), NS, &rt.api);
    let backend = KubeBackend::from_kube_client(client).with_server_url(url);
    Fixture {
        runtime,
        api,
        backend,
        rt,
    }
}

/// The same bytes from an in-process tower service: no socket, no HTTP parsing.
fn inproc_fixture() -> Fixture {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (one, list) = bodies();
    let client = runtime.block_on(async move {
        let service = tower::service_fn(move |req: http::Request<kube::client::Body>| {
            let body = if req.uri().path().ends_with("/configmaps") {
                list.clone()
            } else {
                one.clone()
            };
            async move {
                let mut res = http::Response::new(kube::client::Body::from(body.into_bytes()));
                res.headers_mut().insert(
                    CONTENT_TYPE,
                    http::HeaderValue::from_static("application/json"),
                );
                Ok::<_, std::convert::Infallible>(res)
            }
        });
        kube::Client::new(service, NS)
    });
    let rt = ResourceType::of::<k8s_openapi::api::core::v1::ConfigMap>();
    let api = Api::namespaced_with(client.clone(), NS, &rt.api);
    let backend = KubeBackend::from_kube_client(client);
    Fixture {
        runtime,
        api,
        backend,
        rt,
    }
}

fn patch() -> Patch<Value> {
    Patch::Merge(json!({"metadata": {"labels": {"bench": "yes"}}}))
}

#[derive(Clone, Copy)]
enum Verb {
    Get,
    List,
    Patch,
}

impl Verb {
    fn name(self) -> &'static str {
        match self {
            Verb::Get => "get",
            Verb::List => "list",
            Verb::Patch => "patch",
        }
    }
}

async fn direct(f: &Fixture, verb: Verb, p: &Patch<Value>) {
    match verb {
        Verb::Get => drop(black_box(f.api.get(NAME).await.unwrap())),
        Verb::List => drop(black_box(f.api.list(&ListParams::default()).await.unwrap())),
        Verb::Patch => drop(black_box(
            f.api.patch(NAME, &PatchParams::default(), p).await.unwrap(),
        )),
    }
}

async fn ours(f: &Fixture, verb: Verb, p: &Patch<Value>) {
    let b = &f.backend;
    match verb {
        Verb::Get => drop(black_box(
            b.get_object(&f.rt, Some(NS), NAME, &GetParams::default())
                .await
                .unwrap(),
        )),
        Verb::List => drop(black_box(
            b.list_objects(&f.rt, Some(NS), &ListParams::default())
                .await
                .unwrap(),
        )),
        Verb::Patch => drop(black_box(
            b.patch_object(&f.rt, Some(NS), NAME, p, &PatchParams::default())
                .await
                .unwrap(),
        )),
    }
}

fn criterion_benches(c: &mut Criterion) {
    let f = fixture();
    let p = patch();
    for verb in [Verb::Get, Verb::List, Verb::Patch] {
        let mut group = c.benchmark_group(verb.name());
        group.measurement_time(Duration::from_secs(5));
        group.bench_function("kube_api", |b| {
            b.to_async(&f.runtime).iter(|| direct(&f, verb, &p))
        });
        group.bench_function("kobj", |b| {
            b.to_async(&f.runtime).iter(|| ours(&f, verb, &p))
        });
        group.finish();
    }
    let f = inproc_fixture();
    for verb in [Verb::Get, Verb::List, Verb::Patch] {
        let mut group = c.benchmark_group(format!("inproc-{}", verb.name()));
        group.measurement_time(Duration::from_secs(5));
        group.bench_function("kube_api", |b| {
            b.to_async(&f.runtime).iter(|| direct(&f, verb, &p))
        });
        group.bench_function("kobj", |b| {
            b.to_async(&f.runtime).iter(|| ours(&f, verb, &p))
        });
        group.finish();
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Alternates the two paths call by call and reports both medians.
fn paired(label: &str, f: &Fixture, rounds: usize) {
    let p = patch();
    for verb in [Verb::Get, Verb::List, Verb::Patch] {
        let (a, b) = f.runtime.block_on(async {
            for _ in 0..200 {
                direct(f, verb, &p).await;
                ours(f, verb, &p).await;
            }
            let mut a = Vec::with_capacity(rounds);
            let mut b = Vec::with_capacity(rounds);
            for i in 0..rounds {
                let order = if i % 2 == 0 {
                    [true, false]
                } else {
                    [false, true]
                };
                for direct_first in order {
                    let start = Instant::now();
                    if direct_first {
                        direct(f, verb, &p).await;
                        a.push(start.elapsed());
                    } else {
                        ours(f, verb, &p).await;
                        b.push(start.elapsed());
                    }
                }
            }
            (a, b)
        });
        let (ma, mb) = (median(a), median(b));
        let overhead = (mb.as_secs_f64() / ma.as_secs_f64() - 1.0) * 100.0;
        println!(
            "paired {label:<7} {:<5}: kube::Api median {:>8.2} µs, kobj median {:>8.2} µs, overhead {:+.2}%",
            verb.name(),
            ma.as_secs_f64() * 1e6,
            mb.as_secs_f64() * 1e6,
            overhead
        );
    }
}

criterion_group!(benches, criterion_benches);

/// `KOBJ_BENCH_CALLS=<direct|kobj>:<get|list|patch>:<n>`: `n` in-process calls, nothing else.
fn fixed_calls(spec: &str) {
    let parts: Vec<&str> = spec.split(':').collect();
    let verb = match parts.get(1) {
        Some(&"list") => Verb::List,
        Some(&"patch") => Verb::Patch,
        _ => Verb::Get,
    };
    let n: usize = parts.get(2).and_then(|n| n.parse().ok()).unwrap_or(1000);
    let f = inproc_fixture();
    let p = patch();
    f.runtime.block_on(async {
        for _ in 0..n {
            if parts.first() == Some(&"direct") {
                direct(&f, verb, &p).await;
            } else {
                ours(&f, verb, &p).await;
            }
        }
    });
}

fn main() {
    if let Ok(spec) = std::env::var("KOBJ_BENCH_CALLS") {
        fixed_calls(&spec);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
    // `cargo test --benches` runs benches in test mode: skip the long paired run there.
    if !std::env::args().any(|a| a == "--test" || a == "--list") {
        paired("tcp", &fixture(), 4000);
        paired("inproc", &inproc_fixture(), 20000);
    }
}
