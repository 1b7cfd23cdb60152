//! Ephemeral containers (pkg/apis/core/validation/validation.go): `validateEphemeralContainers`,
//! which `ValidatePodSpec` runs on every Pod and template, and
//! `ValidatePodEphemeralContainersUpdate`, the rules of a write through a Pod's
//! `ephemeralcontainers` subresource (`kubectl debug`).

use std::collections::{BTreeMap, BTreeSet};

use kobj_core::{FieldError, FieldErrorType};
use serde_json::{Map, Value};

use super::containers::container_common;
use super::pod::{PodFacts, container_only_for_pod, duplicate, items};
use super::semantically_equal;
use crate::builtins::fields::{list_of, str_of};

/// The fields of `EphemeralContainerCommon` that `allowedEphemeralContainerFields` leaves
/// out, in the struct's order (the order of the errors), by their JSON names.
const NOT_ALLOWED: [&str; 9] = [
    "ports",
    "resources",
    "resizePolicy",
    "restartPolicy",
    "restartPolicyRules",
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
    "lifecycle",
];

/// The detail of every field an ephemeral container may not have.
const NOT_FOR_EPHEMERAL: &str = "cannot be set for an Ephemeral Container";

/// The annotation of a static Pod's mirror (`core.MirrorPodAnnotationKey`).
const MIRROR_POD: &str = "kubernetes.io/config.mirror";

/// Whether a field differs from its Go zero value (`validateFieldAllowList`'s
/// `reflect.DeepEqual` with the zero): a pointer or slice is set when present, even empty;
/// the `resources` struct when one of its members is.
fn is_set(field: &str, value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => false,
        Some(Value::Object(members)) if field == "resources" => {
            members.values().any(|v| !v.is_null())
        }
        Some(_) => true,
    }
}

/// `validateEphemeralContainers`: the checks common to all containers, names unique among
/// every container of the Pod, a target that is one of its other containers, and only the
/// fields an ephemeral container may set (no sub-paths in its mounts).
pub(super) fn ephemeral_containers(
    spec: Option<&Map<String, Value>>,
    volumes: &BTreeSet<String>,
    facts: PodFacts,
    path: &str,
    errs: &mut Vec<FieldError>,
) {
    let list = items(spec, "ephemeralContainers");
    if list.is_empty() {
        return;
    }
    let others: BTreeSet<&str> = items(spec, "containers")
        .iter()
        .chain(items(spec, "initContainers"))
        .map(|c| str_of(c, "name"))
        .collect();
    let mut names = others.clone();
    for (i, c) in list.iter().enumerate() {
        let at = format!("{path}.ephemeralContainers[{i}]");
        container_common(c, volumes, facts, &at, errs);
        container_only_for_pod(c, &at, errs);
        let name = str_of(c, "name");
        if !names.insert(name) {
            errs.push(duplicate(&format!("{at}.name"), name));
        }
        let target = str_of(c, "targetContainerName");
        if !target.is_empty() && !others.contains(target) {
            errs.push(FieldError::new(
                FieldErrorType::NotFound,
                format!("{at}.targetContainerName"),
                Some(Value::String(target.into())),
                "",
            ));
        }
        for field in NOT_ALLOWED {
            if is_set(field, c.get(field)) {
                errs.push(FieldError::forbidden(
                    format!("{at}.{field}"),
                    NOT_FOR_EPHEMERAL,
                ));
            }
        }
        for (j, mount) in list_of(c, "volumeMounts").iter().enumerate() {
            for field in ["subPath", "subPathExpr"] {
                if !str_of(mount, field).is_empty() {
                    errs.push(FieldError::forbidden(
                        format!("{at}.volumeMounts[{j}].{field}"),
                        NOT_FOR_EPHEMERAL,
                    ));
                }
            }
        }
    }
}

/// `ValidatePodEphemeralContainersUpdate`'s own part, after the Pod's spec checks in `errs`:
/// a static Pod's mirror refuses any (that error alone); otherwise every ephemeral container
/// of `old` must still be there, unchanged. The server's "may not be changed" detail ends
/// with a `cmp.Diff` of the internal containers, which the fake leaves out.
pub(super) fn ephemeral_update(obj: &Value, old: &Value, errs: &mut Vec<FieldError>) {
    let annotations = old
        .get("metadata")
        .and_then(|m| m.get("annotations"))
        .and_then(Value::as_object);
    if annotations.is_some_and(|a| a.contains_key(MIRROR_POD)) {
        errs.clear();
        errs.push(FieldError::forbidden(
            "",
            "static pods do not support ephemeral containers",
        ));
        return;
    }
    fn spec(pod: &Value) -> Option<&Map<String, Value>> {
        pod.get("spec").and_then(Value::as_object)
    }
    // By name, the last of a name winning (the server's map).
    let new: BTreeMap<&str, &Value> = items(spec(obj), "ephemeralContainers")
        .iter()
        .map(|c| (str_of(c, "name"), c))
        .collect();
    for before in items(spec(old), "ephemeralContainers") {
        let name = str_of(before, "name");
        let quoted = crate::schema::go::quote(name);
        match new.get(name) {
            None => errs.push(FieldError::forbidden(
                "spec.ephemeralContainers",
                format!("existing ephemeral containers {quoted} may not be removed\n"),
            )),
            Some(after) if !semantically_equal(Some(before), Some(after)) => {
                errs.push(FieldError::forbidden(
                    "spec.ephemeralContainers",
                    format!("existing ephemeral containers {quoted} may not be changed\n"),
                ));
            }
            Some(_) => {}
        }
    }
}
