//! A pod's scheduling constraints: `ValidateTolerations` with `validateTaintEffect`
//! (pkg/apis/core/validation/validation.go). Affinity and topology spread constraints are
//! not checked.

use kobj_core::FieldError;
use serde_json::Value;

use super::pod::str_of;
use crate::meta;

/// `ValidateTolerations`.
pub(super) fn tolerations(list: &[Value], path: &str, errs: &mut Vec<FieldError>) {
    for (i, toleration) in list.iter().enumerate() {
        let at = format!("{path}[{i}]");
        let key = str_of(toleration, "key");
        let operator = str_of(toleration, "operator");
        let value = str_of(toleration, "value");
        let effect = str_of(toleration, "effect");
        if !key.is_empty() {
            for m in meta::qualified_name_errors(key) {
                errs.push(FieldError::invalid(
                    format!("{at}.key"),
                    Value::String(key.into()),
                    m,
                ));
            }
        }
        if key.is_empty() && operator != "Exists" {
            errs.push(FieldError::invalid(
                format!("{at}.operator"),
                Value::String(operator.into()),
                "operator must be Exists when `key` is empty, which means \"match all values and all keys\"",
            ));
        }
        if toleration
            .get("tolerationSeconds")
            .is_some_and(|s| !s.is_null())
            && effect != "NoExecute"
        {
            errs.push(FieldError::invalid(
                format!("{at}.effect"),
                Value::String(effect.into()),
                "effect must be 'NoExecute' when `tolerationSeconds` is set",
            ));
        }
        match operator {
            "Equal" | "" => {
                let msgs = meta::label_value_errors(value);
                if !msgs.is_empty() {
                    errs.push(FieldError::invalid(
                        format!("{at}.operator"),
                        Value::String(value.into()),
                        msgs.join(";"),
                    ));
                }
            }
            "Exists" => {
                if !value.is_empty() {
                    errs.push(FieldError::invalid(
                        format!("{at}.operator"),
                        Value::String(value.into()),
                        "value must be empty when `operator` is 'Exists'",
                    ));
                }
            }
            other => errs.push(FieldError::not_supported(
                format!("{at}.operator"),
                other,
                &["Equal", "Exists"],
            )),
        }
        if !effect.is_empty() && !["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(&effect)
        {
            errs.push(FieldError::not_supported(
                format!("{at}.effect"),
                effect,
                &["NoSchedule", "PreferNoSchedule", "NoExecute"],
            ));
        }
    }
}
