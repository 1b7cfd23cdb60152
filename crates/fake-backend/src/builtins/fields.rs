//! Reading fields of a built-in object's JSON for its checks: a missing or mistyped field
//! reads as its Go zero value (the typed decoder has already refused wrong types).

use serde_json::Value;

/// A string field (`""` when absent).
pub(crate) fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// A list field (empty when absent).
pub(crate) fn list_of<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// Whether a pointer field is set (present and not `null`).
pub(crate) fn present(v: &Value, key: &str) -> bool {
    v.get(key).is_some_and(|x| !x.is_null())
}
