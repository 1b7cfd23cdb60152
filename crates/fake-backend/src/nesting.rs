//! How deeply nested an object may be.
//!
//! The engine's rules (validation, defaulting, managedFields, patches, conversions, and
//! serde's own code under them) recurse over JSON, so an object nested thousands of levels
//! deep would overflow the stack and abort the process. A real API server decodes up to
//! 10,000 levels (Go's JSON decoder stops there with `exceeded max depth`; Go stacks grow).
//! The fake refuses anything deeper than [`MAX_NESTING_DEPTH`] levels where it enters, with
//! a 400, before any recursive step: a debug build on a 2 MiB thread stack read such an
//! object back (get, list, watch, patch, apply, dump) at 700 levels and overflowed at 850, so
//! the limit leaves the caller's own frames a wide margin. Objects that deep do not occur in
//! practice (and a kube-rs client cannot decode an answer nested more than 127 levels).

use json_patch::PatchOperation;
use kobj_core::{Error, PatchValue, Result};
use kube_core::DynamicObject;
use kube_core::params::Patch;
use serde_json::Value;

/// The deepest nesting of objects and arrays the fake accepts in an object or a patch (the
/// outermost object is level 1, as Go's JSON scanner counts); deeper input is refused with
/// 400 `BadRequest` wherever it enters, before any step that recurses.
///
/// ```
/// use kobj_fake::{FakeCluster, MAX_NESTING_DEPTH, WriteOptions};
/// use kobj_core::ResourceType;
/// use k8s_openapi::api::core::v1::ConfigMap;
/// use serde_json::{Value, json};
///
/// let cluster = FakeCluster::new();
/// let mut deep = json!("leaf");
/// for _ in 0..MAX_NESTING_DEPTH {
///     deep = Value::Array(vec![deep]);
/// }
/// let body = json!({"apiVersion": "v1", "kind": "ConfigMap",
///     "metadata": {"name": "c", "namespace": "default"}, "data": {"a": deep}});
/// let rt = ResourceType::of::<ConfigMap>();
/// let err = cluster
///     .create_value(&rt, Some("default"), body, &WriteOptions::default())
///     .unwrap_err();
/// assert_eq!(err.code(), Some(400));
/// assert!(err.to_string().contains("nested more than 256 levels deep"));
/// ```
pub const MAX_NESTING_DEPTH: usize = 256;

/// Whether `value`, itself at level `level` when it is an object or array, holds containers
/// deeper than [`MAX_NESTING_DEPTH`]. Recursive, but never more than the limit's depth.
fn too_deep(value: &Value, level: usize) -> bool {
    depth(value, level) > MAX_NESTING_DEPTH
}

/// The level of the deepest container in `value` (itself at `level`; `level - 1` for a
/// scalar), descending no further than one level past the limit. Scalars are skipped
/// without a call: this walks every write's object.
fn depth(value: &Value, level: usize) -> usize {
    let deeper = |c: &Value| match c {
        Value::Object(_) | Value::Array(_) => depth(c, level + 1),
        _ => level,
    };
    match value {
        Value::Object(m) if level <= MAX_NESTING_DEPTH => {
            m.values().map(deeper).fold(level, usize::max)
        }
        Value::Array(a) if level <= MAX_NESTING_DEPTH => {
            a.iter().map(deeper).fold(level, usize::max)
        }
        Value::Object(_) | Value::Array(_) => level,
        _ => level - 1,
    }
}

/// The 400 for something nested deeper than the limit.
fn refused(what: &str) -> Error {
    Error::bad_request(format!(
        "{what} is nested more than {MAX_NESTING_DEPTH} levels deep, which kobj-fake does not \
         accept (a real API server decodes up to 10000 levels)"
    ))
}

/// Refuses an object given as JSON whose nesting passes the limit, and takes a refused one
/// apart without recursing (the caller would drop it, recursing as deep as it goes). Its
/// managedFields' `fieldsV1` are judged on their own depth (see [`check_object`]).
///
/// # Errors
/// 400 `BadRequest`.
pub(crate) fn check_value(obj: &mut Value) -> Result<()> {
    if object_depth(obj) > MAX_NESTING_DEPTH {
        dismantle(std::mem::take(obj));
        return Err(refused("the object"));
    }
    Ok(())
}

/// The level of an object's deepest container, its managedFields' `fieldsV1` counted on
/// their own depth plus one (see [`check_object`]).
fn object_depth(obj: &Value) -> usize {
    let most =
        |children: &mut dyn Iterator<Item = usize>, level: usize| children.fold(level, usize::max);
    match obj {
        Value::Object(m) => most(
            &mut m.iter().map(|(k, v)| match (k.as_str(), v) {
                ("metadata", Value::Object(meta)) => most(
                    &mut meta.iter().map(|(k, v)| match (k.as_str(), v) {
                        ("managedFields", Value::Array(entries)) => most(
                            &mut entries.iter().map(|e| match e {
                                Value::Object(e) => most(
                                    &mut e.iter().map(|(k, v)| match k.as_str() {
                                        "fieldsV1" => depth(v, 0),
                                        _ => depth(v, 5),
                                    }),
                                    4,
                                ),
                                other => depth(other, 4),
                            }),
                            3,
                        ),
                        _ => depth(v, 3),
                    }),
                    2,
                ),
                _ => depth(v, 2),
            }),
            1,
        ),
        other => depth(other, 1),
    }
}

