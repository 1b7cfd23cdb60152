//! Conversions between [`DynamicObject`] and the JSON tree the verbs work on, built by hand:
//! serde's `flatten` (DynamicObject) and its visitor over a `Value` (ObjectMeta) rebuild every
//! map and string, which made these conversions a fifth of a write. The hand-written forms
//! agree with serde exactly (tests below compare them) and fall back to serde for anything
//! unusual, so serde's error texts are kept.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{
    FieldsV1, ManagedFieldsEntry, ObjectMeta, OwnerReference, Time,
};
use kobj_core::{Error, Result};

use super::time::{parse_time, time_text};
use kube_core::{DynamicObject, TypeMeta};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// A [`DynamicObject`] as JSON, built from the borrowed object: strings are cloned
/// straight into the tree (cloning the object first and moving its parts would copy the
/// label and annotation maps twice).
///
/// # Errors
/// 400 when the object does not serialize to a JSON object.
pub(crate) fn to_value(obj: &DynamicObject) -> Result<Value> {
    let root = match &obj.data {
        Value::Object(data) => data.clone(),
        Value::Null => Map::new(),
        _ => return Err(not_a_map()),
    };
    let types = obj
        .types
        .as_ref()
        .map(|t| (t.api_version.clone(), t.kind.clone()));
    complete(root, || object_meta_to_map(&obj.metadata), types)
}

/// A [`DynamicObject`] as JSON, moving its strings and data into the tree.
///
/// What `serde_json::to_value` makes of it (types and data flattened around metadata, later
/// keys winning), built directly: serde's flatten is slow.
///
/// # Errors
/// 400 when the object does not serialize to a JSON object.
pub(crate) fn into_value(obj: DynamicObject) -> Result<Value> {
    let DynamicObject {
        types,
        metadata,
        data,
    } = obj;
    let root = match data {
        Value::Object(data) => data,
        Value::Null => Map::new(),
        _ => return Err(not_a_map()),
    };
    complete(
        root,
        || object_meta_into_map(metadata),
        types.map(|t| (t.api_version, t.kind)),
    )
}

fn encode_err(e: String) -> Error {
    Error::bad_request(format!("cannot encode the object: {e}"))
}

fn not_a_map() -> Error {
    encode_err("can only flatten structs and maps".into())
}

/// Adds metadata and the type to an object's `data`; `data`'s own keys win over them, as
/// serde's flatten writes them later.
fn complete(
    mut root: Map<String, Value>,
    metadata: impl FnOnce() -> Result<Map<String, Value>, String>,
    types: Option<(String, String)>,
) -> Result<Value> {
    if !root.contains_key("metadata") {
        root.insert(
            "metadata".into(),
            Value::Object(metadata().map_err(encode_err)?),
        );
    }
    if let Some((api_version, kind)) = types {
        if !root.contains_key("apiVersion") {
            root.insert("apiVersion".into(), Value::String(api_version));
        }
        if !root.contains_key("kind") {
            root.insert("kind".into(), Value::String(kind));
        }
    }
    Ok(Value::Object(root))
}

/// A part of `ObjectMeta` taken into the tree: moved from an owned object, cloned from a
/// borrowed one (so one conversion, [`object_meta_map!`], serves both).
trait Take<T> {
    fn take(self) -> T;
}

impl<T> Take<T> for T {
    fn take(self) -> T {
        self
    }
}

impl<T: Clone> Take<T> for &T {
    fn take(self) -> T {
        self.clone()
    }
}

fn string_map<K: Take<String>, V: Take<String>>(m: impl IntoIterator<Item = (K, V)>) -> Value {
    Value::Object(
        m.into_iter()
            .map(|(k, v)| (k.take(), Value::String(v.take())))
            .collect(),
    )
}

/// Inserts an optional string field (moved from owned metadata, cloned from borrowed).
fn put_text<T: Take<Option<String>>>(map: &mut Map<String, Value>, key: &str, value: T) {
    if let Some(v) = value.take() {
        map.insert(key.into(), Value::String(v));
    }
}

