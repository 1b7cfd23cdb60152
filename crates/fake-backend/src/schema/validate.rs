//! OpenAPI validation of custom objects: a port of kube-openapi's `validate.SchemaValidator`
//! (type, allOf/anyOf/oneOf/not, string, format, number, array, enum and object validators, in
//! that order) and of apiextensions' conversion of its results into field errors.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::JSONSchemaProps;
use kobj_core::FieldError;
use serde_json::{Map, Value};

use super::go::{self, GoNumber};
use super::{Additional, MAX_DEPTH, Path, format};

mod keywords;
use keywords::{check_enum, check_number, check_string};
mod outcome;
use outcome::{Code, Failure, Outcome};

/// Validates `object` against `schema`. With `old`, errors at nodes whose value equals the
/// correlated old value are ratcheted away.
pub(crate) fn validate(
    schema: &JSONSchemaProps,
    object: &Value,
    old: Option<&Value>,
) -> Vec<FieldError> {
    let res = node(schema, object, old, &Path::Root, 0);
    res.errors
        .into_iter()
        .map(|f| f.into_field_error_at(None))
        .collect()
}

/// Validates `value` against the node `schema` with field paths below `base` (as
/// `ValidateCustomResource(base, value, validator)` reports them), e.g. for a default value.
pub(crate) fn validate_at(schema: &JSONSchemaProps, value: &Value, base: &str) -> Vec<FieldError> {
    let res = node(schema, value, None, &Path::Root, 0);
    res.errors
        .into_iter()
        .map(|f| f.into_field_error_at(Some(base)))
        .collect()
}

/// The types a node accepts: `[type]`, `[integer, string]` for int-or-string, or none.
fn types_of(s: &JSONSchemaProps) -> (&str, &str) {
    if super::is_int_or_string(s) {
        ("integer", "string")
    } else {
        (super::type_of(s), "")
    }
}

fn types_contain(types: (&str, &str), t: &str) -> bool {
    !t.is_empty() && (types.0 == t || types.1 == t)
}

fn types_text(types: (&str, &str)) -> String {
    if types.1.is_empty() {
        types.0.to_string()
    } else {
        format!("{},{}", types.0, types.1)
    }
}

/// `NewSchemaValidator(s).Validate(data)` at `path`.
fn node(
    s: &JSONSchemaProps,
    data: &Value,
    old: Option<&Value>,
    path: &Path<'_>,
    depth: usize,
) -> Outcome {
    let mut out = Outcome::default();
    if depth > MAX_DEPTH || old.is_some_and(|o| o == data) {
        // Too deep to follow, or unchanged since the stored object: ratcheted.
        out.matches = 1;
        return out;
    }
    let types = types_of(s);
    let single_type = if types.1.is_empty() { types.0 } else { "" };
    let format = format::effective(s.format.as_deref().unwrap_or(""), single_type);

    if data.is_null() {
        out.merge(check_type(types, super::is_nullable(s), format, data, path));
        out.merge(check_enum(s, data, path));
        return out;
    }

    if !types.0.is_empty() || !format.is_empty() {
        out.merge(check_type(types, super::is_nullable(s), format, data, path));
        out.matches += 1;
    }
    out.merge(check_combinators(s, data, old, path, depth));
    out.matches += 1;
    if let Value::String(text) = data {
        out.merge(check_string(s, text, path));
        out.matches += 1;
        if format::is_known(format) {
            if !format::check(format, text) {
                out.merge(Outcome::failed(Failure::new(
                    Code::InvalidType,
                    path,
                    Some(data.clone()),
                    format!(
                        "{} in body must be of type {}: {}",
                        path.openapi(),
                        format,
                        go::quote(text)
                    ),
                )));
            }
            out.matches += 1;
        }
    }
    if let Some(number) = GoNumber::of(data) {
        out.merge(check_number(s, number, data, path));
        out.matches += 1;
    }
    if let Value::Array(items) = data {
        out.merge(check_array(
            s,
            items,
            old.and_then(Value::as_array),
            path,
            depth,
        ));
        out.matches += 1;
    }
    out.merge(check_enum(s, data, path));
    out.matches += 1;
    if let Value::Object(map) = data {
        out.merge(check_object(
            s,
            map,
            old.and_then(Value::as_object),
            path,
            depth,
        ));
        out.matches += 1;
    }
    out.matches += 1;
    out
}

/// The JSON type name and go-openapi format of a value (`schemaInfoForType`).
fn type_info(data: &Value) -> (&'static str, &'static str) {
    match data {
        Value::Bool(_) => ("boolean", ""),
        Value::String(_) => ("string", ""),
        Value::Array(_) => ("array", ""),
        Value::Object(_) => ("object", ""),
        Value::Number(_) => match GoNumber::of(data) {
            Some(GoNumber::Int(_)) => ("integer", "int64"),
            _ => ("number", "float64"),
        },
        Value::Null => ("", ""),
    }
}

