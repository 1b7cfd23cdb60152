//! The ClusterRole aggregation controller
//! (`pkg/controller/clusterroleaggregation/clusterroleaggregation_controller.go`): a
//! ClusterRole with an `aggregationRule` gets, as its `rules`, the rules of every other
//! ClusterRole its selectors match, selector by selector, each selector's roles by name,
//! without repeating a rule already taken. It writes them by a forced server-side apply as
//! `clusterrole-aggregation-controller`, only when they differ from the role's own.
//!
//! The fake runs it after every write that changed a ClusterRole ([`State::commit`] marks
//! it), under the lock and before the request returns; the server's controller runs
//! moments later, so a client that reads the role right after writing a source sees at most
//! the one difference of timing.

use k8s_openapi::api::rbac::v1::{ClusterRole, PolicyRule};
use kube_core::{Selector, SelectorExt};
use serde_json::json;

use super::bindings::{CLUSTER_ROLES, objects};
use crate::cluster::{Inner, State};
use crate::store;

/// The controller's field manager.
pub(crate) const MANAGER: &str = "clusterrole-aggregation-controller";

/// Syncs every aggregated ClusterRole while ClusterRoles keep changing (an aggregated role
/// may itself be selected by another).
pub(crate) fn run(inner: &Inner, st: &mut State) {
    // Each round writes only roles whose rules differ; a cycle of aggregated roles that
    // select each other would grow until stable, so a few rounds always suffice.
    for _ in 0..16 {
        if !std::mem::take(&mut st.cluster_roles_changed) {
            return;
        }
        let roles: Vec<ClusterRole> = objects(st, CLUSTER_ROLES, "");
        for role in roles.iter().filter(|r| r.aggregation_rule.is_some()) {
            let rules = aggregated_rules(role, &roles);
            if semantically_equal(&rules, role.rules.as_deref().unwrap_or_default()) {
                continue;
            }
            write(inner, st, role, &rules);
        }
    }
}

/// `syncClusterRole`'s rules: for each selector, the matching roles (not this one) by
/// name, their rules not already taken.
fn aggregated_rules(role: &ClusterRole, roles: &[ClusterRole]) -> Vec<PolicyRule> {
    let name = role.metadata.name.as_deref().unwrap_or_default();
    let mut out: Vec<PolicyRule> = Vec::new();
    let selectors = role
        .aggregation_rule
        .as_ref()
        .and_then(|a| a.cluster_role_selectors.clone())
        .unwrap_or_default();
    for selector in selectors {
        // A selector that does not convert selects nothing (the controller returns its
        // error and retries; validation refuses such selectors on write).
        let Ok(selector) = Selector::try_from(selector) else {
            continue;
        };
        let mut matching: Vec<&ClusterRole> = roles
            .iter()
            .filter(|r| {
                let labels = r.metadata.labels.clone().unwrap_or_default();
                r.metadata.name.as_deref() != Some(name) && selector.matches(&labels)
            })
            .collect();
        matching.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
        for source in matching {
            for rule in source.rules.iter().flatten() {
                if !out.iter().any(|r| semantically_equal_rule(r, rule)) {
                    out.push(rule.clone());
                }
            }
        }
    }
    out
}

/// `equality.Semantic.DeepEqual` of two rule lists: an empty list and none are equal.
fn semantically_equal(a: &[PolicyRule], b: &[PolicyRule]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| semantically_equal_rule(x, y))
}

/// Two rules, a field's empty list and its absence equal.
fn semantically_equal_rule(a: &PolicyRule, b: &PolicyRule) -> bool {
    fn list(v: &Option<Vec<String>>) -> &[String] {
        v.as_deref().unwrap_or_default()
    }
    a.verbs == b.verbs
        && list(&a.api_groups) == list(&b.api_groups)
        && list(&a.resources) == list(&b.resources)
        && list(&a.resource_names) == list(&b.resource_names)
        && list(&a.non_resource_urls) == list(&b.non_resource_urls)
}

/// The controller's forced apply of `rules` to the stored role.
fn write(inner: &Inner, st: &mut State, role: &ClusterRole, rules: &[PolicyRule]) {
    let name = role.metadata.name.as_deref().unwrap_or_default();
    let key = store::key("", name);
    let Some(existing) = st.store.get(CLUSTER_ROLES, &key).cloned() else {
        return;
    };
    let live = existing.value();
    let applied = json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": name},
        "rules": rules,
    });
    let fm = crate::patch::managed::FieldManagement {
        manager: MANAGER,
        api_version: "rbac.authorization.k8s.io/v1",
        time: k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(inner.clock.now()),
        subresource: None,
        group: "rbac.authorization.k8s.io",
        kind: "ClusterRole",
        schema: None,
    };
    let mut obj =
        match crate::patch::managed::apply_resetting(Some(&live), &applied, &fm, true, &[]) {
            Ok(obj) => obj,
            Err(e) => {
                tracing::error!(error = %e, role = name, "the aggregated rules were not applied");
                return;
            }
        };
    let rv = st.store.next_rv();
    store::object::set_rv(&mut obj, rv);
    st.commit(CLUSTER_ROLES, &key, Some(store::Stored::new(&obj, rv)));
}
