//! Server-side special cases of built-in kinds that tests notice: the Go structs' JSON
//! decoding (`json_decode`, with `quantity` and `go_time`), Secret `stringData` folded into
//! `data`, immutable Secrets and ConfigMaps, Namespace finalizers and phase, which kinds keep
//! a generation, and status reset on create.

use base64::Engine as _;
use kobj_core::FieldError;
use serde_json::{Map, Value, json};

use crate::meta;
use crate::registry::TypeInfo;
use crate::store::JsonRead;

mod addresses;
pub(crate) mod admission;
pub(crate) mod certificates;
pub(crate) use admission::node_topology_labels;
mod autoscaling;
pub(crate) mod claims;
mod config_data;
pub(crate) mod conversion;
mod defaults;
mod events;
pub(crate) mod fields;
mod go_time;
pub(crate) mod json_decode;
mod leases;
mod networking;
mod pod_security;
mod ports;
mod qos;
pub(crate) mod quantity;
mod rbac;
mod service_alloc;
mod service_rules;
mod service_spec;
mod service_validation;
mod workloads;
pub(crate) use workloads::resize_prepare;
mod zero_fields;

pub(crate) use service_alloc::{
    API_SERVER_ADDRESS, KUBERNETES_SERVICE_IP, allocate as allocate_service, is_service,
};

fn is(info: &TypeInfo, group: &str, plural: &str) -> bool {
    info.resource.api.group == group && info.resource.api.plural == plural
}

/// Whether a built-in kind keeps `metadata.generation` (its strategy sets it).
pub(crate) fn tracks_generation(info: &TypeInfo) -> bool {
    let api = &info.resource.api;
    matches!(
        (api.group.as_str(), api.plural.as_str()),
        ("apps", _)
            | ("batch", _)
            | ("apiextensions.k8s.io", "customresourcedefinitions")
            | ("", "pods")
            | ("", "replicationcontrollers")
            | ("policy", "poddisruptionbudgets")
            | ("networking.k8s.io", "networkpolicies" | "ingresses")
            | ("autoscaling", "horizontalpodautoscalers")
    )
}

/// The request as the server decodes it, before the field manager sees it: conversion
/// (a Secret's `stringData` folded into `data`), the kind's defaults, and its Go structs'
/// always-present fields. Decoding gives every non-pointer struct and defaulting then
/// reaches into it (a Deployment sent without a template still gets the pod spec's
/// defaults), so the defaults run once more over what the structs added. What this sets is
/// owned by the writer, as on the server.
pub(crate) fn apply_defaults(info: &TypeInfo, obj: &mut Value) {
    if is(info, "", "secrets") {
        fold_string_data(obj);
        // `SetDefaults_Secret`: an absent or empty type.
        if let Some(map) = obj.as_object_mut()
            && map
                .get("type")
                .is_none_or(|t| t.is_null() || t.as_str() == Some(""))
        {
            map.insert("type".into(), Value::String("Opaque".into()));
        }
    }
    if is(info, "", "namespaces") {
        label_namespace(obj);
        // `SetDefaults_NamespaceStatus`: an empty phase is Active. Only where the request
        // has a status: the main endpoint resets it (a create's phase is the strategy's,
        // owned by nobody), so the default matters to `/status` writes alone.
        if let Some(status) = obj.get_mut("status").and_then(Value::as_object_mut)
            && status
                .get("phase")
                .is_none_or(|p| p.is_null() || p.as_str() == Some(""))
        {
            status.insert("phase".into(), json!("Active"));
        }
    }
    if is(info, "autoscaling", "horizontalpodautoscalers") && info.resource.api.version == "v2" {
        // v2's conversion drops what only v1 objects carry.
        conversion::drop_round_trip_annotations(obj);
    }
    defaults::apply(info, obj);
    zero_fields::fill(info, obj);
    defaults::apply(info, obj);
    zero_fields::fill(info, obj);
}

