//! How the garbage collector identifies an owner (rule 32, the controller's `isDangling`): by
//! the reference's kind and name, in the dependent's namespace when the kind is namespaced,
//! with the reference's uid. A dependent none of whose owners is found that way is collected,
//! also when the owner never existed; a reference the collector cannot look up leaves the
//! dependent alone. Fixtures keep the uids they give.

use crate::common;

use common::*;
use kobj_core::CustomObjects;
use kube_core::DynamicObject;
use kube_core::params::{GetParams, PostParams};
use serde_json::{Value, json};

/// Creates widget `name` in `namespace` with these ownerReferences.
async fn widget_owned(
    c: &kobj_fake::FakeCluster,
    namespace: &str,
    name: &str,
    refs: Value,
) -> DynamicObject {
    let mut w = widget(name, json!({}));
    w.metadata.owner_references = Some(serde_json::from_value(refs).unwrap());
    c.create_object(&widgets(), Some(namespace), &w, &PostParams::default())
        .await
        .unwrap()
}

fn widget_ref(owner: &DynamicObject) -> Value {
    json!({"apiVersion": "example.com/v1", "kind": "Widget",
           "name": owner.metadata.name, "uid": owner.metadata.uid})
}

async fn widget_in(
    c: &kobj_fake::FakeCluster,
    namespace: &str,
    name: &str,
) -> Option<DynamicObject> {
    c.get_object(&widgets(), Some(namespace), name, &GetParams::default())
        .await
        .ok()
}

