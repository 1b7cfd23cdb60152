//! Runs kobj's conformance suite against every backend and prints one line per backend:
//! `conformance <backend>: P passed, F failed` (plus `, S skipped` when any were skipped),
//! then the failing cases with their messages.
//!
//! - `fake`: `kobj_fake::FakeCluster::new()`, used directly as `&dyn` trait objects.
//! - `fake-arc`: a fake with a short history, behind `Arc<dyn CustomObjects>` /
//!   `Arc<dyn CoreResources>`, as a library holding "any backend" would
//!   use it.
//! - `kube-inprocess`: `kobj_kube` over a `kube::Client` whose service is `kobj_server`'s
//!   router in-process (no socket), in front of a fake.
//! - `kube-http`: `kobj_kube` against `kobj_server` serving a fake over TCP on 127.0.0.1.
//! - `kube-cluster`: a real cluster through `kobj_kube`, when `KOBJ_TEST_KUBECONFIG` names a
//!   kubeconfig (`KOBJ_TEST_CONTEXT` picks a context); otherwise a skip note is printed.
//!
//! `KOBJ_CONFORMANCE_FILTER` runs only the cases whose name contains it, or one area
//! (`watch`, `crd`, …).

use std::io::Write as _;
use std::sync::Arc;
use std::time::Duration;

use kobj_conformance::{Backend, Capabilities, Report};
use kobj_core::{CoreResources, CustomObjects, Error, MockCoreResources, MockCustomObjects};
use kobj_fake::FakeCluster;

fn filter() -> Option<String> {
    std::env::var("KOBJ_CONFORMANCE_FILTER")
        .ok()
        .filter(|f| !f.is_empty())
}

/// Prints the summary line and the failures, and fails the test if any case failed.
fn report(backend: &str, report: &Report) {
    // Written to the process's stdout directly, not through `println!`, which the test harness
    // captures: the per-backend line shows in plain `cargo test` output.
    let mut text = format!("{}\n{}", report.summary_line(backend), report.failures());
    if std::env::var_os("KOBJ_CONFORMANCE_SHOW_SKIPS").is_some() {
        text.push_str(&report.skips());
    }
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
    assert!(
        report.is_success(),
        "{} conformance case(s) failed on {backend} (listed above)",
        report.failed.len()
    );
}

