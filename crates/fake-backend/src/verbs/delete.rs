//! Delete and deletecollection (rules 28–33): preconditions, propagation policy and its
//! finalizers, deletionTimestamp marking, the success Status.

use std::sync::Arc;

use either::Either;
use kobj_core::error::empty_details;
use kobj_core::{Error, ResourceType, Result};
use kube_core::params::{DeleteParams, ListParams, PropagationPolicy};
use kube_core::response::{StatusDetails, StatusSummary};
use kube_core::{DynamicObject, ObjectList, Status};
use serde_json::Value;

use super::{ns_of, resolve};
use crate::cluster::{FakeCluster, Inner, State};
use crate::meta;
use crate::registry::TypeInfo;
use crate::store;

/// The finalizer of Orphan propagation.
pub const ORPHAN_FINALIZER: &str = "orphan";
/// The finalizer of Foreground propagation.
pub const FOREGROUND_FINALIZER: &str = "foregroundDeletion";

/// The Status of an immediate delete (rule 28).
pub(crate) fn success_status(info: &TypeInfo, name: &str, uid: &str) -> Status {
    Status {
        status: Some(StatusSummary::Success),
        code: 0,
        message: String::new(),
        metadata: None,
        reason: String::new(),
        details: Some(StatusDetails {
            name: name.to_string(),
            group: info.resource.api.group.clone(),
            kind: info.resource.api.plural.clone(),
            uid: uid.to_string(),
            ..empty_details()
        }),
    }
}

/// A precondition Conflict (rule 30): the resource is named by Kind.
fn precondition_failed(info: &TypeInfo, name: &str, cause: String) -> Error {
    let mut by_kind = info.resource.clone();
    by_kind.api.plural = info.resource.api.kind.clone();
    Error::conflict(&by_kind, name, cause)
}

/// Which built-ins return the deleted object instead of a Status: those whose REST storage
/// sets `ReturnDeletedObject` (pkg/registry/*/storage; Services since the storage was
/// rewritten in 1.23). A Namespace usually answers with itself anyway: its `kubernetes`
/// finalizer holds it.
fn returns_object(info: &TypeInfo) -> bool {
    if info.is_custom() {
        return false;
    }
    let api = &info.resource.api;
    match api.group.as_str() {
        "" => matches!(
            api.plural.as_str(),
            "pods"
                | "services"
                | "serviceaccounts"
                | "persistentvolumes"
                | "persistentvolumeclaims"
                | "podtemplates"
                | "resourcequotas"
                | "namespaces"
        ),
        "storage.k8s.io" => matches!(
            api.plural.as_str(),
            "storageclasses"
                | "csidrivers"
                | "csinodes"
                | "volumeattachments"
                | "volumeattributesclasses"
        ),
        "resource.k8s.io" => matches!(
            api.plural.as_str(),
            "deviceclasses"
                | "devicetaintrules"
                | "resourceclaims"
                | "resourceclaimtemplates"
                | "resourceslices"
        ),
        _ => false,
    }
}

