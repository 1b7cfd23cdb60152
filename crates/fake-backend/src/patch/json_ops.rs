//! JSON Patch (RFC 6902) operations as the API server applies them: the `json-patch` crate
//! for every operation, except where the server's library (evanphx/json-patch) differs in
//! a way clients rely on: a `test` against `null` passes for a member that is absent, as
//! long as its parent exists. kube-runtime's `finalizer` helper sends
//! `test /metadata/finalizers null` before it adds an object's first finalizer.

use json_patch::PatchOperation;
use json_patch::jsonptr::Pointer;
use serde_json::Value;

/// Applies one operation to `doc` (changed in place, not undone on error: callers work on a
/// copy). The error text is for logs; the server answers every failure alike.
pub(crate) fn apply(doc: &mut Value, op: &PatchOperation) -> Result<(), String> {
    if let PatchOperation::Test(t) = op
        && t.value.is_null()
    {
        return test_null(doc, &t.path);
    }
    json_patch::patch_unsafe(doc, std::slice::from_ref(op)).map_err(|e| e.to_string())
}

/// evanphx/json-patch's `test` with a `null` value: the parent must exist; the member may
/// be absent or `null`.
fn test_null(doc: &Value, path: &Pointer) -> Result<(), String> {
    let failed = || Err(format!("testing value {path} failed"));
    let Some((parent, token)) = path.split_back() else {
        return if doc.is_null() { Ok(()) } else { failed() };
    };
    let key = token.decoded();
    match doc.pointer(parent.as_str()) {
        Some(Value::Object(members)) => match members.get(key.as_ref()) {
            None | Some(Value::Null) => Ok(()),
            Some(_) => failed(),
        },
        Some(Value::Array(items)) => match key.parse::<usize>().ok().and_then(|i| items.get(i)) {
            Some(Value::Null) => Ok(()),
            Some(_) => failed(),
            None => Err(format!("Unable to access invalid index: {key}")),
        },
        _ => Err(format!(
            "test operation does not apply: is missing path: {path}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::apply;

    fn op(v: serde_json::Value) -> json_patch::PatchOperation {
        serde_json::from_value(v).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_null_test_passes_for_an_absent_or_null_member_of_an_existing_parent() {
        let mut doc = json!({"metadata": {"name": "a", "labels": null}, "items": [null, 1]});
        for (path, passes) in [
            ("/metadata/finalizers", true),
            ("/metadata/labels", true),
            ("/metadata/name", false),
            ("/spec/finalizers", false),
            ("/items/0", true),
            ("/items/1", false),
            ("/items/2", false),
            ("/items/x", false),
            ("", false),
        ] {
            let got = apply(
                &mut doc,
                &op(json!({"op": "test", "path": path, "value": null})),
            );
            assert_eq!(got.is_ok(), passes, "{path}: {got:?}");
        }
        // Other tests and operations are the crate's.
        assert!(
            apply(
                &mut doc,
                &op(json!({"op": "test", "path": "/metadata/name", "value": "a"}))
            )
            .is_ok()
        );
        assert!(
            apply(
                &mut doc,
                &op(json!({"op": "test", "path": "/metadata/uid", "value": "a"}))
            )
            .is_err()
        );
        apply(
            &mut doc,
            &op(json!({"op": "add", "path": "/metadata/finalizers", "value": ["x"]})),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(doc["metadata"]["finalizers"], json!(["x"]));
    }
}
