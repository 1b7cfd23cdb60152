//! The defaults the real API server gives built-in kinds when it decodes a request: the
//! `SetDefaults_*` functions of `k8s.io/kubernetes/pkg/apis/<group>/<version>/defaults.go`
//! and the declarative defaults of `zz_generated.defaults.go`, as they stand in Kubernetes
//! 1.35 with the feature gates that are on by default there (`ImageVolume`,
//! `PodLevelResources`, `MaxUnavailableStatefulSet`, `StatefulSetAutoDeletePVC`,
//! `JobPodReplacementPolicy`, `CSIInlineVolume`, `CSIVolumeFSGroupPolicy`).
//!
//! Every function only fills what is absent (or `null`, where the Go field is a nil pointer,
//! or the zero value where the Go field is not a pointer) and leaves alone whatever is not of
//! the expected JSON shape: validation is not this stage's job.
//!
//! Not done here: quantities are not rounded (`SetDefaults_ResourceList`), the pod-level
//! resource aggregation of `PodLevelResources` (`defaultPodRequests`, `defaultPodLimits`,
//! `defaultHugePagePodLimits`) is not computed, and the REST layer's allocations (a Service's
//! `clusterIP`, `clusterIPs`, `ipFamilies`, `ipFamilyPolicy`, `nodePort`s,
//! `healthCheckNodePort`) are not made.

use serde_json::{Map, Value};

use crate::registry::TypeInfo;

mod core;
mod others;
mod pod;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_other;
mod workloads;

/// autoscaling/v2 HorizontalPodAutoscaler defaults, for an object converted to that
/// version (the storage version, which the server defaults when it decodes what it stored).
pub(crate) fn hpa_v2(obj: &mut Value) {
    if let Some(root) = obj.as_object_mut() {
        others::hpa_v2(root);
    }
}

/// Fills in the decode-time defaults of the built-in kind `info` in `obj`.
pub(crate) fn apply(info: &TypeInfo, obj: &mut Value) {
    let api = &info.resource.api;
    let Some(root) = obj.as_object_mut() else {
        return;
    };
    match (api.group.as_str(), api.version.as_str(), api.kind.as_str()) {
        ("", "v1", "Pod") => {
            pod::status_addresses(root);
            pod::pod(root);
        }
        ("", "v1", "Node") => core::node(root),
        ("", "v1", "PodTemplate") => {
            if let Some(template) = child(root, "template") {
                pod::template(template);
            }
        }
        ("", "v1", "ReplicationController") => core::replication_controller(root),
        ("", "v1", "Service") => core::service(root),
        ("", "v1", "PersistentVolume") => core::persistent_volume(root),
        ("", "v1", "PersistentVolumeClaim") => core::persistent_volume_claim(root),
        ("", "v1", "Endpoints") => core::endpoints(root),
        ("", "v1", "LimitRange") => core::limit_range(root),
        ("apps", "v1", "Deployment") => workloads::deployment(root),
        ("apps", "v1", "ReplicaSet") => workloads::replica_set(root),
        ("apps", "v1", "StatefulSet") => workloads::stateful_set(root),
        ("apps", "v1", "DaemonSet") => workloads::daemon_set(root),
        ("batch", "v1", "Job") => workloads::job(root),
        ("batch", "v1", "CronJob") => workloads::cron_job(root),
        ("networking.k8s.io", "v1", "NetworkPolicy") => others::network_policy(root),
        ("networking.k8s.io", "v1", "IngressClass") => others::ingress_class(root),
        ("discovery.k8s.io", "v1", "EndpointSlice") => others::endpoint_slice(root),
        ("autoscaling", "v1", "HorizontalPodAutoscaler") => others::hpa_v1(root),
        ("autoscaling", "v2", "HorizontalPodAutoscaler") => others::hpa_v2(root),
        ("rbac.authorization.k8s.io", "v1", "RoleBinding" | "ClusterRoleBinding") => {
            others::role_binding(root);
        }
        ("storage.k8s.io", "v1", "StorageClass") => others::storage_class(root),
        ("storage.k8s.io", "v1", "CSIDriver") => others::csi_driver(root),
        ("scheduling.k8s.io", "v1", "PriorityClass") => others::priority_class(root),
        ("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration") => {
            others::webhooks(root, false);
        }
        ("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration") => {
            others::webhooks(root, true);
        }
        // CustomResourceDefinition: `spec.conversion` {strategy: None} is set by
        // `crd::default_crd`; Secret `type` and Namespace are handled in `builtins`.
        _ => {}
    }
}

