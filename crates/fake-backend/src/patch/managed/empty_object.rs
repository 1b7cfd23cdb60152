//! The empty object of a built-in kind, as the server's field manager compares a created
//! object with: `scope.Creater.New(kind)` makes a zero-valued Go struct, and its unstructured
//! form keeps every non-pointer struct field (`metadata: {}`, `spec: {}`, `status: {}`) and
//! every field without `omitempty` (`containers: null`, `replicas: 0`). (A zero
//! `creationTimestamp` is left out since Kubernetes 1.33, kubernetes/kubernetes#130989, where
//! it was `null` before.) A create's manager owns what the object adds to it, so a map the
//! empty object already has (a Deployment's `spec`) gets no `.` in `fieldsV1`, while one it
//! lacks (`metadata.labels`) does.
//!
//! `empty_objects.json` holds these objects for the built-in kinds the fake registers,
//! written from the Go types of k8s.io/api (1.34–1.37 sources; apiextensions-apiserver for
//! CustomResourceDefinition), keyed `"<apiVersion> <Kind>"`. A custom resource's empty object
//! is its apiVersion and kind alone, which no manager owns.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde_json::Value;

/// apiVersion → kind → empty object (foldhash: looked up on every write of a built-in kind).
type Table = foldhash::HashMap<String, foldhash::HashMap<String, Value>>;

static EMPTY_OBJECTS: LazyLock<Table> = LazyLock::new(|| {
    // The file is part of the crate (checked by the test below), so it always parses.
    let flat: HashMap<String, Value> =
        serde_json::from_str(include_str!("empty_objects.json")).unwrap_or_default();
    let mut table = Table::default();
    for (key, object) in flat {
        if let Some((api_version, kind)) = key.split_once(' ') {
            table
                .entry(api_version.to_string())
                .or_default()
                .insert(kind.to_string(), object);
        }
    }
    table
});

/// The empty object of the built-in kind `kind` in `api_version`; `None` for a kind without
/// one here (custom resources).
pub(crate) fn empty_object(api_version: &str, kind: &str) -> Option<&'static Value> {
    EMPTY_OBJECTS.get(api_version)?.get(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses_and_every_entry_is_an_object_with_metadata() {
        let flat: HashMap<String, Value> =
            serde_json::from_str(include_str!("empty_objects.json")).unwrap();
        assert!(!flat.is_empty());
        for (key, object) in &flat {
            assert!(key.split_once(' ').is_some(), "{key}");
            assert_eq!(object["metadata"], serde_json::json!({}), "{key}");
        }
        let total: usize = EMPTY_OBJECTS.values().map(|kinds| kinds.len()).sum();
        assert_eq!(total, flat.len());
        assert_eq!(
            empty_object("apps/v1", "Deployment").map(|d| &d["spec"]["strategy"]),
            Some(&serde_json::json!({}))
        );
        assert!(empty_object("example.com/v1", "Widget").is_none());
    }
}
