//! Assertion helpers: each returns a [`Failure`] with expected vs got, never panics.

use std::fmt::Debug;

use kobj_core::{Error, ErrorKind};
use kube_core::DynamicObject;
use serde_json::Value;

use crate::case::{Failure, Outcome};

/// Fails with `message` unless `condition` holds.
///
/// # Errors
/// The failure, when the condition is false.
pub fn ensure(condition: bool, message: impl FnOnce() -> String) -> Outcome {
    if condition {
        Ok(())
    } else {
        Err(Failure::new(message()))
    }
}

/// Fails unless `got == expected`: `<what>: expected <e>, got <g>`.
///
/// # Errors
/// The failure, when the values differ.
pub fn ensure_eq<T: PartialEq + Debug>(what: &str, expected: T, got: T) -> Outcome {
    ensure(expected == got, || {
        format!("{what}: expected {expected:?}, got {got:?}")
    })
}

/// Expects `result` to be an error of `kind`; returns the error for further checks.
///
/// # Errors
/// A failure naming the expected kind and what came instead.
pub fn expect_error<T>(
    what: &str,
    result: kobj_core::Result<T>,
    kind: ErrorKind,
) -> Result<Error, Failure> {
    match result {
        Ok(_) => Err(Failure::new(format!(
            "{what}: expected a {kind:?} error, got success"
        ))),
        Err(err) if err.kind() == kind => Ok(err),
        Err(err) => Err(Failure::new(format!(
            "{what}: expected a {kind:?} error, got {:?}: {err}",
            err.kind()
        ))),
    }
}

/// Expects the error's HTTP code.
///
/// # Errors
/// A failure with both codes.
pub fn expect_code(what: &str, err: &Error, code: u16) -> Outcome {
    ensure_eq(&format!("{what}: HTTP code"), &Some(code), &err.code())
}

fn message_of(err: &Error) -> String {
    err.status()
        .map(|s| s.message.clone())
        .unwrap_or_else(|| err.to_string())
}

/// Expects the Status message to be exactly `expected`.
///
/// # Errors
/// A failure with both messages.
pub fn expect_message(what: &str, err: &Error, expected: &str) -> Outcome {
    let got = message_of(err);
    ensure(got == expected, || {
        format!("{what}: expected message {expected:?}, got {got:?}")
    })
}

/// Expects the Status message to contain `fragment`.
///
/// # Errors
/// A failure with the fragment and the message.
pub fn expect_message_contains(what: &str, err: &Error, fragment: &str) -> Outcome {
    let got = message_of(err);
    ensure(got.contains(fragment), || {
        format!("{what}: expected a message containing {fragment:?}, got {got:?}")
    })
}

/// Expects the Status message to start with `prefix`.
///
/// # Errors
/// A failure with the prefix and the message.
pub fn expect_message_starts_with(what: &str, err: &Error, prefix: &str) -> Outcome {
    let got = message_of(err);
    ensure(got.starts_with(prefix), || {
        format!("{what}: expected a message starting with {prefix:?}, got {got:?}")
    })
}

/// Expects a cause on `field` whose message contains `fragment` (and, if given, whose reason
/// is `reason`).
///
/// # Errors
/// A failure listing the causes there were.
pub fn expect_cause(
    what: &str,
    err: &Error,
    field: &str,
    reason: Option<&str>,
    fragment: &str,
) -> Outcome {
    let found = err.causes().iter().any(|c| {
        c.field == field && c.message.contains(fragment) && reason.is_none_or(|r| c.reason == r)
    });
    ensure(found, || {
        format!(
            "{what}: expected a cause on {field:?} (reason {reason:?}) containing {fragment:?}, got {:?}",
            err.causes()
        )
    })
}

/// Expects `details.name`, `details.group` and `details.kind`.
///
/// # Errors
/// A failure with the details there were.
pub fn expect_details(what: &str, err: &Error, name: &str, group: &str, kind: &str) -> Outcome {
    let details = err.status().and_then(|s| s.details.as_ref());
    let got = details.map(|d| (d.name.as_str(), d.group.as_str(), d.kind.as_str()));
    ensure_eq(
        &format!("{what}: details (name, group, kind)"),
        &Some((name, group, kind)),
        &got,
    )
}

/// The value at a JSON pointer into an object's body (`/spec/size`), or `None`.
#[must_use]
pub fn field<'o>(object: &'o DynamicObject, pointer: &str) -> Option<&'o Value> {
    object.data.pointer(pointer)
}

/// Expects the value at a JSON pointer into an object's body.
///
/// # Errors
/// A failure with both values.
pub fn ensure_field(
    what: &str,
    object: &DynamicObject,
    pointer: &str,
    expected: &Value,
) -> Outcome {
    ensure_eq(
        &format!("{what}: {pointer}"),
        Some(expected),
        field(object, pointer),
    )
}

