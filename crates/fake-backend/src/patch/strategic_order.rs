//! `$setElementOrder` for strategic merge patch (`strategicpatch/patch.go`): validating the
//! order list against the patch, and ordering a merged list as the patch asks, with the items
//! the patch does not name kept where they were.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::*;

pub(super) fn merge_set_element_order(
    original: &mut Map<String, Value>,
    patch: &mut Map<String, Value>,
    ty: &Ty<'static>,
) -> SmpResult<()> {
    let order_keys: Vec<String> = patch
        .keys()
        .filter(|k| k.starts_with(SET_ORDER))
        .cloned()
        .collect();
    for order_key in order_keys {
        let Some(order) = patch.remove(&order_key) else {
            continue;
        };
        let Value::Array(order) = order else {
            return Err(bad_arg_type("[]interface {}", &order));
        };
        let key = match order_key.split_once('/') {
            Some((SET_ORDER, rest)) => rest.to_string(),
            _ => return Err(SmpError::BadRequest(BAD_SET_ORDER)),
        };
        let original_list = match original.get(&key) {
            Some(Value::Array(l)) => Some(l.clone()),
            Some(other) => return Err(bad_arg_type("[]interface {}", other)),
            None => None,
        };
        let patch_list = match patch.get(&key) {
            Some(Value::Array(l)) => Some(l.clone()),
            Some(other) => return Err(bad_arg_type("[]interface {}", other)),
            None => None,
        };
        let (child_ty, strategy) = child(ty, &key);
        let merge_key = match strategy {
            Some(SmpList::MergeByKey(k)) => Some(k),
            _ => None,
        };
        if let Some(p) = &patch_list {
            validate_set_order(p, &order, merge_key)?;
        }
        let merged = match (&original_list, patch_list) {
            (Some(o), None) => o.clone(),
            (None, Some(p)) => p,
            (Some(o), Some(p)) => match strategy {
                Some(strategy) => merge_slice(o.clone(), p, child_ty.item(), strategy, false)?,
                None => p,
            },
            (None, None) => continue,
        };
        let (in_patch, server_only) = partition(merged, &order, merge_key)?;
        let original_list = original_list.unwrap_or_default();
        let both = normalize_order(in_patch, server_only, &order, &original_list, merge_key)?;
        original.insert(key.clone(), Value::Array(both));
        patch.remove(&key);
    }
    Ok(())
}

fn validate_set_order(patch: &[Value], order: &[Value], merge_key: Option<&str>) -> SmpResult<()> {
    if order.is_empty() || patch.is_empty() {
        return Ok(());
    }
    let non_delete: Vec<&Value> = match merge_key {
        Some(_) => {
            let mut kept = Vec::new();
            for v in patch {
                let Value::Object(m) = v else {
                    return Err(bad_arg_type("map[string]interface {}", v));
                };
                if m.get(DIRECTIVE).and_then(Value::as_str) != Some("delete") {
                    kept.push(v);
                }
            }
            kept
        }
        None => patch.iter().collect(),
    };
    let (mut pi, mut oi) = (0, 0);
    while pi < non_delete.len() && oi < order.len() {
        if let Value::Object(m) = non_delete[pi]
            && m.contains_key(DIRECTIVE)
        {
            pi += 1;
            continue;
        }
        if merge_key_equal(non_delete[pi], &order[oi], merge_key)? {
            pi += 1;
        }
        oi += 1;
    }
    if pi < non_delete.len() && oi >= order.len() {
        return Err(SmpError::Other(format!(
            "The order in patch list:\n{}\n doesn't match {SET_ORDER} list:\n{}\n",
            go_v(&Value::Array(patch.to_vec())),
            go_v(&Value::Array(order.to_vec()))
        )));
    }
    Ok(())
}

