//! Typed operations on objects (kubernetes-sigs/structured-merge-diff `typed`): the set of
//! fields a value sets, what changed between two values, merging an applied configuration into
//! a live object, and removing fields.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::fieldset::{FieldSet, Path, PathElement, path_string};
use super::merge_keys::key_default;
use super::typeinfo::{ListKind, Ty, declares};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::JSONSchemaProps;

use crate::builtins::json_decode::{SmdField, SmdScalar};

/// The path element of a list item, or the reason it has none.
pub(super) fn item_element(item: &Value, kind: &ListKind) -> Result<Option<PathElement>, String> {
    match kind {
        ListKind::Atomic => Ok(None),
        ListKind::Set => Ok(Some(PathElement::Value(item.to_string()))),
        ListKind::Map(_) | ListKind::CrdMap(_) => {
            let Value::Object(fields) = item else {
                return Err("expected map type for associative list item".to_string());
            };
            let mut key = Map::new();
            for k in kind.keys().unwrap_or_default() {
                match fields.get(k).cloned().or_else(|| key_default(k)) {
                    Some(v) => {
                        key.insert(k.to_string(), v);
                    }
                    None => {
                        return Err(format!(
                            "associative list with keys has an element that omits key field {k:?} (and doesn't have default value)"
                        ));
                    }
                }
            }
            Ok(Some(PathElement::key(&key)))
        }
    }
}

/// The path elements of a list's items; errors name the list as the server does.
pub(super) fn list_elements(
    items: &[Value],
    kind: &ListKind,
    path: &Path,
    allow_duplicates: bool,
) -> Result<Vec<PathElement>, String> {
    let mut out = Vec::with_capacity(items.len());
    let mut seen = HashSet::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let pe = item_element(item, kind)
            .map_err(|e| format!("{}: element {i}: {e}", path_string(path)))?
            .ok_or_else(|| String::from("atomic list"))?;
        if !seen.insert(pe.clone()) && !allow_duplicates {
            return Err(format!(
                "{}: duplicate entries for key {pe}",
                path_string(path)
            ));
        }
        out.push(pe);
    }
    Ok(out)
}

/// The fields `value` sets (`ToFieldSet`).
///
/// # Errors
/// An associative list item without its keys, or duplicate items, with the server's text.
///
/// A built-in struct's fields are validated as structured-merge-diff validates an applied
/// configuration: fields the schema does not declare and scalars of the wrong type are
/// collected and reported together (`ValidationErrors`).
pub(crate) fn to_field_set(value: &Value, ty: Ty<'_>) -> Result<FieldSet, String> {
    let mut set = FieldSet::new();
    let mut found = Vec::new();
    walk_set(value, ty, &mut Vec::new(), &mut set, None, Some(&mut found))?;
    if found.is_empty() {
        Ok(set)
    } else {
        Err(super::smd_validate::validation_errors(&found))
    }
}

/// [`to_field_set`] for stored objects: malformed keyed lists count as atomic.
pub(crate) fn to_field_set_lenient(value: &Value, ty: Ty<'_>) -> FieldSet {
    let mut set = FieldSet::new();
    if walk_set(value, ty, &mut Vec::new(), &mut set, None, None).is_err() {
        return FieldSet::new();
    }
    set
}