/// `SetDefaults_Namespace` (and the strategy's `Canonicalize`): the
/// `kubernetes.io/metadata.name` label is the namespace's name.
fn label_namespace(obj: &mut Value) {
    let name = meta::meta_str(obj, "name").to_string();
    if name.is_empty() {
        return;
    }
    let m = meta::meta_mut(obj);
    let labels = m
        .entry("labels")
        .or_insert_with(|| Value::Object(Map::new()));
    if !labels.is_object() {
        return;
    }
    if let Some(labels) = labels.as_object_mut() {
        labels.insert("kubernetes.io/metadata.name".into(), Value::String(name));
    }
}

/// The strategy's `PrepareForCreate` / `PrepareForUpdate`, which the server runs after the
/// field manager, so nothing it sets is owned (a Job's generated selector, a new Pod's
/// status, a Namespace's `kubernetes` finalizer); then the stored object as decoded again
/// (defaults and zero fields over what the strategy added).
pub(crate) fn prepare(info: &TypeInfo, obj: &mut Value, creating: bool) {
    prepare_strategy(info, obj, creating);
    defaults::apply_after_strategy(info, obj, creating);
    zero_fields::fill(info, obj);
}

/// Whether the type is scheduling.k8s.io's PriorityClasses.
pub(crate) fn is_priority_class(info: &TypeInfo) -> bool {
    is(info, "scheduling.k8s.io", "priorityclasses")
}

/// Whether the type is certificates.k8s.io's CertificateSigningRequests.
pub(crate) fn is_certificate_request(info: &TypeInfo) -> bool {
    is(info, "certificates.k8s.io", "certificatesigningrequests")
}

/// The strategies' `PrepareForCreate` / `PrepareForUpdate`.
fn prepare_strategy(info: &TypeInfo, obj: &mut Value, creating: bool) {
    if is(info, "", "namespaces") && creating {
        if let Some(map) = obj.as_object_mut() {
            let spec = map
                .entry("spec")
                .or_insert_with(|| Value::Object(Map::new()));
            // `PrepareForCreate`: the `kubernetes` finalizer is required, appended to any
            // the request gives.
            if let Some(spec) = spec.as_object_mut() {
                match spec.get_mut("finalizers") {
                    Some(Value::Array(list)) => {
                        if !list.iter().any(|f| f.as_str() == Some("kubernetes")) {
                            list.push(json!("kubernetes"));
                        }
                    }
                    None | Some(Value::Null) => {
                        spec.insert("finalizers".into(), json!(["kubernetes"]));
                    }
                    Some(_) => {}
                }
            }
            map.insert("status".into(), json!({"phase": "Active"}));
        }
        // Canonicalize: also for a name generated since decoding.
        label_namespace(obj);
    } else if creating
        && info.status
        && let Some(map) = obj.as_object_mut()
    {
        map.remove("status");
        if is(info, "", "pods") {
            let status = pod_status(map);
            map.insert("status".into(), status);
        }
    }
    if creating && is(info, "batch", "jobs") {
        generate_job_selector(obj);
    }
    if creating && is_certificate_request(info) {
        certificates::prepare_create(obj);
    }
    if creating && is(info, "", "persistentvolumeclaims") {
        claims::normalize_data_sources(obj);
    }
}

/// A new Pod's status (pkg/registry/core/pod/strategy.go `PrepareForCreate`): phase
/// Pending, its QoS class (`qos.GetPodQOS`) and, with scheduling gates, the PodScheduled
/// condition `applySchedulingGatedCondition` adds.
fn pod_status(pod: &Map<String, Value>) -> Value {
    let empty = Map::new();
    let spec = pod.get("spec").and_then(Value::as_object).unwrap_or(&empty);
    let mut status = json!({"phase": "Pending", "qosClass": qos::pod_qos(spec)});
    let gated = spec
        .get("schedulingGates")
        .and_then(Value::as_array)
        .is_some_and(|g| !g.is_empty());
    if gated {
        status["conditions"] = json!([{
            "type": "PodScheduled",
            "status": "False",
            "reason": "SchedulingGated",
            "message": "Scheduling is blocked due to non-empty scheduling gates",
            "lastProbeTime": null,
            "lastTransitionTime": null
        }]);
    }
    status
}

