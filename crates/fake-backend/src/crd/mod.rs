//! CustomResourceDefinitions (rules 44–46, 50–51): validation of the CRD itself, defaulting,
//! the NamesAccepted/Established conditions, registration of its served versions, and the
//! cleanup when it is deleted.

use std::sync::Arc;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    CustomResourceDefinition, CustomResourceDefinitionSpec, JSONSchemaProps,
};
use kobj_core::{Error, FieldError, FieldErrorType, ResourceType, Result};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::cluster::{Inner, State};
use crate::meta;
use crate::registry::{NameRule, ScaleSpec, TypeInfo, resource_type};
use crate::store;

mod controllers;

pub(crate) use controllers::record_storage_version;

/// The finalizer the server puts on every CRD (rule 51).
pub const CLEANUP_FINALIZER: &str = "customresourcecleanup.apiextensions.k8s.io";
/// The store key of CRDs.
const CRDS: &str = "apiextensions.k8s.io/customresourcedefinitions";

/// The resource type of CRDs.
#[must_use]
pub fn crd_type() -> ResourceType {
    resource_type(
        "apiextensions.k8s.io",
        "v1",
        "CustomResourceDefinition",
        "customresourcedefinitions",
        false,
    )
}

/// Whether `info` is the CRD type.
pub(crate) fn is_crd(info: &TypeInfo) -> bool {
    info.resource.api.group == "apiextensions.k8s.io"
        && info.resource.api.plural == "customresourcedefinitions"
}

fn s<'a>(v: &'a Value, path: &str) -> &'a str {
    meta::get_path(v, path)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// Defaults of the CRD strategy: singular, listKind, served flags, conversion.
fn default_crd(obj: &mut Value) {
    let kind = s(obj, "spec.names.kind").to_string();
    if s(obj, "spec.names.singular").is_empty() && !kind.is_empty() {
        meta::set_path(
            obj,
            "spec.names.singular",
            Value::String(kind.to_lowercase()),
        );
    }
    if s(obj, "spec.names.listKind").is_empty() && !kind.is_empty() {
        meta::set_path(
            obj,
            "spec.names.listKind",
            Value::String(format!("{kind}List")),
        );
    }
    if meta::get_path(obj, "spec.conversion").is_none() {
        meta::set_path(obj, "spec.conversion", json!({"strategy": "None"}));
    }
}

fn dns1035(field: &str, value: &str, mixed_case: bool, errs: &mut Vec<FieldError>) {
    if value.is_empty() {
        errs.push(FieldError::required(field, ""));
        return;
    }
    let checked = if mixed_case {
        value.to_lowercase()
    } else {
        value.to_string()
    };
    let msgs = meta::dns1035_label_errors(&checked);
    if !msgs.is_empty() {
        let detail = if mixed_case {
            format!(
                "may have mixed case, but should otherwise match: {}",
                msgs.join(",")
            )
        } else {
            msgs.join(",")
        };
        errs.push(FieldError::invalid(
            field,
            Value::String(value.to_string()),
            detail,
        ));
    }
}

