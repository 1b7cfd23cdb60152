//! Pruning (rule 48): apiextensions `schema/pruning` (unknown fields), the ObjectMeta round trip
//! that drops unknown metadata fields, and `defaulting.PruneNonNullableNullsWithoutDefaults`.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::JSONSchemaProps;
use serde_json::{Map, Value};

use super::{Additional, MAX_DEPTH, meta};

/// Keys kept at resource roots (the custom object and embedded resources).
const META_FIELDS: [&str; 3] = ["apiVersion", "kind", "metadata"];

/// Prunes `object` and returns the removed unknown fields' paths: root metadata fields first,
/// then the pruned fields (sorted), then embedded resources' metadata fields.
pub(crate) fn prune(schema: &JSONSchemaProps, object: &mut Value) -> Vec<String> {
    let mut removed = Vec::new();
    if let Value::Object(root) = object
        && let Some(metadata) = root.get_mut("metadata")
    {
        meta::prune_object_meta(metadata, "metadata", &mut removed);
    }

    let mut pruned = Vec::new();
    let mut path = String::new();
    prune_node(object, Some(schema), true, &mut path, &mut pruned, 0);
    pruned.sort();
    removed.extend(pruned);

    prune_nulls(object, Some(schema), 0);

    let mut path = String::new();
    embedded_metadata(object, schema, true, &mut path, &mut removed, 0);
    removed
}

/// `pruning.Prune(x, s, resource_root)`: only the unknown fields, nothing recorded.
pub(crate) fn prune_unknown(schema: &JSONSchemaProps, x: &mut Value, resource_root: bool) {
    let mut path = String::new();
    let mut removed = Vec::new();
    prune_node(x, Some(schema), resource_root, &mut path, &mut removed, 0);
}

