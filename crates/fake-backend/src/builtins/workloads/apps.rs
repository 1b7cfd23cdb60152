//! `ValidateDeployment`, `ValidateReplicaSet`, `ValidateStatefulSet` and `ValidateDaemonSet`
//! with their update forms (pkg/apis/apps/validation/validation.go, and the apps/v1
//! strategies' selector immutability), in the server's order of checks.

use kobj_core::FieldError;
use serde_json::{Map, Value};

use super::{Spec, nonnegative, pod, selector};

/// Which `empty selector is invalid for …` a kind's spec reports.
const DEPLOYMENT: &str = "deployment";

/// `ValidateDeploymentSpec`.
pub(super) fn deployment(spec: &Spec<'_>, errs: &mut Vec<FieldError>) {
    nonnegative(spec.int("replicas"), "spec.replicas", errs);
    let selector = replicated_selector(spec, DEPLOYMENT, errs);
    pod_template_for_replica_set(spec, &selector, "ReplicaSet", errs);
    deployment_strategy(spec.object("strategy"), errs);
    nonnegative(spec.int("minReadySeconds"), "spec.minReadySeconds", errs);
    if let Some(limit) = spec.int("revisionHistoryLimit") {
        nonnegative(Some(limit), "spec.revisionHistoryLimit", errs);
    }
    if let Some(deadline) = spec.int("progressDeadlineSeconds") {
        nonnegative(Some(deadline), "spec.progressDeadlineSeconds", errs);
        if deadline <= spec.int("minReadySeconds").unwrap_or(0) {
            errs.push(FieldError::invalid(
                "spec.progressDeadlineSeconds",
                Value::from(deadline),
                "must be greater than minReadySeconds",
            ));
        }
    }
}

/// `ValidateReplicaSetSpec`.
pub(super) fn replica_set(spec: &Spec<'_>, errs: &mut Vec<FieldError>) {
    nonnegative(spec.int("replicas"), "spec.replicas", errs);
    nonnegative(spec.int("minReadySeconds"), "spec.minReadySeconds", errs);
    // The ReplicaSet's text names a deployment too.
    let selector = replicated_selector(spec, DEPLOYMENT, errs);
    pod_template_for_replica_set(spec, &selector, "ReplicaSet", errs);
}

/// `ValidateStatefulSetSpec`.
pub(super) fn stateful_set(spec: &Spec<'_>, errs: &mut Vec<FieldError>) {
    match spec.str("podManagementPolicy") {
        None | Some("") => errs.push(FieldError::required("spec.podManagementPolicy", "")),
        Some("OrderedReady" | "Parallel") => {}
        Some(other) => errs.push(FieldError::invalid(
            "spec.podManagementPolicy",
            Value::String(other.into()),
            "must be 'OrderedReady' or 'Parallel'",
        )),
    }
    stateful_set_strategy(spec.object("updateStrategy"), errs);
    if let Some(policy) = spec.object("persistentVolumeClaimRetentionPolicy") {
        for key in ["whenDeleted", "whenScaled"] {
            let value = policy.get(key).and_then(Value::as_str).unwrap_or("");
            if !matches!(value, "Retain" | "Delete") {
                errs.push(FieldError::not_supported(
                    format!("spec.persistentVolumeClaimRetentionPolicy.{key}"),
                    Value::String(value.into()),
                    &["Retain", "Delete"],
                ));
            }
        }
    }
    nonnegative(spec.int("replicas"), "spec.replicas", errs);
    nonnegative(spec.int("minReadySeconds"), "spec.minReadySeconds", errs);
    if let Some(ordinals) = spec.object("ordinals") {
        let start = ordinals.get("start").and_then(Value::as_i64).unwrap_or(0);
        nonnegative(Some(start), "spec.ordinals.start", errs);
    }
    let converted = replicated_selector(spec, "statefulset", errs);
    let template = spec.object("template");
    match converted {
        // The conversion's error is reported with no detail for a StatefulSet.
        selector::Converted::Invalid => errs.push(FieldError::invalid(
            "spec.selector",
            spec.value("selector"),
            "",
        )),
        converted => {
            let labels = template_labels(template);
            if converted.refuses(labels) {
                errs.push(selector_mismatch(labels));
            }
            // `ValidatePodTemplateSpecForStatefulSet` checks the template's labels and
            // annotations but not its pod spec (a TODO in the server's source).
            pod::template_metadata(template, "spec.template", errs);
        }
    }
    long_running_pods(template, "StatefulSet", errs);
}