/// kube-openapi's `typeValidator`.
fn check_type(
    types: (&str, &str),
    nullable: bool,
    format: &str,
    data: &Value,
    path: &Path<'_>,
) -> Outcome {
    let invalid = |type_name: &str, found: &str| {
        Outcome::failed(Failure::new(
            Code::InvalidType,
            path,
            Some(Value::String(found.to_string())),
            format!(
                "{} in body must be of type {}: {}",
                path.openapi(),
                type_name,
                go::quote(found)
            ),
        ))
    };
    if data.is_null() {
        if !types.0.is_empty() && !types_contain(types, "null") && !nullable {
            return invalid(&types_text(types), "null");
        }
        return Outcome {
            errors: Vec::new(),
            matches: 1,
        };
    }
    let (sch_type, data_format) = type_info(data);
    let is_string_or_array = matches!(data, Value::String(_) | Value::Array(_));
    let is_float_int = sch_type == "number"
        && GoNumber::of(data).is_some_and(|n| go::is_float_a_json_integer(n.as_f64()))
        && types_contain(types, "integer");
    let is_int_float = sch_type == "integer" && types_contain(types, "number");
    let matches_type = types_contain(types, sch_type) || is_float_int || is_int_float;
    let has_format = !format.is_empty();
    // A number, boolean or object where a formatted value belongs names the Go type.
    if has_format && !is_string_or_array && !(matches_type || data_format == format) {
        return invalid(format, data_format);
    }
    // Strings and arrays pass a formatted non-numeric node (the format validator checks them).
    let numeric = types_contain(types, "number") || types_contain(types, "integer");
    if has_format && is_string_or_array && !numeric {
        return Outcome {
            errors: Vec::new(),
            matches: 1,
        };
    }
    if !matches_type {
        return invalid(&types_text(types), sch_type);
    }
    Outcome {
        errors: Vec::new(),
        matches: 1,
    }
}

/// kube-openapi's `schemaPropsValidator`: allOf, anyOf, oneOf and not.
fn check_combinators(
    s: &JSONSchemaProps,
    data: &Value,
    old: Option<&Value>,
    path: &Path<'_>,
    depth: usize,
) -> Outcome {
    let mut main = Outcome::default();
    let composite = |message: String| Failure::new(Code::Composite, path, None, message);

    if let Some(any_of) = s.any_of.as_deref().filter(|a| !a.is_empty()) {
        let mut best: Option<Outcome> = None;
        let mut success: Option<Outcome> = None;
        for alt in any_of {
            let r = node(alt, data, old, path, depth + 1);
            if r.is_valid() {
                best = None;
                success = Some(r);
                break;
            }
            if best.as_ref().is_none_or(|b| r.matches > b.matches) {
                best = Some(r);
            }
        }
        if success.is_none() {
            main.add(composite(format!(
                "{} must validate at least one schema (anyOf)",
                go::quote(&path.openapi())
            )));
        }
        if let Some(b) = best.or(success) {
            main.merge(b);
        }
    }

    if let Some(one_of) = s.one_of.as_deref().filter(|a| !a.is_empty()) {
        let mut best: Option<Outcome> = None;
        let mut success: Option<Outcome> = None;
        let mut validated = 0;
        for alt in one_of {
            let r = node(alt, data, old, path, depth + 1);
            if r.is_valid() {
                validated += 1;
                best = None;
                if success.is_none() {
                    success = Some(r);
                }
                continue;
            }
            if validated == 0 && best.as_ref().is_none_or(|b| r.matches > b.matches) {
                best = Some(r);
            }
        }
        if validated != 1 {
            let detail = if validated == 0 {
                "Found none valid".to_string()
            } else {
                format!("Found {validated} valid alternatives")
            };
            main.add(composite(format!(
                "{} must validate one and only one schema (oneOf). {detail}",
                go::quote(&path.openapi())
            )));
            if let Some(b) = best {
                main.merge(b);
            }
        } else if let Some(ok) = success {
            main.merge(ok);
        }
    }

    if let Some(all_of) = s.all_of.as_deref().filter(|a| !a.is_empty()) {
        let mut validated = 0;
        for alt in all_of {
            let r = node(alt, data, old, path, depth + 1);
            if r.is_valid() {
                validated += 1;
            }
            main.merge(r);
        }
        if validated != all_of.len() {
            let detail = if validated == 0 {
                ". None validated"
            } else {
                ""
            };
            main.add(composite(format!(
                "{} must validate all the schemas (allOf){detail}",
                go::quote(&path.openapi())
            )));
        }
    }

    if let Some(not) = s.not.as_deref()
        && node(not, data, old, path, depth + 1).is_valid()
    {
        main.add(composite(format!(
            "{} must not validate the schema (not)",
            go::quote(&path.openapi())
        )));
    }

    main.matches += 1;
    main
}

