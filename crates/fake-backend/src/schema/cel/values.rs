//! JSON values as CEL rules see them (apiextensions `schema/cel.UnstructuredToVal`): objects
//! with properties expose escaped field names, maps their keys, resource roots only
//! `apiVersion`, `kind`, `metadata.name` and `metadata.generateName`; `date-time`, `duration`
//! and `byte` strings become timestamps, durations and bytes.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::JSONSchemaProps;
use kube_cel::cel::Value as Cel;
use kube_cel::cel::objects::{Key, Map as CelMap};
use serde_json::Value;

use super::super::{Additional, MAX_DEPTH};
use super::{BASE, compile};

/// `cel.Escape`: how a property name is spelled in CEL; `None` when it cannot be.
pub(super) fn escape(name: &str) -> Option<String> {
    const RESERVED: &[&str] = &[
        "true",
        "false",
        "null",
        "in",
        "as",
        "break",
        "const",
        "continue",
        "else",
        "for",
        "function",
        "if",
        "import",
        "let",
        "loop",
        "package",
        "namespace",
        "return",
        "var",
        "void",
        "while",
    ];
    let first = name.chars().next()?;
    if first.is_ascii_digit() {
        return None;
    }
    if RESERVED.contains(&name) {
        return Some(format!("__{name}__"));
    }
    let mut out = String::with_capacity(name.len());
    let mut chars = name.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '_' if chars.peek() == Some(&'_') => {
                chars.next();
                out.push_str("__underscores__");
            }
            '.' => out.push_str("__dot__"),
            '-' => out.push_str("__dash__"),
            '/' => out.push_str("__slash__"),
            c if c.is_ascii_alphanumeric() || c == '_' => out.push(c),
            _ => return None,
        }
    }
    Some(out)
}

/// A JSON value as the rule sees it, typed by its schema.
pub(super) fn to_cel(
    x: &Value,
    s: Option<&JSONSchemaProps>,
    resource_root: bool,
    depth: usize,
) -> Cel {
    if depth > MAX_DEPTH {
        return Cel::Null;
    }
    match x {
        Value::Null => Cel::Null,
        Value::Bool(b) => Cel::Bool(*b),
        Value::Number(n) => {
            let ty = s.map_or("", super::super::type_of);
            match (ty, n.as_i64(), n.as_f64()) {
                ("number", _, Some(f)) => Cel::Float(f),
                (_, Some(i), _) => Cel::Int(i),
                ("integer", None, Some(f)) if f.fract() == 0.0 && f.abs() < 9.2e18 => {
                    Cel::Int(super::super::go::f64_to_i64(f))
                }
                (_, _, Some(f)) => Cel::Float(f),
                _ => Cel::Null,
            }
        }
        Value::String(text) => string_to_cel(text, s.and_then(|s| s.format.as_deref())),
        Value::Array(items) => {
            let item_schema = s.and_then(super::super::items_of);
            let item_root = item_schema.is_some_and(super::super::is_embedded);
            Cel::List(Arc::new(
                items
                    .iter()
                    .map(|i| to_cel(i, item_schema, item_root, depth + 1))
                    .collect(),
            ))
        }
        Value::Object(map) => {
            let mut out: HashMap<Key, Cel> = HashMap::with_capacity(map.len());
            let embedded = resource_root || s.is_some_and(super::super::is_embedded);
            let properties = s.and_then(|s| s.properties.as_ref());
            let additional = match s.and_then(super::super::additional_of) {
                Some(Additional::Schema(a)) => Some(a),
                _ => None,
            };
            for (k, v) in map {
                if embedded && k == "metadata" {
                    out.insert(Key::from(k.as_str()), metadata_to_cel(v));
                    continue;
                }
                if let Some(prop) = properties.and_then(|p| p.get(k)) {
                    if let Some(name) = escape(k) {
                        out.insert(
                            Key::from(name),
                            to_cel(v, Some(prop), super::super::is_embedded(prop), depth + 1),
                        );
                    }
                } else if let Some(a) = additional {
                    out.insert(
                        Key::from(k.as_str()),
                        to_cel(v, Some(a), super::super::is_embedded(a), depth + 1),
                    );
                } else if properties.is_some() {
                    if let Some(name) = escape(k) {
                        out.insert(Key::from(name), to_cel(v, None, false, depth + 1));
                    }
                } else {
                    out.insert(Key::from(k.as_str()), to_cel(v, None, false, depth + 1));
                }
            }
            Cel::Map(CelMap { map: Arc::new(out) })
        }
    }
}

/// Resource metadata as rules see it: only `name` and `generateName`.
fn metadata_to_cel(meta: &Value) -> Cel {
    let mut out: HashMap<Key, Cel> = HashMap::new();
    if let Value::Object(map) = meta {
        for field in ["name", "generateName"] {
            if let Some(Value::String(v)) = map.get(field) {
                out.insert(Key::from(field), Cel::String(Arc::new(v.clone())));
            }
        }
    }
    Cel::Map(CelMap { map: Arc::new(out) })
}

/// A string typed by its format: `date-time` → timestamp, `duration` → duration, `byte` →
/// bytes; anything that does not convert stays a string.
fn string_to_cel(text: &str, format: Option<&str>) -> Cel {
    let fallback = || Cel::String(Arc::new(text.to_string()));
    match format {
        Some("byte") => {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .map_or_else(|_| fallback(), |b| Cel::Bytes(Arc::new(b)))
        }
        Some(f @ ("date-time" | "duration")) => {
            let function = if f == "duration" {
                "duration(v)"
            } else {
                "timestamp(v)"
            };
            let compiled = compile(function);
            let Ok(program) = &compiled.program else {
                return fallback();
            };
            BASE.with(|base| {
                let mut ctx = base.new_inner_scope();
                ctx.add_variable_from_value("v", text.to_string());
                match catch_unwind(AssertUnwindSafe(|| program.execute(&ctx))) {
                    Ok(Ok(v)) => v,
                    _ => fallback(),
                }
            })
        }
        _ => fallback(),
    }
}
