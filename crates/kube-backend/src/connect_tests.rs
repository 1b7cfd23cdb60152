//! Tests of `connect.rs`: where the configuration comes from and how failures read.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;

static DIRS: AtomicUsize = AtomicUsize::new(0);

/// A fresh directory under the system temp dir.
fn scratch() -> PathBuf {
    let n = DIRS.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("kobj-kube-connect-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const TOKEN: &str = "kobj-test-bearer-7f3a9c";

fn kubeconfig(server: &str, current: Option<&str>, insecure: bool) -> String {
    let current = current
        .map(|c| format!("current-context: {c}\n"))
        .unwrap_or_default();
    let insecure = if insecure {
        "    insecure-skip-tls-verify: true\n"
    } else {
        ""
    };
    format!(
        "apiVersion: v1
kind: Config
{current}clusters:
- name: lab
  cluster:
    server: {server}
{insecure}- name: other
  cluster:
    server: https://other.example:6443
contexts:
- name: lab
  context:
    cluster: lab
    user: robot
    namespace: jumpstarter
- name: bare
  context:
    cluster: other
    user: robot
users:
- name: robot
  user:
    token: {TOKEN}
"
    )
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn no_env() -> Env {
    Env::default()
}

fn message(err: &Error) -> String {
    err.to_string()
}

#[tokio::test]
async fn an_explicit_kubeconfig_gives_its_context_and_namespace() {
    let dir = scratch();
    let path = write(
        &dir,
        "config",
        &kubeconfig("https://lab.example:6443", Some("lab"), false),
    );
    let config = Connect::default()
        .kubeconfig(&path)
        .load_config_in(&no_env())
        .await
        .unwrap();
    assert_eq!(config.cluster_url.to_string(), "https://lab.example:6443/");
    assert_eq!(config.default_namespace, "jumpstarter");
    assert!(!config.accept_invalid_certs, "TLS verification stays on");

    // Another context without a namespace: `default`.
    let config = Connect::default()
        .kubeconfig(&path)
        .context("bare")
        .load_config_in(&no_env())
        .await
        .unwrap();
    assert_eq!(
        config.cluster_url.to_string(),
        "https://other.example:6443/"
    );
    assert_eq!(config.default_namespace, "default");

    // An explicit namespace wins; an empty one counts as unset.
    let config = Connect::default()
        .kubeconfig(&path)
        .namespace("lab-7")
        .load_config_in(&no_env())
        .await
        .unwrap();
    assert_eq!(config.default_namespace, "lab-7");
    let config = Connect::default()
        .kubeconfig(&path)
        .namespace("")
        .load_config_in(&no_env())
        .await
        .unwrap();
    assert_eq!(config.default_namespace, "jumpstarter");
}

#[tokio::test]
async fn the_kubeconfig_may_turn_tls_verification_off() {
    let dir = scratch();
    let path = write(
        &dir,
        "config",
        &kubeconfig("https://lab.example:6443", Some("lab"), true),
    );
    let config = Connect::default()
        .kubeconfig(&path)
        .load_config_in(&no_env())
        .await
        .unwrap();
    assert!(config.accept_invalid_certs);
}

#[tokio::test]
async fn a_missing_kubeconfig_file_is_named() {
    let dir = scratch();
    let missing = dir.join("nope").join("kubeconfig");
    let err = Connect::default()
        .kubeconfig(&missing)
        .load_config_in(&no_env())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), kobj_core::ErrorKind::Config);
    assert_eq!(
        message(&err),
        format!(
            "configuration error: kubeconfig file {} does not exist",
            missing.display()
        )
    );
}

#[tokio::test]
async fn an_unreadable_kubeconfig_is_named() {
    let dir = scratch();
    let path = write(&dir, "config", "clusters: [this is: not: yaml");
    let err = Connect::default()
        .kubeconfig(&path)
        .load_config_in(&no_env())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), kobj_core::ErrorKind::Config);
    assert!(message(&err).contains(&format!("cannot load kubeconfig {}", path.display())));
}

#[tokio::test]
async fn an_unknown_context_is_named_with_the_file_and_the_known_contexts() {
    let dir = scratch();
    let path = write(
        &dir,
        "config",
        &kubeconfig("https://lab.example:6443", Some("lab"), false),
    );
    let err = Connect::default()
        .kubeconfig(&path)
        .context("prod")
        .load_config_in(&no_env())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), kobj_core::ErrorKind::Config);
    assert_eq!(
        message(&err),
        format!(
            "configuration error: context \"prod\" not found in kubeconfig {} (contexts: lab, bare)",
            path.display()
        )
    );
}

#[tokio::test]
async fn no_current_context_asks_for_one() {
    let dir = scratch();
    let path = write(
        &dir,
        "config",
        &kubeconfig("https://lab.example:6443", None, false),
    );
    let err = Connect::default()
        .kubeconfig(&path)
        .load_config_in(&no_env())
        .await
        .unwrap_err();
    assert!(
        message(&err).contains("has no current-context; choose one of its contexts (lab, bare)")
    );
    let config = Connect::default()
        .kubeconfig(&path)
        .context("lab")
        .load_config_in(&no_env())
        .await
        .unwrap();
    assert_eq!(config.default_namespace, "jumpstarter");
}

