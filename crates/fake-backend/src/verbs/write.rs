//! The steps every write shares: the schema stage for custom resources (prune, defaults,
//! validation; rules 27, 47–49), built-in special cases, generation (rule 19), managedFields,
//! the no-op rule (rule 14) and the commit.

use std::sync::Arc;

use kobj_core::{Error, FieldError, Result};
use kube_core::params::ValidationDirective;
use serde_json::Value;

use super::WriteOptions;
use crate::builtins;
use crate::cluster::{Inner, State};
use crate::meta;
use crate::patch::managed::{self, FieldManagement};
use crate::registry::TypeInfo;
use crate::store::{self, Stored};

/// Which request a write comes from (for fieldValidation's error shapes, rule 27).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Request<'a> {
    /// POST.
    Create,
    /// PUT.
    Update,
    /// PATCH with this patch body.
    Patch(&'a Value),
    /// Server-side apply with this body (managedFields come from the apply itself).
    Apply(&'a Value),
}

/// The context of one write.
pub(crate) struct WriteCtx<'a> {
    /// The cluster.
    pub inner: &'a Inner,
    /// The type written.
    pub info: &'a Arc<TypeInfo>,
    /// The options.
    pub opts: &'a WriteOptions,
    /// `status` / `scale` for subresource writes.
    pub subresource: Option<&'a str>,
    /// The request.
    pub request: Request<'a>,
    /// The write's time, RFC 3339.
    pub now: String,
    /// The write's time (one reading of the clock for every timestamp the write sets).
    time: k8s_openapi::jiff::Timestamp,
}

impl<'a> WriteCtx<'a> {
    /// A context.
    pub fn new(
        inner: &'a Inner,
        info: &'a Arc<TypeInfo>,
        opts: &'a WriteOptions,
        request: Request<'a>,
    ) -> Self {
        let time = inner.clock.now();
        Self {
            inner,
            info,
            opts,
            subresource: None,
            request,
            now: crate::meta::time_text(&k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
                time,
            ))
            .unwrap_or_else(|_| time.to_string()),
            time,
        }
    }

    /// The field manager of this write.
    pub fn manager(&self) -> &str {
        self.opts
            .field_manager
            .as_deref()
            .unwrap_or(&self.inner.settings.default_field_manager)
    }

    /// The managedFields context.
    pub fn field_management(&self) -> FieldManagement<'_> {
        let api = &self.info.resource.api;
        FieldManagement {
            manager: self.manager(),
            api_version: &api.api_version,
            time: k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(self.time),
            subresource: self.subresource,
            group: &api.group,
            kind: &api.kind,
            schema: self.info.schema.as_deref(),
        }
    }

    /// Records managedFields for a non-apply write.
    pub fn track(&self, old: Option<&Value>, new: &mut Value) {
        if matches!(self.request, Request::Apply(_)) {
            return;
        }
        managed::track_update(old, new, &self.field_management());
    }

    /// The schema stage for custom resources and the validation of built-ins: prune,
    /// default, validate (422), CEL rules; unknown fields per fieldValidation.
    pub fn admit(&self, obj: &mut Value, old: Option<&Value>) -> Result<()> {
        let name = meta::meta_str(obj, "name").to_string();
        if let Some(schema) = &self.info.schema {
            let pruned = crate::schema::prune(schema, obj);
            self.unknown_fields(&pruned, &name)?;
            crate::schema::apply_defaults(schema, obj);
            let mut errors = crate::schema::validate(schema, obj);
            if errors.is_empty() {
                errors = crate::schema::validate_rules(schema, obj, old);
            }
            if !errors.is_empty() {
                return Err(Error::invalid(&self.info.resource, &name, &errors));
            }
        } else if !self.info.is_custom() {
            let errors = builtins::validate(self.info, obj, old);
            if !errors.is_empty() {
                return Err(Error::invalid(&self.info.resource, &name, &errors));
            }
        }
        Ok(())
    }

    /// fieldValidation for the fields pruning removed (rule 27).
    fn unknown_fields(&self, pruned: &[String], name: &str) -> Result<()> {
        if pruned.is_empty() {
            return Ok(());
        }
        let directive = self
            .opts
            .field_validation
            .clone()
            .unwrap_or(ValidationDirective::Warn);
        let texts: Vec<String> = pruned
            .iter()
            .map(|p| format!("unknown field {p:?}"))
            .collect();
        match directive {
            ValidationDirective::Ignore => Ok(()),
            ValidationDirective::Warn => {
                for t in &texts {
                    tracing::warn!(target: "kobj_fake::warning", "299 - {:?}", t);
                }
                Ok(())
            }
            ValidationDirective::Strict => {
                let api = &self.info.resource.api;
                let detail = format!("strict decoding error: {}", texts.join(", "));
                match self.request {
                    Request::Patch(patch) | Request::Apply(patch) => Err(Error::invalid(
                        &self.info.resource,
                        name,
                        &[FieldError::invalid(
                            "patch",
                            Value::String(patch.to_string()),
                            detail,
                        )],
                    )),
                    _ => Err(Error::bad_request(format!(
                        "{kind} in version {version:?} cannot be handled as a {kind}: {detail}",
                        kind = api.kind,
                        version = api.version,
                    ))),
                }
            }
        }
    }
}