/// Adds the fields `value` (at `path`) sets to `level`, the set of the children of `path`;
/// `member` is the member flag of `path` itself (`None` at the root of the walk, which is
/// never a member). The set is built top-down: each node is found once, not once per path
/// below it. `found` collects validation errors; without it (stored objects) malformed keyed
/// lists count as atomic and nothing is validated.
fn walk_set(
    value: &Value,
    ty: Ty<'_>,
    path: &mut Path,
    level: &mut FieldSet,
    member: Option<&mut bool>,
    mut found: Option<&mut Vec<String>>,
) -> Result<(), String> {
    let lenient = found.is_none();
    let mark = |member: Option<&mut bool>| {
        if let Some(m) = member {
            *m = true;
        }
    };
    match value {
        Value::Object(map) => {
            if ty.is_atomic() && member.is_some() {
                mark(member);
                return Ok(());
            }
            for (k, child) in map {
                let (child_ty, declared) = ty.field(k);
                path.push(PathElement::Field(k.clone()));
                if let Some(found) = found.as_deref_mut() {
                    let before = found.len();
                    let undeclared = validate_field(&ty, k, child, path, found);
                    if found.len() > before {
                        path.pop();
                        // structured-merge-diff stops walking a map at its first undeclared
                        // field (`visitMapItems` returns false), so at most one is reported
                        // per object, and nothing after it (the fake: in key order; the
                        // server: in Go's map order).
                        if undeclared {
                            break;
                        }
                        continue;
                    }
                }
                let walked = walk_child(
                    child,
                    child_ty,
                    path,
                    level,
                    found.as_deref_mut(),
                    |child| {
                        let empty_map = child.as_object().is_some_and(Map::is_empty);
                        child.is_null() || empty_map || !declared
                    },
                );
                path.pop();
                walked?;
            }
        }
        Value::Array(items) => {
            let kind = ty.list_kind();
            if kind == ListKind::Atomic {
                mark(member);
                return Ok(());
            }
            let elements = match list_elements(items, &kind, path, lenient) {
                Ok(e) => e,
                Err(_) if lenient => {
                    mark(member);
                    return Ok(());
                }
                Err(e) => return Err(e),
            };
            let item_ty = ty.item();
            let is_set = matches!(kind, ListKind::Set);
            for (item, pe) in items.iter().zip(elements) {
                path.push(pe);
                let walked = if is_set {
                    if let Some((member, _)) = path.last().and_then(|pe| level.node_mut(pe)) {
                        *member = true;
                    }
                    Ok(())
                } else {
                    walk_child(item, item_ty, path, level, found.as_deref_mut(), |_| true)
                };
                path.pop();
                walked?;
            }
        }
        _ => mark(member),
    }
    Ok(())
}

/// Walks the child at `path` (its last element) of `level`; it is a member when `is_member`
/// says so after the walk. An empty node left behind is removed.
fn walk_child(
    child: &Value,
    ty: Ty<'_>,
    path: &mut Path,
    level: &mut FieldSet,
    found: Option<&mut Vec<String>>,
    is_member: impl FnOnce(&Value) -> bool,
) -> Result<(), String> {
    let Some(pe) = path.last().cloned() else {
        return Ok(());
    };
    let Some((member, children)) = level.node_mut(&pe) else {
        return Ok(());
    };
    let walked = walk_set(child, ty, path, children, Some(&mut *member), found);
    if is_member(child) {
        *member = true;
    }
    level.prune_empty(&pe);
    walked
}

/// structured-merge-diff's complaints about field `name` (the last element of `path`) of a
/// struct of type `ty` (a built-in struct, or an object of a CRD's schema) set to `value`,
/// added to `found`: an undeclared field, a scalar of the wrong type, or such scalars in a
/// map or list of scalars. True when the field is undeclared.
fn validate_field(
    ty: &Ty<'_>,
    name: &str,
    value: &Value,
    path: &Path,
    found: &mut Vec<String>,
) -> bool {
    use super::smd_validate::scalar_error;
    let field = match ty {
        Ty::Struct(t) => crate::builtins::json_decode::smd_field(t, name),
        Ty::CrdRoot(_) if matches!(name, "apiVersion" | "kind" | "metadata") => None,
        Ty::CrdRoot(schema) | Ty::Crd(schema) => crd_field_kind(schema, name),
        _ => None,
    };
    let at = |suffix: &str| format!("{}{suffix}", path_string(path));
    match field {
        Some(SmdField::Undeclared) => {
            found.push(format!("{}: field not declared in schema", at("")));
            return true;
        }
        Some(SmdField::Scalar(s)) => {
            if let Some(e) = scalar_error(s, value) {
                found.push(format!("{}: {e}", at("")));
            }
        }
        Some(SmdField::MapOf(s)) => {
            for (k, v) in value.as_object().into_iter().flatten() {
                if let Some(e) = scalar_error(s, v) {
                    found.push(format!("{}: {e}", at(&format!(".{k}"))));
                }
            }
        }
        Some(SmdField::ListOf(s)) => {
            for (i, v) in value.as_array().into_iter().flatten().enumerate() {
                if let Some(e) = scalar_error(s, v) {
                    found.push(format!("{}: {e}", at(&format!("[{i}]"))));
                }
            }
        }
        Some(SmdField::Composite) | None => {}
    }
    false
}

