//! Field management: server-side apply (rule 26) and managedFields tracking for other writes.
//!
//! PLACEHOLDER INTERFACE — owned by the patch work; bodies are replaced there.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::JSONSchemaProps;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kobj_core::{Error, Result};
use serde_json::Value;

/// Who writes, and how: the context of one write for managedFields.
#[derive(Clone, Debug)]
pub struct FieldManagement<'a> {
    /// The field manager (`fieldManager` parameter, or the User-Agent's first segment).
    pub manager: &'a str,
    /// The object's apiVersion.
    pub api_version: &'a str,
    /// The write's time.
    pub time: Time,
    /// `Some("status")` / `Some("scale")` for writes through a subresource.
    pub subresource: Option<&'a str>,
    /// The group and kind of the object (selects built-in list merge keys).
    pub group: &'a str,
    /// The kind.
    pub kind: &'a str,
    /// The CRD version's schema, for custom resources (list types, map keys).
    pub schema: Option<&'a JSONSchemaProps>,
}

/// Server-side apply of `applied` onto `live` (`None` creates): merges by field ownership,
/// removes fields this manager applied before but no longer applies, and records managedFields
/// with operation `Apply`. Returns the new object.
///
/// # Errors
/// 409 Conflict with cause `FieldManagerConflict` when another manager owns a changed field and
/// `force` is false.
pub fn apply(
    live: Option<&Value>,
    applied: &Value,
    ctx: &FieldManagement<'_>,
    force: bool,
) -> Result<Value> {
    let _ = (live, applied, ctx, force);
    Err(Error::bad_request(
        "server-side apply is not implemented yet",
    ))
}

/// Records, after a non-apply write (create, update, patch), that `ctx.manager` with operation
/// `Update` owns the fields it set or changed, removing them from other managers; writes
/// `metadata.managedFields` into `new`.
pub fn track_update(old: Option<&Value>, new: &mut Value, ctx: &FieldManagement<'_>) {
    let _ = (old, new, ctx);
}
