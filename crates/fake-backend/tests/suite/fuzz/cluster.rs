//! What the read and delete properties (`fuzz_reads.rs`, `fuzz_deletes.rs`) share: the
//! seeded cluster, the kinds they read, and the checks of a result or a refusal.

use kobj_core::{CustomObjects, ResourceType};
use kobj_fake::FakeCluster;
use kube_core::params::{ListParams, PostParams};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Value, json};

use super::support::configmaps_by_gvk;
use crate::common::*;

// ---------------------------------------------------------------------------------------
// The cluster
// ---------------------------------------------------------------------------------------
/// The kinds the properties read: namespaced widgets (a selectable field, status and scale
/// subresources), ConfigMaps, and cluster-scoped gadgets.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Widgets,
    ConfigMaps,
    Gadgets,
}

impl Kind {
    pub fn resource(self) -> ResourceType {
        match self {
            Kind::Widgets => widgets(),
            Kind::ConfigMaps => configmaps_by_gvk(),
            Kind::Gadgets => gadgets(),
        }
    }

    pub fn namespaced(self) -> bool {
        !matches!(self, Kind::Gadgets)
    }
}

pub fn kind() -> impl Strategy<Value = Kind> + Clone {
    prop_oneof![
        3 => Just(Kind::Widgets),
        2 => Just(Kind::ConfigMaps),
        1 => Just(Kind::Gadgets),
    ]
}

/// Widgets in `default` and `team` with assorted labels and colors (`c` held by a finalizer,
/// `owned` owned by `default/a`), ConfigMaps in both namespaces, and a gadget.
pub async fn seeded() -> FakeCluster {
    let c = cluster().await;
    let pp = PostParams::default();
    c.create_object(
        &namespaces(),
        None,
        &obj(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})),
        &pp,
    )
    .await
    .unwrap();
    let widget = |name: &str, labels: Value, color: &str, extra: Value| {
        let mut v = json!({
            "apiVersion": "example.com/v1", "kind": "Widget",
            "metadata": {"name": name, "labels": labels},
            "spec": {"color": color, "replicas": 2}
        });
        if let (Some(m), Value::Object(extra)) = (v["metadata"].as_object_mut(), extra) {
            m.extend(extra);
        }
        obj(v)
    };
    let mut uid_a = String::new();
    for (ns, name, labels, color, extra) in [
        (
            "default",
            "a",
            json!({"app": "web", "tier": "1"}),
            "red",
            json!({}),
        ),
        (
            "default",
            "b",
            json!({"app": "db", "tier": "2"}),
            "blue",
            json!({}),
        ),
        (
            "default",
            "c",
            json!({"app": "web"}),
            "green",
            json!({"finalizers": ["example.com/hold"]}),
        ),
        ("default", "d", json!({}), "red", json!({})),
        (
            "team",
            "a",
            json!({"app": "web", "tier": "3"}),
            "blue",
            json!({}),
        ),
        (
            "team",
            "e",
            json!({"example.com/x": "y", "tier": "10"}),
            "red",
            json!({}),
        ),
        (
            "default",
            "owned",
            json!({"app": "db"}),
            "blue",
            json!({"ownerReferences": [{
                "apiVersion": "example.com/v1", "kind": "Widget", "name": "a", "uid": "@uid-a"
            }]}),
        ),
    ] {
        let mut o = widget(name, labels, color, extra);
        if let Some(refs) = o.metadata.owner_references.as_mut() {
            refs[0].uid = uid_a.clone();
        }
        let created = c
            .create_object(&widgets(), Some(ns), &o, &pp)
            .await
            .unwrap();
        if ns == "default" && name == "a" {
            uid_a = created.metadata.uid.unwrap();
        }
    }
    for (ns, name, labels) in [
        ("default", "cm", json!({"app": "web"})),
        ("default", "cm2", json!({"tier": "2"})),
        ("team", "cm", json!({"app": "db"})),
    ] {
        c.create_object(
            &configmaps_by_gvk(),
            Some(ns),
            &obj(json!({
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": name, "labels": labels}, "data": {"k": "v"}
            })),
            &pp,
        )
        .await
        .unwrap();
    }
    c.create_object(
        &gadgets(),
        None,
        &obj(json!({
            "apiVersion": "example.com/v1", "kind": "Gadget",
            "metadata": {"name": "g1", "labels": {"app": "web"}}, "spec": {"x": 1}
        })),
        &pp,
    )
    .await
    .unwrap();
    c
}

/// The cluster's resourceVersion now.
pub async fn now_rv(c: &FakeCluster) -> u64 {
    c.list_objects(&namespaces(), None, &ListParams::default())
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap()
        .parse()
        .unwrap()
}

/// Every object of a kind in a namespace (or all), as JSON, in list order; none where the
/// namespace is refused.
pub async fn full_list(c: &FakeCluster, k: Kind, ns: Option<&str>) -> Vec<Value> {
    c.list_objects(&k.resource(), ns, &ListParams::default())
        .await
        .map(|l| {
            l.items
                .iter()
                .map(|o| serde_json::to_value(o).unwrap())
                .collect()
        })
        .unwrap_or_default()
}

pub fn key_of(o: &Value) -> (String, String) {
    let s = |p: &str| {
        o.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    (s("/metadata/namespace"), s("/metadata/name"))
}

// ---------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------

pub fn check_unchanged(c: &FakeCluster, before: &str, what: &str) -> Result<(), TestCaseError> {
    let after = c.dump_yaml().unwrap();
    prop_assert!(
        after == before,
        "{what} changed the state:\n--- before\n{before}\n--- after\n{after}"
    );
    Ok(())
}

/// Listed items are in list order (namespace, then name), once each, and each is the object
/// a full list holds (the seeded objects have one version each, so any snapshot agrees).
pub fn check_items_of_full(
    items: &[Value],
    full: &[Value],
    ordered: bool,
) -> Result<(), TestCaseError> {
    let keys: Vec<_> = items.iter().map(key_of).collect();
    prop_assert!(
        !ordered || keys.windows(2).all(|w| w[0] < w[1]),
        "items out of order or repeated: {keys:?}"
    );
    for item in items {
        prop_assert!(
            full.contains(item),
            "an item not in the full list: {}",
            item
        );
    }
    Ok(())
}
