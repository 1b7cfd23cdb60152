//! TypeMeta and ObjectMeta inside custom objects: which metadata fields exist (for pruning) and
//! the apiVersion/kind checks of embedded resources (apiextensions `schema/objectmeta`).

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::JSONSchemaProps;
use kobj_core::FieldError;
use serde_json::{Map, Value};

use super::{Additional, MAX_DEPTH, Path};

/// The JSON fields of `metav1.ObjectMeta`, in declaration order.
pub(crate) const OBJECT_META_FIELDS: &[&str] = &[
    "name",
    "generateName",
    "namespace",
    "selfLink",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "labels",
    "annotations",
    "ownerReferences",
    "finalizers",
    "managedFields",
];

/// The JSON fields of `metav1.OwnerReference`, in declaration order.
pub(crate) const OWNER_REFERENCE_FIELDS: &[&str] = &[
    "apiVersion",
    "kind",
    "name",
    "uid",
    "controller",
    "blockOwnerDeletion",
];

/// The JSON fields of `metav1.ManagedFieldsEntry`, in declaration order.
pub(crate) const MANAGED_FIELDS_FIELDS: &[&str] = &[
    "manager",
    "operation",
    "apiVersion",
    "time",
    "fieldsType",
    "fieldsV1",
    "subresource",
];

/// Removes fields `metav1.ObjectMeta` does not have from `metadata` (as the server's strict
/// decoding into ObjectMeta does) and records their paths under `prefix` (e.g. `metadata`).
pub(crate) fn prune_object_meta(metadata: &mut Value, prefix: &str, removed: &mut Vec<String>) {
    let Value::Object(meta) = metadata else {
        return;
    };
    drop_unknown(meta, OBJECT_META_FIELDS, prefix, removed);
    for (list, fields) in [
        ("ownerReferences", OWNER_REFERENCE_FIELDS),
        ("managedFields", MANAGED_FIELDS_FIELDS),
    ] {
        if let Some(Value::Array(items)) = meta.get_mut(list) {
            for (i, item) in items.iter_mut().enumerate() {
                if let Value::Object(item) = item {
                    drop_unknown(item, fields, &format!("{prefix}.{list}[{i}]"), removed);
                }
            }
        }
    }
}

fn drop_unknown(
    map: &mut Map<String, Value>,
    known: &[&str],
    prefix: &str,
    removed: &mut Vec<String>,
) {
    let unknown: Vec<String> = map
        .keys()
        .filter(|k| !known.contains(&k.as_str()))
        .cloned()
        .collect();
    for key in unknown {
        map.remove(&key);
        removed.push(format!("{prefix}.{key}"));
    }
}

/// `objectmeta.Validate(nil, obj, schema, false)`: apiVersion and kind of every embedded
/// resource below the root.
pub(crate) fn validate_embedded(schema: &JSONSchemaProps, object: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    walk(schema, object, &Path::Root, true, &mut errs, 0);
    errs
}

