//! Fault injection through the HTTP layer: injected delays on writes must not stall the server
//! (the fake's synchronous write path sleeps its thread, so the router moves such writes off
//! the async workers), and injected errors arrive as Status responses.

use std::time::Duration;

use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kobj_fake::FakeCluster;
use kobj_fake::actions::{ActionFilter, Verb};
use kobj_fake::faults::{Fault, FaultError};
use kube::Api;
use kube::api::{ListParams, PostParams};

fn config_map(name: &str) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.into()),
            ..ObjectMeta::default()
        },
        ..ConfigMap::default()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_delayed_write_does_not_stall_other_requests() {
    let cluster = FakeCluster::new();
    cluster.faults().add(
        Fault::on(Verb::Create)
            .resource("configmaps")
            .delay(Duration::from_millis(500))
            .once(),
    );
    let api: Api<ConfigMap> = Api::namespaced(kobj_server::in_process_client(&cluster), "default");
    let slow = tokio::spawn({
        let api = api.clone();
        async move {
            api.create(&PostParams::default(), &config_map("slow"))
                .await
        }
    });
    // Let the spawned create reach the fake and start its injected delay.
    tokio::time::sleep(Duration::from_millis(20)).await;
    // On this single-threaded runtime, a read can finish only if the delayed write is not
    // sleeping on the runtime's thread.
    let listed = api.list(&ListParams::default()).await.unwrap();
    assert!(listed.items.is_empty());
    assert!(
        !slow.is_finished(),
        "the list should finish while the create is still delayed"
    );
    let created = slow.await.unwrap().unwrap();
    assert_eq!(created.metadata.name.as_deref(), Some("slow"));
}

#[tokio::test]
async fn an_injected_error_on_an_http_write_is_a_status_and_stores_nothing() {
    let cluster = FakeCluster::new();
    cluster.faults().add(
        Fault::on(Verb::Create)
            .resource("configmaps")
            .error_kind(FaultError::Conflict)
            .once(),
    );
    let api: Api<ConfigMap> = Api::namespaced(kobj_server::in_process_client(&cluster), "default");
    let err = api
        .create(&PostParams::default(), &config_map("a"))
        .await
        .unwrap_err();
    match err {
        kube::Error::Api(status) => assert_eq!(status.code, 409),
        other => panic!("expected an API error, got {other:?}"),
    }
    assert!(api.get_opt("a").await.unwrap().is_none());
    // the fault fired once; the retry goes through and both are in the action log
    api.create(&PostParams::default(), &config_map("a"))
        .await
        .unwrap();
    assert_eq!(
        cluster
            .actions()
            .count(&ActionFilter::verb(Verb::Create).resource("configmaps")),
        2
    );
}
