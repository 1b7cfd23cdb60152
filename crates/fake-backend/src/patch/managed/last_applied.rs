//! The bridge between client-side and server-side apply for `kubectl`
//! (k8s.io/apimachinery `managedfields/internal/lastappliedmanager.go` and
//! `lastappliedupdater.go`), which the server's field manager wraps around every apply:
//!
//! - A server-side apply by the manager `kubectl` that conflicts only over fields its
//!   `kubectl.kubernetes.io/last-applied-configuration` annotation declares, with the values
//!   the live object still has, is forced: the object was client-side applied by the same
//!   tool, and `kubectl apply --server-side` takes those fields over.
//! - After a successful apply by `kubectl`, an existing annotation is rewritten to the applied
//!   configuration, so a later client-side apply computes its patch from what was last
//!   applied either way.

use serde_json::Value;

use super::{FieldManagement, FieldSet, compare, to_field_set};
use crate::patch::typeinfo::Ty;

/// The annotation kubectl's client-side apply keeps its last configuration in.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// The manager whose applies are bridged (other managers opt out).
const KUBECTL: &str = "kubectl";

/// The object's non-empty last-applied annotation.
fn annotation(obj: &Value) -> Option<&str> {
    obj.pointer("/metadata/annotations")
        .and_then(|a| a.get(LAST_APPLIED))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// The fields of `live`'s last-applied configuration whose values `live` still has
/// (`allowedConflictsFromLastApplied`), when the applier is `kubectl`; `None` when there is
/// no usable annotation (absent, not JSON, another apiVersion, not typeable), which leaves
/// the conflicts as they are.
pub(super) fn allowed_conflicts(
    live: &Value,
    ctx: &FieldManagement<'_>,
    ty: Ty<'_>,
) -> Option<FieldSet> {
    if ctx.manager != KUBECTL {
        return None;
    }
    let last: Value = serde_json::from_str(annotation(live)?).ok()?;
    if last.get("apiVersion").and_then(Value::as_str) != Some(ctx.api_version) {
        return None;
    }
    let set = to_field_set(&last, ty).ok()?;
    // Fields that differ from, or are missing in, the live object are not the last
    // applier's any more.
    let comparison = compare(Some(&last), live, ty, None);
    Some(
        set.difference(&comparison.changed)
            .difference(&comparison.removed),
    )
}

/// After a successful apply by `kubectl`: rewrites the result's last-applied annotation, if it
/// has one, to the applied configuration without that annotation, encoded as Go's
/// `json.Encoder` writes an unstructured object (`buildLastApplied`).
pub(super) fn sync_annotation(out: &mut Value, applied: &Value, ctx: &FieldManagement<'_>) {
    if ctx.manager != KUBECTL || annotation(out).is_none() {
        return;
    }
    let mut config = applied.clone();
    if let Some(Value::Object(annotations)) = config.pointer_mut("/metadata/annotations") {
        annotations.remove(LAST_APPLIED);
    }
    let text = go_encode(&config);
    if let Some(Value::Object(annotations)) = out.pointer_mut("/metadata/annotations") {
        annotations.insert(LAST_APPLIED.to_string(), Value::String(text));
    }
}

/// Go's `json.NewEncoder(w).Encode` of an unstructured object: keys sorted (serde_json's map
/// is ordered), `<`, `>`, `&`, U+2028 and U+2029 escaped, and a closing newline. Written by
/// hand because serde_json has no HTML-safe mode; those characters can only occur inside
/// strings, so escaping them in the serialized text is exact.
fn go_encode(value: &Value) -> String {
    let plain = value.to_string();
    let mut out = String::with_capacity(plain.len() + 1);
    for c in plain.chars() {
        match c {
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn go_encoding_escapes_html_and_ends_with_a_newline() {
        assert_eq!(
            go_encode(&json!({"b": "<a&b>", "a": "\u{2028}"})),
            "{\"a\":\"\\u2028\",\"b\":\"\\u003ca\\u0026b\\u003e\"}\n"
        );
    }
}
