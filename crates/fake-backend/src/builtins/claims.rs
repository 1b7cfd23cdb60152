//! PersistentVolumeClaims and PriorityClasses, as the server validates them
//! (`ValidatePersistentVolumeClaim`, `ValidatePersistentVolumeClaimSpec`,
//! `ValidatePersistentVolumeClaimUpdate` in pkg/apis/core/validation, and
//! `ValidatePriorityClass`, `ValidatePriorityClassUpdate` in pkg/apis/scheduling/validation,
//! Kubernetes 1.35), and the claim strategy's `NormalizeDataSources`. Written by hand: no
//! crate reproduces the API server's validation.

use std::cmp::Ordering;

use kobj_core::FieldError;
use serde_json::{Map, Value};

use super::fields::str_of;
use super::quantity::compare_quantities;
use crate::meta;
use crate::store::JsonRead;

/// A quantity as its text (quantities are strings once decoded; a number is printed).
fn quantity_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The claim strategy's `PrepareForCreate` for data sources: `EnforceDataSourceBackwardsCompatibility`
/// (without `dataSourceRef`, a `dataSource` that is neither a PersistentVolumeClaim nor a
/// `snapshot.storage.k8s.io` VolumeSnapshot is dropped), then `NormalizeDataSources`
/// (`dataSource` and `dataSourceRef` filled from each other when only one is given; a
/// reference to another namespace gets no `dataSource`).
pub(super) fn normalize_data_sources(obj: &mut Value) {
    let Some(spec) = obj.get_mut("spec").and_then(Value::as_object_mut) else {
        return;
    };
    let present = |s: &Map<String, Value>, k: &str| s.get(k).is_some_and(|v| !v.is_null());
    if !present(spec, "dataSourceRef")
        && let Some(source) = spec.get("dataSource").filter(|v| !v.is_null())
    {
        let enabled = matches!(
            (str_of(source, "apiGroup"), str_of(source, "kind")),
            ("", "PersistentVolumeClaim") | ("snapshot.storage.k8s.io", "VolumeSnapshot")
        );
        if !enabled {
            spec.remove("dataSource");
        }
    }
    let copy = |from: &Value| {
        let mut out = Map::new();
        for key in ["apiGroup", "kind", "name"] {
            if let Some(v) = from.get(key).filter(|v| !v.is_null()) {
                out.insert(key.into(), v.clone());
            }
        }
        Value::Object(out)
    };
    match (present(spec, "dataSource"), present(spec, "dataSourceRef")) {
        (true, false) => {
            let made = spec.get("dataSource").map(copy);
            if let Some(made) = made {
                spec.insert("dataSourceRef".into(), made);
            }
        }
        (false, true) => {
            let reference = spec.get("dataSourceRef").cloned().unwrap_or(Value::Null);
            if str_of(&reference, "namespace").is_empty() {
                spec.insert("dataSource".into(), copy(&reference));
            }
        }
        _ => {}
    }
}

/// `supportedAccessModes`, sorted as `sets.List` sorts them.
const ACCESS_MODES: [&str; 4] = [
    "ReadOnlyMany",
    "ReadWriteMany",
    "ReadWriteOnce",
    "ReadWriteOncePod",
];

