//! `ValidatePodUpdate`'s own checks (pkg/apis/core/validation/validation.go): what an
//! update may change of a Pod's spec.

use kobj_core::FieldError;
use serde_json::{Map, Value};

use super::pod::items;

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
