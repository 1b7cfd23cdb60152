//! A pod's scheduling constraints (pkg/apis/core/validation/validation.go):
//! `validateAffinity` (node affinity, pod affinity and anti-affinity),
//! `validateReadinessGates`, `validateSchedulingGates`, `validateTopologySpreadConstraints`,
//! and `ValidateTolerations`. `matchLabelKeys` and `mismatchLabelKeys` (which the server
//! merges into the selectors) are not checked. Neither are the priority class, runtime
//! class and preemption policy: the server's Priority and RuntimeClass admission plugins
//! answer them first (a missing class is Forbidden), and the fake has neither.

use std::collections::BTreeSet;

use kobj_core::FieldError;
use serde_json::{Map, Value};

use super::pod::{duplicate, items};
use super::selector;
use crate::builtins::fields::{list_of, str_of};
use crate::meta;

/// `ValidateLabelName`: a qualified name, each message an `Invalid` at `path`.
fn label_name(name: &str, path: &str, errs: &mut Vec<FieldError>) {
    for m in meta::qualified_name_errors(name) {
        errs.push(FieldError::invalid(path, Value::String(name.into()), m));
    }
}

/// `validateAffinity`.
pub(super) fn affinity(spec: Option<&Map<String, Value>>, path: &str, errs: &mut Vec<FieldError>) {
    let Some(affinity) = spec
        .and_then(|s| s.get("affinity"))
        .filter(|a| a.is_object())
    else {
        return;
    };
    if let Some(node) = affinity.get("nodeAffinity").filter(|n| n.is_object()) {
        node_affinity(node, &format!("{path}.nodeAffinity"), errs);
    }
    for kind in ["podAffinity", "podAntiAffinity"] {
        let Some(pod) = affinity.get(kind).filter(|p| p.is_object()) else {
            continue;
        };
        let at = format!("{path}.{kind}");
        for (i, term) in list_of(pod, "requiredDuringSchedulingIgnoredDuringExecution")
            .iter()
            .enumerate()
        {
            pod_affinity_term(
                term,
                &format!("{at}.requiredDuringSchedulingIgnoredDuringExecution[{i}]"),
                errs,
            );
        }
        for (i, weighted) in list_of(pod, "preferredDuringSchedulingIgnoredDuringExecution")
            .iter()
            .enumerate()
        {
            let term_path = format!("{at}.preferredDuringSchedulingIgnoredDuringExecution[{i}]");
            weight(weighted, &term_path, errs);
            let term = weighted.get("podAffinityTerm").unwrap_or(&Value::Null);
            pod_affinity_term(term, &format!("{term_path}.podAffinityTerm"), errs);
        }
    }
}

/// A preferred term's weight: 1 to 100.
fn weight(term: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let w = term.get("weight").and_then(Value::as_i64).unwrap_or(0);
    if !(1..=100).contains(&w) {
        errs.push(FieldError::invalid(
            format!("{path}.weight"),
            Value::from(w),
            "must be in the range 1-100",
        ));
    }
}

/// `validateNodeAffinity`.
fn node_affinity(node: &Value, path: &str, errs: &mut Vec<FieldError>) {
    if let Some(required) = node
        .get("requiredDuringSchedulingIgnoredDuringExecution")
        .filter(|r| r.is_object())
    {
        let terms_path =
            format!("{path}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms");
        let terms = list_of(required, "nodeSelectorTerms");
        if terms.is_empty() {
            errs.push(FieldError::required(
                terms_path,
                "must have at least one node selector term",
            ));
        } else {
            for (i, term) in terms.iter().enumerate() {
                node_selector_term(term, false, &format!("{terms_path}[{i}]"), errs);
            }
        }
    }
    for (i, term) in list_of(node, "preferredDuringSchedulingIgnoredDuringExecution")
        .iter()
        .enumerate()
    {
        let at = format!("{path}.preferredDuringSchedulingIgnoredDuringExecution[{i}]");
        weight(term, &at, errs);
        // Invalid label values are allowed in preferred terms, as on the server.
        let preference = term.get("preference").unwrap_or(&Value::Null);
        node_selector_term(preference, true, &format!("{at}.preference"), errs);
    }
}

