//! `ValidatePodCreate`, `ValidatePodTemplateSpec` and the parts of `ValidatePodSpec` that
//! a test's Pod or workload template runs into (pkg/apis/core/validation/validation.go):
//! containers (name, image, ports, env, envFrom, volume mounts, pull policy, resources),
//! volume names, restart and DNS policies, node selector, service account, node name,
//! `activeDeadlineSeconds`, hostname and subdomain. The rest (volume sources, probes,
//! security contexts, affinity, tolerations, topology spread, …) is not checked.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use kobj_core::{FieldError, FieldErrorType};
use serde_json::{Map, Value};

use super::not_supported;
use crate::builtins::ports::{port_name_errors, port_number};
use crate::builtins::quantity::compare_quantities;
use crate::meta;

/// `validatePodMetadataAndSpec` (after the metadata's checks), and `ValidatePodCreate`'s own
/// checks when `creating`.
pub(super) fn pod(obj: &Value, creating: bool, errs: &mut Vec<FieldError>) {
    let spec = obj.get("spec").and_then(Value::as_object);
    pod_spec(spec, "spec", errs);
    for list in ["containers", "initContainers"] {
        for (i, c) in items(spec, list).iter().enumerate() {
            // `validateContainerOnlyForPod`.
            let image = str_of(c, "image");
            if image.len() != image.trim().len() {
                errs.push(FieldError::invalid(
                    format!("spec.{list}[{i}].image"),
                    Value::String(image.into()),
                    "must not have leading or trailing whitespace",
                ));
            }
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
    pod_spec(spec, &format!("{path}.spec"), errs);
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

/// The checked parts of `ValidatePodSpec`, in its order.
fn pod_spec(spec: Option<&Map<String, Value>>, path: &str, errs: &mut Vec<FieldError>) {
    if spec
        .and_then(|s| s.get("terminationGracePeriodSeconds"))
        .is_none_or(Value::is_null)
    {
        errs.push(FieldError::required(
            format!("{path}.terminationGracePeriodSeconds"),
            "",
        ));
    }
    let volumes = volumes(spec, &format!("{path}.volumes"), errs);
    containers(spec, &volumes, path, errs);
    init_containers(spec, &volumes, path, errs);
    match str_in(spec, "restartPolicy") {
        "Always" | "OnFailure" | "Never" => {}
        "" => errs.push(FieldError::required(format!("{path}.restartPolicy"), "")),
        other => errs.push(not_supported(
            format!("{path}.restartPolicy"),
            Value::String(other.into()),
            &["Always", "OnFailure", "Never"],
        )),
    }
    match str_in(spec, "dnsPolicy") {
        "ClusterFirstWithHostNet" | "ClusterFirst" | "Default" | "None" => {}
        "" => errs.push(FieldError::required(format!("{path}.dnsPolicy"), "")),
        other => errs.push(not_supported(
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
}

/// `ValidateVolumes`' name checks: the names of the volumes without errors, which mounts
/// may refer to.
fn volumes(
    spec: Option<&Map<String, Value>>,
    path: &str,
    errs: &mut Vec<FieldError>,
) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (i, volume) in items(spec, "volumes").iter().enumerate() {
        let name = str_of(volume, "name");
        let name_path = format!("{path}[{i}].name");
        let mut own = Vec::new();
        if name.is_empty() {
            own.push(FieldError::required(&name_path, ""));
        } else {
            dns_label(name, &name_path, &mut own);
        }
        if names.contains(name) {
            own.push(duplicate(&name_path, name));
        }
        if own.is_empty() {
            names.insert(name.to_string());
        } else {
            errs.extend(own);
        }
    }
    names
}

/// `validateContainers`.
fn containers(
    spec: Option<&Map<String, Value>>,
    volumes: &BTreeSet<String>,
    path: &str,
    errs: &mut Vec<FieldError>,
) {
    let path = format!("{path}.containers");
    let list = items(spec, "containers");
    if list.is_empty() {
        errs.push(FieldError::required(path, ""));
        return;
    }
    let mut names = BTreeSet::new();
    for (i, c) in list.iter().enumerate() {
        let at = format!("{path}[{i}]");
        container_common(c, volumes, &at, errs);
        let name = str_of(c, "name");
        if !names.insert(name) {
            errs.push(duplicate(&format!("{at}.name"), name));
        }
        if c.get("restartPolicy").is_some_and(|v| !v.is_null()) {
            errs.push(FieldError::forbidden(
                format!("{at}.restartPolicy"),
                "may not be set for non-init containers",
            ));
        }
    }
}

/// `validateInitContainers`: the common checks, and names unique among all containers.
fn init_containers(
    spec: Option<&Map<String, Value>>,
    volumes: &BTreeSet<String>,
    path: &str,
    errs: &mut Vec<FieldError>,
) {
    let mut names: BTreeSet<&str> = items(spec, "containers")
        .iter()
        .map(|c| str_of(c, "name"))
        .collect();
    for (i, c) in items(spec, "initContainers").iter().enumerate() {
        let at = format!("{path}.initContainers[{i}]");
        container_common(c, volumes, &at, errs);
        if let Some(policy) = c.get("restartPolicy").and_then(Value::as_str)
            && policy != "Always"
        {
            errs.push(not_supported(
                format!("{at}.restartPolicy"),
                Value::String(policy.into()),
                &["Always"],
            ));
        }
        let name = str_of(c, "name");
        if names.contains(name) {
            errs.push(duplicate(&format!("{at}.name"), name));
        } else if !name.is_empty() {
            names.insert(name);
        }
    }
}

/// `validateContainerCommon`, less volume devices, resize policy and security context.
fn container_common(c: &Value, volumes: &BTreeSet<String>, path: &str, errs: &mut Vec<FieldError>) {
    let name = str_of(c, "name");
    if name.is_empty() {
        errs.push(FieldError::required(format!("{path}.name"), ""));
    } else {
        dns_label(name, &format!("{path}.name"), errs);
    }
    if str_of(c, "image").is_empty() {
        errs.push(FieldError::required(format!("{path}.image"), ""));
    }
    match str_of(c, "terminationMessagePolicy") {
        "File" | "FallbackToLogsOnError" => {}
        "" => errs.push(FieldError::required(
            format!("{path}.terminationMessagePolicy"),
            "",
        )),
        other => errs.push(not_supported(
            format!("{path}.terminationMessagePolicy"),
            Value::String(other.into()),
            &["File", "FallbackToLogsOnError"],
        )),
    }
    ports(list_of(c, "ports"), &format!("{path}.ports"), errs);
    env(list_of(c, "env"), &format!("{path}.env"), errs);
    env_from(list_of(c, "envFrom"), &format!("{path}.envFrom"), errs);
    volume_mounts(
        list_of(c, "volumeMounts"),
        volumes,
        &format!("{path}.volumeMounts"),
        errs,
    );
    match str_of(c, "imagePullPolicy") {
        "Always" | "IfNotPresent" | "Never" => {}
        "" => errs.push(FieldError::required(format!("{path}.imagePullPolicy"), "")),
        other => errs.push(not_supported(
            format!("{path}.imagePullPolicy"),
            Value::String(other.into()),
            &["Always", "IfNotPresent", "Never"],
        )),
    }
    resources(c.get("resources"), &format!("{path}.resources"), errs);
}

/// `validateContainerPorts`.
fn ports(ports: &[Value], path: &str, errs: &mut Vec<FieldError>) {
    let mut names = BTreeSet::new();
    for (i, port) in ports.iter().enumerate() {
        let at = format!("{path}[{i}]");
        let name = str_of(port, "name");
        if !name.is_empty() {
            let msgs = port_name_errors(name);
            if !msgs.is_empty() {
                for m in msgs {
                    errs.push(FieldError::invalid(
                        format!("{at}.name"),
                        Value::String(name.into()),
                        m,
                    ));
                }
            } else if !names.insert(name) {
                errs.push(duplicate(&format!("{at}.name"), name));
            }
        }
        let container_port = port
            .get("containerPort")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        if container_port == 0 {
            errs.push(FieldError::required(format!("{at}.containerPort"), ""));
        } else {
            port_number(container_port, &format!("{at}.containerPort"), errs);
        }
        let host_port = port.get("hostPort").and_then(Value::as_i64).unwrap_or(0);
        if host_port != 0 {
            port_number(host_port, &format!("{at}.hostPort"), errs);
        }
        match str_of(port, "protocol") {
            "TCP" | "UDP" | "SCTP" => {}
            "" => errs.push(FieldError::required(format!("{at}.protocol"), "")),
            other => errs.push(not_supported(
                format!("{at}.protocol"),
                Value::String(other.into()),
                &["SCTP", "TCP", "UDP"],
            )),
        }
    }
}

/// `IsRelaxedEnvVarName`'s message (RelaxedEnvironmentVariableValidation is on by default
/// since 1.32 and locked on since 1.34).
const ENV_NAME_MSG: &str = "a valid environment variable name must consist only of printable ASCII characters other than '='";

fn env_name_errors(name: &str, path: &str, errs: &mut Vec<FieldError>) {
    if name.chars().any(|c| !(' '..='~').contains(&c) || c == '=') {
        errs.push(FieldError::invalid(
            path,
            Value::String(name.into()),
            ENV_NAME_MSG,
        ));
    }
}

/// `ValidateEnv`, and `validateEnvVarValueFrom`'s count of sources.
fn env(vars: &[Value], path: &str, errs: &mut Vec<FieldError>) {
    for (i, var) in vars.iter().enumerate() {
        let at = format!("{path}[{i}]");
        let name = str_of(var, "name");
        if name.is_empty() {
            errs.push(FieldError::required(format!("{at}.name"), ""));
        } else {
            env_name_errors(name, &format!("{at}.name"), errs);
        }
        let Some(from) = var.get("valueFrom").and_then(Value::as_object) else {
            continue;
        };
        let sources = [
            "fieldRef",
            "resourceFieldRef",
            "configMapKeyRef",
            "secretKeyRef",
        ]
        .iter()
        .filter(|k| from.get(**k).is_some_and(|v| !v.is_null()))
        .count();
        let detail = if sources == 0 {
            "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"
        } else if !str_of(var, "value").is_empty() {
            "may not be specified when `value` is not empty"
        } else if sources > 1 {
            "may not have more than one field specified at a time"
        } else {
            continue;
        };
        errs.push(FieldError::invalid(
            format!("{at}.valueFrom"),
            Value::String(String::new()),
            detail,
        ));
    }
}

/// `ValidateEnvFrom`: the prefix, and exactly one source (reported on the list itself).
fn env_from(sources: &[Value], path: &str, errs: &mut Vec<FieldError>) {
    for (i, source) in sources.iter().enumerate() {
        let prefix = str_of(source, "prefix");
        if !prefix.is_empty() {
            env_name_errors(prefix, &format!("{path}[{i}].prefix"), errs);
        }
        let count = ["configMapRef", "secretRef"]
            .iter()
            .filter(|k| source.get(**k).is_some_and(|v| !v.is_null()))
            .count();
        let detail = match count {
            0 => "must specify one of: `configMapRef` or `secretRef`",
            1 => continue,
            _ => "may not have more than one field specified at a time",
        };
        errs.push(FieldError::invalid(
            path,
            Value::String(String::new()),
            detail,
        ));
    }
}

/// `ValidateVolumeMounts`: name, known volume, mount path, unique mount paths.
fn volume_mounts(
    mounts: &[Value],
    volumes: &BTreeSet<String>,
    path: &str,
    errs: &mut Vec<FieldError>,
) {
    let mut paths = BTreeSet::new();
    for (i, mount) in mounts.iter().enumerate() {
        let at = format!("{path}[{i}]");
        let name = str_of(mount, "name");
        if name.is_empty() {
            errs.push(FieldError::required(format!("{at}.name"), ""));
        }
        if !volumes.contains(name) {
            errs.push(FieldError::new(
                FieldErrorType::NotFound,
                format!("{at}.name"),
                Some(Value::String(name.into())),
                "",
            ));
        }
        let mount_path = str_of(mount, "mountPath");
        if mount_path.is_empty() {
            errs.push(FieldError::required(format!("{at}.mountPath"), ""));
        }
        if !paths.insert(mount_path) {
            errs.push(FieldError::invalid(
                format!("{at}.mountPath"),
                Value::String(mount_path.into()),
                "must be unique",
            ));
        }
    }
}

/// `validateResourceRequirements` with `validateContainerResourceName`: names, negative
/// quantities, and requests against limits (equal for resources that cannot be
/// overcommitted). Maps are walked in key order (Go's is random).
fn resources(resources: Option<&Value>, path: &str, errs: &mut Vec<FieldError>) {
    let empty = Map::new();
    let of = |key: &str| {
        resources
            .and_then(|r| r.get(key))
            .and_then(Value::as_object)
            .unwrap_or(&empty)
    };
    let (limits, requests) = (of("limits"), of("requests"));
    let (lim_path, req_path) = (format!("{path}.limits"), format!("{path}.requests"));
    for (name, quantity) in limits {
        let at = format!("{lim_path}[{name}]");
        resource_name(name, &at, errs);
        nonnegative_quantity(quantity, &at, errs);
    }
    for (name, quantity) in requests {
        let at = format!("{req_path}[{name}]");
        resource_name(name, &at, errs);
        nonnegative_quantity(quantity, &at, errs);
        let request = quantity.as_str().unwrap_or_default();
        match limits.get(name).and_then(Value::as_str) {
            Some(limit) => {
                let order = compare_quantities(request, limit);
                if order.is_some_and(Ordering::is_ne) && !overcommit_allowed(name) {
                    errs.push(FieldError::invalid(
                        &req_path,
                        Value::String(request.into()),
                        format!("must be equal to {name} limit of {limit}"),
                    ));
                } else if order == Some(Ordering::Greater) {
                    errs.push(FieldError::invalid(
                        &req_path,
                        Value::String(request.into()),
                        format!("must be less than or equal to {name} limit of {limit}"),
                    ));
                }
            }
            None if !overcommit_allowed(name) => errs.push(FieldError::required(
                &lim_path,
                "Limit must be set for non overcommitable resources",
            )),
            None => {}
        }
    }
}

fn nonnegative_quantity(quantity: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let text = quantity.as_str().unwrap_or_default();
    if compare_quantities(text, "0") == Some(Ordering::Less) {
        errs.push(FieldError::invalid(
            path,
            Value::String(text.into()),
            "must be greater than or equal to 0",
        ));
    }
}

/// `helper.IsNativeResource`: no domain, or a `kubernetes.io/` one.
fn is_native(name: &str) -> bool {
    !name.contains('/') || name.contains("kubernetes.io/")
}

/// `helper.IsOvercommitAllowed`: native resources other than huge pages.
fn overcommit_allowed(name: &str) -> bool {
    is_native(name) && !name.starts_with("hugepages-")
}

/// `validateContainerResourceName`.
fn resource_name(name: &str, path: &str, errs: &mut Vec<FieldError>) {
    let msgs = meta::qualified_name_errors(name);
    if !msgs.is_empty() {
        for m in msgs {
            errs.push(FieldError::invalid(path, Value::String(name.into()), m));
        }
        return;
    }
    let standard =
        matches!(name, "cpu" | "memory" | "ephemeral-storage") || name.starts_with("hugepages-");
    if !name.contains('/') {
        if !standard {
            errs.push(FieldError::invalid(
                path,
                Value::String(name.into()),
                "must be a standard resource for containers",
            ));
        }
    } else if !is_native(name) && !is_extended(name) {
        errs.push(FieldError::invalid(
            path,
            Value::String(name.into()),
            "doesn't follow extended resource name standard",
        ));
    }
}

/// `helper.IsExtendedResourceName`: not native, not `requests.`-prefixed, and a valid
/// quota resource name once so prefixed.
fn is_extended(name: &str) -> bool {
    !is_native(name)
        && !name.starts_with("requests.")
        && meta::qualified_name_errors(&format!("requests.{name}")).is_empty()
}

fn dns_label(value: &str, path: &str, errs: &mut Vec<FieldError>) {
    for m in meta::dns1123_label_errors(value) {
        errs.push(FieldError::invalid(path, Value::String(value.into()), m));
    }
}

fn duplicate(path: &str, value: &str) -> FieldError {
    FieldError::new(
        FieldErrorType::Duplicate,
        path,
        Some(Value::String(value.into())),
        "",
    )
}

fn items<'a>(spec: Option<&'a Map<String, Value>>, key: &str) -> &'a [Value] {
    spec.and_then(|s| s.get(key))
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn list_of<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn str_in<'a>(spec: Option<&'a Map<String, Value>>, key: &str) -> &'a str {
    spec.and_then(|s| s.get(key))
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// The fields of a Pod's spec an update may change, as `ValidatePodUpdate` lists them.
const UPDATABLE: &str = "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

/// `ValidatePodUpdate`'s own checks, after the spec's (`pod`): no container added or
/// removed, `activeDeadlineSeconds` only set or lowered, and nothing else of the spec
/// changed but images, added tolerations, removed scheduling gates and a negative grace
/// period set to 1. The server's `Forbidden` detail ends with a `cmp.Diff` of the internal
/// specs, which the fake leaves out.
pub(super) fn pod_update(obj: &Value, old: &Value, errs: &mut Vec<FieldError>) {
    let empty = Map::new();
    let new = obj.get("spec").and_then(Value::as_object).unwrap_or(&empty);
    let before = old.get("spec").and_then(Value::as_object).unwrap_or(&empty);
    for list in ["containers", "initContainers"] {
        if items(Some(new), list).len() != items(Some(before), list).len() {
            errs.push(FieldError::forbidden(
                format!("spec.{list}"),
                "pod updates may not add or remove containers",
            ));
            return;
        }
    }
    let deadline = |s: &Map<String, Value>| s.get("activeDeadlineSeconds").and_then(Value::as_i64);
    match (deadline(new), deadline(before)) {
        (Some(n), _) if !(0..=i64::from(i32::MAX)).contains(&n) => {
            errs.push(FieldError::invalid(
                "spec.activeDeadlineSeconds",
                Value::from(n),
                format!("must be between 0 and {}, inclusive", i32::MAX),
            ));
            return;
        }
        (Some(n), Some(o)) if o < n => {
            errs.push(FieldError::invalid(
                "spec.activeDeadlineSeconds",
                Value::from(n),
                "must be less than or equal to previous value",
            ));
            return;
        }
        (None, Some(_)) => errs.push(FieldError::invalid(
            "spec.activeDeadlineSeconds",
            Value::Null,
            "must not update from a positive integer to nil value",
        )),
        _ => {}
    }
    if new == before {
        return;
    }
    // The spec with what an update may change taken from the old one (`mungedPodSpec`).
    let mut munged = new.clone();
    for list in ["containers", "initContainers"] {
        let old_items = items(Some(before), list);
        if let Some(Value::Array(items)) = munged.get_mut(list) {
            for (item, old_item) in items.iter_mut().zip(old_items) {
                if let (Some(item), Some(image)) = (item.as_object_mut(), old_item.get("image")) {
                    item.insert("image".into(), image.clone());
                }
            }
        }
    }
    let restore = |munged: &mut Map<String, Value>, key: &str| match before.get(key) {
        Some(v) => {
            munged.insert(key.into(), v.clone());
        }
        None => {
            munged.remove(key);
        }
    };
    restore(&mut munged, "activeDeadlineSeconds");
    // Tolerations may only be added to, scheduling gates only removed from.
    let contains_all = |outer: &[Value], inner: &[Value]| inner.iter().all(|t| outer.contains(t));
    if contains_all(
        items(Some(new), "tolerations"),
        items(Some(before), "tolerations"),
    ) {
        restore(&mut munged, "tolerations");
    }
    if contains_all(
        items(Some(before), "schedulingGates"),
        items(Some(new), "schedulingGates"),
    ) {
        restore(&mut munged, "schedulingGates");
    }
    let grace = |s: &Map<String, Value>| {
        s.get("terminationGracePeriodSeconds")
            .and_then(Value::as_i64)
    };
    if grace(before).is_some_and(|g| g < 0) && grace(&munged) == Some(1) {
        restore(&mut munged, "terminationGracePeriodSeconds");
    }
    if &munged != before {
        errs.push(FieldError::forbidden(
            "spec",
            format!("pod updates may not change fields other than {UPDATABLE}"),
        ));
    }
}
