//! The schema checks of CRD validation (rule 44): the generic OpenAPI checks of
//! `ValidateCustomResourceDefinitionOpenAPISchema`, the structural invariants and completeness of
//! `schema.ValidateStructural`, and `defaulting.ValidateDefaults`.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    JSONSchemaProps, JSONSchemaPropsOrArray, JSONSchemaPropsOrStringArray,
};
use kobj_core::{FieldError, FieldErrorType};
use serde_json::Value;

use super::{Additional, MAX_DEPTH, pattern};

fn child(path: &str, name: &str) -> String {
    format!("{path}.{name}")
}

fn key(path: &str, key: &str) -> String {
    format!("{path}[{key}]")
}

fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

fn forbidden(path: String, detail: &str) -> FieldError {
    FieldError::forbidden(path, detail)
}

fn required(path: String, detail: &str) -> FieldError {
    FieldError::required(path, detail)
}

fn invalid(path: String, value: impl Into<Value>, detail: impl Into<String>) -> FieldError {
    FieldError::invalid(path, value.into(), detail)
}

pub(crate) fn not_supported(path: String, value: &str, supported: &[&str]) -> FieldError {
    let quoted: Vec<String> = supported.iter().map(|s| super::go::quote(s)).collect();
    FieldError::new(
        FieldErrorType::NotSupported,
        path,
        Some(Value::String(value.to_string())),
        format!("supported values: {}", quoted.join(", ")),
    )
}

/// All checks of a version's `openAPIV3Schema` at `path`.
pub(crate) fn check(schema: &JSONSchemaProps, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if super::is_nullable(schema) {
        errs.push(forbidden(
            child(path, "nullable"),
            "nullable cannot be true at the root",
        ));
    }
    let ssv = Ssv {
        allow_defaults: true,
        forbid_reason: None,
        inside_meta: false,
    };
    generic(schema, path, &ssv, true, &mut errs, 0);

    if let Some(err) = unsupported_field(schema, 0) {
        // The generic checks report these; the structural conversion error only shows alone.
        if errs.is_empty() {
            errs.push(invalid(path.to_string(), "", err));
        }
        return errs;
    }
    let mut structural = Vec::new();
    invariants(schema, Level::Root, path, &mut structural, 0);
    completeness(schema, path, &mut structural);
    structural.sort_by_key(ToString::to_string);
    if structural.is_empty() {
        validate_defaults(schema, path, true, false, &mut errs, 0);
    } else {
        errs.extend(structural);
    }
    errs
}