/// The Job strategy's `generateSelectorIfNeeded` (pkg/registry/batch/job/strategy.go): unless
/// `spec.manualSelector` is true, the template gets the `batch.kubernetes.io/job-name`,
/// `batch.kubernetes.io/controller-uid` labels and their legacy `job-name`,
/// `controller-uid` forms (a label the user set is kept), and the selector matches
/// `batch.kubernetes.io/controller-uid`.
fn generate_job_selector(obj: &mut Value) {
    let name = meta::meta_str(obj, "name").to_string();
    let uid = meta::meta_str(obj, "uid").to_string();
    let Some(spec) = obj.get_mut("spec").and_then(Value::as_object_mut) else {
        return;
    };
    if spec.get("manualSelector").and_then(Value::as_bool) == Some(true) {
        return;
    }
    fn object_at<'a>(
        map: &'a mut Map<String, Value>,
        key: &str,
    ) -> Option<&'a mut Map<String, Value>> {
        let slot = map.entry(key).or_insert(Value::Null);
        if slot.is_null() {
            *slot = Value::Object(Map::new());
        }
        slot.as_object_mut()
    }
    if let Some(labels) = object_at(spec, "template")
        .and_then(|t| object_at(t, "metadata"))
        .and_then(|m| object_at(m, "labels"))
    {
        for (key, value) in [
            ("job-name", &name),
            ("batch.kubernetes.io/job-name", &name),
            ("controller-uid", &uid),
            ("batch.kubernetes.io/controller-uid", &uid),
        ] {
            labels
                .entry(key)
                .or_insert_with(|| Value::String(value.clone()));
        }
    }
    if let Some(match_labels) =
        object_at(spec, "selector").and_then(|s| object_at(s, "matchLabels"))
    {
        match_labels
            .entry("batch.kubernetes.io/controller-uid")
            .or_insert_with(|| Value::String(uid.clone()));
    }
}

/// Folds a Secret's `stringData` into `data` (base64), as the Secret strategy does.
fn fold_string_data(obj: &mut Value) {
    let Some(map) = obj.as_object_mut() else {
        return;
    };
    let Some(Value::Object(string_data)) = map.remove("stringData") else {
        return;
    };
    let data = map
        .entry("data")
        .or_insert_with(|| Value::Object(Map::new()));
    if !data.is_object() {
        *data = Value::Object(Map::new());
    }
    if let Some(data) = data.as_object_mut() {
        for (k, v) in string_data {
            let text = v.as_str().unwrap_or_default().to_string();
            data.insert(
                k,
                Value::String(base64::engine::general_purpose::STANDARD.encode(text)),
            );
        }
    }
}

/// Validation of built-ins beyond names and metadata, in the server's order: on update the
/// immutable fields (a Secret's type, an immutable ConfigMap's or Secret's data), then the
/// kind's own checks: Pods and the kinds with a pod template (`workloads`), ConfigMap and
/// Secret keys and a Secret's type (`config_data`), RBAC rules and bindings (`rbac`). `subresource` is the subresource written,
/// if any.
pub(crate) fn validate<'a>(
    info: &TypeInfo,
    obj: &Value,
    old: Option<impl JsonRead<'a>>,
    subresource: Option<&str>,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Some(old) = old {
        immutable_data(info, obj, old, &mut errs);
    }
    if info.resource.api.plural == "events"
        && matches!(info.resource.api.group.as_str(), "" | "events.k8s.io")
    {
        // Checked as the internal (core) Event, the strict part only through
        // events.k8s.io/v1.
        let as_core = |v: &Value| {
            let mut v = v.clone();
            conversion::to_storage(info, &mut v);
            v
        };
        let old = old.map(|o| as_core(&o.to_value()));
        let strict = conversion::converts(info);
        events::validate(&as_core(obj), old.as_ref(), strict, &mut errs);
    } else if is(info, "", "configmaps") {
        config_data::config_map(obj, &mut errs);
    } else if is(info, "", "secrets") {
        config_data::secret(obj, &mut errs);
    } else if is(info, "", "persistentvolumeclaims") {
        if subresource != Some("status") {
            claims::claim_spec(obj.get("spec").unwrap_or(&Value::Null), "spec", &mut errs);
            if let Some(old) = old {
                claims::claim_update(obj, old, &mut errs);
            }
        }
    } else if is(info, "networking.k8s.io", "ingresses") {
        if subresource != Some("status") {
            networking::ingress(obj, old.is_none(), &mut errs);
        }
    } else if is(info, "autoscaling", "horizontalpodautoscalers") {
        if subresource != Some("status") {
            autoscaling::horizontal_pod_autoscaler(obj, &mut errs);
        }
    } else if is_certificate_request(info) {
        let old = old.map(|o| o.to_value());
        certificates::validate(obj, old.as_deref(), subresource, &mut errs);
    } else if is(info, "", "namespaces") {
        if subresource == Some("status") {
            namespace_phase(obj, &mut errs);
        }
    } else if is(info, "coordination.k8s.io", "leases") {
        leases::lease_spec(obj, &mut errs);
    } else if is(info, "networking.k8s.io", "networkpolicies") {
        networking::network_policy(obj, &mut errs);
    } else if is(info, "scheduling.k8s.io", "priorityclasses") {
        claims::priority_class(obj, &mut errs);
        if let Some(old) = old {
            claims::priority_class_update(obj, old, &mut errs);
        }
    } else if info.resource.api.group == "rbac.authorization.k8s.io" {
        match info.resource.api.plural.as_str() {
            "roles" => rbac::rules(obj, true, &mut errs),
            "clusterroles" => rbac::rules(obj, false, &mut errs),
            plural => {
                let old_ref = old.and_then(|o| o.get("roleRef")).map(|r| r.to_value());
                rbac::binding(obj, plural == "rolebindings", old_ref.as_deref(), &mut errs);
            }
        }
    } else {
        workloads::validate(info, obj, old, subresource, &mut errs);
    }
    errs
}