fn merge_key_equal(left: &Value, right: &Value, merge_key: Option<&str>) -> SmpResult<bool> {
    let Some(key) = merge_key else {
        return Ok(left == right);
    };
    let (Value::Object(l), Value::Object(r)) = (left, right) else {
        let bad = if left.is_object() { right } else { left };
        return Err(bad_arg_type("map[string]interface {}", bad));
    };
    let lv = l.get(key).ok_or_else(|| no_merge_key(l, key))?;
    let rv = r.get(key).ok_or_else(|| no_merge_key(r, key))?;
    Ok(lv == rv)
}

/// The identity of a list item: its merge key's value, or the item itself for scalars.
fn identity(item: &Value, merge_key: Option<&str>) -> Option<String> {
    match merge_key {
        Some(k) => item.get(k).map(Value::to_string),
        None => Some(item.to_string()),
    }
}

fn index_of(list: &[Value], merge_key: Option<&str>) -> HashMap<String, usize> {
    let mut index = HashMap::with_capacity(list.len());
    for (i, v) in list.iter().enumerate() {
        if let Some(id) = identity(v, merge_key) {
            index.entry(id).or_insert(i);
        }
    }
    index
}

pub(super) fn partition(
    merged: Vec<Value>,
    by: &[Value],
    merge_key: Option<&str>,
) -> SmpResult<(Vec<Value>, Vec<Value>)> {
    let present = index_of(by, merge_key);
    let (mut inside, mut outside) = (Vec::new(), Vec::new());
    for v in merged {
        if let Some(key) = merge_key {
            match &v {
                Value::Object(m) if !m.contains_key(key) => return Err(no_merge_key(m, key)),
                Value::Object(_) => {}
                other => return Err(bad_arg_type("map[string]interface {}", other)),
            }
        }
        let found = identity(&v, merge_key).is_some_and(|id| present.contains_key(&id));
        if found {
            inside.push(v);
        } else {
            outside.push(v);
        }
    }
    Ok((inside, outside))
}

pub(super) fn normalize_order(
    patch: Vec<Value>,
    server_only: Vec<Value>,
    patch_order: &[Value],
    server_order: &[Value],
    merge_key: Option<&str>,
) -> SmpResult<Vec<Value>> {
    let patch = sort_by_order(patch, patch_order, merge_key)?;
    let server_only = sort_by_order(server_only, server_order, merge_key)?;
    let server_index = index_of(server_order, merge_key);
    let pos = |v: &Value| identity(v, merge_key).and_then(|id| server_index.get(&id).copied());
    let mut out = Vec::with_capacity(patch.len() + server_only.len());
    let mut left = server_only.into_iter().peekable();
    let mut right = patch.into_iter().peekable();
    loop {
        let take_left = match (left.peek(), right.peek()) {
            (None, None) => break,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(l), Some(r)) => matches!((pos(l), pos(r)), (Some(li), Some(ri)) if li < ri),
        };
        let next = if take_left { left.next() } else { right.next() };
        out.extend(next);
    }
    Ok(out)
}

fn sort_by_order(
    items: Vec<Value>,
    order: &[Value],
    merge_key: Option<&str>,
) -> SmpResult<Vec<Value>> {
    let (mut keep, mut deleted) = (Vec::new(), Vec::new());
    if let Some(key) = merge_key {
        for v in order.iter().chain(items.iter()) {
            match v {
                Value::Object(m) if !m.contains_key(key) => return Err(no_merge_key(m, key)),
                Value::Object(_) => {}
                other => return Err(bad_arg_type("map[string]interface {}", other)),
            }
        }
        for v in items {
            if v.get(DIRECTIVE).and_then(Value::as_str) == Some("delete") {
                deleted.push(v);
            } else {
                keep.push(v);
            }
        }
    } else {
        keep = items;
    }
    let index = index_of(order, merge_key);
    keep.sort_by_key(|v| {
        identity(v, merge_key)
            .and_then(|id| index.get(&id).copied())
            .unwrap_or(usize::MAX)
    });
    keep.extend(deleted);
    Ok(keep)
}
