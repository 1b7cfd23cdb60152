//! Update (rules 15–20) and the status subresource's update (rule 21): the shared core of
//! PUT, every patch and the scale subresource.

use std::sync::Arc;

use kobj_core::{Error, FieldError, ResourceType, Result};
use serde_json::Value;

use super::create::{check_namespace, check_type};
use super::old::{Old, with_read};
use super::write::{Request, WriteCtx, bump_generation, unchanged};
use super::{WriteOptions, ns_of, resolve};
use crate::cluster::{FakeCluster, Inner, State};
use crate::meta;
use crate::registry::TypeInfo;
use crate::store;

/// Which endpoint a write goes through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sub {
    /// The main resource.
    Main,
    /// `/status`.
    Status,
    /// `/scale` (the body is already the whole object).
    Scale,
    /// A Pod's `/ephemeralcontainers` (`kubectl debug`): only `spec.ephemeralContainers`
    /// is taken from the body.
    EphemeralContainers,
    /// A Pod's `/resize` (in-place resize): only its containers' `resources` and
    /// `resizePolicy` are taken from the body.
    Resize,
    /// A CertificateSigningRequest's `/approval`: only `status.conditions` is taken.
    Approval,
    /// A Namespace's `/finalize`: only `spec` (its finalizers) is taken.
    Finalize,
}

impl Sub {
    /// The subresource name for managedFields.
    pub fn name(self) -> Option<&'static str> {
        match self {
            Sub::Main => None,
            Sub::Status => Some("status"),
            Sub::Scale => Some("scale"),
            Sub::EphemeralContainers => Some(EPHEMERAL_CONTAINERS),
            Sub::Resize => Some(RESIZE),
            Sub::Approval => Some(crate::builtins::certificates::APPROVAL),
            Sub::Finalize => Some(FINALIZE),
        }
    }

    /// The endpoint of a replace or patch from its subresource name (`None` for the object
    /// itself); a subresource the type does not have is the 404 of rule 5.
    pub fn of_write(info: &TypeInfo, name: &str, subresource: Option<&str>) -> Result<Sub> {
        match subresource {
            None => Ok(Sub::Main),
            Some("status") if info.status => Ok(Sub::Status),
            Some(EPHEMERAL_CONTAINERS) if is_pods(info) => Ok(Sub::EphemeralContainers),
            Some(RESIZE) if is_pods(info) => Ok(Sub::Resize),
            Some(crate::builtins::certificates::APPROVAL)
                if crate::builtins::is_certificate_request(info) =>
            {
                Ok(Sub::Approval)
            }
            Some(FINALIZE) if crate::namespaces::is_namespace(info) => Ok(Sub::Finalize),
            Some(other) => Err(super::subresources::no_subresource(info, name, other)),
        }
    }

    /// The one member at this path an endpoint takes from the request (the rest of the
    /// stored version is kept, as the subresources' strategies do); `None` for the endpoints
    /// that take the whole object, and for `/resize`, which takes parts of each container.
    fn taken(self) -> Option<&'static str> {
        match self {
            Sub::Main | Sub::Scale | Sub::Resize => None,
            Sub::Status => Some("status"),
            Sub::EphemeralContainers => Some("spec.ephemeralContainers"),
            Sub::Approval => Some("status.conditions"),
            Sub::Finalize => Some("spec"),
        }
    }
}

/// The subresource through which a Namespace's `spec.finalizers` change (`FinalizeREST`).
pub(crate) const FINALIZE: &str = "finalize";

/// The subresource through which ephemeral containers are added to a Pod.
pub(crate) const EPHEMERAL_CONTAINERS: &str = "ephemeralcontainers";

/// The subresource through which a Pod's containers are resized in place.
pub(crate) const RESIZE: &str = "resize";

/// Whether the type is the core group's Pods.
fn is_pods(info: &TypeInfo) -> bool {
    info.resource.api.group.is_empty() && info.resource.api.plural == "pods"
}

/// The 409 of rule 17 for a uid that differs from the stored one.
pub(crate) fn uid_precondition(
    info: &TypeInfo,
    ns: &str,
    name: &str,
    want: &str,
    have: &str,
) -> Error {
    let api = &info.resource.api;
    let group = if api.group.is_empty() {
        String::new()
    } else {
        format!("{}/", api.group)
    };
    let key = if ns.is_empty() {
        format!("/registry/{group}{}/{name}", api.plural)
    } else {
        format!("/registry/{group}{}/{ns}/{name}", api.plural)
    };
    Error::conflict(
        &info.resource,
        name,
        format!(
            "StorageError: invalid object, Code: 4, Key: {key}, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: {want}, UID in object meta: {have}"
        ),
    )
}

