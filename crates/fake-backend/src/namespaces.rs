//! Namespace lifecycle (rules 9, 33): a deleted namespace turns Terminating, its contents are
//! deleted, and it is removed once empty (the `kubernetes` finalizer in `spec.finalizers`).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::cluster::{Inner, State};
use crate::meta;
use crate::registry::TypeInfo;
use crate::store;

/// The store key of namespaces.
pub(crate) const NAMESPACES: &str = "/namespaces";

/// Whether `info` is core/v1 Namespace.
pub(crate) fn is_namespace(info: &TypeInfo) -> bool {
    info.resource.api.group.is_empty() && info.resource.api.plural == "namespaces"
}

/// Sets `status.phase: Terminating`.
pub(crate) fn mark_terminating(obj: &mut Value) {
    if let Some(map) = obj.as_object_mut() {
        map.insert("status".into(), json!({"phase": "Terminating"}));
    }
}

/// One step of the namespace controller for `ns`. Returns `false` while objects with
/// finalizers still hold the namespace.
pub(crate) fn step(inner: &Inner, st: &mut State, ns: &str) -> bool {
    let ns_key = store::key("", ns);
    let Some(namespace) = st.store.get(NAMESPACES, &ns_key).cloned() else {
        return true;
    };
    if !namespace.deleting {
        return true;
    }
    // Delete the contents.
    let prefix = store::key(ns, "");
    let upper = store::namespace_end(ns);
    let mut contents = Vec::new();
    for (s, table) in &st.store.tables {
        for (k, o) in table.range::<str, _>((
            std::ops::Bound::Included(prefix.as_str()),
            std::ops::Bound::Excluded(upper.as_str()),
        )) {
            contents.push((s.clone(), k.clone(), o.deleting));
        }
    }
    let mut remaining = false;
    // What is left, for the status conditions: items per resource, and per finalizer.
    let mut left: BTreeMap<String, usize> = BTreeMap::new();
    let mut held_by: BTreeMap<String, usize> = BTreeMap::new();
    for (s, k, deleting) in contents {
        if !deleting {
            let Some(info) = crate::gc::info_for_store(st, &s) else {
                continue;
            };
            let (ons, name) = store::split_key(&k);
            let (ons, name) = (ons.to_string(), name.to_string());
            let _ = crate::verbs::delete::delete_locked(
                inner,
                st,
                &info,
                &ons,
                &name,
                &Default::default(),
            );
        }
        if let Some(o) = st.store.get(&s, &k).cloned() {
            remaining = true;
            if let Some(info) = crate::gc::info_for_store(st, &s) {
                let api = &info.resource.api;
                *left
                    .entry(format!("{}.{}", api.plural, api.group))
                    .or_default() += 1;
            }
            for f in meta::finalizers(&o.value()) {
                *held_by.entry(f).or_default() += 1;
            }
        }
    }
    write_conditions(inner, st, &ns_key, &left, &held_by);
    if remaining {
        return false;
    }
    // The conditions were written: the namespace as it is now.
    let Some(namespace) = st.store.get(NAMESPACES, &ns_key).cloned() else {
        return true;
    };
    // Empty: drop the `kubernetes` finalizer, then the namespace.
    let mut obj = namespace.value();
    if let Some(list) = obj
        .get_mut("spec")
        .and_then(|s| s.get_mut("finalizers"))
        .and_then(Value::as_array_mut)
    {
        list.retain(|f| f.as_str() != Some("kubernetes"));
    }
    // Other `spec.finalizers` hold it too, until `/finalize` takes them off.
    let spec_finalizers_left = obj
        .pointer("/spec/finalizers")
        .and_then(Value::as_array)
        .is_some_and(|l| !l.is_empty());
    if meta::finalizers(&obj).is_empty() && !spec_finalizers_left {
        st.commit(NAMESPACES, &ns_key, None);
        crate::gc::owner_removed(st, &namespace);
    } else if obj != namespace.value() {
        let rv = st.store.next_rv();
        store::object::set_rv(&mut obj, rv);
        st.commit(NAMESPACES, &ns_key, Some(store::Stored::new(&obj, rv)));
        // Held by metadata.finalizers: removed when a client clears them (rule 20).
    }
    true
}