/// Rule 44: validates a CRD.
pub(crate) fn validate(obj: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let name = meta::meta_str(obj, "name");
    let group = s(obj, "spec.group");
    let plural = s(obj, "spec.names.plural");
    if !name.is_empty() && name != format!("{plural}.{group}") {
        errs.push(FieldError::invalid(
            "metadata.name",
            Value::String(name.to_string()),
            "must be spec.names.plural+\".\"+spec.group",
        ));
    }
    if group.is_empty() {
        errs.push(FieldError::required("spec.group", ""));
    } else {
        if !group.contains('.') {
            errs.push(FieldError::invalid(
                "spec.group",
                Value::String(group.to_string()),
                "should be a domain with at least one dot",
            ));
        }
        for m in meta::dns1123_subdomain_errors(group) {
            errs.push(FieldError::invalid(
                "spec.group",
                Value::String(group.to_string()),
                m,
            ));
        }
    }
    let scope = s(obj, "spec.scope");
    if scope != "Cluster" && scope != "Namespaced" {
        if scope.is_empty() {
            errs.push(FieldError::required("spec.scope", ""));
        } else {
            errs.push(FieldError::new(
                FieldErrorType::NotSupported,
                "spec.scope",
                Some(Value::String(scope.to_string())),
                "supported values: \"Cluster\", \"Namespaced\"",
            ));
        }
    }
    dns1035("spec.names.plural", plural, false, &mut errs);
    dns1035(
        "spec.names.singular",
        s(obj, "spec.names.singular"),
        false,
        &mut errs,
    );
    dns1035(
        "spec.names.kind",
        s(obj, "spec.names.kind"),
        true,
        &mut errs,
    );
    dns1035(
        "spec.names.listKind",
        s(obj, "spec.names.listKind"),
        true,
        &mut errs,
    );
    let versions = meta::get_path(obj, "spec.versions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if versions.is_empty() {
        errs.push(FieldError::new(
            FieldErrorType::Invalid,
            "spec.versions",
            None,
            "must have exactly one version marked as storage version",
        ));
    } else {
        let storage = versions
            .iter()
            .filter(|v| v.get("storage").and_then(Value::as_bool) == Some(true))
            .count();
        if storage != 1 {
            errs.push(FieldError::new(
                FieldErrorType::Invalid,
                "spec.versions",
                None,
                "must have exactly one version marked as storage version",
            ));
        }
    }
    for (i, v) in versions.iter().enumerate() {
        let vname = v.get("name").and_then(Value::as_str).unwrap_or_default();
        let path = format!("spec.versions[{i}]");
        if vname.is_empty() {
            errs.push(FieldError::required(format!("{path}.name"), ""));
        } else {
            for m in meta::dns1035_label_errors(vname) {
                errs.push(FieldError::invalid(
                    format!("{path}.name"),
                    Value::String(vname.to_string()),
                    m,
                ));
            }
        }
        match v.get("schema").and_then(|s| s.get("openAPIV3Schema")) {
            None => errs.push(FieldError::required(
                format!("{path}.schema.openAPIV3Schema"),
                "schemas are required",
            )),
            Some(schema) => match serde_json::from_value::<JSONSchemaProps>(schema.clone()) {
                Ok(props) => errs.extend(crate::schema::check_structural(
                    &props,
                    &format!("{path}.schema.openAPIV3Schema"),
                )),
                Err(e) => errs.push(FieldError::invalid(
                    format!("{path}.schema.openAPIV3Schema"),
                    Value::String(String::new()),
                    e.to_string(),
                )),
            },
        }
        if let Some(scale) = v.get("subresources").and_then(|s| s.get("scale")) {
            scale_path_errors(scale, &format!("{path}.subresources.scale"), &mut errs);
        }
        if let Some(fields) = v.get("selectableFields").and_then(Value::as_array)
            && fields.len() > 8
        {
            errs.push(FieldError::new(
                FieldErrorType::TooMany,
                format!("{path}.selectableFields"),
                Some(Value::from(fields.len())),
                "must have at most 8 items",
            ));
        }
    }
    errs
}

/// The scale subresource's paths (ValidateCustomResourceDefinitionSubresources): the
/// replica paths are simple JSON paths under `.spec.` and `.status.`, the selector path
/// under either. Without this a scale write could set, say, `.metadata.labels` to a number.
fn scale_path_errors(scale: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let text = |key: &str| scale.get(key).and_then(Value::as_str).unwrap_or_default();
    let mut check = |key: &str, prefixes: &[&str], under: &str, required: bool| {
        let p = text(key);
        let field = format!("{path}.{key}");
        if p.is_empty() {
            if required {
                errs.push(FieldError::required(field, ""));
            }
        } else if !p.starts_with('.') {
            errs.push(FieldError::invalid(
                field,
                Value::String(p.to_string()),
                "must be a simple json path starting with .",
            ));
        } else if !prefixes.iter().any(|prefix| p.starts_with(prefix)) {
            errs.push(FieldError::invalid(
                field,
                Value::String(p.to_string()),
                format!("should be a json path under {under}"),
            ));
        }
    };
    check("specReplicasPath", &[".spec."], ".spec", true);
    check("statusReplicasPath", &[".status."], ".status", true);
    check(
        "labelSelectorPath",
        &[".spec.", ".status."],
        "either .spec or .status",
        false,
    );
}

fn crd_invalid(obj: &Value, errs: &[FieldError]) -> Error {
    Error::invalid(&crd_type(), meta::meta_str(obj, "name"), errs)
}

/// The detail of the first `spec.versions[*].schema.openAPIV3Schema` of `obj` that does not
/// decode (a keyword of the wrong JSON type, such as `minLength: "2"`), in serde's words. The
/// server decodes a CRD request into its Go type before anything else, so such a body is a
/// decoding failure (400, or 422 on `patch` for a patch), not a validation error.
pub(crate) fn schema_decode_error(obj: &Value) -> Option<String> {
    let versions = meta::get_path(obj, "spec.versions").and_then(Value::as_array)?;
    versions.iter().find_map(|v| {
        let schema = v.get("schema")?.get("openAPIV3Schema")?;
        JSONSchemaProps::deserialize(schema)
            .err()
            .map(|e| e.to_string())
    })
}

