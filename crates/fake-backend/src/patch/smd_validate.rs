//! structured-merge-diff's validation of an applied configuration's scalars against a
//! built-in kind's schema (`validateScalar` in typed/validate.go), with its texts, which print
//! the offending value with Go's `%T`, `%#v` or `%v` of its unstructured form (`gofmt`).

use serde_json::Value;

use super::gofmt::{go_sharp_v, go_type, go_v};
use crate::builtins::json_decode::SmdScalar;

/// `ValidationErrors.Error()`: one error alone, several under `errors:`, one per line.
pub(crate) fn validation_errors(errors: &[String]) -> String {
    match errors {
        [one] => one.clone(),
        many => format!("errors:\n  {}", many.join("\n  ")),
    }
}

/// The error for `value` in a field of scalar type `field`, if it does not fit (`null`
/// always does).
pub(super) fn scalar_error(field: SmdScalar, value: &Value) -> Option<String> {
    if value.is_null() {
        return None;
    }
    match field {
        SmdScalar::Numeric if !value.is_number() => Some(format!(
            "expected numeric (int or float), got {}",
            go_type(value)
        )),
        SmdScalar::String if !value.is_string() => Some(format!(
            "expected string, got &value.valueUnstructured{{Value:{}}}",
            go_sharp_v(value)
        )),
        SmdScalar::Boolean if !value.is_boolean() => {
            Some(format!("expected boolean, got &{{{}}}", go_v(value)))
        }
        SmdScalar::Untyped if value.is_object() || value.is_array() => {
            Some(format!("expected any scalar, got &{{{}}}", go_v(value)))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::scalar_error;
    use crate::builtins::json_decode::SmdScalar;

    #[test]
    fn texts_are_structured_merge_diffs() {
        let cases = [
            (
                SmdScalar::Numeric,
                json!("3"),
                Some("expected numeric (int or float), got string"),
            ),
            (
                SmdScalar::Numeric,
                json!({"a": 1}),
                Some("expected numeric (int or float), got map[string]interface {}"),
            ),
            (SmdScalar::Numeric, json!(1.5), None),
            (
                SmdScalar::String,
                json!(1),
                Some("expected string, got &value.valueUnstructured{Value:1}"),
            ),
            (
                SmdScalar::String,
                json!(true),
                Some("expected string, got &value.valueUnstructured{Value:true}"),
            ),
            (
                SmdScalar::String,
                json!(["a", 1]),
                Some(
                    "expected string, got &value.valueUnstructured{Value:[]interface {}{\"a\", 1}}",
                ),
            ),
            (
                SmdScalar::Boolean,
                json!("yes"),
                Some("expected boolean, got &{yes}"),
            ),
            (
                SmdScalar::Untyped,
                json!({"a": "b"}),
                Some("expected any scalar, got &{map[a:b]}"),
            ),
            (SmdScalar::Untyped, json!(1), None),
            (SmdScalar::String, json!(null), None),
        ];
        for (field, value, want) in cases {
            assert_eq!(
                scalar_error(field, &value).as_deref(),
                want,
                "{field:?} {value}"
            );
        }
    }
}
