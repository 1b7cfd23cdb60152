//! Built-in kinds through `CoreResources`, and the backend behind `kobj_core::Client`, the
//! `dyn` traits and the typed layer.

use crate::common;

use common::*;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kobj_core::{CoreResources, ResourceType};
use kube_core::params::{DeleteParams, GetParams, ListParams, Patch, PatchParams};
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn answering(body: Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn built_in_kinds_take_the_same_paths_as_the_typed_api() {
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "lab"}, "data": {"k": "v"}});
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::path("/api/v1/configmaps"))
        .respond_with(ResponseTemplate::new(200).set_body_json(list_of(
            "ConfigMap",
            "v1",
            "5",
            // As the API server sends built-in items: without apiVersion and kind.
            vec![json!({"metadata": {"name": "c", "namespace": "lab"}, "data": {"k": "v"}})],
        )))
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(cm.clone()))
        .mount(&server)
        .await;
    let backend = backend(&server);
    let configmaps = ResourceType::of::<ConfigMap>();
    let got = CoreResources::get_object(
        &backend,
        &configmaps,
        Some("lab"),
        "c",
        &GetParams::default(),
    )
    .await
    .unwrap();
    assert_eq!(got.data["data"]["k"], json!("v"));
    let patch = Patch::Strategic(json!({"data": {"k": "w"}}));
    CoreResources::patch_object(
        &backend,
        &configmaps,
        Some("lab"),
        "c",
        &patch,
        &PatchParams::default(),
    )
    .await
    .unwrap();
    CoreResources::get_object(
        &backend,
        &ResourceType::of::<Namespace>(),
        None,
        "lab",
        &GetParams::default(),
    )
    .await
    .unwrap();
    CoreResources::get_object(
        &backend,
        &ResourceType::of::<Lease>(),
        Some("lab"),
        "leader",
        &GetParams::default(),
    )
    .await
    .unwrap();
    let list = CoreResources::list_objects(&backend, &configmaps, None, &ListParams::default())
        .await
        .unwrap();
    let types = list.items[0].types.as_ref().unwrap();
    assert_eq!(
        (types.api_version.as_str(), types.kind.as_str()),
        ("v1", "ConfigMap")
    );
    let seen = requests(&server).await;
    let lines: Vec<String> = seen
        .iter()
        .map(|r| format!("{} {}", r.method, path_and_query(r)))
        .collect();
    assert_eq!(
        lines,
        [
            "GET /api/v1/namespaces/lab/configmaps/c",
            "PATCH /api/v1/namespaces/lab/configmaps/c?",
            "GET /api/v1/namespaces/lab",
            "GET /apis/coordination.k8s.io/v1/namespaces/lab/leases/leader",
            "GET /api/v1/configmaps?",
        ]
    );
    assert_eq!(
        header(&seen[1], "content-type"),
        "application/strategic-merge-patch+json"
    );
}

#[tokio::test]
async fn through_the_namespaced_client_dyn_traits_and_the_typed_layer() {
    use kobj_core::{CoreResourcesExt, CustomObjects};
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "c", "namespace": "lab"}, "data": {"k": "v"}});
    let server = answering(cm).await;
    let backend = backend(&server);
    assert_eq!(backend.client().namespace(), "default");
    let client = backend.client_in("lab");
    let typed: ConfigMap = client.core().get(client.ns(), "c").await.unwrap();
    assert_eq!(typed.data.unwrap()["k"], "v");
    let custom: std::sync::Arc<dyn CustomObjects> = client.custom_objects().clone();
    custom
        .get_object(&widgets(), client.ns(), "w1", &GetParams::default())
        .await
        .unwrap();
    let other = client.with_namespace("staging");
    other
        .custom_objects()
        .delete_object(&widgets(), other.ns(), "w1", &DeleteParams::default())
        .await
        .unwrap();
    let lines: Vec<String> = requests(&server)
        .await
        .iter()
        .map(|r| format!("{} {}", r.method, r.url.path()))
        .collect();
    assert_eq!(
        lines,
        [
            "GET /api/v1/namespaces/lab/configmaps/c",
            "GET /apis/example.com/v1/namespaces/lab/widgets/w1",
            "DELETE /apis/example.com/v1/namespaces/staging/widgets/w1",
        ]
    );
}
