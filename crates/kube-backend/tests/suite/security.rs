//! Credentials and Secret data never show up in logs, tracing spans, errors or `Debug` output,
//! while every verb runs with the bearer token and Secret bodies on the wire.

use crate::common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use common::*;
use futures::StreamExt;
use k8s_openapi::api::core::v1::Secret;
use kobj_core::{CoreResources, ResourceType};
use kube_core::DynamicObject;
use kube_core::params::{
    DeleteParams, GetParams, ListParams, Patch, PatchParams, PostParams, WatchParams,
};
use serde_json::{Value, json};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;
use wiremock::matchers::{header, method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "sha256~kobj-bearer-0b7f5e1d";
const PASSWORD: &str = "hunter2-kobj-password";
const API_KEY: &str = "kobj-string-data-api-key";

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

fn secret_json(rv: &str) -> Value {
    let b64 = base64::engine::general_purpose::STANDARD.encode(PASSWORD);
    json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "db", "namespace": "lab", "resourceVersion": rv, "uid": "u-db"},
        "type": "Opaque",
        "data": {"password": b64}
    })
}

fn forbidden_strings() -> Vec<String> {
    vec![
        TOKEN.to_string(),
        PASSWORD.to_string(),
        base64::engine::general_purpose::STANDARD.encode(PASSWORD),
        API_KEY.to_string(),
    ]
}

fn assert_clean(what: &str, text: &str) {
    for secret in forbidden_strings() {
        assert!(
            !text.contains(&secret),
            "{what} contains {secret:?}:\n{text}"
        );
    }
}

async fn server_with_secrets() -> MockServer {
    let server = MockServer::start().await;
    let bearer = format!("Bearer {TOKEN}");
    let watch = watch_body(&[
        event("ADDED", secret_json("5")),
        event("MODIFIED", secret_json("6")),
    ]);
    Mock::given(method("GET"))
        .and(header("authorization", bearer.as_str()))
        .and(wiremock::matchers::query_param("watch", "true"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(watch, "application/json"))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", bearer.as_str()))
        .and(path_regex("/secrets$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(list_of(
            "Secret",
            "v1",
            "6",
            vec![secret_json("6")],
        )))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", bearer.as_str()))
        .and(path_regex("/secrets/missing$"))
        .respond_with(ResponseTemplate::new(404).set_body_json(status(
            404,
            "NotFound",
            "secrets \"missing\" not found",
            json!({"name": "missing", "kind": "secrets"}),
        )))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(header("authorization", bearer.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(secret_json("6")))
        .with_priority(3)
        .mount(&server)
        .await;
    // Anything without the token: 401 with the real body.
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(401).set_body_json(status(
            401,
            "Unauthorized",
            "Unauthorized",
            Value::Null,
        )))
        .with_priority(4)
        .mount(&server)
        .await;
    server
}

fn kubeconfig_file(server: &MockServer) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kobj-kube-security-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config");
    let text = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: lab\nclusters:\n- name: lab\n  cluster:\n    server: {}\ncontexts:\n- name: lab\n  context:\n    cluster: lab\n    user: robot\n    namespace: lab\nusers:\n- name: robot\n  user:\n    token: {TOKEN}\n",
        server.uri()
    );
    std::fs::write(&path, text).unwrap();
    path
}