async fn create_namespace(c: &kobj_fake::FakeCluster, name: &str) {
    let ns = obj(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}));
    c.create_object(&namespaces(), None, &ns, &PostParams::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_dependent_of_an_owner_that_never_existed_is_collected() {
    let c = cluster().await;
    let created = widget_owned(
        &c,
        "default",
        "orphaned",
        json!([{"apiVersion": "example.com/v1", "kind": "Widget", "name": "ghost",
                "uid": "00000000-0000-0000-0000-000000000001"}]),
    )
    .await;
    // The create answers with the object; the collector then finds its owner absent.
    assert_eq!(created.metadata.name.as_deref(), Some("orphaned"));
    assert!(widget_in(&c, "default", "orphaned").await.is_none());
}

#[tokio::test]
async fn an_owner_in_another_namespace_is_absent() {
    let c = cluster().await;
    create_namespace(&c, "other").await;
    let owner = c
        .create_object(
            &widgets(),
            Some("other"),
            &widget("owner", json!({})),
            &PostParams::default(),
        )
        .await
        .unwrap();
    widget_owned(&c, "other", "same-namespace", json!([widget_ref(&owner)])).await;
    widget_owned(
        &c,
        "default",
        "cross-namespace",
        json!([widget_ref(&owner)]),
    )
    .await;
    assert!(widget_in(&c, "other", "same-namespace").await.is_some());
    assert!(widget_in(&c, "default", "cross-namespace").await.is_none());
}

#[tokio::test]
async fn a_reference_that_gets_the_name_or_kind_wrong_is_absent() {
    let c = cluster().await;
    let owner = c
        .create_object(
            &widgets(),
            Some("default"),
            &widget("owner", json!({})),
            &PostParams::default(),
        )
        .await
        .unwrap();
    let mut wrong_name = widget_ref(&owner);
    wrong_name["name"] = json!("someone-else");
    widget_owned(&c, "default", "wrong-name", json!([wrong_name])).await;
    let mut wrong_kind = widget_ref(&owner);
    wrong_kind["apiVersion"] = json!("v1");
    wrong_kind["kind"] = json!("ConfigMap");
    widget_owned(&c, "default", "wrong-kind", json!([wrong_kind])).await;
    assert!(widget_in(&c, "default", "wrong-name").await.is_none());
    assert!(widget_in(&c, "default", "wrong-kind").await.is_none());
    assert!(widget_in(&c, "default", "owner").await.is_some());
}

#[tokio::test]
async fn a_dependent_with_a_live_owner_loses_only_the_absent_reference() {
    let c = cluster().await;
    let owner = c
        .create_object(
            &widgets(),
            Some("default"),
            &widget("owner", json!({})),
            &PostParams::default(),
        )
        .await
        .unwrap();
    widget_owned(
        &c,
        "default",
        "dep",
        json!([widget_ref(&owner),
               {"apiVersion": "example.com/v1", "kind": "Widget", "name": "ghost",
                "uid": "00000000-0000-0000-0000-000000000002"}]),
    )
    .await;
    let dep = widget_in(&c, "default", "dep")
        .await
        .expect("kept by its live owner");
    let uids: Vec<String> = dep
        .metadata
        .owner_references
        .unwrap_or_default()
        .into_iter()
        .map(|r| r.uid)
        .collect();
    assert_eq!(uids, [owner.metadata.uid.unwrap()]);
}

#[tokio::test]
async fn an_update_adding_an_absent_owner_collects_the_object() {
    let c = cluster().await;
    let mut w = c
        .create_object(
            &widgets(),
            Some("default"),
            &widget("w", json!({})),
            &PostParams::default(),
        )
        .await
        .unwrap();
    w.metadata.owner_references = Some(
        serde_json::from_value(json!([{"apiVersion": "example.com/v1", "kind": "Widget",
                                       "name": "ghost", "uid": "00000000-0000-0000-0000-000000000003"}]))
        .unwrap(),
    );
    c.replace_object(&widgets(), Some("default"), "w", &w, &PostParams::default())
        .await
        .unwrap();
    assert!(widget_in(&c, "default", "w").await.is_none());
}

#[tokio::test]
async fn references_the_collector_cannot_look_up_leave_the_dependent_alone() {
    let c = cluster().await;
    // A kind no API serves: the collector's lookup fails and it retries for ever.
    widget_owned(
        &c,
        "default",
        "unserved-kind",
        json!([{"apiVersion": "example.com/v1", "kind": "Nothing", "name": "n",
                "uid": "00000000-0000-0000-0000-000000000004"}]),
    )
    .await;
    assert!(widget_in(&c, "default", "unserved-kind").await.is_some());
    // A cluster-scoped dependent naming a namespaced kind: the collector gives up on it.
    let mut gadget = obj(json!({"apiVersion": "example.com/v1", "kind": "Gadget",
                               "metadata": {"name": "g"}, "spec": {}}));
    gadget.metadata.owner_references = Some(
        serde_json::from_value(json!([{"apiVersion": "example.com/v1", "kind": "Widget",
                                       "name": "ghost", "uid": "00000000-0000-0000-0000-000000000005"}]))
        .unwrap(),
    );
    c.create_object(&gadgets(), None, &gadget, &PostParams::default())
        .await
        .unwrap();
    assert!(
        c.get_object(&gadgets(), None, "g", &GetParams::default())
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_dry_run_create_with_an_absent_owner_stores_nothing_and_collects_nothing() {
    let c = cluster().await;
    let before = c.dump_yaml().unwrap();
    let mut w = widget("dry", json!({}));
    w.metadata.owner_references = Some(
        serde_json::from_value(json!([{"apiVersion": "example.com/v1", "kind": "Widget",
                                       "name": "ghost", "uid": "00000000-0000-0000-0000-000000000006"}]))
        .unwrap(),
    );
    let params = PostParams {
        dry_run: true,
        ..PostParams::default()
    };
    let answer = c
        .create_object(&widgets(), Some("default"), &w, &params)
        .await
        .unwrap();
    assert_eq!(answer.metadata.name.as_deref(), Some("dry"));
    assert_eq!(c.dump_yaml().unwrap(), before);
}

const FIXTURES: &str = r#"
apiVersion: example.com/v1
kind: Widget
metadata:
  name: dependent
  ownerReferences:
  - {apiVersion: example.com/v1, kind: Widget, name: owner, uid: 5f0c9d3e-0000-4000-8000-000000000001}
spec: {}
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: stray
  ownerReferences:
  - {apiVersion: example.com/v1, kind: Widget, name: gone, uid: 5f0c9d3e-0000-4000-8000-000000000002}
spec: {}
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: owner
  uid: 5f0c9d3e-0000-4000-8000-000000000001
spec: {}
"#;

#[tokio::test]
async fn fixtures_keep_their_uids_so_owners_can_come_later_in_the_file() {
    let c = cluster().await;
    let loaded = c.load_yaml(FIXTURES).await.unwrap();
    assert_eq!(loaded.len(), 3);
    let owner = widget_in(&c, "default", "owner").await.unwrap();
    assert_eq!(
        owner.metadata.uid.as_deref(),
        Some("5f0c9d3e-0000-4000-8000-000000000001")
    );
    assert!(widget_in(&c, "default", "dependent").await.is_some());
    // Its owner exists nowhere: collected once the load is in.
    assert!(widget_in(&c, "default", "stray").await.is_none());
    // The owner is a real owner: deleting it collects the dependent.
    delete_in_background(&c, "owner").await;
    assert!(widget_in(&c, "default", "dependent").await.is_none());
}

#[tokio::test]
async fn a_fixture_uid_already_taken_is_replaced() {
    let c = cluster().await;
    let first = c
        .load_yaml("{apiVersion: v1, kind: ConfigMap, metadata: {name: a, uid: same-uid}}")
        .await
        .unwrap();
    let second = c
        .load_yaml("{apiVersion: v1, kind: ConfigMap, metadata: {name: b, uid: same-uid}}")
        .await
        .unwrap();
    assert_eq!(first[0].metadata.uid.as_deref(), Some("same-uid"));
    assert_ne!(second[0].metadata.uid.as_deref(), Some("same-uid"));
    assert!(
        second[0]
            .metadata
            .uid
            .as_deref()
            .is_some_and(|u| !u.is_empty())
    );
    // A client's create never keeps a uid it sends.
    let mut cm = configmap("c", json!({}));
    cm.metadata.uid = Some("client-uid".into());
    let created = c
        .create_object(&configmaps(), Some("default"), &cm, &PostParams::default())
        .await
        .unwrap();
    assert_ne!(created.metadata.uid.as_deref(), Some("client-uid"));
}
