//! `ValidatePodDisruptionBudgetSpec` (pkg/apis/policy/validation/validation.go): at most
//! one of `minAvailable` and `maxUnavailable`, each a non-negative integer or a percent of at
//! most 100, and the selector a valid label selector. (`unhealthyPodEvictionPolicy` is not
//! checked.)

use kobj_core::FieldError;
use serde_json::Value;

use super::Spec;
use super::apps::{not_more_than_100_percent, positive_int_or_percent};

pub(super) fn pod_disruption_budget(spec: &Spec<'_>, errs: &mut Vec<FieldError>) {
    let min = spec.get("minAvailable");
    let max = spec.get("maxUnavailable");
    if min.is_some() && max.is_some() {
        // The internal `policy.PodDisruptionBudgetSpec` as the server prints it: Go field
        // names in declaration order, the selector (an external type) with its JSON names.
        let text = format!(
            "{{\"MinAvailable\":{},\"Selector\":{},\"MaxUnavailable\":{},\"UnhealthyPodEvictionPolicy\":{}}}",
            spec.value("minAvailable"),
            spec.value("selector"),
            spec.value("maxUnavailable"),
            spec.value("unhealthyPodEvictionPolicy"),
        );
        errs.push(
            FieldError::invalid(
                "spec",
                Value::Null,
                "minAvailable and maxUnavailable cannot be both set",
            )
            .with_value_text(text),
        );
    }
    for (value, path) in [(min, "spec.minAvailable"), (max, "spec.maxUnavailable")] {
        if value.is_some() {
            positive_int_or_percent(value, path, errs);
            not_more_than_100_percent(value, path, errs);
        }
    }
    if let Some(selector) = spec.object("selector") {
        super::selector::validate(selector, "spec.selector", errs);
    }
}
