//! Responses: JSON and YAML bodies, Status bodies with their HTTP codes on every error (rule 1),
//! the plain-text `404 page not found` for unrouted paths (rule 5), and `Warning` headers.

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use http::{HeaderName, StatusCode};
use kobj_core::Error;
use kube_core::Status;
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::negotiate::Format;

/// `application/json`.
pub(crate) const JSON: &str = "application/json";
/// `application/yaml`.
pub(crate) const YAML: &str = "application/yaml";

/// The body of a Status as the API server writes it: `kind` and `apiVersion` forced,
/// `metadata: {}`, `status` and `code` always present (rule 1).
#[must_use]
pub(crate) fn status_value(status: &Status) -> Value {
    let mut map = Map::new();
    map.insert("kind".into(), "Status".into());
    map.insert("apiVersion".into(), "v1".into());
    // The list metadata a Status may carry (an expired continue token's replacement).
    let metadata = status
        .metadata
        .as_ref()
        .and_then(|m| serde_json::to_value(m).ok())
        .unwrap_or_else(|| json!({}));
    map.insert("metadata".into(), metadata);
    let summary = match status.status {
        Some(kube_core::response::StatusSummary::Success) => "Success",
        _ => "Failure",
    };
    map.insert("status".into(), summary.into());
    if !status.message.is_empty() {
        map.insert("message".into(), status.message.clone().into());
    }
    if !status.reason.is_empty() {
        map.insert("reason".into(), status.reason.clone().into());
    }
    // Present whenever the Status has details, even empty ones (`"details": {}`, as Go
    // encodes a non-nil `*StatusDetails` whose fields are all empty).
    if let Some(details) = &status.details
        && let Ok(v) = serde_json::to_value(details)
    {
        map.insert("details".into(), v);
    }
    // A success Status from a delete carries no code (rule 28); failures always do.
    if summary == "Failure" || status.code != 0 {
        let code = if status.code == 0 { 500 } else { status.code };
        map.insert("code".into(), code.into());
    }
    Value::Object(map)
}

/// The Status of any error (transport and decode failures inside the fake become 500s).
#[must_use]
pub(crate) fn error_status(err: &Error) -> Status {
    match err.status() {
        Some(status) => {
            let mut status = status.clone();
            if status.code == 0 {
                status.code = 500;
            }
            status.status = Some(kube_core::response::StatusSummary::Failure);
            status
        }
        None => Error::internal(err.to_string())
            .status()
            .cloned()
            .unwrap_or_default(),
    }
}

/// The response for an error: its Status as JSON with the Status's HTTP code, and
/// `Retry-After` when the Status asks for a delay.
#[must_use]
pub(crate) fn error(err: &Error) -> Response {
    status_response(&error_status(err))
}

/// A Status response with the Status's own code.
#[must_use]
pub(crate) fn status_response(status: &Status) -> Response {
    let code = if status.code == 0 { 500 } else { status.code };
    let mut resp = bytes_response(
        StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        JSON,
        to_json_bytes(&status_value(status)),
    );
    if let Some(details) = &status.details
        && details.retry_after_seconds > 0
    {
        resp.headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(details.retry_after_seconds));
    }
    resp
}

/// Go's `http.NotFound`: `404 page not found` as plain text.
#[must_use]
pub(crate) fn page_not_found() -> Response {
    let mut resp = bytes_response(
        StatusCode::NOT_FOUND,
        "text/plain; charset=utf-8",
        Bytes::from_static(b"404 page not found\n"),
    );
    resp.headers_mut().insert(
        HeaderName::from_static("x-content-type-options"),
        HeaderValue::from_static("nosniff"),
    );
    resp
}

/// A response with a body of the given content type.
#[must_use]
pub(crate) fn bytes_response(code: StatusCode, content_type: &str, body: Bytes) -> Response {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = code;
    if let Ok(ct) = HeaderValue::from_str(content_type) {
        resp.headers_mut().insert(CONTENT_TYPE, ct);
    }
    resp
}