/// The 422 of rule 16: a custom resource (or CRD) replaced without a resourceVersion.
fn rv_required(info: &TypeInfo, name: &str) -> Error {
    let err = FieldError::invalid(
        "metadata.resourceVersion",
        Value::from(0),
        "must be specified for an update",
    );
    // `Store.Update` builds this error's GroupKind from the resource (its Kind is the plural:
    // "TODO: The Invalid error should have a field for Resource"), so `details.kind` is
    // `widgets`, not `Widget`.
    Error::invalid_kind(
        &info.resource.qualified_resource(),
        &info.resource.api.plural,
        &info.resource.api.group,
        name,
        &[err],
    )
}

/// Whether PUT without a resourceVersion is refused for this type (rule 16).
fn requires_rv(info: &TypeInfo) -> bool {
    // The strategies whose `AllowUnconditionalUpdate` is false: custom resources', CRDs',
    // Leases'.
    info.is_custom()
        || crate::crd::is_crd(info)
        || (info.resource.api.group == "coordination.k8s.io"
            && info.resource.api.plural == "leases")
}

/// The update core. `obj` is the whole desired object; `check_rv` is false for patches
/// that do not set a resourceVersion (rule 24). `rendered` is the stored version as JSON
/// when the caller has already decoded it (a patch applies itself to it), so that it is not
/// decoded twice.
#[allow(clippy::too_many_arguments)]
pub(crate) fn update_locked(
    inner: &Inner,
    st: &mut State,
    info: &Arc<TypeInfo>,
    ns: &str,
    name: &str,
    mut obj: Value,
    sub: Sub,
    opts: &WriteOptions,
    request: Request<'_>,
    put: bool,
    rendered: Option<Value>,
) -> Result<Value> {
    let key = store::key(ns, name);
    let existing = st
        .store
        .get(&info.store_key(), &key)
        .cloned()
        .ok_or_else(|| Error::not_found(&info.resource, name))?;
    check_type(info, &mut obj)?;
    // A patch's result was decoded by the patch.
    if !info.is_custom() && request == Request::Update {
        super::write::decode_builtin_body(info, &mut obj, opts)?;
    }
    super::check_name(meta::meta_str(&obj, "name"), name)?;
    check_namespace(info, &mut obj, ns)?;
    meta::drop_empty_meta(&mut obj);
    let old = match rendered {
        Some(value) => Old::decoded(value),
        None => Old::stored(inner, info, &existing),
    };
    // Only a user's writes are checked: the old version is decoded for them alone.
    if let Some(user) = opts.user.as_deref().filter(|u| !u.is_privileged()) {
        crate::rbac::escalation::check(st, info, Some(user), ns, &obj, Some(old.value()))?;
    }
    // PUT turns the body's uid into a storage precondition (409, rule 17); a patch has no
    // preconditions, so a changed uid fails ValidateObjectMetaUpdate below (422, rule 18).
    // `GuaranteedUpdate` checks it before the update function compares resourceVersions.
    let body_uid = meta::meta_str(&obj, "uid").to_string();
    if put && !body_uid.is_empty() && body_uid != *existing.uid {
        return Err(uid_precondition(info, ns, name, &body_uid, &existing.uid));
    }
    // Optimistic concurrency (rules 16, 17, 24).
    let body_rv = meta::meta_str(&obj, "resourceVersion").to_string();
    if body_rv.is_empty() {
        if put && requires_rv(info) && sub != Sub::Scale {
            return Err(rv_required(info, name));
        }
    } else if body_rv.parse::<u64>().ok() != Some(existing.rv) {
        return Err(Error::stale(&info.resource, name));
    }
    // The namespace strategy's `PrepareForUpdate`: its finalizers change only through
    // `/finalize` (its status, through `/status`, below).
    if sub == Sub::Main && crate::namespaces::is_namespace(info) {
        match old.value().pointer("/spec/finalizers").cloned() {
            Some(kept) => meta::set_path(&mut obj, "spec.finalizers", kept),
            None => drop(meta::take_path(&mut obj, "spec.finalizers")),
        }
    }
    // Subresource rules (rule 21).
    match sub {
        Sub::Main | Sub::Scale => {
            if info.status
                && sub == Sub::Main
                && let Some(map) = obj.as_object_mut()
            {
                match old.get("status") {
                    Some(s) => {
                        map.insert("status".into(), s.into_owned());
                    }
                    None => {
                        map.remove("status");
                    }
                }
            }
        }
        Sub::Status | Sub::EphemeralContainers | Sub::Resize | Sub::Approval | Sub::Finalize => {
            // An apply through the subresource brings the managedFields it computed (its own
            // entry); every other write is tracked below, from the old version's.
            let applied_fields = matches!(request, Request::Apply(_))
                .then(|| meta::meta_mut(&mut obj).remove("managedFields"));
            let mut merged = match sub.taken() {
                Some(path) => {
                    let taken = meta::take_path(&mut obj, path);
                    let mut merged = old.value().clone();
                    match taken {
                        Some(value) => meta::set_path(&mut merged, path, value),
                        None => drop(meta::take_path(&mut merged, path)),
                    }
                    merged
                }
                None => crate::builtins::resize_prepare(old.value(), obj),
            };
            match applied_fields {
                Some(Some(list)) => {
                    meta::set_member(meta::meta_mut(&mut merged), "managedFields", list);
                }
                Some(None) => {
                    meta::meta_mut(&mut merged).remove("managedFields");
                }
                None => {}
            }
            obj = merged;
        }
    }
    if crate::builtins::is_certificate_request(info) {
        let now = inner.clock.now().to_string();
        crate::builtins::certificates::prepare_update(sub.name(), old.value(), &mut obj, &now);
    }
    // Immutable metadata (rule 18), in ValidateObjectMetaUpdate's order.
    let mut errors = Vec::new();
    let deleting = old
        .meta_get("deletionTimestamp")
        .is_some_and(|t| !t.is_null());
    if deleting {
        let before = meta::finalizers(old.value());
        let added: Vec<String> = meta::finalizers(&obj)
            .into_iter()
            .filter(|f| !before.contains(f))
            .collect();
        if !added.is_empty() {
            errors.push(FieldError::forbidden(
                "metadata.finalizers",
                format!(
                    "no new finalizers can be added if the object is being deleted, found new finalizers {}",
                    meta::go_string_slice(&added)
                ),
            ));
        }
    }
    {
        let m = meta::meta_mut(&mut obj);
        // An empty uid takes the stored one (BeforeUpdate); a different one is immutable.
        if let Some(new_uid) = m
            .get("uid")
            .and_then(Value::as_str)
            .filter(|u| !u.is_empty())
            && new_uid != &*existing.uid
        {
            errors.push(FieldError::invalid(
                "metadata.uid",
                Value::String(new_uid.to_string()),
                "field is immutable",
            ));
        }
        for f in ["uid", "creationTimestamp"] {
            match (old.meta_get(f), m.get_mut(f)) {
                // Usually the request carries the stored value back: nothing to copy.
                (Some(v), Some(slot)) if *slot == *v => {}
                (Some(v), Some(slot)) => *slot = v.into_owned(),
                (Some(v), None) => {
                    m.insert(f.to_string(), v.into_owned());
                }
                (None, _) => {
                    m.remove(f);
                }
            }
        }
        match old.meta_get("deletionTimestamp") {
            Some(v) => {
                m.insert("deletionTimestamp".into(), v.into_owned());
                if let Some(g) = old.meta_get("deletionGracePeriodSeconds") {
                    m.insert("deletionGracePeriodSeconds".into(), g.into_owned());
                }
            }
            None => {
                if let Some(v) = m.get("deletionTimestamp").filter(|v| !v.is_null()) {
                    errors.push(FieldError::invalid(
                        "metadata.deletionTimestamp",
                        v.clone(),
                        "field is immutable",
                    ));
                }
                m.remove("deletionGracePeriodSeconds");
            }
        }
        m.remove("resourceVersion");
        m.remove("selfLink");
    }
    if !errors.is_empty() {
        return Err(Error::invalid(&info.resource, name, &errors));
    }
    if !info.is_custom() {
        crate::builtins::apply_defaults(info, &mut obj);
    }
    with_read!(old, |read| bump_generation(info, read, &mut obj));
    if crate::crd::is_crd(info) {
        crate::crd::prepare_update(old.value(), &mut obj)?;
    }
    let mut ctx = WriteCtx::new(inner, info, opts, request);
    ctx.subresource = sub.name();
    if info.is_custom() {
        ctx.admit(&mut obj, Some(&old))?;
        ctx.track(Some(&old), &mut obj);
    } else {
        // Mutating admission and the strategy run after the field manager (nothing they set
        // is owned) and before validation; validating admission after it.
        ctx.track(Some(&old), &mut obj);
        // Only the kinds admission looks at have their stored version decoded for it.
        let admitted = crate::builtins::admission::applies(info);
        if admitted {
            crate::builtins::admission::mutate(st, info, &mut obj, Some(old.value()), sub.name())?;
        }
        crate::builtins::prepare(info, &mut obj, false);
        ctx.admit(&mut obj, Some(&old))?;
        if admitted {
            crate::builtins::admission::validate(st, info, &obj, Some(old.value()), sub.name())?;
        }
    }
    // The Service storage's allocations; `/status` keeps the stored spec.
    if sub == Sub::Main && crate::builtins::is_service(&info.resource) {
        crate::builtins::allocate_service(st, &info.resource, &key, &mut obj, Some(old.value()))?;
    }
    if crate::crd::is_crd(info) && sub.name().is_none() {
        // `PrepareForUpdate`: the storage version joins storedVersions; the controllers
        // write the rest of the status after the commit.
        crate::crd::record_storage_version(&mut obj);
    }
    if with_read!(old, |read| unchanged(read, &obj)) {
        let mut same = old.into_value();
        store::object::set_rv(&mut same, existing.rv);
        return Ok(same);
    }
    // Rule 20: the last finalizer of a deleting object removed: the object goes away (a
    // namespace once its `spec.finalizers` are empty too, `ShouldDeleteNamespaceDuringUpdate`).
    let spec_finalizers_left = crate::namespaces::is_namespace(info)
        && obj
            .pointer("/spec/finalizers")
            .and_then(Value::as_array)
            .is_some_and(|l| !l.is_empty());
    if meta::is_deleting(&obj) && !meta::has_finalizers(&obj) && !spec_finalizers_left {
        let rv = st.store.next_rv();
        if !opts.dry_run {
            st.commit(&info.store_key(), &key, None);
            crate::gc::owner_removed(st, &existing);
            if crate::crd::is_crd(info) {
                crate::crd::removed(inner, st, &obj);
            }
        }
        store::object::set_rv(&mut obj, rv);
        return Ok(obj);
    }
    let owned = meta::has_owner_references(&obj);
    if opts.dry_run && !body_rv.is_empty() {
        // The server's dry-run storage answers what its update function made, which keeps
        // the resourceVersion the body (or the patched stored version) had; only a real
        // write sets a new one. `kubectl diff` shows the difference otherwise.
        store::object::set_rv(&mut obj, existing.rv);
    }
    let updated = super::write::commit(st, info, &key, obj, opts.dry_run);
    if !opts.dry_run {
        crate::gc::references_changed(st, &existing, &updated);
        if owned {
            crate::gc::references_added(st, &info.store_key(), &key, Some(&existing));
        }
    }
    if !opts.dry_run && crate::crd::is_crd(info) {
        crate::crd::written(inner, st, &updated);
    }
    Ok(updated)
}

impl FakeCluster {
    /// Replaces an object or one of the subresources [`Sub::of_write`] knows, with no fault
    /// check and no action record.
    pub(crate) fn replace_now(
        &self,
        rt: &ResourceType,
        namespace: Option<&str>,
        name: &str,
        obj: Value,
        subresource: Option<&str>,
        opts: &WriteOptions,
    ) -> Result<Value> {
        let opts = &*self.with_user(opts);
        let mut st = self.inner.lock();
        let info = resolve(&st, rt, namespace, false)?;
        let sub = Sub::of_write(&info, name, subresource)?;
        let ns = ns_of(&info, namespace).to_string();
        let out = update_locked(
            &self.inner,
            &mut st,
            &info,
            &ns,
            name,
            obj,
            sub,
            opts,
            Request::Update,
            true,
            None,
        )?;
        if !opts.dry_run {
            crate::gc::settle(&self.inner, &mut st);
        }
        Ok(out)
    }
}
