//! Object metadata as the server handles it: accessors on JSON objects, name validation
//! (rule 8), generateName (rule 7), conversions between [`DynamicObject`](kube_core::DynamicObject) and JSON,
//! and times as text.

use kobj_core::FieldError;
use serde_json::{Map, Value};

use crate::registry::NameRule;

mod convert;
mod time;
mod validation;

pub(crate) use convert::{into_value, to_dynamic, to_value};
pub(crate) use time::time_text;
pub(crate) use validation::object_meta as validate_object_meta;
pub(crate) use validation::{
    annotations_errors, label_value_errors, labels_errors, qualified_name_errors,
};

/// `metadata` of an object (empty map if absent).
pub(crate) fn meta(obj: &Value) -> Option<&Map<String, Value>> {
    obj.get("metadata").and_then(Value::as_object)
}

/// `metadata` of an object, created if absent.
pub(crate) fn meta_mut(obj: &mut Value) -> &mut Map<String, Value> {
    if !obj.is_object() {
        *obj = Value::Object(Map::new());
    }
    let Value::Object(map) = obj else {
        unreachable!("just made an object")
    };
    let entry = map
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    if !entry.is_object() {
        *entry = Value::Object(Map::new());
    }
    match entry {
        Value::Object(m) => m,
        _ => unreachable!("just made an object"),
    }
}

/// Sets `map[key]` to `value`. The key is allocated only when the member is new (`insert`
/// allocates one on every call, and writes mostly overwrite members that exist).
pub(crate) fn set_member(map: &mut Map<String, Value>, key: &str, value: Value) {
    match map.get_mut(key) {
        Some(slot) => *slot = value,
        None => {
            map.insert(key.to_string(), value);
        }
    }
}

/// A string field of `metadata` (empty if absent or not a string).
pub(crate) fn meta_str<'a>(obj: &'a Value, field: &str) -> &'a str {
    meta(obj)
        .and_then(|m| m.get(field))
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// Sets (or, with `None`, removes) a field of `metadata`.
pub(crate) fn set_meta(obj: &mut Value, field: &str, value: Option<Value>) {
    let m = meta_mut(obj);
    match value {
        Some(v) => set_member(m, field, v),
        None => {
            m.remove(field);
        }
    }
}

/// Drops what `metav1.ObjectMeta`'s JSON leaves out: every field is `omitempty`, so the
/// server, which reads `metadata` into that struct (built-in kinds when decoding, custom
/// resources in the schema coercer's ObjectMeta round trip), stores no `null` member and no
/// empty `labels`, `annotations`, `finalizers` or `ownerReferences`, nor an empty
/// `generateName`. `managedFields` is left to the field manager, for which an empty list
/// means "reset".
pub(crate) fn drop_empty_meta(obj: &mut Value) {
    let Some(Value::Object(m)) = obj.get_mut("metadata") else {
        return;
    };
    m.retain(|key, value| match value {
        Value::Null => key == "managedFields",
        Value::Object(map) => !(map.is_empty() && matches!(key.as_str(), "labels" | "annotations")),
        Value::Array(items) => {
            !(items.is_empty() && matches!(key.as_str(), "finalizers" | "ownerReferences"))
        }
        Value::String(s) => !(s.is_empty() && key == "generateName"),
        _ => true,
    });
}

/// Whether `metadata.ownerReferences` has an entry.
pub(crate) fn has_owner_references(obj: &Value) -> bool {
    meta(obj)
        .and_then(|m| m.get("ownerReferences"))
        .and_then(Value::as_array)
        .is_some_and(|refs| !refs.is_empty())
}

