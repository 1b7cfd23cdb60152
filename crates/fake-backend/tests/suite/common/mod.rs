//! Shared helpers for the integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod rbac;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kobj_core::{ApiResource, ResourceType};
use kobj_fake::FakeCluster;
use kube_core::{DynamicObject, GroupVersionKind};
use serde_json::{Value, json};

/// The `widgets.example.com` type used across tests.
pub fn widgets() -> ResourceType {
    ResourceType::namespaced(ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("example.com", "v1", "Widget"),
        "widgets",
    ))
}

/// A cluster-scoped `gadgets.example.com`.
pub fn gadgets() -> ResourceType {
    ResourceType::cluster(ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("example.com", "v1", "Gadget"),
        "gadgets",
    ))
}

/// ConfigMaps.
pub fn configmaps() -> ResourceType {
    ResourceType::of::<k8s_openapi::api::core::v1::ConfigMap>()
}

/// Secrets.
pub fn secrets() -> ResourceType {
    ResourceType::of::<k8s_openapi::api::core::v1::Secret>()
}

/// Namespaces.
pub fn namespaces() -> ResourceType {
    ResourceType::of::<k8s_openapi::api::core::v1::Namespace>()
}

/// Deployments.
pub fn deployments() -> ResourceType {
    ResourceType::of::<k8s_openapi::api::apps::v1::Deployment>()
}

/// The widgets CRD: status and scale subresources, a schema with a default, an enum, an
/// integer, and a selectable field.
pub fn widget_crd() -> CustomResourceDefinition {
    serde_json::from_value(json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com",
            "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"]},
            "versions": [{
                "name": "v1", "served": true, "storage": true,
                "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas", "labelSelectorPath": ".status.selector"}},
                "selectableFields": [{"jsonPath": ".spec.color"}],
                "additionalPrinterColumns": [{"name": "Color", "type": "string", "jsonPath": ".spec.color"}],
                "schema": {"openAPIV3Schema": {
                    "type": "object",
                    "properties": {
                        "spec": {"type": "object", "properties": {
                            "color": {"type": "string", "enum": ["red", "green", "blue"]},
                            "replicas": {"type": "integer", "default": 1},
                            "size": {"type": "integer"},
                            "note": {"type": "string"}
                        }},
                        "status": {"type": "object", "properties": {
                            "phase": {"type": "string"},
                            "replicas": {"type": "integer"},
                            "selector": {"type": "string"}
                        }}
                    }
                }}
            }]
        }
    }))
    .unwrap()
}

/// The gadgets CRD: cluster-scoped, no subresources, preserves unknown fields in spec.
pub fn gadget_crd() -> CustomResourceDefinition {
    serde_json::from_value(json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "gadgets.example.com"},
        "spec": {
            "group": "example.com",
            "scope": "Cluster",
            "names": {"plural": "gadgets", "kind": "Gadget"},
            "versions": [{
                "name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {
                    "type": "object",
                    "properties": {
                        "spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                        "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
                    }
                }}
            }]
        }
    }))
    .unwrap()
}

/// A cluster with both CRDs installed.
pub async fn cluster() -> FakeCluster {
    let c = FakeCluster::builder()
        .too_large_resource_version_wait(std::time::Duration::from_millis(50))
        .build()
        .unwrap();
    c.install_crd(&widget_crd()).await.unwrap();
    c.install_crd(&gadget_crd()).await.unwrap();
    c
}

/// A dynamic object from JSON.
pub fn obj(v: Value) -> DynamicObject {
    serde_json::from_value(v).unwrap()
}

/// A widget named `name` with `spec`.
pub fn widget(name: &str, spec: Value) -> DynamicObject {
    obj(
        json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": name}, "spec": spec}),
    )
}

/// A widget with labels.
pub fn widget_labeled(name: &str, labels: Value) -> DynamicObject {
    obj(
        json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": name, "labels": labels}, "spec": {}}),
    )
}

/// A ConfigMap.
pub fn configmap(name: &str, data: Value) -> DynamicObject {
    obj(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}))
}

