//! Patch (rules 23–27): dispatch over JSON Patch and merge patch (the `json-patch` crate),
//! strategic merge (built-ins only) and server-side apply, then the update core.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kobj_core::{Error, FieldError, PatchValue, ResourceType, Result};
use kube_core::params::Patch;
use serde::Deserialize;
use serde_json::Value;

use super::create::create_locked;
use super::update::{Sub, update_locked};
use super::write::{Request, WriteCtx};
use super::{WriteOptions, ns_of, resolve};
use crate::cluster::FakeCluster;
use crate::patch::managed;
use crate::registry::TypeInfo;
use crate::store;
use kube_core::params::ValidationDirective;

/// The most operations a JSON Patch may have (rule 25).
const MAX_JSON_PATCH_OPERATIONS: usize = 10_000;

/// The media types a type accepts for PATCH (rule 23).
fn accepted(info: &TypeInfo) -> Vec<&'static str> {
    let mut types = vec![
        "application/json-patch+json",
        "application/merge-patch+json",
        "application/apply-patch+yaml",
    ];
    if !info.is_custom() {
        types.push("application/strategic-merge-patch+json");
    }
    types
}

/// 422 on `PatchOptions.meta.k8s.io ""`.
fn invalid_patch_options(errors: &[FieldError]) -> Error {
    Error::invalid_kind(
        "PatchOptions.meta.k8s.io",
        "PatchOptions",
        "meta.k8s.io",
        "",
        errors,
    )
}

/// The patch body as JSON (for error texts and the action log).
pub(crate) fn patch_json(patch: &PatchValue) -> Value {
    match patch {
        Patch::Json(p) => serde_json::to_value(p).unwrap_or(Value::Null),
        Patch::Merge(v) | Patch::Apply(v) | Patch::Strategic(v) => v.clone(),
        _ => Value::Null,
    }
}

/// Whether a patch can change `metadata`: only then can the patched object fail to decode
/// (the stored one decodes).
fn touches_metadata(patch: &PatchValue) -> bool {
    match patch {
        Patch::Json(p) => p.0.iter().any(|op| {
            let path = op.path().as_str();
            path.is_empty() || path.starts_with("/metadata")
        }),
        Patch::Merge(v) | Patch::Apply(v) | Patch::Strategic(v) => v.get("metadata").is_some(),
        _ => false,
    }
}

/// The patched object must decode into its type: the apiserver decodes the patched object
/// before anything else (`runtime.DecodeInto` in patch.go), so a patch that gives, say, a
/// label a non-string value is refused and nothing is stored. A built-in kind goes through
/// its Go struct ([`crate::builtins::json_decode`]: type errors, unknown fields per
/// fieldValidation, canonical values); a custom resource's metadata must decode as
/// ObjectMeta, and a CRD's schemas as JSONSchemaProps (`crd::schema_decode_error`).
/// JSON and merge patches: 422 on `patch` with an empty kind and name and the patched object
/// as the bad value; strategic merge: the patch map as Go prints it; apply: a type error is
/// a 400, an undeclared field structured-merge-diff's 500 (the apply's own validation,
/// `patch::typed::to_field_set`, reports most of them first; it does not enter atomic lists).
/// `patched` gives the patched object as it was before decoding (only called for an error).
fn check_decodes(
    info: &TypeInfo,
    patch: &PatchValue,
    doc: &mut Value,
    opts: &WriteOptions,
    patched: &dyn Fn() -> Value,
) -> Result<()> {
    let api = &info.resource.api;
    let detail = if crate::builtins::json_decode::knows(&api.api_version, &api.kind) {
        match crate::builtins::json_decode::decode(&api.api_version, &api.kind, doc) {
            Err(e) => Some((e, true)),
            Ok(unknown)
                if !unknown.is_empty()
                    && let Patch::Apply(applied) = patch =>
            {
                return Err(crate::patch::managed::typed_patch_error(
                    applied,
                    &api.api_version,
                    &api.kind,
                    not_declared(&unknown),
                ));
            }
            Ok(unknown) => super::write::unknown_fields_refused(opts, &unknown).map(|d| (d, true)),
        }
    } else {
        doc.get("metadata")
            .filter(|m| !m.is_null())
            .and_then(|m| ObjectMeta::deserialize(m).err())
            .map(|e| e.to_string())
            .or_else(|| {
                crate::crd::is_crd(info)
                    .then(|| crate::crd::schema_decode_error(doc))
                    .flatten()
            })
            .map(|d| (d, false))
    };
    let Some((detail, decoded)) = detail else {
        return Ok(());
    };
    let bad = match patch {
        Patch::Apply(_) => return Err(Error::bad_request(detail)),
        Patch::Strategic(v) => crate::patch::gofmt::go_v(v),
        _ if decoded => patched().to_string(),
        _ => doc.to_string(),
    };
    Err(Error::invalid_kind(
        "",
        "",
        "",
        "",
        &[FieldError::invalid("patch", Value::String(bad), detail)],
    ))
}

