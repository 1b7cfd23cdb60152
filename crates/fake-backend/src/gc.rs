//! The garbage collector and namespace controller, emulated synchronously after each write
//! (rules 31–33): Background deletes dependents whose owner is gone, Foreground deletes
//! dependents first (those with `blockOwnerDeletion` hold the owner), Orphan strips the
//! owner references; a dependent with another live owner survives; cycles never block.
//! Terminating namespaces are emptied then removed; terminating CRDs lose their objects.

use std::collections::BTreeSet;
use std::sync::Arc;

use kube_core::params::DeleteParams;
use serde_json::Value;

use crate::cluster::{Inner, State};
use crate::meta;
use crate::registry::TypeInfo;
use crate::store::{self, Stored};
use crate::verbs::delete::{FOREGROUND_FINALIZER, ORPHAN_FINALIZER, delete_locked};

/// Work the controllers still have to do.
#[derive(Clone, Debug, Default)]
pub(crate) struct Pending {
    /// Uids of removed objects whose dependents have not been handled.
    pub removed: Vec<Box<str>>,
    /// Objects being deleted with GC finalizers (store key, table key).
    pub finalizing: BTreeSet<(Arc<str>, crate::store::Key)>,
    /// Terminating namespaces.
    pub namespaces: BTreeSet<String>,
    /// Terminating CRDs.
    pub crds: BTreeSet<String>,
}

impl Pending {
    fn is_empty(&self) -> bool {
        self.removed.is_empty()
            && self.finalizing.is_empty()
            && self.namespaces.is_empty()
            && self.crds.is_empty()
    }
}

/// Notes that `obj` is gone: its dependents and owners need attention.
pub(crate) fn owner_removed(st: &mut State, obj: &Stored) {
    if !obj.uid.is_empty() {
        st.gc.removed.push(obj.uid.clone());
    }
    // Owners waiting in foreground deletion may now proceed.
    for owner in obj.owners.iter() {
        if let Some((s, k)) = st.store.uids.get(owner).cloned() {
            st.gc.finalizing.insert((s, k));
        }
    }
}

/// Queues an object being deleted for its GC finalizers.
pub(crate) fn enqueue_finalizing(st: &mut State, store_key: &str, key: &str) {
    st.gc.finalizing.insert((store_key.into(), key.into()));
}

/// The type info of objects stored under `store_key` (the storage version).
pub(crate) fn info_for_store(st: &State, store_key: &str) -> Option<Arc<TypeInfo>> {
    let versions = st.registry.versions_of(store_key);
    versions
        .iter()
        .find(|t| t.storage)
        .or_else(|| versions.first())
        .cloned()
}

/// Every object (store, key) whose ownerReferences name `uid`.
fn dependents_of(st: &State, uid: &str) -> Vec<(Arc<str>, crate::store::Key)> {
    let mut out = Vec::new();
    for (s, table) in &st.store.tables {
        for (k, o) in table {
            if o.owners.iter().any(|u| &**u == uid) {
                out.push((s.clone(), k.clone()));
            }
        }
    }
    out
}

/// Deletes (store, key) with Background propagation, ignoring failures (it may be gone).
fn delete(inner: &Inner, st: &mut State, store_key: &str, key: &str) -> bool {
    let Some(info) = info_for_store(st, store_key) else {
        return false;
    };
    let (ns, name) = store::split_key(key);
    let (ns, name) = (ns.to_string(), name.to_string());
    delete_locked(inner, st, &info, &ns, &name, &DeleteParams::default()).is_ok()
}

/// Rewrites an object in place (a controller's update), returning whether it changed.
fn rewrite(
    inner: &Inner,
    st: &mut State,
    store_key: &str,
    key: &str,
    f: impl FnOnce(&mut Value),
) -> bool {
    let Some(existing) = st.store.get(store_key, key).cloned() else {
        return false;
    };
    let Some(info) = info_for_store(st, store_key) else {
        return false;
    };
    let mut obj = existing.value();
    let before = obj.clone();
    f(&mut obj);
    if obj == before {
        return false;
    }
    if meta::is_deleting(&obj) && !meta::has_finalizers(&obj) {
        st.commit(store_key, key, None);
        owner_removed(st, &existing);
        if crate::crd::is_crd(&info) {
            crate::crd::removed(st, store::split_key(key).1);
        }
        return true;
    }
    let rv = st.store.next_rv();
    store::object::set_rv(&mut obj, rv);
    let _ = inner;
    st.commit(store_key, key, Some(Stored::new(&obj, rv)));
    true
}