/// Refuses an object whose nesting passes the limit: its data (whose fields sit at level 2,
/// like the object's own) and its managedFields' `fieldsV1`. The sets mirror the object's
/// fields one level further down (`{"f:spec": {"f:a": {}}}`) and sit four levels deep in
/// it (`metadata`, `managedFields`, the entry), so they are judged on their own depth, with
/// one level to spare: an object at the limit, read back with its managedFields, may be
/// written again. The other metadata fields are strings and maps of strings.
///
/// # Errors
/// 400 `BadRequest`.
pub(crate) fn check_object(obj: &DynamicObject) -> Result<()> {
    if object_too_deep(obj) {
        return Err(refused("the object"));
    }
    Ok(())
}

fn object_too_deep(obj: &DynamicObject) -> bool {
    let mut fields = obj
        .metadata
        .managed_fields
        .iter()
        .flatten()
        .filter_map(|m| m.fields_v1.as_ref());
    too_deep(&obj.data, 1) || fields.any(|f| too_deep(&f.0, 0))
}

/// [`check_object`] for objects the fake was given to keep (fixtures): when one is refused,
/// the deep ones are taken apart without recursing, since dropping them would recurse.
///
/// # Errors
/// 400 `BadRequest`, naming the first refused object's place in the list.
pub(crate) fn check_objects(objects: &mut [DynamicObject]) -> Result<()> {
    let Some(first) = objects.iter().position(object_too_deep) else {
        return Ok(());
    };
    for obj in objects.iter_mut().filter(|o| object_too_deep(o)) {
        dismantle(std::mem::take(&mut obj.data));
        for entry in obj.metadata.managed_fields.iter_mut().flatten() {
            if let Some(f) = entry.fields_v1.take() {
                dismantle(f.0);
            }
        }
    }
    Err(refused(&format!("object {} of the fixtures", first + 1)))
}

/// Refuses a patch whose document (or, for a JSON Patch, an operation's value) passes the
/// limit.
///
/// # Errors
/// 400 `BadRequest`.
pub(crate) fn check_patch(patch: &PatchValue) -> Result<()> {
    let deep = match patch {
        Patch::Apply(v) | Patch::Merge(v) | Patch::Strategic(v) => too_deep(v, 1),
        // An operation's value sits at level 3: the array, the operation, its value.
        Patch::Json(p) => p.0.iter().any(|op| match op {
            PatchOperation::Add(o) => too_deep(&o.value, 3),
            PatchOperation::Replace(o) => too_deep(&o.value, 3),
            PatchOperation::Test(o) => too_deep(&o.value, 3),
            PatchOperation::Remove(_) | PatchOperation::Move(_) | PatchOperation::Copy(_) => false,
        }),
        _ => false,
    };
    if deep {
        return Err(refused("the patch"));
    }
    Ok(())
}

/// Keeps a JSON Patch's document within the limit while its operations apply, one at a
/// time: an `add` of a deep value at a deep path, or a `copy` of a subtree into itself, can
/// nest it deeper than either the document or the patch. It tracks an upper bound of the
/// document's depth from each operation's path and value, and measures the document only
/// when that bound passes the limit, so a long patch does not walk the document per
/// operation.
pub(crate) struct JsonPatchDepth(usize);

impl JsonPatchDepth {
    /// The bound for a document before the first operation.
    pub(crate) fn of(doc: &Value) -> Self {
        Self(object_depth(doc))
    }

    /// Takes the operation just applied into account.
    ///
    /// # Errors
    /// 400 `BadRequest` when the document is now deeper than the limit; the document is
    /// then taken apart without recursing, since dropping it would recurse as deep as it
    /// goes.
    pub(crate) fn after(&mut self, op: &PatchOperation, doc: &mut Value) -> Result<()> {
        let placed =
            |path: &json_patch::jsonptr::Pointer, value_depth: usize| path.count() + value_depth;
        let bound = match op {
            // The value's own depth counts it as level 1; at `path` it sits one level below
            // the path's last container.
            PatchOperation::Add(o) => placed(&o.path, depth(&o.value, 1)),
            PatchOperation::Replace(o) => placed(&o.path, depth(&o.value, 1)),
            // The subtree at `from` is at most as deep as the document below it.
            PatchOperation::Copy(o) => placed(&o.path, self.0.saturating_sub(o.from.count())),
            PatchOperation::Move(o) => placed(&o.path, self.0.saturating_sub(o.from.count())),
            PatchOperation::Remove(_) | PatchOperation::Test(_) => 0,
        };
        self.0 = self.0.max(bound);
        if self.0 > MAX_NESTING_DEPTH {
            self.0 = object_depth(doc);
            if self.0 > MAX_NESTING_DEPTH {
                dismantle(std::mem::take(doc));
                return Err(refused("the patched object"));
            }
        }
        Ok(())
    }
}