/// What the in-process fake offers: every capability, synchronous GC, and the history window
/// it was built with.
fn fake_capabilities(cluster: &FakeCluster) -> Capabilities {
    Capabilities::full().with_history_window(Some(cluster.settings().watch_history))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_fake() {
    let cluster = FakeCluster::new();
    let backend = Backend::new(&cluster, &cluster, fake_capabilities(&cluster));
    let outcome = kobj_conformance::run(&backend, filter().as_deref()).await;
    report("fake", &outcome);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_fake_behind_arc_dyn() {
    let cluster = FakeCluster::builder()
        .watch_history(300)
        .too_large_resource_version_wait(Duration::from_millis(200))
        .build()
        .expect("an empty fake builds");
    let custom: Arc<dyn CustomObjects> = Arc::new(cluster.clone());
    let core: Arc<dyn CoreResources> = Arc::new(cluster.clone());
    let backend = Backend::new(&custom, &core, fake_capabilities(&cluster));
    let outcome = kobj_conformance::run(&backend, filter().as_deref()).await;
    report("fake-arc", &outcome);
}

/// A fake with a short history and a short wait for too-large resourceVersions, as the HTTP
/// runs use it.
fn served_fake() -> FakeCluster {
    FakeCluster::builder()
        .watch_history(300)
        .too_large_resource_version_wait(Duration::from_millis(200))
        .build()
        .expect("an empty fake builds")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_kube_inprocess() {
    let cluster = served_fake();
    let client = kobj_server::in_process_client(&cluster);
    let kube = kobj_kube::KubeBackend::from_kube_client(client);
    let backend = Backend::new(&kube, &kube, fake_capabilities(&cluster));
    let outcome = kobj_conformance::run(&backend, filter().as_deref()).await;
    report("kube-inprocess", &outcome);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_kube_http() {
    let cluster = served_fake();
    let running = kobj_server::start(cluster.clone(), Default::default())
        .await
        .expect("kobj serve binds 127.0.0.1:0");
    let url = running.url().parse().expect("the server URL parses");
    let mut config = kube::Config::new(url);
    // kube-rs 5 retries 429/503/504 up to 15 times with exponential backoff (minutes in
    // all); the in-process client has no such layer. Off, so both runs see the same answers.
    config.default_retry = false;
    let kube = kobj_kube::KubeBackend::from_config(config).expect("a kube client for the server");
    let backend = Backend::new(&kube, &kube, fake_capabilities(&cluster));
    let outcome = kobj_conformance::run(&backend, filter().as_deref()).await;
    running.shutdown().await;
    report("kube-http", &outcome);
}

/// The hook for a real cluster: set `KOBJ_TEST_KUBECONFIG` (and optionally
/// `KOBJ_TEST_CONTEXT`) to run the whole suite through `kobj_kube` against it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_kube_cluster() {
    let Some(kubeconfig) = std::env::var_os("KOBJ_TEST_KUBECONFIG") else {
        println!("conformance kube-cluster: skipped (KOBJ_TEST_KUBECONFIG is not set)");
        return;
    };
    let mut connect = kobj_kube::Connect::default().kubeconfig(kubeconfig);
    if let Some(context) = std::env::var("KOBJ_TEST_CONTEXT")
        .ok()
        .filter(|c| !c.is_empty())
    {
        connect = connect.context(context);
    }
    let cluster = match connect.backend().await {
        Ok(backend) => backend,
        Err(e) => panic!("conformance kube-cluster: cannot connect: {e}"),
    };
    let backend = Backend::new(&cluster, &cluster, Capabilities::real_cluster());
    let outcome = kobj_conformance::run(&backend, filter().as_deref()).await;
    report("kube-cluster", &outcome);
}

/// A backend whose every call fails: the runner reports each case as failed, with the setup
/// error, and never panics.
#[tokio::test]
async fn broken_backend_fails_every_case_without_panicking() {
    let custom = MockCustomObjects::new();
    let mut core = MockCoreResources::new();
    core.expect_create_object()
        .returning(|_, _, _, _| Err(Error::internal("the backend is down")));
    let backend = Backend::new(
        &custom,
        &core,
        Capabilities::full().with_history_window(Some(10)),
    );
    let outcome = kobj_conformance::run(&backend, Some("watch")).await;
    assert_eq!(outcome.passed, 0);
    assert_eq!(
        outcome.failed.len(),
        kobj_conformance::runner::select(Some("watch")).len()
    );
    for (case, why) in &outcome.failed {
        assert!(
            why.contains("setup failed") && why.contains("the backend is down"),
            "{case}: {why}"
        );
    }
    assert!(
        outcome
            .summary_line("broken")
            .starts_with("conformance broken: 0 passed, ")
    );
}

/// Cases that need what a backend lacks are skipped, with the capability named, before the
/// backend is touched at all (the mocks have no expectations: any call would panic).
#[tokio::test]
async fn missing_capabilities_skip_cases() {
    let custom = MockCustomObjects::new();
    let core = MockCoreResources::new();
    let lacking = Capabilities::full()
        .with_history_window(None)
        .with_server_side_apply(false)
        .with_send_initial_events(None);
    let backend = Backend::new(&custom, &core, lacking);
    let cases: Vec<_> = kobj_conformance::cases()
        .into_iter()
        .filter(|c| !c.needs.is_empty())
        .filter(|c| {
            c.needs.iter().any(|n| {
                matches!(
                    n,
                    kobj_conformance::Need::HistoryWindow
                        | kobj_conformance::Need::ServerSideApply
                        | kobj_conformance::Need::InitialEventsKnown
                )
            })
        })
        .collect();
    assert!(cases.len() >= 8, "only {} such cases", cases.len());
    let expected = cases.len();
    let outcome = kobj_conformance::run_cases(&backend, cases).await;
    assert_eq!(outcome.skipped.len(), expected);
    assert_eq!(outcome.passed + outcome.failed.len(), 0);
    assert!(
        outcome
            .skipped
            .iter()
            .all(|(_, why)| why.starts_with("needs "))
    );
    assert!(outcome.skips().contains("needs server_side_apply"));
    assert_eq!(
        outcome.summary_line("lacking"),
        format!("conformance lacking: 0 passed, 0 failed, {expected} skipped")
    );
}
