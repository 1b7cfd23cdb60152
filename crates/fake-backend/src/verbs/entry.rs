//! The public JSON entry points of the write verbs (used by the HTTP server): each goes
//! through the same fault check and action record as the trait verbs.

use either::Either;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kobj_core::{PatchValue, ResourceType, Result};
use kube_core::Status;
use kube_core::params::{DeleteParams, Patch};
use serde::Deserialize;
use serde_json::Value;

use super::WriteOptions;
use super::gate::Call;
use crate::actions::{Verb, params};
use crate::cluster::FakeCluster;
use crate::meta;

/// A body's metadata must decode as ObjectMeta: the API server decodes a request body into
/// its type before anything else, so a body that gives, say, `labels` a boolean is refused
/// with 400 and nothing is stored (stored, it failed every later read and the dump with a
/// 500). The trait verbs take a `DynamicObject`, whose metadata always decodes.
/// A built-in kind's metadata is decoded with the rest of its body, with Go's errors
/// ([`crate::builtins::json_decode`]).
fn check_metadata(rt: &ResourceType, obj: &Value) -> Result<()> {
    if crate::builtins::json_decode::knows(&rt.api.api_version, &rt.api.kind) {
        return Ok(());
    }
    let Some(m) = obj.get("metadata").filter(|m| !m.is_null()) else {
        return Ok(());
    };
    ObjectMeta::deserialize(m)
        .map(drop)
        .map_err(|e| super::write::cannot_be_handled(rt, &e.to_string()))
}

impl FakeCluster {
    /// Creates an object given as JSON (the engine behind `create_object`). The request is
    /// checked against the fault rules and recorded in the action log like `create_object`
    /// (an injected delay blocks the calling thread).
    ///
    /// # Errors
    /// As `create_object`.
    pub fn create_value(
        &self,
        rt: &ResourceType,
        namespace: Option<&str>,
        mut obj: Value,
        opts: &WriteOptions,
    ) -> Result<Value> {
        let name = meta::meta_str(&obj, "name");
        let name = (!name.is_empty()).then(|| name.to_string());
        let call = Call {
            verb: Verb::Create,
            rt,
            namespace,
            name: name.as_deref(),
            subresource: None,
            selected_name: None,
            success: 201,
        };
        self.run_sync(
            call,
            || params::write(opts, None),
            || {
                crate::nesting::check_value(&mut obj)?;
                check_metadata(rt, &obj)?;
                Ok((self.create_now(rt, namespace, obj, opts)?, 201))
            },
        )
    }

    /// Replaces an object (`subresource` `None`) or one of its subresources: `status` (the
    /// engine behind `replace_object` and `replace_object_status`), or a Pod's
    /// `ephemeralcontainers` (only `spec.ephemeralContainers` is taken from the body, as
    /// `kubectl debug` needs). Fault check and action record are those of the trait verbs.
    ///
    /// # Errors
    /// As `replace_object`; a subresource the type does not have is 404.
    pub fn replace_value(
        &self,
        rt: &ResourceType,
        namespace: Option<&str>,
        name: &str,
        mut obj: Value,
        subresource: Option<&str>,
        opts: &WriteOptions,
    ) -> Result<Value> {
        let call = Call {
            verb: Verb::Update,
            rt,
            namespace,
            name: Some(name),
            subresource,
            selected_name: None,
            success: 200,
        };
        self.run_sync(
            call,
            || params::write(opts, None),
            || {
                crate::nesting::check_value(&mut obj)?;
                check_metadata(rt, &obj)?;
                Ok((
                    self.replace_now(rt, namespace, name, obj, subresource, opts)?,
                    200,
                ))
            },
        )
    }

    /// Patches an object or one of the subresources [`replace_value`](Self::replace_value)
    /// takes (the engine behind the patch verbs), with the fault check and action record of
    /// those verbs; an apply that creates the object is recorded as 201 (rule 24).
    ///
    /// # Errors
    /// As `patch_object`; a subresource the type does not have is 404.
    pub fn patch_value(
        &self,
        rt: &ResourceType,
        namespace: Option<&str>,
        name: &str,
        patch: &PatchValue,
        subresource: Option<&str>,
        opts: &WriteOptions,
    ) -> Result<Value> {
        let call = Call {
            verb: Verb::Patch,
            rt,
            namespace,
            name: Some(name),
            subresource,
            selected_name: None,
            success: 200,
        };
        self.run_sync(
            call,
            || params::write(opts, Some(patch)),
            || self.patch_coded(rt, namespace, name, patch, subresource, opts),
        )
    }

    /// The patch verb's core with its success code: 201 when an apply created the object.
    pub(crate) fn patch_coded(
        &self,
        rt: &ResourceType,
        namespace: Option<&str>,
        name: &str,
        patch: &PatchValue,
        subresource: Option<&str>,
        opts: &WriteOptions,
    ) -> Result<(Value, u16)> {
        let (value, created) = self.patch_now(rt, namespace, name, patch, subresource, opts)?;
        let code = if created && matches!(patch, Patch::Apply(_)) {
            201
        } else {
            200
        };
        Ok((value, code))
    }

    /// Deletes one object (the engine behind `delete_object`), with the fault check and
    /// action record of that verb.
    ///
    /// # Errors
    /// As `delete_object`.
    pub fn delete_value(
        &self,
        rt: &ResourceType,
        namespace: Option<&str>,
        name: &str,
        p: &DeleteParams,
    ) -> Result<Either<Value, Status>> {
        let call = Call {
            verb: Verb::Delete,
            rt,
            namespace,
            name: Some(name),
            subresource: None,
            selected_name: None,
            success: 200,
        };
        self.run_sync(
            call,
            || params::delete(p),
            || Ok((self.delete_now(rt, namespace, name, p)?, 200)),
        )
    }
}
