//! The generic OpenAPI checks a CRD schema must pass (apiextensions
//! `ValidateCustomResourceDefinitionOpenAPISchema` and `validateMapListKeysMapSet`), and the
//! status-subresource restrictions on the schema's root.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    JSONSchemaProps, JSONSchemaPropsOrArray, JSONSchemaPropsOrStringArray,
};
use kobj_core::FieldError;
use serde_json::Value;

use super::structural::{child, forbidden, index, invalid, key, not_supported, required};
use super::{Additional, MAX_DEPTH};

/// `specStandardValidator` settings while descending.
#[derive(Clone)]
pub(crate) struct Ssv {
    pub(crate) allow_defaults: bool,
    pub(crate) forbid_reason: Option<String>,
    pub(crate) inside_meta: bool,
}

impl Ssv {
    fn without_defaults(&self, reason: &str) -> Ssv {
        Ssv {
            allow_defaults: false,
            forbid_reason: Some(reason.to_string()),
            inside_meta: self.inside_meta,
        }
    }

    fn in_meta(&self) -> Ssv {
        Ssv {
            inside_meta: true,
            ..self.clone()
        }
    }
}

const OPENAPI_TYPES: &[&str] = &["array", "boolean", "integer", "number", "object", "string"];

/// `ValidateCustomResourceDefinitionOpenAPISchema`.
pub(crate) fn generic(
    s: &JSONSchemaProps,
    path: &str,
    ssv: &Ssv,
    is_root: bool,
    errs: &mut Vec<FieldError>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let ty = super::type_of(s);
    if !ty.is_empty() && !OPENAPI_TYPES.contains(&ty) {
        errs.push(not_supported(child(path, "type"), ty, OPENAPI_TYPES));
    }
    if s.default.is_some() && !ssv.allow_defaults {
        let detail = match &ssv.forbid_reason {
            Some(reason) => format!("must not be set {reason}"),
            None => "must not be set".to_string(),
        };
        errs.push(forbidden(child(path, "default"), &detail));
    }
    if s.id.as_deref().is_some_and(|id| !id.is_empty()) {
        errs.push(forbidden(child(path, "id"), "id is not supported"));
    }
    if s.additional_items.is_some() {
        errs.push(forbidden(
            child(path, "additionalItems"),
            "additionalItems is not supported",
        ));
    }
    if s.pattern_properties.as_ref().is_some_and(|p| !p.is_empty()) {
        errs.push(forbidden(
            child(path, "patternProperties"),
            "patternProperties is not supported",
        ));
    }
    if s.definitions.as_ref().is_some_and(|d| !d.is_empty()) {
        errs.push(forbidden(
            child(path, "definitions"),
            "definitions is not supported",
        ));
    }
    if s.dependencies.is_some() {
        errs.push(forbidden(
            child(path, "dependencies"),
            "dependencies is not supported",
        ));
    }
    if s.ref_path.is_some() {
        errs.push(forbidden(child(path, "$ref"), "$ref is not supported"));
    }
    if ty == "null" {
        errs.push(forbidden(
            child(path, "type"),
            "type cannot be set to null, use nullable as an alternative",
        ));
    }
    if matches!(&s.items, Some(JSONSchemaPropsOrArray::Schemas(_))) {
        errs.push(forbidden(
            child(path, "items"),
            "items must be a schema object and not an array",
        ));
    }
    if ssv.inside_meta && super::is_embedded(s) {
        errs.push(forbidden(
            child(path, "x-kubernetes-embedded-resource"),
            "must not be used inside of resource meta",
        ));
    }
    if s.unique_items == Some(true) {
        errs.push(forbidden(
            child(path, "uniqueItems"),
            "uniqueItems cannot be set to true since the runtime complexity becomes quadratic",
        ));
    }

    let has_properties = s.properties.as_ref().is_some_and(|p| !p.is_empty());
    if let Some(additional) = super::additional_of(s) {
        if has_properties && matches!(additional, Additional::Bool(false) | Additional::Schema(_)) {
            errs.push(forbidden(
                child(path, "additionalProperties"),
                "additionalProperties and properties are mutual exclusive",
            ));
        }
        if let Additional::Schema(additional) = additional {
            let sub = if ssv.inside_meta {
                ssv.without_defaults("inside additionalProperties applying to object metadata")
            } else {
                ssv.clone()
            };
            generic(
                additional,
                &child(path, "additionalProperties"),
                &sub,
                false,
                errs,
                depth + 1,
            );
        }
    }
    if let Some(properties) = &s.properties {
        for (name, prop) in properties {
            let mut sub = ssv.clone();
            if (is_root || super::is_embedded(s))
                && ["metadata", "kind", "apiVersion"].contains(&name.as_str())
            {
                sub = sub.in_meta();
                if is_root {
                    sub = sub.without_defaults(&format!("in top-level {name}"));
                }
            }
            generic(
                prop,
                &key(&child(path, "properties"), name),
                &sub,
                false,
                errs,
                depth + 1,
            );
        }
    }
    if let Some(not) = &s.not {
        generic(not, &child(path, "not"), ssv, false, errs, depth + 1);
    }
    for (word, list) in [
        ("allOf", &s.all_of),
        ("oneOf", &s.one_of),
        ("anyOf", &s.any_of),
    ] {
        for (i, sub) in list.iter().flatten().enumerate() {
            generic(
                sub,
                &index(&child(path, word), i),
                ssv,
                false,
                errs,
                depth + 1,
            );
        }
    }
    for (name, def) in s.definitions.iter().flatten() {
        generic(
            def,
            &key(&child(path, "definitions"), name),
            ssv,
            false,
            errs,
            depth + 1,
        );
    }
    match &s.items {
        Some(JSONSchemaPropsOrArray::Schema(items)) => {
            generic(items, &child(path, "items"), ssv, false, errs, depth + 1);
        }
        Some(JSONSchemaPropsOrArray::Schemas(list)) => {
            for (i, items) in list.iter().enumerate() {
                generic(
                    items,
                    &index(&child(path, "items"), i),
                    ssv,
                    false,
                    errs,
                    depth + 1,
                );
            }
        }
        None => {}
    }
    for (name, dep) in s.dependencies.iter().flatten() {
        if let JSONSchemaPropsOrStringArray::Schema(dep) = dep {
            generic(
                dep,
                &key(&child(path, "dependencies"), name),
                ssv,
                false,
                errs,
                depth + 1,
            );
        }
    }
    if s.x_kubernetes_preserve_unknown_fields == Some(false) {
        errs.push(invalid(
            child(path, "x-kubernetes-preserve-unknown-fields"),
            false,
            "must be true or undefined",
        ));
    }
    list_and_map_types(s, path, errs);
    super::cel::check_rules(s, path, is_root, errs);
    map_list_keys(s, path, errs);
}