/// `specStandardValidator` settings while descending.
#[derive(Clone)]
struct Ssv {
    allow_defaults: bool,
    forbid_reason: Option<String>,
    inside_meta: bool,
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
fn generic(
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

/// The first field `NewStructural` refuses, with its error text.
fn unsupported_field(s: &JSONSchemaProps, depth: usize) -> Option<String> {
    if depth > MAX_DEPTH {
        return None;
    }
    let own = if s.id.as_deref().is_some_and(|v| !v.is_empty()) {
        Some("OpenAPIV3Schema 'id' is not supported")
    } else if s.schema.as_deref().is_some_and(|v| !v.is_empty()) {
        Some("OpenAPIV3Schema 'schema' is not supported")
    } else if s.ref_path.as_deref().is_some_and(|v| !v.is_empty()) {
        Some("OpenAPIV3Schema '$ref' is not supported")
    } else if s.pattern_properties.as_ref().is_some_and(|p| !p.is_empty()) {
        Some("OpenAPIV3Schema 'patternProperties' is not supported")
    } else if s.dependencies.as_ref().is_some_and(|d| !d.is_empty()) {
        Some("OpenAPIV3Schema 'dependencies' is not supported")
    } else if s.additional_items.is_some() {
        Some("OpenAPIV3Schema 'additionalItems' is not supported")
    } else if s.definitions.as_ref().is_some_and(|d| !d.is_empty()) {
        Some("OpenAPIV3Schema 'definitions' is not supported")
    } else if s.x_kubernetes_preserve_unknown_fields == Some(false) {
        Some("internal error: 'x-kubernetes-preserve-unknown-fields' must be true or undefined")
    } else if matches!(&s.items, Some(JSONSchemaPropsOrArray::Schemas(l)) if !l.is_empty()) {
        Some("OpenAPIV3Schema 'items' must be a schema, but is an array")
    } else {
        None
    };
    if let Some(err) = own {
        return Some(err.to_string());
    }
    let nested = s
        .not
        .iter()
        .map(|b| &**b)
        .chain(s.all_of.iter().flatten())
        .chain(s.any_of.iter().flatten())
        .chain(s.one_of.iter().flatten())
        .chain(super::items_of(s))
        .chain(s.properties.iter().flat_map(|p| p.values()));
    let additional = match super::additional_of(s) {
        Some(Additional::Schema(a)) => Some(a),
        _ => None,
    };
    nested
        .chain(additional)
        .find_map(|sub| unsupported_field(sub, depth + 1))
}

/// Where a structural node sits, for the "type must not be empty" texts.
#[derive(Clone, Copy, PartialEq)]
enum Level {
    Root,
    Item,
    Field,
}

/// `validateStructuralInvariants`.
fn invariants(
    s: &JSONSchemaProps,
    level: Level,
    path: &str,
    errs: &mut Vec<FieldError>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let ty = super::type_of(s);
    let items = super::items_of(s);
    if ty == "array" && items.is_none() {
        errs.push(required(child(path, "items"), "must be specified"));
    }
    if let Some(items) = items {
        invariants(items, Level::Item, &child(path, "items"), errs, depth + 1);
    }
    for (name, prop) in s.properties.iter().flatten() {
        invariants(
            prop,
            Level::Field,
            &key(&child(path, "properties"), name),
            errs,
            depth + 1,
        );
    }
    let additional = super::additional_of(s);
    if let Some(additional) = additional {
        if level == Level::Root {
            errs.push(forbidden(
                child(path, "additionalProperties"),
                "must not be used at the root",
            ));
        }
        if let Additional::Schema(a) = additional {
            invariants(
                a,
                Level::Field,
                &child(path, "additionalProperties"),
                errs,
                depth + 1,
            );
        }
    }
    let int_or_string = super::is_int_or_string(s);
    let preserve = super::preserves_unknown(s);
    let embedded = super::is_embedded(s);
    if int_or_string && preserve {
        errs.push(invalid(
            child(path, "x-kubernetes-preserve-unknown-fields"),
            true,
            "must be false if x-kubernetes-int-or-string is true",
        ));
    }
    if int_or_string && embedded {
        errs.push(invalid(
            child(path, "x-kubernetes-embedded-resource"),
            true,
            "must be false if x-kubernetes-int-or-string is true",
        ));
    }
    value_validation(
        s,
        is_int_or_string_any_of(s),
        is_int_or_string_all_of(s),
        path,
        errs,
        depth,
    );

    if embedded && ty != "object" {
        let detail = "must be object if x-kubernetes-embedded-resource is true";
        errs.push(if ty.is_empty() {
            required(child(path, "type"), detail)
        } else {
            invalid(child(path, "type"), ty, detail)
        });
    } else if ty.is_empty() && !int_or_string && !preserve {
        let detail = match level {
            Level::Root => "must not be empty at the root",
            Level::Item => "must not be empty for specified array items",
            Level::Field => "must not be empty for specified object fields",
        };
        errs.push(required(child(path, "type"), detail));
    }
    if embedded && additional.is_some() {
        errs.push(forbidden(
            child(path, "additionalProperties"),
            "must not be used if x-kubernetes-embedded-resource is set",
        ));
    }
    if level == Level::Root && !ty.is_empty() && ty != "object" {
        errs.push(invalid(
            child(path, "type"),
            ty,
            "must be object at the root",
        ));
    }
    let check_metadata = level == Level::Root || embedded;
    let properties = s.properties.as_ref();
    for name in ["kind", "apiVersion"] {
        if let Some(prop) = properties.and_then(|p| p.get(name))
            && check_metadata
            && super::type_of(prop) != "string"
        {
            errs.push(invalid(
                child(&key(&child(path, "properties"), name), "type"),
                super::type_of(prop),
                "must be string",
            ));
        }
    }
    if let Some(metadata) = properties.and_then(|p| p.get("metadata")) {
        let meta_path = key(&child(path, "properties"), "metadata");
        if check_metadata && super::type_of(metadata) != "object" {
            errs.push(invalid(
                child(&meta_path, "type"),
                super::type_of(metadata),
                "must be object",
            ));
        }
        if level == Level::Root && !metadata_only_names(metadata) {
            errs.push(forbidden(
                meta_path,
                "must not specify anything other than name and generateName, but metadata is implicitly specified",
            ));
        }
    }
    if embedded && !preserve && properties.is_none_or(|p| p.is_empty()) {
        errs.push(required(
            child(path, "properties"),
            "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields",
        ));
    }
}

/// Whether a root `metadata` schema restricts only `name` and `generateName`.
fn metadata_only_names(metadata: &JSONSchemaProps) -> bool {
    let mut rest = metadata.clone();
    if let Some(props) = &rest.properties {
        let only_names =
            !props.is_empty() && props.keys().all(|k| k == "name" || k == "generateName");
        if only_names {
            rest.properties = None;
        }
    }
    rest.type_ = None;
    rest.default = None;
    // Fields NewStructural does not keep.
    rest.external_docs = None;
    rest.example = None;
    rest == JSONSchemaProps::default()
}

fn type_only(ty: &str) -> JSONSchemaProps {
    JSONSchemaProps {
        type_: Some(ty.to_string()),
        ..JSONSchemaProps::default()
    }
}

fn is_int_or_string_pair(list: Option<&Vec<JSONSchemaProps>>) -> bool {
    list.is_some_and(|l| {
        l.len() == 2 && l[0] == type_only("integer") && l[1] == type_only("string")
    })
}

fn is_int_or_string_any_of(s: &JSONSchemaProps) -> bool {
    is_int_or_string_pair(s.any_of.as_ref())
}

fn is_int_or_string_all_of(s: &JSONSchemaProps) -> bool {
    s.all_of
        .as_ref()
        .and_then(|a| a.first())
        .is_some_and(|first| is_int_or_string_pair(first.any_of.as_ref()))
}

/// `validateValueValidation`: nested value validations and the pattern.
fn value_validation(
    s: &JSONSchemaProps,
    skip_any_of: bool,
    skip_first_all_of_any_of: bool,
    path: &str,
    errs: &mut Vec<FieldError>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    if !skip_any_of {
        for (i, sub) in s.any_of.iter().flatten().enumerate() {
            nested(
                sub,
                false,
                &index(&child(path, "anyOf"), i),
                errs,
                depth + 1,
            );
        }
    }
    for (i, sub) in s.all_of.iter().flatten().enumerate() {
        nested(
            sub,
            skip_first_all_of_any_of && i == 0,
            &index(&child(path, "allOf"), i),
            errs,
            depth + 1,
        );
    }
    for (i, sub) in s.one_of.iter().flatten().enumerate() {
        nested(
            sub,
            false,
            &index(&child(path, "oneOf"), i),
            errs,
            depth + 1,
        );
    }
    if let Some(not) = &s.not {
        nested(not, false, &child(path, "not"), errs, depth + 1);
    }
    if let Some(pat) = s.pattern.as_deref().filter(|p| !p.is_empty())
        && let Err(err) = pattern::compile(pat)
    {
        errs.push(invalid(
            child(path, "pattern"),
            pat,
            format!("must be a valid regular expression, but isn't: {err}"),
        ));
    }
}

/// `validateNestedValueValidation`: inside allOf/anyOf/oneOf/not only value validations.
fn nested(
    v: &JSONSchemaProps,
    skip_any_of: bool,
    path: &str,
    errs: &mut Vec<FieldError>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    value_validation(v, skip_any_of, false, path, errs, depth);
    if let Some(items) = super::items_of(v) {
        nested(items, false, &child(path, "items"), errs, depth + 1);
    }
    for (name, prop) in v.properties.iter().flatten() {
        nested(
            prop,
            false,
            &key(&child(path, "properties"), name),
            errs,
            depth + 1,
        );
    }
    let must_be = |what: &str, detail: &str, errs: &mut Vec<FieldError>| {
        errs.push(forbidden(child(path, what), detail));
    };
    if !super::type_of(v).is_empty() {
        must_be("type", "must be empty to be structural", errs);
    }
    if v.additional_properties.is_some() {
        must_be(
            "additionalProperties",
            "must be undefined to be structural",
            errs,
        );
    }
    if super::default_of(v).is_some() {
        must_be("default", "must be undefined to be structural", errs);
    }
    if v.title.as_deref().is_some_and(|t| !t.is_empty()) {
        must_be("title", "must be empty to be structural", errs);
    }
    if v.description.as_deref().is_some_and(|d| !d.is_empty()) {
        must_be("description", "must be empty to be structural", errs);
    }
    if super::is_nullable(v) {
        must_be("nullable", "must be false to be structural", errs);
    }
    if super::preserves_unknown(v) {
        must_be(
            "x-kubernetes-preserve-unknown-fields",
            "must be false to be structural",
            errs,
        );
    }
    if super::is_embedded(v) {
        must_be(
            "x-kubernetes-embedded-resource",
            "must be false to be structural",
            errs,
        );
    }
    if super::is_int_or_string(v) {
        must_be(
            "x-kubernetes-int-or-string",
            "must be false to be structural",
            errs,
        );
    }
    if v.x_kubernetes_list_map_keys
        .as_ref()
        .is_some_and(|k| !k.is_empty())
    {
        must_be(
            "x-kubernetes-list-map-keys",
            "must be empty to be structural",
            errs,
        );
    }
    if v.x_kubernetes_list_type.is_some() {
        must_be(
            "x-kubernetes-list-type",
            "must be undefined to be structural",
            errs,
        );
    }
    if v.x_kubernetes_map_type.is_some() {
        must_be(
            "x-kubernetes-map-type",
            "must be undefined to be structural",
            errs,
        );
    }
    if v.x_kubernetes_validations
        .as_ref()
        .is_some_and(|r| !r.is_empty())
    {
        must_be(
            "x-kubernetes-validations",
            "must be empty to be structural",
            errs,
        );
    }
    if v.properties
        .as_ref()
        .is_some_and(|p| p.contains_key("metadata"))
    {
        errs.push(forbidden(
            key(&child(path, "properties"), "metadata"),
            "must not be specified in a nested context",
        ));
    }
}

/// `validateStructuralCompleteness`: fields and items named in the root's value validations
/// must be specified outside of them.
fn completeness(s: &JSONSchemaProps, path: &str, errs: &mut Vec<FieldError>) {
    value_completeness(s, Some(s), path, path, errs, 0);
}

fn value_completeness(
    v: &JSONSchemaProps,
    s: Option<&JSONSchemaProps>,
    s_path: &str,
    v_path: &str,
    errs: &mut Vec<FieldError>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    if let Some(not) = &v.not {
        nested_completeness(not, s, s_path, &child(v_path, "not"), errs, depth + 1);
    }
    for (word, list) in [
        ("allOf", &v.all_of),
        ("anyOf", &v.any_of),
        ("oneOf", &v.one_of),
    ] {
        for (i, sub) in list.iter().flatten().enumerate() {
            nested_completeness(
                sub,
                s,
                s_path,
                &index(&child(v_path, word), i),
                errs,
                depth + 1,
            );
        }
    }
}

fn nested_completeness(
    v: &JSONSchemaProps,
    s: Option<&JSONSchemaProps>,
    s_path: &str,
    v_path: &str,
    errs: &mut Vec<FieldError>,
    depth: usize,
) {
    let Some(s) = s else {
        errs.push(required(
            s_path.to_string(),
            &format!("because it is defined in {v_path}"),
        ));
        return;
    };
    value_completeness(v, Some(s), s_path, v_path, errs, depth);
    if let Some(v_items) = super::items_of(v) {
        nested_completeness(
            v_items,
            super::items_of(s),
            &child(s_path, "items"),
            &child(v_path, "items"),
            errs,
            depth + 1,
        );
    }
    for (name, v_prop) in v.properties.iter().flatten() {
        let s_prop_path = key(&child(s_path, "properties"), name);
        let v_prop_path = key(&child(v_path, "properties"), name);
        match s.properties.as_ref().and_then(|p| p.get(name)) {
            Some(s_prop) => nested_completeness(
                v_prop,
                Some(s_prop),
                &s_prop_path,
                &v_prop_path,
                errs,
                depth + 1,
            ),
            None => errs.push(required(
                s_prop_path,
                &format!("because it is defined in {v_prop_path}"),
            )),
        }
    }
}

/// `defaulting.ValidateDefaults`: every default must be pruned already and valid for its node.
fn validate_defaults(
    s: &JSONSchemaProps,
    path: &str,
    resource_root: bool,
    inside_meta: bool,
    errs: &mut Vec<FieldError>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let embedded = resource_root || super::is_embedded(s);
    let inside_meta = inside_meta && !embedded;
    if let Some(default) = super::default_of(s) {
        let default_path = child(path, "default");
        let unknown = !inside_meta && {
            let mut pruned = default.clone();
            super::prune::prune_unknown(s, &mut pruned, embedded);
            &pruned != default
        };
        if unknown {
            errs.push(invalid(
                default_path,
                default.clone(),
                "must not have unknown fields",
            ));
        } else {
            errs.extend(super::validate::validate_at(s, default, &default_path));
        }
    }
    if let Some(items) = super::items_of(s) {
        validate_defaults(
            items,
            &child(path, "items"),
            false,
            inside_meta,
            errs,
            depth + 1,
        );
    }
    for (name, prop) in s.properties.iter().flatten() {
        let sub_meta = inside_meta
            || (embedded && ["metadata", "apiVersion", "kind"].contains(&name.as_str()));
        validate_defaults(
            prop,
            &key(&child(path, "properties"), name),
            false,
            sub_meta,
            errs,
            depth + 1,
        );
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
#[path = "structural_tests.rs"]
mod tests;
