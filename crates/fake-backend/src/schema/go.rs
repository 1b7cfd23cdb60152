//! Go-compatible printing and number semantics used by the API server's messages:
//! `strconv.Quote` (`%q`), `%v` of a `float64`, and go-openapi's `IsFloat64AJSONInteger`.

use std::fmt::Write as _;

use serde_json::Value;

/// A JSON number as the API server's unstructured decoder sees it: an `int64` when the text is
/// an integer that fits, a `float64` otherwise.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum GoNumber {
    /// `int64`.
    Int(i64),
    /// `float64`.
    Float(f64),
}

impl GoNumber {
    /// Classifies a JSON value; `None` when it is not a number.
    pub(crate) fn of(value: &Value) -> Option<Self> {
        let Value::Number(n) = value else {
            return None;
        };
        if let Some(i) = n.as_i64() {
            return Some(Self::Int(i));
        }
        // u64 beyond i64::MAX and real numbers decode to float64 in Go.
        n.as_f64().map(Self::Float)
    }

    /// The value as a `float64`.
    pub(crate) fn as_f64(self) -> f64 {
        match self {
            // Precision loss is what Go's float64(int64) does too.
            #[allow(clippy::cast_precision_loss)]
            Self::Int(i) => i as f64,
            Self::Float(f) => f,
        }
    }
}

/// Go's `int64(f)` for a `float64`: truncation toward zero (saturating where Go's result is
/// implementation-defined).
#[allow(clippy::cast_possible_truncation)]
pub(crate) fn f64_to_i64(f: f64) -> i64 {
    if f.is_nan() { 0 } else { f as i64 }
}

/// `strconv.Quote`: a double-quoted Go string literal.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if is_go_printable(c) => out.push(c),
            c if (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

/// An approximation of Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols
/// and the ASCII space.
fn is_go_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    // Format characters (soft hyphen, zero-width joiners, bidi marks, BOM) are not printable.
    !matches!(c as u32, 0xAD | 0x200B..=0x200F | 0x2028..=0x202E | 0x2060..=0x206F | 0xFEFF)
}

/// Go's `%v` of a `float64` (`strconv.FormatFloat(f, 'g', -1, 64)`): the shortest digits, in
/// exponent form when the exponent is below -4 or at least 6 (`1e+06`, `1.5e-05`).
pub(crate) fn format_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    // Rust's `{:e}` gives the shortest round-tripping digits: "1.5e3", "-2e-7".
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    // With the shortest precision Go decides with a precision of 6.
    let use_exp = !(-4..6).contains(&exp);
    if use_exp {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let _ = write!(out, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    } else if exp < 0 {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let int_len = (exp + 1) as usize;
        if digits.len() <= int_len {
            out.push_str(&digits);
            for _ in digits.len()..int_len {
                out.push('0');
            }
        } else {
            out.push_str(&digits[..int_len]);
            out.push('.');
            out.push_str(&digits[int_len..]);
        }
    }
    out
}

/// go-openapi's `swag.IsFloat64AJSONInteger`: integral (or within a relative 1e-9 of an
/// integer) and within ±2^53.
pub(crate) fn is_float_a_json_integer(f: f64) -> bool {
    const LIMIT: f64 = 9_007_199_254_740_992.0; // 1 << 53
    const EPSILON: f64 = 1e-9;
    if !f.is_finite() || !(-LIMIT..=LIMIT).contains(&f) {
        return false;
    }
    if f == f.trunc() {
        return true;
    }
    if f < 0.0 {
        // Go's uint64(f) of a negative number is far away from f: never "almost an integer".
        return false;
    }
    let g = f.trunc();
    let diff = (f - g).abs();
    if g == 0.0 || diff < f64::from_bits(1) {
        return diff < EPSILON * f64::from_bits(1);
    }
    diff / (f.abs() + g.abs()).min(f64::MAX) < EPSILON
}

/// `json.Marshal` of a value as Go prints it (maps with sorted keys); serde_json's compact form
/// matches it for the values the API server decodes.
pub(crate) fn json(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let mut out = String::from("{");
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*k).clone()).to_string());
                out.push(':');
                if let Some(v) = map.get(*k) {
                    out.push_str(&json(v));
                }
            }
            out.push('}');
            out
        }
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(json).collect();
            format!("[{}]", parts.join(","))
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn quote_matches_strconv_quote() {
        assert_eq!(quote("abc"), "\"abc\"");
        assert_eq!(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(quote("line\nnext\ttab"), "\"line\\nnext\\ttab\"");
        assert_eq!(quote("\u{0}\u{7f}"), "\"\\x00\\x7f\"");
        assert_eq!(quote("héllo ✓"), "\"héllo ✓\"");
        assert_eq!(quote("\u{200b}"), "\"\\u200b\"");
    }

    #[test]
    fn floats_print_like_go_percent_v() {
        assert_eq!(format_float(10.0), "10");
        assert_eq!(format_float(1.5), "1.5");
        assert_eq!(format_float(-0.25), "-0.25");
        assert_eq!(format_float(0.0001), "0.0001");
        assert_eq!(format_float(0.00001), "1e-05");
        assert_eq!(format_float(100_000.0), "100000");
        assert_eq!(format_float(1e6), "1e+06");
        assert_eq!(format_float(1e21), "1e+21");
        assert_eq!(format_float(123_456_789.0), "1.23456789e+08");
        assert_eq!(format_float(1.234e-7), "1.234e-07");
    }

    #[test]
    fn json_integers_are_recognised() {
        assert!(is_float_a_json_integer(3.0));
        assert!(is_float_a_json_integer(-3.0));
        assert!(!is_float_a_json_integer(3.5));
        assert!(!is_float_a_json_integer(-3.5));
        assert!(is_float_a_json_integer(2.000_000_000_01));
        assert!(!is_float_a_json_integer(1e300));
        assert!(!is_float_a_json_integer(f64::NAN));
    }

    #[test]
    fn go_numbers_follow_the_unstructured_decoder() {
        assert_eq!(GoNumber::of(&json!(5)), Some(GoNumber::Int(5)));
        assert_eq!(GoNumber::of(&json!(5.0)), Some(GoNumber::Float(5.0)));
        assert_eq!(
            GoNumber::of(&json!(u64::MAX)),
            Some(GoNumber::Float(18_446_744_073_709_551_615.0))
        );
        assert_eq!(GoNumber::of(&json!("5")), None);
        assert_eq!(f64_to_i64(2.9), 2);
        assert_eq!(f64_to_i64(-2.9), -2);
        assert_eq!(f64_to_i64(1e300), i64::MAX);
    }

    #[test]
    fn json_sorts_keys() {
        assert_eq!(
            json(&json!({"b": 1, "a": [true, null]})),
            r#"{"a":[true,null],"b":1}"#
        );
    }
}