/// `ValidateDaemonSetSpec`: a missing selector is not `Required` here, it only fails to
/// match the template.
pub(super) fn daemon_set(spec: &Spec<'_>, errs: &mut Vec<FieldError>) {
    let raw = spec.object("selector");
    if let Some(raw) = raw {
        selector::validate(raw, "spec.selector", errs);
    }
    let converted = selector::Converted::of(spec.get("selector"));
    let template = spec.object("template");
    let labels = template_labels(template);
    // No `Empty()` test: an empty selector matches every template.
    let refused = match &converted {
        selector::Converted::Invalid => false,
        selector::Converted::Selector(s) if s.is_empty() => false,
        other => other.refuses(labels),
    };
    if refused {
        errs.push(selector_mismatch(labels));
    }
    if raw.is_some_and(selector::is_empty) {
        errs.push(FieldError::invalid(
            "spec.selector",
            spec.value("selector"),
            "empty selector is invalid for daemonset",
        ));
    }
    pod::template(template, "spec.template", errs);
    long_running_pods(template, "DaemonSet", errs);
    nonnegative(spec.int("minReadySeconds"), "spec.minReadySeconds", errs);
    daemon_set_strategy(spec.object("updateStrategy"), errs);
    if let Some(limit) = spec.int("revisionHistoryLimit") {
        nonnegative(Some(limit), "spec.revisionHistoryLimit", errs);
    }
}

/// The selector checks Deployments, ReplicaSets and StatefulSets share: `Required` when
/// missing, `ValidateLabelSelector`, `empty selector is invalid for <what>`; then the
/// conversion the template is checked against.
fn replicated_selector(
    spec: &Spec<'_>,
    what: &str,
    errs: &mut Vec<FieldError>,
) -> selector::Converted {
    match spec.object("selector") {
        None => errs.push(FieldError::required("spec.selector", "")),
        Some(raw) => {
            selector::validate(raw, "spec.selector", errs);
            if selector::is_empty(raw) {
                errs.push(FieldError::invalid(
                    "spec.selector",
                    spec.value("selector"),
                    format!("empty selector is invalid for {what}"),
                ));
            }
        }
    }
    selector::Converted::of(spec.get("selector"))
}

/// The conversion's error, or `ValidatePodTemplateSpecForReplicaSet`.
fn pod_template_for_replica_set(
    spec: &Spec<'_>,
    converted: &selector::Converted,
    kind: &str,
    errs: &mut Vec<FieldError>,
) {
    if matches!(converted, selector::Converted::Invalid) {
        errs.push(FieldError::invalid(
            "spec.selector",
            spec.value("selector"),
            "invalid label selector",
        ));
        return;
    }
    let template = spec.object("template");
    let labels = template_labels(template);
    if converted.refuses(labels) {
        errs.push(selector_mismatch(labels));
    }
    pod::template(template, "spec.template", errs);
    long_running_pods(template, kind, errs);
}

fn template_labels(template: Option<&Map<String, Value>>) -> Option<&Map<String, Value>> {
    template
        .and_then(|t| t.get("metadata"))
        .and_then(|m| m.get("labels"))
        .and_then(Value::as_object)
}

fn template_spec(template: Option<&Map<String, Value>>) -> Option<&Map<String, Value>> {
    template
        .and_then(|t| t.get("spec"))
        .and_then(Value::as_object)
}

/// `` `selector` does not match template `labels` ``, with the template's labels (`null`
/// when it has none) as the value.
fn selector_mismatch(labels: Option<&Map<String, Value>>) -> FieldError {
    FieldError::invalid(
        "spec.template.metadata.labels",
        labels.map_or(Value::Null, |l| Value::Object(l.clone())),
        "`selector` does not match template `labels`",
    )
}

/// A workload's pods run until they are replaced: they restart `Always` and have no
/// `activeDeadlineSeconds` (`<kind>` names the workload in the second error).
fn long_running_pods(
    template: Option<&Map<String, Value>>,
    kind: &str,
    errs: &mut Vec<FieldError>,
) {
    let spec = template_spec(template);
    let policy = spec
        .and_then(|s| s.get("restartPolicy"))
        .and_then(Value::as_str)
        .unwrap_or("");
    if policy != "Always" {
        errs.push(FieldError::not_supported(
            "spec.template.spec.restartPolicy",
            Value::String(policy.into()),
            &["Always"],
        ));
    }
    if spec
        .and_then(|s| s.get("activeDeadlineSeconds"))
        .is_some_and(|v| !v.is_null())
    {
        errs.push(FieldError::forbidden(
            "spec.template.spec.activeDeadlineSeconds",
            format!("activeDeadlineSeconds in {kind} is not Supported"),
        ));
    }
}

/// The fields of an internal rolling-update struct, in declaration order: Go name, JSON
/// name, and whether it is a pointer (printed `null` when unset; an unset `IntOrString` or
/// `int32` prints `0`).
type GoFields = [(&'static str, &'static str, bool); 2];

