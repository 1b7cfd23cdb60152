//! The garbage collector and namespace controller, emulated synchronously after each write
//! (rules 31–33), after the controller's `attemptToDeleteItem`: a dependent with a live owner
//! that is not waiting for its own dependents (a "solid" owner) loses only its references to
//! gone and waiting owners; one without, whose owner waits in Foreground deletion and which
//! has dependents of its own, is deleted in Foreground in turn (so a chain waits for its
//! held end); any other is deleted with the policy its finalizers name (`orphan`,
//! `foregroundDeletion`), else Background. An owner in Foreground deletion keeps its
//! `foregroundDeletion` finalizer while a dependent with `blockOwnerDeletion` remains; Orphan
//! strips the owner references; a dependent whose own dependent already waits for its
//! dependents has its references made non-blocking first, so cycles do not block.
//! Terminating namespaces are emptied then removed; terminating CRDs lose their objects.

use std::collections::BTreeSet;
use std::sync::Arc;

use kube_core::params::{DeleteParams, Preconditions, PropagationPolicy};
use serde_json::Value;

use crate::cluster::{Inner, State};
use crate::meta;
use crate::registry::TypeInfo;
use crate::store::{self, Key, Stored};
use crate::verbs::delete::{FOREGROUND_FINALIZER, ORPHAN_FINALIZER, delete_locked};

/// Work the controllers still have to do, and what the collector remembers between runs.
#[derive(Clone, Debug, Default)]
pub(crate) struct Pending {
    /// Uids of removed objects whose dependents have not been handled.
    pub removed: Vec<Box<str>>,
    /// Objects that started waiting for their dependents' deletion (store key, table key):
    /// every dependent is attempted, then the object.
    pub started: BTreeSet<(Arc<str>, Key)>,
    /// Objects to attempt (store key, table key): ones being deleted with GC finalizers, and
    /// owners whose blocking dependents went or stopped blocking.
    pub finalizing: BTreeSet<(Arc<str>, Key)>,
    /// Objects (store key, table key) whose writes added ownerReferences: the graph builder
    /// attempts each, so one whose owners are absent is collected.
    pub added_references: BTreeSet<(Arc<str>, Key)>,
    /// Uids of the objects seen to start waiting for their dependents' deletion: the
    /// controller's one-way `deletingDependents` mark, dropped when the object is removed.
    pub deleting_dependents: BTreeSet<Box<str>>,
    /// Terminating namespaces.
    pub namespaces: BTreeSet<String>,
    /// Terminating CRDs.
    pub crds: BTreeSet<String>,
}

impl Pending {
    fn is_empty(&self) -> bool {
        self.removed.is_empty()
            && self.added_references.is_empty()
            && self.started.is_empty()
            && self.finalizing.is_empty()
            && self.namespaces.is_empty()
            && self.crds.is_empty()
    }
}

/// Notes that `obj` is gone: its dependents and owners need attention.
pub(crate) fn owner_removed(st: &mut State, obj: &Stored) {
    if !obj.uid.is_empty() {
        st.gc.deleting_dependents.remove(&obj.uid);
        st.gc.removed.push(obj.uid.clone());
    }
    // Owners waiting for their dependents' deletion may now proceed.
    for owner in obj.owners.iter() {
        if !st.gc.deleting_dependents.contains(owner) {
            continue;
        }
        if let Some((s, k)) = st.store.uids.get(owner).cloned() {
            st.gc.finalizing.insert((s, k));
        }
    }
}

/// A client's write stored `key` with ownerReferences that `before` (the version it replaced,
/// if any) lacked: the graph builder's `addDependentToOwners` attempts it (through its virtual
/// owner when the owner's uid is unknown, or directly when the reference's coordinates do not
/// match the object with that uid), so a dependent of absent owners is collected.
pub(crate) fn references_added(
    st: &mut State,
    store_key: &str,
    key: &str,
    before: Option<&Stored>,
) {
    let Some(after) = st.store.get(store_key, key) else {
        return;
    };
    let added = after
        .owners
        .iter()
        .any(|o| before.is_none_or(|b| !b.owners.contains(o)));
    if added {
        st.gc
            .added_references
            .insert((store_key.into(), key.into()));
    }
}