/// The 400 for a CRD create or update body whose schema does not decode.
fn undecodable(detail: &str) -> Error {
    Error::bad_request(format!(
        "CustomResourceDefinition in version \"v1\" cannot be handled as a CustomResourceDefinition: {detail}"
    ))
}

/// Create-time rules for a CRD: defaults, validation, status (rule 45). The cleanup finalizer
/// comes with the first DELETE (`verbs::delete`, rule 51).
/// `name_errors` are the generic `metadata.name` errors, reported first in the same
/// aggregate as the CRD's own (ValidateObjectMeta runs inside
/// ValidateCustomResourceDefinition).
pub(crate) fn prepare_create(obj: &mut Value, name_errors: Vec<FieldError>) -> Result<()> {
    if let Some(detail) = schema_decode_error(obj) {
        return Err(undecodable(&detail));
    }
    default_crd(obj);
    let mut errs = name_errors;
    errs.extend(validate(obj));
    if !errs.is_empty() {
        return Err(crd_invalid(obj, &errs));
    }
    Ok(())
}

/// Update-time rules for a CRD.
pub(crate) fn prepare_update(_old: &Value, obj: &mut Value) -> Result<()> {
    if let Some(detail) = schema_decode_error(obj) {
        return Err(undecodable(&detail));
    }
    default_crd(obj);
    let errs = validate(obj);
    if !errs.is_empty() {
        return Err(crd_invalid(obj, &errs));
    }
    Ok(())
}

/// Whether the schema declares a `default` anywhere.
fn has_defaults(schema: &Value) -> bool {
    match schema {
        Value::Object(map) => map.iter().any(|(k, v)| {
            if k == "default" {
                return true;
            }
            if k == "properties" || k == "patternProperties" || k == "definitions" {
                return v
                    .as_object()
                    .is_some_and(|props| props.values().any(has_defaults));
            }
            has_defaults(v)
        }),
        Value::Array(items) => items.iter().any(has_defaults),
        _ => false,
    }
}

/// The warning for a deprecated CRD version without its own `deprecationWarning`
/// (apiextensions-apiserver's `defaultDeprecationWarning`): the version is deprecated, and
/// the most preferred served, not deprecated version above it is named as the one to use.
fn default_deprecation_warning(version: &str, spec: &CustomResourceDefinitionSpec) -> String {
    let kind = &spec.names.kind;
    let group = &spec.group;
    let mut msg = format!("{group}/{version} {kind} is deprecated");
    let newer = spec
        .versions
        .iter()
        .filter(|v| {
            v.served
                && !v.deprecated.unwrap_or(false)
                && crate::registry::compare_versions(version, &v.name).is_lt()
        })
        .max_by(|a, b| crate::registry::compare_versions(&a.name, &b.name));
    if let Some(newer) = newer {
        msg.push_str(&format!("; use {group}/{} {kind}", newer.name));
    }
    msg
}

