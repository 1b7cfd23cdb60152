//! Turns one protobuf message into the JSON object Go's `encoding/json` would write for the
//! struct it decodes to, by the layout in `table.rs`.
//!
//! gogo-protobuf writes every non-pointer scalar, zero or not; the struct's JSON leaves a
//! zero `omitempty` field out and the server's own zero-field filling adds the others, so a
//! zero scalar is left out here unless it is a Go pointer. Unknown field numbers are skipped,
//! as Go's generated `Unmarshal` skips them.

use base64::Engine as _;
use k8s_openapi::jiff::Timestamp;
use kobj_core::Result;
use serde_json::{Map, Number, Value};

use super::table::{Scalar, Shape, Table};
use super::wire::{Reader, Wire, malformed};

/// Messages nest no deeper than this (the built-in types nest about a dozen levels).
const MAX_DEPTH: usize = 64;

/// Go's zero `time.Time` (0001-01-01T00:00:00Z) in Unix seconds: an unset timestamp.
pub(super) const GO_ZERO_TIME: i64 = -62_135_596_800;

/// Decodes message `ty` of the table from `bytes` into `out`.
pub(super) fn message_into(
    table: &Table,
    ty: usize,
    bytes: &[u8],
    out: &mut Map<String, Value>,
    depth: usize,
) -> Result<()> {
    if depth > MAX_DEPTH {
        return Err(malformed());
    }
    let message = table.message(ty).ok_or_else(malformed)?;
    let mut r = Reader::new(bytes);
    while let Some((number, wire)) = r.next()? {
        let Some(field) = message.field(number) else {
            continue;
        };
        match &field.shape {
            Shape::Inline(inner) => {
                let Wire::Bytes(b) = wire else {
                    return Err(malformed());
                };
                message_into(table, *inner, b, out, depth + 1)?;
            }
            Shape::List(item) => {
                let list = out
                    .entry(field.json.clone())
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(list) = list {
                    push_items(table, item, wire, list, depth)?;
                }
            }
            Shape::Map(value_shape) => {
                let Wire::Bytes(b) = wire else {
                    return Err(malformed());
                };
                let (key, value) = map_entry(table, value_shape, b, depth)?;
                let map = out
                    .entry(field.json.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(map) = map {
                    map.insert(key, value);
                }
            }
            shape => {
                if let Some(value) = field_value(table, shape, wire, depth)? {
                    out.insert(field.json.clone(), value);
                } else {
                    out.remove(&field.json);
                }
            }
        }
    }
    Ok(())
}

/// A singular field's JSON value; `None` for a zero scalar that is not a pointer.
fn field_value(
    table: &Table,
    shape: &Shape,
    wire: Wire<'_>,
    depth: usize,
) -> Result<Option<Value>> {
    match shape {
        Shape::Scalar { scalar, keep_zero } => {
            let value = scalar_value(*scalar, wire)?;
            Ok(value.filter(|v| *keep_zero || !is_zero(*scalar, v)))
        }
        Shape::Message(ty) => {
            let Wire::Bytes(b) = wire else {
                return Err(malformed());
            };
            let mut object = Map::new();
            message_into(table, *ty, b, &mut object, depth + 1)?;
            Ok(Some(Value::Object(object)))
        }
        Shape::Wrapped(item) => {
            let Wire::Bytes(b) = wire else {
                return Err(malformed());
            };
            let mut items = Vec::new();
            let mut r = Reader::new(b);
            while let Some((number, wire)) = r.next()? {
                if number == 1 {
                    push_items(table, item, wire, &mut items, depth + 1)?;
                }
            }
            Ok(Some(Value::Array(items)))
        }
        // Lists, maps and inlined messages are handled by the caller; nested in a list or
        // a map they are not something go-to-protobuf generates.
        Shape::List(_) | Shape::Map(_) | Shape::Inline(_) => Err(malformed()),
    }
}

/// Appends one occurrence of a repeated field: one item, or a packed run of scalars.
fn push_items(
    table: &Table,
    item: &Shape,
    wire: Wire<'_>,
    list: &mut Vec<Value>,
    depth: usize,
) -> Result<()> {
    if let (Shape::Scalar { scalar, .. }, Wire::Bytes(b)) = (item, wire) {
        let packed = match scalar {
            Scalar::Bool | Scalar::Int => Some(false),
            Scalar::Float => Some(true),
            _ => None,
        };
        if let Some(fixed) = packed {
            let mut r = Reader::new(b);
            while !r.at_end() {
                let wire = if fixed {
                    Wire::Fixed64(r.fixed64()?)
                } else {
                    Wire::Varint(r.varint()?)
                };
                list.extend(scalar_value(*scalar, wire)?);
            }
            return Ok(());
        }
    }
    if let Shape::Scalar { scalar, .. } = item {
        // Items of a list keep their zero values ("" in a list of strings is an item).
        list.extend(scalar_value(*scalar, wire)?.or_else(|| zero_of(item)));
        return Ok(());
    }
    list.extend(field_value(table, item, wire, depth)?);
    Ok(())
}

/// One map entry: the key (field 1) and the value (field 2, its zero value when absent).
fn map_entry(table: &Table, shape: &Shape, bytes: &[u8], depth: usize) -> Result<(String, Value)> {
    let mut r = Reader::new(bytes);
    let (mut key, mut value) = (String::new(), None);
    while let Some((number, wire)) = r.next()? {
        match (number, wire) {
            (1, Wire::Bytes(b)) => key = text(b)?,
            (1, _) => return Err(malformed()),
            (2, wire) => {
                value = match shape {
                    Shape::Scalar { scalar, .. } => scalar_value(*scalar, wire)?,
                    shape => field_value(table, shape, wire, depth + 1)?,
                }
            }
            _ => {}
        }
    }
    let value = value.or_else(|| zero_of(shape)).unwrap_or(Value::Null);
    Ok((key, value))
}

/// The JSON of a shape's Go zero value, for a map value or list item the body left empty.
fn zero_of(shape: &Shape) -> Option<Value> {
    Some(match shape {
        Shape::Scalar { scalar, .. } => match scalar {
            Scalar::Str | Scalar::Bytes => Value::String(String::new()),
            Scalar::Bool => Value::Bool(false),
            Scalar::Int | Scalar::IntOrString => Value::from(0),
            Scalar::Float => Value::from(0.0),
            Scalar::Quantity => Value::String("0".into()),
            Scalar::Duration => Value::String("0s".into()),
            Scalar::Time | Scalar::MicroTime | Scalar::Raw => Value::Null,
        },
        Shape::Message(_) | Shape::Inline(_) => Value::Object(Map::new()),
        Shape::List(_) | Shape::Wrapped(_) => Value::Array(Vec::new()),
        Shape::Map(_) => Value::Object(Map::new()),
    })
}

fn is_zero(scalar: Scalar, value: &Value) -> bool {
    match (scalar, value) {
        (_, Value::Null) => true,
        (Scalar::Str | Scalar::Bytes, Value::String(s)) => s.is_empty(),
        (Scalar::Bool, Value::Bool(b)) => !b,
        (Scalar::Int | Scalar::Float | Scalar::IntOrString, Value::Number(n)) => {
            n.as_f64() == Some(0.0)
        }
        (Scalar::IntOrString, Value::String(s)) => s.is_empty(),
        _ => false,
    }
}

fn text(bytes: &[u8]) -> Result<String> {
    String::from_utf8(bytes.to_vec()).map_err(|_| malformed())
}

fn bytes_of(wire: Wire<'_>) -> Result<&[u8]> {
    match wire {
        Wire::Bytes(b) => Ok(b),
        _ => Err(malformed()),
    }
}

/// A scalar's JSON; `None` for a timestamp at Go's zero time or an empty raw extension
/// (both `null` in Go's JSON, so left out).
fn scalar_value(scalar: Scalar, wire: Wire<'_>) -> Result<Option<Value>> {
    Ok(Some(match (scalar, wire) {
        (Scalar::Str, Wire::Bytes(b)) => Value::String(text(b)?),
        (Scalar::Bool, Wire::Varint(v)) => Value::Bool(v != 0),
        // int32 fields carry negative values sign-extended to 64 bits.
        (Scalar::Int, Wire::Varint(v)) => Value::from(v.cast_signed()),
        (Scalar::Float, Wire::Fixed64(v)) => {
            Number::from_f64(f64::from_bits(v)).map_or(Value::Null, Value::Number)
        }
        (Scalar::Float, Wire::Fixed32(v)) => {
            Number::from_f64(f64::from(f32::from_bits(v))).map_or(Value::Null, Value::Number)
        }
        (Scalar::Bytes, Wire::Bytes(b)) => {
            Value::String(base64::engine::general_purpose::STANDARD.encode(b))
        }
        (Scalar::Quantity, Wire::Bytes(b)) => {
            let mut q = String::new();
            let mut r = Reader::new(b);
            while let Some((number, wire)) = r.next()? {
                if number == 1 {
                    q = text(bytes_of(wire)?)?;
                }
            }
            Value::String(if q.is_empty() { "0".into() } else { q })
        }
        (Scalar::IntOrString, Wire::Bytes(b)) => int_or_string(b)?,
        (Scalar::Time | Scalar::MicroTime, Wire::Bytes(b)) => {
            return time(b, scalar == Scalar::MicroTime);
        }
        (Scalar::Duration, Wire::Bytes(b)) => {
            let mut nanos = 0i64;
            let mut r = Reader::new(b);
            while let Some((number, wire)) = r.next()? {
                if let (1, Wire::Varint(v)) = (number, wire) {
                    nanos = v.cast_signed();
                }
            }
            Value::String(go_duration(nanos))
        }
        (Scalar::Raw, Wire::Bytes(b)) => {
            let mut raw: &[u8] = &[];
            let mut r = Reader::new(b);
            while let Some((number, wire)) = r.next()? {
                if number == 1 {
                    raw = bytes_of(wire)?;
                }
            }
            if raw.is_empty() {
                return Ok(None);
            }
            serde_json::from_slice(raw).map_err(|_| malformed())?
        }
        _ => return Err(malformed()),
    }))
}

/// `intstr.IntOrString`: type 1 (0 int, 1 string), intVal 2, strVal 3.
fn int_or_string(bytes: &[u8]) -> Result<Value> {
    let (mut is_string, mut int, mut string) = (false, 0i64, String::new());
    let mut r = Reader::new(bytes);
    while let Some((number, wire)) = r.next()? {
        match (number, wire) {
            (1, Wire::Varint(v)) => is_string = v == 1,
            (2, Wire::Varint(v)) => int = i64::from(v as i32),
            (3, Wire::Bytes(b)) => string = text(b)?,
            (1..=3, _) => return Err(malformed()),
            _ => {}
        }
    }
    Ok(if is_string {
        Value::String(string)
    } else {
        Value::from(int)
    })
}

/// `metav1.Time` (RFC 3339 in seconds) or `metav1.MicroTime` (six fractional digits):
/// seconds 1, nanos 2; `None` for Go's zero time and for an empty message.
fn time(bytes: &[u8], micro: bool) -> Result<Option<Value>> {
    // `Time.Unmarshal`: an empty message is the zero time (Go marshals a zero time, and a
    // Timestamp whose fields are all zero, as no bytes).
    if bytes.is_empty() {
        return Ok(None);
    }
    let (mut seconds, mut nanos) = (0i64, 0i64);
    let mut r = Reader::new(bytes);
    while let Some((number, wire)) = r.next()? {
        match (number, wire) {
            (1, Wire::Varint(v)) => seconds = v.cast_signed(),
            (2, Wire::Varint(v)) => nanos = i64::from(v as i32),
            (1 | 2, _) => return Err(malformed()),
            _ => {}
        }
    }
    if seconds == GO_ZERO_TIME && nanos == 0 {
        return Ok(None);
    }
    let whole = Timestamp::from_second(seconds).map_err(|_| malformed())?;
    let text = whole.to_string();
    if !micro {
        return Ok(Some(Value::String(text)));
    }
    let base = text.strip_suffix('Z').unwrap_or(&text);
    let micros = nanos.clamp(0, 999_999_999) / 1_000;
    Ok(Some(Value::String(format!("{base}.{micros:06}Z"))))
}

/// Go's `time.Duration.String()`: `1h2m3.5s`, `1.5ms`, `0s`.
fn go_duration(nanos: i64) -> String {
    // Go's fmtFrac: the digits of v % 10^prec with trailing zeros dropped, and v / 10^prec.
    fn frac(v: u64, prec: u32) -> (String, u64) {
        let scale = 10u64.pow(prec);
        let (int, mut rem) = (v / scale, v % scale);
        if rem == 0 {
            return (String::new(), int);
        }
        let mut width = prec as usize;
        while rem % 10 == 0 {
            rem /= 10;
            width -= 1;
        }
        (format!(".{rem:0width$}"), int)
    }
    if nanos == 0 {
        return "0s".into();
    }
    let sign = if nanos < 0 { "-" } else { "" };
    let u = nanos.unsigned_abs();
    if u < 1_000_000_000 {
        let (prec, unit) = match u {
            0..1_000 => (0, "ns"),
            1_000..1_000_000 => (3, "µs"),
            _ => (6, "ms"),
        };
        let (f, int) = frac(u, prec);
        return format!("{sign}{int}{f}{unit}");
    }
    let (f, secs) = frac(u, 9);
    let (s, mins) = (secs % 60, secs / 60);
    let mut out = format!("{s}{f}s");
    if mins > 0 {
        out = format!("{}m{out}", mins % 60);
        let hours = mins / 60;
        if hours > 0 {
            out = format!("{hours}h{out}");
        }
    }
    format!("{sign}{out}")
}

#[cfg(test)]
pub(super) fn go_duration_for_tests(nanos: i64) -> String {
    go_duration(nanos)
}