/// `ValidatePersistentVolumeClaimSpec` at `path`.
pub(crate) fn claim_spec(spec: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let modes = spec
        .get("accessModes")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    if modes.is_empty() {
        errs.push(FieldError::required(
            format!("{path}.accessModes"),
            "at least 1 access mode is required",
        ));
    }
    if let Some(selector) = spec.get("selector").and_then(Value::as_object) {
        super::workloads::validate_label_selector(selector, &format!("{path}.selector"), errs);
    }
    let (mut once_pod, mut other) = (false, false);
    for mode in modes {
        let mode = mode.as_str().unwrap_or("");
        if !ACCESS_MODES.contains(&mode) {
            errs.push(FieldError::not_supported(
                format!("{path}.accessModes"),
                mode,
                &ACCESS_MODES,
            ));
        } else if mode == "ReadWriteOncePod" {
            once_pod = true;
        } else {
            other = true;
        }
    }
    if once_pod && other {
        errs.push(FieldError::forbidden(
            format!("{path}.accessModes"),
            "may not use ReadWriteOncePod with other access modes",
        ));
    }
    let storage_path = format!("{path}.resources[storage]");
    match spec
        .get("resources")
        .and_then(|r| r.get("requests"))
        .and_then(|r| r.get("storage"))
        .and_then(quantity_text)
    {
        None => errs.push(FieldError::required(storage_path, "")),
        Some(storage) => {
            if compare_quantities(&storage, "0").is_none_or(|o| o != Ordering::Greater) {
                errs.push(FieldError::invalid(
                    storage_path,
                    Value::String(storage),
                    "must be greater than zero",
                ));
            }
        }
    }
    let class = str_of(spec, "storageClassName");
    if !class.is_empty() {
        for m in meta::dns1123_subdomain_errors(class) {
            errs.push(FieldError::invalid(
                format!("{path}.storageClassName"),
                Value::String(class.into()),
                m,
            ));
        }
    }
    if let Some(mode) = spec.get("volumeMode").and_then(Value::as_str)
        && mode != "Block"
        && mode != "Filesystem"
    {
        errs.push(FieldError::not_supported(
            format!("{path}.volumeMode"),
            mode,
            &["Block", "Filesystem"],
        ));
    }
    let source = spec.get("dataSource").filter(|v| !v.is_null());
    let reference = spec.get("dataSourceRef").filter(|v| !v.is_null());
    if let Some(source) = source {
        data_source(source, &format!("{path}.dataSource"), errs);
    }
    if let Some(reference) = reference {
        let at = format!("{path}.dataSourceRef");
        data_source(reference, &at, errs);
        let namespace = str_of(reference, "namespace");
        if !namespace.is_empty() {
            for m in meta::dns1123_label_errors(namespace) {
                errs.push(FieldError::invalid(
                    format!("{at}.namespace"),
                    Value::String(namespace.into()),
                    m,
                ));
            }
        }
    }
    let referenced_namespace = reference.is_some_and(|r| !str_of(r, "namespace").is_empty());
    if let (Some(source), Some(reference)) = (source, reference) {
        let same = ["apiGroup", "kind", "name"]
            .iter()
            .all(|k| source.get(*k) == reference.get(*k));
        // The bad value is a field path, printed as its string.
        if referenced_namespace {
            errs.push(FieldError::invalid(
                path,
                Value::String(format!("{path}.dataSource")),
                "may not be specified when dataSourceRef.namespace is specified",
            ));
        } else if !same {
            errs.push(FieldError::invalid(
                path,
                Value::String(format!("{path}.dataSource")),
                "must match dataSourceRef",
            ));
        }
    }
    let attributes = str_of(spec, "volumeAttributesClassName");
    if !attributes.is_empty() {
        for m in meta::dns1123_subdomain_errors(attributes) {
            errs.push(FieldError::invalid(
                format!("{path}.volumeAttributesClassName"),
                Value::String(attributes.into()),
                m,
            ));
        }
    }
}

/// `validateDataSource` and the shared part of `validateDataSourceRef`.
fn data_source(source: &Value, path: &str, errs: &mut Vec<FieldError>) {
    if str_of(source, "name").is_empty() {
        errs.push(FieldError::required(format!("{path}.name"), ""));
    }
    let kind = str_of(source, "kind");
    if kind.is_empty() {
        errs.push(FieldError::required(format!("{path}.kind"), ""));
    }
    let group = str_of(source, "apiGroup");
    if group.is_empty() && kind != "PersistentVolumeClaim" {
        errs.push(FieldError::invalid(
            path,
            Value::String(kind.into()),
            "must be 'PersistentVolumeClaim' when referencing the default apiGroup",
        ));
    }
    if !group.is_empty() {
        for m in meta::dns1123_subdomain_errors(group) {
            errs.push(FieldError::invalid(
                format!("{path}.apiGroup"),
                Value::String(group.into()),
                m,
            ));
        }
    }
}

