//! structured-merge-diff's validation of an applied configuration's scalars against a
//! built-in kind's schema (`validateScalar` in typed/validate.go), with its texts, which print
//! the offending value with Go's `%T`, `%#v` or `%v` of its unstructured form (`gofmt`).

use serde_json::Value;

use super::gofmt::{go_sharp_v, go_type, go_v};
use crate::builtins::json_decode::SmdField;

/// The error for `value` in a field of kind `field`, if it does not fit (`null` always does).
pub(super) fn scalar_error(field: SmdField, value: &Value) -> Option<String> {
    if value.is_null() {
        return None;
    }
    match field {
        SmdField::Numeric if !value.is_number() => Some(format!(
            "expected numeric (int or float), got {}",
            go_type(value)
        )),
        SmdField::String if !value.is_string() => Some(format!(
            "expected string, got &value.valueUnstructured{{Value:{}}}",
            go_sharp_v(value)
        )),
        SmdField::Boolean if !value.is_boolean() => {
            Some(format!("expected boolean, got &{{{}}}", go_v(value)))
        }
        SmdField::Untyped if value.is_object() || value.is_array() => {
            Some(format!("expected any scalar, got &{{{}}}", go_v(value)))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::scalar_error;
    use crate::builtins::json_decode::SmdField;

    #[test]
    fn texts_are_structured_merge_diffs() {
        let cases = [
            (
                SmdField::Numeric,
                json!("3"),
                Some("expected numeric (int or float), got string"),
            ),
            (
                SmdField::Numeric,
                json!({"a": 1}),
                Some("expected numeric (int or float), got map[string]interface {}"),
            ),
            (SmdField::Numeric, json!(1.5), None),
            (
                SmdField::String,
                json!(1),
                Some("expected string, got &value.valueUnstructured{Value:1}"),
            ),
            (
                SmdField::String,
                json!(true),
                Some("expected string, got &value.valueUnstructured{Value:true}"),
            ),
            (
                SmdField::String,
                json!(["a", 1]),
                Some(
                    "expected string, got &value.valueUnstructured{Value:[]interface {}{\"a\", 1}}",
                ),
            ),
            (
                SmdField::Boolean,
                json!("yes"),
                Some("expected boolean, got &{yes}"),
            ),
            (
                SmdField::Untyped,
                json!({"a": "b"}),
                Some("expected any scalar, got &{map[a:b]}"),
            ),
            (SmdField::Untyped, json!(1), None),
            (SmdField::Composite, json!(1), None),
            (SmdField::String, json!(null), None),
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