/// structured-merge-diff's `ValidationErrors` text for fields its type does not have.
fn not_declared(unknown: &[String]) -> String {
    let texts: Vec<String> = unknown
        .iter()
        .map(|p| format!(".{p}: field not declared in schema"))
        .collect();
    crate::patch::validation_errors(&texts)
}

/// Applies a non-apply patch to `doc`. `strict_decode` is whether the patch handler
/// decodes the body strictly first (`fieldValidation` Warn, the default, or Strict), which
/// words a merge patch that is not an object differently.
fn apply_patch(
    info: &TypeInfo,
    doc: &mut Value,
    patch: &PatchValue,
    strict_decode: bool,
) -> Result<()> {
    match patch {
        Patch::Json(p) => {
            if p.0.len() > MAX_JSON_PATCH_OPERATIONS {
                return Err(Error::request_entity_too_large(format!(
                    "The allowed maximum operations in a JSON patch is {MAX_JSON_PATCH_OPERATIONS}, got {}",
                    p.0.len()
                )));
            }
            // `doc` is the caller's copy, dropped on error: no undo is needed, and
            // `json_patch::patch`'s undo panics on some inputs (a `move` to the root "" and then
            // a failing operation: "unable to undo applied patches").
            // One operation at a time, so that no operation works on a document another
            // has nested past the limit (see `nesting`).
            let mut depth = crate::nesting::JsonPatchDepth::of(doc);
            for op in &p.0 {
                crate::patch::json_ops::apply(doc, op).map_err(|e| {
                    tracing::debug!(target: "kobj_fake", "json patch failed: {e}");
                    Error::patch_rejected(None)
                })?;
                depth.after(op, doc)?;
            }
            Ok(())
        }
        Patch::Merge(v) => {
            if v.is_null() {
                // evanphx/json-patch's `MergePatch` refuses a patch that decodes to no map
                // (`ErrBadJSONPatch`), whatever the validation.
                return Err(Error::bad_request("Invalid JSON Patch"));
            }
            if !v.is_object() {
                // `applyJSPatch`: with Warn or Strict the body is first decoded into a map
                // (`kjson.UnmarshalStrict`); with Ignore, `MergePatch` finds it is no object.
                return Err(Error::bad_request(if strict_decode {
                    format!(
                        "error decoding patch: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                        crate::builtins::json_decode::json_kind(v)
                    )
                } else {
                    "json: cannot unmarshal non-object into Go value of type map[string]interface {}"
                        .to_string()
                }));
            }
            json_patch::merge(doc, v);
            Ok(())
        }
        Patch::Strategic(v) => {
            let api = &info.resource.api;
            *doc = crate::patch::strategic::strategic_merge(&api.group, &api.kind, doc, v)?;
            Ok(())
        }
        _ => Err(Error::unsupported_media_type(&accepted(info))),
    }
}

