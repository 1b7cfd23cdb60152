//! Shared helpers for the wiremock tests: backends over a mock server, resource types, real
//! Status bodies, and a scripted HTTP peer for streams that break.

#![allow(dead_code, clippy::unwrap_used)]

pub mod scripted;

use kobj_core::{ApiResource, ResourceType};
use kobj_kube::KubeBackend;
use kube_core::GroupVersionKind;
use serde_json::{Value, json};
use wiremock::{MockServer, Request};

/// A backend over the mock server, from `kube::Config::new(uri)` (no TLS, kube-rs defaults).
pub fn backend(server: &MockServer) -> KubeBackend {
    KubeBackend::from_config(config(server)).unwrap()
}

/// The same, with kube-rs's default retry layer off (for 429/503/504 mapping tests).
pub fn backend_without_retry(server: &MockServer) -> KubeBackend {
    let mut config = config(server);
    config.default_retry = false;
    KubeBackend::from_config(config).unwrap()
}

/// `kube::Config::new(mock_server.uri())`.
pub fn config(server: &MockServer) -> kube::Config {
    kube::Config::new(server.uri().parse().unwrap())
}

/// A plain `kube::Client` for the same server, for comparing with direct `kube::Api` use.
pub fn kube_client(server: &MockServer) -> kube::Client {
    kube::Client::try_from(config(server)).unwrap()
}

/// Namespaced custom resource `widgets.example.com/v1`.
pub fn widgets() -> ResourceType {
    let gvk = GroupVersionKind::gvk("example.com", "v1", "Widget");
    ResourceType::namespaced(ApiResource::from_gvk_with_plural(&gvk, "widgets"))
}

/// Cluster-scoped custom resource `clusterwidgets.example.com/v1`.
pub fn cluster_widgets() -> ResourceType {
    let gvk = GroupVersionKind::gvk("example.com", "v1", "ClusterWidget");
    ResourceType::cluster(ApiResource::from_gvk_with_plural(&gvk, "clusterwidgets"))
}

/// A widget as the server stores it.
pub fn widget(name: &str, rv: &str) -> Value {
    json!({
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {
            "name": name,
            "namespace": "lab",
            "uid": format!("uid-{name}"),
            "resourceVersion": rv,
            "generation": 1,
            "labels": {"app": "demo"}
        },
        "spec": {"size": 3}
    })
}

/// A list of objects at a resourceVersion.
pub fn list_of(kind: &str, api_version: &str, rv: &str, items: Vec<Value>) -> Value {
    json!({
        "apiVersion": api_version,
        "kind": format!("{kind}List"),
        "metadata": {"resourceVersion": rv},
        "items": items
    })
}

/// A failure Status body, as the API server writes it.
pub fn status(code: u16, reason: &str, message: &str, details: Value) -> Value {
    let mut body = json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code
    });
    if !details.is_null() {
        body["details"] = details;
    }
    body
}

/// The single request the server received.
pub async fn only_request(server: &MockServer) -> Request {
    let mut requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1, "expected exactly one request");
    requests.remove(0)
}

/// Every request the server received.
pub async fn requests(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap()
}

/// The request's path and query, e.g. `/api/v1/namespaces/a/configmaps?limit=5`.
pub fn path_and_query(request: &Request) -> String {
    match request.url.query() {
        Some(q) => format!("{}?{q}", request.url.path()),
        None => request.url.path().to_string(),
    }
}

/// A header's value, or "" when absent.
pub fn header(request: &Request, name: &str) -> String {
    request
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// The request body as JSON (`Null` when empty).
pub fn body_json(request: &Request) -> Value {
    if request.body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&request.body).unwrap()
    }
}

/// A watch response body: one JSON event per line.
pub fn watch_body(events: &[Value]) -> String {
    let mut body = String::new();
    for event in events {
        body.push_str(&event.to_string());
        body.push('\n');
    }
    body
}

/// `{"type": ty, "object": object}`.
pub fn event(ty: &str, object: Value) -> Value {
    json!({"type": ty, "object": object})
}

/// A BOOKMARK event at a resourceVersion.
pub fn bookmark(api_version: &str, kind: &str, rv: &str) -> Value {
    event(
        "BOOKMARK",
        json!({"apiVersion": api_version, "kind": kind, "metadata": {"resourceVersion": rv}}),
    )
}