fn string_list<T: Take<String>>(items: impl IntoIterator<Item = T>) -> Value {
    Value::Array(items.into_iter().map(|s| Value::String(s.take())).collect())
}

/// `ObjectMeta` as JSON, exactly as its `Serialize` writes it (absent fields left out), from
/// an owned `ObjectMeta` (whose parts are moved) or a borrowed one (whose parts are cloned):
/// the destructuring binds by value or by reference, and [`Take`] moves or clones.
macro_rules! object_meta_map {
    ($m:expr) => {{
        let ObjectMeta {
            annotations,
            creation_timestamp,
            deletion_grace_period_seconds,
            deletion_timestamp,
            finalizers,
            generate_name,
            generation,
            labels,
            managed_fields,
            name,
            namespace,
            owner_references,
            resource_version,
            self_link,
            uid,
        } = $m;
        let mut out = Map::new();
        if let Some(v) = annotations {
            out.insert("annotations".into(), string_map(v));
        }
        if let Some(t) = creation_timestamp {
            out.insert("creationTimestamp".into(), Value::String(time_text(&t)?));
        }
        if let Some(v) = deletion_grace_period_seconds {
            out.insert(
                "deletionGracePeriodSeconds".into(),
                Value::from(Take::<i64>::take(v)),
            );
        }
        if let Some(t) = deletion_timestamp {
            out.insert("deletionTimestamp".into(), Value::String(time_text(&t)?));
        }
        if let Some(v) = finalizers {
            out.insert("finalizers".into(), string_list(v));
        }
        put_text(&mut out, "generateName", generate_name);
        if let Some(v) = generation {
            out.insert("generation".into(), Value::from(Take::<i64>::take(v)));
        }
        if let Some(v) = labels {
            out.insert("labels".into(), string_map(v));
        }
        if let Some(entries) = managed_fields {
            let mut list = Vec::with_capacity(entries.len());
            for e in entries {
                let ManagedFieldsEntry {
                    api_version,
                    fields_type,
                    fields_v1,
                    manager,
                    operation,
                    subresource,
                    time,
                } = e;
                let mut entry = Map::new();
                put_text(&mut entry, "apiVersion", api_version);
                put_text(&mut entry, "fieldsType", fields_type);
                if let Some(v) = fields_v1 {
                    entry.insert("fieldsV1".into(), Take::<FieldsV1>::take(v).0);
                }
                put_text(&mut entry, "manager", manager);
                put_text(&mut entry, "operation", operation);
                put_text(&mut entry, "subresource", subresource);
                if let Some(t) = time {
                    entry.insert("time".into(), Value::String(time_text(&t)?));
                }
                list.push(Value::Object(entry));
            }
            out.insert("managedFields".into(), Value::Array(list));
        }
        put_text(&mut out, "name", name);
        put_text(&mut out, "namespace", namespace);
        if let Some(refs) = owner_references {
            let mut list = Vec::with_capacity(refs.len());
            for r in refs {
                let OwnerReference {
                    api_version,
                    block_owner_deletion,
                    controller,
                    kind,
                    name,
                    uid,
                } = r;
                let mut entry = Map::new();
                entry.insert("apiVersion".into(), Value::String(api_version.take()));
                if let Some(b) = block_owner_deletion {
                    entry.insert(
                        "blockOwnerDeletion".into(),
                        Value::Bool(Take::<bool>::take(b)),
                    );
                }
                if let Some(b) = controller {
                    entry.insert("controller".into(), Value::Bool(Take::<bool>::take(b)));
                }
                entry.insert("kind".into(), Value::String(kind.take()));
                entry.insert("name".into(), Value::String(name.take()));
                entry.insert("uid".into(), Value::String(uid.take()));
                list.push(Value::Object(entry));
            }
            out.insert("ownerReferences".into(), Value::Array(list));
        }
        put_text(&mut out, "resourceVersion", resource_version);
        put_text(&mut out, "selfLink", self_link);
        put_text(&mut out, "uid", uid);
        Ok(out)
    }};
}

