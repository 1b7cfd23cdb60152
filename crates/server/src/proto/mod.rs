//! Request bodies in Kubernetes protobuf (`application/vnd.kubernetes.protobuf`), which
//! kubectl's typed clients send for `kubectl create namespace|configmap|secret|serviceaccount`:
//! the `k8s\0` envelope around a `runtime.Unknown`, and the kinds above decoded to JSON with
//! their `generated.proto` field numbers. Other kinds get 415, as from a server that does not
//! speak protobuf for them.
//!
//! Why hand-written: k8s-openapi ships no protobuf types, and generating them with `prost` from
//! the upstream `generated.proto` files would bring a code generator and thousands of types for
//! the four request bodies kubectl actually sends here.

use base64::Engine as _;
use k8s_openapi::jiff::Timestamp;
use kobj_core::{Error, Result};
use serde_json::{Map, Value};

/// The protobuf media type.
pub(crate) const MEDIA_TYPE: &str = "application/vnd.kubernetes.protobuf";

const MAGIC: &[u8] = b"k8s\0";

/// How a field's value is decoded.
#[derive(Clone, Copy)]
enum Ty {
    /// A string; Go's empty string (what gogo-protobuf writes for an unset field) is left out.
    Str,
    /// An int64 that Go omits when zero.
    Int,
    /// An optional (pointer) int64, kept even when zero.
    IntPtr,
    Bool,
    Time,
    Msg(&'static [Field]),
    MapStr,
    MapBytes,
    RepStr,
    RepMsg(&'static [Field]),
}

/// One field: its number, JSON name and type.
type Field = (u64, &'static str, Ty);

const OWNER_REFERENCE: &[Field] = &[
    (1, "kind", Ty::Str),
    (3, "name", Ty::Str),
    (4, "uid", Ty::Str),
    (5, "apiVersion", Ty::Str),
    (6, "controller", Ty::Bool),
    (7, "blockOwnerDeletion", Ty::Bool),
];

const OBJECT_META: &[Field] = &[
    (1, "name", Ty::Str),
    (2, "generateName", Ty::Str),
    (3, "namespace", Ty::Str),
    (4, "selfLink", Ty::Str),
    (5, "uid", Ty::Str),
    (6, "resourceVersion", Ty::Str),
    (7, "generation", Ty::Int),
    (8, "creationTimestamp", Ty::Time),
    (9, "deletionTimestamp", Ty::Time),
    (10, "deletionGracePeriodSeconds", Ty::IntPtr),
    (11, "labels", Ty::MapStr),
    (12, "annotations", Ty::MapStr),
    (13, "ownerReferences", Ty::RepMsg(OWNER_REFERENCE)),
    (14, "finalizers", Ty::RepStr),
];

const CONFIG_MAP: &[Field] = &[
    (1, "metadata", Ty::Msg(OBJECT_META)),
    (2, "data", Ty::MapStr),
    (3, "binaryData", Ty::MapBytes),
    (4, "immutable", Ty::Bool),
];

const SECRET: &[Field] = &[
    (1, "metadata", Ty::Msg(OBJECT_META)),
    (2, "data", Ty::MapBytes),
    (3, "type", Ty::Str),
    (4, "stringData", Ty::MapStr),
    (5, "immutable", Ty::Bool),
];

const NAMESPACE_SPEC: &[Field] = &[(1, "finalizers", Ty::RepStr)];
const NAMESPACE_STATUS: &[Field] = &[(1, "phase", Ty::Str)];
const NAMESPACE: &[Field] = &[
    (1, "metadata", Ty::Msg(OBJECT_META)),
    (2, "spec", Ty::Msg(NAMESPACE_SPEC)),
    (3, "status", Ty::Msg(NAMESPACE_STATUS)),
];

const OBJECT_REFERENCE: &[Field] = &[
    (1, "kind", Ty::Str),
    (2, "namespace", Ty::Str),
    (3, "name", Ty::Str),
    (4, "uid", Ty::Str),
    (5, "apiVersion", Ty::Str),
    (6, "resourceVersion", Ty::Str),
    (7, "fieldPath", Ty::Str),
];
const LOCAL_OBJECT_REFERENCE: &[Field] = &[(1, "name", Ty::Str)];
const SERVICE_ACCOUNT: &[Field] = &[
    (1, "metadata", Ty::Msg(OBJECT_META)),
    (2, "secrets", Ty::RepMsg(OBJECT_REFERENCE)),
    (3, "imagePullSecrets", Ty::RepMsg(LOCAL_OBJECT_REFERENCE)),
    (4, "automountServiceAccountToken", Ty::Bool),
];

fn schema_for(api_version: &str, kind: &str) -> Option<&'static [Field]> {
    match (api_version, kind) {
        ("v1", "ConfigMap") => Some(CONFIG_MAP),
        ("v1", "Secret") => Some(SECRET),
        ("v1", "Namespace") => Some(NAMESPACE),
        ("v1", "ServiceAccount") => Some(SERVICE_ACCOUNT),
        _ => None,
    }
}

/// A wire-format reader.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

/// One field as read from the wire.
enum Wire<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Fixed,
}

fn malformed() -> Error {
    Error::bad_request("the protobuf body of the request is malformed")
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    fn varint(&mut self) -> Result<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self.buf.get(self.pos).ok_or_else(malformed)?;
            self.pos += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(malformed())
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).ok_or_else(malformed)?;
        let slice = self.buf.get(self.pos..end).ok_or_else(malformed)?;
        self.pos = end;
        Ok(slice)
    }

    /// The next field number and value, `None` at the end.
    fn next(&mut self) -> Result<Option<(u64, Wire<'a>)>> {
        if self.pos >= self.buf.len() {
            return Ok(None);
        }
        let key = self.varint()?;
        let (number, wire_type) = (key >> 3, key & 7);
        let value = match wire_type {
            0 => Wire::Varint(self.varint()?),
            1 => {
                self.take(8)?;
                Wire::Fixed
            }
            2 => {
                let len = usize::try_from(self.varint()?).map_err(|_| malformed())?;
                Wire::Bytes(self.take(len)?)
            }
            5 => {
                self.take(4)?;
                Wire::Fixed
            }
            _ => return Err(malformed()),
        };
        Ok(Some((number, value)))
    }
}

