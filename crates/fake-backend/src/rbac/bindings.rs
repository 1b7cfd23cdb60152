//! Which rules apply to a user: `pkg/registry/rbac/validation/rule.go`'s `VisitRulesFor`.
//! ClusterRoleBindings first, then (for a namespaced request) the RoleBindings of the
//! namespace; a binding applies when one of its subjects is the user, and contributes the
//! rules of the role it refers to. Each source is described as the server describes it in
//! an allowed decision's reason.
//!
//! The server's informer caches list bindings in no set order; the fake visits them by name
//! (within a namespace), so the binding an allowed decision names is predictable.

use k8s_openapi::api::rbac::v1::{
    ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject,
};
use serde::de::DeserializeOwned;

use super::UserInfo;
use crate::cluster::State;
use crate::schema::go::quote;
use crate::store;

pub(crate) const CLUSTER_ROLES: &str = "rbac.authorization.k8s.io/clusterroles";
pub(crate) const CLUSTER_ROLE_BINDINGS: &str = "rbac.authorization.k8s.io/clusterrolebindings";
pub(crate) const ROLES: &str = "rbac.authorization.k8s.io/roles";
pub(crate) const ROLE_BINDINGS: &str = "rbac.authorization.k8s.io/rolebindings";

/// What a visited rule came from, or the error of a binding whose role could not be read.
pub(crate) enum Visit<'a> {
    Rule {
        source: &'a str,
        rule: &'a PolicyRule,
    },
    Error(String),
}

/// One binding as the visit sees it: its name as the reason names it, its role, its
/// subjects, and the namespace its subjects and role are resolved in (empty for a
/// ClusterRoleBinding).
struct Bound<'a> {
    kind: &'static str,
    described_name: String,
    role_ref: &'a RoleRef,
    subjects: Option<&'a [Subject]>,
    namespace: &'a str,
}