/// JSON bytes of a value (encoding a `serde_json::Value` or a kube type cannot fail; an
/// encoder error would become an empty object).
#[must_use]
pub(crate) fn to_json_bytes<T: Serialize + ?Sized>(value: &T) -> Bytes {
    serde_json::to_vec(value).map_or_else(|_| Bytes::from_static(b"{}"), Bytes::from)
}

/// A value in the negotiated format (JSON or YAML).
#[must_use]
pub(crate) fn object<T: Serialize + ?Sized>(
    code: StatusCode,
    format: Format,
    value: &T,
) -> Response {
    match format {
        Format::Yaml => match serde_yaml::to_string(value) {
            Ok(text) => bytes_response(code, YAML, Bytes::from(text)),
            Err(e) => error(&Error::internal(format!("cannot encode YAML: {e}"))),
        },
        _ => bytes_response(code, JSON, to_json_bytes(value)),
    }
}

/// Adds `Warning: 299 - "<text>"` headers (rule 27).
pub(crate) fn add_warnings(resp: &mut Response, warnings: &[String]) {
    for w in warnings {
        let text = format!("299 - {}", go_quote(w));
        if let Ok(v) = HeaderValue::from_str(&text) {
            resp.headers_mut().append(http::header::WARNING, v);
        }
    }
}

/// Adds a `Warning` header before those the answer already has.
pub(crate) fn add_first_warning(resp: &mut Response, warning: &str) {
    let later: Vec<HeaderValue> = resp
        .headers()
        .get_all(http::header::WARNING)
        .iter()
        .cloned()
        .collect();
    resp.headers_mut().remove(http::header::WARNING);
    add_warnings(resp, &[warning.to_string()]);
    for v in later {
        resp.headers_mut().append(http::header::WARNING, v);
    }
}

/// Go's `%q` for the printable ASCII the warnings contain: quotes and backslashes escaped.
fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_ascii_graphic() || c == ' ' => out.push(c),
            c => out.push_str(&c.escape_unicode().to_string()),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use kobj_core::ResourceType;

    #[test]
    fn status_bodies_force_kind_and_code() {
        let rt = ResourceType::namespaced(kobj_core::ApiResource {
            group: "g.io".into(),
            version: "v1".into(),
            api_version: "g.io/v1".into(),
            kind: "Widget".into(),
            plural: "widgets".into(),
        });
        let v = status_value(&error_status(&Error::not_found(&rt, "w")));
        assert_eq!(v["kind"], "Status");
        assert_eq!(v["apiVersion"], "v1");
        assert_eq!(v["metadata"], json!({}));
        assert_eq!(v["status"], "Failure");
        assert_eq!(v["code"], 404);
        assert_eq!(v["reason"], "NotFound");
        assert_eq!(v["message"], "widgets.g.io \"w\" not found");
        assert_eq!(v["details"]["kind"], "widgets");
        let v = status_value(&error_status(&Error::transport("boom", None)));
        assert_eq!(v["code"], 500);
        assert_eq!(v["reason"], "InternalError");
        let success = status_value(&Status::success());
        assert_eq!(success["status"], "Success");
        assert!(success.get("code").is_none());
    }

    #[test]
    fn a_first_warning_goes_before_the_others() {
        let mut resp = error(&Error::bad_request("x"));
        add_warnings(&mut resp, &["b".to_string(), "c".to_string()]);
        add_first_warning(&mut resp, "a");
        let all: Vec<_> = resp
            .headers()
            .get_all(http::header::WARNING)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect();
        assert_eq!(all, ["299 - \"a\"", "299 - \"b\"", "299 - \"c\""]);
    }

    #[test]
    fn retry_after_and_warnings() {
        let resp = error(&Error::too_many_requests("slow down", 3));
        assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(resp.headers()[RETRY_AFTER], "3");
        let mut resp = page_not_found();
        add_warnings(&mut resp, &["unknown field \"spec.x\"".to_string()]);
        assert_eq!(
            resp.headers()[http::header::WARNING],
            "299 - \"unknown field \\\"spec.x\\\"\""
        );
    }
}
