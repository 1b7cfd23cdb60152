//! Go's `%v` rendering of decoded JSON (`map[k:v]`, `[a b]`, `<nil>`), for the strategic merge
//! patch error texts that print patch fragments, and `%#v` for structured-merge-diff's.

use serde_json::Value;

/// `fmt.Sprintf("%v", v)` for a value decoded by Go's `encoding/json` into `interface{}`.
pub(crate) fn go_v(value: &Value) -> String {
    let mut out = String::new();
    write_v(value, &mut out);
    out
}

fn write_v(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => out.push_str(&i.to_string()),
            (None, Some(u), _) => out.push_str(&u.to_string()),
            (None, None, Some(f)) => out.push_str(&go_float(f)),
            _ => out.push_str(&n.to_string()),
        },
        Value::String(s) => out.push_str(s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_v(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push_str("map[");
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                write_v(v, out);
            }
            out.push(']');
        }
    }
}

/// Go's `%v` for a float64 (`%g` with the shortest representation).
fn go_float(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-4..1e21).contains(&abs) {
        let s = format!("{f:e}");
        // Rust prints `1e21`, Go prints `1e+21`.
        match s.split_once('e') {
            Some((m, e)) if !e.starts_with('-') => {
                format!(
                    "{m}e+{}",
                    if e.len() < 2 {
                        format!("0{e}")
                    } else {
                        e.to_string()
                    }
                )
            }
            Some((m, e)) => {
                let digits = &e[1..];
                format!(
                    "{m}e-{}",
                    if digits.len() < 2 {
                        format!("0{digits}")
                    } else {
                        digits.to_string()
                    }
                )
            }
            None => s,
        }
    } else {
        format!("{f}")
    }
}

/// `fmt.Sprintf("%#v", v)` for a value decoded into `interface{}`: Go syntax, maps with
/// their keys sorted as fmt prints them.
pub(crate) fn go_sharp_v(value: &Value) -> String {
    match value {
        Value::Null => "interface {}(nil)".into(),
        Value::String(s) => format!("{s:?}"),
        Value::Array(items) => format!(
            "[]interface {{}}{{{}}}",
            items.iter().map(go_sharp_v).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(map) => format!(
            "map[string]interface {{}}{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{k:?}:{}", go_sharp_v(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        scalar => go_v(scalar),
    }
}

/// The Go type name of a decoded JSON value (`map[string]interface {}`, `[]interface {}`, …).
pub(crate) fn go_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float64",
        Value::Number(_) => "int64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

/// `%s` of a value: strings as they are, anything else as Go's `%!s(<type>=<v>)`.
pub(crate) fn go_s(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "%!s(<nil>)".to_string(),
        other => format!("%!s({}={})", go_type(other), go_v(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renders_like_go() {
        assert_eq!(
            go_v(&json!({"name": "a", "$patch": "x", "n": 1, "l": [1, "b", null], "f": 1.5})),
            "map[$patch:x f:1.5 l:[1 b <nil>] n:1 name:a]"
        );
        assert_eq!(go_v(&json!(1e21)), "1e+21");
        assert_eq!(go_s(&json!(true)), "%!s(bool=true)");
        assert_eq!(go_type(&json!([])), "[]interface {}");
    }
}
