//! The suite's own resource types: three CRDs in the group [`GROUP`], installed once per run
//! through [`CoreResources`] as kubectl would, and the built-in kinds the cases use.
//!
//! - `Widget` (`widgets`, namespaced): versions `v1` (storage), `v1beta1` (served) and
//!   `v1alpha1` (not served); status and scale subresources; a schema with every kind of
//!   constraint (types, enum, pattern, lengths, item counts, bounds, formats, nullable,
//!   int-or-string, preserved unknown fields, defaults, a CEL rule); selectableFields
//!   `.spec.size` and `.spec.color`; a printer column.
//! - `Gizmo` (`gizmos`, namespaced): no subresources, free-form spec and status.
//! - `Realm` (`realms`, cluster-scoped): a status subresource.

use std::time::Duration;

use k8s_openapi::api::autoscaling::v1::Scale;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Pod, Secret, ServiceAccount};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kobj_core::wait::condition_is_true;
use kobj_core::{ApiResource, CoreResources, CoreResourcesExt, ResourceType};
use kube_core::params::{GetParams, PostParams};
use kube_core::{DynamicObject, GroupVersionKind};
use serde_json::{Value, json};

use crate::case::{During, Failure};

/// The API group of the suite's CRDs.
pub const GROUP: &str = "conformance.kobj.dev";
/// The label every namespace and cluster-scoped object a case creates carries, valued with
/// the case's namespace, so the runner can clean up after it.
pub const CASE_LABEL: &str = "conformance.kobj.dev/case";
/// The finalizer cases use to hold objects in deletion.
pub const HOLD: &str = "conformance.kobj.dev/hold";

/// A custom resource type in [`GROUP`].
#[must_use]
pub fn custom(version: &str, kind: &str, plural: &str, namespaced: bool) -> ResourceType {
    let gvk = GroupVersionKind::gvk(GROUP, version, kind);
    let api = ApiResource::from_gvk_with_plural(&gvk, plural);
    if namespaced {
        ResourceType::namespaced(api)
    } else {
        ResourceType::cluster(api)
    }
}

/// `widgets.conformance.kobj.dev/v1`.
#[must_use]
pub fn widgets() -> ResourceType {
    widgets_at("v1")
}

/// `widgets.conformance.kobj.dev` at another version (`v1beta1` is served, `v1alpha1` not).
#[must_use]
pub fn widgets_at(version: &str) -> ResourceType {
    custom(version, "Widget", "widgets", true)
}

/// `gizmos.conformance.kobj.dev/v1`: no subresources.
#[must_use]
pub fn gizmos() -> ResourceType {
    custom("v1", "Gizmo", "gizmos", true)
}

/// `realms.conformance.kobj.dev/v1`: cluster-scoped, with a status subresource.
#[must_use]
pub fn realms() -> ResourceType {
    custom("v1", "Realm", "realms", false)
}

/// core/v1 ConfigMap.
#[must_use]
pub fn configmaps() -> ResourceType {
    ResourceType::of::<ConfigMap>()
}

/// core/v1 Secret.
#[must_use]
pub fn secrets() -> ResourceType {
    ResourceType::of::<Secret>()
}

/// core/v1 Namespace.
#[must_use]
pub fn namespaces() -> ResourceType {
    ResourceType::of::<Namespace>()
}

/// core/v1 Pod.
#[must_use]
pub fn pods() -> ResourceType {
    ResourceType::of::<Pod>()
}

/// core/v1 Service.
#[must_use]
pub fn services() -> ResourceType {
    ResourceType::of::<k8s_openapi::api::core::v1::Service>()
}

/// core/v1 Endpoints.
pub fn endpoints() -> ResourceType {
    ResourceType::of::<k8s_openapi::api::core::v1::Endpoints>()
}

/// discovery.k8s.io/v1 EndpointSlice.
pub fn endpoint_slices() -> ResourceType {
    ResourceType::of::<k8s_openapi::api::discovery::v1::EndpointSlice>()
}

/// core/v1 ServiceAccount.
#[must_use]
pub fn service_accounts() -> ResourceType {
    ResourceType::of::<ServiceAccount>()
}

/// core/v1 Event.
#[must_use]
pub fn core_events() -> ResourceType {
    ResourceType::of::<k8s_openapi::api::core::v1::Event>()
}

