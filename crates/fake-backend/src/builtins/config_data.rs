//! `ValidateConfigMap` and `ValidateSecret` beyond metadata (pkg/apis/core/validation):
//! every key of `data` and `binaryData` a valid config key (`IsConfigMapKey`), no key in
//! both maps of a ConfigMap, a Secret's data at most 1 MiB, and the keys a Secret's type
//! requires.

use base64::Engine as _;
use kobj_core::{FieldError, FieldErrorType};
use serde_json::{Map, Value};

/// `core.MaxSecretSize`: the decoded bytes of a Secret's values together.
const MAX_SECRET_SIZE: usize = 1024 * 1024;

const CONFIG_KEY_MSG: &str = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

#[inline]
fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_')
}

/// Whether `key` is a valid config key: the check every ConfigMap and Secret write makes of
/// every key, so it allocates nothing.
#[inline]
fn is_config_key(key: &str) -> bool {
    match key.as_bytes() {
        [] | [b'.'] | [b'.', b'.', ..] => false,
        b => b.len() <= 253 && b.iter().all(|&c| is_key_byte(c)),
    }
}

/// `IsConfigMapKey`'s messages for `key` (none when valid).
fn config_key_errors(key: &str) -> Vec<&'static str> {
    let mut errs = Vec::new();
    if is_config_key(key) {
        return errs;
    }
    if key.len() > 253 {
        errs.push("must be no more than 253 characters");
    }
    if key.is_empty() || !key.bytes().all(is_key_byte) {
        errs.push(CONFIG_KEY_MSG);
    }
    // `hasChDirPrefix`.
    if key == "." {
        errs.push("must not be '.'");
    } else if key == ".." {
        errs.push("must not be '..'");
    } else if key.starts_with("..") {
        errs.push("must not start with '..'");
    }
    errs
}

/// An `Invalid value` for each message of an invalid key of the map at `field`; the valid
/// key's fast path is inlined into the loops, the reporting kept out of line.
#[inline]
fn key_errors(key: &str, field: &str, errs: &mut Vec<FieldError>) {
    if !is_config_key(key) {
        report_key(key, field, errs);
    }
}

#[cold]
#[inline(never)]
fn report_key(key: &str, field: &str, errs: &mut Vec<FieldError>) {
    for m in config_key_errors(key) {
        errs.push(FieldError::invalid(
            format!("{field}[{key}]"),
            Value::String(key.to_string()),
            m,
        ));
    }
}

fn map_of<'a>(obj: &'a Value, key: &str) -> Option<&'a Map<String, Value>> {
    obj.get(key).and_then(Value::as_object)
}

/// `ValidateConfigMap`'s key checks. (Its 1 MiB limit on the whole object is not checked.)
pub(super) fn config_map(obj: &Value, errs: &mut Vec<FieldError>) {
    let (data, binary) = (map_of(obj, "data"), map_of(obj, "binaryData"));
    for key in data.into_iter().flat_map(Map::keys) {
        key_errors(key, "data", errs);
        if binary.is_some_and(|b| b.contains_key(key)) {
            errs.push(FieldError::invalid(
                format!("data[{key}]"),
                Value::String(key.clone()),
                "duplicate of key present in binaryData",
            ));
        }
    }
    for key in binary.into_iter().flat_map(Map::keys) {
        key_errors(key, "binaryData", errs);
    }
}

/// The decoded length of a base64 value (the decoder has already checked it).
fn decoded_len(value: &Value) -> usize {
    let text = value.as_str().unwrap_or_default();
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_or(text.len() / 4 * 3, |bytes| bytes.len())
}

/// `ValidateSecret`: keys, total size, and what the type requires.
pub(super) fn secret(obj: &Value, errs: &mut Vec<FieldError>) {
    let data = map_of(obj, "data");
    for key in data.into_iter().flat_map(Map::keys) {
        key_errors(key, "data", errs);
    }
    let size: usize = data
        .into_iter()
        .flat_map(Map::values)
        .map(decoded_len)
        .sum();
    if size > MAX_SECRET_SIZE {
        errs.push(FieldError::new(
            FieldErrorType::TooLong,
            "data",
            None,
            format!("must have at most {MAX_SECRET_SIZE} bytes"),
        ));
    }
    let has = |key: &str| data.is_some_and(|d| d.contains_key(key));
    let required = |key: &str| FieldError::required(format!("data[{key}]"), "");
    match obj.get("type").and_then(Value::as_str).unwrap_or("") {
        "kubernetes.io/service-account-token" => {
            let name = crate::meta::meta(obj)
                .and_then(|m| m.get("annotations"))
                .and_then(|a| a.get("kubernetes.io/service-account.name"))
                .and_then(Value::as_str)
                .unwrap_or("");
            if name.is_empty() {
                errs.push(FieldError::required(
                    "metadata.annotations[kubernetes.io/service-account.name]",
                    "",
                ));
            }
        }
        kind @ ("kubernetes.io/dockercfg" | "kubernetes.io/dockerconfigjson") => {
            let key = if kind == "kubernetes.io/dockercfg" {
                ".dockercfg"
            } else {
                ".dockerconfigjson"
            };
            match data.and_then(|d| d.get(key)) {
                None => errs.push(required(key)),
                Some(value) => {
                    let bytes = base64::engine::general_purpose::STANDARD
                        .decode(value.as_str().unwrap_or_default())
                        .unwrap_or_default();
                    if let Err(e) = serde_json::from_slice::<Map<String, Value>>(&bytes) {
                        // The server shows encoding/json's error; serde_json's wording differs.
                        errs.push(FieldError::invalid(
                            format!("data[{key}]"),
                            Value::String("<secret contents redacted>".into()),
                            e.to_string(),
                        ));
                    }
                }
            }
        }
        "kubernetes.io/basic-auth" if !has("username") && !has("password") => {
            errs.push(required("username"));
            errs.push(required("password"));
        }
        "kubernetes.io/ssh-auth"
            if data
                .and_then(|d| d.get("ssh-privatekey"))
                .is_none_or(|v| decoded_len(v) == 0) =>
        {
            errs.push(required("ssh-privatekey"));
        }
        "kubernetes.io/tls" => {
            for key in ["tls.crt", "tls.key"] {
                if !has(key) {
                    errs.push(required(key));
                }
            }
        }
        _ => {}
    }
}