/// Whether the server maintains `metadata.generation` for objects of this type.
pub(crate) fn tracks_generation(info: &TypeInfo) -> bool {
    info.is_custom() || builtins::tracks_generation(info)
}

/// Rule 19: generation goes up by one when anything but metadata (and, with a status
/// subresource, status) changed.
pub(crate) fn bump_generation(info: &TypeInfo, old: &Value, new: &mut Value) {
    let old_gen = meta::generation(old);
    if !tracks_generation(info) {
        if old_gen != 0 {
            meta::set_meta(new, "generation", Some(Value::from(old_gen)));
        } else {
            meta::set_meta(new, "generation", None);
        }
        return;
    }
    let changed = match (old.as_object(), new.as_object()) {
        (Some(o), Some(n)) => {
            let skip = |k: &str| k == "metadata" || (info.status && k == "status");
            let keys: std::collections::BTreeSet<&String> = o
                .keys()
                .chain(n.keys())
                .filter(|k| !skip(k) && *k != "apiVersion" && *k != "kind")
                .collect();
            keys.into_iter().any(|k| o.get(k) != n.get(k))
        }
        _ => true,
    };
    let generation = if changed { old_gen + 1 } else { old_gen };
    meta::set_meta(new, "generation", Some(Value::from(generation.max(1))));
}

/// Whether two managedFields lists are the same apart from the entries' timestamps
/// (`IgnoreManagedFieldsTimestampsTransformer`: a write that only refreshes timestamps
/// keeps the old ones, while a change of owners is a real change).
fn same_managed_fields(a: Option<&Value>, b: Option<&Value>) -> bool {
    fn entries(v: Option<&Value>) -> &[Value] {
        v.and_then(Value::as_array).map_or(&[][..], Vec::as_slice)
    }
    let (a, b) = (entries(a), entries(b));
    let same_entry = |x: &Value, y: &Value| match (x.as_object(), y.as_object()) {
        (Some(x), Some(y)) => {
            let keys =
                |m: &serde_json::Map<String, Value>| m.keys().filter(|k| *k != "time").count();
            keys(x) == keys(y)
                && x.iter()
                    .filter(|(k, _)| *k != "time")
                    .all(|(k, v)| y.get(k) == Some(v))
        }
        _ => x == y,
    };
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_entry(x, y))
}

/// Whether two versions are the same apart from resourceVersion and managedFields
/// timestamps (a write that changes nothing gets no new version, rule 14).
pub(crate) fn unchanged(old: &Value, new: &Value) -> bool {
    let (Some(o), Some(n)) = (old.as_object(), new.as_object()) else {
        return old == new;
    };
    let ignored = |k: &str| k == "resourceVersion" || k == "managedFields";
    let same_meta = |a: Option<&Value>, b: Option<&Value>| match (
        a.and_then(Value::as_object),
        b.and_then(Value::as_object),
    ) {
        (Some(a), Some(b)) => {
            a.iter().filter(|(k, _)| !ignored(k)).count()
                == b.iter().filter(|(k, _)| !ignored(k)).count()
                && a.iter()
                    .filter(|(k, _)| !ignored(k))
                    .all(|(k, v)| b.get(k) == Some(v))
                && same_managed_fields(a.get("managedFields"), b.get("managedFields"))
        }
        _ => a == b,
    };
    o.len() == n.len()
        && o.iter().all(|(k, v)| {
            if k == "metadata" {
                same_meta(Some(v), n.get(k))
            } else {
                n.get(k) == Some(v)
            }
        })
}

/// Commits `obj` (or, for dry-run, only stamps the version it would get) and returns it
/// with its new resourceVersion.
pub(crate) fn commit(
    st: &mut State,
    info: &TypeInfo,
    key: &str,
    mut obj: Value,
    dry_run: bool,
) -> Value {
    let rv = st.store.next_rv();
    if dry_run {
        return obj;
    }
    store::object::set_rv(&mut obj, rv);
    st.commit(&info.store_key(), key, Some(Stored::new(&obj, rv)));
    obj
}
