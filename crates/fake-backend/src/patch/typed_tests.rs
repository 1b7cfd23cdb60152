//! Tests of the typed operations (`typed.rs`).

use super::*;
use serde_json::json;

fn deployment() -> Ty<'static> {
    Ty::root("apps", "Deployment", Some("v1"), None)
}

#[test]
fn field_set_of_a_deployment() {
    let obj = json!({"metadata": {"labels": {"app": "x"}},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "x"}},
            "template": {"spec": {"containers": [{"name": "c", "image": "i", "ports": [{"containerPort": 80}]}]}}}});
    let set = to_field_set(&obj, deployment()).unwrap();
    assert_eq!(
        set.to_fields_v1(),
        json!({"f:metadata": {"f:labels": {"f:app": {}}},
            "f:spec": {"f:replicas": {}, "f:selector": {},
                "f:template": {"f:spec": {"f:containers": {"k:{\"name\":\"c\"}": {
                    ".": {}, "f:image": {}, "f:name": {},
                    "f:ports": {"k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}}}}}}}}})
    );
}

#[test]
fn bad_lists_in_applied_configs() {
    let obj = json!({"spec": {"template": {"spec": {"containers": [{"image": "i"}]}}}});
    assert_eq!(
        to_field_set(&obj, deployment()).unwrap_err(),
        ".spec.template.spec.containers: element 0: associative list with keys has an element that omits key field \"name\" (and doesn't have default value)"
    );
    let obj =
        json!({"spec": {"template": {"spec": {"containers": [{"name": "a"}, {"name": "a"}]}}}});
    assert_eq!(
        to_field_set(&obj, deployment()).unwrap_err(),
        ".spec.template.spec.containers: duplicate entries for key [name=\"a\"]"
    );
}

#[test]
fn merge_keeps_live_only_items_in_place() {
    let live = json!({"spec": {"template": {"spec": {"containers": [
        {"name": "a", "image": "1"}, {"name": "x", "image": "x"}, {"name": "b", "image": "1"}]}}}});
    let cfg = json!({"spec": {"template": {"spec": {"containers": [{"name": "b", "image": "2"}, {"name": "a"}, {"name": "c"}]}}}});
    let out = merge(Some(&live), &cfg, deployment(), &mut Vec::new());
    let names: Vec<&str> = out["spec"]["template"]["spec"]["containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["x", "b", "a", "c"]);
    assert_eq!(
        out["spec"]["template"]["spec"]["containers"][1]["image"],
        "2"
    );
    assert_eq!(
        out["spec"]["template"]["spec"]["containers"][2]["image"],
        "1"
    );
}

#[test]
fn remove_and_ensure_named() {
    let mut obj = json!({"spec": {"replicas": 1, "paused": true, "template": {"spec": {"containers": [{"name": "a"}, {"name": "b"}]}}}});
    let mut set = FieldSet::new();
    set.insert(&[
        PathElement::Field("spec".into()),
        PathElement::Field("replicas".into()),
    ]);
    let key = PathElement::key(json!({"name": "b"}).as_object().unwrap());
    set.insert(&[
        PathElement::Field("spec".into()),
        PathElement::Field("template".into()),
        PathElement::Field("spec".into()),
        PathElement::Field("containers".into()),
        key,
    ]);
    remove_items(&mut obj, &set, deployment());
    assert_eq!(
        obj,
        json!({"spec": {"paused": true, "template": {"spec": {"containers": [{"name": "a"}]}}}})
    );
    ensure_named_fields(&mut set, deployment());
    assert!(set.has(&[PathElement::Field("spec".into())]));
    assert!(set.has(&[
        PathElement::Field("spec".into()),
        PathElement::Field("template".into())
    ]));
}