/// kube-openapi's `schemaSliceValidator`: items, minItems, maxItems, uniqueItems.
fn check_array(
    s: &JSONSchemaProps,
    items: &[Value],
    old: Option<&Vec<Value>>,
    path: &Path<'_>,
    depth: usize,
) -> Outcome {
    let mut out = Outcome::default();
    if let Some(item_schema) = super::items_of(s) {
        for (i, item) in items.iter().enumerate() {
            let old_item = old.and_then(|o| correlate_item(s, item, o));
            out.merge(node(item_schema, item, old_item, &path.index(i), depth + 1));
        }
    }
    let size = i64::try_from(items.len()).unwrap_or(i64::MAX);
    let name = path.openapi();
    if let Some(min) = s.min_items
        && size < min
    {
        out.add(Failure::new(
            Code::Other,
            path,
            Some(Value::from(size)),
            format!("{name} in body should have at least {min} items"),
        ));
    }
    if let Some(max) = s.max_items
        && size > max
    {
        let mut f = Failure::new(
            Code::MaxItems,
            path,
            Some(Value::from(size)),
            format!("{name} in body should have at most {max} items"),
        );
        f.valid = Some(max);
        out.add(f);
    }
    if s.unique_items == Some(true)
        && items
            .iter()
            .enumerate()
            .any(|(i, a)| items[..i].contains(a))
    {
        out.add(Failure::new(
            Code::Other,
            path,
            None,
            format!("{name} in body shouldn't contain duplicates"),
        ));
    }
    out.matches += 1;
    out
}

/// The old item an array item correlates with for ratcheting: by key for
/// `x-kubernetes-list-type: map`, an equal item for `set`, none for atomic lists.
pub(crate) fn correlate_item<'o>(
    s: &JSONSchemaProps,
    item: &Value,
    old: &'o [Value],
) -> Option<&'o Value> {
    match s.x_kubernetes_list_type.as_deref() {
        Some("map") => {
            let keys = s.x_kubernetes_list_map_keys.as_deref().unwrap_or_default();
            let item = item.as_object()?;
            old.iter().find(|o| {
                o.as_object()
                    .is_some_and(|o| keys.iter().all(|k| o.get(k) == item.get(k)))
            })
        }
        Some("set") => old.iter().find(|o| *o == item),
        _ => None,
    }
}

/// kube-openapi's `objectValidator`.
fn check_object(
    s: &JSONSchemaProps,
    map: &Map<String, Value>,
    old: Option<&Map<String, Value>>,
    path: &Path<'_>,
    depth: usize,
) -> Outcome {
    let mut out = Outcome::default();
    let num_keys = i64::try_from(map.len()).unwrap_or(i64::MAX);
    let name = path.openapi();
    if let Some(min) = s.min_properties
        && num_keys < min
    {
        return Outcome::failed(Failure::new(
            Code::Other,
            path,
            Some(Value::from(num_keys)),
            format!("{name} in body should have at least {min} properties"),
        ));
    }
    if let Some(max) = s.max_properties
        && num_keys > max
    {
        let mut f = Failure::new(
            Code::TooManyProperties,
            path,
            Some(Value::from(num_keys)),
            format!("{name} in body should have at most {max} properties"),
        );
        f.valid = Some(max);
        return Outcome::failed(f);
    }

    let properties = s.properties.as_ref();
    let known = |k: &str| properties.is_some_and(|p| p.contains_key(k));
    match super::additional_of(s) {
        Some(Additional::Bool(false)) => {
            for key in map.keys().filter(|k| !known(k)) {
                out.add(Failure::new(
                    Code::Other,
                    path,
                    Some(Value::String(key.clone())),
                    format!("{name}.{key} in body is a forbidden property"),
                ));
            }
        }
        Some(Additional::Schema(additional)) => {
            for (key, value) in map.iter().filter(|(k, _)| !known(k)) {
                let old_value = old.and_then(|o| o.get(key));
                out.merge(node(
                    additional,
                    value,
                    old_value,
                    &path.key(key),
                    depth + 1,
                ));
            }
        }
        _ => {}
    }

    if let Some(properties) = properties {
        for (prop, prop_schema) in properties {
            if let Some(value) = map.get(prop) {
                let old_value = old.and_then(|o| o.get(prop));
                out.merge(node(
                    prop_schema,
                    value,
                    old_value,
                    &path.field(prop),
                    depth + 1,
                ));
            }
        }
    }

    for required in s.required.as_deref().unwrap_or_default() {
        if !map.contains_key(required) {
            let mut f = Failure::new(
                Code::Required,
                path,
                None,
                format!("{name}.{required} in body is required"),
            );
            f.name = format!("{name}.{required}");
            out.add(f);
        }
    }
    out
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
