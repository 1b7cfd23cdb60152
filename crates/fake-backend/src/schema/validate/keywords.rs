//! The value keywords of kube-openapi's validator: `stringValidator` (maxLength, minLength,
//! pattern), `numberValidator` (multipleOf, minimum, maximum) and `basicCommonValidator` (enum).

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::JSONSchemaProps;
use serde_json::Value;

use super::super::go::{self, GoNumber};
use super::super::{Path, pattern};
use super::{Code, Failure, Outcome};

/// kube-openapi's `stringValidator`: maxLength, minLength, then pattern; the first failure wins.
pub(super) fn check_string(s: &JSONSchemaProps, text: &str, path: &Path<'_>) -> Outcome {
    let value = || Some(Value::String(text.to_string()));
    let name = || path.openapi();
    let runes = || i64::try_from(text.chars().count()).unwrap_or(i64::MAX);
    if let Some(max) = s.max_length
        && runes() > max
    {
        let mut f = Failure::new(
            Code::TooLong,
            path,
            value(),
            format!("{} in body should be at most {max} chars long", name()),
        );
        f.valid = Some(max);
        return Outcome::failed(f);
    }
    if let Some(min) = s.min_length
        && runes() < min
    {
        return Outcome::failed(Failure::new(
            Code::Other,
            path,
            value(),
            format!("{} in body should be at least {min} chars long", name()),
        ));
    }
    if let Some(pat) = s.pattern.as_deref().filter(|p| !p.is_empty()) {
        match pattern::is_match(pat, text) {
            Ok(true) => {}
            Ok(false) => {
                return Outcome::failed(Failure::new(
                    Code::Other,
                    path,
                    value(),
                    format!("{} in body should match '{pat}'", name()),
                ));
            }
            Err(err) => {
                return Outcome::failed(Failure::new(
                    Code::Other,
                    path,
                    value(),
                    format!(
                        "{} in body should match '{pat}, but pattern is invalid: {err}'",
                        name()
                    ),
                ));
            }
        }
    }
    Outcome::default()
}

/// kube-openapi's `numberValidator`: multipleOf, minimum, maximum (all reported).
pub(super) fn check_number(
    s: &JSONSchemaProps,
    n: GoNumber,
    data: &Value,
    path: &Path<'_>,
) -> Outcome {
    let mut out = Outcome {
        errors: Vec::new(),
        matches: 1,
    };
    let fail =
        |message: String, value: Value| Failure::new(Code::Other, path, Some(value), message);
    let name = path.openapi();

    if let Some(factor) = s.multiple_of {
        let int_factor = go::f64_to_i64(factor);
        match n {
            GoNumber::Int(i) if int_factor != 0 => {
                if int_factor < 0 {
                    out.add(fail(
                        format!(
                            "factor MultipleOf declared for {name} must be positive: {int_factor}"
                        ),
                        Value::from(int_factor),
                    ));
                } else if i.wrapping_div(int_factor).wrapping_mul(int_factor) != i {
                    out.add(fail(
                        format!("{name} in body should be a multiple of {int_factor}"),
                        data.clone(),
                    ));
                }
            }
            _ => {
                let f = n.as_f64();
                if factor < 0.0 {
                    out.add(fail(
                        format!(
                            "factor MultipleOf declared for {name} must be positive: {}",
                            go::format_float(factor)
                        ),
                        Value::from(factor),
                    ));
                } else {
                    let mult = if factor < 1.0 {
                        1.0 / factor * f
                    } else {
                        f / factor
                    };
                    if !go::is_float_a_json_integer(mult) {
                        out.add(fail(
                            format!(
                                "{name} in body should be a multiple of {}",
                                go::format_float(factor)
                            ),
                            data.clone(),
                        ));
                    }
                }
            }
        }
    }

    let exclusive_min = s.exclusive_minimum == Some(true);
    if let Some(min) = s.minimum {
        let (below, shown) = match n {
            GoNumber::Int(i) => {
                let m = go::f64_to_i64(min);
                (if exclusive_min { i <= m } else { i < m }, m.to_string())
            }
            GoNumber::Float(f) => (
                if exclusive_min { f <= min } else { f < min },
                go::format_float(min),
            ),
        };
        if below {
            let op = if exclusive_min {
                "greater than"
            } else {
                "greater than or equal to"
            };
            out.add(fail(
                format!("{name} in body should be {op} {shown}"),
                data.clone(),
            ));
        }
    }

    let exclusive_max = s.exclusive_maximum == Some(true);
    if let Some(max) = s.maximum {
        let (above, shown) = match n {
            GoNumber::Int(i) => {
                let m = go::f64_to_i64(max);
                (if exclusive_max { i >= m } else { i > m }, m.to_string())
            }
            GoNumber::Float(f) => (
                if exclusive_max { f >= max } else { f > max },
                go::format_float(max),
            ),
        };
        if above {
            let op = if exclusive_max {
                "less than"
            } else {
                "less than or equal to"
            };
            out.add(fail(
                format!("{name} in body should be {op} {shown}"),
                data.clone(),
            ));
        }
    }
    out
}

/// kube-openapi's `basicCommonValidator`: the value must convert (as Go's reflect would) to one
/// of the enum values.
pub(super) fn check_enum(s: &JSONSchemaProps, data: &Value, path: &Path<'_>) -> Outcome {
    let Some(values) = s.enum_.as_deref().filter(|e| !e.is_empty()) else {
        return Outcome::default();
    };
    if values.iter().any(|e| enum_matches(data, &e.0)) {
        return Outcome::default();
    }
    let shown: Vec<String> = values.iter().map(|v| go::json(&v.0)).collect();
    let mut f = Failure::new(
        Code::Enum,
        path,
        Some(data.clone()),
        format!(
            "{} in body should be one of [{}]",
            path.openapi(),
            shown.join(" ")
        ),
    );
    f.values = values.iter().map(|v| v.0.clone()).collect();
    Outcome::failed(f)
}

/// `reflect.ValueOf(data).Convert(TypeOf(enum))` followed by `DeepEqual`.
fn enum_matches(data: &Value, allowed: &Value) -> bool {
    match (allowed, data) {
        (Value::Null, _) | (_, Value::Null) => false,
        (Value::String(a), Value::String(d)) => a == d,
        (Value::String(a), Value::Number(_)) => match GoNumber::of(data) {
            // Go converts an integer to the string of that code point.
            Some(GoNumber::Int(i)) => {
                let c = u32::try_from(i)
                    .ok()
                    .and_then(char::from_u32)
                    .unwrap_or('\u{FFFD}');
                a.chars().eq(std::iter::once(c))
            }
            _ => false,
        },
        (Value::Number(_), Value::Number(_)) => match (GoNumber::of(allowed), GoNumber::of(data)) {
            (Some(GoNumber::Int(a)), Some(GoNumber::Int(d))) => a == d,
            (Some(GoNumber::Int(a)), Some(GoNumber::Float(d))) => go::f64_to_i64(d) == a,
            (Some(GoNumber::Float(a)), Some(d)) => d.as_f64() == a,
            _ => false,
        },
        (Value::Bool(a), Value::Bool(d)) => a == d,
        (Value::Object(_), Value::Object(_)) | (Value::Array(_), Value::Array(_)) => {
            allowed == data
        }
        _ => false,
    }
}
