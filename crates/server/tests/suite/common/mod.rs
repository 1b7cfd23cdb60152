//! Helpers for the router tests: requests through the router in-process, and a CRD.

#![allow(clippy::unwrap_used, dead_code)]

use axum::Router;
use axum::body::Body;
use bytes::Bytes;
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use kobj_fake::FakeCluster;
use serde_json::{Value, json};
use tower::ServiceExt;

/// A response taken apart.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    /// The body as JSON (panics with the text when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    }
}

/// One request through the router.
pub async fn call(
    router: &Router,
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
    body: impl Into<Body>,
) -> Reply {
    let mut req = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = router
        .clone()
        .oneshot(req.body(body.into()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        body,
    }
}

pub async fn get(router: &Router, uri: &str) -> Reply {
    call(router, Method::GET, uri, &[], Body::empty()).await
}

pub async fn send_json(router: &Router, method: Method, uri: &str, body: &Value) -> Reply {
    call(
        router,
        method,
        uri,
        &[("content-type", "application/json")],
        serde_json::to_vec(body).unwrap(),
    )
    .await
}

/// POSTs `body` as JSON to `uri`, asserts 201 Created, and returns the created object.
pub async fn created(router: &Router, uri: &str, body: &Value) -> Value {
    let r = send_json(router, Method::POST, uri, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()
}

pub async fn patch(router: &Router, uri: &str, content_type: &str, body: &Value) -> Reply {
    call(
        router,
        Method::PATCH,
        uri,
        &[("content-type", content_type)],
        serde_json::to_vec(body).unwrap(),
    )
    .await
}

/// The `widgets.test.kobj.dev` CRD: namespaced, status and scale subresources, printer
/// columns, a schema with `spec.replicas` (integer) and `spec.color` (enum).
pub fn widget_crd() -> Value {
    json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.test.kobj.dev"},
        "spec": {
            "group": "test.kobj.dev",
            "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList", "shortNames": ["wd"]},
            "versions": [{
                "name": "v1",
                "served": true,
                "storage": true,
                "subresources": {
                    "status": {},
                    "scale": {"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas"}
                },
                "additionalPrinterColumns": [
                    {"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas"},
                    {"name": "Color", "type": "string", "jsonPath": ".spec.color"},
                    {"name": "Ready", "type": "string", "jsonPath": ".status.conditions[?(@.type==\"Ready\")].status"},
                    {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}
                ],
                "schema": {"openAPIV3Schema": {
                    "type": "object",
                    "properties": {
                        "spec": {"type": "object", "properties": {
                            "replicas": {"type": "integer"},
                            "color": {"type": "string", "enum": ["red", "blue"]}
                        }},
                        "status": {"type": "object", "properties": {
                            "replicas": {"type": "integer"},
                            "conditions": {"type": "array", "items": {"type": "object", "properties": {
                                "type": {"type": "string"}, "status": {"type": "string"}
                            }}}
                        }}
                    }
                }}
            }]
        }
    })
}

/// Where widgets live in `ns`.
pub fn widgets(ns: &str) -> String {
    format!("/apis/test.kobj.dev/v1/namespaces/{ns}/widgets")
}

/// A widget body.
pub fn widget(name: &str, replicas: i64) -> Value {
    json!({
        "apiVersion": "test.kobj.dev/v1",
        "kind": "Widget",
        "metadata": {"name": name, "labels": {"app": "demo"}},
        "spec": {"replicas": replicas, "color": "red"}
    })
}

/// A fake with the widget CRD installed, and the router over it.
pub async fn setup() -> (FakeCluster, Router) {
    setup_with(FakeCluster::new()).await
}

/// [`setup`] on a given cluster.
pub async fn setup_with(cluster: FakeCluster) -> (FakeCluster, Router) {
    let router = kobj_server::router(cluster.clone(), kobj_server::ServerConfig::default());
    let r = send_json(
        &router,
        Method::POST,
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        &widget_crd(),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    (cluster, router)
}

/// Creates a widget and returns it.
pub async fn create_widget(router: &Router, ns: &str, name: &str, replicas: i64) -> Value {
    let r = send_json(router, Method::POST, &widgets(ns), &widget(name, replicas)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()
}

pub mod kubectl;
pub mod process;