/// The `x-kubernetes-map-type`, `-list-type` and `-list-map-keys` checks.
fn list_and_map_types(s: &JSONSchemaProps, path: &str, errs: &mut Vec<FieldError>) {
    let ty = super::type_of(s);
    if let Some(map_type) = s.x_kubernetes_map_type.as_deref() {
        if ty != "object" {
            let detail = "must be object if x-kubernetes-map-type is specified";
            errs.push(if ty.is_empty() {
                required(child(path, "type"), detail)
            } else {
                invalid(child(path, "type"), ty, detail)
            });
        }
        if map_type != "atomic" && map_type != "granular" {
            errs.push(not_supported(
                child(path, "x-kubernetes-map-type"),
                map_type,
                &["atomic", "granular"],
            ));
        }
    }
    let list_type = s.x_kubernetes_list_type.as_deref();
    let items = super::items_of(s);
    if let Some(list_type) = list_type {
        if ty != "array" {
            let detail = "must be array if x-kubernetes-list-type is specified";
            errs.push(if ty.is_empty() {
                required(child(path, "type"), detail)
            } else {
                invalid(child(path, "type"), ty, detail)
            });
        } else if list_type == "set"
            && let Some(is) = items
        {
            let detail = "must be atomic as item of a list with x-kubernetes-list-type=set";
            match super::type_of(is) {
                "array" => {
                    if let Some(lt) = is
                        .x_kubernetes_list_type
                        .as_deref()
                        .filter(|lt| *lt != "atomic")
                    {
                        errs.push(invalid(
                            child(&child(path, "items"), "x-kubernetes-list-type"),
                            lt,
                            detail,
                        ));
                    }
                }
                "object" if is.x_kubernetes_map_type.as_deref() != Some("atomic") => {
                    let shown = is
                        .x_kubernetes_list_type
                        .clone()
                        .map_or(Value::Null, Value::String);
                    errs.push(invalid(
                        child(&child(path, "items"), "x-kubernetes-map-type"),
                        shown,
                        detail,
                    ));
                }
                _ => {}
            }
        }
        if !["atomic", "set", "map"].contains(&list_type) {
            errs.push(not_supported(
                child(path, "x-kubernetes-list-type"),
                list_type,
                &["atomic", "set", "map"],
            ));
        }
    }
    let map_keys = s.x_kubernetes_list_map_keys.as_deref().unwrap_or_default();
    if !map_keys.is_empty() {
        let detail = "must be map if x-kubernetes-list-map-keys is non-empty";
        match list_type {
            None => errs.push(required(child(path, "x-kubernetes-list-type"), detail)),
            Some("map") => {}
            Some(other) => errs.push(invalid(
                child(path, "x-kubernetes-list-type"),
                other,
                detail,
            )),
        }
    }
    if list_type == Some("map") {
        if map_keys.is_empty() {
            errs.push(required(
                child(path, "x-kubernetes-list-map-keys"),
                "must not be empty if x-kubernetes-list-type is map",
            ));
        }
        match &s.items {
            None => errs.push(required(
                child(path, "items"),
                "must have a schema if x-kubernetes-list-type is map",
            )),
            Some(JSONSchemaPropsOrArray::Schemas(list)) => errs.push(invalid(
                child(path, "items"),
                serde_json::to_value(list).unwrap_or(Value::Null),
                "must only have a single schema if x-kubernetes-list-type is map",
            )),
            Some(JSONSchemaPropsOrArray::Schema(is)) => {
                let item_type = super::type_of(is);
                if item_type != "object" {
                    errs.push(invalid(
                        child(&child(path, "items"), "type"),
                        item_type,
                        "must be object if parent array's x-kubernetes-list-type is map",
                    ));
                } else {
                    let keys_value = Value::from(map_keys.to_vec());
                    let mut seen: Vec<&str> = Vec::new();
                    for k in map_keys {
                        match is.properties.as_ref().and_then(|p| p.get(k)) {
                            Some(prop) if matches!(super::type_of(prop), "array" | "object") => {
                                errs.push(invalid(
                                    child(&key(&child(&child(path, "items"), "properties"), k), "type"),
                                    item_type,
                                    "must be a scalar type if parent array's x-kubernetes-list-type is map",
                                ));
                            }
                            Some(_) => {}
                            None => errs.push(invalid(
                                child(path, "x-kubernetes-list-map-keys"),
                                keys_value.clone(),
                                "entries must all be names of item properties",
                            )),
                        }
                        if seen.contains(&k.as_str()) {
                            errs.push(invalid(
                                child(path, "x-kubernetes-list-map-keys"),
                                keys_value.clone(),
                                "must not contain duplicate entries",
                            ));
                        }
                        seen.push(k);
                    }
                }
            }
        }
    }
}

