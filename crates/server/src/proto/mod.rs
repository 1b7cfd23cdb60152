//! Request bodies in Kubernetes protobuf (`application/vnd.kubernetes.protobuf`), which
//! kubectl's typed clients send for `kubectl create deployment|job|service|role|…`, `kubectl
//! run` and the other generators: the `k8s\0` envelope around a `runtime.Unknown`, whose
//! object is decoded to the JSON the server would have read, by the protobuf layout of every
//! built-in kind (`table.rs`, generated from the Go types' struct tags). A kind the table does
//! not have gets 415, as from a server that does not speak protobuf for it; custom resources
//! never take protobuf, on a real server either.
//!
//! Why hand-written: k8s-openapi ships no protobuf types, and generating Rust types with
//! `prost` from the upstream `generated.proto` files would bring a code generator and
//! thousands of types only to turn them into JSON again; a table-driven walk does that
//! directly (`decode.rs`), over a few dozen lines of wire reading (`wire.rs`).

use kobj_core::{Error, Result};
use serde_json::{Map, Value};

mod decode;
mod table;
mod wire;

use wire::{Reader, Wire, malformed};

/// The protobuf media type.
pub(crate) const MEDIA_TYPE: &str = "application/vnd.kubernetes.protobuf";

const MAGIC: &[u8] = b"k8s\0";

/// `runtime.TypeMeta` of the envelope: apiVersion 1, kind 2.
fn type_meta(bytes: &[u8]) -> Result<(String, String)> {
    let (mut api_version, mut kind) = (String::new(), String::new());
    let mut r = Reader::new(bytes);
    while let Some((number, wire)) = r.next()? {
        match (number, wire) {
            (1, Wire::Bytes(b)) => {
                api_version = String::from_utf8(b.to_vec()).map_err(|_| malformed())?
            }
            (2, Wire::Bytes(b)) => kind = String::from_utf8(b.to_vec()).map_err(|_| malformed())?,
            (1 | 2, _) => return Err(malformed()),
            _ => {}
        }
    }
    Ok((api_version, kind))
}

/// Whether a body is in the protobuf envelope (`k8s\0`).
pub(crate) fn is_protobuf(body: &[u8]) -> bool {
    body.starts_with(MAGIC)
}

/// The envelope's type and object bytes.
fn envelope(body: &[u8]) -> Result<(String, String, &[u8])> {
    let unknown = body.strip_prefix(MAGIC).ok_or_else(malformed)?;
    let mut r = Reader::new(unknown);
    let (mut api_version, mut kind, mut raw) = (String::new(), String::new(), None);
    // runtime.Unknown: typeMeta 1, raw 2, contentEncoding 3, contentType 4.
    while let Some((number, wire)) = r.next()? {
        match (number, wire) {
            (1, Wire::Bytes(b)) => (api_version, kind) = type_meta(b)?,
            (2, Wire::Bytes(b)) => raw = Some(b),
            (1 | 2, _) => return Err(malformed()),
            _ => {}
        }
    }
    Ok((api_version, kind, raw.unwrap_or_default()))
}

fn table() -> Result<&'static table::Table> {
    table::TABLE.as_ref().map_err(|e| {
        Error::from_parts(
            500,
            "InternalError",
            format!("the protobuf table is broken: {e}"),
        )
    })
}

/// Decodes a protobuf body of an options kind (`DeleteOptions`, which client-go sends with
/// the resource's group version) as the struct type `ty` (`meta.v1.DeleteOptions`).
///
/// # Errors
/// 400 for a malformed body or another kind.
pub(crate) fn decode_options(body: &[u8], kind: &str, ty: &str) -> Result<Value> {
    let (_, body_kind, raw) = envelope(body)?;
    let table = table()?;
    let index = table
        .named(ty)
        .filter(|_| body_kind == kind)
        .ok_or_else(malformed)?;
    let mut object = Map::new();
    decode::message_into(table, index, raw, &mut object, 0)?;
    Ok(Value::Object(object))
}

/// Decodes a protobuf request body into the JSON object it stands for.
///
/// # Errors
/// 400 for a malformed body, 415 for a kind this server does not decode from protobuf.
pub(crate) fn decode(body: &[u8], accepted: &[&str]) -> Result<Value> {
    let (api_version, kind, raw) = envelope(body)?;
    let table = table()?;
    let Some(ty) = table.kind(&api_version, &kind) else {
        return Err(Error::unsupported_media_type(accepted));
    };
    let mut object = Map::new();
    decode::message_into(table, ty, raw, &mut object, 0)?;
    object.insert("apiVersion".into(), Value::String(api_version));
    object.insert("kind".into(), Value::String(kind));
    Ok(Value::Object(object))
}

#[cfg(test)]
mod tests;
