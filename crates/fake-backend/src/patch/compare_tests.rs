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