/// `ValidateNodeSelectorTerm`.
fn node_selector_term(term: &Value, any_value: bool, path: &str, errs: &mut Vec<FieldError>) {
    for (j, req) in list_of(term, "matchExpressions").iter().enumerate() {
        let at = format!("{path}.matchExpressions[{j}]");
        let values = list_of(req, "values");
        match str_of(req, "operator") {
            "In" | "NotIn" if values.is_empty() => errs.push(FieldError::required(
                format!("{at}.values"),
                "must be specified when `operator` is 'In' or 'NotIn'",
            )),
            "Exists" | "DoesNotExist" if !values.is_empty() => {
                errs.push(FieldError::forbidden(
                    format!("{at}.values"),
                    "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                ));
            }
            "Gt" | "Lt" if values.len() != 1 => errs.push(FieldError::required(
                format!("{at}.values"),
                "must be specified single value when `operator` is 'Lt' or 'Gt'",
            )),
            "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt" => {}
            other => errs.push(FieldError::invalid(
                format!("{at}.operator"),
                Value::String(other.into()),
                "not a valid selector operator",
            )),
        }
        label_name(str_of(req, "key"), &format!("{at}.key"), errs);
        if !any_value {
            for (k, value) in values.iter().enumerate() {
                let value = value.as_str().unwrap_or("");
                for m in meta::label_value_errors(value) {
                    errs.push(FieldError::invalid(
                        format!("{at}.values[{k}]"),
                        Value::String(value.into()),
                        m,
                    ));
                }
            }
        }
    }
    for (j, req) in list_of(term, "matchFields").iter().enumerate() {
        let at = format!("{path}.matchFields[{j}]");
        let values = list_of(req, "values");
        match str_of(req, "operator") {
            "In" | "NotIn" => {
                if values.len() != 1 {
                    errs.push(FieldError::required(
                        format!("{at}.values"),
                        "must be only one value when `operator` is 'In' or 'NotIn' for node field selector",
                    ));
                }
            }
            other => errs.push(FieldError::invalid(
                format!("{at}.operator"),
                Value::String(other.into()),
                "not a valid selector operator",
            )),
        }
        let key = str_of(req, "key");
        if key == "metadata.name" {
            for (k, value) in values.iter().enumerate() {
                let value = value.as_str().unwrap_or("");
                for m in meta::dns1123_subdomain_errors(value) {
                    errs.push(FieldError::invalid(
                        format!("{at}.values[{k}]"),
                        Value::String(value.into()),
                        m,
                    ));
                }
            }
        } else {
            errs.push(FieldError::invalid(
                format!("{at}.key"),
                Value::String(key.into()),
                "not a valid field selector key",
            ));
        }
    }
}

/// `validatePodAffinityTerm`, less `matchLabelKeys` and `mismatchLabelKeys`.
fn pod_affinity_term(term: &Value, path: &str, errs: &mut Vec<FieldError>) {
    for key in ["labelSelector", "namespaceSelector"] {
        if let Some(sel) = term.get(key).and_then(Value::as_object) {
            selector::validate(sel, &format!("{path}.{key}"), errs);
        }
    }
    for name in list_of(term, "namespaces") {
        let name = name.as_str().unwrap_or("");
        // Reported at `namespace`, as the server does.
        for m in meta::dns1123_label_errors(name) {
            errs.push(FieldError::invalid(
                format!("{path}.namespace"),
                Value::String(name.into()),
                m,
            ));
        }
    }
    let topology_key = str_of(term, "topologyKey");
    if topology_key.is_empty() {
        errs.push(FieldError::required(
            format!("{path}.topologyKey"),
            "can not be empty",
        ));
    }
    label_name(topology_key, &format!("{path}.topologyKey"), errs);
}

/// `validateReadinessGates` and `validateSchedulingGates`.
pub(super) fn gates(spec: Option<&Map<String, Value>>, path: &str, errs: &mut Vec<FieldError>) {
    for (i, gate) in items(spec, "readinessGates").iter().enumerate() {
        label_name(
            str_of(gate, "conditionType"),
            &format!("{path}.readinessGates[{i}].conditionType"),
            errs,
        );
    }
    let mut seen = BTreeSet::new();
    for (i, gate) in items(spec, "schedulingGates").iter().enumerate() {
        let name = str_of(gate, "name");
        let at = format!("{path}.schedulingGates[{i}]");
        label_name(name, &at, errs);
        if !seen.insert(name) {
            errs.push(duplicate(&at, name));
        }
    }
}

/// `validateTopologySpreadConstraints`, less `matchLabelKeys`.
pub(super) fn topology_spread(list: &[Value], path: &str, errs: &mut Vec<FieldError>) {
    for (i, constraint) in list.iter().enumerate() {
        let at = format!("{path}[{i}]");
        let skew = constraint
            .get("maxSkew")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        if skew <= 0 {
            errs.push(FieldError::invalid(
                format!("{at}.maxSkew"),
                Value::from(skew),
                "must be greater than zero",
            ));
        }
        let key = str_of(constraint, "topologyKey");
        if key.is_empty() {
            errs.push(FieldError::required(
                format!("{at}.topologyKey"),
                "can not be empty",
            ));
        }
        let action = str_of(constraint, "whenUnsatisfiable");
        if action != "DoNotSchedule" && action != "ScheduleAnyway" {
            errs.push(FieldError::not_supported(
                format!("{at}.whenUnsatisfiable"),
                action,
                &["DoNotSchedule", "ScheduleAnyway"],
            ));
        }
        if list[i + 1..].iter().any(|other| {
            str_of(other, "topologyKey") == key && str_of(other, "whenUnsatisfiable") == action
        }) {
            errs.push(duplicate(
                &format!("{at}.{{topologyKey, whenUnsatisfiable}}"),
                &format!("{{{key}, {action}}}"),
            ));
        }
        if let Some(min) = constraint.get("minDomains").and_then(Value::as_i64) {
            let min_path = format!("{at}.minDomains");
            if min <= 0 {
                errs.push(FieldError::invalid(
                    &min_path,
                    Value::from(min),
                    "must be greater than zero",
                ));
            }
            if action != "DoNotSchedule" {
                errs.push(FieldError::invalid(
                    &min_path,
                    Value::from(min),
                    format!(
                        "can only use minDomains if whenUnsatisfiable=DoNotSchedule, not {action}"
                    ),
                ));
            }
        }
        for policy in ["nodeAffinityPolicy", "nodeTaintsPolicy"] {
            if let Some(value) = constraint.get(policy).and_then(Value::as_str)
                && value != "Honor"
                && value != "Ignore"
            {
                errs.push(FieldError::not_supported(
                    format!("{at}.{policy}"),
                    value,
                    &["Honor", "Ignore"],
                ));
            }
        }
        if let Some(sel) = constraint.get("labelSelector").and_then(Value::as_object) {
            selector::validate(sel, &format!("{at}.labelSelector"), errs);
        }
    }
}

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
