//! Performance of `kobj serve` (a load program, not a criterion bench):
//!
//! 1. start-to-ready: spawn the `kobj` binary and time until `GET /version` answers (median
//!    and max of 20 starts);
//! 2. GET throughput of one custom object over keep-alive HTTP/1.1 on 127.0.0.1, against a
//!    bare hyper server returning the same bytes, in the same run and with the same load
//!    generator (each server on one runtime thread, the generator on another);
//! 3. watch latency: from a write into the fake to the event line arriving at a client
//!    watching over HTTP (median and p99 of 2,000 writes).
//!
//! `cargo bench -p kobj-server --bench serve` (the release profile). `KOBJ_BENCH_SECS` sets
//! the seconds each server is loaded per
//! connection count (default 5, in 5 alternating rounds).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::convert::Infallible;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use kobj_core::{ApiResource, CustomObjects, ResourceType};
use kobj_fake::FakeCluster;
use kube_core::DynamicObject;
use kube_core::params::{Patch, PatchParams};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const PATH: &str = "/apis/bench.kobj.dev/v1/namespaces/default/widgets/w1";

fn runtime(threads: usize) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
        .unwrap()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx]
}

fn start_to_ready() {
    let mut times = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        let mut child = Command::new(env!("CARGO_BIN_EXE_kobj"))
            .args(["serve", "--log", "warn"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .trim_start_matches("kobj serve: listening on http://")
            .to_string();
        let mut stream = std::net::TcpStream::connect(&addr).unwrap();
        use std::io::{Read, Write};
        stream
            .write_all(b"GET /version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut reply = String::new();
        stream.read_to_string(&mut reply).unwrap();
        assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
        times.push(started.elapsed());
        let _ = child.kill();
        let _ = child.wait();
    }
    times.sort();
    println!(
        "start-to-ready (spawn `kobj serve` → first 200 from GET /version): median {:.1} ms, max {:.1} ms (20 starts)",
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        times.last().unwrap().as_secs_f64() * 1e3
    );
}

async fn seed(cluster: &FakeCluster) {
    let crd = json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.bench.kobj.dev"},
        "spec": {
            "group": "bench.kobj.dev",
            "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]
        }
    });
    cluster.load_yaml(&crd.to_string()).await.unwrap();
    // A ~1 KiB object.
    let widget = json!({
        "apiVersion": "bench.kobj.dev/v1", "kind": "Widget",
        "metadata": {"name": "w1", "namespace": "default", "labels": {"app": "bench", "tier": "web"}},
        "spec": {"replicas": 3, "payload": "x".repeat(700)}
    });
    cluster.load_yaml(&widget.to_string()).await.unwrap();
}

/// Drives `connections` keep-alive connections for `secs`, returns requests per second.
async fn load(addr: SocketAddr, connections: usize, secs: f64) -> f64 {
    let stop = Arc::new(AtomicBool::new(false));
    let count = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let stop = stop.clone();
        let count = count.clone();
        tasks.push(tokio::spawn(async move {
            let tcp = TcpStream::connect(addr).await.unwrap();
            tcp.set_nodelay(true).unwrap();
            let (mut send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
                .await
                .unwrap();
            tokio::spawn(conn);
            while !stop.load(Ordering::Relaxed) {
                let req = Request::get(PATH)
                    .header("host", "bench")
                    .body(Empty::<Bytes>::new())
                    .unwrap();
                let resp = send.send_request(req).await.unwrap();
                assert_eq!(resp.status(), 200);
                let body = resp.into_body().collect().await.unwrap().to_bytes();
                assert!(body.len() > 500);
                count.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs_f64(secs)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
    count.load(Ordering::Relaxed) as f64 / secs
}

async fn bare_hyper(body: Bytes) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (tcp, _) = listener.accept().await.unwrap();
            tcp.set_nodelay(true).unwrap();
            let body = body.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |_req| {
                    let body = body.clone();
                    async move {
                        let mut resp = hyper::Response::new(Full::new(body));
                        resp.headers_mut()
                            .insert("content-type", "application/json".parse().unwrap());
                        Ok::<_, Infallible>(resp)
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tcp), service)
                    .await;
            });
        }
    });
    addr
}