/// The status of an error.
pub fn status(e: &kobj_core::Error) -> &kube_core::Status {
    e.status().expect("an API error")
}

/// The message of an error.
pub fn message(e: &kobj_core::Error) -> String {
    status(e).message.clone()
}

/// Whether the widget `name` exists in `default`.
pub async fn exists(c: &kobj_fake::FakeCluster, name: &str) -> bool {
    kobj_core::CustomObjects::get_object(
        c,
        &widgets(),
        Some("default"),
        name,
        &kube_core::params::GetParams::default(),
    )
    .await
    .is_ok()
}

/// Deletes the widget `name` in `default` with the default (Background) propagation.
pub async fn delete_in_background(c: &kobj_fake::FakeCluster, name: &str) {
    kobj_core::CustomObjects::delete_object(
        c,
        &widgets(),
        Some("default"),
        name,
        &kube_core::params::DeleteParams::default(),
    )
    .await
    .unwrap();
}

/// Creates `body` as `rt` in `default`, expecting a 422 whose message is `expected` and
/// the stored state unchanged.
pub async fn refused_as_invalid(c: &FakeCluster, rt: &ResourceType, body: Value, expected: &str) {
    let before = c.dump_yaml().unwrap();
    let e = kobj_core::CustomObjects::create_object(
        c,
        rt,
        Some("default"),
        &obj(body),
        &kube_core::params::PostParams::default(),
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind(), kobj_core::ErrorKind::Invalid, "{e}");
    assert_eq!(e.code(), Some(422), "{e}");
    assert_eq!(message(&e), expected);
    assert_eq!(c.dump_yaml().unwrap(), before);
}

/// The core/v1 Pod type.
pub fn pods() -> ResourceType {
    ResourceType::of::<k8s_openapi::api::core::v1::Pod>()
}

/// A valid Pod `p` in the form the validation tests start from: one container `app` running
/// `nginx`, with `edit` applied to its spec.
pub fn valid_pod(edit: impl FnOnce(&mut Value)) -> Value {
    let mut spec = json!({"containers": [{"name": "app", "image": "nginx"}]});
    edit(&mut spec);
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec})
}

/// Creates `body` as `rt` in `default`, and returns the answer as JSON.
pub async fn created(c: &FakeCluster, rt: &ResourceType, body: Value) -> Value {
    let o = kobj_core::CustomObjects::create_object(
        c,
        rt,
        Some("default"),
        &obj(body),
        &kube_core::params::PostParams::default(),
    )
    .await
    .unwrap();
    serde_json::to_value(o).unwrap()
}

/// Write options with a field manager.
pub fn manager(name: &str) -> kobj_fake::WriteOptions {
    kobj_fake::WriteOptions {
        field_manager: Some(name.into()),
        ..kobj_fake::WriteOptions::default()
    }
}

/// The code and message of an API error.
pub fn code_and_message(e: &kobj_core::Error) -> (u16, String) {
    let s = status(e);
    (s.code, s.message.clone())
}

/// Creates [`valid_pod`] as `name` in `default` through the JSON entry point.
pub fn named_pod(c: &FakeCluster, name: &str, edit: impl FnOnce(&mut Value)) -> Value {
    let mut body = valid_pod(edit);
    body["metadata"]["name"] = json!(name);
    c.create_value(
        &pods(),
        Some("default"),
        body,
        &kobj_fake::WriteOptions::default(),
    )
    .unwrap()
}

/// Makes the Pod `name` of `default` a static Pod's mirror, as the kubelet does: bound to a
/// node (at creation, by `edit`'s caller) and annotated `kubernetes.io/config.mirror`.
pub fn mirror(c: &FakeCluster, name: &str) {
    c.patch_value(
        &pods(),
        Some("default"),
        name,
        &kube_core::params::Patch::Merge(
            json!({"metadata": {"annotations": {"kubernetes.io/config.mirror": "abc"}}}),
        ),
        None,
        &manager("kubelet"),
    )
    .unwrap();
}