/// events.k8s.io/v1 Event (the same objects as [`core_events`], another view).
#[must_use]
pub fn events_v1() -> ResourceType {
    ResourceType::of::<k8s_openapi::api::events::v1::Event>()
}

/// autoscaling/v1 HorizontalPodAutoscaler.
#[must_use]
pub fn autoscalers_v1() -> ResourceType {
    ResourceType::of::<k8s_openapi::api::autoscaling::v1::HorizontalPodAutoscaler>()
}

/// autoscaling/v2 HorizontalPodAutoscaler (the same objects as [`autoscalers_v1`]).
#[must_use]
pub fn autoscalers_v2() -> ResourceType {
    ResourceType::of::<k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler>()
}

/// coordination.k8s.io/v1 Lease.
#[must_use]
pub fn leases() -> ResourceType {
    ResourceType::of::<Lease>()
}

/// apiextensions.k8s.io/v1 CustomResourceDefinition.
#[must_use]
pub fn crds() -> ResourceType {
    ResourceType::of::<CustomResourceDefinition>()
}

/// The `autoscaling/v1` Scale type, for building scale bodies.
pub type ScaleBody = Scale;

/// The openAPIV3Schema of `Widget`.
#[must_use]
pub fn widget_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "spec": {
                "type": "object",
                "properties": {
                    "replicas": {"type": "integer", "minimum": 0, "maximum": 100},
                    "minReplicas": {"type": "integer"},
                    "size": {"type": "string", "enum": ["small", "medium", "large"]},
                    "color": {"type": "string", "pattern": "^[a-z]+$"},
                    "label": {"type": "string", "maxLength": 10},
                    "tags": {"type": "array", "maxItems": 3, "items": {"type": "string"}},
                    "mode": {"type": "string", "default": "auto"},
                    "count": {"type": "integer", "default": 1},
                    "when": {"type": "string", "format": "date-time"},
                    "port": {"x-kubernetes-int-or-string": true},
                    "note": {"type": "string", "nullable": true},
                    "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                    "template": {
                        "type": "object",
                        "required": ["image"],
                        "properties": {
                            "image": {"type": "string"},
                            "pullPolicy": {"type": "string", "default": "IfNotPresent"}
                        }
                    }
                },
                "x-kubernetes-validations": [{
                    "rule": "!has(self.minReplicas) || !has(self.replicas) || self.minReplicas <= self.replicas",
                    "message": "minReplicas must not exceed replicas"
                }]
            },
            "status": {
                "type": "object",
                "properties": {
                    "replicas": {"type": "integer"},
                    "selector": {"type": "string"},
                    "phase": {"type": "string"},
                    "secretName": {"type": "string"},
                    "observedGeneration": {"type": "integer"},
                    "conditions": {
                        "type": "array",
                        "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
                    }
                }
            }
        }
    })
}

fn widget_version(name: &str, served: bool, storage: bool) -> Value {
    json!({
        "name": name,
        "served": served,
        "storage": storage,
        "schema": {"openAPIV3Schema": widget_schema()},
        "subresources": {
            "status": {},
            "scale": {
                "specReplicasPath": ".spec.replicas",
                "statusReplicasPath": ".status.replicas",
                "labelSelectorPath": ".status.selector"
            }
        },
        "selectableFields": [{"jsonPath": ".spec.size"}, {"jsonPath": ".spec.color"}],
        "additionalPrinterColumns": [
            {"name": "Size", "type": "string", "jsonPath": ".spec.size"}
        ]
    })
}

/// A CRD object (as JSON) with the given names and versions.
#[must_use]
pub fn crd_json(group: &str, plural: &str, kind: &str, scope: &str, versions: Value) -> Value {
    json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("{plural}.{group}")},
        "spec": {
            "group": group,
            "scope": scope,
            "names": {
                "plural": plural,
                "singular": kind.to_ascii_lowercase(),
                "kind": kind,
                "listKind": format!("{kind}List")
            },
            "versions": versions
        }
    })
}

/// A minimal served, stored version with a free-form spec and status.
#[must_use]
pub fn simple_version(name: &str, storage: bool) -> Value {
    json!({
        "name": name,
        "served": true,
        "storage": storage,
        "schema": {"openAPIV3Schema": {
            "type": "object",
            "properties": {
                "spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
            }
        }}
    })
}

