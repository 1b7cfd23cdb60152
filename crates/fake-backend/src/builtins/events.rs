//! Event validation (`pkg/apis/core/validation/events.go`): `ValidateEventCreate` and
//! `ValidateEventUpdate`, which check the internal (core) Event and whose strict part
//! applies only to requests through events.k8s.io/v1. Field paths are the core names
//! (`message`, `firstTimestamp`, `involvedObject.namespace`), as the server reports them
//! for both versions; the reporting controller's is the request version's.

use kobj_core::FieldError;
use serde_json::{Value, json};

use crate::meta;

const REPORTING_INSTANCE_LIMIT: usize = 128;
const ACTION_LIMIT: usize = 128;
const REASON_LIMIT: usize = 128;
const NOTE_LIMIT: usize = 1024;

/// Validates an Event given in its core/v1 form (`event`, and `old` on update);
/// `strict` for a request through events.k8s.io/v1.
pub(crate) fn validate(
    event: &Value,
    old: Option<&Value>,
    strict: bool,
    errs: &mut Vec<FieldError>,
) {
    legacy(event, strict, errs);
    if !strict {
        return;
    }
    match old {
        None => strict_create(event, errs),
        Some(old) => strict_update(event, old, errs),
    }
}

fn text<'a>(v: &'a Value, path: &str) -> &'a str {
    meta::get_path(v, path)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// Whether a time field holds Go's zero time (unset or `null`).
fn zero_time(v: &Value, path: &str) -> bool {
    text(v, path).is_empty()
}

/// `legacyValidateEvent`.
fn legacy(event: &Value, strict: bool, errs: &mut Vec<FieldError>) {
    let ns = meta::meta_str(event, "namespace");
    let involved_ns = text(event, "involvedObject.namespace");
    let mismatch = || {
        FieldError::invalid(
            "involvedObject.namespace",
            json!(involved_ns),
            "does not match event.namespace",
        )
    };
    if zero_time(event, "eventTime") {
        // An old-style Event: its namespace and its object's agree.
        if involved_ns.is_empty() {
            if !ns.is_empty() && ns != "default" {
                errs.push(mismatch());
            }
        } else if ns != involved_ns {
            errs.push(mismatch());
        }
    } else {
        if involved_ns.is_empty() && ns != "default" && ns != "kube-system" {
            errs.push(mismatch());
        }
        let controller_field = if strict {
            "reportingController"
        } else {
            "reportingComponent"
        };
        let controller = text(event, "reportingComponent");
        if controller.is_empty() {
            errs.push(FieldError::required(controller_field, ""));
        }
        for msg in meta::qualified_name_errors(controller) {
            errs.push(FieldError::invalid(
                controller_field,
                json!(controller),
                msg,
            ));
        }
        for (field, limit) in [
            ("reportingInstance", REPORTING_INSTANCE_LIMIT),
            ("action", ACTION_LIMIT),
            ("reason", REASON_LIMIT),
        ] {
            let value = text(event, field);
            if value.is_empty() {
                errs.push(FieldError::required(field, ""));
            }
            if value.len() > limit {
                errs.push(too_long(field, limit));
            }
        }
        if text(event, "message").len() > NOTE_LIMIT {
            errs.push(too_long("message", NOTE_LIMIT));
        }
    }
    for msg in meta::dns1123_subdomain_errors(ns) {
        errs.push(FieldError::invalid("namespace", json!(ns), msg));
    }
}

fn too_long(field: &str, limit: usize) -> FieldError {
    FieldError::invalid(
        field,
        json!(""),
        format!("can have at most {limit} characters"),
    )
}

/// The strict part of `ValidateEventCreate`.
fn strict_create(event: &Value, errs: &mut Vec<FieldError>) {
    let name = meta::meta_str(event, "name");
    for msg in meta::dns1123_subdomain_errors(name) {
        errs.push(FieldError::invalid("metadata.name", json!(name), msg));
    }
    series(event, errs);
    if zero_time(event, "eventTime") {
        errs.push(FieldError::required("eventTime", ""));
    }
    let ty = text(event, "type");
    if ty != "Normal" && ty != "Warning" {
        errs.push(FieldError::invalid(
            "type",
            json!(""),
            format!("has invalid value: {ty}"),
        ));
    }
    let unset = |field: &str| FieldError::invalid(field, json!(""), "needs to be unset");
    for field in ["firstTimestamp", "lastTimestamp"] {
        if !zero_time(event, field) {
            errs.push(unset(field));
        }
    }
    if count(event) != 0 {
        errs.push(unset("count"));
    }
    if !text(event, "source.component").is_empty() || !text(event, "source.host").is_empty() {
        errs.push(unset("source"));
    }
}

fn count(event: &Value) -> i64 {
    event.get("count").and_then(Value::as_i64).unwrap_or(0)
}