/// The types a stored CRD serves.
pub(crate) fn types_of(obj: &Value) -> Vec<TypeInfo> {
    let Ok(crd) = serde_json::from_value::<CustomResourceDefinition>(obj.clone()) else {
        return Vec::new();
    };
    let name = crd.metadata.name.clone().unwrap_or_default();
    let spec = &crd.spec;
    let names = &spec.names;
    let namespaced = spec.scope == "Namespaced";
    let raw_versions = meta::get_path(obj, "spec.versions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    spec.versions
        .iter()
        .zip(raw_versions.iter())
        .filter(|(v, _)| v.served)
        .map(|(v, raw)| {
            let schema = v
                .schema
                .as_ref()
                .and_then(|s| s.open_api_v3_schema.clone())
                .map(Arc::new);
            let raw_schema = raw
                .get("schema")
                .and_then(|s| s.get("openAPIV3Schema"))
                .cloned()
                .unwrap_or(Value::Null);
            let sub = v.subresources.as_ref();
            TypeInfo {
                resource: resource_type(
                    &spec.group,
                    &v.name,
                    &names.kind,
                    &names.plural,
                    namespaced,
                ),
                singular: names
                    .singular
                    .clone()
                    .unwrap_or_else(|| names.kind.to_lowercase()),
                list_kind: names
                    .list_kind
                    .clone()
                    .unwrap_or_else(|| format!("{}List", names.kind)),
                short_names: names.short_names.clone().unwrap_or_default(),
                categories: names.categories.clone().unwrap_or_default(),
                status: sub.is_some_and(|s| s.status.is_some()),
                scale: sub.and_then(|s| s.scale.as_ref()).map(|sc| ScaleSpec {
                    spec_replicas_path: sc.spec_replicas_path.clone(),
                    status_replicas_path: sc.status_replicas_path.clone(),
                    label_selector_path: sc.label_selector_path.clone(),
                }),
                field_labels: v
                    .selectable_fields
                    .as_ref()
                    .map(|fs| {
                        fs.iter()
                            .map(|f| f.json_path.trim_start_matches('.').to_string())
                            .collect()
                    })
                    .unwrap_or_default(),
                name_rule: NameRule::Subdomain,
                crd: Some(name.clone()),
                has_defaults: has_defaults(&raw_schema),
                schema,
                printer_columns: v.additional_printer_columns.clone().unwrap_or_default(),
                storage: v.storage,
                terminating: false,
                create_only: false,
                deprecation_warning: v.deprecated.unwrap_or(false).then(|| {
                    v.deprecation_warning
                        .clone()
                        .unwrap_or_else(|| default_deprecation_warning(&v.name, spec))
                }),
            }
        })
        .collect()
}

/// After a CRD is stored: (re-)register its types when it is served, that is, when its
/// names are accepted or it is Established (the server's CRD handler answers for a CRD with
/// either condition True).
pub(crate) fn after_write(st: &mut State, obj: &Value) {
    let name = meta::meta_str(obj, "name").to_string();
    let served =
        controllers::is_true(obj, "NamesAccepted") || controllers::is_true(obj, "Established");
    let terminating = meta::is_deleting(obj);
    st.registry.remove_crd(&name);
    if served {
        for info in types_of(obj) {
            st.registry.insert(info);
        }
        if terminating {
            st.registry.mark_terminating(&name);
        }
    }
}

/// A CRD was marked for deletion (rule 51).
pub(crate) fn mark_terminating(st: &mut State, name: &str) {
    st.registry.mark_terminating(name);
    st.gc.crds.insert(name.to_string());
}

/// A CRD was removed: unregister its types, and let the naming controller give the names
/// it freed to the CRDs of its group that wait for them.
pub(crate) fn removed(inner: &Inner, st: &mut State, crd: &Value) {
    st.registry.remove_crd(meta::meta_str(crd, "name"));
    let group = s(crd, "spec.group").to_string();
    controllers::reconcile(inner, st, &group, None);
}

/// After a committed write of a CRD: serve what its status accepts, then run the status
/// controllers over its group.
pub(crate) fn written(inner: &Inner, st: &mut State, crd: &Value) {
    after_write(st, crd);
    let group = s(crd, "spec.group").to_string();
    controllers::reconcile(inner, st, &group, Some(meta::meta_str(crd, "name")));
}

/// One cleanup step for a terminating CRD (the finalizer controller, see
/// [`controllers::finalize`]): delete its objects; once none remain, drop the cleanup
/// finalizer. Returns `false` while objects with finalizers hold it.
pub(crate) fn cleanup_step(inner: &Inner, st: &mut State, name: &str) -> bool {
    controllers::finalize(inner, st, name, |inner, st| delete_objects(inner, st, name))
}

/// Deletes the objects of the CRD `name`; whether any is still there.
fn delete_objects(inner: &Inner, st: &mut State, name: &str) -> bool {
    let Some(crd) = st.store.get(CRDS, &store::key("", name)).map(|o| o.value()) else {
        return false;
    };
    let types = types_of(&crd);
    let Some(first) = types.first() else {
        return false;
    };
    let skey = first.store_key();
    let info = st
        .registry
        .versions_of(&skey)
        .into_iter()
        .find(|t| t.storage)
        .or_else(|| st.registry.versions_of(&skey).into_iter().next());
    let entries: Vec<(crate::store::Key, bool)> = st
        .store
        .table(&skey)
        .map(|t| t.iter().map(|(k, o)| (k.clone(), o.deleting)).collect())
        .unwrap_or_default();
    let mut remaining = false;
    if let Some(info) = info {
        for (k, deleting) in entries {
            if !deleting {
                let (ns, n) = store::split_key(&k);
                let (ns, n) = (ns.to_string(), n.to_string());
                let _ = crate::verbs::delete::delete_locked(
                    inner,
                    st,
                    &info,
                    &ns,
                    &n,
                    &Default::default(),
                );
            }
            if st.store.get(&skey, &k).is_some() {
                remaining = true;
            }
        }
    }
    remaining
}
