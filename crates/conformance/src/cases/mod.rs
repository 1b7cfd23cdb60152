//! The suite's cases, one module per area, and helpers they share.

use kobj_core::ResourceType;
use kube_core::DynamicObject;
use serde_json::{Value, json};

use crate::case::{Case, Failure};
use crate::check::name_of;
use crate::ctx::Ctx;
use crate::fixtures::HOLD;

mod apply;
mod authorization;
mod builtin_decoding;
mod builtin_validation;
mod builtins;
mod crd;
mod crd_naming;
mod crd_schema;
mod create;
mod delete;
mod errors;
mod gc;
mod list;
mod metadata;
mod names;
mod namespaces;
mod patch;
mod read;
mod selectors;
mod services;
mod subresources;
mod update;
mod watch;
mod watch_start;
mod workflow;

/// Every case of the suite, grouped by area.
#[must_use]
pub fn cases() -> Vec<Case> {
    [
        errors::cases(),
        create::cases(),
        names::cases(),
        metadata::cases(),
        read::cases(),
        list::cases(),
        update::cases(),
        subresources::cases(),
        patch::cases(),
        apply::cases(),
        delete::cases(),
        gc::cases(),
        watch::cases(),
        watch_start::cases(),
        selectors::cases(),
        crd::cases(),
        crd_naming::cases(),
        crd_schema::cases(),
        namespaces::cases(),
        builtins::cases(),
        authorization::cases(),
        builtin_decoding::cases(),
        builtin_validation::cases(),
        services::cases(),
        workflow::cases(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// For each rule number, the names of the cases that check it (ascending rule order): the
/// mapping `docs/semantics.md` prints.
///
/// ```
/// let by_rule = kobj_conformance::cases_by_rule();
/// assert!(by_rule[&26].contains(&"apply_conflicts_with_other_applier"));
/// ```
#[must_use]
pub fn cases_by_rule() -> std::collections::BTreeMap<u32, Vec<&'static str>> {
    let mut by_rule = std::collections::BTreeMap::<u32, Vec<&'static str>>::new();
    for case in cases() {
        for rule in case.rules {
            by_rule.entry(*rule).or_default().push(case.name);
        }
    }
    by_rule
}

/// `{"metadata": {"finalizers": [HOLD]}}` merged with `spec`.
fn held(spec: Value) -> Value {
    json!({"metadata": {"finalizers": [HOLD]}, "spec": spec})
}

/// An ownerReference to `owner` (of type `rt`), as a JSON value.
fn owner_ref(rt: &ResourceType, owner: &DynamicObject, block: bool) -> Value {
    json!({
        "apiVersion": rt.api.api_version,
        "kind": rt.api.kind,
        "name": name_of(owner),
        "uid": owner.metadata.uid.clone().unwrap_or_default(),
        "blockOwnerDeletion": block
    })
}

/// The uid of an object, or a failure.
fn uid(object: &DynamicObject) -> Result<String, Failure> {
    object
        .metadata
        .uid
        .clone()
        .filter(|u| !u.is_empty())
        .ok_or_else(|| Failure::new(format!("{} has no uid", name_of(object))))
}

/// Creates a widget in the case's namespace with the given spec.
async fn widget(cx: &Ctx<'_>, name: &str, spec: Value) -> Result<DynamicObject, Failure> {
    cx.create(&crate::fixtures::widgets(), name, json!({ "spec": spec }))
        .await
}

/// The owner references' uids of an object.
fn owner_uids(object: &DynamicObject) -> Vec<String> {
    object
        .metadata
        .owner_references
        .iter()
        .flatten()
        .map(|r| r.uid.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::cases;

    #[test]
    fn there_are_at_least_120_cases_with_unique_names() {
        let all = cases();
        assert!(all.len() >= 120, "only {} cases", all.len());
        let mut seen = BTreeSet::new();
        for case in &all {
            assert!(seen.insert(case.name), "duplicate case name {}", case.name);
            assert!(!case.summary.is_empty(), "{} has no summary", case.name);
        }
    }

    #[test]
    fn every_rule_of_sections_a_to_j_has_a_case() {
        let mut by_rule: BTreeMap<u32, Vec<&str>> = BTreeMap::new();
        for case in cases() {
            assert!(!case.rules.is_empty(), "{} names no rule", case.name);
            for rule in case.rules {
                assert!((1..=55).contains(rule), "{} names rule {rule}", case.name);
                by_rule.entry(*rule).or_default().push(case.name);
            }
        }
        let missing: Vec<u32> = (1..=51).filter(|r| !by_rule.contains_key(r)).collect();
        assert!(missing.is_empty(), "rules without a case: {missing:?}");
    }

    #[test]
    fn every_area_has_cases() {
        let all = cases();
        for area in crate::case::Area::ALL {
            assert!(all.iter().any(|c| c.area == area), "no case in {area}");
        }
    }
}