/// `validateV1EventSeries`.
fn series(event: &Value, errs: &mut Vec<FieldError>) {
    let Some(series) = event.get("series").filter(|s| !s.is_null()) else {
        return;
    };
    if series.get("count").and_then(Value::as_i64).unwrap_or(0) < 2 {
        errs.push(FieldError::invalid(
            "series.count",
            json!(""),
            "should be at least 2",
        ));
    }
    if zero_time(series, "lastObservedTime") {
        errs.push(FieldError::required("series.lastObservedTime", ""));
    }
}

/// The strict part of `ValidateEventUpdate`: the series checked when it changed, every
/// other field of the Event immutable.
fn strict_update(event: &Value, old: &Value, errs: &mut Vec<FieldError>) {
    let series_of = |v: &Value| v.get("series").filter(|s| !s.is_null()).cloned();
    if series_of(event) != series_of(old) {
        series(event, errs);
    }
    let immutable = |field: &str, text: String| {
        FieldError::invalid(field, Value::Null, "field is immutable").with_value_text(text)
    };
    let string_field = |field: &str, errs: &mut Vec<FieldError>| {
        let new = text(event, field);
        if new != text(old, field) {
            errs.push(immutable(field, Value::String(new.into()).to_string()));
        }
    };
    let reference = |v: &Value, field: &str| reference_text(v.get(field));
    if reference(event, "involvedObject") != reference(old, "involvedObject") {
        errs.push(immutable(
            "involvedObject",
            reference(event, "involvedObject"),
        ));
    }
    string_field("reason", errs);
    string_field("message", errs);
    let source = |v: &Value| {
        format!(
            "{{\"Component\":{},\"Host\":{}}}",
            json!(text(v, "source.component")),
            json!(text(v, "source.host"))
        )
    };
    if source(event) != source(old) {
        errs.push(immutable("source", source(event)));
    }
    for field in ["firstTimestamp", "lastTimestamp"] {
        if text(event, field) != text(old, field) {
            errs.push(immutable(field, go_time_string(text(event, field))));
        }
    }
    if count(event) != count(old) {
        errs.push(immutable("count", count(event).to_string()));
    }
    // `reason` is checked twice by the server (the aggregate message names it once).
    string_field("reason", errs);
    string_field("type", errs);
    // Stored MicroTimes have microseconds at most: a text difference is a change.
    if text(event, "eventTime") != text(old, "eventTime") {
        errs.push(immutable(
            "eventTime",
            go_time_string(text(event, "eventTime")),
        ));
    }
    string_field("action", errs);
    let related = |v: &Value| match v.get("related").filter(|r| !r.is_null()) {
        Some(r) => reference_text(Some(r)),
        None => "null".to_string(),
    };
    if related(event) != related(old) {
        errs.push(immutable("related", related(event)));
    }
    if text(event, "reportingComponent") != text(old, "reportingComponent") {
        errs.push(immutable(
            "reportingController",
            json!(text(event, "reportingComponent")).to_string(),
        ));
    }
    string_field("reportingInstance", errs);
}

/// An internal `ObjectReference` as the server prints a struct value (since 1.34: its
/// JSON with Go's field names, in declaration order).
fn reference_text(r: Option<&Value>) -> String {
    let r = r.unwrap_or(&Value::Null);
    let field = |k: &str| json!(r.get(k).and_then(Value::as_str).unwrap_or_default());
    format!(
        "{{\"Kind\":{},\"Namespace\":{},\"Name\":{},\"UID\":{},\"APIVersion\":{},\"ResourceVersion\":{},\"FieldPath\":{}}}",
        field("kind"),
        field("namespace"),
        field("name"),
        field("uid"),
        field("apiVersion"),
        field("resourceVersion"),
        field("fieldPath")
    )
}

/// Go's `time.Time.String()` of a stored (RFC 3339, UTC) time: `2006-01-02 15:04:05.999999999
/// -0700 MST`, the fraction without trailing zeros; the zero time when unset.
fn go_time_string(stored: &str) -> String {
    if stored.is_empty() {
        return "0001-01-01 00:00:00 +0000 UTC".to_string();
    }
    let body = stored.trim_end_matches('Z').replacen('T', " ", 1);
    let body = match body.split_once('.') {
        Some((whole, fraction)) => {
            let fraction = fraction.trim_end_matches('0');
            if fraction.is_empty() {
                whole.to_string()
            } else {
                format!("{whole}.{fraction}")
            }
        }
        None => body,
    };
    format!("{body} +0000 UTC")
}

#[cfg(test)]
mod tests {
    use super::go_time_string;

    #[test]
    fn go_time_strings() {
        assert_eq!(go_time_string(""), "0001-01-01 00:00:00 +0000 UTC");
        assert_eq!(
            go_time_string("2026-01-01T10:00:00Z"),
            "2026-01-01 10:00:00 +0000 UTC"
        );
        assert_eq!(
            go_time_string("2026-01-01T10:00:00.120000Z"),
            "2026-01-01 10:00:00.12 +0000 UTC"
        );
        assert_eq!(
            go_time_string("2026-01-01T10:00:00.000000Z"),
            "2026-01-01 10:00:00 +0000 UTC"
        );
    }
}
