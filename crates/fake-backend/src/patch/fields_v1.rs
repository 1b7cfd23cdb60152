//! The `FieldsV1` of a new object, written straight from the object in one walk.
//!
//! A create (with no managedFields in the request) has one manager owning every field the
//! object adds to its kind's empty object (`Compare` of the empty object and the new one, see
//! `patch::compare`), minus server-set metadata. Building that `fieldsV1` directly gives the
//! same JSON as building a [`FieldSet`](super::fieldset::FieldSet), stripping metadata and
//! encoding it, without the tree of owned path elements in between.

use serde_json::{Map, Value};

use super::managed::{SERVER_SET_METADATA, SERVER_SET_ROOT};
use super::typed::item_element;
use super::typeinfo::{ListKind, Ty};

/// The `fieldsV1` object of `value` (an object's root) compared with `empty`, the kind's empty
/// object (`None` for a kind whose empty object has no fields, as a custom resource's), with
/// server-set metadata stripped; or `None` when the walk cannot decide alone (a list with
/// duplicate items, whose field-set nodes merge, or a non-empty list in `empty`): the caller
/// then takes the general path.
pub(crate) fn of_new_object(
    value: &Value,
    ty: Ty<'_>,
    empty: Option<&Value>,
) -> Option<Map<String, Value>> {
    let mut root = Map::new();
    walk(value, ty, Level::Root, empty, &mut root).ok()?;
    strip_meta(&mut root);
    Some(root)
}
/// Where a map is in the object, for the fields `strip_meta` would take out again.
#[derive(Clone, Copy, PartialEq)]
enum Level {
    /// The object's root: `apiVersion` and `kind` are stripped.
    Root,
    /// The root's `metadata`: the server-set fields are stripped.
    Metadata,
    /// Anywhere else.
    Inner,
}

impl Level {
    /// Whether a field of this map with a scalar value is left out of the walk: stripping
    /// removes such a field's node whole (it has no children), so not building it gives the
    /// same result without the allocations. A map or list value is walked as any other, and
    /// `strip_meta` removes only its member mark.
    fn skips(self, key: &str) -> bool {
        match self {
            Level::Root => SERVER_SET_ROOT.contains(&key),
            Level::Metadata => SERVER_SET_METADATA.contains(&key),
            Level::Inner => false,
        }
    }

    /// The level of the map under `key`.
    fn below(self, key: &str) -> Level {
        if self == Level::Root && key == "metadata" {
            Level::Metadata
        } else {
            Level::Inner
        }
    }
}

/// The walk cannot write the result alone: a list had two items with the same path element,
/// or the empty object has a non-empty list.
struct Fallback;

