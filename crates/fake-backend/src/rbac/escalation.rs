//! Privilege-escalation prevention: the RBAC storages' policy wrappers
//! (`pkg/registry/rbac/{role,clusterrole,rolebinding,clusterrolebinding}/policybased`,
//! `pkg/registry/rbac/escalation_check.go`, `pkg/registry/rbac/validation/rule.go`).
//!
//! A user who is not in `system:masters` may write a Role or ClusterRole only with rules
//! they hold themselves (unless RBAC grants them `escalate` on it), may use a ClusterRole's
//! `aggregationRule` only with full authority, and may bind a role only if they hold its
//! rules (unless RBAC grants them `bind` on it). An update that changes nothing but what the
//! garbage collector writes (owner references, finalizers) is not checked.

use k8s_openapi::api::rbac::v1::{PolicyRule, RoleRef};
use kobj_core::{Error, Result};
use serde_json::Value;

use super::{Attributes, Target, UserInfo};
use crate::cluster::State;
use crate::registry::TypeInfo;
use crate::schema::go::quote;

const GROUP: &str = "rbac.authorization.k8s.io";

/// Checks a write of `obj` (replacing `old`, for an update) to an RBAC type by `user`.
pub(crate) fn check(
    st: &State,
    info: &TypeInfo,
    user: Option<&UserInfo>,
    namespace: &str,
    obj: &Value,
    old: Option<&Value>,
) -> Result<()> {
    let Some(user) = user.filter(|u| !u.is_privileged()) else {
        return Ok(());
    };
    let api = &info.resource.api;
    if api.group != GROUP {
        return Ok(());
    }
    let plural = api.plural.as_str();
    if !matches!(
        plural,
        "roles" | "clusterroles" | "rolebindings" | "clusterrolebindings"
    ) {
        return Ok(());
    }
    if old.is_some_and(|old| only_gc_fields_change(obj, old)) {
        return Ok(());
    }
    let name = crate::meta::meta_str(obj, "name");
    // The request's name: an update's path names the object, a create's does not.
    let request_name = if old.is_some() { name } else { "" };
    let forbidden = |why: String| super::forbidden_error(GROUP, plural, name, &why);
    let allowed = |verb: &str, group: &str, resource: &str, namespace: &str, name: &str| {
        super::authorize(
            st,
            user,
            &Attributes {
                verb,
                target: Target::Resource {
                    group,
                    resource,
                    subresource: "",
                    namespace,
                    name,
                },
            },
        )
        .allowed
    };
    match plural {
        "roles" | "clusterroles" => {
            if allowed("escalate", GROUP, plural, namespace, request_name) {
                return Ok(());
            }
            let rules = rules_of(obj);
            confirm_no_escalation(st, user, namespace, &rules).map_err(forbidden)?;
            let aggregates = |v: &Value| v.get("aggregationRule").is_some_and(|a| !a.is_null());
            if plural == "clusterroles"
                && (aggregates(obj) || old.is_some_and(aggregates))
                && confirm_no_escalation(st, user, namespace, &full_authority()).is_err()
            {
                return Err(forbidden(
                    "must have cluster-admin privileges to use the aggregationRule".into(),
                ));
            }
            Ok(())
        }
        _ => {
            let role_ref: RoleRef = obj
                .get("roleRef")
                .cloned()
                .and_then(|r| serde_json::from_value(r).ok())
                .unwrap_or_default();
            let role_resource = match role_ref.kind.as_str() {
                "Role" => "roles",
                _ => "clusterroles",
            };
            let bind_namespace = if plural == "rolebindings" {
                namespace
            } else {
                ""
            };
            let ref_group = role_ref.api_group.as_deref().unwrap_or_default();
            if allowed(
                "bind",
                ref_group,
                role_resource,
                bind_namespace,
                &role_ref.name,
            ) {
                return Ok(());
            }
            let rules = referenced_rules(st, &role_ref, bind_namespace)?;
            confirm_no_escalation(st, user, namespace, &rules).map_err(forbidden)
        }
    }
}

/// `IsOnlyMutatingGCFields`: the new object equals the old once its owner references,
/// finalizers, selfLink and managedFields are the old ones, compared as Go's semantic
/// equality compares the typed objects (a null, empty or absent list, map or string alike).
fn only_gc_fields_change(obj: &Value, old: &Value) -> bool {
    let mut copied = obj.clone();
    for key in ["ownerReferences", "finalizers", "selfLink", "managedFields"] {
        let from_old = old.get("metadata").and_then(|m| m.get(key)).cloned();
        let m = crate::meta::meta_mut(&mut copied);
        match from_old {
            Some(v) => {
                m.insert(key.into(), v);
            }
            None => {
                m.remove(key);
            }
        }
    }
    zero_free(&copied) == zero_free(old)
}

