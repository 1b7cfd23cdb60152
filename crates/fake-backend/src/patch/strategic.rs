//! Strategic merge patch for built-in kinds (k8s.io/apimachinery
//! `pkg/util/strategicpatch/patch.go`, as the API server runs it: `StrategicMergeMapPatch` with
//! parallel lists merged and unmatched nulls ignored).
//!
//! Lists merge only where the Go field is tagged `patchStrategy:"merge"` (see
//! `merge_keys`); every other list is replaced. A built-in kind missing from
//! the type table falls back to merge-patch semantics for its lists (replaced) while maps still
//! merge and every directive still works.

use std::collections::{HashMap, HashSet};

use kobj_core::{Error, Result};
use serde_json::{Map, Value};

use super::gofmt::{go_s, go_type, go_v};
use super::merge_keys::{SmpList, smp_list};
use super::typeinfo::{ListKind, Ty};
use order::{merge_set_element_order, normalize_order, partition};

const DIRECTIVE: &str = "$patch";
const RETAIN_KEYS: &str = "$retainKeys";
const DELETE_PRIMITIVE: &str = "$deleteFromPrimitiveList";
const SET_ORDER: &str = "$setElementOrder";

/// Applies a strategic merge patch to `original`, an object of the built-in kind
/// `group`/`kind`, using the kind's list merge keys and patch directives (`$patch`,
/// `$retainKeys`, `$deleteFromPrimitiveList/<field>`, `$setElementOrder/<field>`, `null`).
///
/// ```
/// # use kobj_fake::patch::strategic::strategic_merge;
/// # use serde_json::json;
/// let pod = json!({"spec": {"containers": [{"name": "a", "image": "a:1"}, {"name": "b", "image": "b:1"}]}});
/// let patch = json!({"spec": {"containers": [{"name": "b", "image": "b:2"}]}});
/// let out = strategic_merge("", "Pod", &pod, &patch).unwrap();
/// assert_eq!(out["spec"]["containers"][0]["image"], "a:1");
/// assert_eq!(out["spec"]["containers"][1]["image"], "b:2");
/// ```
///
/// # Errors
/// 400 BadRequest for a patch that is not a JSON object and for malformed `$retainKeys`,
/// `$deleteFromPrimitiveList` or `$setElementOrder` directives; 422 for lists of lists; the
/// server's 500 with upstream's text for an unknown `$patch` value or an item without its merge
/// key.
pub fn strategic_merge(group: &str, kind: &str, original: &Value, patch: &Value) -> Result<Value> {
    let patch = match patch {
        Value::Object(p) => p.clone(),
        Value::Null => return Ok(original.clone()),
        other => {
            let what = match other {
                Value::Array(_) => "array",
                Value::String(_) => "string",
                Value::Number(_) => "number",
                _ => "bool",
            };
            return Err(Error::bad_request(format!(
                "json: cannot unmarshal {what} into Go value of type map[string]interface {{}}"
            )));
        }
    };
    let original = match original {
        Value::Object(o) => o.clone(),
        _ => Map::new(),
    };
    let root = Ty::root(group, kind, None, None);
    merge_map(original, patch, root)
        .map(Value::Object)
        .map_err(Error::from)
}

