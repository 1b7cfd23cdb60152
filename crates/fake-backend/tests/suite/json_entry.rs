//! The public JSON entry points (`create_value`, `replace_value`, `patch_value`,
//! `delete_value`, used by the HTTP server) take the same fault check and action record as
//! the trait verbs.

use crate::common;

use common::{cluster, widgets};
use kobj_fake::WriteOptions;
use kobj_fake::actions::{ActionFilter, Verb};
use kobj_fake::faults::{Fault, FaultError};
use kube_core::params::{DeleteParams, Patch};
use serde_json::{Value, json};

fn body(name: &str, size: i64) -> Value {
    json!({"apiVersion": "example.com/v1", "kind": "Widget",
           "metadata": {"name": name}, "spec": {"size": size}})
}

fn manager(name: &str) -> WriteOptions {
    WriteOptions {
        field_manager: Some(name.to_string()),
        ..WriteOptions::default()
    }
}

#[tokio::test]
async fn create_value_is_recorded_and_faultable() {
    let c = cluster().await;
    c.actions().clear();
    c.faults().add(
        Fault::on(Verb::Create)
            .resource("widgets")
            .error_kind(FaultError::Conflict)
            .once(),
    );
    let before = c.dump_yaml().unwrap();
    let e = c
        .create_value(&widgets(), Some("default"), body("a", 1), &manager("m"))
        .unwrap_err();
    assert!(e.is_conflict(), "{e}");
    assert_eq!(
        c.dump_yaml().unwrap(),
        before,
        "a faulted create stores nothing"
    );
    let created = c
        .create_value(&widgets(), Some("default"), body("a", 1), &manager("m"))
        .unwrap();
    assert_eq!(created["metadata"]["name"], "a");
    let f = ActionFilter::verb(Verb::Create)
        .resource("widgets")
        .namespace("default")
        .name("a");
    c.actions().assert_count(&f, 2);
    c.actions().assert_count(&f.clone().failed().code(409), 1);
    c.actions().assert_count(
        &f.succeeded().code(201).param("fieldManager", json!("m")),
        1,
    );
}

#[tokio::test]
async fn replace_patch_delete_values_are_recorded_and_faultable() {
    let c = cluster().await;
    let w = widgets();
    let created = c
        .create_value(&w, Some("default"), body("a", 1), &manager("m"))
        .unwrap();
    c.faults().add(
        Fault::on(Verb::Update)
            .resource("widgets")
            .error_kind(FaultError::Conflict)
            .once(),
    );
    let mut next = created.clone();
    next["spec"]["size"] = json!(2);
    assert!(
        c.replace_value(&w, Some("default"), "a", next.clone(), None, &manager("m"))
            .unwrap_err()
            .is_conflict()
    );
    c.replace_value(&w, Some("default"), "a", next, None, &manager("m"))
        .unwrap();
    c.actions()
        .assert_count(&ActionFilter::verb(Verb::Update).name("a").code(200), 1);
    c.actions()
        .assert_count(&ActionFilter::verb(Verb::Update).name("a").code(409), 1);

    let merge = Patch::Merge(json!({"spec": {"size": 3}}));
    let patched = c
        .patch_value(&w, Some("default"), "a", &merge, None, &manager("m"))
        .unwrap();
    assert_eq!(patched["spec"]["size"], 3);
    let apply = Patch::Apply(body("b", 4));
    c.patch_value(&w, Some("default"), "b", &apply, None, &manager("applier"))
        .unwrap();
    c.patch_value(&w, Some("default"), "b", &apply, None, &manager("applier"))
        .unwrap();
    let patch = ActionFilter::verb(Verb::Patch).resource("widgets");
    c.actions().assert_count(
        &patch
            .clone()
            .name("a")
            .code(200)
            .param("patchType", json!("merge")),
        1,
    );
    // Rule 24: the apply that creates answers 201, the next one 200.
    c.actions().assert_count(
        &patch
            .clone()
            .name("b")
            .code(201)
            .param("patchType", json!("apply")),
        1,
    );
    c.actions().assert_count(&patch.name("b").code(200), 1);

    c.faults().add(
        Fault::on(Verb::Delete)
            .resource("widgets")
            .error_kind(FaultError::Conflict)
            .once(),
    );
    let dp = DeleteParams::default();
    assert!(
        c.delete_value(&w, Some("default"), "a", &dp)
            .unwrap_err()
            .is_conflict()
    );
    c.delete_value(&w, Some("default"), "a", &dp).unwrap();
    c.actions()
        .assert_count(&ActionFilter::verb(Verb::Delete).name("a").code(409), 1);
    c.actions()
        .assert_count(&ActionFilter::verb(Verb::Delete).name("a").succeeded(), 1);
}

#[tokio::test]
async fn trait_apply_that_creates_is_recorded_as_201() {
    use kobj_core::CustomObjects;
    use kube_core::params::PatchParams;
    let c = cluster().await;
    let pp = PatchParams::apply("applier");
    let apply = Patch::Apply(body("c", 1));
    c.patch_object(&widgets(), Some("default"), "c", &apply, &pp)
        .await
        .unwrap();
    c.patch_object(&widgets(), Some("default"), "c", &apply, &pp)
        .await
        .unwrap();
    let f = ActionFilter::verb(Verb::Patch).name("c");
    c.actions().assert_count(&f.clone().code(201), 1);
    c.actions().assert_count(&f.code(200), 1);
}
