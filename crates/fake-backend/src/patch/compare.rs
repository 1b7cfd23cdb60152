//! What a write changed (kubernetes-sigs/structured-merge-diff `typed/compare.go`): the fields
//! the new version adds or modifies, and the fields it removes. managedFields tracking gives
//! the first to the writer and takes both from every other manager (`merge/update.go`).

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::fieldset::{FieldSet, Path, PathElement};
use super::managed::{SERVER_SET_METADATA, SERVER_SET_ROOT};
use super::typed::list_elements;
use super::typeinfo::{ListKind, Ty};
use crate::store::JsonRead;

/// The result of comparing two versions of an object (`typed.Comparison`).
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Comparison {
    /// `Modified ∪ Added`: the fields whose value the new version sets or changes.
    pub(crate) changed: FieldSet,
    /// `Removed`: every path of the old version the new one lacks, maps and list items
    /// included (`Compare` records a removed map's own path as well as its leaves), except
    /// server-set metadata, which no manager owns.
    pub(crate) removed: FieldSet,
}

/// The fields whose value `new` adds or changes relative to `old` (`Compare`'s
/// `Modified ∪ Added`). Never fails: malformed lists are compared as atomic.
///
/// `empty` is the kind's empty object (`managed::empty_object`), for built-in kinds: the
/// server compares Go structs, whose unstructured form always has the empty object's fields,
/// so a field the empty object has counts, on either side, as present with its empty value
/// where the object lacks it (and a created object, `old` `None`, is compared with `empty`).
pub(crate) fn changed(
    old: Option<&Value>,
    new: &Value,
    ty: Ty<'_>,
    empty: Option<&Value>,
) -> FieldSet {
    let mut out = Walk::new(false);
    out.changed(old, new, ty, &mut Vec::new(), empty);
    out.changed
}

/// Compares `old` and `new` (`TypedValue.Compare`), the removed fields included; `empty` as
/// for [`changed`].
pub(crate) fn compare(
    old: Option<&Value>,
    new: &Value,
    ty: Ty<'_>,
    empty: Option<&Value>,
) -> Comparison {
    let mut out = Walk::new(true);
    out.changed(old, new, ty, &mut Vec::new(), empty);
    out.finish()
}

/// [`compare`] from an old version read in place (a stored encoding): only the parts that
/// differ are decoded.
pub(crate) fn compare_from<'a>(
    old: impl JsonRead<'a>,
    new: &Value,
    ty: Ty<'_>,
    empty: Option<&Value>,
) -> Comparison {
    let mut out = Walk::new(true);
    out.changed_from(old, new, ty, &mut Vec::new(), empty);
    out.finish()
}

/// Whether the member `key` of the map at `parent` is server-set metadata that no manager
/// owns (stripmeta.go), so its removal is not recorded (and an old `managedFields` list absent
/// from an update's body is not decoded to say so). `metadata` itself is not: its members are
/// owned.
fn never_owned(parent: &[PathElement], key: &[u8]) -> bool {
    let listed: &[&str] = match parent {
        [] => &SERVER_SET_ROOT,
        [PathElement::Field(top)] if top == "metadata" => &SERVER_SET_METADATA,
        _ => return false,
    };
    listed.iter().any(|f| f.as_bytes() == key)
}

/// The sets a comparison fills; `removed` only when the caller wants it.
struct Walk {
    changed: FieldSet,
    removed: Option<FieldSet>,
}

impl Walk {
    fn new(with_removed: bool) -> Walk {
        Walk {
            changed: FieldSet::new(),
            removed: with_removed.then(FieldSet::new),
        }
    }

    fn finish(self) -> Comparison {
        Comparison {
            changed: self.changed,
            removed: self.removed.unwrap_or_default(),
        }
    }

