//! HorizontalPodAutoscalers, as the server validates them
//! (`validateHorizontalPodAutoscalerSpec`, `ValidateCrossVersionObjectReference`,
//! `validateMetrics`, `validateMetricSpec`, `validateMetricTarget`, `validateBehavior` in
//! pkg/apis/autoscaling/validation), with `HPAScaleToZero` off (its default). Written by
//! hand: no crate reproduces the API server's validation. The object, pods, external and
//! container-resource metric sources are counted but their own fields are not checked.

use kobj_core::FieldError;
use serde_json::Value;

use super::fields::{present, str_of};
use super::quantity::compare_quantities;
use crate::meta;

/// `validateHorizontalPodAutoscalerSpec` (autoscaling/v1 and v2 share these fields).
pub(super) fn horizontal_pod_autoscaler(obj: &Value, errs: &mut Vec<FieldError>) {
    let empty = Value::Object(serde_json::Map::new());
    let spec = obj.get("spec").unwrap_or(&empty);
    let min = spec.get("minReplicas").and_then(Value::as_i64);
    let max = spec.get("maxReplicas").and_then(Value::as_i64).unwrap_or(0);
    if let Some(min) = min.filter(|m| *m < 1) {
        errs.push(FieldError::invalid(
            "spec.minReplicas",
            Value::from(min),
            "must be greater than or equal to 1",
        ));
    }
    if max < 1 {
        errs.push(FieldError::invalid(
            "spec.maxReplicas",
            Value::from(max),
            "must be greater than 0",
        ));
    }
    if min.is_some_and(|min| max < min) {
        errs.push(FieldError::invalid(
            "spec.maxReplicas",
            Value::from(max),
            "must be greater than or equal to `minReplicas`",
        ));
    }
    let target = spec.get("scaleTargetRef").unwrap_or(&Value::Null);
    for key in ["kind", "name"] {
        let value = str_of(target, key);
        let path = format!("spec.scaleTargetRef.{key}");
        if value.is_empty() {
            errs.push(FieldError::required(path, ""));
        } else {
            for m in meta::path_segment_errors(value) {
                errs.push(FieldError::invalid(&path, Value::String(value.into()), m));
            }
        }
    }
    if let Some(metrics) = spec.get("metrics").and_then(Value::as_array) {
        for (i, metric) in metrics.iter().enumerate() {
            metric_spec(metric, &format!("spec.metrics[{i}]"), errs);
        }
    }
    if let Some(behavior) = spec.get("behavior").filter(|b| !b.is_null()) {
        for direction in ["scaleUp", "scaleDown"] {
            if let Some(rules) = behavior.get(direction).filter(|r| !r.is_null()) {
                scaling_rules(rules, &format!("spec.behavior.{direction}"), errs);
            }
        }
    }
}

/// `validMetricSourceTypes`, sorted.
const SOURCE_TYPES: [&str; 5] = [
    "ContainerResource",
    "External",
    "Object",
    "Pods",
    "Resource",
];

/// `validateMetricSpec`: a known type, exactly the source it names, and (for a resource
/// source) its name and target.
fn metric_spec(metric: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let kind = str_of(metric, "type");
    if kind.is_empty() {
        errs.push(FieldError::required(
            format!("{path}.type"),
            "must specify a metric source type",
        ));
    }
    if !SOURCE_TYPES.contains(&kind) {
        errs.push(FieldError::not_supported(
            format!("{path}.type"),
            kind,
            &SOURCE_TYPES,
        ));
    }
    // In `validateMetricSpec`'s order; only the first present source is checked.
    let sources = [
        "object",
        "external",
        "pods",
        "resource",
        "containerResource",
    ];
    let found: Vec<&str> = sources.into_iter().filter(|s| present(metric, s)).collect();
    if found.first() == Some(&"resource")
        && let Some(source) = metric.get("resource")
    {
        resource_source(source, &format!("{path}.resource"), errs);
    }
    let expected = match kind {
        "Object" => "object",
        "Pods" => "pods",
        "Resource" => "resource",
        "External" => "external",
        "ContainerResource" => "containerResource",
        other => {
            errs.push(FieldError::not_supported(
                format!("{path}.type"),
                other,
                &SOURCE_TYPES,
            ));
            ""
        }
    };
    if !expected.is_empty() && !present(metric, expected) {
        errs.push(FieldError::required(
            format!("{path}.{expected}"),
            "must populate information for the given metric source",
        ));
    }
    if found.len() != 1 {
        // Go walks a set here; the fake reports the extra sources in name order.
        let mut extra: Vec<&str> = found.into_iter().filter(|s| *s != expected).collect();
        extra.sort_unstable();
        for source in extra {
            errs.push(FieldError::forbidden(
                format!("{path}.{source}"),
                "must populate the given metric source only",
            ));
        }
    }
}

