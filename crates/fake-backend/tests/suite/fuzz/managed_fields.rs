//! managedFields as the apply properties read them (`fuzz_apply.rs` and
//! `fuzz_apply_regressions.rs`): the entries decoded, a manager's entry found, and the checks
//! every state must pass; and the object read back as JSON.

use std::collections::BTreeSet;

use kobj_core::CustomObjects;
use kobj_fake::FakeCluster;
use kube_core::DynamicObject;
use kube_core::params::GetParams;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Value, json};

use super::apply::*;

/// One managedFields entry.
#[derive(Clone, Debug)]
pub struct Entry {
    pub manager: String,
    pub operation: String,
    pub api_version: String,
    pub subresource: String,
    pub paths: BTreeSet<FieldPath>,
}

impl Entry {
    /// The server's manager identity (apiVersion counts for updaters only).
    pub fn id(&self) -> (String, String, String, String) {
        let version = if self.operation == "Apply" {
            String::new()
        } else {
            self.api_version.clone()
        };
        (
            self.manager.clone(),
            self.operation.clone(),
            version,
            self.subresource.clone(),
        )
    }
}

pub fn entries(obj: &Value) -> Vec<Entry> {
    let list = obj
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let s = |e: &Value, k: &str| e.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    list.iter()
        .map(|e| Entry {
            manager: s(e, "manager"),
            operation: s(e, "operation"),
            api_version: s(e, "apiVersion"),
            subresource: s(e, "subresource"),
            paths: fields_v1_paths(e.get("fieldsV1").unwrap_or(&Value::Null)),
        })
        .collect()
}

pub fn find<'e>(
    entries: &'e [Entry],
    manager: &str,
    operation: &str,
    sub: &str,
) -> Option<&'e Entry> {
    entries
        .iter()
        .find(|e| e.manager == manager && e.operation == operation && e.subresource == sub)
}

/// managedFields is well formed: known operations, `FieldsV1`, a time that parses, a
/// non-empty field set, one entry per manager identity, and every owned field present,
/// except fields an update or patch removed (`removed`): the fake does not take those from
/// their owners (see "Known differences" in docs/semantics.md), and a metadata collection
/// (`labels`, `annotations`, `finalizers`, `ownerReferences`) whose owner keeps the empty
/// map or list: the server stores metadata as ObjectMeta's `omitempty` JSON, without it,
/// while the field sets keep it, as structured-merge-diff saw it there.
pub fn check_well_formed(obj: &Value, removed: &BTreeSet<FieldPath>) -> Result<(), TestCaseError> {
    let list = obj
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if obj.pointer("/metadata/managedFields").is_some() {
        prop_assert!(!list.is_empty(), "an empty managedFields list is stored");
    }
    for raw in &list {
        prop_assert!(
            raw.get("manager")
                .and_then(Value::as_str)
                .is_some_and(|m| !m.is_empty()),
            "{raw}"
        );
        prop_assert!(
            matches!(
                raw.get("operation").and_then(Value::as_str),
                Some("Apply" | "Update")
            ),
            "{raw}"
        );
        prop_assert_eq!(raw.get("fieldsType"), Some(&json!("FieldsV1")));
        let time = raw.get("time").and_then(Value::as_str).unwrap_or("");
        prop_assert!(
            time.parse::<k8s_openapi::jiff::Timestamp>().is_ok(),
            "time {time:?} does not parse: {raw}"
        );
    }
    let es = entries(obj);
    let mut ids = BTreeSet::new();
    for e in &es {
        prop_assert!(ids.insert(e.id()), "two entries for {:?}: {list:?}", e.id());
        prop_assert!(!e.paths.is_empty(), "an entry with no fields: {e:?}");
        for p in &e.paths {
            prop_assert!(
                lookup(obj, p).is_some() || removed.contains(p) || empty_metadata_collection(p),
                "{e:?} owns {} but the object lacks it:\n{obj:#}",
                path_text(p)
            );
        }
    }
    Ok(())
}

/// `.metadata.labels` and the other ObjectMeta collections stored only when not empty.
fn empty_metadata_collection(p: &FieldPath) -> bool {
    matches!(
        p.iter().map(String::as_str).collect::<Vec<_>>().as_slice(),
        [
            "f:metadata",
            "f:labels" | "f:annotations" | "f:finalizers" | "f:ownerReferences"
        ]
    )
}

pub fn to_value(o: &DynamicObject) -> Value {
    serde_json::to_value(o).unwrap()
}

pub async fn current(c: &FakeCluster, kind: Kind) -> Option<Value> {
    c.get_object(
        &kind.resource(),
        Some("default"),
        kind.name(),
        &GetParams::default(),
    )
    .await
    .ok()
    .map(|o| to_value(&o))
}
