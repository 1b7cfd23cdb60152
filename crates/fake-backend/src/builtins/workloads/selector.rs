//! A workload's `spec.selector`: `ValidateLabelSelector` and
//! `ValidateLabelSelectorRequirement` (k8s.io/apimachinery `pkg/apis/meta/v1/validation`),
//! and whether it selects the pod template's labels (`LabelSelectorAsSelector` and
//! `Selector.Matches`, through [`kobj_core::selector::LabelSelector`]).

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector as MetaLabelSelector;
use kobj_core::FieldError;
use kobj_core::selector::LabelSelector;
use serde_json::{Map, Value};

use crate::meta;

/// `ValidateLabelSelector` with `AllowInvalidLabelValueInSelector: false`, the workloads'
/// strict form: `matchLabels` as labels, then each requirement of `matchExpressions`.
pub(crate) fn validate(selector: &Map<String, Value>, path: &str, errs: &mut Vec<FieldError>) {
    if let Some(labels) = selector.get("matchLabels").and_then(Value::as_object) {
        meta::labels_errors(labels, &format!("{path}.matchLabels"), errs);
    }
    let expressions = selector.get("matchExpressions").and_then(Value::as_array);
    for (i, expr) in expressions.into_iter().flatten().enumerate() {
        requirement(expr, &format!("{path}.matchExpressions[{i}]"), errs);
    }
}

/// `ValidateLabelSelectorRequirement`.
fn requirement(expr: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let operator = expr.get("operator").and_then(Value::as_str).unwrap_or("");
    let values: &[Value] = expr
        .get("values")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice);
    match operator {
        "In" | "NotIn" if values.is_empty() => errs.push(FieldError::required(
            format!("{path}.values"),
            "must be specified when `operator` is 'In' or 'NotIn'",
        )),
        "Exists" | "DoesNotExist" if !values.is_empty() => errs.push(FieldError::forbidden(
            format!("{path}.values"),
            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
        )),
        "In" | "NotIn" | "Exists" | "DoesNotExist" => {}
        other => errs.push(FieldError::invalid(
            format!("{path}.operator"),
            Value::String(other.to_string()),
            "not a valid selector operator",
        )),
    }
    let key = expr.get("key").and_then(Value::as_str).unwrap_or("");
    for m in meta::qualified_name_errors(key) {
        errs.push(FieldError::invalid(
            format!("{path}.key"),
            Value::String(key.to_string()),
            m,
        ));
    }
    for (i, value) in values.iter().enumerate() {
        let value = value.as_str().unwrap_or("");
        for m in meta::label_value_errors(value) {
            errs.push(FieldError::invalid(
                format!("{path}.values[{i}]"),
                Value::String(value.to_string()),
                m,
            ));
        }
    }
}

/// What `metav1.LabelSelectorAsSelector` makes of `spec.selector`.
pub(super) enum Converted {
    /// No selector (`nil`): `labels.Nothing()`, which is not empty and matches nothing.
    Nothing,
    /// A selector; an empty one selects everything.
    Selector(LabelSelector),
    /// The conversion failed (an operator or a requirement `labels.NewRequirement`
    /// refuses).
    Invalid,
}

impl Converted {
    /// Converts `spec.selector` (absent or `null` is no selector).
    pub(super) fn of(selector: Option<&Value>) -> Self {
        let Some(selector) = selector.filter(|s| !s.is_null()) else {
            return Self::Nothing;
        };
        match serde_json::from_value::<MetaLabelSelector>(selector.clone())
            .ok()
            .map(|s| LabelSelector::from_label_selector(&s))
        {
            Some(Ok(s)) => Self::Selector(s),
            _ => Self::Invalid,
        }
    }

    /// `!selector.Empty() && !selector.Matches(labels)`: the check of a template's labels.
    pub(super) fn refuses(&self, labels: Option<&Map<String, Value>>) -> bool {
        match self {
            Self::Nothing => true,
            Self::Invalid => false,
            Self::Selector(s) => {
                if s.is_empty() {
                    return false;
                }
                let set: BTreeMap<String, String> = labels
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                    .collect();
                !s.matches(&set)
            }
        }
    }
}

/// Whether `spec.selector` has neither `matchLabels` nor `matchExpressions` entries.
pub(super) fn is_empty(selector: &Map<String, Value>) -> bool {
    let count = |key: &str| match selector.get(key) {
        Some(Value::Object(m)) => m.len(),
        Some(Value::Array(a)) => a.len(),
        _ => 0,
    };
    count("matchLabels") + count("matchExpressions") == 0
}