    fn changed_from<'a>(
        &mut self,
        old: impl JsonRead<'a>,
        new: &Value,
        ty: Ty<'_>,
        path: &mut Path,
        empty: Option<&Value>,
    ) {
        match (old.byte_members(), new) {
            (Some(olds), Value::Object(n)) if !ty.is_atomic() || path.is_empty() => {
                self.members(olds, n, ty, path, empty.and_then(Value::as_object));
            }
            _ => self.changed(Some(&old.to_value()), new, ty, path, empty),
        }
    }

    /// The map case of [`changed`](Self::changed): the members of the new map against the
    /// old map's (a member only one side has, against the empty object's, if it has one).
    fn members<'a, J: JsonRead<'a>>(
        &mut self,
        olds: impl Iterator<Item = (&'a [u8], J)>,
        n: &Map<String, Value>,
        ty: Ty<'_>,
        path: &mut Path,
        empty: Option<&Map<String, Value>>,
    ) {
        let mut olds = olds.peekable();
        for (k, child) in n {
            // The old member `k`: both maps are in key order, so one pass pairs them.
            let mut prev = None;
            while let Some(&(old_key, old_value)) = olds.peek() {
                match old_key.cmp(k.as_bytes()) {
                    std::cmp::Ordering::Less => {
                        self.removed_member(old_key, old_value, ty, path, empty);
                        olds.next();
                    }
                    std::cmp::Ordering::Equal => {
                        prev = Some(old_value);
                        olds.next();
                        break;
                    }
                    std::cmp::Ordering::Greater => break,
                }
            }
            // An equal subtree changes nothing: compared without building its paths
            // (most of an update's object, e.g. managedFields, is unchanged).
            if prev.is_some_and(|p| p.eq_value(child)) {
                continue;
            }
            let (child_ty, _) = ty.field(k);
            let empty_child = empty.and_then(|e| e.get(k));
            path.push(PathElement::Field(k.clone()));
            match (prev, empty_child) {
                (None, None) => added(child, child_ty, path, &mut self.changed),
                (None, Some(e)) => self.changed(Some(e), child, child_ty, path, Some(e)),
                (Some(prev), _) => self.changed_from(prev, child, child_ty, path, empty_child),
            }
            path.pop();
        }
        for (old_key, old_value) in olds {
            self.removed_member(old_key, old_value, ty, path, empty);
        }
    }

    /// Records that the old member `key` (of the map at `path`) is gone: removed, or back to
    /// the empty object's value if it has one.
    fn removed_member<'a>(
        &mut self,
        key: &[u8],
        old: impl JsonRead<'a>,
        ty: Ty<'_>,
        path: &mut Path,
        empty: Option<&Map<String, Value>>,
    ) {
        // Decided before the key is read as text or the path built: most removals an update
        // makes are of server-set metadata (the body's `resourceVersion`, a `managedFields`
        // left out), where the empty object has nothing.
        let empty = empty.filter(|e| !e.is_empty());
        if empty.is_none() && (self.removed.is_none() || never_owned(path, key)) {
            return;
        }
        // Keys come from `String`s (a tree's, or an encoding written from one).
        let Ok(key) = std::str::from_utf8(key) else {
            return;
        };
        let empty_child = empty.and_then(|e| e.get(key));
        if empty_child.is_none() && (self.removed.is_none() || never_owned(path, key.as_bytes())) {
            return;
        }
        let (child_ty, _) = ty.field(key);
        path.push(PathElement::Field(key.to_string()));
        match (empty_child, self.removed.as_mut()) {
            (Some(e), _) => {
                if !old.eq_value(e) {
                    self.changed_from(old, e, child_ty, path, Some(e));
                }
            }
            (None, Some(removed)) => {
                removed_subtree(&old.to_value(), child_ty, path, removed, true);
            }
            (None, None) => {}
        }
        path.pop();
    }

    fn changed(
        &mut self,
        old: Option<&Value>,
        new: &Value,
        ty: Ty<'_>,
        path: &mut Path,
        empty: Option<&Value>,
    ) {
        let Some(old) = old.or(empty) else {
            added(new, ty, path, &mut self.changed);
            return;
        };
        match (old, new) {
            (Value::Object(o), Value::Object(n)) if !ty.is_atomic() || path.is_empty() => {
                let olds = o.iter().map(|(k, v)| (k.as_bytes(), v));
                self.members(olds, n, ty, path, empty.and_then(Value::as_object));
            }
            (Value::Array(o), Value::Array(n)) => self.lists(o, n, ty, path),
            _ if old == new => {}
            // The root became something else (never stored: objects are maps).
            _ if path.is_empty() => added(new, ty, path, &mut self.changed),
            // `null` is `Compare`'s wildcard: it takes the other side's kind, so a map or
            // list replacing it is walked against nothing (its fields are added, the map
            // itself is not, unless it is empty), and one replaced by it loses its fields.
            (Value::Null, _) if is_container(new, ty) => {
                if is_empty_container(new) {
                    self.changed.insert(path);
                } else {
                    added_below(new, ty, path, &mut self.changed);
                }
            }
            (_, Value::Null) if is_container(old, ty) => {
                if is_empty_container(old) {
                    self.changed.insert(path);
                } else if let Some(removed) = self.removed.as_mut() {
                    removed_subtree(old, ty, path, removed, false);
                }
            }
            // A leaf changed, or a value became another kind of value: `Compare` walks both
            // sides then, so a map or list on either side adds or loses its fields too.
            _ => {
                self.changed.insert(path);
                if is_container(new, ty) {
                    added_below(new, ty, path, &mut self.changed);
                }
                if is_container(old, ty)
                    && let Some(removed) = self.removed.as_mut()
                {
                    removed_subtree(old, ty, path, removed, false);
                }
            }
        }
    }

    fn lists(&mut self, o: &[Value], n: &[Value], ty: Ty<'_>, path: &mut Path) {
        let kind = ty.list_kind();
        let elements = (kind != ListKind::Atomic)
            .then(|| {
                let a = list_elements(o, &kind, path, true).ok()?;
                let b = list_elements(n, &kind, path, true).ok()?;
                Some((a, b))
            })
            .flatten();
        let Some((old_pes, new_pes)) = elements else {
            if o != n {
                self.changed.insert(path);
            }
            return;
        };
        let item_ty = ty.item();
        if let Some(removed) = self.removed.as_mut() {
            let kept: HashSet<&PathElement> = new_pes.iter().collect();
            for (pe, item) in old_pes.iter().zip(o) {
                if !kept.contains(pe) {
                    path.push(pe.clone());
                    match kind {
                        ListKind::Set => removed.insert(path),
                        _ => removed_subtree(item, item_ty, path, removed, true),
                    }
                    path.pop();
                }
            }
        }
        let mut old_items: HashMap<&PathElement, &Value> = HashMap::with_capacity(o.len());
        for (pe, item) in old_pes.iter().zip(o) {
            old_items.entry(pe).or_insert(item);
        }
        for (pe, item) in new_pes.into_iter().zip(n) {
            let prev = old_items.get(&pe).copied();
            path.push(pe);
            match (prev, &kind) {
                (None, ListKind::Set) => self.changed.insert(path),
                (None, _) => added(item, item_ty, path, &mut self.changed),
                (Some(_), ListKind::Set) => {}
                (Some(p), _) if p == item => {}
                (Some(p), _) => self.changed(Some(p), item, item_ty, path, None),
            }
            path.pop();
        }
    }
}

