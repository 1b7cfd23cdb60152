//! The status and scale subresources (rules 21–22): reads, and scale writes mapped onto the
//! object through the type's replica paths.

use k8s_openapi::api::autoscaling::v1::{Scale, ScaleSpec as ApiScaleSpec, ScaleStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kobj_core::selector::LabelSelector;
use kobj_core::{Error, PatchValue, ResourceType, Result};
use kube_core::params::Patch;
use serde_json::Value;

use super::update::{Sub, update_locked};
use super::write::Request;
use super::{WriteOptions, not_served, ns_of, resolve};
use crate::cluster::FakeCluster;
use crate::meta;
use crate::registry::TypeInfo;
use crate::store;

/// The 404 for a subresource the type does not have: a Status for custom resources, the
/// unknown-path 404 for built-ins (rule 5).
pub(crate) fn no_subresource(info: &TypeInfo, name: &str, _sub: &str) -> Error {
    if info.is_custom() {
        Error::not_found(&info.resource, name)
    } else {
        not_served(&info.resource)
    }
}

/// The Scale of an object.
fn scale_of(info: &TypeInfo, obj: &Value) -> Result<Scale> {
    let spec = info
        .scale
        .as_ref()
        .ok_or_else(|| no_subresource(info, meta::meta_str(obj, "name"), "scale"))?;
    let int = |path: &str| {
        meta::get_path(obj, path)
            .and_then(Value::as_i64)
            .and_then(|v| i32::try_from(v).ok())
    };
    let selector = if info.is_custom() {
        spec.label_selector_path
            .as_deref()
            .and_then(|p| meta::get_path(obj, p))
            .and_then(Value::as_str)
            .map(ToString::to_string)
    } else {
        meta::get_path(obj, ".spec.selector")
            .and_then(|s| serde_json::from_value(s.clone()).ok())
            .and_then(|s| LabelSelector::from_label_selector(&s).ok())
            .map(|s| s.to_string())
            .or_else(|| {
                // ReplicationControllers use a plain map selector.
                meta::get_path(obj, ".spec.selector")
                    .and_then(Value::as_object)
                    .map(|m| {
                        m.iter()
                            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                            .collect::<Vec<_>>()
                            .join(",")
                    })
            })
    };
    let m = meta::meta(obj).cloned().unwrap_or_default();
    let text = |k: &str| m.get(k).and_then(Value::as_str).map(ToString::to_string);
    Ok(Scale {
        metadata: ObjectMeta {
            name: text("name"),
            namespace: text("namespace"),
            uid: text("uid"),
            resource_version: text("resourceVersion"),
            creation_timestamp: m
                .get("creationTimestamp")
                .and_then(|t| serde_json::from_value(t.clone()).ok()),
            ..Default::default()
        },
        spec: Some(ApiScaleSpec {
            replicas: int(&spec.spec_replicas_path),
        }),
        status: Some(ScaleStatus {
            replicas: int(&spec.status_replicas_path).unwrap_or(0),
            selector,
        }),
    })
}

impl FakeCluster {
    /// Reads an object through `/status`.
    pub(crate) fn get_status_now(
        &self,
        rt: &ResourceType,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<kube_core::DynamicObject> {
        let st = self.inner.lock();
        let info = resolve(&st, rt, namespace, false)?;
        if !info.status {
            return Err(no_subresource(&info, name, "status"));
        }
        let key = store::key(ns_of(&info, namespace), name);
        let obj = st
            .store
            .get(&info.store_key(), &key)
            .cloned()
            .ok_or_else(|| Error::not_found(&info.resource, name))?;
        drop(st);
        self.inner.render(&info, &obj)
    }

    /// Reads the scale subresource.
    pub(crate) fn get_scale_now(
        &self,
        rt: &ResourceType,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<Scale> {
        let st = self.inner.lock();
        let info = resolve(&st, rt, namespace, false)?;
        if info.scale.is_none() {
            return Err(no_subresource(&info, name, "scale"));
        }
        let key = store::key(ns_of(&info, namespace), name);
        let obj = st
            .store
            .get(&info.store_key(), &key)
            .cloned()
            .ok_or_else(|| Error::not_found(&info.resource, name))?;
        drop(st);
        scale_of(&info, &self.inner.render_value(&info, &obj))
    }

    /// Writes the scale subresource: a new Scale (replace) or a patch of the current one.
    pub(crate) fn write_scale(
        &self,
        rt: &ResourceType,
        namespace: Option<&str>,
        name: &str,
        change: Result<&Scale, &PatchValue>,
        opts: &WriteOptions,
    ) -> Result<Scale> {
        let mut st = self.inner.lock();
        let info = resolve(&st, rt, namespace, false)?;
        let Some(spec) = info.scale.clone() else {
            return Err(no_subresource(&info, name, "scale"));
        };
        let ns = ns_of(&info, namespace).to_string();
        let key = store::key(&ns, name);
        let existing = st
            .store
            .get(&info.store_key(), &key)
            .cloned()
            .ok_or_else(|| Error::not_found(&info.resource, name))?;
        let current = self.inner.render_value(&info, &existing);
        let scale_value = serde_json::to_value(scale_of(&info, &current)?)
            .map_err(|e| Error::internal(e.to_string()))?;
        let (new_scale, body) = match change {
            Ok(scale) => {
                let v =
                    serde_json::to_value(scale).map_err(|e| Error::bad_request(e.to_string()))?;
                (v.clone(), v)
            }
            Err(patch) => {
                let body = super::patching::patch_json(patch);
                let mut doc = scale_value.clone();
                match patch {
                    // A copy, dropped on error: `json_patch::patch`'s undo can panic.
                    Patch::Json(p) => {
                        for op in &p.0 {
                            crate::patch::json_ops::apply(&mut doc, op)
                                .map_err(|_| Error::patch_rejected(None))?;
                        }
                    }
                    Patch::Merge(v) | Patch::Strategic(v) | Patch::Apply(v) => {
                        json_patch::merge(&mut doc, v)
                    }
                    _ => return Err(Error::unsupported_media_type(&[])),
                }
                (doc, body)
            }
        };
        // `checkName`: a Scale written (or patched into one) without a name is refused too.
        super::check_name(meta::meta_str(&new_scale, "name"), name)?;
        let mut obj = current;
        let rv = meta::meta_str(&new_scale, "resourceVersion");
        if !rv.is_empty() {
            meta::set_meta(
                &mut obj,
                "resourceVersion",
                Some(Value::String(rv.to_string())),
            );
        }
        let replicas = meta::get_path(&new_scale, "spec.replicas")
            .cloned()
            .unwrap_or(Value::from(0));
        if replicas.as_i64().is_some_and(|r| r < 0) {
            return Err(Error::invalid_kind(
                "Scale.autoscaling",
                "Scale",
                "autoscaling",
                name,
                &[kobj_core::FieldError::invalid(
                    "spec.replicas",
                    replicas,
                    "must be greater than or equal to 0",
                )],
            ));
        }
        meta::set_path(&mut obj, &spec.spec_replicas_path, replicas);
        let request = match change {
            Ok(_) => Request::Update,
            Err(_) => Request::Patch(&body, None),
        };
        let out = update_locked(
            &self.inner,
            &mut st,
            &info,
            &ns,
            name,
            obj,
            Sub::Scale,
            opts,
            request,
            false,
            None,
        )?;
        if !opts.dry_run {
            crate::gc::settle(&self.inner, &mut st);
        }
        drop(st);
        scale_of(&info, &out)
    }
}
