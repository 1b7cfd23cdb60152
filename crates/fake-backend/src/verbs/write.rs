//! The steps every write shares: the schema stage for custom resources (prune, defaults,
//! validation; rules 27, 47–49), built-in special cases, generation (rule 19), managedFields,
//! the no-op rule (rule 14) and the commit.

use std::sync::Arc;

use kobj_core::{Error, FieldError, Result};
use kube_core::params::ValidationDirective;
use serde_json::Value;

use super::WriteOptions;
use super::old::{Old, with_read};
use crate::builtins;
use crate::cluster::{Inner, State};
use crate::meta;
use crate::patch::managed::{self, FieldManagement};
use crate::registry::TypeInfo;
use crate::store::{self, JsonRead, Stored};

/// Which request a write comes from (for fieldValidation's error shapes, rule 27).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Request<'a> {
    /// POST.
    Create,
    /// PUT.
    Update,
    /// PATCH with this patch body, and (for a strict patch of a custom resource) the patched
    /// object as the handler encoded it: the stored object with the patch applied, before
    /// the update changes anything, which a strict decoding error shows.
    Patch(&'a Value, Option<&'a str>),
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
    pub fn track(&self, old: Option<&Old<'_>>, new: &mut Value) {
        if matches!(self.request, Request::Apply(_)) {
            return;
        }
        let fm = self.field_management();
        match old {
            Some(old) => with_read!(old, |read| managed::track_update_from(Some(read), new, &fm)),
            None => managed::track_update_from(None::<&Value>, new, &fm),
        }
    }

    /// The schema stage for custom resources and the validation of built-ins: prune,
    /// default, validate (422), CEL rules; unknown fields per fieldValidation.
    pub fn admit(&self, obj: &mut Value, old: Option<&Old<'_>>) -> Result<()> {
        let name = meta::meta_str(obj, "name").to_string();
        // Metadata is validated with the rest of the object, and reported first.
        let meta_errors = meta::validate_object_meta(obj);
        if let Some(schema) = &self.info.schema {
            let pruned = crate::schema::prune(schema, obj);
            self.unknown_fields(&pruned, &name)?;
            crate::schema::apply_defaults(schema, obj);
            let mut errors = meta_errors;
            errors.extend(crate::schema::validate(schema, obj));
            if errors.is_empty() {
                errors = crate::schema::validate_rules(schema, obj, old.map(Old::value));
            }
            if !errors.is_empty() {
                return Err(Error::invalid(&self.info.resource, &name, &errors));
            }
        } else {
            let mut errors = meta_errors;
            if !self.info.is_custom() {
                errors.extend(match old {
                    Some(old) => {
                        with_read!(old, |read| builtins::validate(
                            self.info,
                            obj,
                            Some(read),
                            self.subresource
                        ))
                    }
                    None => builtins::validate(self.info, obj, None::<&Value>, self.subresource),
                });
            }
            if !errors.is_empty() {
                return Err(Error::invalid(&self.info.resource, &name, &errors));
            }
        }
        Ok(())
    }

    /// fieldValidation for the fields pruning removed (rule 27). A patch's strict error is
    /// the patch handler's (`jsonPatcher.applyPatchToCurrentObject`): 422 with an empty kind
    /// and name, on `patch`, with the patched object (`patched`) as the value.
    fn unknown_fields(&self, pruned: &[String], name: &str) -> Result<()> {
        let Some(detail) = unknown_fields_refused(self.opts, pruned) else {
            return Ok(());
        };
        match self.request {
            Request::Patch(patch, patched) => Err(Error::invalid_kind(
                "",
                "",
                "",
                "",
                &[FieldError::invalid(
                    "patch",
                    Value::String(patched.map_or_else(|| patch.to_string(), str::to_string)),
                    detail,
                )],
            )),
            Request::Apply(patch) => Err(Error::invalid(
                &self.info.resource,
                name,
                &[FieldError::invalid(
                    "patch",
                    Value::String(patch.to_string()),
                    detail,
                )],
            )),
            _ => Err(cannot_be_handled(&self.info.resource, &detail)),
        }
    }
}