/// What structured-merge-diff's schema, converted from a CRD's structural schema, says of
/// field `name` of an object with schema `schema` (`None`: nothing to check). An object
/// that keeps unknown fields or has `additionalProperties` is a map and takes any key; an
/// embedded resource takes its `apiVersion`, `kind` and `metadata`.
fn crd_field_kind(schema: &JSONSchemaProps, name: &str) -> Option<SmdField> {
    use crate::schema::{is_embedded, is_int_or_string, preserves_unknown, type_of};
    let Some(prop) = schema.properties.as_ref().and_then(|p| p.get(name)) else {
        let open = preserves_unknown(schema)
            || schema.additional_properties.is_some()
            || type_of(schema) != "object"
            || (is_embedded(schema) && matches!(name, "apiVersion" | "kind" | "metadata"));
        return (!open).then_some(SmdField::Undeclared);
    };
    if is_int_or_string(prop) {
        return Some(SmdField::Scalar(SmdScalar::Untyped));
    }
    match type_of(prop) {
        "integer" | "number" => Some(SmdField::Scalar(SmdScalar::Numeric)),
        "string" => Some(SmdField::Scalar(SmdScalar::String)),
        "boolean" => Some(SmdField::Scalar(SmdScalar::Boolean)),
        _ => None,
    }
}

/// Merges an applied configuration into a live value (`TypedValue.Merge`): the configuration
/// wins for scalars and atomic values; maps and associative lists merge.
pub(crate) fn merge(live: Option<&Value>, config: &Value, ty: Ty<'_>, path: &mut Path) -> Value {
    match (live, config) {
        (Some(Value::Object(l)), Value::Object(r)) if !ty.is_atomic() || path.is_empty() => {
            let mut out = l.clone();
            for (k, rv) in r {
                if rv.is_null() {
                    out.remove(k);
                    continue;
                }
                let (child_ty, _) = ty.field(k);
                path.push(PathElement::Field(k.clone()));
                let merged = merge(l.get(k), rv, child_ty, path);
                path.pop();
                out.insert(k.clone(), merged);
            }
            Value::Object(out)
        }
        (Some(Value::Array(l)), Value::Array(r)) => {
            let kind = ty.list_kind();
            if kind == ListKind::Atomic {
                return config.clone();
            }
            match (
                list_elements(l, &kind, path, true),
                list_elements(r, &kind, path, true),
            ) {
                (Ok(lpes), Ok(rpes)) => {
                    Value::Array(merge_lists(l, &lpes, r, &rpes, &kind, ty.item(), path))
                }
                _ => config.clone(),
            }
        }
        (_, other) => strip_nulls(other),
    }
}

fn strip_nulls(value: &Value) -> Value {
    match value {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), strip_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(strip_nulls).collect()),
        other => other.clone(),
    }
}