fn walk(
    s: &JSONSchemaProps,
    x: &Value,
    path: &Path<'_>,
    root: bool,
    errs: &mut Vec<FieldError>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    match x {
        Value::Object(map) => {
            if super::is_embedded(s) && !root {
                check_embedded(map, path, errs);
            }
            for (k, v) in map {
                if let Some(prop) = s.properties.as_ref().and_then(|p| p.get(k)) {
                    walk(prop, v, &path.field(k), false, errs, depth + 1);
                } else if let Some(Additional::Schema(additional)) = super::additional_of(s) {
                    walk(additional, v, &path.key(k), false, errs, depth + 1);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = super::items_of(s) {
                for (i, item) in items.iter().enumerate() {
                    walk(item_schema, item, &path.index(i), false, errs, depth + 1);
                }
            }
        }
        _ => {}
    }
}

fn check_embedded(map: &Map<String, Value>, path: &Path<'_>, errs: &mut Vec<FieldError>) {
    let at = |name: &str| path.field(name).field_path();
    if !map.contains_key("apiVersion") {
        errs.push(FieldError::required(at("apiVersion"), ""));
    }
    if !map.contains_key("kind") {
        errs.push(FieldError::required(at("kind"), ""));
    }
    match map.get("apiVersion") {
        Some(Value::String(v)) if v.is_empty() => {
            errs.push(FieldError::invalid(
                at("apiVersion"),
                Value::String(String::new()),
                "must not be empty",
            ));
        }
        Some(Value::String(v)) if v.matches('/').count() > 1 => {
            errs.push(FieldError::invalid(
                at("apiVersion"),
                Value::String(v.clone()),
                format!("unexpected GroupVersion string: {v}"),
            ));
        }
        Some(Value::String(_)) | None => {}
        Some(other) => errs.push(FieldError::invalid(
            at("apiVersion"),
            other.clone(),
            "must be a string",
        )),
    }
    match map.get("kind") {
        Some(Value::String(k)) if k.is_empty() => {
            errs.push(FieldError::invalid(
                at("kind"),
                Value::String(String::new()),
                "must not be empty",
            ));
        }
        Some(Value::String(k)) => {
            let problems = dns1035_label(&k.to_lowercase());
            if !problems.is_empty() {
                errs.push(FieldError::invalid(
                    at("kind"),
                    Value::String(k.clone()),
                    format!(
                        "may have mixed case, but should otherwise match: {}",
                        problems.join(",")
                    ),
                ));
            }
        }
        None => {}
        Some(other) => errs.push(FieldError::invalid(
            at("kind"),
            other.clone(),
            "must be a string",
        )),
    }
}

/// `validation.IsDNS1035Label`'s messages.
pub(crate) fn dns1035_label(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 63 {
        errs.push("must be no more than 63 characters".to_string());
    }
    let b = value.as_bytes();
    let ok = !b.is_empty()
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b.last()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !ok {
        errs.push(
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
                .to_string(),
        );
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema(v: Value) -> JSONSchemaProps {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn unknown_metadata_fields_are_dropped_and_reported() {
        let mut meta = json!({
            "name": "a", "labels": {"x": "y"}, "bogus": 1,
            "ownerReferences": [{"name": "o", "extra": true}],
            "managedFields": [{"manager": "m", "fieldsV1": {"f:spec": {}}, "odd": 1}]
        });
        let mut removed = Vec::new();
        prune_object_meta(&mut meta, "metadata", &mut removed);
        assert_eq!(
            removed,
            vec![
                "metadata.bogus",
                "metadata.ownerReferences[0].extra",
                "metadata.managedFields[0].odd"
            ]
        );
        assert_eq!(
            meta,
            json!({
                "name": "a", "labels": {"x": "y"},
                "ownerReferences": [{"name": "o"}],
                "managedFields": [{"manager": "m", "fieldsV1": {"f:spec": {}}}]
            })
        );
    }

    #[test]
    fn embedded_resources_need_api_version_and_kind() {
        let s = schema(json!({
            "type": "object",
            "properties": {"spec": {"type": "object", "properties": {
                "template": {"type": "object", "x-kubernetes-embedded-resource": true,
                             "x-kubernetes-preserve-unknown-fields": true}
            }}}
        }));
        let errs = validate_embedded(&s, &json!({"spec": {"template": {"metadata": {}}}}));
        let texts: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(
            texts,
            vec![
                "spec.template.apiVersion: Required value",
                "spec.template.kind: Required value"
            ]
        );
        let errs = validate_embedded(
            &s,
            &json!({"spec": {"template": {"apiVersion": 1, "kind": "Bad_Kind"}}}),
        );
        let texts: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(
            texts[0],
            "spec.template.apiVersion: Invalid value: 1: must be a string"
        );
        assert!(texts[1].starts_with(
            "spec.template.kind: Invalid value: \"Bad_Kind\": may have mixed case, but should otherwise match: a DNS-1035 label"
        ));
        // The root is the caller's business.
        assert!(validate_embedded(&s, &json!({})).is_empty());
    }
}
