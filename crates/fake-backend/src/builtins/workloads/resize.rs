//! In-place resize (a Pod's `resize` subresource): the strategy's `dropNonResizeUpdates`
//! (pkg/registry/core/pod/strategy.go) and `ValidatePodResize`'s own checks
//! (pkg/apis/core/validation/validation.go).

use std::cmp::Ordering;

use kobj_core::FieldError;
use serde_json::{Map, Value};

use super::pod::items;
use super::semantically_equal;
use crate::builtins::fields::str_of;
use crate::builtins::quantity::compare_quantities;

/// The annotation of a static Pod's mirror (`core.MirrorPodAnnotationKey`).
const MIRROR_POD: &str = "kubernetes.io/config.mirror";

fn spec(pod: &Value) -> Option<&Map<String, Value>> {
    pod.get("spec").and_then(Value::as_object)
}

/// `dropNonResizeUpdates`: the stored Pod with each container's (and init container's)
/// `resources` and `resizePolicy` from the request. A request that adds, removes, reorders
/// or renames containers keeps its own list, for validation to refuse.
pub(crate) fn prepare(old: &Value, new: Value) -> Value {
    let mut merged = old.clone();
    let (Some(new_spec), Some(Value::Object(out))) = (spec(&new), merged.get_mut("spec")) else {
        return new;
    };
    for list in ["containers", "initContainers"] {
        let (after, before) = (items(Some(new_spec), list), items(spec(old), list));
        if after.len() != before.len() {
            return new;
        }
        if after.is_empty() {
            continue;
        }
        let renamed = after
            .iter()
            .zip(before)
            .any(|(a, b)| str_of(a, "name") != str_of(b, "name"));
        let containers = if renamed {
            after.to_vec()
        } else {
            after
                .iter()
                .zip(before)
                .map(|(a, b)| {
                    let mut c = b.clone();
                    if let Value::Object(c) = &mut c {
                        for field in ["resources", "resizePolicy"] {
                            match a.get(field) {
                                Some(v) => {
                                    c.insert(field.into(), v.clone());
                                }
                                None => {
                                    c.remove(field);
                                }
                            }
                        }
                    }
                    c
                })
                .collect()
        };
        out.insert(list.into(), Value::Array(containers));
    }
    merged
}

/// A container's resource list (`limits` or `requests`), empty when unset.
fn list<'a>(c: &'a Value, which: &str) -> Option<&'a Map<String, Value>> {
    c.get("resources")
        .and_then(|r| r.get(which))
        .and_then(Value::as_object)
}