/// The `Widget` CRD.
#[must_use]
pub fn widget_crd() -> Value {
    crd_json(
        GROUP,
        "widgets",
        "Widget",
        "Namespaced",
        json!([
            widget_version("v1", true, true),
            widget_version("v1beta1", true, false),
            widget_version("v1alpha1", false, false)
        ]),
    )
}

/// The `Gizmo` CRD.
#[must_use]
pub fn gizmo_crd() -> Value {
    crd_json(
        GROUP,
        "gizmos",
        "Gizmo",
        "Namespaced",
        json!([simple_version("v1", true)]),
    )
}

/// The `Realm` CRD.
#[must_use]
pub fn realm_crd() -> Value {
    let mut version = simple_version("v1", true);
    version["subresources"] = json!({"status": {}});
    version["schema"]["openAPIV3Schema"]["properties"]["spec"] = json!({
        "type": "object",
        "properties": {"region": {"type": "string"}}
    });
    crd_json(GROUP, "realms", "Realm", "Cluster", json!([version]))
}

/// Turns JSON into a [`DynamicObject`].
///
/// # Errors
/// A failure when the JSON is not an object with valid metadata.
pub fn dynamic(value: Value) -> Result<DynamicObject, Failure> {
    serde_json::from_value(value).map_err(|e| Failure::new(format!("bad test object: {e}")))
}

/// Creates a CRD through [`CoreResources`] (replacing its spec if it already exists) and
/// waits until it is Established.
///
/// # Errors
/// A failure saying which step failed.
pub async fn ensure_crd(
    core: &dyn CoreResources,
    crd: Value,
    timeout: Duration,
) -> Result<DynamicObject, Failure> {
    let object = dynamic(crd)?;
    let name = object.metadata.name.clone().unwrap_or_default();
    let rt = crds();
    match core
        .create_object(&rt, None, &object, &PostParams::default())
        .await
    {
        Ok(_) => {}
        Err(e) if e.is_already_exists() => {
            let existing = core
                .get_object(&rt, None, &name, &GetParams::default())
                .await
                .during(&format!("reading the existing CRD {name}"))?;
            let mut updated = object.clone();
            updated.metadata.resource_version = existing.metadata.resource_version.clone();
            core.replace_object(&rt, None, &name, &updated, &PostParams::default())
                .await
                .during(&format!("updating the existing CRD {name}"))?;
        }
        Err(e) => return Err(Failure::from(e).context(format!("creating the CRD {name}"))),
    }
    wait_established(core, &name, timeout).await
}

/// Waits until the CRD `name` has the condition Established=True.
///
/// # Errors
/// A failure when it does not within `timeout`.
pub async fn wait_established(
    core: &dyn CoreResources,
    name: &str,
    timeout: Duration,
) -> Result<DynamicObject, Failure> {
    let rt = crds();
    let current = core
        .get_object(&rt, None, name, &GetParams::default())
        .await
        .during(&format!("reading the CRD {name}"))?;
    if condition_is_true(&current, "Established") {
        return Ok(current);
    }
    core.wait_until_object(&rt, None, name, timeout, |o| {
        o.is_some_and(|o| condition_is_true(o, "Established"))
    })
    .await
    .during(&format!("waiting for the CRD {name} to be Established"))?
    .ok_or_else(|| Failure::new(format!("the CRD {name} disappeared")))
}

/// Installs the suite's three CRDs.
///
/// # Errors
/// The first CRD that could not be installed.
pub async fn install(core: &dyn CoreResources, timeout: Duration) -> Result<(), Failure> {
    for crd in [widget_crd(), gizmo_crd(), realm_crd()] {
        ensure_crd(core, crd, timeout).await?;
    }
    Ok(())
}

/// Deletes the suite's three CRDs (best effort).
pub async fn uninstall(core: &dyn CoreResources) {
    let rt = crds();
    for name in [
        "widgets.conformance.kobj.dev",
        "gizmos.conformance.kobj.dev",
        "realms.conformance.kobj.dev",
    ] {
        if let Err(e) = core
            .delete_object(&rt, None, name, &Default::default())
            .await
        {
            tracing::debug!(error = %e, crd = name, "could not delete the CRD");
        }
    }
}
