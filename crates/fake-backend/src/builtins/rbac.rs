//! `ValidateRole`, `ValidateClusterRole`, `ValidateRoleBinding`,
//! `ValidateClusterRoleBinding` and their update forms beyond metadata
//! (pkg/apis/rbac/validation/validation.go): a rule's verbs, API groups and resources, a
//! binding's `roleRef` and subjects, and a `roleRef` that may not change. (A ClusterRole's
//! `aggregationRule` selectors are not checked.)

use kobj_core::FieldError;
use serde_json::Value;

use crate::meta;

const GROUP: &str = "rbac.authorization.k8s.io";

fn str_of<'a>(v: Option<&'a Value>, key: &str) -> &'a str {
    v.and_then(|v| v.get(key))
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn len_of(v: &Value, key: &str) -> usize {
    v.get(key).and_then(Value::as_array).map_or(0, Vec::len)
}

/// `validatePolicyRule` for each of `rules` (`namespaced` for a Role).
pub(super) fn rules(obj: &Value, namespaced: bool, errs: &mut Vec<FieldError>) {
    let rules = obj.get("rules").and_then(Value::as_array);
    for (i, rule) in rules.into_iter().flatten().enumerate() {
        let at = format!("rules[{i}]");
        if len_of(rule, "verbs") == 0 {
            errs.push(FieldError::required(
                format!("{at}.verbs"),
                "verbs must contain at least one value",
            ));
        }
        if len_of(rule, "nonResourceURLs") > 0 {
            let urls = rule.get("nonResourceURLs").cloned().unwrap_or(Value::Null);
            if namespaced {
                errs.push(FieldError::invalid(
                    format!("{at}.nonResourceURLs"),
                    urls.clone(),
                    "namespaced rules cannot apply to non-resource URLs",
                ));
            }
            if len_of(rule, "apiGroups") > 0
                || len_of(rule, "resources") > 0
                || len_of(rule, "resourceNames") > 0
            {
                errs.push(FieldError::invalid(
                    format!("{at}.nonResourceURLs"),
                    urls,
                    "rules cannot apply to both regular resources and non-resource URLs",
                ));
            }
            continue;
        }
        if len_of(rule, "apiGroups") == 0 {
            errs.push(FieldError::required(
                format!("{at}.apiGroups"),
                "resource rules must supply at least one api group",
            ));
        }
        if len_of(rule, "resources") == 0 {
            errs.push(FieldError::required(
                format!("{at}.resources"),
                "resource rules must supply at least one resource",
            ));
        }
    }
}

/// `ValidateRoleBinding` / `ValidateClusterRoleBinding` beyond metadata, and on update the
/// `roleRef` that may not change (`old_role_ref`, the stored one).
pub(super) fn binding(
    obj: &Value,
    namespaced: bool,
    old_role_ref: Option<&Value>,
    errs: &mut Vec<FieldError>,
) {
    let role_ref = obj.get("roleRef");
    let group = str_of(role_ref, "apiGroup");
    if group != GROUP {
        errs.push(FieldError::not_supported(
            "roleRef.apiGroup",
            group,
            &[GROUP],
        ));
    }
    let kind = str_of(role_ref, "kind");
    let kinds: &[&str] = if namespaced {
        &["Role", "ClusterRole"]
    } else {
        &["ClusterRole"]
    };
    if !kinds.contains(&kind) {
        errs.push(FieldError::not_supported("roleRef.kind", kind, kinds));
    }
    let name = str_of(role_ref, "name");
    if name.is_empty() {
        errs.push(FieldError::required("roleRef.name", ""));
    } else {
        for m in meta::path_segment_errors(name) {
            errs.push(FieldError::invalid(
                "roleRef.name",
                Value::String(name.into()),
                m,
            ));
        }
    }
    let subjects = obj.get("subjects").and_then(Value::as_array);
    for (i, subject) in subjects.into_iter().flatten().enumerate() {
        self::subject(subject, namespaced, &format!("subjects[{i}]"), errs);
    }
    let Some(old) = old_role_ref else { return };
    let changed = ["apiGroup", "kind", "name"]
        .iter()
        .any(|k| str_of(Some(old), k) != str_of(role_ref, k));
    if changed {
        // The internal `rbac.RoleRef` as the server prints it since 1.34: its JSON with Go's
        // field names, in declaration order.
        let text = format!(
            "{{\"APIGroup\":{},\"Kind\":{},\"Name\":{}}}",
            Value::String(group.into()),
            Value::String(kind.into()),
            Value::String(name.into())
        );
        errs.push(
            FieldError::invalid("roleRef", Value::Null, "cannot change roleRef")
                .with_value_text(text),
        );
    }
}

/// `validateRoleBindingSubject`.
fn subject(subject: &Value, namespaced: bool, at: &str, errs: &mut Vec<FieldError>) {
    let name = str_of(Some(subject), "name");
    let group = str_of(Some(subject), "apiGroup");
    if name.is_empty() {
        errs.push(FieldError::required(format!("{at}.name"), ""));
    }
    match str_of(Some(subject), "kind") {
        "ServiceAccount" => {
            if !name.is_empty() {
                for m in meta::dns1123_subdomain_errors(name) {
                    errs.push(FieldError::invalid(
                        format!("{at}.name"),
                        Value::String(name.into()),
                        m,
                    ));
                }
            }
            if !group.is_empty() {
                errs.push(FieldError::not_supported(
                    format!("{at}.apiGroup"),
                    group,
                    &[""],
                ));
            }
            if !namespaced && str_of(Some(subject), "namespace").is_empty() {
                errs.push(FieldError::required(format!("{at}.namespace"), ""));
            }
        }
        kind @ ("User" | "Group") => {
            if name.is_empty() {
                let what = if kind == "User" { "user" } else { "group" };
                errs.push(FieldError::invalid(
                    format!("{at}.name"),
                    Value::String(String::new()),
                    format!("{what} name cannot be empty"),
                ));
            }
            if group != GROUP {
                errs.push(FieldError::not_supported(
                    format!("{at}.apiGroup"),
                    group,
                    &[GROUP],
                ));
            }
        }
        other => errs.push(FieldError::not_supported(
            format!("{at}.kind"),
            other,
            &["ServiceAccount", "User", "Group"],
        )),
    }
}