/// Deletes one object under the lock.
pub(crate) fn delete_locked(
    inner: &Inner,
    st: &mut State,
    info: &Arc<TypeInfo>,
    ns: &str,
    name: &str,
    params: &DeleteParams,
) -> Result<Either<Value, Status>> {
    let key = store::key(ns, name);
    let skey = info.store_key();
    let existing = st
        .store
        .get(&skey, &key)
        .cloned()
        .ok_or_else(|| Error::not_found(&info.resource, name))?;
    if let Some(pre) = &params.preconditions {
        if let Some(uid) = &pre.uid
            && *uid != *existing.uid
        {
            return Err(precondition_failed(
                info,
                name,
                format!(
                    "the UID in the precondition ({uid}) does not match the UID in record ({}). The object might have been deleted and then recreated",
                    existing.uid
                ),
            ));
        }
        if let Some(rv) = &pre.resource_version
            && *rv != existing.rv.to_string()
        {
            return Err(precondition_failed(
                info,
                name,
                format!(
                    "the ResourceVersion in the precondition ({rv}) does not match the ResourceVersion in record ({}). The object might have been modified",
                    existing.rv
                ),
            ));
        }
    }
    let mut obj = inner.render_value(info, &existing);
    let mut finalizers = meta::finalizers(&obj);
    // Rule 51: a CRD gets its cleanup finalizer on the first DELETE (apiextensions' REST
    // Delete adds it, with the deletionTimestamp, before the store's own delete runs).
    if crate::crd::is_crd(info)
        && !meta::is_deleting(&obj)
        && !finalizers
            .iter()
            .any(|f| f == crate::crd::CLEANUP_FINALIZER)
    {
        finalizers.push(crate::crd::CLEANUP_FINALIZER.to_string());
    }
    // Rule 31: orphanDependents, then propagationPolicy, then a finalizer already present,
    // then the default (Background).
    let policy = match &params.propagation_policy {
        Some(p) => Some(p.clone()),
        None if finalizers.iter().any(|f| f == ORPHAN_FINALIZER) => Some(PropagationPolicy::Orphan),
        None if finalizers.iter().any(|f| f == FOREGROUND_FINALIZER) => {
            Some(PropagationPolicy::Foreground)
        }
        None => None,
    };
    let wanted = match policy {
        Some(PropagationPolicy::Orphan) => Some(ORPHAN_FINALIZER),
        Some(PropagationPolicy::Foreground) => Some(FOREGROUND_FINALIZER),
        _ => None,
    };
    finalizers.retain(|f| {
        (f != ORPHAN_FINALIZER && f != FOREGROUND_FINALIZER) || Some(f.as_str()) == wanted
    });
    if let Some(w) = wanted
        && !finalizers.iter().any(|f| f == w)
    {
        finalizers.push(w.to_string());
    }
    let mut probe = obj.clone();
    meta::set_finalizers(&mut probe, &finalizers);
    if meta::is_deleting(&obj) && meta::has_finalizers(&probe) {
        // Rule 29: a repeated DELETE returns the object (updating GC finalizers only).
        if finalizers != meta::finalizers(&obj) && !params.dry_run {
            let had_foreground = meta::finalizers(&obj)
                .iter()
                .any(|f| f == FOREGROUND_FINALIZER);
            let waits = !had_foreground && finalizers.iter().any(|f| f == FOREGROUND_FINALIZER);
            meta::set_finalizers(&mut obj, &finalizers);
            let out = super::write::commit(st, info, &key, obj, false);
            crate::gc::deletion_marked(st, &skey, &key, &existing.uid, waits);
            return Ok(Either::Left(out));
        }
        return Ok(Either::Left(obj));
    }
    // No finalizers left (none ever, or a repeated DELETE whose policy dropped the last GC
    // finalizer): the object goes now, as the store deletes it once nothing is pending.
    if !meta::has_finalizers(&probe) {
        let status = success_status(info, name, &existing.uid);
        if !params.dry_run {
            st.commit(&skey, &key, None);
            crate::gc::owner_removed(st, &existing);
        }
        if returns_object(info) {
            return Ok(Either::Left(obj));
        }
        return Ok(Either::Right(status));
    }
    // Rule 29: mark for deletion.
    let now = inner.clock.now().to_string();
    {
        let m = meta::meta_mut(&mut obj);
        m.insert("deletionTimestamp".into(), Value::String(now));
        // The store's `markAsDeleting` sets a zero grace period; the namespace storage's own
        // `Delete` sets the timestamp alone.
        if !crate::namespaces::is_namespace(info) {
            m.insert("deletionGracePeriodSeconds".into(), Value::from(0));
        }
        let generation = m.get("generation").and_then(Value::as_i64).unwrap_or(0);
        if generation > 0 {
            m.insert("generation".into(), Value::from(generation + 1));
        }
    }
    meta::set_finalizers(&mut obj, &finalizers);
    if crate::namespaces::is_namespace(info) {
        crate::namespaces::mark_terminating(&mut obj);
    }
    let waits = finalizers.iter().any(|f| f == FOREGROUND_FINALIZER);
    let out = super::write::commit(st, info, &key, obj, params.dry_run);
    if !params.dry_run {
        crate::gc::deletion_marked(st, &skey, &key, &existing.uid, waits);
        if crate::namespaces::is_namespace(info) {
            st.gc.namespaces.insert(name.to_string());
        }
        if crate::crd::is_crd(info) {
            crate::crd::mark_terminating(st, name);
        }
    }
    Ok(Either::Left(out))
}

impl FakeCluster {
    /// Deletes one object, with no fault check and no action record.
    pub(crate) fn delete_now(
        &self,
        rt: &ResourceType,
        namespace: Option<&str>,
        name: &str,
        params: &DeleteParams,
    ) -> Result<Either<Value, Status>> {
        let mut st = self.inner.lock();
        let info = resolve(&st, rt, namespace, false)?;
        // PriorityClasses' `REST.Delete`, before the store looks for the object (a
        // deletecollection goes to the store directly and is not refused).
        if crate::builtins::is_priority_class(&info)
            && crate::builtins::admission::SYSTEM_PRIORITY_CLASSES
                .iter()
                .any(|(system, ..)| *system == name)
        {
            return Err(Error::forbidden(
                &info.resource,
                name,
                "this is a system priority class and cannot be deleted",
            ));
        }
        // NamespaceLifecycle admission, which runs before the store looks for the object:
        // the namespaces the server keeps cannot be deleted (`kube-node-lease` can).
        if crate::namespaces::is_namespace(&info)
            && ["default", "kube-system", "kube-public"].contains(&name)
        {
            return Err(Error::forbidden(
                &info.resource,
                name,
                "this namespace may not be deleted",
            ));
        }
        let ns = ns_of(&info, namespace).to_string();
        let out = delete_locked(&self.inner, &mut st, &info, &ns, name, params)?;
        if !params.dry_run {
            crate::gc::settle(&self.inner, &mut st);
        }
        Ok(out)
    }

    /// Deletes every selected object (the engine behind `delete_collection`); returns the
    /// affected objects as they were after their delete (rule 33).
    pub(crate) async fn delete_collection_dynamic(
        &self,
        rt: &ResourceType,
        namespace: Option<&str>,
        params: &DeleteParams,
        list: &ListParams,
    ) -> Result<ObjectList<DynamicObject>> {
        let mut all = list.clone();
        all.limit = None;
        all.continue_token = None;
        let listed = self.list_dynamic(rt, namespace, &all).await?;
        let mut st = self.inner.lock();
        let info = resolve(&st, rt, namespace, true)?;
        let mut items = Vec::new();
        for item in listed.items {
            let name = item.metadata.name.clone().unwrap_or_default();
            let ns = item.metadata.namespace.clone().unwrap_or_default();
            match delete_locked(&self.inner, &mut st, &info, &ns, &name, params) {
                Ok(Either::Left(v)) => items.push(meta::to_dynamic(v)?),
                Ok(Either::Right(_)) => items.push(item),
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e),
            }
        }
        if !params.dry_run {
            crate::gc::settle(&self.inner, &mut st);
        }
        Ok(ObjectList {
            types: listed.types,
            metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ListMeta {
                resource_version: Some(st.store.rv.to_string()),
                ..Default::default()
            },
            items,
        })
    }
}