/// `validateMapListKeysMapSet`: set and map list items are not nullable; map keys are required
/// or defaulted, and not nullable.
fn map_list_keys(s: &JSONSchemaProps, path: &str, errs: &mut Vec<FieldError>) {
    let (Some(list_type), Some(is)) = (s.x_kubernetes_list_type.as_deref(), super::items_of(s))
    else {
        return;
    };
    if list_type != "set" && list_type != "map" {
        return;
    }
    let items_path = child(path, "items");
    if super::is_nullable(is) {
        errs.push(forbidden(
            child(&items_path, "nullable"),
            &format!("cannot be nullable when x-kubernetes-list-type is {list_type}"),
        ));
    }
    if list_type == "map" {
        let required_keys = is.required.as_deref().unwrap_or_default();
        for k in s.x_kubernetes_list_map_keys.as_deref().unwrap_or_default() {
            let Some(prop) = is.properties.as_ref().and_then(|p| p.get(k)) else {
                continue;
            };
            let prop_path = key(&child(&items_path, "properties"), k);
            if !required_keys.contains(k) && prop.default.is_none() {
                errs.push(required(
                    child(&prop_path, "default"),
                    "this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property",
                ));
            }
            if super::is_nullable(prop) {
                errs.push(forbidden(
                    child(&prop_path, "nullable"),
                    "this property is in x-kubernetes-list-map-keys, so it cannot be nullable",
                ));
            }
        }
    }
}