/// fieldValidation for the unknown fields a decode removed (rule 27): Ignore drops them,
/// Warn (the default) drops them with the server's warning for each, Strict refuses the
/// request: `Some` is the strict decoding error's text.
pub(crate) fn unknown_fields_refused(opts: &WriteOptions, unknown: &[String]) -> Option<String> {
    if unknown.is_empty() && opts.decode_errors.is_empty() {
        return None;
    }
    let texts = opts
        .decode_errors
        .iter()
        .cloned()
        .chain(unknown.iter().map(|p| format!("unknown field {p:?}")));
    match opts
        .field_validation
        .clone()
        .unwrap_or(ValidationDirective::Warn)
    {
        ValidationDirective::Ignore => None,
        ValidationDirective::Warn => {
            for t in texts {
                tracing::warn!(target: "kobj_fake::warning", "299 - {:?}", t);
            }
            None
        }
        ValidationDirective::Strict => Some(format!(
            "strict decoding error: {}",
            texts.collect::<Vec<_>>().join(", ")
        )),
    }
}

/// The 400 of a request body the server cannot decode into its type.
pub(crate) fn cannot_be_handled(rt: &kobj_core::ResourceType, detail: &str) -> Error {
    Error::bad_request(format!(
        "{kind} in version {version:?} cannot be handled as a {kind}: {detail}",
        kind = rt.api.kind,
        version = rt.api.version,
    ))
}

/// A create or update body of a built-in kind, decoded into its Go struct
/// ([`builtins::json_decode`]): a type error or (with fieldValidation=Strict) an unknown
/// field is a 400; unknown fields are dropped otherwise.
pub(crate) fn decode_builtin_body(
    info: &TypeInfo,
    obj: &mut Value,
    opts: &WriteOptions,
) -> Result<()> {
    let api = &info.resource.api;
    let unknown = builtins::json_decode::decode(&api.api_version, &api.kind, obj)
        .map_err(|e| cannot_be_handled(&info.resource, &e))?;
    match unknown_fields_refused(opts, &unknown) {
        Some(detail) => Err(cannot_be_handled(&info.resource, &detail)),
        None => Ok(()),
    }
}

/// Whether the server maintains `metadata.generation` for objects of this type.
pub(crate) fn tracks_generation(info: &TypeInfo) -> bool {
    info.is_custom() || builtins::tracks_generation(info)
}

/// Rule 19: generation goes up by one when anything but metadata (and, with a status
/// subresource, status) changed.
pub(crate) fn bump_generation<'a>(info: &TypeInfo, old: impl JsonRead<'a>, new: &mut Value) {
    let old_gen = old
        .get("metadata")
        .and_then(|m| m.get("generation"))
        .and_then(|g| g.to_value().as_i64())
        .unwrap_or(0);
    if !tracks_generation(info) {
        if old_gen != 0 {
            meta::set_meta(new, "generation", Some(Value::from(old_gen)));
        } else {
            meta::set_meta(new, "generation", None);
        }
        return;
    }
    let changed = match (old.members(), new.as_object()) {
        (Some(o), Some(n)) => {
            let skip = |k: &str| {
                k == "metadata"
                    || (info.status && k == "status")
                    || k == "apiVersion"
                    || k == "kind"
            };
            // A member of the old version missing or different in the new, or a member of the
            // new version the old lacks.
            let mut seen = 0;
            let old_differs = o.filter(|(k, _)| !skip(k)).any(|(k, v)| {
                seen += 1;
                n.get(k).is_none_or(|nv| !v.eq_value(nv))
            });
            old_differs || n.keys().filter(|k| !skip(k)).count() != seen
        }
        _ => true,
    };
    let generation = if changed { old_gen + 1 } else { old_gen };
    meta::set_meta(new, "generation", Some(Value::from(generation.max(1))));
}