/// Adds the fields `value` sets to `out` (the encoded children of its node), compared with
/// `base`, the empty object's value at the same place (`None` where it has none); returns
/// whether the node itself is a member. This is `Compare` (see `patch::compare`) against an
/// old version that is mostly absent: every node of a subtree the empty object lacks is a
/// member; where it has a value, a leaf is a member if it differs, a map or list only if it
/// replaces an absent value, a `null` (when empty) or a value of another kind.
fn walk(
    value: &Value,
    ty: Ty<'_>,
    level: Level,
    base: Option<&Value>,
    out: &mut Map<String, Value>,
) -> Result<bool, Fallback> {
    // Compared only for a leaf: a map's or list's members are compared one by one.
    let differs = || base != Some(value);
    match value {
        Value::Object(map) => {
            if ty.is_atomic() && level != Level::Root {
                return Ok(differs());
            }
            let (bases, member) = match base {
                None => (None, true),
                // Both maps: walked member by member; the map itself is never added.
                Some(Value::Object(b)) => (Some(b), false),
                Some(Value::Null) => (None, map.is_empty()),
                Some(_) => (None, true),
            };
            for (k, child) in map {
                if level.skips(k) && !matches!(child, Value::Object(_) | Value::Array(_)) {
                    continue;
                }
                let (child_ty, _) = ty.field(k);
                let child_base = bases.and_then(|b| b.get(k));
                let mut inner = Map::new();
                let member = walk(child, child_ty, level.below(k), child_base, &mut inner)?;
                let mut key = String::with_capacity(2 + k.len());
                key.push_str("f:");
                key.push_str(k);
                push_node(out, key, member, inner)?;
            }
            Ok(member)
        }
        Value::Array(items) => {
            let kind = ty.list_kind();
            if kind == ListKind::Atomic {
                return Ok(differs());
            }
            let member = match base {
                None => true,
                Some(Value::Array(b)) if !b.is_empty() => return Err(Fallback),
                Some(Value::Array(_)) => false,
                Some(Value::Null) => items.is_empty(),
                Some(_) => true,
            };
            let is_set = matches!(kind, ListKind::Set);
            let item_ty = ty.item();
            // Elements first: a malformed item makes the whole list one leaf (lenient walk).
            let mut elements = Vec::with_capacity(items.len());
            for item in items {
                match item_element(item, &kind) {
                    Ok(Some(pe)) => elements.push(pe.encode()),
                    _ => return Ok(differs()),
                }
            }
            for (item, key) in items.iter().zip(elements) {
                let mut inner = Map::new();
                if !is_set {
                    walk(item, item_ty, Level::Inner, None, &mut inner)?;
                }
                push_node(out, key, true, inner)?;
            }
            Ok(member)
        }
        // A `null` replacing a map or list with fields is `Compare`'s wildcard: the fields go,
        // the node itself does not change.
        Value::Null if base.is_some_and(|b| is_walked_container(b, ty)) => Ok(false),
        _ => Ok(differs()),
    }
}

/// Whether `value` is a non-empty map or list that `ty` walks into (not atomic).
fn is_walked_container(value: &Value, ty: Ty<'_>) -> bool {
    match value {
        Value::Object(m) => !m.is_empty() && !ty.is_atomic(),
        Value::Array(l) => !l.is_empty() && ty.list_kind() != ListKind::Atomic,
        _ => false,
    }
}

/// Adds one encoded node: dropped when it is neither a member nor has children; `.` marks a
/// member with children.
fn push_node(
    out: &mut Map<String, Value>,
    key: String,
    member: bool,
    mut inner: Map<String, Value>,
) -> Result<(), Fallback> {
    if !member && inner.is_empty() {
        return Ok(());
    }
    if member && !inner.is_empty() {
        inner.insert(".".to_string(), Value::Object(Map::new()));
    }
    match out.insert(key, Value::Object(inner)) {
        Some(_) => Err(Fallback),
        None => Ok(()),
    }
}

/// Makes `key` of `level` not a member: its `.` marker goes, and the node goes when nothing
/// is left below it.
fn unset_member(level: &mut Map<String, Value>, key: &str) {
    let Some(Value::Object(inner)) = level.get_mut(key) else {
        return;
    };
    inner.remove(".");
    if inner.is_empty() {
        level.remove(key);
    }
}

/// stripmeta.go: server-set metadata is never owned (as `managed::strip_meta`).
fn strip_meta(root: &mut Map<String, Value>) {
    strip_listed(root, &SERVER_SET_ROOT);
    if let Some(Value::Object(meta)) = root.get_mut("f:metadata") {
        strip_listed(meta, &SERVER_SET_METADATA);
    }
    unset_member(root, "f:metadata");
}

/// [`unset_member`] for the `fieldsV1` key (`f:<field>`) of each of `listed`. Usually none
/// of them is there (the walk builds no node for a scalar one), and reading the map's few
/// keys is cheaper than looking each listed key up.
fn strip_listed(map: &mut Map<String, Value>, listed: &[&str]) {
    let is_listed = |k: &String| k.strip_prefix("f:").is_some_and(|f| listed.contains(&f));
    if map.keys().any(is_listed) {
        for field in listed {
            unset_member(map, &format!("f:{field}"));
        }
    }
}