/// The condition types the namespace deleter maintains, in its order, with the reason and
/// message of their "ok" form (`status_condition_utils.go`).
const CONDITIONS: [(&str, &str, &str); 5] = [
    (
        "NamespaceDeletionDiscoveryFailure",
        "ResourcesDiscovered",
        "All resources successfully discovered",
    ),
    (
        "NamespaceDeletionGroupVersionParsingFailure",
        "ParsedGroupVersions",
        "All legacy kube types successfully parsed",
    ),
    (
        "NamespaceDeletionContentFailure",
        "ContentDeleted",
        "All content successfully deleted, may be waiting on finalization",
    ),
    (
        "NamespaceContentRemaining",
        "ContentRemoved",
        "All content successfully removed",
    ),
    (
        "NamespaceFinalizersRemaining",
        "ContentRemoved",
        "All content successfully removed",
    ),
];

/// The namespace deleter's status update after it deleted what it could
/// (`ProcessContentTotals`, `updateConditions`): each condition type in its failing form when
/// resources (`<resource>.<group> has N resource instances`) or finalizers (`<finalizer> in N
/// resource instances`) remain, its ok form otherwise; written through `/status` as
/// kube-controller-manager when a condition's status, reason or message changed (its
/// transition time only when the status did).
fn write_conditions(
    inner: &Inner,
    st: &mut State,
    ns_key: &str,
    left: &BTreeMap<String, usize>,
    held_by: &BTreeMap<String, usize>,
) {
    let Some(existing) = st.store.get(NAMESPACES, ns_key).cloned() else {
        return;
    };
    let Some(info) = crate::gc::info_for_store(st, NAMESPACES) else {
        return;
    };
    let now = inner.clock.now();
    let time = crate::meta::time_text(&k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(now))
        .unwrap_or_default();
    let listed = |counts: &BTreeMap<String, usize>, word: &str| {
        counts
            .iter()
            .map(|(what, n)| format!("{what} {word} {n} resource instances"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let failing = |kind: &str| -> Option<(&str, String)> {
        match kind {
            "NamespaceContentRemaining" if !left.is_empty() => Some((
                "SomeResourcesRemain",
                format!("Some resources are remaining: {}", listed(left, "has")),
            )),
            "NamespaceFinalizersRemaining" if !held_by.is_empty() => Some((
                "SomeFinalizerRemain",
                format!("Some finalizers are remaining: {}", listed(held_by, "in")),
            )),
            _ => None,
        }
    };
    let before = existing.value();
    let mut obj = before.clone();
    let mut conditions: Vec<Value> = obj
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut changed = false;
    for (kind, ok_reason, ok_message) in CONDITIONS {
        let (status, reason, message) = match failing(kind) {
            Some((reason, message)) => ("True", reason, message),
            None => ("False", ok_reason, ok_message.to_string()),
        };
        match conditions.iter_mut().find(|c| c["type"] == kind) {
            None => {
                conditions.push(json!({
                    "type": kind, "status": status, "lastTransitionTime": time,
                    "reason": reason, "message": message,
                }));
                changed = true;
            }
            Some(old)
                if old["status"] != status
                    || old["reason"] != reason
                    || old["message"] != message.as_str() =>
            {
                if old["status"] != status {
                    old["lastTransitionTime"] = json!(time);
                }
                old["status"] = json!(status);
                old["reason"] = json!(reason);
                old["message"] = json!(message);
                changed = true;
            }
            Some(_) => {}
        }
    }
    if !changed {
        return;
    }
    if let Some(status) = obj.get_mut("status").and_then(Value::as_object_mut) {
        status.insert("conditions".into(), Value::Array(conditions));
    }
    crate::gc::commit_controller_update(
        inner,
        st,
        &info,
        (NAMESPACES, ns_key),
        (&existing, &before),
        obj,
        (crate::gc::CONTROLLER_MANAGER, Some("status")),
        now,
    );
}
