//! Reading an object's fields as the Go printers see them once the object is decoded: a
//! field that is absent, `null` or of the wrong JSON type is the Go zero value (`""`, `0`,
//! `false`, an empty list, a nil pointer), never an error. Paths are dotted field names
//! (`spec.template.spec.containers`); map keys with dots are read with [`entries`].

use k8s_openapi::jiff::Timestamp;
use serde_json::{Map, Value};

/// The value at a dotted path, `None` when a step is missing or the value is `null`.
pub(super) fn at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(v, |v, k| v.get(k))
        .filter(|v| !v.is_null())
}

/// A struct field (a Go pointer to a struct): `None` when absent, `null` or not an object.
pub(super) fn object<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    at(v, path).filter(|v| v.is_object())
}

/// A string field, `""` when absent or not a string.
pub(super) fn string<'a>(v: &'a Value, path: &str) -> &'a str {
    opt_string(v, path).unwrap_or("")
}

/// A `*string` field: `None` when absent, `null` or not a string.
pub(super) fn opt_string<'a>(v: &'a Value, path: &str) -> Option<&'a str> {
    at(v, path).and_then(Value::as_str)
}

/// An integer field, 0 when absent or not an integer.
pub(super) fn int(v: &Value, path: &str) -> i64 {
    opt_int(v, path).unwrap_or(0)
}

/// A `*int32`/`*int64` field: `None` when absent, `null` or not an integer.
pub(super) fn opt_int(v: &Value, path: &str) -> Option<i64> {
    at(v, path).and_then(as_int)
}

/// A JSON number holding an integer (`3` or `3.0`).
pub(super) fn as_int(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| {
        v.as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.2e18)
            .map(|f| f as i64)
    })
}

/// A boolean field, `false` when absent or not a boolean.
pub(super) fn boolean(v: &Value, path: &str) -> bool {
    opt_bool(v, path).unwrap_or(false)
}

/// A `*bool` field: `None` when absent, `null` or not a boolean.
pub(super) fn opt_bool(v: &Value, path: &str) -> Option<bool> {
    at(v, path).and_then(Value::as_bool)
}

/// A list field, empty when absent or not a list.
pub(super) fn list<'a>(v: &'a Value, path: &str) -> &'a [Value] {
    at(v, path)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// A map field, `None` when absent or not an object.
pub(super) fn map<'a>(v: &'a Value, path: &str) -> Option<&'a Map<String, Value>> {
    at(v, path).and_then(Value::as_object)
}

/// The number of entries of a list or map field (`len()` in Go), 0 when absent.
pub(super) fn len(v: &Value, path: &str) -> i64 {
    let n = match at(v, path) {
        Some(Value::Array(a)) => a.len(),
        Some(Value::Object(m)) => m.len(),
        _ => 0,
    };
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The string entries of a `map[string]string` field; entries of another type read as `""`.
pub(super) fn entries<'a>(v: &'a Value, path: &str) -> Vec<(&'a str, &'a str)> {
    map(v, path).map_or_else(Vec::new, |m| {
        m.iter()
            .map(|(k, v)| (k.as_str(), v.as_str().unwrap_or("")))
            .collect()
    })
}

/// One entry of a `map[string]string` field (a label or annotation), `None` when absent.
pub(super) fn entry<'a>(v: &'a Value, path: &str, key: &str) -> Option<&'a str> {
    map(v, path)
        .and_then(|m| m.get(key))
        .map(|v| v.as_str().unwrap_or(""))
}

/// A `metav1.Time`/`MicroTime` field: `None` for the zero time (absent, `null`, empty,
/// `0001-01-01T00:00:00Z`, or not a timestamp).
pub(super) fn time(v: &Value, path: &str) -> Option<Timestamp> {
    let t: Timestamp = opt_string(v, path)?.parse().ok()?;
    (t != zero_time()).then_some(t)
}

/// Go's zero `time.Time`, 0001-01-01T00:00:00Z.
fn zero_time() -> Timestamp {
    // -62135596800 is a valid jiff timestamp; the fallback is never taken.
    Timestamp::from_second(-62_135_596_800).unwrap_or(Timestamp::MIN)
}

/// Whether the object has a `metadata.deletionTimestamp` (`DeletionTimestamp != nil`).
pub(super) fn deleting(v: &Value) -> bool {
    at(v, "metadata.deletionTimestamp").is_some()
}

/// The object's name.
pub(super) fn name(v: &Value) -> &str {
    string(v, "metadata.name")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn absent_null_and_mistyped_fields_are_zero_values() {
        let v = json!({"a": {"s": "x", "n": 3, "f": 2.0, "b": true, "null": null, "l": [1, 2]}});
        assert_eq!(string(&v, "a.s"), "x");
        assert_eq!(string(&v, "a.n"), "");
        assert_eq!(opt_string(&v, "a.null"), None);
        assert_eq!(int(&v, "a.n"), 3);
        assert_eq!(int(&v, "a.f"), 2);
        assert_eq!(int(&v, "a.s"), 0);
        assert!(boolean(&v, "a.b"));
        assert!(!boolean(&v, "a.s"));
        assert_eq!(list(&v, "a.l").len(), 2);
        assert!(list(&v, "a.s.deeper").is_empty());
        assert_eq!(len(&v, "a"), 6);
        assert!(at(&v, "a.null").is_none());
    }

    #[test]
    fn zero_and_bad_times_are_none() {
        let v = json!({"t": "2024-01-01T00:00:00Z", "z": "0001-01-01T00:00:00Z", "bad": "soon", "n": 5});
        assert!(time(&v, "t").is_some());
        assert!(time(&v, "z").is_none());
        assert!(time(&v, "bad").is_none());
        assert!(time(&v, "n").is_none());
        assert!(time(&v, "missing").is_none());
    }
}