/// The defaults the server applies again when it decodes the object it has just stored,
/// after the strategy ran: the response of a create is that decoded object. These are the
/// defaults whose inputs the strategy changed (a status it reset, template labels it added).
pub(crate) fn apply_after_strategy(info: &TypeInfo, obj: &mut Value, creating: bool) {
    let api = &info.resource.api;
    let Some(root) = obj.as_object_mut() else {
        return;
    };
    match (api.group.as_str(), api.kind.as_str()) {
        // `SetDefaults_PersistentVolumeClaim` (status.phase Pending) on the status the
        // strategy reset (pkg/registry/core/persistentvolumeclaim/strategy.go).
        ("", "PersistentVolumeClaim") => core::claim_status(root),
        // pkg/registry/core/persistentvolume/strategy.go `PrepareForCreate`: phase Pending
        // and, with `PersistentVolumeLastPhaseTransitionTime` (GA in 1.31), the time of the
        // transition: the creation time.
        ("", "PersistentVolume") if creating => {
            let now = root
                .get("metadata")
                .and_then(|m| m.get("creationTimestamp"))
                .cloned();
            if let Some(status) = ensure_obj(root, "status") {
                set_default(status, "phase", Value::from("Pending"));
                if let Some(now) = now.filter(Value::is_string) {
                    set_default(status, "lastPhaseTransitionTime", now);
                }
            }
        }
        // `SetDefaults_Job` copies the template labels to an unlabelled Job; the labels the
        // strategy added to the template (`generateSelector`) come along when the stored
        // object is decoded.
        ("batch", "Job") => workloads::job_labels(root),
        _ => {}
    }
}

/// `map[key]` as an object, if it is one.
fn child<'a>(map: &'a mut Map<String, Value>, key: &str) -> Option<&'a mut Map<String, Value>> {
    map.get_mut(key).and_then(Value::as_object_mut)
}

/// `map[key]` as an object, created (empty) when absent or null; `None` if it holds
/// something else.
fn ensure_obj<'a>(
    map: &'a mut Map<String, Value>,
    key: &str,
) -> Option<&'a mut Map<String, Value>> {
    let slot = map.entry(key).or_insert(Value::Null);
    if slot.is_null() {
        *slot = Value::Object(Map::new());
    }
    slot.as_object_mut()
}

/// Whether `map[key]` is unset the way a Go pointer is nil: absent or null.
fn is_nil(map: &Map<String, Value>, key: &str) -> bool {
    map.get(key).is_none_or(Value::is_null)
}

/// Whether `map[key]` decodes to Go's zero value of a string or number field: absent, null,
/// `""` or `0`.
fn is_zero(map: &Map<String, Value>, key: &str) -> bool {
    match map.get(key) {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(Value::Number(n)) => n.as_f64() == Some(0.0),
        Some(Value::Bool(b)) => !b,
        _ => false,
    }
}

/// Whether `map[key]` is an empty Go slice or map (absent, null, `[]` or `{}`).
fn is_empty(map: &Map<String, Value>, key: &str) -> bool {
    match map.get(key) {
        None | Some(Value::Null) => true,
        Some(Value::Array(a)) => a.is_empty(),
        Some(Value::Object(o)) => o.is_empty(),
        _ => false,
    }
}

/// Sets `map[key]` to `value` when it is nil (absent or null).
fn set_default(map: &mut Map<String, Value>, key: &str, value: Value) {
    if is_nil(map, key) {
        map.insert(key.to_string(), value);
    }
}

/// Sets `map[key]` to `value` when it holds Go's zero value (see [`is_zero`]).
fn set_default_zero(map: &mut Map<String, Value>, key: &str, value: Value) {
    if is_zero(map, key) {
        map.insert(key.to_string(), value);
    }
}

/// Calls `f` on every object element of the array `map[key]`.
fn each(map: &mut Map<String, Value>, key: &str, mut f: impl FnMut(&mut Map<String, Value>)) {
    if let Some(Value::Array(items)) = map.get_mut(key) {
        for item in items.iter_mut().filter_map(Value::as_object_mut) {
            f(item);
        }
    }
}

/// The string `map[key]`, or `""`.
fn str_of<'a>(map: &'a Map<String, Value>, key: &str) -> &'a str {
    map.get(key).and_then(Value::as_str).unwrap_or_default()
}