/// `pruning.prune`; `resource_root` marks the custom object's root or an embedded resource,
/// whose apiVersion, kind and metadata are kept.
fn prune_node(
    x: &mut Value,
    s: Option<&JSONSchemaProps>,
    resource_root: bool,
    path: &mut String,
    removed: &mut Vec<String>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    if let Some(schema) = s
        && super::preserves_unknown(schema)
    {
        skip_prune(x, schema, resource_root, path, removed, depth);
        return;
    }
    match x {
        Value::Object(map) => {
            let Some(schema) = s else {
                for key in map.keys() {
                    removed.push(join_key(path, key));
                }
                map.clear();
                return;
            };
            let embedded = resource_root || super::is_embedded(schema);
            let mut unknown = Vec::new();
            for (key, value) in map.iter_mut() {
                if embedded && META_FIELDS.contains(&key.as_str()) {
                    continue;
                }
                match child(schema, key) {
                    Some((child_schema, child_root)) => {
                        let len = path.len();
                        push_key(path, key);
                        prune_node(value, child_schema, child_root, path, removed, depth + 1);
                        path.truncate(len);
                    }
                    None => unknown.push(key.clone()),
                }
            }
            for key in unknown {
                if !META_FIELDS.contains(&key.as_str()) || !path.is_empty() {
                    removed.push(join_key(path, &key));
                }
                map.remove(&key);
            }
        }
        Value::Array(items) => {
            let item_schema = s.and_then(super::items_of);
            let item_root = item_schema.is_some_and(super::is_embedded);
            for (i, item) in items.iter_mut().enumerate() {
                let len = path.len();
                push_index(path, i);
                prune_node(item, item_schema, item_root, path, removed, depth + 1);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

/// `pruning.skipPrune`: below `x-kubernetes-preserve-unknown-fields`, unknown fields stay but
/// specified ones are still pruned.
fn skip_prune(
    x: &mut Value,
    s: &JSONSchemaProps,
    resource_root: bool,
    path: &mut String,
    removed: &mut Vec<String>,
    depth: usize,
) {
    match x {
        Value::Object(map) => {
            let embedded = resource_root || super::is_embedded(s);
            for (key, value) in map.iter_mut() {
                if embedded && META_FIELDS.contains(&key.as_str()) {
                    continue;
                }
                if let Some((child_schema, child_root)) = child(s, key) {
                    let len = path.len();
                    push_key(path, key);
                    prune_node(value, child_schema, child_root, path, removed, depth + 1);
                    path.truncate(len);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = super::items_of(s) {
                let item_root = super::is_embedded(item_schema);
                for (i, item) in items.iter_mut().enumerate() {
                    let len = path.len();
                    push_index(path, i);
                    skip_prune(item, item_schema, item_root, path, removed, depth + 1);
                    path.truncate(len);
                }
            }
        }
        _ => {}
    }
}

/// The schema of a specified key (its property, else the additionalProperties schema, `None`
/// for `additionalProperties: true/false` without one) and whether it is an embedded resource.
fn child<'s>(s: &'s JSONSchemaProps, key: &str) -> Option<(Option<&'s JSONSchemaProps>, bool)> {
    super::child_schema(s, key).map(|c| (c, c.is_some_and(super::is_embedded)))
}

fn push_key(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}

fn push_index(path: &mut String, index: usize) {
    path.push('[');
    path.push_str(&index.to_string());
    path.push(']');
}

fn join_key(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// `PruneNonNullableNullsWithoutDefaults`.
fn prune_nulls(x: &mut Value, s: Option<&JSONSchemaProps>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match x {
        Value::Object(map) => {
            let drop: Vec<String> = map
                .iter()
                .filter(|(k, v)| {
                    v.is_null()
                        && s.and_then(|s| super::child_schema(s, k))
                            .flatten()
                            .is_some_and(|c| {
                                !super::is_nullable(c) && super::default_of(c).is_none()
                            })
                })
                .map(|(k, _)| k.clone())
                .collect();
            for key in drop {
                map.remove(&key);
            }
            for (key, value) in map.iter_mut() {
                let child_schema = s.and_then(|s| super::child_schema(s, key)).flatten();
                prune_nulls(value, child_schema, depth + 1);
            }
        }
        Value::Array(items) => {
            let item_schema = s.and_then(super::items_of);
            for item in items {
                prune_nulls(item, item_schema, depth + 1);
            }
        }
        _ => {}
    }
}

/// The ObjectMeta round trip of embedded resources below the root (`objectmeta.Coerce`).
fn embedded_metadata(
    x: &mut Value,
    s: &JSONSchemaProps,
    root: bool,
    path: &mut String,
    removed: &mut Vec<String>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    match x {
        Value::Object(map) => {
            if super::is_embedded(s)
                && !root
                && let Some(metadata) = map.get_mut("metadata")
            {
                meta::prune_object_meta(metadata, &join_key(path, "metadata"), removed);
            }
            walk_children(map, s, path, removed, depth);
        }
        Value::Array(items) => {
            if let Some(item_schema) = super::items_of(s) {
                for (i, item) in items.iter_mut().enumerate() {
                    let len = path.len();
                    push_index(path, i);
                    embedded_metadata(item, item_schema, false, path, removed, depth + 1);
                    path.truncate(len);
                }
            }
        }
        _ => {}
    }
}

fn walk_children(
    map: &mut Map<String, Value>,
    s: &JSONSchemaProps,
    path: &mut String,
    removed: &mut Vec<String>,
    depth: usize,
) {
    for (key, value) in map.iter_mut() {
        let child_schema = match s.properties.as_ref().and_then(|p| p.get(key)) {
            Some(prop) => prop,
            None => match super::additional_of(s) {
                Some(Additional::Schema(additional)) => additional,
                _ => continue,
            },
        };
        let len = path.len();
        push_key(path, key);
        embedded_metadata(value, child_schema, false, path, removed, depth + 1);
        path.truncate(len);
    }
}

#[cfg(test)]
#[path = "prune_tests.rs"]
mod tests;
