//! The `kobj serve` binary: the URL line, the kubeconfig, readiness right after start, clean
//! shutdown on SIGTERM and SIGINT (open watches included), `--token`, `--tls`, `--fixtures`.

use crate::common;

use std::time::{Duration, Instant};

use common::process::{Scratch, serve};
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::Api;
use kube::api::{ListParams, WatchEvent, WatchParams};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_prints_its_url_writes_a_kubeconfig_and_stops_on_sigterm() {
    let served = serve(&[]);
    assert!(
        served.url.starts_with("http://127.0.0.1:"),
        "{}",
        served.url
    );
    let text = std::fs::read_to_string(&served.kubeconfig).unwrap();
    let kc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    assert_eq!(kc["current-context"], "kobj");
    assert_eq!(kc["contexts"][0]["name"], "kobj");
    assert_eq!(kc["contexts"][0]["context"]["namespace"], "default");
    assert_eq!(
        kc["clusters"][0]["cluster"]["server"].as_str(),
        Some(served.url.as_str())
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&served.kubeconfig)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    assert!(
        served.started_in < Duration::from_secs(2),
        "the URL came {:?} after spawn",
        served.started_in
    );
    let client = served.kube_client().await;
    let started = Instant::now();
    let version = client.apiserver_version().await.unwrap();
    assert_eq!(version.major, "1");
    println!(
        "kobj serve: URL printed {:?} after spawn; first request answered in {:?}",
        served.started_in,
        started.elapsed()
    );
    let namespaces: Api<Namespace> = Api::all(client);
    let names: Vec<String> = namespaces
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter_map(|n| n.metadata.name)
        .collect();
    assert!(names.contains(&"default".to_string()));

    let (status, stderr) = served.stop("-TERM", Duration::from_secs(10));
    assert!(status.success(), "{status:?}: {stderr}");
    assert!(stderr.contains("stopped"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_ends_open_watches_and_exits() {
    let served = serve(&[]);
    let client = served.kube_client().await;
    let configmaps: Api<ConfigMap> = Api::namespaced(client, "default");
    let mut stream = configmaps
        .watch(&WatchParams::default().timeout(290), "0")
        .await
        .unwrap()
        .boxed();
    let mut cm = ConfigMap::default();
    cm.metadata.name = Some("seen".into());
    configmaps.create(&Default::default(), &cm).await.unwrap();
    let added = loop {
        let event = tokio::time::timeout(Duration::from_secs(5), stream.try_next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        match event {
            WatchEvent::Bookmark(_) => continue,
            other => break other,
        }
    };
    assert!(
        matches!(added, WatchEvent::Added(ref c) if c.metadata.name.as_deref() == Some("seen"))
    );
    let stopping = Instant::now();
    let (status, stderr) = served.stop("-INT", Duration::from_secs(10));
    assert!(status.success(), "{status:?}: {stderr}");
    assert!(
        stopping.elapsed() < Duration::from_secs(3),
        "an open watch held the shutdown for {:?}",
        stopping.elapsed()
    );
    let rest = tokio::time::timeout(Duration::from_secs(5), stream.try_next())
        .await
        .unwrap();
    assert!(
        matches!(rest, Ok(None) | Err(_)),
        "the watch ended: {rest:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_without_a_token_writes_a_generated_one() {
    let served = serve(&["--tls"]);
    let text = std::fs::read_to_string(&served.kubeconfig).unwrap();
    let token = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("token: "))
        .unwrap_or_else(|| panic!("no token in:\n{text}"))
        .to_string();
    assert_eq!(token.len(), 32, "{token}");
    // The kubeconfig's token is the server's.
    let client = served.kube_client().await;
    assert!(Api::<Namespace>::all(client).get("default").await.is_ok());
    let err = get_without_the_token(&served).await;
    assert!(
        matches!(err, kube::Error::Api(ref s) if s.code == 401),
        "{err}"
    );
}

/// A read of `default` by a client with the kubeconfig's CA but not its token: its error.
async fn get_without_the_token(served: &common::process::Served) -> kube::Error {
    let mut config = served.kube_config().await;
    config.auth_info.token = None;
    let anonymous = kube::Client::try_from(config).unwrap();
    Api::<Namespace>::all(anonymous)
        .get("default")
        .await
        .unwrap_err()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_and_token() {
    let served = serve(&["--tls", "--token", "s3cret-t0ken"]);
    assert!(
        served.url.starts_with("https://127.0.0.1:"),
        "{}",
        served.url
    );
    let text = std::fs::read_to_string(&served.kubeconfig).unwrap();
    assert!(text.contains("certificate-authority-data"));
    assert!(text.contains("token: s3cret-t0ken"));

    // The kubeconfig's CA verifies the server; the token is accepted.
    let client = served.kube_client().await;
    let namespaces: Api<Namespace> = Api::all(client);
    assert!(namespaces.get("default").await.is_ok());

    // Without the token: 401 Status.
    match get_without_the_token(&served).await {
        kube::Error::Api(status) => {
            assert_eq!(status.code, 401);
            assert_eq!(status.reason, "Unauthorized");
        }
        other => panic!("expected a 401 Status, got {other:?}"),
    }

    // A client that does not trust the generated CA refuses the server.
    let mut config = served.kube_config().await;
    config.root_cert = None;
    let untrusting = kube::Client::try_from(config).unwrap();
    assert!(
        Api::<Namespace>::all(untrusting)
            .get("default")
            .await
            .is_err()
    );
    let (status, _) = served.stop("-TERM", Duration::from_secs(10));
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixtures_are_loaded_before_serving() {
    let scratch = Scratch::new("fixtures");
    let fixtures = scratch.path("objects.yaml");
    std::fs::write(
        &fixtures,
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: preset, namespace: team}\ndata: {mode: fast}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n",
    )
    .unwrap();
    let served = serve(&["--fixtures", fixtures.to_str().unwrap()]);
    let client = served.kube_client().await;
    let cm: ConfigMap = Api::namespaced(client, "team").get("preset").await.unwrap();
    assert_eq!(cm.data.unwrap()["mode"], "fast");

    // A fixture the server refuses stops the command with a message.
    std::fs::write(
        &fixtures,
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Bad_Name}\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kobj"))
        .args(["serve", "--fixtures", fixtures.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot load the fixtures"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn help_explains_every_flag() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kobj"))
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--addr",
        "--write-kubeconfig",
        "--fixtures",
        "--token",
        "--tls",
        "--max-watches",
        "--max-body-bytes",
        "--log",
    ] {
        assert!(help.contains(flag), "{flag} missing from:\n{help}");
    }
}