/// `validateResourceSource` with `validateMetricTarget`.
fn resource_source(source: &Value, path: &str, errs: &mut Vec<FieldError>) {
    if str_of(source, "name").is_empty() {
        errs.push(FieldError::required(
            format!("{path}.name"),
            "must specify a resource name",
        ));
    }
    let target = source.get("target").unwrap_or(&Value::Null);
    let at = format!("{path}.target");
    let kind = str_of(target, "type");
    if kind.is_empty() {
        errs.push(FieldError::required(
            format!("{at}.type"),
            "must specify a metric target type",
        ));
    }
    if !["Utilization", "Value", "AverageValue"].contains(&kind) {
        errs.push(FieldError::invalid(
            format!("{at}.type"),
            Value::String(kind.into()),
            "must be either Utilization, Value, or AverageValue",
        ));
    }
    for key in ["value", "averageValue"] {
        if let Some(quantity) = target.get(key).and_then(Value::as_str)
            && compare_quantities(quantity, "0") != Some(std::cmp::Ordering::Greater)
        {
            errs.push(FieldError::invalid(
                format!("{at}.{key}"),
                Value::String(quantity.into()),
                "must be positive",
            ));
        }
    }
    let utilization = target.get("averageUtilization").and_then(Value::as_i64);
    if let Some(u) = utilization.filter(|u| *u < 1) {
        errs.push(FieldError::invalid(
            format!("{at}.averageUtilization"),
            Value::from(u),
            "must be greater than 0",
        ));
    }
    let average_value = present(target, "averageValue");
    if utilization.is_none() && !average_value {
        errs.push(FieldError::required(
            format!("{at}.averageUtilization"),
            "must set either a target raw value or a target utilization",
        ));
    }
    if utilization.is_some() && average_value {
        errs.push(FieldError::forbidden(
            format!("{at}.averageValue"),
            "may not set both a target raw value and a target utilization",
        ));
    }
}

/// `validateScalingRules` with `validateScalingPolicy`.
fn scaling_rules(rules: &Value, path: &str, errs: &mut Vec<FieldError>) {
    if let Some(window) = rules
        .get("stabilizationWindowSeconds")
        .and_then(Value::as_i64)
    {
        let at = format!("{path}.stabilizationWindowSeconds");
        if window < 0 {
            errs.push(FieldError::invalid(
                &at,
                Value::from(window),
                "must be greater than or equal to zero",
            ));
        }
        if window > 3600 {
            errs.push(FieldError::invalid(
                &at,
                Value::from(window),
                "must be less than or equal to 3600",
            ));
        }
    }
    if let Some(select) = rules.get("selectPolicy").and_then(Value::as_str)
        && !["Disabled", "Max", "Min"].contains(&select)
    {
        errs.push(FieldError::not_supported(
            format!("{path}.selectPolicy"),
            select,
            &["Disabled", "Max", "Min"],
        ));
    }
    let policies = rules
        .get("policies")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    if policies.is_empty() {
        errs.push(FieldError::required(
            format!("{path}.policies"),
            "must specify at least one Policy",
        ));
    }
    for (i, policy) in policies.iter().enumerate() {
        let at = format!("{path}.policies[{i}]");
        let kind = str_of(policy, "type");
        if kind != "Pods" && kind != "Percent" {
            errs.push(FieldError::not_supported(
                format!("{at}.type"),
                kind,
                &["Percent", "Pods"],
            ));
        }
        let value = policy.get("value").and_then(Value::as_i64).unwrap_or(0);
        if value <= 0 {
            errs.push(FieldError::invalid(
                format!("{at}.value"),
                Value::from(value),
                "must be greater than zero",
            ));
        }
        let period = policy
            .get("periodSeconds")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        if period <= 0 {
            errs.push(FieldError::invalid(
                format!("{at}.periodSeconds"),
                Value::from(period),
                "must be greater than zero",
            ));
        }
        if period > 1800 {
            errs.push(FieldError::invalid(
                format!("{at}.periodSeconds"),
                Value::from(period),
                "must be less than or equal to 1800",
            ));
        }
    }
}