/// `validateContainerResize`: no request or limit removed, and (unless memory's resize policy
/// restarts the container) no memory limit lowered or added.
fn container_resize(new: &Value, old: &Value, path: &str, errs: &mut Vec<FieldError>) {
    for (which, what) in [("requests", "requests"), ("limits", "limits")] {
        let (after, before) = (list(new, which), list(old, which));
        let removed = before.is_some_and(|b| {
            b.len() > after.map_or(0, Map::len)
                || b.keys().any(|k| !after.is_some_and(|a| a.contains_key(k)))
        });
        if removed {
            errs.push(FieldError::forbidden(
                format!("{path}.{which}"),
                format!("resource {what} cannot be removed"),
            ));
        }
    }
    let memory_policy = new
        .get("resizePolicy")
        .and_then(Value::as_array)
        .and_then(|ps| {
            ps.iter()
                .find(|p| str_of(p, "resourceName") == "memory")
                .map(|p| str_of(p, "restartPolicy"))
        })
        .unwrap_or_default();
    if memory_policy != "NotRequired" && !memory_policy.is_empty() {
        return;
    }
    let limit = |c: &Value| {
        list(c, "limits")
            .and_then(|l| l.get("memory"))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let at = format!("{path}.limits[memory]");
    match (limit(new), limit(old)) {
        (Some(after), Some(before))
            if compare_quantities(&after, &before) == Some(Ordering::Less) =>
        {
            errs.push(FieldError::forbidden(
                at,
                "memory limits cannot be decreased unless resizePolicy is RestartContainer",
            ));
        }
        (Some(_), None) => errs.push(FieldError::forbidden(
            at,
            "memory limits cannot be added unless resizePolicy is RestartContainer",
        )),
        _ => {}
    }
}

/// `dropCPUMemoryResourcesFromContainer`: the container with its CPU and memory taken from
/// the old one, and its resources only `limits` and `requests`.
fn without_cpu_memory_changes(new: &Value, old: &Value) -> Value {
    let munge = |which: &str| -> Option<Value> {
        let before = list(old, which)?;
        let mut out = list(new, which).cloned().unwrap_or_default();
        for name in ["cpu", "memory"] {
            out.remove(name);
            if let Some(q) = before.get(name) {
                out.insert(name.into(), q.clone());
            }
        }
        Some(Value::Object(out))
    };
    let mut resources = Map::new();
    for which in ["limits", "requests"] {
        if let Some(l) = munge(which) {
            resources.insert(which.into(), l);
        }
    }
    let mut c = new.clone();
    if let Value::Object(map) = &mut c {
        map.insert("resources".into(), Value::Object(resources));
    }
    c
}

fn restartable(c: &Value) -> bool {
    str_of(c, "restartPolicy") == "Always"
}

/// The QoS class of the stored Pod (its status's, or computed) against the resized one's.
fn qos_changes(obj: &Value, old: &Value) -> bool {
    let empty = Map::new();
    let before = old
        .get("status")
        .and_then(|s| s.get("qosClass"))
        .and_then(Value::as_str)
        .filter(|q| !q.is_empty())
        .unwrap_or_else(|| crate::builtins::qos::pod_qos(spec(old).unwrap_or(&empty)));
    before != crate::builtins::qos::pod_qos(spec(obj).unwrap_or(&empty))
}

/// `ValidatePodResize`'s own part, after the Pod's spec checks in `errs`.
pub(super) fn resize_update(obj: &Value, old: &Value, errs: &mut Vec<FieldError>) {
    let pod_level = |pod: &Value| {
        spec(pod).and_then(|s| s.get("resources")).is_some_and(|r| {
            ["requests", "limits"].iter().any(|w| {
                r.get(w)
                    .and_then(Value::as_object)
                    .is_some_and(|m| !m.is_empty())
            })
        })
    };
    let whole = |why: &str, errs: &mut Vec<FieldError>| {
        errs.clear();
        errs.push(FieldError::forbidden("", why));
    };
    if pod_level(old) || pod_level(obj) {
        return whole("pods with pod-level resources cannot be resized", errs);
    }
    let annotations = old
        .get("metadata")
        .and_then(|m| m.get("annotations"))
        .and_then(Value::as_object);
    if annotations.is_some_and(|a| a.contains_key(MIRROR_POD)) {
        return whole("static pods cannot be resized", errs);
    }
    let os = spec(old)
        .and_then(|s| s.get("os"))
        .map(|o| str_of(o, "name"))
        .unwrap_or_default();
    if os == "windows" {
        return whole("windows pods cannot be resized", errs);
    }
    if qos_changes(obj, old) {
        let class = obj
            .get("status")
            .and_then(|s| s.get("qosClass"))
            .cloned()
            .unwrap_or(Value::String(String::new()));
        errs.push(FieldError::invalid(
            "spec",
            class,
            "Pod QOS Class may not change as a result of resizing",
        ));
    }
    let running_without_resources = old
        .get("status")
        .and_then(|s| s.get("containerStatuses"))
        .and_then(Value::as_array)
        .and_then(|statuses| {
            statuses.iter().find(|c| {
                c.get("state")
                    .and_then(|s| s.get("running"))
                    .is_some_and(|r| !r.is_null())
            })
        })
        .is_some_and(|c| c.get("resources").is_none_or(Value::is_null));
    if running_without_resources {
        errs.push(FieldError::forbidden(
            "spec",
            "Pod running on node without support for resize",
        ));
    }
    let (new_spec, old_spec) = (spec(obj), spec(old));
    let pairs = |list: &str| -> Vec<(usize, &Value, &Value)> {
        items(new_spec, list)
            .iter()
            .zip(items(old_spec, list))
            .enumerate()
            .map(|(i, (n, o))| (i, n, o))
            .collect()
    };
    for (i, new, old) in pairs("initContainers") {
        if restartable(old) {
            container_resize(
                new,
                old,
                &format!("spec.initContainers[{i}].resources"),
                errs,
            );
        }
    }
    for (i, new, old) in pairs("containers") {
        container_resize(new, old, &format!("spec.containers[{i}].resources"), errs);
    }
    for (_, new, old) in pairs("containers") {
        let munged = without_cpu_memory_changes(new, old);
        if !semantically_equal(Some(&munged), Some(old)) {
            errs.push(FieldError::forbidden(
                "spec",
                "only cpu and memory resources are mutable",
            ));
        }
    }
    for (_, new, old) in pairs("initContainers") {
        if restartable(new) {
            let munged = without_cpu_memory_changes(new, old);
            if !semantically_equal(Some(&munged), Some(old)) {
                errs.push(FieldError::forbidden(
                    "spec",
                    "only cpu and memory resources for sidecar containers are mutable",
                ));
            }
        } else if !semantically_equal(Some(new), Some(old)) {
            errs.push(FieldError::forbidden(
                "spec",
                "resources for non-sidecar init containers are immutable",
            ));
        }
    }
    if !errs.is_empty() {
        return;
    }
    // What is left of the spec once CPU and memory are taken back must be the stored spec:
    // containers added, removed, reordered or renamed are refused here.
    let unchanged = items(new_spec, "containers").len() == items(old_spec, "containers").len()
        && items(new_spec, "initContainers").len() == items(old_spec, "initContainers").len()
        && ["containers", "initContainers"].iter().all(|list| {
            items(new_spec, list)
                .iter()
                .zip(items(old_spec, list))
                .all(|(n, o)| str_of(n, "name") == str_of(o, "name"))
        });
    if !unchanged {
        errs.push(FieldError::forbidden(
            "spec",
            "only cpu and memory resources are mutable",
        ));
    }
}