/// Queues an object a DELETE marked or whose GC finalizers it changed. `waits_for_dependents`:
/// it has just gained `foregroundDeletion` (the controller's "starts waiting for dependents
/// deleted"), so every dependent is attempted.
pub(crate) fn deletion_marked(
    st: &mut State,
    store_key: &str,
    key: &str,
    uid: &str,
    waits_for_dependents: bool,
) {
    if waits_for_dependents && !uid.is_empty() {
        st.gc.deleting_dependents.insert(uid.into());
        st.gc.started.insert((store_key.into(), key.into()));
    } else {
        st.gc.finalizing.insert((store_key.into(), key.into()));
    }
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

/// Every object (store, key) whose ownerReferences name `uid`, in (store, key) order.
fn dependents_of(st: &State, uid: &str) -> Vec<(Arc<str>, Key)> {
    let mut out = Vec::new();
    for (s, table) in &st.store.tables {
        for (k, o) in table {
            if o.owners.iter().any(|u| &**u == uid) {
                out.push((s.clone(), k.clone()));
            }
        }
    }
    // The tables are a hash map: sorted, the collector's order does not vary between runs.
    out.sort();
    out
}

/// The (uid, blockOwnerDeletion) of each ownerReference of `obj`.
fn owner_refs(obj: &Value) -> Vec<(String, bool)> {
    meta::meta(obj)
        .and_then(|m| m.get("ownerReferences"))
        .and_then(Value::as_array)
        .map(|refs| {
            refs.iter()
                .filter_map(|r| {
                    let uid = r.get("uid").and_then(Value::as_str)?;
                    let block = r.get("blockOwnerDeletion").and_then(Value::as_bool);
                    Some((uid.to_string(), block == Some(true)))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Deletes (store, key) as the collector does (uid precondition, explicit policy), ignoring
/// failures (it may be gone).
fn delete(
    inner: &Inner,
    st: &mut State,
    store_key: &str,
    key: &str,
    uid: &str,
    policy: PropagationPolicy,
) -> bool {
    let Some(info) = info_for_store(st, store_key) else {
        return false;
    };
    let (ns, name) = store::split_key(key);
    let (ns, name) = (ns.to_string(), name.to_string());
    let params = DeleteParams {
        propagation_policy: Some(policy),
        preconditions: Some(Preconditions {
            uid: Some(uid.to_string()),
            resource_version: None,
        }),
        ..DeleteParams::default()
    };
    delete_locked(inner, st, &info, &ns, &name, &params).is_ok()
}

/// Rewrites an object in place (a controller's update), returning whether it changed. Waiting
/// owners whose blocking reference it drops or unblocks are attempted again.
fn rewrite(
    inner: &Inner,
    st: &mut State,
    store_key: &str,
    key: &str,
    f: impl FnOnce(&mut Value, &TypeInfo),
) -> bool {
    let Some(existing) = st.store.get(store_key, key).cloned() else {
        return false;
    };
    let Some(info) = info_for_store(st, store_key) else {
        return false;
    };
    let mut obj = existing.value();
    let before = obj.clone();
    f(&mut obj, &info);
    if obj == before {
        return false;
    }
    enqueue_unblocked(st, &owner_refs(&before), &owner_refs(&obj));
    commit_controller_update(
        inner,
        st,
        &info,
        (store_key, key),
        (&existing, &before),
        obj,
        (CONTROLLER_MANAGER, None),
        inner.clock.now(),
    );
    true
}

/// Commits a controller's update of the stored `existing` (decoded: `before`) to `obj`. The
/// controller writes through the API like any client, so managedFields follow: what it
/// removes (an ownerReference, a finalizer) leaves every manager, and what it sets is owned
/// by `manager` (for `subresource`, at `time`). A deleting object whose last finalizer the
/// write removes goes away instead. Returns the stored version, or `None` when it went.
#[allow(clippy::too_many_arguments)]
pub(crate) fn commit_controller_update(
    inner: &Inner,
    st: &mut State,
    info: &TypeInfo,
    (store_key, key): (&str, &str),
    (existing, before): (&Stored, &Value),
    mut obj: Value,
    (manager, subresource): (&str, Option<&str>),
    time: k8s_openapi::jiff::Timestamp,
) -> Option<Value> {
    if meta::is_deleting(&obj) && !meta::has_finalizers(&obj) {
        st.commit(store_key, key, None);
        owner_removed(st, existing);
        if crate::crd::is_crd(info) {
            crate::crd::removed(inner, st, &obj);
        }
        return None;
    }
    let api = &info.resource.api;
    let fm = crate::patch::managed::FieldManagement {
        manager,
        api_version: &api.api_version,
        time: k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(time),
        subresource,
        group: &api.group,
        kind: &api.kind,
        schema: info.schema.as_deref(),
    };
    crate::patch::managed::track_update(Some(before), &mut obj, &fm);
    let rv = st.store.next_rv();
    store::object::set_rv(&mut obj, rv);
    st.commit(store_key, key, Some(Stored::new(&obj, rv)));
    Some(obj)
}

/// The field manager of the controllers' writes: the first segment of kube-controller-manager's
/// User-Agent, as the server derives a manager from it.
pub(crate) const CONTROLLER_MANAGER: &str = "kube-controller-manager";

/// Owners waiting for their dependents whose blocking reference (in `before`) went or stopped
/// blocking (in `after`) are attempted again.
fn enqueue_unblocked(st: &mut State, before: &[(String, bool)], after: &[(String, bool)]) {
    for (uid, block) in before {
        if !block
            || after.iter().any(|(u, b)| u == uid && *b)
            || !st.gc.deleting_dependents.contains(uid.as_str())
        {
            continue;
        }
        if let Some((s, k)) = st.store.uids.get(uid.as_str()).cloned() {
            st.gc.finalizing.insert((s, k));
        }
    }
}

/// A client's write changed the object `before` into `after`: an owner waiting for its
/// dependents whose blocking reference went or stopped blocking is attempted again (the graph
/// builder's `addUnblockedOwnersToDeleteQueue`). Decodes `before` only when it names such an
/// owner.
pub(crate) fn references_changed(st: &mut State, before: &Stored, after: &Value) {
    if !before
        .owners
        .iter()
        .any(|o| st.gc.deleting_dependents.contains(o))
    {
        return;
    }
    enqueue_unblocked(st, &owner_refs(&before.value()), &owner_refs(after));
}

fn remove_finalizer(obj: &mut Value, finalizer: &str) {
    let mut list = meta::finalizers(obj);
    list.retain(|f| f != finalizer);
    meta::set_finalizers(obj, &list);
}

/// Runs the controllers until nothing is left to do.
pub(crate) fn settle(inner: &Inner, st: &mut State) {
    let mut rounds = 0;
    // Namespaces and CRDs still held, set aside until other work changes something.
    let mut held_namespaces = Vec::new();
    let mut held_crds = Vec::new();
    let mut held_at = st.store.rv;
    while rounds < 100_000 {
        rounds += 1;
        if st.gc.is_empty() {
            if (held_namespaces.is_empty() && held_crds.is_empty()) || st.store.rv == held_at {
                break;
            }
            // Something changed since they were set aside: try them again.
            st.gc.namespaces.extend(held_namespaces.drain(..));
            st.gc.crds.extend(held_crds.drain(..));
            continue;
        }
        // Dependents of removed owners.
        if let Some(uid) = st.gc.removed.pop() {
            for (s, k) in dependents_of(st, &uid) {
                attempt_to_delete(inner, st, &s, &k);
            }
            continue;
        }
        // Objects that gained references: owners absent or not matching collect them.
        if let Some((s, k)) = st.gc.added_references.pop_first() {
            if owner_unknown_or_mismatched(st, &s, &k) {
                attempt_to_delete(inner, st, &s, &k);
            }
            continue;
        }
        // Owners that started waiting for their dependents: every dependent, then the owner.
        if let Some((s, k)) = st.gc.started.pop_first() {
            if let Some(obj) = st.store.get(&s, &k).cloned() {
                for (ds, dk) in dependents_of(st, &obj.uid) {
                    attempt_to_delete(inner, st, &ds, &dk);
                }
                finalize(inner, st, &s, &k);
            }
            continue;
        }
        if let Some((s, k)) = st.gc.finalizing.pop_first() {
            finalize(inner, st, &s, &k);
            continue;
        }
        if let Some(ns) = st.gc.namespaces.pop_first() {
            if !crate::namespaces::step(inner, st, &ns) {
                held_namespaces.push(ns);
                held_at = st.store.rv;
            }
            continue;
        }
        if let Some(crd) = st.gc.crds.pop_first() {
            if !crate::crd::cleanup_step(inner, st, &crd) {
                held_crds.push(crd);
                held_at = st.store.rv;
            }
            continue;
        }
    }
    st.gc.namespaces.extend(held_namespaces);
    st.gc.crds.extend(held_crds);
    // The ClusterRole aggregation controller, after anything that changed a ClusterRole.
    if st.cluster_roles_changed {
        crate::rbac::aggregation::run(inner, st);
    }
}

/// How one ownerReference stands (`classifyReferences`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OwnerState {
    /// The owner exists and is not waiting for its dependents' deletion.
    Solid,
    /// No object of the reference's kind and name has its uid where the dependent can see
    /// it (its own namespace, or the cluster scope).
    Dangling,
    /// The owner has a deletionTimestamp and the `foregroundDeletion` finalizer.
    Waiting,
    /// The reference cannot be looked up: its kind is not served, or a cluster-scoped
    /// dependent names a namespaced kind. The collector leaves such a dependent alone.
    Unresolvable,
}

/// One ownerReference's coordinates.
struct OwnerRef {
    api_version: String,
    kind: String,
    name: String,
    uid: Box<str>,
}

fn owner_coordinates(obj: &Value) -> Vec<OwnerRef> {
    let text = |r: &Value, k: &str| {
        r.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    meta::meta(obj)
        .and_then(|m| m.get("ownerReferences"))
        .and_then(Value::as_array)
        .map(|refs| {
            refs.iter()
                .map(|r| OwnerRef {
                    api_version: text(r, "apiVersion"),
                    kind: text(r, "kind"),
                    name: text(r, "name"),
                    uid: text(r, "uid").into(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The collector's `isDangling` and `classifyReferences` for one reference of a dependent in
/// `namespace` (empty when cluster-scoped): the owner is looked up by the reference's kind and
/// name, in the dependent's namespace when the kind is namespaced, and must have its uid. So
/// an owner in another namespace, or one whose name or kind the reference gets wrong, is
/// absent, as the Kubernetes documentation of owner references says.
fn owner_state(st: &State, namespace: &str, r: &OwnerRef) -> OwnerState {
    let (group, version) = r
        .api_version
        .split_once('/')
        .unwrap_or(("", &r.api_version));
    let Some(info) = st.registry.by_kind(group, version, &r.kind) else {
        return OwnerState::Unresolvable;
    };
    let namespaced = info.resource.is_namespaced();
    if namespaced && namespace.is_empty() {
        return OwnerState::Unresolvable;
    }
    let key = store::key(if namespaced { namespace } else { "" }, &r.name);
    let Some(owner) = st.store.get(&info.store_key(), &key) else {
        return OwnerState::Dangling;
    };
    if owner.uid != r.uid {
        return OwnerState::Dangling;
    }
    if owner.deleting
        && meta::finalizers(&owner.value())
            .iter()
            .any(|f| f == FOREGROUND_FINALIZER)
    {
        OwnerState::Waiting
    } else {
        OwnerState::Solid
    }
}

/// Whether the graph builder attempts (store, key) for its references: one names a uid no
/// stored object has (the builder's virtual owner, whose lookup finds it absent), or the
/// object with that uid is not where, or not what, the reference says.
fn owner_unknown_or_mismatched(st: &State, s: &str, k: &str) -> bool {
    let Some(item) = st.store.get(s, k) else {
        return false;
    };
    let namespace = store::split_key(k).0;
    owner_coordinates(&item.value()).iter().any(|r| {
        !st.store.uids.contains_key(&r.uid) || owner_state(st, namespace, r) == OwnerState::Dangling
    })
}

/// The controller's `attemptToDeleteItem` for one object.
fn attempt_to_delete(inner: &Inner, st: &mut State, s: &str, k: &str) {
    let Some(item) = st.store.get(s, k).cloned() else {
        return;
    };
    let deleting_dependents = st.gc.deleting_dependents.contains(&item.uid);
    // Being deleted is a one-way trip: wait for the final deletion.
    if item.deleting && !deleting_dependents {
        return;
    }
    if deleting_dependents {
        // Reached before its queued start (another owner's removal got here first): the
        // controller queues an owner's dependents ahead of the owner when it starts to
        // wait, so they are attempted first here too. Otherwise a dependent that does not
        // block it would see it gone and go in Background, not wait for its own blockers.
        if st.gc.started.remove(&(Arc::from(s), Key::from(k))) {
            for (ds, dk) in dependents_of(st, &item.uid) {
                attempt_to_delete(inner, st, &ds, &dk);
            }
        }
        process_deleting_dependents(inner, st, &item, s, k);
        return;
    }
    if item.owners.is_empty() {
        return;
    }
    let value = item.value();
    let namespace = store::split_key(k).0;
    let states: Vec<(Box<str>, OwnerState)> = owner_coordinates(&value)
        .into_iter()
        .map(|r| {
            let state = owner_state(st, namespace, &r);
            (r.uid, state)
        })
        .collect();
    // A reference the collector cannot look up stops it (it retries for ever, or gives up on
    // a cluster-scoped dependent of a namespaced kind).
    if states.iter().any(|(_, s)| *s == OwnerState::Unresolvable) {
        return;
    }
    if states.iter().any(|(_, s)| *s == OwnerState::Solid) {
        // A live owner keeps it: only the references to gone and waiting owners go, so
        // those owners are not stuck waiting for it.
        let drop: Vec<Box<str>> = states
            .into_iter()
            .filter(|(_, s)| *s != OwnerState::Solid)
            .map(|(u, _)| u)
            .collect();
        if !drop.is_empty() {
            rewrite(inner, st, s, k, |obj, _| strip_owners(obj, &drop));
        }
        return;
    }
    let waited_on = states.iter().any(|(_, s)| *s == OwnerState::Waiting);
    if waited_on {
        let dependents = dependents_of(st, &item.uid);
        if !dependents.is_empty() {
            // One of its dependents already waits for its own dependents: to avoid a cycle
            // its owners are not made to wait for it.
            let cycle = dependents.iter().any(|(ds, dk)| {
                st.store
                    .get(ds, dk)
                    .is_some_and(|d| st.gc.deleting_dependents.contains(&d.uid))
            });
            if cycle {
                rewrite(inner, st, s, k, unblock_owner_refs);
            }
            delete(inner, st, s, k, &item.uid, PropagationPolicy::Foreground);
            return;
        }
    }
    // No owner keeps it and none waits for it with dependents of its own: the policy its
    // finalizers name, else Background.
    let finalizers = meta::finalizers(&value);
    let policy = if finalizers.iter().any(|f| f == ORPHAN_FINALIZER) {
        PropagationPolicy::Orphan
    } else if finalizers.iter().any(|f| f == FOREGROUND_FINALIZER) {
        PropagationPolicy::Foreground
    } else {
        PropagationPolicy::Background
    };
    delete(inner, st, s, k, &item.uid, policy);
}

/// The controller's `processDeletingDependentsItem`: with no dependent left that blocks it,
/// the object loses `foregroundDeletion`; otherwise each blocking dependent not itself
/// waiting for its dependents is attempted.
fn process_deleting_dependents(inner: &Inner, st: &mut State, item: &Stored, s: &str, k: &str) {
    let mut blocking = Vec::new();
    for (ds, dk) in dependents_of(st, &item.uid) {
        let Some(dep) = st.store.get(&ds, &dk) else {
            continue;
        };
        if owner_refs(&dep.value())
            .iter()
            .any(|(u, block)| *u == *item.uid && *block)
        {
            blocking.push((ds, dk, dep.uid.clone()));
        }
    }
    if blocking.is_empty() {
        rewrite(inner, st, s, k, |o, _| {
            remove_finalizer(o, FOREGROUND_FINALIZER)
        });
        return;
    }
    for (ds, dk, uid) in blocking {
        if !st.gc.deleting_dependents.contains(&uid) {
            attempt_to_delete(inner, st, &ds, &dk);
        }
    }
}

fn strip_owners(obj: &mut Value, uids: &[Box<str>]) {
    let m = meta::meta_mut(obj);
    if let Some(Value::Array(refs)) = m.get_mut("ownerReferences") {
        refs.retain(|r| {
            r.get("uid")
                .and_then(Value::as_str)
                .is_none_or(|u| !uids.iter().any(|g| **g == *u))
        });
        if refs.is_empty() {
            m.remove("ownerReferences");
        }
    }
}

/// Sets `blockOwnerDeletion: false` on the blocking ownerReferences, as the controller's
/// strategic merge patch does; custom resources take its JSON merge patch instead, which
/// sets it on every reference.
fn unblock_owner_refs(obj: &mut Value, info: &TypeInfo) {
    let every = info.is_custom();
    let m = meta::meta_mut(obj);
    if let Some(Value::Array(refs)) = m.get_mut("ownerReferences") {
        for r in refs.iter_mut().filter_map(Value::as_object_mut) {
            let blocking = r.get("blockOwnerDeletion").and_then(Value::as_bool) == Some(true);
            if blocking || every {
                r.insert("blockOwnerDeletion".into(), Value::Bool(false));
            }
        }
    }
}

/// The GC work for one queued object: Orphan's stripping of the dependents' references, or
/// an attempt to delete it (which, for an object waiting for its dependents, checks them).
fn finalize(inner: &Inner, st: &mut State, s: &str, k: &str) {
    let Some(obj) = st.store.get(s, k).cloned() else {
        return;
    };
    if obj.deleting
        && meta::finalizers(&obj.value())
            .iter()
            .any(|f| f == ORPHAN_FINALIZER)
    {
        for (ds, dk) in dependents_of(st, &obj.uid) {
            let uid = [obj.uid.clone()];
            rewrite(inner, st, &ds, &dk, |o, _| strip_owners(o, &uid));
        }
        rewrite(inner, st, s, k, |o, _| {
            remove_finalizer(o, ORPHAN_FINALIZER)
        });
        return;
    }
    attempt_to_delete(inner, st, s, k);
}
