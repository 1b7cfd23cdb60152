//! kobj-core used from outside its crate: a library written once against `Arc<dyn
//! CustomObjects>` and `Arc<dyn CoreResources>`, the typed layer over a
//! `#[derive(CustomResource)]` type and a k8s-openapi type, and strict interaction tests with
//! the mockall mocks.

use std::sync::Arc;

use either::Either;
use k8s_openapi::api::core::v1::Secret;
use kobj_core::kube_core::params::{DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kobj_core::kube_core::{DynamicObject, ListMeta, ObjectList, Resource, TypeMeta};
use kobj_core::{
    Client, CoreResources, CoreResourcesExt, CustomObjects, CustomObjectsExt, Error,
    MockCoreResources, MockCustomObjects, ResourceType,
};
use kube::CustomResource;
use mockall::Sequence;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The seed's users' `Client` custom resource (jumpstarter.dev/v1alpha1).
#[derive(CustomResource, Clone, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[kube(
    group = "jumpstarter.dev",
    version = "v1alpha1",
    kind = "LabClient",
    plural = "labclients",
    namespaced,
    status = "LabClientStatus"
)]
pub struct LabClientSpec {
    /// The user the client belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

/// Status written by the controller.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
pub struct LabClientStatus {
    /// The Secret holding the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<CredentialRef>,
}

/// A reference to a Secret.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
pub struct CredentialRef {
    /// The Secret's name.
    pub name: String,
}

/// Library code written once against the traits: reads a client's credential Secret and decodes
/// its token. Works with any backend.
async fn client_token(
    custom: Arc<dyn CustomObjects>,
    core: Arc<dyn CoreResources>,
    namespace: &str,
    name: &str,
) -> kobj_core::Result<Option<String>> {
    let client: LabClient = custom.get(Some(namespace), name).await?;
    let Some(secret_name) = client.status.and_then(|s| s.credential).map(|c| c.name) else {
        return Ok(None);
    };
    let secret: Secret = core.get(Some(namespace), &secret_name).await?;
    let token = secret
        .data
        .and_then(|d| d.get("token").cloned())
        .map(|b| String::from_utf8_lossy(&b.0).into_owned());
    Ok(token)
}

fn dynamic(value: serde_json::Value) -> DynamicObject {
    serde_json::from_value(value).expect("test object")
}

fn lab_client_object(with_credential: bool) -> DynamicObject {
    let mut v = json!({
        "apiVersion": "jumpstarter.dev/v1alpha1", "kind": "LabClient",
        "metadata": {"name": "alice", "namespace": "lab", "resourceVersion": "12", "uid": "u-1"},
        "spec": {"username": "alice"}
    });
    if with_credential {
        v["status"] = json!({"credential": {"name": "alice-token"}});
    }
    dynamic(v)
}

#[tokio::test]
async fn library_code_over_arc_dyn_traits_with_strict_mocks() {
    let mut custom = MockCustomObjects::new();
    let mut core = MockCoreResources::new();
    let mut seq = Sequence::new();
    custom
        .expect_get_object()
        .withf(|rt, ns, name, _| {
            *rt == ResourceType::of::<LabClient>() && *ns == Some("lab") && name == "alice"
        })
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _, _, _| Ok(lab_client_object(true)));
    core.expect_get_object()
        .withf(|rt, ns, name, _| {
            rt.api.plural == "secrets" && *ns == Some("lab") && name == "alice-token"
        })
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _, _, _| {
            Ok(dynamic(json!({
                "apiVersion": "v1", "kind": "Secret",
                "metadata": {"name": "alice-token", "namespace": "lab"},
                "data": {"token": "czNjcjN0"}
            })))
        });
    let token = client_token(Arc::new(custom), Arc::new(core), "lab", "alice")
        .await
        .unwrap();
    assert_eq!(token.as_deref(), Some("s3cr3t"));
}