impl FakeCluster {
    /// Patches an object or its status, with no fault check and no action record; the flag
    /// is true when an apply created the object (rule 24: 201).
    pub(crate) fn patch_now(
        &self,
        rt: &ResourceType,
        namespace: Option<&str>,
        name: &str,
        patch: &PatchValue,
        subresource: Option<&str>,
        opts: &WriteOptions,
    ) -> Result<(Value, bool)> {
        crate::nesting::check_patch(patch)?;
        let opts = &*self.with_user(opts);
        let mut st = self.inner.lock();
        let info = resolve(&st, rt, namespace, false)?;
        let sub = Sub::of_write(&info, name, subresource)?;
        let is_apply = matches!(patch, Patch::Apply(_));
        let mut errs = Vec::new();
        if opts.force && !is_apply {
            errs.push(FieldError::forbidden(
                "force",
                "may not be specified for non-apply patch",
            ));
        }
        if is_apply && opts.field_manager.as_deref().unwrap_or_default().is_empty() {
            errs.push(FieldError::required(
                "fieldManager",
                "is required for apply patch",
            ));
        }
        if !errs.is_empty() {
            return Err(invalid_patch_options(&errs));
        }
        if matches!(patch, Patch::Strategic(_)) && info.is_custom() {
            return Err(Error::unsupported_media_type(&accepted(&info)));
        }
        let ns = ns_of(&info, namespace).to_string();
        let body = patch_json(patch);
        let key = store::key(&ns, name);
        let existing = st.store.get(&info.store_key(), &key).cloned();
        let out = match (existing, patch) {
            (None, Patch::Apply(applied)) => (
                {
                    if sub != Sub::Main {
                        return Err(Error::not_found(&info.resource, name));
                    }
                    let ctx = WriteCtx::new(&self.inner, &info, opts, Request::Apply(&body));
                    // The create strategy resets status when the type has the subresource.
                    let reset: &[&str] = if info.status { &["status"] } else { &[] };
                    let mut obj = managed::apply_resetting(
                        None,
                        applied,
                        &ctx.field_management(),
                        opts.force,
                        reset,
                    )?;
                    // An apply's error does not show the patched object.
                    check_decodes(&info, patch, &mut obj, opts, &|| Value::Null)?;
                    // `patcher.applyPatch` on an object to create: a uid names an object that
                    // is not there (409), and the name must be the URL's (`checkName`).
                    let uid = crate::meta::meta_str(&obj, "uid");
                    if !uid.is_empty() {
                        return Err(Error::conflict(
                            &info.resource,
                            name,
                            format!(
                                "uid mismatch: the provided object specified uid {uid}, and no existing object was found"
                            ),
                        ));
                    }
                    super::check_name(crate::meta::meta_str(&obj, "name"), name)?;
                    // The store's update path creates it, and prepares it for storage, which
                    // clears a resourceVersion (a POST's create refuses one).
                    crate::meta::set_meta(&mut obj, "resourceVersion", None);
                    create_locked(
                        &self.inner,
                        &mut st,
                        rt,
                        namespace,
                        obj,
                        opts,
                        Request::Apply(&body),
                    )?
                },
                true,
            ),
            (None, _) => return Err(Error::not_found(&info.resource, name)),
            (Some(existing), _) => {
                let strict_decode =
                    !matches!(opts.field_validation, Some(ValidationDirective::Ignore));
                let old = self.inner.render_value(&info, &existing);
                let mut new = match patch {
                    Patch::Apply(applied) => {
                        let mut ctx =
                            WriteCtx::new(&self.inner, &info, opts, Request::Apply(&body));
                        ctx.subresource = sub.name();
                        // What the endpoint's strategy resets (rule 21) is not applied.
                        let reset: &[&str] = match sub {
                            Sub::Main if info.status => &["status"],
                            Sub::Status => &["spec"],
                            // The strategies keep only `spec.ephemeralContainers`, or the
                            // containers' resources; the rest of the spec cannot be reset at
                            // this level (see docs/semantics.md).
                            Sub::EphemeralContainers | Sub::Resize => &["status"],
                            // `status.certificate` too, which cannot be reset at this level.
                            Sub::Approval => &["spec"],
                            _ => &[],
                        };
                        managed::apply_resetting(
                            Some(&old),
                            applied,
                            &ctx.field_management(),
                            opts.force,
                            reset,
                        )?
                    }
                    _ => {
                        let mut doc = old.clone();
                        apply_patch(&info, &mut doc, patch, strict_decode)?;
                        doc
                    }
                };
                if !info.is_custom() || touches_metadata(patch) {
                    let patched = || {
                        let mut doc = old.clone();
                        // The same patch applied to the same object again.
                        let _ = apply_patch(&info, &mut doc, patch, strict_decode);
                        doc
                    };
                    check_decodes(&info, patch, &mut new, opts, &patched)?;
                }
                // A strict patch of a custom resource that brings unknown fields shows the
                // patched object as `applyPatchToCurrentObject` encoded it: the stored object
                // (its resourceVersion, generation and managedFields as they are) patched.
                let patched = (!is_apply
                    && info.is_custom()
                    && matches!(opts.field_validation, Some(ValidationDirective::Strict)))
                .then(|| new.to_string());
                let updated = update_locked(
                    &self.inner,
                    &mut st,
                    &info,
                    &ns,
                    name,
                    new,
                    sub,
                    opts,
                    if is_apply {
                        Request::Apply(&body)
                    } else {
                        Request::Patch(&body, patched.as_deref())
                    },
                    false,
                    Some(old),
                )?;
                (updated, false)
            }
        };
        if !opts.dry_run {
            crate::gc::settle(&self.inner, &mut st);
        }
        Ok(out)
    }
}