/// `ValidateNamespaceStatusUpdate`: the phase is `Active` while the namespace is not being
/// deleted and `Terminating` once it is (an empty phase was defaulted to `Active`).
fn namespace_phase(obj: &Value, errs: &mut Vec<FieldError>) {
    let phase = obj.pointer("/status/phase").cloned().unwrap_or(Value::Null);
    let (wanted, why) = if crate::meta::is_deleting(obj) {
        (
            "Terminating",
            "may only be 'Terminating' if `deletionTimestamp` is not empty",
        )
    } else {
        (
            "Active",
            "may only be 'Active' if `deletionTimestamp` is empty",
        )
    };
    if phase.as_str() != Some(wanted) {
        errs.push(FieldError::invalid("status.Phase", phase, why));
    }
}

/// `ValidateSecretUpdate`'s and `ValidateConfigMapUpdate`'s own checks: a Secret's type may
/// not change; once `immutable`, neither `immutable` nor the data may.
fn immutable_data<'a>(
    info: &TypeInfo,
    obj: &Value,
    old: impl JsonRead<'a>,
    errs: &mut Vec<FieldError>,
) {
    if is(info, "", "secrets") {
        let same_type = match (old.get("type"), obj.get("type")) {
            (Some(b), Some(n)) => b.eq_value(n),
            (b, n) => b.is_none() && n.is_none(),
        };
        if !same_type {
            errs.push(FieldError::invalid(
                "type",
                obj.get("type").cloned().unwrap_or(Value::Null),
                "field is immutable",
            ));
        }
    }
    let immutable_kind = is(info, "", "configmaps") || is(info, "", "secrets");
    let old_immutable = || {
        old.get("immutable")
            .is_some_and(|v| v.eq_value(&Value::Bool(true)))
    };
    if immutable_kind && old_immutable() {
        const WHY: &str = "field is immutable when `immutable` is set";
        if obj.get("immutable").and_then(Value::as_bool) != Some(true) {
            errs.push(FieldError::forbidden("immutable", WHY));
        }
        let fields: &[&str] = if is(info, "", "configmaps") {
            &["data", "binaryData"]
        } else {
            &["data"]
        };
        for f in fields {
            // An empty map and null are the same as no field.
            let new = obj
                .get(*f)
                .filter(|v| !v.is_null() && v.as_object().is_none_or(|m| !m.is_empty()));
            let before = old.get(f).filter(|v| !v.is_null() && !v.is_empty_object());
            let same = match (before, new) {
                (Some(b), Some(n)) => b.eq_value(n),
                (b, n) => b.is_none() && n.is_none(),
            };
            if !same {
                errs.push(FieldError::forbidden(*f, WHY));
            }
        }
    }
}
