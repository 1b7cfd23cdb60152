//! Tests of the comparison of two versions (`compare.rs`).

use super::*;
use serde_json::json;

fn deployment() -> Ty<'static> {
    Ty::root("apps", "Deployment", Some("v1"), None)
}

fn configmap() -> Ty<'static> {
    Ty::root("", "ConfigMap", Some("v1"), None)
}

#[test]
fn changed_fields() {
    let old = json!({"spec": {"replicas": 1, "paused": false,
        "template": {"spec": {"containers": [{"name": "a", "image": "1"}]}}}});
    let new = json!({"spec": {"replicas": 2, "paused": false,
        "template": {"spec": {"containers": [{"name": "a", "image": "1"}, {"name": "b"}]}}}});
    let set = changed(Some(&old), &new, deployment(), None);
    assert_eq!(
        set.to_fields_v1(),
        json!({"f:spec": {"f:replicas": {}, "f:template": {"f:spec": {"f:containers": {
            "k:{\"name\":\"b\"}": {".": {}, "f:name": {}}}}}}})
    );
    // Unchanged values change nothing, even a list whose items share a key (which the
    // item-by-item walk would compare against the first of them).
    let dup = json!({"spec": {"replicas": 1, "template": {"spec": {"containers": [
        {"name": "a", "image": "1"}, {"name": "a", "image": "2"}]}}}});
    assert!(changed(Some(&dup), &dup, deployment(), None).is_empty());
    let mut more = dup.clone();
    more["spec"]["replicas"] = json!(3);
    assert_eq!(
        changed(Some(&dup), &more, deployment(), None).to_fields_v1(),
        json!({"f:spec": {"f:replicas": {}}})
    );
}

#[test]
fn removed_members_with_every_path_below_them() {
    let old = json!({"metadata": {"name": "a", "labels": {"x": "1", "y": "2"}},
        "data": {"k": "v"}, "binaryData": {"b": "AA=="}});
    let new = json!({"metadata": {"name": "a", "labels": {"y": "2"}}, "data": {"k": "v"}});
    let c = compare(Some(&old), &new, configmap(), None);
    assert!(c.changed.is_empty());
    // The removed map's own path is a member, as `Compare`'s postItemHook records it.
    assert_eq!(
        c.removed.to_fields_v1(),
        json!({"f:binaryData": {".": {}, "f:b": {}}, "f:metadata": {"f:labels": {"f:x": {}}}})
    );
    // Read in place from a stored encoding, the same.
    let bytes = crate::store::codec::encode(&old);
    assert_eq!(
        compare_from(crate::store::View::new(&bytes), &new, configmap(), None),
        c
    );
    // `changed` alone does not compute removals.
    assert!(changed(Some(&old), &new, configmap(), None).is_empty());
}

#[test]
fn server_set_metadata_is_never_removed() {
    let old = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a",
        "uid": "u", "resourceVersion": "1", "managedFields": [{"manager": "m"}]}});
    let new = json!({"metadata": {"name": "a"}});
    assert_eq!(
        compare(Some(&old), &new, configmap(), None),
        Comparison::default()
    );
}