/// `metadata.finalizers`.
pub(crate) fn finalizers(obj: &Value) -> Vec<String> {
    meta(obj)
        .and_then(|m| m.get("finalizers"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(ToString::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Sets `metadata.finalizers` (removed when empty).
pub(crate) fn set_finalizers(obj: &mut Value, list: &[String]) {
    if list.is_empty() {
        set_meta(obj, "finalizers", None);
    } else {
        set_meta(
            obj,
            "finalizers",
            Some(Value::Array(
                list.iter().cloned().map(Value::String).collect(),
            )),
        );
    }
}

/// Whether finalizers hold the object: `metadata.finalizers`, and for a Namespace also
/// `spec.finalizers` (the namespace controller's `kubernetes`).
pub(crate) fn has_finalizers(obj: &Value) -> bool {
    if !finalizers(obj).is_empty() {
        return true;
    }
    obj.get("kind").and_then(Value::as_str) == Some("Namespace")
        && obj
            .get("spec")
            .and_then(|s| s.get("finalizers"))
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty())
}

/// Whether `metadata.deletionTimestamp` is set.
pub(crate) fn is_deleting(obj: &Value) -> bool {
    meta(obj)
        .and_then(|m| m.get("deletionTimestamp"))
        .is_some_and(|v| !v.is_null())
}

const DNS1123_LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1123_SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1035_LABEL_MSG: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

fn is_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// Whether `s` is an RFC 1123 label (`[a-z0-9]([-a-z0-9]*[a-z0-9])?`, ≤ 63).
#[must_use]
pub fn is_dns1123_label(s: &str) -> bool {
    s.len() <= 63 && is_label(s)
}

/// Whether `s` is an RFC 1123 subdomain (≤ 253).
#[must_use]
pub fn is_dns1123_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_label)
}

/// Whether `s` is an RFC 1035 label (`[a-z]([-a-z0-9]*[a-z0-9])?`, ≤ 63).
#[must_use]
pub fn is_dns1035_label(s: &str) -> bool {
    is_dns1123_label(s) && s.as_bytes()[0].is_ascii_lowercase()
}

/// The messages of `IsDNS1123Label`.
pub(crate) fn dns1123_label_errors(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 63 {
        errs.push("must be no more than 63 characters".to_string());
    }
    if !is_label(s) {
        errs.push(DNS1123_LABEL_MSG.to_string());
    }
    errs
}

/// The messages of `IsDNS1123Subdomain`.
pub(crate) fn dns1123_subdomain_errors(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 253 {
        errs.push("must be no more than 253 characters".to_string());
    }
    if !s.split('.').all(is_label) {
        errs.push(DNS1123_SUBDOMAIN_MSG.to_string());
    }
    errs
}

/// The messages of `IsDNS1035Label`.
pub(crate) fn dns1035_label_errors(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 63 {
        errs.push("must be no more than 63 characters".to_string());
    }
    if !(is_label(s) && s.as_bytes()[0].is_ascii_lowercase()) {
        errs.push(DNS1035_LABEL_MSG.to_string());
    }
    errs
}

/// The messages of `IsValidPathSegmentName`.
pub(crate) fn path_segment_errors(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s == "." || s == ".." {
        errs.push(format!("may not be '{s}'"));
    }
    for bad in ["/", "%"] {
        if s.contains(bad) {
            errs.push(format!("may not contain '{bad}'"));
        }
    }
    errs
}

/// Validates a name (or, with `prefix`, a generateName whose trailing `-` is allowed) under
/// a type's name rule.
pub(crate) fn name_errors(rule: NameRule, name: &str, prefix: bool) -> Vec<String> {
    let name = if prefix {
        name.strip_suffix('-').unwrap_or(name)
    } else {
        name
    };
    match rule {
        NameRule::Subdomain => dns1123_subdomain_errors(name),
        NameRule::Label => dns1123_label_errors(name),
        NameRule::Dns1035 => dns1035_label_errors(name),
        NameRule::PathSegment => {
            if prefix {
                // ValidatePathSegmentName with prefix=true only checks the characters.
                path_segment_errors(name)
                    .into_iter()
                    .filter(|m| m.starts_with("may not contain"))
                    .collect()
            } else {
                path_segment_errors(name)
            }
        }
    }
}

/// Field errors for `metadata.name` / `metadata.generateName` of a new object (rule 8).
pub(crate) fn validate_name(rule: NameRule, name: &str, generate_name: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if name.is_empty() && generate_name.is_empty() {
        errs.push(FieldError::required(
            "metadata.name",
            "name or generateName is required",
        ));
        return errs;
    }
    if !generate_name.is_empty() {
        for m in name_errors(rule, generate_name, true) {
            errs.push(FieldError::invalid(
                "metadata.generateName",
                Value::String(generate_name.to_string()),
                m,
            ));
        }
    }
    if !name.is_empty() {
        for m in name_errors(rule, name, false) {
            errs.push(FieldError::invalid(
                "metadata.name",
                Value::String(name.to_string()),
                m,
            ));
        }
    }
    errs
}

/// The base of a generated name: generateName cut to 58 characters (rule 7).
pub(crate) fn generate_base(generate_name: &str) -> &str {
    const MAX: usize = 63 - 5;
    if generate_name.len() > MAX {
        let mut end = MAX;
        while !generate_name.is_char_boundary(end) {
            end -= 1;
        }
        &generate_name[..end]
    } else {
        generate_name
    }
}

/// Go's `%#v` of a `[]string`: `[]string{"a", "b"}`.
pub(crate) fn go_string_slice(items: &[String]) -> String {
    let inner: Vec<String> = items.iter().map(|s| format!("{s:?}")).collect();
    format!("[]string{{{}}}", inner.join(", "))
}

/// Reads a dotted JSON path (`.spec.replicas` or `spec.replicas`).
pub(crate) fn get_path<'a>(obj: &'a Value, path: &str) -> Option<&'a Value> {
    let path = path.strip_prefix('.').unwrap_or(path);
    if path.is_empty() {
        return Some(obj);
    }
    path.split('.').try_fold(obj, |v, seg| v.get(seg))
}

/// Writes a dotted JSON path, creating objects on the way.
pub(crate) fn set_path(obj: &mut Value, path: &str, value: Value) {
    let path = path.strip_prefix('.').unwrap_or(path);
    let mut cur = obj;
    let segs: Vec<&str> = path.split('.').collect();
    for (i, seg) in segs.iter().enumerate() {
        if !cur.is_object() {
            *cur = Value::Object(Map::new());
        }
        let Value::Object(map) = cur else { return };
        if i + 1 == segs.len() {
            map.insert((*seg).to_string(), value);
            return;
        }
        cur = map
            .entry((*seg).to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

/// Removes and returns the member at a dotted JSON path, if it is there.
pub(crate) fn take_path(obj: &mut Value, path: &str) -> Option<Value> {
    let path = path.strip_prefix('.').unwrap_or(path);
    let (parent, last) = match path.rsplit_once('.') {
        Some((parent, last)) => (
            parent.split('.').try_fold(obj, |v, seg| v.get_mut(seg))?,
            last,
        ),
        None => (obj, path),
    };
    parent.as_object_mut()?.remove(last)
}

/// A scalar as a field-selector value: strings as they are, numbers and booleans printed.
pub(crate) fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Null => Some(String::new()),
        _ => None,
    }
}
