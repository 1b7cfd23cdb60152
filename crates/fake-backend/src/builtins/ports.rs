//! Port numbers and names as `IsValidPortNum` and `IsValidPortName` check them
//! (k8s.io/apimachinery `pkg/util/validation`), for containers and Services.

use kobj_core::FieldError;
use serde_json::Value;

/// `IsValidPortNum`.
pub(super) fn port_number(port: i64, path: &str, errs: &mut Vec<FieldError>) {
    if !(1..=65535).contains(&port) {
        errs.push(FieldError::invalid(
            path,
            Value::from(port),
            "must be between 1 and 65535, inclusive",
        ));
    }
}

/// `IsValidPortName`.
pub(super) fn port_name_errors(name: &str) -> Vec<&'static str> {
    let mut errs = Vec::new();
    if name.len() > 15 {
        errs.push("must be no more than 15 characters");
    }
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
    }
    if !name.bytes().any(|b| b.is_ascii_lowercase()) {
        errs.push("must contain at least one letter (a-z)");
    }
    if name.contains("--") {
        errs.push("must not contain consecutive hyphens");
    }
    if name.starts_with('-') || name.ends_with('-') {
        errs.push("must not begin or end with a hyphen");
    }
    errs
}
