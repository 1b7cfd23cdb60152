//! Uniqueness of `x-kubernetes-list-type: set` items and `map` keys (apiextensions
//! `schema/listtype.ValidateListSetsAndMaps`).

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::JSONSchemaProps;
use kobj_core::{FieldError, FieldErrorType};
use serde_json::{Map, Value};

use super::{Additional, MAX_DEPTH, Path};

/// Checks every list-type set and map list in `object`.
pub(crate) fn validate(schema: &JSONSchemaProps, object: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Value::Object(map) = object {
        walk_map(schema, map, &Path::Root, &mut errs, 0);
    }
    errs
}

fn walk_map(
    s: &JSONSchemaProps,
    map: &Map<String, Value>,
    path: &Path<'_>,
    errs: &mut Vec<FieldError>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    if let Some(Additional::Schema(additional)) = super::additional_of(s) {
        for (k, v) in map {
            walk(additional, v, &path.key(k), errs, depth + 1);
        }
    }
    if let Some(properties) = &s.properties {
        for (k, v) in map {
            if let Some(prop) = properties.get(k) {
                walk(prop, v, &path.field(k), errs, depth + 1);
            }
        }
    }
}

fn walk(s: &JSONSchemaProps, x: &Value, path: &Path<'_>, errs: &mut Vec<FieldError>, depth: usize) {
    match x {
        Value::Array(items) => walk_array(s, items, path, errs, depth),
        Value::Object(map) => walk_map(s, map, path, errs, depth),
        _ => {}
    }
}

fn walk_array(
    s: &JSONSchemaProps,
    items: &[Value],
    path: &Path<'_>,
    errs: &mut Vec<FieldError>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    match s.x_kubernetes_list_type.as_deref() {
        Some("set") => {
            for i in duplicates(items) {
                errs.push(duplicate(&path.index(i), items[i].clone()));
            }
        }
        Some("map") => validate_map_list(s, items, path, errs),
        _ => {}
    }
    if let Some(item_schema) = super::items_of(s) {
        for (i, item) in items.iter().enumerate() {
            walk(item_schema, item, &path.index(i), errs, depth + 1);
        }
    }
}

fn duplicate(path: &Path<'_>, value: Value) -> FieldError {
    FieldError::new(
        FieldErrorType::Duplicate,
        path.field_path(),
        Some(value),
        "",
    )
}

/// Indices of the second appearance of each repeated value (`validateListSet`).
fn duplicates(items: &[Value]) -> Vec<usize> {
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let earlier = items[..i].iter().filter(|x| *x == item).count();
        if earlier == 1 {
            out.push(i);
        }
    }
    out
}

fn validate_map_list(
    s: &JSONSchemaProps,
    items: &[Value],
    path: &Path<'_>,
    errs: &mut Vec<FieldError>,
) {
    if let Some((i, x)) = items
        .iter()
        .enumerate()
        .find(|(_, x)| !x.is_null() && !x.is_object())
    {
        errs.push(FieldError::invalid(
            path.index(i).field_path(),
            x.clone(),
            "must be an object for an array of list-type map",
        ));
        return;
    }
    if items.len() <= 1 {
        return;
    }
    let key_fields = s.x_kubernetes_list_map_keys.as_deref().unwrap_or_default();
    // Each item's key: the key fields it has (an absent field is distinct from null).
    let keys: Vec<Map<String, Value>> = items
        .iter()
        .map(|x| {
            let mut key = Map::new();
            if let Some(obj) = x.as_object() {
                for field in key_fields {
                    if let Some(v) = obj.get(field) {
                        key.insert(field.clone(), v.clone());
                    }
                }
            }
            key
        })
        .collect();
    let as_values: Vec<Value> = keys.iter().cloned().map(Value::Object).collect();
    for i in duplicates(&as_values) {
        errs.push(duplicate(&path.index(i), as_values[i].clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(s: Value, obj: Value) -> Vec<String> {
        let s: JSONSchemaProps = serde_json::from_value(s).unwrap();
        validate(&s, &obj).iter().map(ToString::to_string).collect()
    }

    #[test]
    fn set_items_must_be_unique() {
        let s = json!({"type": "object", "properties": {"tags": {
            "type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}}}});
        assert_eq!(
            run(s, json!({"tags": ["a", "b", "a", "a", "b"]})),
            vec![
                "tags[2]: Duplicate value: \"a\"",
                "tags[4]: Duplicate value: \"b\""
            ]
        );
    }

    #[test]
    fn map_keys_must_be_unique() {
        let s = json!({"type": "object", "properties": {"ports": {
            "type": "array", "x-kubernetes-list-type": "map",
            "x-kubernetes-list-map-keys": ["port", "protocol"],
            "items": {"type": "object", "properties": {
                "port": {"type": "integer"}, "protocol": {"type": "string"}}}}}});
        assert_eq!(
            run(
                s.clone(),
                json!({"ports": [{"port": 80, "protocol": "TCP"}, {"port": 80, "protocol": "UDP"},
                                  {"port": 80, "protocol": "TCP", "name": "x"}]})
            ),
            vec!["ports[2]: Duplicate value: {\"port\":80,\"protocol\":\"TCP\"}"]
        );
        assert_eq!(
            run(s, json!({"ports": [{"port": 1}, "x"]})),
            vec!["ports[1]: Invalid value: \"x\": must be an object for an array of list-type map"]
        );
    }

    #[test]
    fn nested_lists_in_maps_are_checked() {
        let s = json!({"type": "object", "properties": {"m": {"type": "object",
            "additionalProperties": {"type": "array", "x-kubernetes-list-type": "set",
                                     "items": {"type": "integer"}}}}});
        assert_eq!(
            run(s, json!({"m": {"k": [1, 1]}})),
            vec!["m[k][1]: Duplicate value: 1"]
        );
    }
}