/// `ValidatePersistentVolumeClaimUpdate`'s own checks: the spec is immutable but for
/// `volumeName` set once (and, on a bound claim, the storage request and volume attributes
/// class); the storage request may not shrink. The server's `Forbidden` detail ends with a
/// `cmp.Diff` of the internal specs, which the fake leaves out.
pub(super) fn claim_update<'a>(obj: &Value, old: impl JsonRead<'a>, errs: &mut Vec<FieldError>) {
    let empty = Value::Object(Map::new());
    let new_spec = obj.get("spec").unwrap_or(&empty);
    let old_spec = old.get("spec").map(JsonRead::to_value);
    let old_spec: &Value = old_spec.as_deref().unwrap_or(&empty);
    let bound = obj
        .get("status")
        .and_then(|s| s.get("phase"))
        .and_then(Value::as_str)
        == Some("Bound");
    let mut munged = new_spec.clone();
    if let Some(m) = munged.as_object_mut() {
        let restore = |m: &mut Map<String, Value>, key: &str| match old_spec.get(key) {
            Some(v) => {
                m.insert(key.into(), v.clone());
            }
            None => {
                m.remove(key);
            }
        };
        if str_of(old_spec, "volumeName").is_empty() {
            restore(m, "volumeName");
        }
        if bound {
            let old_storage = old_spec
                .get("resources")
                .and_then(|r| r.get("requests"))
                .and_then(|r| r.get("storage"))
                .cloned();
            if let Some(requests) = m
                .get_mut("resources")
                .and_then(|r| r.get_mut("requests"))
                .and_then(Value::as_object_mut)
            {
                match old_storage {
                    Some(v) => {
                        requests.insert("storage".into(), v);
                    }
                    None => {
                        requests.remove("storage");
                    }
                }
            }
            if m.contains_key("volumeAttributesClassName") {
                restore(m, "volumeAttributesClassName");
            }
        }
    }
    if !super::workloads::semantically_equal(Some(&munged), Some(old_spec)) {
        errs.push(FieldError::forbidden(
            "spec",
            "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims",
        ));
    }
    let storage = |spec: &Value| {
        spec.get("resources")
            .and_then(|r| r.get("requests"))
            .and_then(|r| r.get("storage"))
            .and_then(quantity_text)
            .unwrap_or_else(|| "0".into())
    };
    if compare_quantities(&storage(new_spec), &storage(old_spec)) == Some(Ordering::Less) {
        // `RecoverVolumeExpansionFailure` (on by default since 1.34): a request may shrink,
        // but not to or below the capacity the claim has.
        let capacity = old
            .get("status")
            .and_then(|s| s.get("capacity"))
            .and_then(|c| c.get("storage"))
            .map(|c| c.to_value().into_owned())
            .and_then(|c| quantity_text(&c))
            .unwrap_or_else(|| "0".into());
        if compare_quantities(&storage(new_spec), &capacity).is_some_and(|o| o != Ordering::Greater)
        {
            errs.push(FieldError::forbidden(
                "spec.resources.requests.storage",
                "field can not be less than status.capacity",
            ));
        }
    }
}

/// `scheduling.HighestUserDefinablePriority`.
const HIGHEST_USER_PRIORITY: i64 = 1_000_000_000;

/// `ValidatePriorityClass`'s own checks (after the metadata's): `system-` names are the
/// server's own classes, other values at most 10⁹, and the preemption policy.
pub(super) fn priority_class(obj: &Value, errs: &mut Vec<FieldError>) {
    let name = meta::meta_str(obj, "name");
    let value = obj.get("value").and_then(Value::as_i64).unwrap_or(0);
    if name.starts_with("system-") {
        let known = super::admission::SYSTEM_PRIORITY_CLASSES
            .iter()
            .find(|(n, _, _)| *n == name);
        let global = obj.get("globalDefault").and_then(Value::as_bool) == Some(true);
        let problem = match known {
            None => Some(format!("{name} is not a known system priority class")),
            Some((n, v, _)) if *v != value => {
                Some(format!("value of {n} PriorityClass must be {v}"))
            }
            Some((n, _, _)) if global => {
                Some(format!("globalDefault of {n} PriorityClass must be false"))
            }
            Some(_) => None,
        };
        if let Some(problem) = problem {
            errs.push(FieldError::forbidden(
                "metadata.name",
                format!(
                    "priority class names with 'system-' prefix are reserved for system use only. error: {problem}"
                ),
            ));
        }
    } else if value > HIGHEST_USER_PRIORITY {
        errs.push(FieldError::forbidden(
            "value",
            format!("maximum allowed value of a user defined priority is {HIGHEST_USER_PRIORITY}"),
        ));
    }
    match obj.get("preemptionPolicy").and_then(Value::as_str) {
        None | Some("PreemptLowerPriority" | "Never") => {}
        Some("") => errs.push(FieldError::required("preemptionPolicy", "")),
        Some(other) => errs.push(FieldError::not_supported(
            "preemptionPolicy",
            other,
            &["PreemptLowerPriority", "Never"],
        )),
    }
}

/// `ValidatePriorityClassUpdate`'s own checks: the value and preemption policy are fixed.
pub(super) fn priority_class_update<'a>(
    obj: &Value,
    old: impl JsonRead<'a>,
    errs: &mut Vec<FieldError>,
) {
    let old_value = old.get("value").map(|v| v.to_value().into_owned());
    if obj.get("value") != old_value.as_ref() {
        errs.push(FieldError::forbidden(
            "value",
            "may not be changed in an update.",
        ));
    }
    let old_policy = old
        .get("preemptionPolicy")
        .map(|v| v.to_value().into_owned());
    if obj.get("preemptionPolicy") != old_policy.as_ref() {
        errs.push(FieldError::invalid(
            "preemptionPolicy",
            obj.get("preemptionPolicy").cloned().unwrap_or(Value::Null),
            "field is immutable",
        ));
    }
}
