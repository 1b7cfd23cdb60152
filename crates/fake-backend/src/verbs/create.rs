//! Create (rules 6–10): namespace handling and lifecycle, type checks, name validation and
//! generateName, server-set metadata, duplicates.

use kobj_core::error::empty_details;
use kobj_core::{Error, FieldError, ResourceType, Result};
use kube_core::response::StatusDetails;
use serde_json::Value;

use super::write::{Request, WriteCtx, tracks_generation};
use super::{WriteOptions, ns_of, resolve_served};
use crate::cluster::{FakeCluster, Inner, State};
use crate::meta;
use crate::registry::TypeInfo;
use crate::store;

/// Checks `apiVersion` and `kind` of a request body against the type (rule 10); a built-in
/// body without them gets them filled in, as the typed decoder does.
pub(crate) fn check_type(info: &TypeInfo, obj: &mut Value) -> Result<()> {
    let api = &info.resource.api;
    let Some(map) = obj.as_object_mut() else {
        return Err(Error::bad_request(
            "the body of the request is not a JSON object",
        ));
    };
    let text = |key: &str| map.get(key).and_then(Value::as_str).unwrap_or_default();
    let (api_version, kind) = (text("apiVersion"), text("kind"));
    if api_version == api.api_version && kind == api.kind {
        return Ok(());
    }
    // What follows is the refusal or the filling in (the strings are copied: `map` changes).
    let (api_version, kind) = (api_version.to_string(), kind.to_string());
    if kind.is_empty() || api_version.is_empty() {
        if info.is_custom() {
            let body = Value::Object(map.clone()).to_string();
            let what = if kind.is_empty() {
                "Kind"
            } else {
                "apiVersion"
            };
            // The json serializer defaults the request's kind before the unstructured decode
            // fails, so the handler's `transformDecodeError` names the type.
            return Err(super::write::cannot_be_handled(
                &info.resource,
                &format!("Object '{what}' is missing in '{body}'"),
            ));
        }
        if api_version.is_empty() {
            map.insert("apiVersion".into(), Value::String(api.api_version.clone()));
        }
        if kind.is_empty() {
            map.insert("kind".into(), Value::String(api.kind.clone()));
        }
        return check_type(info, obj);
    }
    if api_version != api.api_version {
        return Err(Error::bad_request(format!(
            "the API version in the data ({api_version}) does not match the expected API version ({})",
            api.api_version
        )));
    }
    if kind != api.kind {
        let name = map
            .get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if info.is_custom() {
            return Err(Error::invalid(
                &info.resource,
                &name,
                &[FieldError::invalid(
                    "kind",
                    Value::String(kind.clone()),
                    format!("must be {}", api.kind),
                )],
            ));
        }
        return Err(Error::bad_request(format!(
            "the kind in the data ({kind}) does not match the expected kind ({})",
            api.kind
        )));
    }
    Ok(())
}