/// Whether two managedFields lists are the same apart from the entries' timestamps
/// (`IgnoreManagedFieldsTimestampsTransformer`: a write that only refreshes timestamps
/// keeps the old ones, while a change of owners is a real change).
fn same_managed_fields<'a, J: JsonRead<'a>>(a: Option<J>, b: Option<&Value>) -> bool {
    let b = b.and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
    let mut a_len = 0;
    let same_items = a.and_then(JsonRead::items).is_none_or(|mut items| {
        items.all(|x| {
            a_len += 1;
            b.get(a_len - 1)
                .is_some_and(|y| same_apart_from(x, y, "time"))
        })
    });
    same_items && a_len == b.len()
}

/// Whether `a` and `b` are the same JSON, apart from the member `ignored` if both are objects.
fn same_apart_from<'a>(a: impl JsonRead<'a>, b: &Value, ignored: &str) -> bool {
    match (a.members(), b.as_object()) {
        (Some(a), Some(b)) => {
            let mut a_len = 0;
            a.filter(|(k, _)| *k != ignored).all(|(k, v)| {
                a_len += 1;
                b.get(k).is_some_and(|bv| v.eq_value(bv))
            }) && a_len == b.keys().filter(|k| *k != ignored).count()
        }
        _ => a.eq_value(b),
    }
}

/// Whether two versions are the same apart from resourceVersion and managedFields
/// timestamps (a write that changes nothing gets no new version, rule 14).
pub(crate) fn unchanged<'a>(old: impl JsonRead<'a>, new: &Value) -> bool {
    let (Some(mut o), Some(n)) = (old.members(), new.as_object()) else {
        return old.eq_value(new);
    };
    let ignored = |k: &str| k == "resourceVersion" || k == "managedFields";
    fn same_meta<'a, J: JsonRead<'a>>(
        a: Option<J>,
        b: Option<&Value>,
        ignored: impl Fn(&str) -> bool,
    ) -> bool {
        let (Some(a), Some(b)) = (a, b) else {
            return a.is_none() && b.is_none();
        };
        let (Some(members), Some(b)) = (a.members(), b.as_object()) else {
            return a.eq_value(b);
        };
        let mut a_len = 0;
        let mut members = members.filter(|(k, _)| !ignored(k));
        members.all(|(k, v)| {
            a_len += 1;
            b.get(k).is_some_and(|bv| v.eq_value(bv))
        }) && a_len == b.keys().filter(|k| !ignored(k)).count()
            && same_managed_fields(a.get("managedFields"), b.get("managedFields"))
    }
    let mut o_len = 0;
    o.all(|(k, v)| {
        o_len += 1;
        if k == "metadata" {
            same_meta(Some(v), n.get(k), ignored)
        } else {
            n.get(k).is_some_and(|nv| v.eq_value(nv))
        }
    }) && o_len == n.len()
}

/// Commits `obj` and returns it with its new resourceVersion; a dry run stores nothing and
/// returns it with the resourceVersion it came with.
pub(crate) fn commit(
    st: &mut State,
    info: &TypeInfo,
    key: &str,
    mut obj: Value,
    dry_run: bool,
) -> Value {
    let rv = st.store.next_rv();
    // A type served at another version than its storage version is stored converted, and
    // the answer (a dry run's too) is what is stored read back at the request's version, as
    // the server decodes what it stored.
    let converts = crate::builtins::conversion::converts(info);
    if converts {
        crate::builtins::conversion::to_storage(info, &mut obj);
    }
    if !dry_run {
        store::object::set_rv(&mut obj, rv);
        st.commit(&info.store_key(), key, Some(Stored::new(&obj, rv)));
    }
    if converts {
        crate::builtins::conversion::from_storage(info, &mut obj);
    }
    obj
}