fn throughput() {
    let secs: f64 = std::env::var("KOBJ_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5.0);
    let server_rt = runtime(1);
    let client_rt = runtime(1);
    let cluster = FakeCluster::new();
    server_rt.block_on(seed(&cluster));
    let running = server_rt
        .block_on(kobj_server::start(cluster, Default::default()))
        .unwrap();
    let kobj_addr = running.addr();
    // The exact bytes kobj answers, for the bare server.
    let body = client_rt.block_on(async {
        let tcp = TcpStream::connect(kobj_addr).await.unwrap();
        let (mut send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
            .await
            .unwrap();
        tokio::spawn(conn);
        let req = Request::get(PATH)
            .header("host", "bench")
            .body(Empty::<Bytes>::new())
            .unwrap();
        send.send_request(req)
            .await
            .unwrap()
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
    });
    let bare_addr = server_rt.block_on(async {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let body = body.clone();
        tokio::spawn(async move { tx.send(bare_hyper(body).await).unwrap() });
        rx.await.unwrap()
    });
    // Alternate the two servers over several rounds and compare medians, so that other load
    // on the machine hits both alike.
    for connections in [1, 8] {
        let _warm = client_rt.block_on(load(kobj_addr, connections, 0.3));
        let _warm = client_rt.block_on(load(bare_addr, connections, 0.3));
        let (mut kobj, mut bare) = (Vec::new(), Vec::new());
        for _ in 0..5 {
            kobj.push(client_rt.block_on(load(kobj_addr, connections, secs / 5.0)));
            bare.push(client_rt.block_on(load(bare_addr, connections, secs / 5.0)));
        }
        kobj.sort_by(f64::total_cmp);
        bare.sort_by(f64::total_cmp);
        let (kobj, bare) = (kobj[2], bare[2]);
        println!(
            "GET {} B object, {connections} keep-alive connection(s): kobj serve {:.0} req/s, bare hyper {:.0} req/s ({:.0}%; medians of 5 alternating rounds)",
            body.len(),
            kobj,
            bare,
            100.0 * kobj / bare
        );
    }
    server_rt.block_on(running.shutdown());
}

fn watch_latency() {
    let server_rt = runtime(1);
    let client_rt = runtime(1);
    let cluster = FakeCluster::new();
    server_rt.block_on(seed(&cluster));
    let running = server_rt
        .block_on(kobj_server::start(cluster.clone(), Default::default()))
        .unwrap();
    let addr = running.addr();
    let rv = cluster.resource_version();
    // A raw HTTP/1.1 watch: read event lines as they come (chunked framing around them).
    let (mut lines, _writer) = client_rt.block_on(async {
        let tcp = TcpStream::connect(addr).await.unwrap();
        tcp.set_nodelay(true).unwrap();
        let (read, mut write) = tcp.into_split();
        let req = format!(
            "GET /apis/bench.kobj.dev/v1/namespaces/default/widgets?watch=1&resourceVersion={rv} HTTP/1.1\r\nHost: bench\r\n\r\n"
        );
        write.write_all(req.as_bytes()).await.unwrap();
        (tokio::io::BufReader::new(read).lines(), write)
    });
    let rt = ResourceType::namespaced(ApiResource {
        group: "bench.kobj.dev".into(),
        version: "v1".into(),
        api_version: "bench.kobj.dev/v1".into(),
        kind: "Widget".into(),
        plural: "widgets".into(),
    });
    let mut samples = Vec::new();
    for i in 0..2_000u32 {
        let patch = Patch::Merge(json!({"spec": {"replicas": i}}));
        let started = Instant::now();
        let _: DynamicObject = server_rt
            .block_on(CustomObjects::patch_object(
                &cluster,
                &rt,
                Some("default"),
                "w1",
                &patch,
                &PatchParams::default(),
            ))
            .unwrap();
        let marker = format!("\"replicas\":{i}");
        client_rt.block_on(async {
            loop {
                let line = lines.next_line().await.unwrap().unwrap();
                if line.contains("\"MODIFIED\"") && line.contains(&marker) {
                    break;
                }
            }
        });
        samples.push(started.elapsed());
    }
    samples.sort();
    println!(
        "watch latency (write into the fake → event line read by an HTTP client): median {:.1} µs, p99 {:.1} µs (2,000 writes)",
        percentile(&samples, 0.5).as_secs_f64() * 1e6,
        percentile(&samples, 0.99).as_secs_f64() * 1e6
    );
    server_rt.block_on(running.shutdown());
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: run quickly then.
    let full = std::env::args().any(|a| a == "--bench");
    if !full {
        println!("serve bench: run with `cargo bench -p kobj-server --bench serve`");
        return;
    }
    start_to_ready();
    throughput();
    watch_latency();
}