fn remove_finalizer(obj: &mut Value, finalizer: &str) {
    let mut list = meta::finalizers(obj);
    list.retain(|f| f != finalizer);
    meta::set_finalizers(obj, &list);
}

/// Runs the controllers until nothing is left to do.
pub(crate) fn settle(inner: &Inner, st: &mut State) {
    let mut rounds = 0;
    while !st.gc.is_empty() && rounds < 100_000 {
        rounds += 1;
        // Dependents of removed owners (Background).
        if let Some(uid) = st.gc.removed.pop() {
            for (s, k) in dependents_of(st, &uid) {
                let Some(dep) = st.store.get(&s, &k).cloned() else {
                    continue;
                };
                if has_solid_owner(st, &dep, &uid) {
                    let gone = uid.clone();
                    rewrite(inner, st, &s, &k, |obj| strip_owner(obj, &gone));
                } else if !dep.deleting {
                    delete(inner, st, &s, &k);
                }
            }
            continue;
        }
        if let Some((s, k)) = st.gc.finalizing.pop_first() {
            finalize(inner, st, &s, &k);
            continue;
        }
        if let Some(ns) = st.gc.namespaces.pop_first() {
            if !crate::namespaces::step(inner, st, &ns) {
                st.gc.namespaces.insert(ns);
                break;
            }
            continue;
        }
        if let Some(crd) = st.gc.crds.pop_first() {
            if !crate::crd::cleanup_step(inner, st, &crd) {
                st.gc.crds.insert(crd);
                break;
            }
            continue;
        }
    }
}

/// Whether `dep` has an owner other than `uid` that holds it: one that exists and is not
/// waiting for its own dependents (the controller's "solid" owners; an owner in foreground
/// deletion does not keep its dependents).
fn has_solid_owner(st: &State, dep: &Stored, uid: &str) -> bool {
    dep.owners.iter().any(|o| {
        **o != *uid
            && st
                .store
                .uids
                .get(o)
                .and_then(|(s, k)| st.store.get(s, k))
                .is_some_and(|owner| {
                    !owner.deleting
                        || !meta::finalizers(&owner.value())
                            .iter()
                            .any(|f| f == FOREGROUND_FINALIZER)
                })
    })
}

fn strip_owner(obj: &mut Value, uid: &str) {
    let m = meta::meta_mut(obj);
    if let Some(Value::Array(refs)) = m.get_mut("ownerReferences") {
        refs.retain(|r| r.get("uid").and_then(Value::as_str) != Some(uid));
        if refs.is_empty() {
            m.remove("ownerReferences");
        }
    }
}

/// The GC finalizers of one object being deleted.
fn finalize(inner: &Inner, st: &mut State, s: &str, k: &str) {
    let Some(obj) = st.store.get(s, k).cloned() else {
        return;
    };
    if !obj.deleting {
        return;
    }
    let value = obj.value();
    let finalizers = meta::finalizers(&value);
    if finalizers.iter().any(|f| f == ORPHAN_FINALIZER) {
        for (ds, dk) in dependents_of(st, &obj.uid) {
            let uid = obj.uid.clone();
            rewrite(inner, st, &ds, &dk, |o| strip_owner(o, &uid));
        }
        rewrite(inner, st, s, k, |o| remove_finalizer(o, ORPHAN_FINALIZER));
        return;
    }
    if finalizers.iter().any(|f| f == FOREGROUND_FINALIZER) {
        let mut blocking = false;
        for (ds, dk) in dependents_of(st, &obj.uid) {
            let Some(dep) = st.store.get(&ds, &dk).cloned() else {
                continue;
            };
            let dep_value = dep.value();
            let blocks = meta::meta(&dep_value)
                .and_then(|m| m.get("ownerReferences"))
                .and_then(Value::as_array)
                .is_some_and(|refs| {
                    refs.iter().any(|r| {
                        r.get("uid").and_then(Value::as_str) == Some(&*obj.uid)
                            && r.get("blockOwnerDeletion").and_then(Value::as_bool) == Some(true)
                    })
                });
            if !dep.deleting {
                if has_solid_owner(st, &dep, &obj.uid) {
                    // Another owner keeps it: it only loses this reference.
                    let uid = obj.uid.clone();
                    rewrite(inner, st, &ds, &dk, |o| strip_owner(o, &uid));
                    continue;
                }
                delete(inner, st, &ds, &dk);
            }
            if blocks && st.store.get(&ds, &dk).is_some() {
                blocking = true;
            }
        }
        if !blocking {
            rewrite(inner, st, s, k, |o| {
                remove_finalizer(o, FOREGROUND_FINALIZER)
            });
        }
    }
}