/// Expects `manager`'s managedFields entries (of any operation) to own exactly `expected`
/// (`fieldsV1`), or, with `None`, the manager to have no entry.
///
/// # Errors
/// A failure showing the object's entries.
pub fn ensure_owned(object: &DynamicObject, manager: &str, expected: Option<&Value>) -> Outcome {
    let entries = object
        .metadata
        .managed_fields
        .as_deref()
        .unwrap_or_default();
    let mine: Vec<Option<&Value>> = entries
        .iter()
        .filter(|e| e.manager.as_deref() == Some(manager))
        .map(|e| e.fields_v1.as_ref().map(|f| &f.0))
        .collect();
    let got = match mine.as_slice() {
        [] => None,
        [one] => *one,
        _ => {
            return Err(Failure::new(format!(
                "{manager} has {} managedFields entries: {entries:?}",
                mine.len()
            )));
        }
    };
    ensure(got == expected, || {
        format!("managedFields of {manager}: expected {expected:?}, got {got:?} (all: {entries:?})")
    })
}

/// Expects nothing at a JSON pointer into an object's body.
///
/// # Errors
/// A failure showing what is there.
pub fn ensure_absent(what: &str, object: &DynamicObject, pointer: &str) -> Outcome {
    match field(object, pointer) {
        None => Ok(()),
        Some(v) => Err(Failure::new(format!(
            "{what}: expected {pointer} to be absent, got {v}"
        ))),
    }
}

/// The object's resourceVersion as a number (rule 14 says it is a decimal integer).
///
/// # Errors
/// A failure when it is missing or not a decimal integer.
pub fn rv(object: &DynamicObject) -> Result<u64, Failure> {
    parse_rv(object.metadata.resource_version.as_deref())
}

/// Parses a resourceVersion as a decimal integer.
///
/// # Errors
/// A failure when it is missing or not a decimal integer.
pub fn parse_rv(rv: Option<&str>) -> Result<u64, Failure> {
    let text = rv.ok_or_else(|| Failure::new("resourceVersion missing"))?;
    text.parse::<u64>()
        .map_err(|_| Failure::new(format!("resourceVersion {text:?} is not a decimal integer")))
}

/// The object's name (empty if unset).
#[must_use]
pub fn name_of(object: &DynamicObject) -> &str {
    object.metadata.name.as_deref().unwrap_or_default()
}

/// The object's finalizers (empty if unset).
#[must_use]
pub fn finalizers_of(object: &DynamicObject) -> Vec<String> {
    object.metadata.finalizers.clone().unwrap_or_default()
}

/// Names of a list of objects, in order.
#[must_use]
pub fn names(objects: &[DynamicObject]) -> Vec<String> {
    objects.iter().map(|o| name_of(o).to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expect_error_reports_kind_mismatch() {
        let rt = crate::fixtures::widgets();
        let result: kobj_core::Result<()> = Err(Error::not_found(&rt, "w"));
        let failure = expect_error("get", result, ErrorKind::Conflict).unwrap_err();
        assert!(
            failure
                .message()
                .contains("expected a Conflict error, got NotFound")
        );
        let ok: kobj_core::Result<()> = Ok(());
        let failure = expect_error("get", ok, ErrorKind::NotFound).unwrap_err();
        assert_eq!(
            failure.message(),
            "get: expected a NotFound error, got success"
        );
    }

    #[test]
    fn message_checks_show_both_sides() {
        let rt = crate::fixtures::widgets();
        let err = Error::not_found(&rt, "w");
        assert!(expect_message("m", &err, "widgets.conformance.kobj.dev \"w\" not found").is_ok());
        let failure = expect_message("m", &err, "other").unwrap_err();
        assert!(failure.message().contains("expected message \"other\""));
        assert!(failure.message().contains("not found"));
        assert!(expect_message_contains("m", &err, "\"w\"").is_ok());
        assert!(expect_message_starts_with("m", &err, "nope").is_err());
        assert!(expect_details("d", &err, "w", "conformance.kobj.dev", "widgets").is_ok());
        assert!(expect_details("d", &err, "w", "", "widgets").is_err());
        assert!(expect_code("c", &err, 404).is_ok());
        assert!(expect_code("c", &err, 409).is_err());
    }

    #[test]
    fn resource_versions_must_be_decimal() {
        assert_eq!(parse_rv(Some("42")).unwrap(), 42);
        assert!(parse_rv(Some("abc")).is_err());
        assert!(parse_rv(None).is_err());
    }
}