/// Checks and fills the body's namespace against the request's (rule 9).
pub(crate) fn check_namespace(info: &TypeInfo, obj: &mut Value, ns: &str) -> Result<()> {
    let body_ns = meta::meta_str(obj, "namespace").to_string();
    if info.resource.is_namespaced() {
        if body_ns.is_empty() {
            meta::set_meta(obj, "namespace", Some(Value::String(ns.to_string())));
        } else if body_ns != ns {
            return Err(Error::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
    } else if !body_ns.is_empty() {
        meta::set_meta(obj, "namespace", None);
    }
    Ok(())
}

/// NamespaceLifecycle admission (rule 9): the namespace must exist and not be terminating.
pub(crate) fn check_namespace_lifecycle(
    st: &State,
    info: &TypeInfo,
    ns: &str,
    name: &str,
) -> Result<()> {
    if !info.resource.is_namespaced() {
        return Ok(());
    }
    match st.store.get("/namespaces", &store::key("", ns)) {
        None => Err(Error::not_found(
            &crate::registry::resource_type("", "v1", "Namespace", "namespaces", false),
            ns,
        )),
        Some(n) if n.deleting => Err(Error::forbidden(
            &info.resource,
            name,
            format!(
                "unable to create new content in namespace {ns} because it is being terminated"
            ),
        )
        .with_details(StatusDetails {
            name: name.to_string(),
            group: info.resource.api.group.clone(),
            kind: info.resource.api.plural.clone(),
            causes: vec![kube_core::response::StatusCause {
                reason: "NamespaceTerminating".into(),
                message: format!("namespace {ns} is being terminated"),
                field: "metadata.namespace".into(),
            }],
            ..empty_details()
        })),
        Some(_) => Ok(()),
    }
}

/// Creates an object under the lock: everything of rules 6–10 plus the schema stage, the
/// CRD rules for CRDs, managedFields and the commit.
pub(crate) fn create_locked(
    inner: &Inner,
    st: &mut State,
    rt: &ResourceType,
    namespace: Option<&str>,
    mut obj: Value,
    opts: &WriteOptions,
    request: Request<'_>,
) -> Result<Value> {
    let info = resolve_served(st, rt, namespace, false)?;
    if info.create_only {
        // The reviews: answered before any stage that stores or admits.
        return super::reviews::create(inner, st, &info, namespace, obj, opts, request);
    }
    let ns = ns_of(&info, namespace);
    check_type(&info, &mut obj)?;
    // A patch's result (apply creating its object) was decoded by the patch.
    if !info.is_custom() && matches!(request, Request::Create | Request::Update) {
        super::write::decode_builtin_body(&info, &mut obj, opts)?;
    }
    check_namespace(&info, &mut obj, ns)?;
    meta::drop_empty_meta(&mut obj);
    let name = meta::meta_str(&obj, "name").to_string();
    let generate_name = meta::meta_str(&obj, "generateName").to_string();
    if !meta::meta_str(&obj, "resourceVersion").is_empty() {
        return Err(Error::from_parts(
            500,
            "",
            "resourceVersion should not be set on objects to be created",
        ));
    }
    check_namespace_lifecycle(st, &info, ns, &name)?;
    crate::rbac::escalation::check(st, &info, opts.user.as_deref(), ns, &obj, None)?;
    if info.terminating {
        return Err(Error::forbidden(
            &info.resource,
            &name,
            "create not allowed while custom resource definition is terminating",
        ));
    }
    // `Store.create` generates the name first, so validation and its message see it; a
    // collision in storage generates another (below).
    let generated = name.is_empty() && !generate_name.is_empty();
    let generate = |obj: &mut Value| {
        let name = format!(
            "{}{}",
            meta::generate_base(&generate_name),
            inner.ids.name_suffix()
        );
        meta::set_meta(obj, "name", Some(Value::String(name.clone())));
        name
    };
    let mut name = name;
    if generated {
        name = generate(&mut obj);
    }
    let name_errors = meta::validate_name(info.name_rule, &name, &generate_name);
    // A CRD's name errors are reported with the rest of its validation (rule 44).
    let is_crd = crate::crd::is_crd(&info);
    if !name_errors.is_empty() && !is_crd {
        let mut errors = name_errors;
        errors.extend(meta::validate_object_meta(&obj));
        return Err(Error::invalid(&info.resource, &name, &errors));
    }
    let ctx = WriteCtx::new(inner, &info, opts, request);
    // Server-set metadata (FillObjectMetaSystemFields).
    {
        let given = if opts.keep_uid {
            meta::meta_str(&obj, "uid")
        } else {
            ""
        };
        let uid = if !given.is_empty() && !st.store.uids.contains_key(given) {
            given.to_string()
        } else {
            inner.ids.uid()
        };
        let m = meta::meta_mut(&mut obj);
        m.insert("uid".into(), Value::String(uid));
        m.insert("creationTimestamp".into(), Value::String(ctx.now.clone()));
        for f in [
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "selfLink",
            "resourceVersion",
        ] {
            m.remove(f);
        }
        if !matches!(request, Request::Apply(_)) {
            m.remove("managedFields");
        }
        if tracks_generation(&info) {
            m.insert("generation".into(), Value::from(1));
        } else {
            m.remove("generation");
        }
    }
    // The strategy resets the status of a new object (custom resources, and built-ins whose
    // strategy then writes their initial status); a reset field is nobody's.
    if info.status
        && let Some(map) = obj.as_object_mut()
    {
        map.remove("status");
    }
    if !info.is_custom() {
        crate::builtins::apply_defaults(&info, &mut obj);
    }
    if is_crd {
        crate::crd::prepare_create(&mut obj, name_errors)?;
    }
    // An apply that creates its object must also be allowed to create it (the patch handler's
    // `withAuthorization` around validating admission, after the strategy's validation).
    let create_allowed = |obj: &Value| -> Result<()> {
        match (&request, opts.user.as_deref()) {
            (Request::Apply(_), Some(user)) => crate::rbac::authorize_create_on_apply(
                st,
                user,
                &info.resource,
                ns,
                meta::meta_str(obj, "name"),
            ),
            _ => Ok(()),
        }
    };
    if info.is_custom() {
        ctx.admit(&mut obj, None)?;
        create_allowed(&obj)?;
        ctx.track(None, &mut obj);
    } else {
        // Mutating admission and the strategy run after the field manager (nothing they set
        // is owned) and before validation (a Job's generated selector is validated);
        // validating admission after it.
        ctx.track(None, &mut obj);
        crate::builtins::admission::mutate(st, &info, &mut obj, None, None)?;
        crate::builtins::prepare(&info, &mut obj, true);
        if let Some(user) = &opts.user
            && crate::builtins::is_certificate_request(&info)
        {
            crate::builtins::certificates::set_requester(&mut obj, user);
        }
        ctx.admit(&mut obj, None)?;
        create_allowed(&obj)?;
        crate::builtins::admission::validate(st, &info, &obj, None, None)?;
    }
    // The Service storage's allocations (after the strategy here, whose Service part only
    // resets the status): the addresses and ports taken are read from the store.
    if crate::builtins::is_service(&info.resource) {
        crate::builtins::allocate_service(st, &info.resource, "", &mut obj, None)?;
    }
    if is_crd {
        // The strategy's status: the storage version; the controllers write the rest.
        crate::crd::record_storage_version(&mut obj);
    }
    // Storage: duplicates, generateName retries (rule 7).
    let mut tries = 0;
    loop {
        if generated && tries > 0 {
            name = generate(&mut obj);
        }
        let key = store::key(ns, &name);
        let Some(existing) = st.store.get(&info.store_key(), &key) else {
            let owned = meta::has_owner_references(&obj);
            let created = super::write::commit(st, &info, &key, obj, opts.dry_run);
            if owned && !opts.dry_run {
                crate::gc::references_added(st, &info.store_key(), &key, None);
            }
            if !opts.dry_run && is_crd {
                crate::crd::written(inner, st, &created);
            }
            return Ok(created);
        };
        tries += 1;
        if generated && tries < 8 {
            continue;
        }
        let mut err = Error::already_exists(&info.resource, &name);
        if let Error::Api(s) = &mut err {
            if existing.deleting {
                s.message = format!("object is being deleted: {}", s.message);
            }
            if generated {
                s.message
                    .push_str(", the server was not able to generate a unique name for the object");
                if let Some(d) = &mut s.details {
                    d.retry_after_seconds = 1;
                }
            }
        }
        return Err(err);
    }
}

impl FakeCluster {
    /// Creates an object given as JSON, with no fault check and no action record.
    pub(crate) fn create_now(
        &self,
        rt: &ResourceType,
        namespace: Option<&str>,
        obj: Value,
        opts: &WriteOptions,
    ) -> Result<Value> {
        let opts = &*self.with_user(opts);
        let mut st = self.inner.lock();
        let created = create_locked(
            &self.inner,
            &mut st,
            rt,
            namespace,
            obj,
            opts,
            Request::Create,
        )?;
        if !opts.dry_run {
            crate::gc::settle(&self.inner, &mut st);
        }
        Ok(created)
    }
}