#[test]
fn removed_list_items() {
    let old = json!({"spec": {"template": {"metadata": {"finalizers": ["a", "b"]}, "spec": {"containers": [
        {"name": "a", "image": "1"}, {"name": "b", "image": "2", "ports": [{"containerPort": 80}]}]}}}});
    let new = json!({"spec": {"template": {"metadata": {"finalizers": ["a"]}, "spec": {"containers": [
        {"name": "a", "image": "1"}]}}}});
    let c = compare(Some(&old), &new, deployment(), None);
    assert!(c.changed.is_empty());
    assert_eq!(
        c.removed.to_fields_v1(),
        json!({"f:spec": {"f:template": {
            "f:metadata": {"f:finalizers": {"v:\"b\"": {}}},
            "f:spec": {"f:containers": {"k:{\"name\":\"b\"}": {
                ".": {}, "f:image": {}, "f:name": {},
                "f:ports": {".": {}, "k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}}}}}}}}})
    );
}

#[test]
fn a_map_replaced_by_a_scalar_loses_its_fields() {
    let old = json!({"spec": {"strategy": {"type": "Recreate"}, "replicas": 1}});
    let new = json!({"spec": {"strategy": "x", "replicas": 1}});
    let c = compare(Some(&old), &new, deployment(), None);
    assert_eq!(
        c.changed.to_fields_v1(),
        json!({"f:spec": {"f:strategy": {}}})
    );
    assert_eq!(
        c.removed.to_fields_v1(),
        json!({"f:spec": {"f:strategy": {"f:type": {}}}})
    );
    // An atomic map (a label selector) is one leaf: nothing below it is removed.
    let old = json!({"spec": {"selector": {"matchLabels": {"a": "b"}}}});
    let new = json!({"spec": {"selector": "x"}});
    assert!(
        compare(Some(&old), &new, deployment(), None)
            .removed
            .is_empty()
    );
}

/// The empty apps/v1 Deployment, as `managed::empty_object` gives it.
fn empty_deployment() -> Value {
    json!({"metadata": {}, "spec": {"selector": null,
        "template": {"metadata": {}, "spec": {"containers": null}},
        "strategy": {}}, "status": {}})
}

#[test]
fn a_created_object_is_compared_with_its_kinds_empty_object() {
    let new = json!({"metadata": {"name": "d", "labels": {"app": "a"}},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "a"}},
            "strategy": {"rollingUpdate": {"maxSurge": 1}},
            "template": {"metadata": {"labels": {"app": "a"}},
                "spec": {"containers": [{"name": "c", "image": "i"}]}}}});
    let empty = empty_deployment();
    // Maps the empty object has (spec, strategy, template, its metadata and spec) are not
    // added; maps it lacks (labels, rollingUpdate) are, with `.`; the containers list
    // replaces a `null`, so only its items are.
    assert_eq!(
        changed(None, &new, deployment(), Some(&empty)).to_fields_v1(),
        json!({"f:metadata": {"f:labels": {".": {}, "f:app": {}}, "f:name": {}},
            "f:spec": {"f:replicas": {}, "f:selector": {},
                "f:strategy": {"f:rollingUpdate": {".": {}, "f:maxSurge": {}}},
                "f:template": {"f:metadata": {"f:labels": {".": {}, "f:app": {}}},
                    "f:spec": {"f:containers": {"k:{\"name\":\"c\"}": {
                        ".": {}, "f:image": {}, "f:name": {}}}}}}})
    );
    // Without an empty object (a custom resource's), every map is added.
    let fields = changed(None, &new, deployment(), None).to_fields_v1();
    assert_eq!(fields["f:spec"]["."], json!({}));
    assert_eq!(
        fields["f:spec"]["f:template"]["f:spec"]["f:containers"]["."],
        json!({})
    );
}

#[test]
fn a_built_in_objects_missing_fields_count_as_their_empty_values() {
    let empty = empty_deployment();
    // Status written to a Deployment stored without one: `status` itself is not added.
    let old = json!({"spec": {"replicas": 1}});
    let new = json!({"spec": {"replicas": 1}, "status": {"replicas": 1}});
    assert_eq!(
        compare(Some(&old), &new, deployment(), Some(&empty))
            .changed
            .to_fields_v1(),
        json!({"f:status": {"f:replicas": {}}})
    );
    // A strategy dropped from the body goes back to the empty `{}`: its fields are
    // removed, the map is not.
    let old = json!({"spec": {"replicas": 1, "strategy": {"type": "Recreate"}}});
    let new = json!({"spec": {"replicas": 1}});
    let c = compare(Some(&old), &new, deployment(), Some(&empty));
    assert!(c.changed.is_empty());
    assert_eq!(
        c.removed.to_fields_v1(),
        json!({"f:spec": {"f:strategy": {"f:type": {}}}})
    );
    // The same in place.
    let bytes = crate::store::codec::encode(&old);
    assert_eq!(
        compare_from(
            crate::store::View::new(&bytes),
            &new,
            deployment(),
            Some(&empty)
        ),
        c
    );
}

/// Random objects near a Deployment's shape: known and unknown fields, maps, keyed lists
/// (well-formed or not), sets, scalars and nulls.
mod generated {
    use proptest::prelude::*;
    use serde_json::{Map, Value, json};

    const KEYS: &[&str] = &[
        "metadata",
        "labels",
        "spec",
        "status",
        "template",
        "containers",
        "name",
        "image",
        "ports",
        "containerPort",
        "protocol",
        "selector",
        "strategy",
        "finalizers",
        "replicas",
        "x",
    ];

    fn leaf() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            (0i64..3).prop_map(Value::from),
            prop::sample::select(vec!["a", "b", "TCP"]).prop_map(Value::from),
            Just(json!({})),
            Just(json!([])),
        ]
    }

    pub(super) fn value() -> impl Strategy<Value = Value> {
        leaf().prop_recursive(4, 40, 5, |inner| {
            prop_oneof![
                prop::collection::vec((prop::sample::select(KEYS), inner.clone()), 0..5).prop_map(
                    |members| {
                        Value::Object(
                            members
                                .into_iter()
                                .map(|(k, v)| (k.to_string(), v))
                                .collect::<Map<_, _>>(),
                        )
                    }
                ),
                prop::collection::vec(inner, 0..4).prop_map(Value::Array),
            ]
        })
    }

    /// An object: a map at the root, sometimes with `metadata`.
    pub(super) fn object() -> impl Strategy<Value = Value> {
        (value(), value()).prop_map(|(a, b)| {
            let mut root = match a {
                Value::Object(m) => m,
                other => Map::from_iter([("spec".to_string(), other)]),
            };
            if let Value::Object(meta) = b {
                root.insert("metadata".into(), Value::Object(meta));
            }
            Value::Object(root)
        })
    }

    /// `base` with one random subtree replaced or removed.
    pub(super) fn edited(base: Value) -> impl Strategy<Value = Value> {
        (object(), any::<prop::sample::Index>(), any::<bool>()).prop_map(
            move |(other, at, drop)| {
                let mut out = base.clone();
                let (Value::Object(o), Value::Object(n)) = (&mut out, other) else {
                    return out;
                };
                let keys: Vec<String> = o.keys().cloned().collect();
                if keys.is_empty() {
                    return Value::Object(n);
                }
                let k = &keys[at.index(keys.len())];
                match (drop, n.get(k)) {
                    (true, _) | (false, None) => {
                        o.remove(k);
                    }
                    (false, Some(v)) => {
                        o.insert(k.clone(), v.clone());
                    }
                }
                out
            },
        )
    }
}

use proptest::strategy::Strategy as _;

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// A stored version read in place compares as its decoded tree does, with and without an
    /// empty object.
    #[test]
    fn comparing_in_place_matches_comparing_trees(
        (old, new) in generated::object().prop_flat_map(|o| (proptest::strategy::Just(o.clone()), generated::edited(o))),
        with_empty in proptest::prelude::any::<bool>(),
    ) {
        let empty = empty_deployment();
        let empty = with_empty.then_some(&empty);
        let bytes = crate::store::codec::encode(&old);
        proptest::prop_assert_eq!(
            compare_from(crate::store::View::new(&bytes), &new, deployment(), empty),
            compare(Some(&old), &new, deployment(), empty)
        );
        // Nothing is both changed and removed, and equal versions compare empty.
        let c = compare(Some(&old), &new, deployment(), empty);
        proptest::prop_assert!(c.changed.intersection(&c.removed).is_empty());
        proptest::prop_assert_eq!(compare(Some(&new), &new, deployment(), empty), Comparison::default());
    }

    /// A created object's one-walk `fieldsV1` is the comparison with the empty object,
    /// stripped and encoded (when the walk decides alone).
    #[test]
    fn new_object_fields_v1_matches_the_comparison(
        obj in generated::object(),
        with_empty in proptest::prelude::any::<bool>(),
    ) {
        let empty = empty_deployment();
        let empty = with_empty.then_some(&empty);
        if let Some(fast) = crate::patch::fields_v1::of_new_object(&obj, deployment(), empty) {
            let mut general = changed(None, &obj, deployment(), empty);
            crate::patch::managed::strip_meta(&mut general);
            proptest::prop_assert_eq!(Value::Object(fast), general.to_fields_v1());
        }
    }
}