/// structured-merge-diff's list merge order: shared items follow the applied order, live-only
/// items keep their place.
fn merge_lists(
    lhs: &[Value],
    lpes: &[PathElement],
    rhs: &[Value],
    rpes: &[PathElement],
    kind: &ListKind,
    item_ty: Ty<'_>,
    path: &mut Path,
) -> Vec<Value> {
    let mut observed_lhs: HashMap<&PathElement, &Value> = HashMap::new();
    for (pe, v) in lpes.iter().zip(lhs) {
        observed_lhs.entry(pe).or_insert(v);
    }
    let mut observed_rhs: HashMap<&PathElement, &Value> = HashMap::new();
    for (pe, v) in rpes.iter().zip(rhs) {
        observed_rhs.entry(pe).or_insert(v);
    }
    let mut shared = rpes.iter().filter(|pe| observed_lhs.contains_key(pe));
    let mut next_shared = shared.next();
    let mut merged_rhs: HashSet<&PathElement> = HashSet::new();
    let mut out = Vec::with_capacity(lhs.len().max(rhs.len()));
    let merge_item = |pe: &PathElement, l: Option<&Value>, r: &Value, path: &mut Path| {
        if matches!(kind, ListKind::Set) {
            return r.clone();
        }
        path.push(pe.clone());
        let v = merge(l, r, item_ty, path);
        path.pop();
        v
    };
    let (len_l, len_r) = (lpes.len(), rpes.len());
    let (mut li, mut ri) = (0, 0);
    while li < len_l || ri < len_r {
        if li < len_l && ri < len_r {
            let pe = &lpes[li];
            if *pe == rpes[ri] {
                merged_rhs.insert(pe);
                let l = observed_lhs.get(pe).copied();
                let r = observed_rhs.get(pe).copied().unwrap_or(&rhs[ri]);
                out.push(merge_item(pe, l, r, path));
                li += 1;
                ri += 1;
                if next_shared == Some(pe) {
                    next_shared = shared.next();
                }
                continue;
            }
            if observed_rhs.contains_key(pe) && next_shared.is_some_and(|n| n != pe) {
                li += 1;
                continue;
            }
        }
        if li < len_l {
            let pe = &lpes[li];
            if !observed_rhs.contains_key(pe) {
                out.push(lhs[li].clone());
                li += 1;
                continue;
            } else if merged_rhs.contains(pe) {
                li += 1;
                continue;
            }
        }
        if ri < len_r {
            let pe = &rpes[ri];
            merged_rhs.insert(pe);
            let l = observed_lhs.get(pe).copied();
            let r = observed_rhs.get(pe).copied().unwrap_or(&rhs[ri]);
            out.push(merge_item(pe, l, r, path));
            ri += 1;
            if next_shared == Some(pe) {
                next_shared = shared.next();
            }
        }
    }
    out
}

/// Removes the members of `set` from `value` (`RemoveItems`): a member that is a map field or
/// list item goes with everything below it.
pub(crate) fn remove_items(value: &mut Value, set: &FieldSet, ty: Ty<'_>) {
    match value {
        Value::Object(map) => {
            let keys: Vec<String> = map.keys().cloned().collect();
            for k in keys {
                let pe = PathElement::Field(k.clone());
                if set.has_member(&pe) {
                    map.remove(&k);
                } else if let Some(sub) = set.child(&pe) {
                    let (child_ty, _) = ty.field(&k);
                    if let Some(child) = map.get_mut(&k) {
                        remove_items(child, sub, child_ty);
                    }
                }
            }
        }
        Value::Array(items) => {
            let kind = ty.list_kind();
            if kind == ListKind::Atomic {
                return;
            }
            let item_ty = ty.item();
            let old = std::mem::take(items);
            for mut item in old {
                match item_element(&item, &kind) {
                    Ok(Some(pe)) => {
                        if set.has_member(&pe) {
                            continue;
                        }
                        if let Some(sub) = set.child(&pe) {
                            remove_items(&mut item, sub, item_ty);
                        }
                        items.push(item);
                    }
                    _ => items.push(item),
                }
            }
        }
        _ => {}
    }
}

/// Marks every declared struct field in `set` as a member (`EnsureNamedFieldsAreMembers`).
pub(crate) fn ensure_named_fields(set: &mut FieldSet, ty: Ty<'_>) {
    let mut named = Vec::new();
    for (pe, children) in set.children_mut() {
        let child_ty = match pe {
            PathElement::Field(name) => {
                if declares(&ty, name) {
                    named.push(pe.clone());
                }
                ty.field(name).0
            }
            _ => ty.item(),
        };
        ensure_named_fields(children, child_ty);
    }
    for pe in named {
        set.set_member(&pe);
    }
}

#[cfg(test)]
#[path = "typed_tests.rs"]
mod tests;