fn text(bytes: &[u8]) -> Result<String> {
    String::from_utf8(bytes.to_vec()).map_err(|_| malformed())
}

fn map_entry(bytes: &[u8], binary: bool) -> Result<(String, Value)> {
    let mut r = Reader::new(bytes);
    let mut key = String::new();
    let mut value = Value::String(String::new());
    while let Some((n, w)) = r.next()? {
        match (n, w) {
            (1, Wire::Bytes(b)) => key = text(b)?,
            (2, Wire::Bytes(b)) if binary => {
                value = Value::String(base64::engine::general_purpose::STANDARD.encode(b));
            }
            (2, Wire::Bytes(b)) => value = Value::String(text(b)?),
            _ => {}
        }
    }
    Ok((key, value))
}

/// Go's zero `time.Time` (0001-01-01T00:00:00Z) in Unix seconds: an unset timestamp.
const GO_ZERO_TIME: i64 = -62_135_596_800;

fn time(bytes: &[u8]) -> Result<Option<Value>> {
    let mut r = Reader::new(bytes);
    let mut seconds = 0i64;
    while let Some((n, w)) = r.next()? {
        if let (1, Wire::Varint(v)) = (n, w) {
            seconds = v.cast_signed();
        }
    }
    if seconds == GO_ZERO_TIME {
        return Ok(None);
    }
    let ts = Timestamp::from_second(seconds).map_err(|_| malformed())?;
    Ok(Some(Value::String(ts.to_string())))
}

fn message(bytes: &[u8], fields: &[Field]) -> Result<Map<String, Value>> {
    let mut out = Map::new();
    let mut r = Reader::new(bytes);
    while let Some((number, wire)) = r.next()? {
        let Some((_, name, ty)) = fields.iter().find(|(n, _, _)| *n == number) else {
            continue;
        };
        let name = (*name).to_string();
        match (*ty, wire) {
            (Ty::Str, Wire::Bytes(b)) => {
                if !b.is_empty() {
                    out.insert(name, Value::String(text(b)?));
                }
            }
            (Ty::Int, Wire::Varint(v)) => {
                if v != 0 {
                    out.insert(name, Value::from(v.cast_signed()));
                }
            }
            (Ty::IntPtr, Wire::Varint(v)) => {
                out.insert(name, Value::from(v.cast_signed()));
            }
            (Ty::Bool, Wire::Varint(v)) => {
                out.insert(name, Value::Bool(v != 0));
            }
            (Ty::Time, Wire::Bytes(b)) => {
                if let Some(t) = time(b)? {
                    out.insert(name, t);
                }
            }
            (Ty::Msg(sub), Wire::Bytes(b)) => {
                out.insert(name, Value::Object(message(b, sub)?));
            }
            (Ty::MapStr | Ty::MapBytes, Wire::Bytes(b)) => {
                let (k, v) = map_entry(b, matches!(ty, Ty::MapBytes))?;
                if let Some(map) = out
                    .entry(name)
                    .or_insert_with(|| Value::Object(Map::new()))
                    .as_object_mut()
                {
                    map.insert(k, v);
                }
            }
            (Ty::RepStr, Wire::Bytes(b)) => {
                if let Some(list) = out
                    .entry(name)
                    .or_insert_with(|| Value::Array(Vec::new()))
                    .as_array_mut()
                {
                    list.push(Value::String(text(b)?));
                }
            }
            (Ty::RepMsg(sub), Wire::Bytes(b)) => {
                let item = Value::Object(message(b, sub)?);
                if let Some(list) = out
                    .entry(name)
                    .or_insert_with(|| Value::Array(Vec::new()))
                    .as_array_mut()
                {
                    list.push(item);
                }
            }
            _ => return Err(malformed()),
        }
    }
    Ok(out)
}