fn object_meta_into_map(m: ObjectMeta) -> Result<Map<String, Value>, String> {
    object_meta_map!(m)
}

fn object_meta_to_map(m: &ObjectMeta) -> Result<Map<String, Value>, String> {
    object_meta_map!(m)
}

/// JSON as a [`DynamicObject`] (without serde's flatten, which is slow).
///
/// # Errors
/// 500 when `metadata` does not decode as ObjectMeta (the server never stores such objects).
pub(crate) fn to_dynamic(value: Value) -> Result<DynamicObject> {
    let Value::Object(mut map) = value else {
        return Err(Error::internal("stored object is not a JSON object"));
    };
    let metadata = match map.remove("metadata") {
        Some(m) => object_meta_from_value(m)
            .map_err(|e| Error::internal(format!("stored metadata does not decode: {e}")))?,
        None => Default::default(),
    };
    let api_version = map.remove("apiVersion");
    let kind = map.remove("kind");
    // As serde's flattened `Option<TypeMeta>`: present only when both are strings.
    let types = match (api_version, kind) {
        (Some(Value::String(api_version)), Some(Value::String(kind))) => {
            Some(TypeMeta { api_version, kind })
        }
        _ => None,
    };
    Ok(DynamicObject {
        types,
        metadata,
        data: Value::Object(map),
    })
}

/// A field decoded by serde, for the shapes the direct paths below do not take.
fn by_serde<T: DeserializeOwned>(v: Value) -> Result<T, serde_json::Error> {
    serde_json::from_value(v)
}

/// `Option<Time>`: a string parsed as jiff parses it for serde (the same parser), without
/// going through serde; anything else, or a string that does not parse, through serde, for
/// its error text.
fn opt_time(v: Value) -> Result<Option<Time>, serde_json::Error> {
    match v {
        Value::String(s) => match parse_time(&s) {
            Some(t) => Ok(Some(Time(t))),
            None => by_serde(Value::String(s)),
        },
        Value::Null => Ok(None),
        other => by_serde(other),
    }
}

/// `Option<String>`: a string is moved, `null` is absent.
fn opt_string(v: Value) -> Result<Option<String>, serde_json::Error> {
    match v {
        Value::String(s) => Ok(Some(s)),
        Value::Null => Ok(None),
        other => by_serde(other),
    }
}

/// `Option<BTreeMap<String, String>>` (labels, annotations): moved when every value is a string.
fn opt_string_map(v: Value) -> Result<Option<BTreeMap<String, String>>, serde_json::Error> {
    match v {
        Value::Object(m) if m.values().all(Value::is_string) => Ok(Some(
            m.into_iter()
                .map(|(k, v)| match v {
                    Value::String(s) => (k, s),
                    _ => (k, String::new()), // not reached: every value was checked above
                })
                .collect(),
        )),
        Value::Null => Ok(None),
        other => by_serde(other),
    }
}

/// `Option<Vec<String>>` (finalizers): moved when every item is a string.
fn opt_string_list(v: Value) -> Result<Option<Vec<String>>, serde_json::Error> {
    match v {
        Value::Array(items) if items.iter().all(Value::is_string) => Ok(Some(
            items
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => s,
                    _ => String::new(), // not reached: every item was checked above
                })
                .collect(),
        )),
        Value::Null => Ok(None),
        other => by_serde(other),
    }
}

/// A managedFields entry: `fieldsV1` (a tree of maps) is moved, not rebuilt.
fn managed_fields_entry(v: Value) -> Result<ManagedFieldsEntry, serde_json::Error> {
    let Value::Object(map) = v else {
        return by_serde(v);
    };
    let mut e = ManagedFieldsEntry::default();
    for (k, v) in map {
        match k.as_str() {
            "apiVersion" => e.api_version = opt_string(v)?,
            "fieldsType" => e.fields_type = opt_string(v)?,
            "fieldsV1" => e.fields_v1 = (!v.is_null()).then_some(FieldsV1(v)),
            "manager" => e.manager = opt_string(v)?,
            "operation" => e.operation = opt_string(v)?,
            "subresource" => e.subresource = opt_string(v)?,
            "time" => e.time = opt_time(v)?,
            _ => {}
        }
    }
    Ok(e)
}