const DEPLOYMENT_ROLLING: GoFields = [
    ("MaxUnavailable", "maxUnavailable", false),
    ("MaxSurge", "maxSurge", false),
];
const DAEMON_SET_ROLLING: GoFields = DEPLOYMENT_ROLLING;
const STATEFUL_SET_ROLLING: GoFields = [
    ("Partition", "partition", false),
    ("MaxUnavailable", "maxUnavailable", true),
];

/// The JSON of an internal (untagged) Go struct with `fields`, as the server prints a bad
/// value since 1.34: Go field names in declaration order, every field present; `null` for
/// no struct.
fn go_struct_text(map: Option<&Map<String, Value>>, fields: &GoFields) -> String {
    let Some(map) = map else {
        return "null".into();
    };
    let members: Vec<String> = fields
        .iter()
        .map(|(go, json, pointer)| {
            let value = match map.get(*json).filter(|v| !v.is_null()) {
                Some(v) => v.to_string(),
                None if *pointer => "null".into(),
                None => "0".into(),
            };
            format!("{go:?}:{value}")
        })
        .collect();
    format!("{{{}}}", members.join(","))
}

/// A strategy (`Type` and `RollingUpdate`) as [`go_struct_text`] prints it.
fn strategy_text(strategy: Option<&Map<String, Value>>, rolling: &GoFields) -> String {
    let (kind, rolling_value) = strategy_parts(strategy);
    format!(
        "{{\"Type\":{},\"RollingUpdate\":{}}}",
        Value::String(kind.into()),
        go_struct_text(rolling_value.and_then(Value::as_object), rolling)
    )
}