/// `v` without the members a Go struct would hold as zero values (null, `""`, `[]`, `{}`),
/// at every depth.
fn zero_free(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), zero_free(v)))
                .filter(|(_, v)| !is_zero(v))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(zero_free).collect()),
        other => other.clone(),
    }
}

fn is_zero(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
        _ => false,
    }
}

fn rules_of(obj: &Value) -> Vec<PolicyRule> {
    obj.get("rules")
        .cloned()
        .and_then(|r| serde_json::from_value(r).ok())
        .unwrap_or_default()
}

/// The rules a binding refers to, through the storage: a missing role is the storage's 404.
fn referenced_rules(st: &State, role_ref: &RoleRef, namespace: &str) -> Result<Vec<PolicyRule>> {
    let (table, key, resource) = match role_ref.kind.as_str() {
        "Role" => (
            super::bindings::ROLES,
            crate::store::key(namespace, &role_ref.name),
            "roles",
        ),
        "ClusterRole" => (
            super::bindings::CLUSTER_ROLES,
            crate::store::key("", &role_ref.name),
            "clusterroles",
        ),
        other => {
            return Err(Error::internal(format!(
                "unsupported role reference kind: {}",
                quote(other)
            )));
        }
    };
    let Some(stored) = st.store.get(table, &key) else {
        return Err(Error::from_parts(
            404,
            "NotFound",
            format!("{resource}.{GROUP} {} not found", quote(&role_ref.name)),
        )
        .with_details(kube_core::response::StatusDetails {
            name: role_ref.name.clone(),
            group: GROUP.to_string(),
            kind: resource.to_string(),
            ..kobj_core::error::empty_details()
        }));
    };
    Ok(rules_of(&stored.value()))
}

/// Every permission (`*` on everything, and every path).
fn full_authority() -> Vec<PolicyRule> {
    vec![
        PolicyRule {
            verbs: vec!["*".into()],
            api_groups: Some(vec!["*".into()]),
            resources: Some(vec!["*".into()]),
            ..Default::default()
        },
        PolicyRule {
            verbs: vec!["*".into()],
            non_resource_urls: Some(vec!["*".into()]),
            ..Default::default()
        },
    ]
}

/// `ConfirmNoEscalation`: every permission of `rules` is one of the user's own (RBAC's rules
/// for them in `namespace`); otherwise the message listing what they lack.
fn confirm_no_escalation(
    st: &State,
    user: &UserInfo,
    namespace: &str,
    rules: &[PolicyRule],
) -> Result<(), String> {
    let (owner, errors) = super::rules_for(st, user, namespace);
    let missing: Vec<PolicyRule> = rules
        .iter()
        .flat_map(breakdown)
        .filter(|sub| !owner.iter().any(|o| covers(o, sub)))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let mut descriptions: Vec<String> = compact(missing).iter().map(compact_string).collect();
    descriptions.sort();
    descriptions.dedup();
    let groups: Vec<String> = user.groups.iter().map(|g| quote(g)).collect();
    let mut message = format!(
        "user {} (groups=[{}]) is attempting to grant RBAC permissions not currently held:\n{}",
        quote(&user.username),
        groups.join(" "),
        descriptions.join("\n")
    );
    if !errors.is_empty() {
        message.push_str(&format!("; resolution errors: [{}]", errors.join(" ")));
    }
    Err(message)
}

fn list(v: &Option<Vec<String>>) -> &[String] {
    v.as_deref().unwrap_or_default()
}

/// `BreakdownRule`: one rule per group × resource × verb (× name), and per path × verb.
fn breakdown(rule: &PolicyRule) -> Vec<PolicyRule> {
    let one = |s: &String| Some(vec![s.clone()]);
    let mut out = Vec::new();
    for group in list(&rule.api_groups) {
        for resource in list(&rule.resources) {
            for verb in &rule.verbs {
                let base = PolicyRule {
                    api_groups: one(group),
                    resources: one(resource),
                    verbs: vec![verb.clone()],
                    ..Default::default()
                };
                if list(&rule.resource_names).is_empty() {
                    out.push(base);
                } else {
                    for name in list(&rule.resource_names) {
                        out.push(PolicyRule {
                            resource_names: one(name),
                            ..base.clone()
                        });
                    }
                }
            }
        }
    }
    for url in list(&rule.non_resource_urls) {
        for verb in &rule.verbs {
            out.push(PolicyRule {
                non_resource_urls: one(url),
                verbs: vec![verb.clone()],
                ..Default::default()
            });
        }
    }
    out
}

