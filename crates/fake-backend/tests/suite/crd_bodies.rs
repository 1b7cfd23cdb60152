//! A CustomResourceDefinition whose `openAPIV3Schema` does not decode (a keyword of the wrong
//! JSON type) is a request the server cannot decode: 400 `... cannot be handled as a
//! CustomResourceDefinition` for a create or an update, 422 on `patch` for a JSON or merge
//! patch, 400 for an apply. Nothing is stored.

use crate::common;

use common::*;
use kobj_core::{CustomObjects, ErrorKind};
use kobj_fake::crd_type;
use kube_core::params::{Patch, PatchParams, PostParams};
use serde_json::{Value, json};

/// The widgets CRD as JSON, its spec's `note` given a `minLength` of the wrong JSON type.
fn undecodable_crd() -> Value {
    let mut crd = serde_json::to_value(widget_crd()).unwrap();
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["note"]
        ["minLength"] = json!("2");
    crd
}

const PREFIX: &str =
    "CustomResourceDefinition in version \"v1\" cannot be handled as a CustomResourceDefinition: ";

#[tokio::test]
async fn create_and_replace_with_an_undecodable_schema_are_bad_requests() {
    let c = kobj_fake::FakeCluster::new();
    let before = c.dump_yaml().unwrap();
    let err = c
        .create_object(
            &crd_type(),
            None,
            &obj(undecodable_crd()),
            &PostParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadRequest);
    assert_eq!(status(&err).code, 400);
    assert!(message(&err).starts_with(PREFIX), "{}", message(&err));
    assert!(message(&err).contains("expected i64"), "{}", message(&err));
    assert_eq!(c.dump_yaml().unwrap(), before);

    // Installed well, then replaced with the bad schema: the same 400, the CRD unchanged.
    c.install_crd(&widget_crd()).await.unwrap();
    let installed = c.dump_yaml().unwrap();
    let mut body = c
        .get_object(
            &crd_type(),
            None,
            "widgets.example.com",
            &Default::default(),
        )
        .await
        .unwrap();
    body.data["spec"] = undecodable_crd()["spec"].clone();
    let err = c
        .replace_object(
            &crd_type(),
            None,
            "widgets.example.com",
            &body,
            &PostParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(status(&err).code, 400);
    assert!(message(&err).starts_with(PREFIX), "{}", message(&err));
    assert_eq!(c.dump_yaml().unwrap(), installed);
}

#[tokio::test]
async fn patches_giving_a_schema_keyword_the_wrong_type_are_refused_as_undecodable() {
    let c = kobj_fake::FakeCluster::new();
    c.install_crd(&widget_crd()).await.unwrap();
    let installed = c.dump_yaml().unwrap();
    let merge = Patch::Merge(json!({"spec": {"versions": undecodable_crd()["spec"]["versions"]}}));
    let err = c
        .patch_object(
            &crd_type(),
            None,
            "widgets.example.com",
            &merge,
            &PatchParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert_eq!(status(&err).code, 422);
    let causes = status(&err)
        .details
        .as_ref()
        .map(|d| d.causes.clone())
        .unwrap_or_default();
    assert_eq!(causes.len(), 1, "{causes:?}");
    assert_eq!(causes[0].field, "patch");
    assert!(causes[0].message.contains("expected i64"), "{causes:?}");
    assert_eq!(c.dump_yaml().unwrap(), installed);

    let mut applied = undecodable_crd();
    applied["metadata"] = json!({"name": "widgets.example.com"});
    let err = c
        .patch_object(
            &crd_type(),
            None,
            "widgets.example.com",
            &Patch::Apply(applied),
            &PatchParams::apply("test").force(),
        )
        .await
        .unwrap_err();
    assert_eq!(status(&err).code, 400);
    assert_eq!(c.dump_yaml().unwrap(), installed);
}