/// Calls `visit` with every rule that applies to `user` in `namespace` (cluster-wide rules
/// only for an empty namespace) until it returns `false`.
pub(crate) fn visit_rules_for(
    st: &State,
    user: &UserInfo,
    namespace: &str,
    mut visit: impl FnMut(Visit<'_>) -> bool,
) {
    for binding in objects::<ClusterRoleBinding>(st, CLUSTER_ROLE_BINDINGS, "") {
        let bound = Bound {
            kind: "ClusterRoleBinding",
            described_name: binding.metadata.name.clone().unwrap_or_default(),
            role_ref: &binding.role_ref,
            subjects: binding.subjects.as_deref(),
            namespace: "",
        };
        if !visit_binding(st, user, &bound, &mut visit) {
            return;
        }
    }
    if namespace.is_empty() {
        return;
    }
    for binding in objects::<RoleBinding>(st, ROLE_BINDINGS, namespace) {
        let bound = Bound {
            kind: "RoleBinding",
            // `name/namespace`, as the RoleBinding describer writes it.
            described_name: format!(
                "{}/{namespace}",
                binding.metadata.name.as_deref().unwrap_or_default()
            ),
            role_ref: &binding.role_ref,
            subjects: binding.subjects.as_deref(),
            namespace,
        };
        if !visit_binding(st, user, &bound, &mut visit) {
            return;
        }
    }
}

/// Visits the rules of one binding that applies to `user` (or the error of its role);
/// `false` when the visitor stopped.
fn visit_binding(
    st: &State,
    user: &UserInfo,
    bound: &Bound<'_>,
    visit: &mut impl FnMut(Visit<'_>) -> bool,
) -> bool {
    let Some(subject) = applies_to(user, bound.subjects, bound.namespace) else {
        return true;
    };
    match role_rules(st, bound.role_ref, bound.namespace) {
        Err(e) => visit(Visit::Error(e)),
        Ok(rules) => {
            let source = format!(
                "{} {} of {} {} to {}",
                bound.kind,
                quote(&bound.described_name),
                bound.role_ref.kind,
                quote(&bound.role_ref.name),
                describe_subject(subject, bound.namespace)
            );
            rules.iter().all(|rule| {
                visit(Visit::Rule {
                    source: &source,
                    rule,
                })
            })
        }
    }
}

/// The objects of a table in `namespace` (every one for an empty namespace of a
/// cluster-scoped table), decoded; one that does not decode is skipped (it was validated
/// when written).
pub(crate) fn objects<T: DeserializeOwned>(st: &State, table: &str, namespace: &str) -> Vec<T> {
    let Some(table) = st.store.table(table) else {
        return Vec::new();
    };
    let decode =
        |stored: &std::sync::Arc<store::Stored>| serde_json::from_value(stored.value()).ok();
    if namespace.is_empty() {
        table.values().filter_map(decode).collect()
    } else {
        let start = store::key(namespace, "");
        let end = store::namespace_end(namespace);
        table
            .range::<str, _>((
                std::ops::Bound::Included(start.as_str()),
                std::ops::Bound::Excluded(end.as_str()),
            ))
            .map(|(_, stored)| stored)
            .filter_map(decode)
            .collect()
    }
}

/// `GetRoleReferenceRules`: the rules of the referred role, or the lister's NotFound text.
fn role_rules(st: &State, role_ref: &RoleRef, namespace: &str) -> Result<Vec<PolicyRule>, String> {
    match role_ref.kind.as_str() {
        "Role" => st
            .store
            .get(ROLES, &store::key(namespace, &role_ref.name))
            .and_then(|s| serde_json::from_value::<Role>(s.value()).ok())
            .map(|r| r.rules.unwrap_or_default())
            .ok_or_else(|| {
                format!(
                    "role.rbac.authorization.k8s.io {} not found",
                    quote(&role_ref.name)
                )
            }),
        "ClusterRole" => st
            .store
            .get(CLUSTER_ROLES, &store::key("", &role_ref.name))
            .and_then(|s| serde_json::from_value::<ClusterRole>(s.value()).ok())
            .map(|r| r.rules.unwrap_or_default())
            .ok_or_else(|| {
                format!(
                    "clusterrole.rbac.authorization.k8s.io {} not found",
                    quote(&role_ref.name)
                )
            }),
        other => Err(format!("unsupported role reference kind: {}", quote(other))),
    }
}

/// `appliesTo`: the first subject that is the user.
fn applies_to<'a>(
    user: &UserInfo,
    subjects: Option<&'a [Subject]>,
    namespace: &str,
) -> Option<&'a Subject> {
    subjects?
        .iter()
        .find(|s| applies_to_user(user, s, namespace))
}

/// `appliesToUser`: a User by name, a Group by membership, a ServiceAccount by its
/// `system:serviceaccount:<namespace>:<name>` username (the namespace defaults to the
/// RoleBinding's).
fn applies_to_user(user: &UserInfo, subject: &Subject, namespace: &str) -> bool {
    match subject.kind.as_str() {
        "User" => user.username == subject.name,
        "Group" => user.groups.contains(&subject.name),
        "ServiceAccount" => {
            let sa_namespace = match subject.namespace.as_deref() {
                Some(ns) if !ns.is_empty() => ns,
                _ => namespace,
            };
            !sa_namespace.is_empty()
                && user.username == super::service_account_username(sa_namespace, &subject.name)
        }
        _ => false,
    }
}

/// `describeSubject`.
fn describe_subject(subject: &Subject, binding_namespace: &str) -> String {
    if subject.kind == "ServiceAccount" {
        let ns = match subject.namespace.as_deref() {
            Some(ns) if !ns.is_empty() => ns,
            _ => binding_namespace,
        };
        format!(
            "{} {}",
            subject.kind,
            quote(&format!("{}/{ns}", subject.name))
        )
    } else {
        format!("{} {}", subject.kind, quote(&subject.name))
    }
}
