//! `/openapi/v2`: a Swagger 2.0 document that describes no types, as JSON or, for client-go's
//! `OpenAPISchema()` (which kubectl asks for its client-side validation and its patches), as
//! the gnostic `openapi.v2.Document` protobuf it decodes.
//!
//! kubectl 1.32 asks for it in two places: `kubectl apply` validates what the server cannot
//! validate for it (a `kind: List`, as `kubectl get -o yaml | kubectl apply -f -` sends, or a
//! kind the server does not serve yet) against the v2 definitions, and its client-side apply
//! looks for patch metadata there before using its own. Without the document both fail
//! (`error validating data: the server could not find the requested resource`, and a warning
//! on every client-side apply). With a document that has no definitions, kubectl finds no
//! schema, leaves validation to the server, which validates every object it is sent, and
//! uses the patch metadata compiled into it. Publishing the definitions (the v3 components
//! converted to Swagger 2.0 and encoded as gnostic's `Schema` messages) is left undone; see
//! docs/semantics.md.

use axum::response::Response;
use bytes::Bytes;
use http::{HeaderMap, StatusCode, header};
use serde_json::json;

use crate::negotiate::Format;
use crate::respond;

/// The media types client-go asks for (kube-openapi's handler serves both).
const PROTOBUF_ACCEPTED: [&str; 2] = [
    "application/com.github.proto-openapi.spec.v2@v1.0+protobuf",
    "application/com.github.proto-openapi.spec.v2.v1.0+protobuf",
];

/// The Content-Type of the protobuf answer: the form without `@`, which Go's
/// `mime.ParseMediaType` (client-go reads the response's type) accepts.
const PROTOBUF: &str = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

/// The document, in protobuf when the request accepts it, JSON otherwise.
pub(super) fn serve(headers: &HeaderMap, version: &str) -> Response {
    let wants_protobuf = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| {
            v.split(',')
                .any(|t| PROTOBUF_ACCEPTED.iter().any(|p| t.trim().starts_with(p)))
        });
    if wants_protobuf {
        return respond::bytes_response(StatusCode::OK, PROTOBUF, Bytes::from(protobuf(version)));
    }
    respond::object(
        StatusCode::OK,
        Format::Json,
        &json!({
            "swagger": "2.0",
            "info": {"title": "Kubernetes", "version": version},
            "paths": {},
            "definitions": {},
        }),
    )
}

/// `openapi.v2.Document{swagger: "2.0", info: {title: "Kubernetes", version}, paths: {}}` in
/// the protobuf wire format (field numbers of gnostic's `OpenAPIv2.proto`: Document.swagger 1,
/// info 2, paths 8; Info.title 1, version 2). Written by hand: three length-delimited fields
/// do not justify a protobuf code generator.
fn protobuf(version: &str) -> Vec<u8> {
    let mut info = Vec::new();
    field(&mut info, 1, b"Kubernetes");
    field(&mut info, 2, version.as_bytes());
    let mut doc = Vec::new();
    field(&mut doc, 1, b"2.0");
    field(&mut doc, 2, &info);
    field(&mut doc, 8, &[]);
    doc
}

/// One length-delimited field (wire type 2).
fn field(out: &mut Vec<u8>, number: u64, bytes: &[u8]) {
    varint(out, number << 3 | 2);
    varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_in_protobuf() {
        let bytes = protobuf("v1.35.0");
        let mut expected = vec![0x0a, 3];
        expected.extend_from_slice(b"2.0");
        expected.extend_from_slice(&[0x12, 21, 0x0a, 10]);
        expected.extend_from_slice(b"Kubernetes");
        expected.extend_from_slice(&[0x12, 7]);
        expected.extend_from_slice(b"v1.35.0");
        expected.extend_from_slice(&[0x42, 0]);
        assert_eq!(bytes, expected);
        let mut long = Vec::new();
        varint(&mut long, 300);
        assert_eq!(long, [0xac, 0x02]);
    }
}