/// A strategy's `type` (`""` when unset) and its `rollingUpdate`, if set.
fn strategy_parts(strategy: Option<&Map<String, Value>>) -> (&str, Option<&Value>) {
    let kind = strategy
        .and_then(|s| s.get("type"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let rolling = strategy
        .and_then(|s| s.get("rollingUpdate"))
        .filter(|v| !v.is_null());
    (kind, rolling)
}

/// `ValidateDeploymentStrategy`.
fn deployment_strategy(strategy: Option<&Map<String, Value>>, errs: &mut Vec<FieldError>) {
    let (kind, rolling) = strategy_parts(strategy);
    match kind {
        "Recreate" => {
            if rolling.is_some() {
                errs.push(FieldError::forbidden(
                    "spec.strategy.rollingUpdate",
                    "may not be specified when strategy `type` is 'Recreate'",
                ));
            }
        }
        "RollingUpdate" => match rolling.and_then(Value::as_object) {
            None => errs.push(FieldError::required(
                "spec.strategy.rollingUpdate",
                "this should be defaulted and never be nil",
            )),
            Some(rolling) => {
                let path = "spec.strategy.rollingUpdate";
                let unavailable = rolling.get("maxUnavailable");
                let surge = rolling.get("maxSurge");
                positive_int_or_percent(unavailable, &format!("{path}.maxUnavailable"), errs);
                positive_int_or_percent(surge, &format!("{path}.maxSurge"), errs);
                if int_or_percent_value(unavailable) == 0 && int_or_percent_value(surge) == 0 {
                    errs.push(FieldError::invalid(
                        format!("{path}.maxUnavailable"),
                        int_or_string_value(unavailable),
                        "may not be 0 when `maxSurge` is 0",
                    ));
                }
                not_more_than_100_percent(unavailable, &format!("{path}.maxUnavailable"), errs);
            }
        },
        _ => errs.push(
            FieldError::not_supported("spec.strategy", Value::Null, &["Recreate", "RollingUpdate"])
                .with_value_text(strategy_text(strategy, &DEPLOYMENT_ROLLING)),
        ),
    }
}

/// The `updateStrategy` switch of `ValidateStatefulSetSpec`.
fn stateful_set_strategy(strategy: Option<&Map<String, Value>>, errs: &mut Vec<FieldError>) {
    let (kind, rolling) = strategy_parts(strategy);
    const PATH: &str = "spec.updateStrategy.rollingUpdate";
    match kind {
        "" => errs.push(FieldError::required("spec.updateStrategy", "")),
        "OnDelete" => {
            if let Some(rolling) = rolling {
                errs.push(
                    FieldError::invalid(
                        PATH,
                        rolling.clone(),
                        "only allowed for updateStrategy 'RollingUpdate'",
                    )
                    .with_value_text(go_struct_text(rolling.as_object(), &STATEFUL_SET_ROLLING)),
                );
            }
        }
        "RollingUpdate" => {
            if let Some(rolling) = rolling.and_then(Value::as_object) {
                let partition = rolling
                    .get("partition")
                    .and_then(Value::as_i64)
                    .unwrap_or(0);
                nonnegative(Some(partition), &format!("{PATH}.partition"), errs);
                if let Some(max) = rolling.get("maxUnavailable").filter(|v| !v.is_null()) {
                    let path = format!("{PATH}.maxUnavailable");
                    positive_int_or_percent(Some(max), &path, errs);
                    if int_or_percent_value(Some(max)) == 0 {
                        errs.push(FieldError::invalid(&path, max.clone(), "cannot be 0"));
                    }
                    not_more_than_100_percent(Some(max), &path, errs);
                }
            }
        }
        _ => errs.push(
            FieldError::invalid(
                "spec.updateStrategy",
                Value::Null,
                "must be 'RollingUpdate' or 'OnDelete'",
            )
            .with_value_text(strategy_text(strategy, &STATEFUL_SET_ROLLING)),
        ),
    }
}

/// `ValidateDaemonSetUpdateStrategy`.
fn daemon_set_strategy(strategy: Option<&Map<String, Value>>, errs: &mut Vec<FieldError>) {
    let (kind, _) = strategy_parts(strategy);
    const PATH: &str = "spec.updateStrategy.rollingUpdate";
    match kind {
        "OnDelete" => {}
        "RollingUpdate" => {
            let Some(rolling) = strategy
                .and_then(|s| s.get("rollingUpdate"))
                .and_then(Value::as_object)
            else {
                errs.push(FieldError::required(PATH, ""));
                return;
            };
            let unavailable = rolling.get("maxUnavailable");
            let surge = rolling.get("maxSurge");
            positive_int_or_percent(unavailable, &format!("{PATH}.maxUnavailable"), errs);
            positive_int_or_percent(surge, &format!("{PATH}.maxSurge"), errs);
            not_more_than_100_percent(unavailable, &format!("{PATH}.maxUnavailable"), errs);
            not_more_than_100_percent(surge, &format!("{PATH}.maxSurge"), errs);
            let has_unavailable = int_or_percent_value(unavailable) != 0;
            let has_surge = int_or_percent_value(surge) != 0;
            if has_unavailable && has_surge {
                errs.push(FieldError::invalid(
                    format!("{PATH}.maxSurge"),
                    int_or_string_value(surge),
                    "may not be set when maxUnavailable is non-zero",
                ));
            } else if !has_unavailable && !has_surge {
                errs.push(FieldError::required(
                    format!("{PATH}.maxUnavailable"),
                    "cannot be 0 when maxSurge is 0",
                ));
            }
        }
        _ => errs.push(
            FieldError::not_supported(
                "spec.updateStrategy",
                Value::Null,
                &["RollingUpdate", "OnDelete"],
            )
            .with_value_text(strategy_text(strategy, &DAEMON_SET_ROLLING)),
        ),
    }
}

/// An `IntOrString` field's value as the error shows it (`0` when unset, the zero value).
fn int_or_string_value(v: Option<&Value>) -> Value {
    v.filter(|v| !v.is_null())
        .cloned()
        .unwrap_or(Value::from(0))
}

/// `IsValidPercent`'s message: a number followed by `%`.
const PERCENT_MSG: &str = "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

fn percent(text: &str) -> Option<i64> {
    let digits = text.strip_suffix('%')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // `strconv.Atoi`: out of range is an error, which `getPercentValue` ignores (0).
    Some(digits.parse().unwrap_or(0))
}

/// `ValidatePositiveIntOrPercent`.
pub(super) fn positive_int_or_percent(v: Option<&Value>, path: &str, errs: &mut Vec<FieldError>) {
    match v {
        Some(Value::String(text)) if percent(text).is_none() => {
            errs.push(FieldError::invalid(
                path,
                Value::String(text.clone()),
                PERCENT_MSG,
            ));
        }
        Some(Value::Number(n)) => nonnegative(n.as_i64(), path, errs),
        _ => {}
    }
}

/// `getIntOrPercentValue`: a percent's number, a string's `Atoi` (0 when not a number),
/// or the integer.
fn int_or_percent_value(v: Option<&Value>) -> i64 {
    match v {
        Some(Value::String(text)) => percent(text).unwrap_or_else(|| text.parse().unwrap_or(0)),
        Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
        _ => 0,
    }
}

/// `IsNotMoreThan100Percent`.
pub(super) fn not_more_than_100_percent(v: Option<&Value>, path: &str, errs: &mut Vec<FieldError>) {
    if let Some(Value::String(text)) = v
        && percent(text).is_some_and(|p| p > 100)
    {
        errs.push(FieldError::invalid(
            path,
            Value::String(text.clone()),
            "must not be greater than 100%",
        ));
    }
}