#[tokio::test(flavor = "current_thread")]
async fn no_token_or_secret_data_in_logs_spans_errors_or_debug() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::FULL)
        .with_ansi(false)
        .with_writer(capture.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = server_with_secrets().await;
    let path = kubeconfig_file(&server);
    let options = kobj_kube::Connect::default().kubeconfig(&path);
    let backend = options.backend().await.unwrap();
    let client = backend.client();
    let rt = ResourceType::of::<Secret>();
    let ns = client.ns();
    let core = client.core();

    let mut secret: DynamicObject = serde_json::from_value(secret_json("")).unwrap();
    secret.data["stringData"] = json!({"api-key": API_KEY});
    let created = core
        .create_object(&rt, ns, &secret, &PostParams::default())
        .await
        .unwrap();
    let got = core
        .get_object(&rt, ns, "db", &GetParams::default())
        .await
        .unwrap();
    assert_eq!(
        got.data["data"]["password"],
        json!(base64::engine::general_purpose::STANDARD.encode(PASSWORD)),
        "the Secret really went through"
    );
    let list = core
        .list_objects(&rt, ns, &ListParams::default())
        .await
        .unwrap();
    core.replace_object(&rt, ns, "db", &secret, &PostParams::default())
        .await
        .unwrap();
    let patch = Patch::Merge(json!({"stringData": {"api-key": API_KEY}}));
    core.patch_object(&rt, ns, "db", &patch, &PatchParams::default())
        .await
        .unwrap();
    let apply = Patch::Apply(serde_json::to_value(&secret).unwrap());
    core.patch_object(&rt, ns, "db", &apply, &PatchParams::apply("kobj").force())
        .await
        .unwrap();
    let events: Vec<_> = core
        .watch_objects(&rt, ns, &WatchParams::default(), "4")
        .await
        .unwrap()
        .collect()
        .await;
    assert_eq!(events.len(), 2);
    let deleted = CoreResources::delete_object(&backend, &rt, ns, "db", &DeleteParams::default())
        .await
        .unwrap();
    let missing = core
        .get_object(&rt, ns, "missing", &GetParams::default())
        .await
        .unwrap_err();
    assert!(missing.is_not_found());

    // The same calls without the token fail with a 401, whose error shows no token either.
    let anonymous =
        kobj_kube::KubeBackend::from_config(kube::Config::new(server.uri().parse().unwrap()))
            .unwrap();
    let unauthorized = anonymous
        .get_object(&rt, ns, "db", &GetParams::default())
        .await
        .unwrap_err();
    assert!(unauthorized.is_unauthorized());

    // A broken resilient watch logs its retries; those must be clean too.
    let mut resilient = backend
        .resilient_watch(&rt, ns, &WatchParams::default())
        .max_retries(0)
        .stream();
    let first = resilient.next().await.unwrap().unwrap();
    assert!(matches!(first, kube_core::WatchEvent::Added(_)));

    let config = options.load_config().await.unwrap();
    for (what, text) in [
        ("created Debug", format!("{:?}", created.metadata)),
        ("backend Debug", format!("{backend:?}")),
        ("client Debug", format!("{client:?}")),
        ("config Debug", format!("{config:?}")),
        ("options Debug", format!("{options:?}")),
        ("not-found Display", missing.to_string()),
        ("not-found Debug", format!("{missing:?}")),
        ("401 Display", unauthorized.to_string()),
        ("401 Debug", format!("{unauthorized:?}")),
        (
            "resilient Debug",
            format!(
                "{:?}",
                backend
                    .resilient_watch(&rt, ns, &WatchParams::default())
                    .from_list(list.clone())
            ),
        ),
        (
            "delete result",
            format!("{:?}", deleted.as_ref().map_right(|s| s.clone()).right()),
        ),
    ] {
        assert_clean(what, &text);
    }

    // Every request carried the token (it was really used), and the Secret bodies went out.
    let seen = requests(&server).await;
    let with_token = seen
        .iter()
        .filter(|r| header_value(r, "authorization") == format!("Bearer {TOKEN}"))
        .count();
    assert!(with_token >= 9, "{with_token}");
    assert!(
        seen.iter()
            .any(|r| String::from_utf8_lossy(&r.body).contains(API_KEY))
    );

    drop(_guard);
    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("kobj_kube"),
        "our spans were captured:\n{logs}"
    );
    assert!(logs.contains("HTTP"), "kube-client's spans were captured");
    assert!(logs.contains("secrets"), "span fields were captured");
    assert_clean("tracing output", &logs);
}

fn header_value(request: &wiremock::Request, name: &str) -> String {
    request
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}