/// `metadata` as [`ObjectMeta`], moving its strings and maps; what `serde_json::from_value`
/// gives, including ignoring unknown keys.
pub(crate) fn object_meta_from_value(v: Value) -> Result<ObjectMeta, serde_json::Error> {
    let Value::Object(map) = v else {
        return by_serde(v);
    };
    let mut m = ObjectMeta::default();
    for (k, v) in map {
        match k.as_str() {
            "annotations" => m.annotations = opt_string_map(v)?,
            "creationTimestamp" => m.creation_timestamp = opt_time(v)?,
            "deletionGracePeriodSeconds" => m.deletion_grace_period_seconds = by_serde(v)?,
            "deletionTimestamp" => m.deletion_timestamp = opt_time(v)?,
            "finalizers" => m.finalizers = opt_string_list(v)?,
            "generateName" => m.generate_name = opt_string(v)?,
            "generation" => m.generation = by_serde(v)?,
            "labels" => m.labels = opt_string_map(v)?,
            "managedFields" => {
                m.managed_fields = match v {
                    Value::Array(items) => Some(
                        items
                            .into_iter()
                            .map(managed_fields_entry)
                            .collect::<Result<_, _>>()?,
                    ),
                    Value::Null => None,
                    other => by_serde(other)?,
                }
            }
            "name" => m.name = opt_string(v)?,
            "namespace" => m.namespace = opt_string(v)?,
            "ownerReferences" => m.owner_references = by_serde(v)?,
            "resourceVersion" => m.resource_version = opt_string(v)?,
            "selfLink" => m.self_link = opt_string(v)?,
            "uid" => m.uid = opt_string(v)?,
            _ => {}
        }
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn to_value_matches_serde() {
        let full = json!({
            "apiVersion": "example.com/v1", "kind": "Widget",
            "metadata": {"name": "a", "namespace": "ns", "uid": "u", "generation": 2,
                         "generateName": "a-", "selfLink": "/x", "resourceVersion": "7",
                         "labels": {"app": "x"}, "annotations": {"a": "b"},
                         "finalizers": ["f"], "deletionGracePeriodSeconds": 0,
                         "creationTimestamp": "2024-01-02T03:04:05Z",
                         "deletionTimestamp": "2024-01-02T03:04:06Z",
                         "ownerReferences": [{"apiVersion": "v1", "kind": "K", "name": "o",
                                              "uid": "ou", "controller": true,
                                              "blockOwnerDeletion": false}],
                         "managedFields": [{"manager": "m", "operation": "Update",
                                            "apiVersion": "v1", "time": "2024-01-02T03:04:05Z",
                                            "fieldsType": "FieldsV1", "subresource": "status",
                                            "fieldsV1": {"f:spec": {"f:a": {}}}}]},
            "spec": {"a": 1}, "status": null,
        });
        for v in [
            full,
            json!({"metadata": {}}),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"labels": {}}, "data": {}}),
        ] {
            let obj: DynamicObject = serde_json::from_value(v).unwrap();
            let serde = serde_json::to_value(&obj).unwrap();
            assert_eq!(to_value(&obj).unwrap(), serde);
            assert_eq!(into_value(obj).unwrap(), serde);
        }
        let mut odd: DynamicObject = serde_json::from_value(json!({"metadata": {}})).unwrap();
        odd.data = json!({"metadata": {"name": "override"}, "kind": "K"});
        assert_eq!(to_value(&odd).unwrap(), serde_json::to_value(&odd).unwrap());
        assert_eq!(
            into_value(odd.clone()).unwrap(),
            serde_json::to_value(&odd).unwrap()
        );
        odd.data = json!([1]);
        assert!(to_value(&odd).is_err());
        assert!(into_value(odd.clone()).is_err());
        odd.data = Value::Null;
        assert_eq!(to_value(&odd).unwrap(), serde_json::to_value(&odd).unwrap());
        assert_eq!(
            into_value(odd.clone()).unwrap(),
            serde_json::to_value(&odd).unwrap()
        );
    }

    /// `to_dynamic` gives what serde gives, for every field of ObjectMeta, nulls, unknown
    /// keys, and a body with no metadata or no type.
    #[test]
    fn to_dynamic_matches_serde() {
        let full = json!({
            "apiVersion": "example.com/v1", "kind": "Widget",
            "metadata": {"name": "a", "namespace": "ns", "uid": "u", "generation": 2,
                         "generateName": "a-", "selfLink": "/x", "resourceVersion": "7",
                         "labels": {"app": "x"}, "annotations": {"a": "b"},
                         "finalizers": ["f", "g"], "deletionGracePeriodSeconds": 30,
                         "creationTimestamp": "2024-01-02T03:04:05Z",
                         "deletionTimestamp": "2024-01-02T03:04:06Z",
                         "ownerReferences": [{"apiVersion": "v1", "kind": "K", "name": "o",
                                              "uid": "ou", "controller": true,
                                              "blockOwnerDeletion": false}],
                         "managedFields": [{"manager": "m", "operation": "Update",
                                            "apiVersion": "v1", "time": "2024-01-02T03:04:05Z",
                                            "fieldsType": "FieldsV1", "subresource": "status",
                                            "fieldsV1": {"f:spec": {"f:a": {}}},
                                            "somethingNew": 1},
                                           {"manager": "n", "fieldsV1": null, "time": null}],
                         "unknownKey": {"x": [1]}},
            "spec": {"a": 1}, "status": null,
        });
        for v in [
            full,
            json!({"metadata": {}}),
            json!({"spec": {}}),
            json!({"apiVersion": "v1", "kind": 3, "metadata": {}}),
            json!({"kind": "K", "metadata": {"labels": null, "annotations": {},
                   "finalizers": null, "managedFields": null, "name": null}}),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"labels": {}}, "data": {}}),
            json!({"metadata": {"creationTimestamp": "2024-01-02T03:04:05.123456789Z",
                   "deletionTimestamp": "2024-01-02T04:04:05+01:00",
                   "managedFields": [{"time": "2024-01-02t03:04:05z"},
                                     {"time": "2024-01-02T03:04:05-00:30"},
                                     {"time": "0001-01-01T00:00:00Z"}]}}),
        ] {
            let ours = to_dynamic(v.clone()).unwrap();
            let theirs: DynamicObject = serde_json::from_value(v.clone()).unwrap();
            assert_eq!(ours.types, theirs.types, "{v}");
            assert_eq!(ours.metadata, theirs.metadata, "{v}");
            assert_eq!(ours.data, theirs.data, "{v}");
        }
    }

    /// Metadata of a wrong shape is an error (as serde reports it), never a panic.
    #[test]
    fn object_meta_of_a_wrong_shape_is_serdes_error() {
        for m in [
            json!({"labels": {"a": 1}}),
            json!({"labels": "x"}),
            json!({"finalizers": [1]}),
            json!({"name": 5}),
            json!({"generation": "2"}),
            json!({"creationTimestamp": "yesterday"}),
            json!({"managedFields": [{"manager": 1}]}),
            json!({"managedFields": {"a": 1}}),
            json!({"managedFields": [7]}),
            json!({"ownerReferences": [{"name": 1}]}),
            json!([1]),
        ] {
            let ours = object_meta_from_value(m.clone()).unwrap_err().to_string();
            let theirs = serde_json::from_value::<ObjectMeta>(m.clone())
                .unwrap_err()
                .to_string();
            assert_eq!(ours, theirs, "{m}");
        }
        let err = to_dynamic(json!({"metadata": {"name": 5}})).unwrap_err();
        assert_eq!(err.status().map(|s| s.code), Some(500));
    }
}