#[tokio::test]
async fn kubeconfig_lists_skip_missing_files_and_merge_the_rest() {
    let dir = scratch();
    let first = write(
        &dir,
        "a",
        &kubeconfig("https://lab.example:6443", Some("lab"), false),
    );
    let second = write(
        &dir,
        "b",
        "apiVersion: v1\nkind: Config\ncurrent-context: bare\ncontexts:\n- name: extra\n  context:\n    cluster: lab\n    user: robot\n    namespace: extra-ns\n",
    );
    let list = std::env::join_paths([dir.join("missing"), first.clone(), second]).unwrap();
    let env = Env {
        kubeconfig: Some(list),
        home: Some(dir.join("home-that-is-not-used")),
    };
    // The first file to set current-context wins.
    let config = Connect::default().load_config_in(&env).await.unwrap();
    assert_eq!(config.default_namespace, "jumpstarter");
    // A context from the second file is there too.
    let config = Connect::default()
        .context("extra")
        .load_config_in(&env)
        .await
        .unwrap();
    assert_eq!(config.default_namespace, "extra-ns");
    assert_eq!(config.cluster_url.to_string(), "https://lab.example:6443/");
}

#[tokio::test]
async fn the_home_kubeconfig_is_the_default() {
    let dir = scratch();
    std::fs::create_dir_all(dir.join(".kube")).unwrap();
    write(
        &dir.join(".kube"),
        "config",
        &kubeconfig("https://home.example:6443", Some("lab"), false),
    );
    let env = Env {
        kubeconfig: None,
        home: Some(dir.clone()),
    };
    let config = Connect::default().load_config_in(&env).await.unwrap();
    assert_eq!(config.cluster_url.to_string(), "https://home.example:6443/");
}

#[tokio::test]
async fn without_any_kubeconfig_it_falls_back_to_in_cluster() {
    if std::env::var_os("KUBERNETES_SERVICE_HOST").is_some() {
        eprintln!("note: running inside a pod; the in-cluster failure cannot be observed here");
        return;
    }
    let dir = scratch();
    let env = Env {
        kubeconfig: None,
        home: Some(dir.clone()),
    };
    let err = Connect::default().load_config_in(&env).await.unwrap_err();
    assert_eq!(err.kind(), kobj_core::ErrorKind::Config);
    let text = message(&err);
    assert!(
        text.contains(&format!(
            "no kubeconfig found ({}",
            dir.join(".kube").join("config").display()
        )),
        "{text}"
    );
    assert!(
        text.contains("the in-cluster configuration is unavailable"),
        "{text}"
    );

    let listed = Env {
        kubeconfig: Some(dir.join("gone").into_os_string()),
        home: None,
    };
    let err = Connect::default()
        .load_config_in(&listed)
        .await
        .unwrap_err();
    assert!(message(&err).contains(&format!(
        "KUBECONFIG lists {}, none exists",
        dir.join("gone").display()
    )));

    let err = Connect::default()
        .context("lab")
        .load_config_in(&listed)
        .await
        .unwrap_err();
    assert!(message(&err).starts_with(
        "configuration error: context \"lab\" was asked for, but no kubeconfig was found"
    ));
}

#[tokio::test]
async fn an_unreachable_server_is_named_on_the_first_call() {
    // A port nothing listens on: bind, note the port, close.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let dir = scratch();
    let url = format!("http://127.0.0.1:{port}");
    let path = write(&dir, "config", &kubeconfig(&url, Some("lab"), false));
    let backend = Connect::default()
        .kubeconfig(&path)
        .backend()
        .await
        .unwrap();
    assert_eq!(backend.default_namespace(), "jumpstarter");
    let err = backend.server_version().await.unwrap_err();
    assert!(err.is_transport(), "{err:?}");
    let text = message(&err);
    assert!(
        text.starts_with(&format!(
            "transport error: cannot reach the API server for GET {url}/version: "
        )),
        "{text}"
    );
    assert!(!text.contains(TOKEN));
    assert!(!format!("{err:?}").contains(TOKEN));
}

#[tokio::test]
async fn debug_output_never_shows_the_token() {
    let dir = scratch();
    let path = write(
        &dir,
        "config",
        &kubeconfig("https://lab.example:6443", Some("lab"), false),
    );
    let options = Connect::default().kubeconfig(&path);
    let config = options.load_config_in(&no_env()).await.unwrap();
    let backend = KubeBackend::from_config(config.clone()).unwrap();
    for text in [
        format!("{config:?}"),
        format!("{backend:?}"),
        format!("{options:?}"),
        format!("{:?}", backend.client()),
    ] {
        assert!(!text.contains(TOKEN), "{text}");
    }
    assert!(format!("{backend:?}").contains("https://lab.example:6443/"));
}