/// Decodes a protobuf request body into the JSON object it stands for.
///
/// # Errors
/// 400 for a malformed body, 415 for a kind this server does not decode from protobuf.
pub(crate) fn decode(body: &[u8], accepted: &[&str]) -> Result<Value> {
    let unknown = body.strip_prefix(MAGIC).ok_or_else(malformed)?;
    let mut r = Reader::new(unknown);
    let (mut api_version, mut kind, mut raw) = (String::new(), String::new(), None);
    while let Some((n, w)) = r.next()? {
        match (n, w) {
            (1, Wire::Bytes(type_meta)) => {
                let meta = message(
                    type_meta,
                    &[(1, "apiVersion", Ty::Str), (2, "kind", Ty::Str)],
                )?;
                let get = |k: &str| {
                    meta.get(k)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string()
                };
                api_version = get("apiVersion");
                kind = get("kind");
            }
            (2, Wire::Bytes(b)) => raw = Some(b),
            _ => {}
        }
    }
    let Some(schema) = schema_for(&api_version, &kind) else {
        return Err(Error::unsupported_media_type(MEDIA_TYPE, accepted));
    };
    let mut object = message(raw.unwrap_or_default(), schema)?;
    object.insert("apiVersion".into(), Value::String(api_version));
    object.insert("kind".into(), Value::String(kind));
    Ok(Value::Object(object))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn varint(mut v: u64, out: &mut Vec<u8>) {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(byte);
                return;
            }
            out.push(byte | 0x80);
        }
    }

    fn bytes_field(n: u64, data: &[u8], out: &mut Vec<u8>) {
        varint(n << 3 | 2, out);
        varint(data.len() as u64, out);
        out.extend_from_slice(data);
    }

    fn entry(k: &str, v: &[u8]) -> Vec<u8> {
        let mut e = Vec::new();
        bytes_field(1, k.as_bytes(), &mut e);
        bytes_field(2, v, &mut e);
        e
    }

    fn envelope(api_version: &str, kind: &str, raw: &[u8]) -> Vec<u8> {
        let mut type_meta = Vec::new();
        bytes_field(1, api_version.as_bytes(), &mut type_meta);
        bytes_field(2, kind.as_bytes(), &mut type_meta);
        let mut out = MAGIC.to_vec();
        bytes_field(1, &type_meta, &mut out);
        bytes_field(2, raw, &mut out);
        out
    }

    #[test]
    fn secrets_decode_with_binary_data_as_base64() {
        let mut meta = Vec::new();
        bytes_field(1, b"creds", &mut meta);
        bytes_field(2, b"", &mut meta);
        let mut zero = Vec::new();
        varint(8, &mut zero);
        varint(GO_ZERO_TIME.cast_unsigned(), &mut zero);
        bytes_field(9, &zero, &mut meta);
        bytes_field(11, &entry("app", b"demo"), &mut meta);
        bytes_field(14, b"keep", &mut meta);
        let mut ts = Vec::new();
        varint(8, &mut ts);
        varint(1_700_000_000, &mut ts);
        bytes_field(8, &ts, &mut meta);
        let mut secret = Vec::new();
        bytes_field(1, &meta, &mut secret);
        bytes_field(2, &entry("password", b"hunter2"), &mut secret);
        bytes_field(3, b"Opaque", &mut secret);
        varint(5 << 3, &mut secret);
        varint(1, &mut secret);
        let value = decode(&envelope("v1", "Secret", &secret), &[]).unwrap();
        assert_eq!(
            value,
            json!({
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {
                    "name": "creds",
                    "labels": {"app": "demo"},
                    "finalizers": ["keep"],
                    "creationTimestamp": "2023-11-14T22:13:20Z"
                },
                "data": {"password": "aHVudGVyMg=="},
                "type": "Opaque",
                "immutable": true
            })
        );
    }

    #[test]
    fn unknown_kinds_and_garbage() {
        let e = decode(
            &envelope("apps/v1", "Deployment", b""),
            &["application/json"],
        )
        .unwrap_err();
        assert!(e.is_unsupported_media_type());
        assert!(decode(b"{}", &[]).unwrap_err().is_bad_request());
        let mut truncated = envelope("v1", "ConfigMap", b"");
        truncated.push(0x0a);
        truncated.push(0x05);
        assert!(decode(&truncated, &[]).unwrap_err().is_bad_request());
    }
}