/// The root of a schema whose version enables the status subresource.
pub(crate) fn check_status_root(s: &JSONSchemaProps, path: &str) -> Vec<FieldError> {
    const ALLOWED: &str = "[Description Type Format Title Maximum ExclusiveMaximum Minimum ExclusiveMinimum MaxLength MinLength Pattern MaxItems MinItems UniqueItems MultipleOf Required Items Properties ExternalDocs Example XPreserveUnknownFields XValidations]";
    // The fields in Go's declaration order: (set, allowed at the root).
    let fields: [(bool, bool); 14] = [
        (s.id.as_deref().is_some_and(|v| !v.is_empty()), false),
        (s.schema.as_deref().is_some_and(|v| !v.is_empty()), false),
        (s.ref_path.is_some(), false),
        (s.type_.as_deref().is_some_and(|t| !t.is_empty()), true),
        (s.default.is_some(), false),
        (s.enum_.as_ref().is_some_and(|e| !e.is_empty()), false),
        (
            s.max_properties.is_some() || s.min_properties.is_some(),
            false,
        ),
        (
            s.all_of.as_ref().is_some_and(|l| !l.is_empty())
                || s.one_of.as_ref().is_some_and(|l| !l.is_empty())
                || s.any_of.as_ref().is_some_and(|l| !l.is_empty())
                || s.not.is_some(),
            false,
        ),
        (s.additional_properties.is_some(), false),
        (
            s.pattern_properties.as_ref().is_some_and(|p| !p.is_empty()),
            false,
        ),
        (
            s.dependencies.is_some() || s.additional_items.is_some(),
            false,
        ),
        (s.definitions.as_ref().is_some_and(|d| !d.is_empty()), false),
        (s.nullable == Some(true), false),
        (
            super::is_embedded(s)
                || super::is_int_or_string(s)
                || s.x_kubernetes_list_map_keys
                    .as_ref()
                    .is_some_and(|k| !k.is_empty())
                || s.x_kubernetes_list_type.is_some()
                || s.x_kubernetes_map_type.is_some(),
            false,
        ),
    ];
    for (i, (set, allowed)) in fields.iter().enumerate() {
        if !set {
            continue;
        }
        if i == 3 {
            let ty = super::type_of(s);
            if ty != "object" {
                return vec![invalid(
                    child(path, "type"),
                    ty,
                    "only \"object\" is allowed as the type at the root of the schema if the status subresource is enabled",
                )];
            }
            continue;
        }
        if !allowed {
            return vec![invalid(
                path.to_string(),
                serde_json::to_value(s).unwrap_or(Value::Null),
                format!(
                    "only {ALLOWED} fields are allowed at the root of the schema if the status subresource is enabled"
                ),
            )];
        }
    }
    Vec::new()
}

#[cfg(test)]
#[path = "crd_checks_tests.rs"]
mod tests;