/// A strategic-merge failure, mapped to the server's status by `interpretStrategicMergePatchError`.
enum SmpError {
    /// `errors.NewBadRequest`.
    BadRequest(&'static str),
    /// `NewGenericServerResponse(422, …)`.
    Unprocessable(&'static str),
    /// Any other error: the handler returns it as is (500, reason unknown).
    Other(String),
}

impl From<SmpError> for Error {
    fn from(e: SmpError) -> Self {
        match e {
            SmpError::BadRequest(m) => Error::bad_request(m),
            SmpError::Unprocessable(m) => Error::patch_rejected(Some(m)),
            SmpError::Other(m) => Error::from_parts(500, "", m),
        }
    }
}

type SmpResult<T> = std::result::Result<T, SmpError>;

const BAD_PRIMITIVE_LIST: &str = "invalid patch format of primitive list";
const BAD_RETAIN_KEYS: &str = "invalid patch format of retainKeys";
const BAD_SET_ORDER: &str = "invalid patch format of setElementOrder list";
const NO_LIST_OF_LISTS: &str = "lists of lists are not supported";

fn bad_arg_type(expected: &str, actual: &Value) -> SmpError {
    SmpError::Other(format!(
        "expected a {expected}, but received a {}",
        go_type(actual)
    ))
}

fn no_merge_key(item: &Map<String, Value>, key: &str) -> SmpError {
    SmpError::Other(format!(
        "map: {} does not contain declared merge key: {key}",
        go_v(&Value::Object(item.clone()))
    ))
}

fn bad_patch_type(directive: &Value, item: &Map<String, Value>) -> SmpError {
    SmpError::Other(format!(
        "unknown patch type: {} in map: {}",
        go_s(directive),
        go_v(&Value::Object(item.clone()))
    ))
}

/// The type and list strategy of `key` inside a map of type `ty`.
fn child(ty: &Ty<'static>, key: &str) -> (Ty<'static>, Option<SmpList>) {
    let (c, _) = ty.field(key);
    let smp = match (ty, &c) {
        (Ty::Struct(t), Ty::List(kind, _)) => smp_list(t, key, Some(kind)),
        (Ty::Struct(t), Ty::Set) => smp_list(t, key, Some(&ListKind::Set)),
        _ => None,
    };
    (c, smp)
}

fn merge_map(
    mut original: Map<String, Value>,
    mut patch: Map<String, Value>,
    ty: Ty<'static>,
) -> SmpResult<Map<String, Value>> {
    if let Some(directive) = patch.get(DIRECTIVE) {
        return match directive.as_str() {
            Some("replace") => {
                patch.remove(DIRECTIVE);
                Ok(clean_map(patch))
            }
            Some("delete") => Ok(Map::new()),
            _ => Err(bad_patch_type(directive, &patch)),
        };
    }
    apply_retain_keys(&mut original, &mut patch)?;
    merge_set_element_order(&mut original, &mut patch, &ty)?;

    for (key, patch_value) in patch {
        let (key, is_delete_list) = if key.starts_with(DELETE_PRIMITIVE) {
            match key.split_once('/') {
                Some((DELETE_PRIMITIVE, rest)) => (rest.to_string(), true),
                _ => return Err(SmpError::BadRequest(BAD_PRIMITIVE_LIST)),
            }
        } else {
            (key, false)
        };
        if patch_value.is_null() {
            original.remove(&key);
            continue;
        }
        let Some(current) = original.remove(&key) else {
            if !is_delete_list {
                original.insert(key, clean(patch_value));
            }
            continue;
        };
        let (child_ty, strategy) = child(&ty, &key);
        let merged = match (current, patch_value) {
            (Value::Object(o), Value::Object(p)) => Value::Object(merge_map(o, p, child_ty)?),
            (Value::Array(o), Value::Array(p)) => match strategy {
                Some(strategy) => Value::Array(merge_slice(
                    o,
                    p,
                    child_ty.item(),
                    strategy,
                    is_delete_list,
                )?),
                None => clean(Value::Array(p)),
            },
            (_, p) => clean(p),
        };
        original.insert(key, merged);
    }
    Ok(original)
}

fn apply_retain_keys(
    original: &mut Map<String, Value>,
    patch: &mut Map<String, Value>,
) -> SmpResult<()> {
    let Some(retain) = patch.remove(RETAIN_KEYS) else {
        return Ok(());
    };
    let Value::Array(list) = retain else {
        return Err(SmpError::BadRequest(BAD_RETAIN_KEYS));
    };
    let keep: HashSet<&str> = list.iter().filter_map(Value::as_str).collect();
    for (k, v) in patch.iter() {
        if v.is_null() || k.starts_with(DELETE_PRIMITIVE) || k.starts_with(SET_ORDER) {
            continue;
        }
        if !keep.contains(k.as_str()) {
            return Err(SmpError::BadRequest(BAD_RETAIN_KEYS));
        }
    }
    original.retain(|k, _| keep.contains(k.as_str()));
    Ok(())
}

fn element_kind(lists: &[&[Value]]) -> SmpResult<Option<bool>> {
    let mut kind: Option<&'static str> = None;
    for v in lists.iter().flat_map(|l| l.iter()) {
        let t = go_type(v);
        match kind {
            None => {
                if v.is_array() {
                    return Err(SmpError::Unprocessable(NO_LIST_OF_LISTS));
                }
                kind = Some(t);
            }
            Some(k) if k != t => {
                let all: Vec<Value> = lists.iter().map(|l| Value::Array(l.to_vec())).collect();
                return Err(SmpError::Other(format!(
                    "list element types are not identical: {}",
                    go_v(&Value::Array(all))
                )));
            }
            Some(_) => {}
        }
    }
    Ok(kind.map(|k| k == "map[string]interface {}"))
}

fn merge_slice(
    original: Vec<Value>,
    patch: Vec<Value>,
    item_ty: Ty<'static>,
    strategy: SmpList,
    is_delete_list: bool,
) -> SmpResult<Vec<Value>> {
    if original.is_empty() && patch.is_empty() {
        return Ok(original);
    }
    let is_map = element_kind(&[&original, &patch])?.unwrap_or(false);
    if !is_map {
        if is_delete_list {
            let remove: HashSet<String> = patch.iter().map(Value::to_string).collect();
            return Ok(original
                .into_iter()
                .filter(|v| !remove.contains(&v.to_string()))
                .collect());
        }
        let mut seen = HashSet::new();
        let merged: Vec<Value> = original
            .iter()
            .chain(patch.iter())
            .filter(|v| seen.insert(v.to_string()))
            .cloned()
            .collect();
        let (in_patch, server_only) = partition(merged, &patch, None)?;
        return normalize_order(in_patch, server_only, &patch, &original, None);
    }
    let SmpList::MergeByKey(key) = strategy else {
        return Err(SmpError::Other(
            "cannot merge lists without merge key for type map".to_string(),
        ));
    };
    let (rest, plain) = merge_special_elements(original.clone(), patch, key)?;
    let merged = match plain {
        Some(plain) => {
            merge_plain_elements(rest, plain.clone(), key, item_ty).map(|m| (m, plain))?
        }
        None => {
            // `$patch: replace` in the list: the non-directive items are the whole list.
            let plain = rest.clone();
            (rest, plain)
        }
    };
    let (merged, patch_items) = merged;
    let (in_patch, server_only) = partition(merged, &patch_items, Some(key))?;
    normalize_order(in_patch, server_only, &patch_items, &original, Some(key))
}

/// Handles `$patch` items; `None` as the second value means the list is replaced.
fn merge_special_elements(
    mut original: Vec<Value>,
    patch: Vec<Value>,
    key: &str,
) -> SmpResult<(Vec<Value>, Option<Vec<Value>>)> {
    let mut plain = Vec::new();
    let mut replace = false;
    for v in patch {
        let Value::Object(item) = &v else {
            return Err(bad_arg_type("map[string]interface {}", &v));
        };
        let Some(directive) = item.get(DIRECTIVE) else {
            plain.push(v);
            continue;
        };
        match directive.as_str() {
            Some("delete") => {
                let target = item.get(key).ok_or_else(|| no_merge_key(item, key))?;
                for o in &original {
                    if !o.is_object() {
                        return Err(SmpError::Other("value for key 0 is not a map.".to_string()));
                    }
                }
                original.retain(|o| o.get(key) != Some(target));
            }
            Some("replace") => replace = true,
            Some("merge") => {
                return Err(SmpError::Other(
                    "merging lists cannot yet be specified in the patch".to_string(),
                ));
            }
            _ => return Err(bad_patch_type(directive, item)),
        }
    }
    if replace {
        return Ok((plain.into_iter().map(clean).collect(), None));
    }
    Ok((original, Some(plain)))
}

fn merge_plain_elements(
    mut original: Vec<Value>,
    patch: Vec<Value>,
    key: &str,
    item_ty: Ty<'static>,
) -> SmpResult<Vec<Value>> {
    let mut index: HashMap<String, usize> = HashMap::with_capacity(original.len());
    for (i, o) in original.iter().enumerate() {
        let Value::Object(m) = o else {
            return Err(SmpError::Other(format!("value for key {i} is not a map.")));
        };
        if let Some(k) = m.get(key) {
            index.entry(k.to_string()).or_insert(i);
        }
    }
    for v in patch {
        let Value::Object(item) = v else {
            return Err(bad_arg_type("map[string]interface {}", &v));
        };
        let id = item
            .get(key)
            .ok_or_else(|| no_merge_key(&item, key))?
            .to_string();
        match index.get(&id) {
            Some(&i) => {
                let current = match std::mem::take(&mut original[i]) {
                    Value::Object(m) => m,
                    _ => Map::new(),
                };
                original[i] = Value::Object(merge_map(current, item, item_ty)?);
            }
            None => {
                index.insert(id, original.len());
                original.push(clean(Value::Object(item)));
            }
        }
    }
    Ok(original)
}

/// A patch value that lands where the original had nothing: nulls are dropped and directives
/// resolved, as decoding into the typed object does on the server.
fn clean(value: Value) -> Value {
    match value {
        Value::Object(m) => {
            if m.get(DIRECTIVE).and_then(Value::as_str) == Some("delete") {
                return Value::Object(Map::new());
            }
            Value::Object(clean_map(m))
        }
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .filter(|v| v.get(DIRECTIVE).and_then(Value::as_str) != Some("delete"))
                .map(clean)
                .collect(),
        ),
        other => other,
    }
}

fn clean_map(m: Map<String, Value>) -> Map<String, Value> {
    m.into_iter()
        .filter(|(k, v)| !v.is_null() && !k.starts_with('$'))
        .map(|(k, v)| (k, clean(v)))
        .collect()
}

#[path = "strategic_order.rs"]
mod order;

#[cfg(test)]
#[path = "strategic_tests.rs"]
mod tests;
