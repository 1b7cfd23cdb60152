//! The value-validation checks of a CRD's structural schema (rule 44): apiextensions
//! `validateValueValidation` (what may appear inside `allOf`, `anyOf`, `oneOf` and `not`, and
//! the pattern) and `validateStructuralCompleteness` (fields and items named there must be
//! specified outside them). Called from [`super::structural`].

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::JSONSchemaProps;
use kobj_core::FieldError;

use super::structural::{child, forbidden, index, invalid, key, required};
use super::{MAX_DEPTH, pattern};

/// `validateValueValidation`: nested value validations and the pattern.
pub(super) fn value_validation(
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
pub(super) fn completeness(s: &JSONSchemaProps, path: &str, errs: &mut Vec<FieldError>) {
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