#[tokio::test]
async fn errors_pass_through_the_typed_layer_unchanged() {
    let mut custom = MockCustomObjects::new();
    custom
        .expect_get_object()
        .returning(|rt, _, name, _| Err(Error::not_found(rt, name)));
    let custom: Arc<dyn CustomObjects> = Arc::new(custom);
    let err = client_token(
        custom.clone(),
        Arc::new(MockCoreResources::new()),
        "lab",
        "bob",
    )
    .await
    .unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(
        err.status().unwrap().message,
        r#"labclients.jumpstarter.dev "bob" not found"#
    );
    // get_opt turns exactly NotFound into None
    assert!(
        custom
            .get_opt::<LabClient>(Some("lab"), "bob")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn typed_create_sends_a_dynamic_object_with_type_meta_and_the_objects_namespace() {
    let mut custom = MockCustomObjects::new();
    custom
        .expect_create_object()
        .withf(|rt, ns, obj, pp| {
            rt.api.kind == "LabClient"
                && *ns == Some("lab")
                && obj.types.as_ref().is_some_and(|t| {
                    t.api_version == "jumpstarter.dev/v1alpha1" && t.kind == "LabClient"
                })
                && obj.data["spec"]["username"] == "alice"
                && pp.field_manager.as_deref() == Some("tests")
        })
        .times(1)
        .returning(|_, _, obj, _| {
            let mut stored = obj.clone();
            stored.metadata.uid = Some("u-1".into());
            stored.metadata.resource_version = Some("1".into());
            Ok(stored)
        });
    let mut object = LabClient::new(
        "alice",
        LabClientSpec {
            username: Some("alice".into()),
        },
    );
    object.meta_mut().namespace = Some("lab".into());
    let pp = PostParams {
        field_manager: Some("tests".into()),
        ..PostParams::default()
    };
    let created = custom.create(&object, &pp).await.unwrap();
    assert_eq!(created.metadata.uid.as_deref(), Some("u-1"));
    assert_eq!(created.spec, object.spec);
}

#[tokio::test]
async fn typed_list_patch_and_delete_convert_both_ways() {
    let mut core = MockCoreResources::new();
    core.expect_list_objects()
        .withf(|_, ns, lp| *ns == Some("lab") && lp.label_selector.as_deref() == Some("app=lab"))
        .returning(|_, _, _| {
            Ok(ObjectList {
                types: TypeMeta { api_version: "v1".into(), kind: "SecretList".into() },
                metadata: ListMeta { resource_version: Some("40".into()), ..ListMeta::default() },
                items: vec![dynamic(json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "a", "namespace": "lab"}}))],
            })
        });
    core.expect_patch_object()
        .withf(|_, _, name, patch, pp| {
            name == "a" && matches!(patch, Patch::Merge(v) if v["metadata"]["labels"]["released"] == "true")
                && pp.field_manager.is_none()
        })
        .returning(|_, _, _, _, _| {
            Ok(dynamic(json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "a", "namespace": "lab", "labels": {"released": "true"}}})))
        });
    core.expect_delete_object()
        .returning(|_, _, _, _| Ok(Either::Right(kobj_core::kube_core::Status::success())));
    let core: Arc<dyn CoreResources> = Arc::new(core);

    let secrets = core
        .list::<Secret>(Some("lab"), &ListParams::default().labels("app=lab"))
        .await
        .unwrap();
    assert_eq!(secrets.items.len(), 1);
    assert_eq!(secrets.metadata.resource_version.as_deref(), Some("40"));
    let patch = Patch::Merge(json!({"metadata": {"labels": {"released": "true"}}}));
    let patched: Secret = core
        .patch(Some("lab"), "a", &patch, &PatchParams::default())
        .await
        .unwrap();
    assert_eq!(patched.metadata.labels.unwrap()["released"], "true");
    let deleted = core
        .delete::<Secret>(Some("lab"), "a", &DeleteParams::default())
        .await
        .unwrap();
    assert!(deleted.is_right());
}

#[tokio::test]
async fn a_typed_object_that_does_not_match_is_a_decode_error() {
    let mut custom = MockCustomObjects::new();
    custom.expect_get_object().returning(|_, _, _, _| {
        Ok(dynamic(json!({"apiVersion": "jumpstarter.dev/v1alpha1", "kind": "LabClient", "metadata": {"name": "x"}, "spec": {"username": 42}})))
    });
    let err = custom.get::<LabClient>(Some("lab"), "x").await.unwrap_err();
    assert!(err.is_decode(), "{err}");
    assert!(err.to_string().contains("LabClient"), "{err}");
}

#[tokio::test]
async fn the_client_binds_a_namespace_and_swaps_backends() {
    let mut custom = MockCustomObjects::new();
    custom
        .expect_get_object()
        .withf(|_, ns, _, _| *ns == Some("staging"))
        .returning(|_, _, _, _| Ok(lab_client_object(false)));
    let client = Client::new(Arc::new(custom), Arc::new(MockCoreResources::new()), "lab");
    let staging = client.with_namespace("staging");
    assert_eq!(client.namespace(), "lab");
    let found: LabClient = staging
        .custom_objects()
        .get(staging.ns(), "alice")
        .await
        .unwrap();
    assert_eq!(found.spec.username.as_deref(), Some("alice"));
}
