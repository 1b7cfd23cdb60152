//! `ValidatePodCreate`, `ValidatePodTemplateSpec` and the parts of `ValidatePodSpec` that
//! a test's Pod or workload template runs into (pkg/apis/core/validation/validation.go):
//! volumes (in `volumes`), containers (in `containers`), restart and DNS policies, node
//! selector, service account, node name, `activeDeadlineSeconds`, hostname and subdomain,
//! security contexts (in `security`), affinity, gates, topology spread, tolerations and
//! priority (in `scheduling`), host network ports, DNS config and host aliases (in
//! `network`). Not checked: pod-level resources and resource claims, overhead, the OS
//! field's restrictions, Windows host-process pods.
use kobj_core::{FieldError, FieldErrorType};
use serde_json::{Map, Value};

use super::containers::{containers, init_containers};
use super::ephemeral::ephemeral_containers;
use super::network::{dns_config, host_aliases, host_network_ports};
use super::scheduling::{affinity, gates, tolerations, topology_spread};
use super::security::pod_security_context;
use super::volumes::volumes;
use crate::builtins::fields::str_of;
use crate::meta;

/// `validatePodMetadataAndSpec` (after the metadata's checks), and `ValidatePodCreate`'s own
/// checks when `creating`.
pub(super) fn pod(obj: &Value, creating: bool, errs: &mut Vec<FieldError>) {
    let spec = obj.get("spec").and_then(Value::as_object);
    pod_spec(spec, Some(meta::meta_str(obj, "name")), "spec", errs);
    for list in ["containers", "initContainers"] {
        for (i, c) in items(spec, list).iter().enumerate() {
            container_only_for_pod(c, &format!("spec.{list}[{i}]"), errs);
        }
    }
    if !creating {
        return;
    }
    if !items(spec, "ephemeralContainers").is_empty() {
        errs.push(FieldError::forbidden(
            "spec.ephemeralContainers",
            "cannot be set on create",
        ));
    }
    if !str_in(spec, "nodeName").is_empty() && !items(spec, "schedulingGates").is_empty() {
        errs.push(FieldError::forbidden(
            "spec.nodeName",
            "cannot be set until all schedulingGates have been cleared",
        ));
    }
}

/// `validateContainerOnlyForPod`: a Pod's (not a template's) container image without
/// surrounding spaces.
pub(super) fn container_only_for_pod(c: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let image = str_of(c, "image");
    if image.len() != image.trim().len() {
        errs.push(FieldError::invalid(
            format!("{path}.image"),
            Value::String(image.into()),
            "must not have leading or trailing whitespace",
        ));
    }
}

/// `ValidatePodTemplateSpec` at `path` (`spec.template`, or `template` for a PodTemplate).
pub(super) fn template(
    template: Option<&Map<String, Value>>,
    path: &str,
    errs: &mut Vec<FieldError>,
) {
    template_metadata(template, path, errs);
    let spec = template
        .and_then(|t| t.get("spec"))
        .and_then(Value::as_object);
    pod_spec(spec, None, &format!("{path}.spec"), errs);
    if !items(spec, "ephemeralContainers").is_empty() {
        errs.push(FieldError::forbidden(
            format!("{path}.spec.ephemeralContainers"),
            "ephemeral containers not allowed in pod template",
        ));
    }
}

/// A template's labels and annotations, reported at `<path>.labels` and
/// `<path>.annotations` (not under `metadata`, as the server does).
pub(super) fn template_metadata(
    template: Option<&Map<String, Value>>,
    path: &str,
    errs: &mut Vec<FieldError>,
) {
    let metadata = template.and_then(|t| t.get("metadata"));
    if let Some(labels) = metadata
        .and_then(|m| m.get("labels"))
        .and_then(Value::as_object)
    {
        meta::labels_errors(labels, &format!("{path}.labels"), errs);
    }
    if let Some(annotations) = metadata
        .and_then(|m| m.get("annotations"))
        .and_then(Value::as_object)
    {
        meta::annotations_errors(annotations, &format!("{path}.annotations"), errs);
    }
}

/// What the checks of a pod's containers need from its spec.
#[derive(Clone, Copy)]
pub(super) struct PodFacts {
    /// `terminationGracePeriodSeconds` (sleep hooks must end within it).
    pub(super) grace: Option<i64>,
    /// `hostUsers`, true when unset (an `Unmasked` proc mount needs a user namespace).
    pub(super) host_users: bool,
}

