//! kube-rs's own runtime against the server: `kube::runtime::watcher` (paged lists and
//! streaming lists) and `kube::runtime::wait::await_condition`, in-process and over TCP.

use crate::common;

use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kobj_fake::FakeCluster;
use kube::Api;
use kube::api::{ApiResource, DynamicObject, GroupVersionKind, Patch, PatchParams, PostParams};
use kube::runtime::wait::{await_condition, conditions};
use kube::runtime::watcher::{self, Event};
use serde_json::json;

fn widget_resource() -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("test.kobj.dev", "v1", "Widget"),
        "widgets",
    )
}

async fn install_crd(client: &kube::Client) {
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    let crd: CustomResourceDefinition = serde_json::from_value(common::widget_crd()).unwrap();
    crds.create(&PostParams::default(), &crd).await.unwrap();
    let established = await_condition(
        crds,
        "widgets.test.kobj.dev",
        conditions::is_crd_established(),
    );
    tokio::time::timeout(Duration::from_secs(5), established)
        .await
        .unwrap()
        .unwrap();
}

fn widget(name: &str) -> DynamicObject {
    serde_json::from_value(common::widget(name, 1)).unwrap()
}

async fn watcher_sees_the_list_then_changes(client: kube::Client, config: watcher::Config) {
    let widgets: Api<DynamicObject> = Api::namespaced_with(client, "default", &widget_resource());
    widgets
        .create(&PostParams::default(), &widget("before"))
        .await
        .unwrap();
    let mut events = watcher::watcher(widgets.clone(), config).boxed();
    let mut next = async || {
        tokio::time::timeout(Duration::from_secs(5), events.try_next())
            .await
            .expect("a watcher event within 5 s")
            .unwrap()
            .unwrap()
    };
    assert!(matches!(next().await, Event::Init));
    match next().await {
        Event::InitApply(obj) => assert_eq!(obj.metadata.name.as_deref(), Some("before")),
        other => panic!("expected InitApply, got {other:?}"),
    }
    assert!(matches!(next().await, Event::InitDone));
    widgets
        .create(&PostParams::default(), &widget("after"))
        .await
        .unwrap();
    match next().await {
        Event::Apply(obj) => assert_eq!(obj.metadata.name.as_deref(), Some("after")),
        other => panic!("expected Apply, got {other:?}"),
    }
    widgets.delete("before", &Default::default()).await.unwrap();
    match next().await {
        Event::Delete(obj) => assert_eq!(obj.metadata.name.as_deref(), Some("before")),
        other => panic!("expected Delete, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watcher_in_process() {
    let cluster = FakeCluster::new();
    let client = kobj_server::in_process_client(&cluster);
    install_crd(&client).await;
    watcher_sees_the_list_then_changes(client, watcher::Config::default()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watcher_with_streaming_lists_over_tcp() {
    let cluster = FakeCluster::new();
    let running = kobj_server::start(cluster, Default::default())
        .await
        .unwrap();
    let client = kube::Client::try_from(kube::Config::new(running.url().parse().unwrap())).unwrap();
    install_crd(&client).await;
    watcher_sees_the_list_then_changes(client, watcher::Config::default().streaming_lists()).await;
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn await_condition_until_status_and_until_deleted() {
    let cluster = FakeCluster::new();
    let running = kobj_server::start(cluster, Default::default())
        .await
        .unwrap();
    let client = kube::Client::try_from(kube::Config::new(running.url().parse().unwrap())).unwrap();
    install_crd(&client).await;
    let widgets: Api<DynamicObject> = Api::namespaced_with(client, "default", &widget_resource());
    let mut held = widget("held");
    held.metadata.finalizers = Some(vec!["test.kobj.dev/hold".into()]);
    let created = widgets.create(&PostParams::default(), &held).await.unwrap();
    let uid = created.metadata.uid.clone().unwrap();

    // A "controller" marks the widget Ready a little later.
    let controller = widgets.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let status = json!({"status": {"conditions": [{"type": "Ready", "status": "True"}]}});
        controller
            .patch_status("held", &PatchParams::default(), &Patch::Merge(status))
            .await
            .unwrap();
    });
    let ready = |obj: Option<&DynamicObject>| {
        obj.and_then(|o| o.data.pointer("/status/conditions/0/status"))
            .is_some_and(|s| s == "True")
    };
    let seen = tokio::time::timeout(
        Duration::from_secs(5),
        await_condition(widgets.clone(), "held", ready),
    )
    .await
    .unwrap()
    .unwrap()
    .unwrap();
    assert_eq!(seen.data["status"]["conditions"][0]["type"], "Ready");

    // Deleting waits for the finalizer; removing it completes the delete.
    widgets.delete("held", &Default::default()).await.unwrap();
    let releaser = widgets.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let patch = json!({"metadata": {"finalizers": null}});
        releaser
            .patch("held", &PatchParams::default(), &Patch::Merge(patch))
            .await
            .unwrap();
    });
    tokio::time::timeout(
        Duration::from_secs(5),
        await_condition(widgets.clone(), "held", conditions::is_deleted(&uid)),
    )
    .await
    .unwrap()
    .unwrap();
    assert!(widgets.get_opt("held").await.unwrap().is_none());
    running.shutdown().await;
}

/// kube-runtime's event `Recorder`, as operators use it: the first publish creates an
/// events.k8s.io/v1 Event, a repeat merge-patches its `series`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_recorder_creates_then_counts_a_series() {
    use k8s_openapi::api::core::v1::ConfigMap;
    use k8s_openapi::api::events::v1::Event as K8sEvent;
    use kube::Resource;
    use kube::runtime::events::{Event as RecordedEvent, EventType, Recorder, Reporter};

    let cluster = FakeCluster::new();
    let client = kobj_server::in_process_client(&cluster);
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let cm: ConfigMap = serde_json::from_value(json!({"metadata": {"name": "settings"}})).unwrap();
    let cm = cms.create(&PostParams::default(), &cm).await.unwrap();

    let reporter = Reporter {
        controller: "settings-controller".into(),
        instance: Some("settings-controller-0".into()),
    };
    let recorder = Recorder::new(client.clone(), reporter);
    let event = RecordedEvent {
        type_: EventType::Normal,
        reason: "Reconciled".into(),
        note: Some("all settings applied".into()),
        action: "Reconcile".into(),
        secondary: None,
    };
    let reference = cm.object_ref(&());
    recorder.publish(&event, &reference).await.unwrap();
    recorder.publish(&event, &reference).await.unwrap();
    recorder.publish(&event, &reference).await.unwrap();

    let events: Api<K8sEvent> = Api::namespaced(client.clone(), "default");
    let listed = events.list(&Default::default()).await.unwrap();
    assert_eq!(listed.items.len(), 1, "{:?}", listed.items);
    let e = &listed.items[0];
    assert_eq!(e.reason.as_deref(), Some("Reconciled"));
    assert_eq!(e.note.as_deref(), Some("all settings applied"));
    assert_eq!(
        e.reporting_controller.as_deref(),
        Some("settings-controller")
    );
    assert_eq!(
        e.regarding.as_ref().and_then(|r| r.name.as_deref()),
        Some("settings")
    );
    assert_eq!(e.series.as_ref().map(|s| s.count), Some(3));

    // The same Event through core/v1, as `kubectl get events` and `kubectl describe` list
    // them: one storage, two views.
    let core: Api<k8s_openapi::api::core::v1::Event> = Api::namespaced(client, "default");
    let lp = kube::api::ListParams::default()
        .fields("involvedObject.name=settings,involvedObject.kind=ConfigMap");
    let listed = core.list(&lp).await.unwrap();
    assert_eq!(listed.items.len(), 1, "{:?}", listed.items);
    let c = &listed.items[0];
    assert_eq!(c.metadata.uid, e.metadata.uid);
    assert_eq!(c.message.as_deref(), Some("all settings applied"));
    assert_eq!(
        c.reporting_component.as_deref(),
        Some("settings-controller")
    );
    assert_eq!(c.involved_object.uid, cm.metadata.uid);
    assert_eq!(c.series.as_ref().and_then(|s| s.count), Some(3));
}