/// Drops a value of any depth with an explicit stack (serde_json's `Drop` recurses).
fn dismantle(value: Value) {
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(m) => stack.extend(m.into_iter().map(|(_, c)| c)),
            Value::Array(a) => stack.extend(a),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn nested(levels: usize) -> Value {
        let mut v = json!({});
        for _ in 1..levels {
            v = Value::Object([("a".to_string(), v)].into_iter().collect());
        }
        v
    }

    #[test]
    fn the_limit_counts_the_outermost_object_as_level_one() {
        assert!(check_value(&mut nested(MAX_NESTING_DEPTH)).is_ok());
        let mut deeper = nested(MAX_NESTING_DEPTH + 1);
        let err = check_value(&mut deeper).unwrap_err();
        assert_eq!(err.code(), Some(400));
        assert!(
            err.to_string().contains("nested more than 256 levels"),
            "{err}"
        );
        // Taken apart, so the caller drops nothing deep.
        assert!(deeper.is_null());
    }

    #[test]
    fn arrays_count_as_levels() {
        let mut v = json!([]);
        for _ in 1..=MAX_NESTING_DEPTH {
            v = Value::Array(vec![v]);
        }
        assert!(check_value(&mut v).is_err());
    }

    #[test]
    fn managed_fields_sets_are_judged_on_their_own_depth() {
        // The sets of an object at the limit go one level deeper than it, four levels down.
        let object = |fields: Value| json!({"metadata": {"name": "x", "managedFields": [{"manager": "m", "fieldsV1": fields}]}});
        assert!(check_value(&mut object(nested(MAX_NESTING_DEPTH + 1))).is_ok());
        assert!(check_value(&mut object(nested(MAX_NESTING_DEPTH + 2))).is_err());
        // Any other metadata field counts from its place in the object.
        let mut labels = json!({"metadata": {"labels": nested(MAX_NESTING_DEPTH - 1)}});
        assert!(check_value(&mut labels).is_err());
    }

    #[test]
    fn a_patch_that_nests_the_document_past_the_limit_is_refused() {
        // The copy puts the 200 levels at /a/a…/b, 60 segments down: 260 levels.
        let path = format!("{}/b", "/a".repeat(59));
        let patch: json_patch::Patch = serde_json::from_value(json!([
            {"op": "add", "path": "/a", "value": nested(200)},
            {"op": "copy", "from": "/a", "path": path},
        ]))
        .unwrap();
        let mut doc = json!({});
        let mut bound = JsonPatchDepth::of(&doc);
        let mut results = Vec::new();
        for op in &patch.0 {
            json_patch::patch_unsafe(&mut doc, std::slice::from_ref(op)).unwrap();
            results.push(bound.after(op, &mut doc).map_err(|e| e.to_string()));
        }
        assert!(results[0].is_ok());
        assert!(
            results[1]
                .as_ref()
                .unwrap_err()
                .contains("the patched object is nested")
        );
        assert!(doc.is_null());
    }

    #[test]
    fn a_bound_past_the_limit_is_measured_before_refusing() {
        // After these the bound says 201 levels, the document is 101 deep.
        let patch: json_patch::Patch = serde_json::from_value(json!([
            {"op": "add", "path": "/a", "value": nested(200)},
            {"op": "remove", "path": "/a"},
            {"op": "add", "path": "/b", "value": nested(100)},
        ]))
        .unwrap();
        let mut doc = json!({});
        let mut bound = JsonPatchDepth::of(&doc);
        for op in &patch.0 {
            json_patch::patch_unsafe(&mut doc, std::slice::from_ref(op)).unwrap();
            bound.after(op, &mut doc).unwrap();
        }
        // Copying /b 100 levels below itself: 301 levels by the bound, 201 by measure.
        let path = "/a".repeat(99);
        let copy: json_patch::Patch = serde_json::from_value(
            json!([{"op": "copy", "from": "/b", "path": format!("/b{path}/c")}]),
        )
        .unwrap();
        json_patch::patch_unsafe(&mut doc, &copy.0).unwrap();
        assert!(bound.after(&copy.0[0], &mut doc).is_ok());
        assert_eq!(bound.0, 201);
    }

    #[test]
    fn a_deep_document_is_taken_apart_without_recursion() {
        // Built by moving (`json!` would copy `v` by serializing it, recursively).
        let mut v = json!(1);
        for _ in 0..200_000 {
            v = Value::Array(vec![v]);
        }
        dismantle(v);
    }
}