/// The checked parts of `ValidatePodSpec`, in its order; `pod` is the Pod's name, `None`
/// for a template.
fn pod_spec(
    spec: Option<&Map<String, Value>>,
    pod: Option<&str>,
    path: &str,
    errs: &mut Vec<FieldError>,
) {
    let grace = spec
        .and_then(|s| s.get("terminationGracePeriodSeconds"))
        .and_then(Value::as_i64);
    if spec
        .and_then(|s| s.get("terminationGracePeriodSeconds"))
        .is_none_or(Value::is_null)
    {
        errs.push(FieldError::required(
            format!("{path}.terminationGracePeriodSeconds"),
            "",
        ));
    }
    let facts = PodFacts {
        grace,
        host_users: spec
            .and_then(|s| s.get("hostUsers"))
            .and_then(Value::as_bool)
            .unwrap_or(true),
    };
    let volumes = volumes(spec, pod, &format!("{path}.volumes"), errs);
    containers(spec, &volumes, facts, path, errs);
    init_containers(spec, &volumes, facts, path, errs);
    ephemeral_containers(spec, &volumes, facts, path, errs);
    host_network_ports(spec, pod.is_some(), path, errs);
    match str_in(spec, "restartPolicy") {
        "Always" | "OnFailure" | "Never" => {}
        "" => errs.push(FieldError::required(format!("{path}.restartPolicy"), "")),
        other => errs.push(FieldError::not_supported(
            format!("{path}.restartPolicy"),
            Value::String(other.into()),
            &["Always", "OnFailure", "Never"],
        )),
    }
    match str_in(spec, "dnsPolicy") {
        "ClusterFirstWithHostNet" | "ClusterFirst" | "Default" | "None" => {}
        "" => errs.push(FieldError::required(format!("{path}.dnsPolicy"), "")),
        other => errs.push(FieldError::not_supported(
            format!("{path}.dnsPolicy"),
            Value::String(other.into()),
            &["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"],
        )),
    }
    if let Some(selector) = spec
        .and_then(|s| s.get("nodeSelector"))
        .and_then(Value::as_object)
    {
        meta::labels_errors(selector, &format!("{path}.nodeSelector"), errs);
    }
    pod_security_context(spec, &format!("{path}.securityContext"), errs);
    affinity(spec, &format!("{path}.affinity"), errs);
    dns_config(spec, &format!("{path}.dnsConfig"), errs);
    gates(spec, path, errs);
    topology_spread(
        items(spec, "topologySpreadConstraints"),
        &format!("{path}.topologySpreadConstraints"),
        errs,
    );
    for (field, check) in [
        (
            "serviceAccountName",
            meta::dns1123_subdomain_errors as fn(&str) -> Vec<String>,
        ),
        ("nodeName", meta::dns1123_subdomain_errors),
    ] {
        let value = str_in(spec, field);
        if !value.is_empty() {
            for m in check(value) {
                errs.push(FieldError::invalid(
                    format!("{path}.{field}"),
                    Value::String(value.into()),
                    m,
                ));
            }
        }
    }
    if let Some(deadline) = spec
        .and_then(|s| s.get("activeDeadlineSeconds"))
        .and_then(Value::as_i64)
        && !(1..=i64::from(i32::MAX)).contains(&deadline)
    {
        errs.push(FieldError::invalid(
            format!("{path}.activeDeadlineSeconds"),
            Value::from(deadline),
            format!("must be between 1 and {}, inclusive", i32::MAX),
        ));
    }
    for field in ["hostname", "subdomain"] {
        let value = str_in(spec, field);
        if !value.is_empty() {
            dns_label(value, &format!("{path}.{field}"), errs);
        }
    }
    tolerations(
        items(spec, "tolerations"),
        &format!("{path}.tolerations"),
        errs,
    );
    host_aliases(
        items(spec, "hostAliases"),
        &format!("{path}.hostAliases"),
        errs,
    );
}

pub(super) fn dns_label(value: &str, path: &str, errs: &mut Vec<FieldError>) {
    for m in meta::dns1123_label_errors(value) {
        errs.push(FieldError::invalid(path, Value::String(value.into()), m));
    }
}

pub(super) fn duplicate(path: &str, value: &str) -> FieldError {
    FieldError::new(
        FieldErrorType::Duplicate,
        path,
        Some(Value::String(value.into())),
        "",
    )
}

pub(super) fn items<'a>(spec: Option<&'a Map<String, Value>>, key: &str) -> &'a [Value] {
    spec.and_then(|s| s.get(key))
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

pub(super) fn str_in<'a>(spec: Option<&'a Map<String, Value>>, key: &str) -> &'a str {
    spec.and_then(|s| s.get(key))
        .and_then(Value::as_str)
        .unwrap_or("")
}
