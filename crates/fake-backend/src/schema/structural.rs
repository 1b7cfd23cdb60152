//! The structural-schema checks of CRD validation (rule 44): apiextensions
//! `schema.ValidateStructural` (its invariants here, its value validation and completeness in
//! [`super::value_validation`]) and `defaulting.ValidateDefaults`, after the generic checks of
//! [`super::crd_checks`].

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    JSONSchemaProps, JSONSchemaPropsOrArray,
};
use kobj_core::{FieldError, FieldErrorType};
use serde_json::Value;

use super::crd_checks::{Ssv, generic};
use super::value_validation::{completeness, value_validation};
use super::{Additional, MAX_DEPTH};

pub(crate) fn child(path: &str, name: &str) -> String {
    format!("{path}.{name}")
}

pub(crate) fn key(path: &str, key: &str) -> String {
    format!("{path}[{key}]")
}

pub(crate) fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

pub(crate) fn forbidden(path: String, detail: &str) -> FieldError {
    FieldError::forbidden(path, detail)
}

pub(crate) fn required(path: String, detail: &str) -> FieldError {
    FieldError::required(path, detail)
}

pub(crate) fn invalid(
    path: String,
    value: impl Into<Value>,
    detail: impl Into<String>,
) -> FieldError {
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

#[cfg(test)]
#[path = "structural_tests.rs"]
mod tests;