/// Whether `value` is a map or list that `ty` walks into (not an atomic one).
fn is_container(value: &Value, ty: Ty<'_>) -> bool {
    match value {
        Value::Object(_) => !ty.is_atomic(),
        Value::Array(_) => ty.list_kind() != ListKind::Atomic,
        _ => false,
    }
}

fn is_empty_container(value: &Value) -> bool {
    match value {
        Value::Object(m) => m.is_empty(),
        Value::Array(l) => l.is_empty(),
        _ => false,
    }
}

/// Adds `value`, new at `path`, to `set`: `Compare` records every path of an added subtree,
/// maps, list items and empty values as well as leaves (its postItemHook), so each node is a
/// member (`.` in `fieldsV1`) — unlike `ToFieldSet`, which records leaves and items only.
fn added(value: &Value, ty: Ty<'_>, path: &mut Path, set: &mut FieldSet) {
    every_path(value, ty, path, set, true);
}

/// The fields below `path` of a map or list whose own path is not added (it replaces a
/// `null`, or a value of another kind): every path below it, each a member.
fn added_below(value: &Value, ty: Ty<'_>, path: &mut Path, set: &mut FieldSet) {
    every_path(value, ty, path, set, false);
}

/// Adds every path of the old `value` at `path` to `removed`, maps and list items as well
/// as leaves, as `Compare` records a removed subtree; `path` itself too when `with_root`.
fn removed_subtree(
    value: &Value,
    ty: Ty<'_>,
    path: &mut Path,
    removed: &mut FieldSet,
    with_root: bool,
) {
    every_path(value, ty, path, removed, with_root);
}

/// Adds every path of `value` (at `path`) to `set` as a member: `path` itself when
/// `with_root` (the root of an object is not a path), each map member, each list item of a
/// list that is not atomic. An atomic value, and a list whose items have no keys (a malformed
/// list, compared as atomic), is one leaf.
fn every_path(value: &Value, ty: Ty<'_>, path: &mut Path, set: &mut FieldSet, with_root: bool) {
    if with_root && !path.is_empty() {
        set.insert(path);
    }
    match value {
        Value::Object(map) if !ty.is_atomic() || path.is_empty() => {
            for (k, child) in map {
                let (child_ty, _) = ty.field(k);
                path.push(PathElement::Field(k.clone()));
                every_path(child, child_ty, path, set, true);
                path.pop();
            }
        }
        Value::Array(items) => {
            let kind = ty.list_kind();
            if kind == ListKind::Atomic {
                return;
            }
            let Ok(elements) = list_elements(items, &kind, path, true) else {
                if !with_root && !path.is_empty() {
                    set.insert(path);
                }
                return;
            };
            let item_ty = ty.item();
            let is_set = matches!(kind, ListKind::Set);
            for (item, pe) in items.iter().zip(elements) {
                path.push(pe);
                if is_set {
                    set.insert(path);
                } else {
                    every_path(item, item_ty, path, set, true);
                }
                path.pop();
            }
        }
        _ => {}
    }
}

#[cfg(test)]
#[path = "compare_tests.rs"]
mod tests;