/// `ruleCovers`.
fn covers(owner: &PolicyRule, sub: &PolicyRule) -> bool {
    let has_all = |set: &[String], wanted: &[String]| wanted.iter().all(|w| set.contains(w));
    let has = |set: &[String], one: &str| set.iter().any(|s| s == one);
    let verbs = has(&owner.verbs, "*") || has_all(&owner.verbs, &sub.verbs);
    let groups = has(list(&owner.api_groups), "*")
        || has_all(list(&owner.api_groups), list(&sub.api_groups));
    let resources = resource_covers_all(list(&owner.resources), list(&sub.resources));
    let urls = list(&sub.non_resource_urls).iter().all(|path| {
        list(&owner.non_resource_urls)
            .iter()
            .any(|o| o == path || (o.ends_with('*') && path.starts_with(o.trim_end_matches('*'))))
    });
    let owner_names = list(&owner.resource_names);
    let names = if list(&sub.resource_names).is_empty() {
        owner_names.is_empty()
    } else {
        owner_names.is_empty() || has_all(owner_names, list(&sub.resource_names))
    };
    verbs && groups && resources && names && urls
}

/// `resourceCoversAll`: `*`, the resources themselves, or `*/<sub>` for a subresource.
fn resource_covers_all(set: &[String], wanted: &[String]) -> bool {
    if set.iter().any(|s| s == "*") || wanted.iter().all(|w| set.contains(w)) {
        return true;
    }
    wanted.iter().all(|path| {
        set.contains(path)
            || path
                .split_once('/')
                .is_some_and(|(_, sub)| set.contains(&format!("*/{sub}")))
    })
}

/// `CompactRules`: rules of one group and one resource (and at most one name) merge their
/// verbs, after the others.
fn compact(rules: Vec<PolicyRule>) -> Vec<PolicyRule> {
    let mut complex = Vec::new();
    let mut simple: Vec<PolicyRule> = Vec::new();
    for rule in rules {
        let is_simple = list(&rule.resource_names).len() <= 1
            && list(&rule.non_resource_urls).is_empty()
            && list(&rule.api_groups).len() == 1
            && list(&rule.resources).len() == 1;
        if !is_simple {
            complex.push(rule);
            continue;
        }
        match simple.iter_mut().find(|s| {
            s.api_groups == rule.api_groups
                && s.resources == rule.resources
                && list(&s.resource_names) == list(&rule.resource_names)
        }) {
            Some(existing) => existing.verbs.extend(rule.verbs),
            None => simple.push(rule),
        }
    }
    complex.extend(simple);
    complex
}

/// `CompactString`: `{APIGroups:["…"], Resources:["…"], NonResourceURLs:[…],
/// ResourceNames:[…], Verbs:["…"]}`, each part only when not empty, lists as Go's `%q`.
fn compact_string(rule: &PolicyRule) -> String {
    let q = |l: &[String]| {
        let items: Vec<String> = l.iter().map(|s| quote(s)).collect();
        format!("[{}]", items.join(" "))
    };
    let mut parts = Vec::new();
    for (label, l) in [
        ("APIGroups", list(&rule.api_groups)),
        ("Resources", list(&rule.resources)),
        ("NonResourceURLs", list(&rule.non_resource_urls)),
        ("ResourceNames", list(&rule.resource_names)),
        ("Verbs", rule.verbs.as_slice()),
    ] {
        if !l.is_empty() {
            parts.push(format!("{label}:{}", q(l)));
        }
    }
    format!("{{{}}}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> PolicyRule {
        let s = |v: &[&str]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
        PolicyRule {
            api_groups: Some(s(groups)),
            resources: Some(s(resources)),
            verbs: s(verbs),
            ..Default::default()
        }
    }

    #[test]
    fn coverage_follows_the_comparator() {
        let owner = rule(&[""], &["pods", "*/status"], &["get", "list"]);
        for sub in breakdown(&rule(&[""], &["pods", "services/status"], &["get"])) {
            assert!(covers(&owner, &sub), "{sub:?}");
        }
        assert!(!covers(
            &owner,
            &breakdown(&rule(&[""], &["pods"], &["delete"]))[0]
        ));
        assert!(!covers(
            &owner,
            &breakdown(&rule(&["apps"], &["pods"], &["get"]))[0]
        ));
        // An owner limited to names covers no rule without names.
        let named = PolicyRule {
            resource_names: Some(vec!["a".into()]),
            ..rule(&[""], &["pods"], &["get"])
        };
        assert!(!covers(
            &named,
            &breakdown(&rule(&[""], &["pods"], &["get"]))[0]
        ));
    }

    #[test]
    fn missing_rules_compact_by_resource() {
        let missing = breakdown(&rule(&["", "apps"], &["pods"], &["get", "delete"]));
        let text: Vec<String> = compact(missing).iter().map(compact_string).collect();
        assert_eq!(
            text,
            [
                r#"{APIGroups:[""], Resources:["pods"], Verbs:["get" "delete"]}"#,
                r#"{APIGroups:["apps"], Resources:["pods"], Verbs:["get" "delete"]}"#
            ]
        );
    }
}
