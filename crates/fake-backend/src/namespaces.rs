//! Namespace lifecycle (rules 9, 33): a deleted namespace turns Terminating, its contents are
//! deleted, and it is removed once empty (the `kubernetes` finalizer in `spec.finalizers`).

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
        if st.store.get(&s, &k).is_some() {
            remaining = true;
        }
    }
    if remaining {
        return false;
    }
    // Empty: drop the `kubernetes` finalizer, then the namespace.
    let mut obj = namespace.value();
    if let Some(list) = obj
        .get_mut("spec")
        .and_then(|s| s.get_mut("finalizers"))
        .and_then(Value::as_array_mut)
    {
        list.retain(|f| f.as_str() != Some("kubernetes"));
    }
    if meta::finalizers(&obj).is_empty() {
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