/// kube-rs's `Api::<Pod>::logs` and `log_stream` read what a test wrote.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kube_client_reads_pod_logs() {
    use futures::AsyncBufReadExt;
    use k8s_openapi::api::core::v1::Pod;
    use kube::api::LogParams;

    let cluster = FakeCluster::new();
    let pod: DynamicObject = serde_json::from_value(json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "app", "namespace": "default"},
        "spec": {"nodeName": "node-1", "containers": [{"name": "main", "image": "busybox"}]}}))
    .unwrap();
    cluster.load_objects(vec![pod]).unwrap();
    cluster
        .append_container_log("default", "app", "main", "a\nb\nc\n")
        .unwrap();
    let pods: Api<Pod> = Api::namespaced(kobj_server::in_process_client(&cluster), "default");
    let text = pods
        .logs(
            "app",
            &LogParams {
                tail_lines: Some(2),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(text, "b\nc\n");
    let lines: Vec<String> = pods
        .log_stream("app", &LogParams::default())
        .await
        .unwrap()
        .lines()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(lines, ["a", "b", "c"]);
    let err = pods
        .logs(
            "app",
            &LogParams {
                container: Some("nope".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    match err {
        kube::Error::Api(s) => {
            assert_eq!(s.code, 400);
            assert_eq!(s.message, "container nope is not valid for pod app");
        }
        other => panic!("{other:?}"),
    }
}
