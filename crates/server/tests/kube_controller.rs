//! A kube-runtime `Controller` with the `finalizer` helper, the way operators are written,
//! against the fake: the helper's first patch (`test /metadata/finalizers null`, then
//! `add`) is taken, the reconciler's writes land, and deletion waits for the cleanup.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::core::v1::ConfigMap;
use kobj_fake::FakeCluster;
use kube::Api;
use kube::api::{DeleteParams, Patch, PatchParams, PostParams};
use kube::runtime::controller::{Action, Controller};
use kube::runtime::finalizer::{Event, finalizer};
use kube::runtime::wait::{await_condition, conditions};
use kube::runtime::watcher;
use serde_json::json;

const FINALIZER: &str = "settings.kobj.dev/cleanup";

struct Ctx {
    api: Api<ConfigMap>,
    cleaned: Mutex<Vec<String>>,
}

async fn reconcile(
    cm: Arc<ConfigMap>,
    ctx: Arc<Ctx>,
) -> Result<Action, kube::runtime::finalizer::Error<kube::Error>> {
    let api = ctx.api.clone();
    finalizer(&ctx.api.clone(), FINALIZER, cm, |event| async move {
        match event {
            Event::Apply(cm) => {
                let name = cm.metadata.name.clone().unwrap_or_default();
                let patch =
                    Patch::Merge(json!({"metadata": {"annotations": {"reconciled": "yes"}}}));
                api.patch(&name, &PatchParams::default(), &patch).await?;
                Ok(Action::await_change())
            }
            Event::Cleanup(cm) => {
                let name = cm.metadata.name.clone().unwrap_or_default();
                ctx.cleaned.lock().unwrap().push(name);
                Ok(Action::await_change())
            }
        }
    })
    .await
}

fn error_policy(
    _: Arc<ConfigMap>,
    _: &kube::runtime::finalizer::Error<kube::Error>,
    _: Arc<Ctx>,
) -> Action {
    Action::requeue(Duration::from_millis(50))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_controller_with_a_finalizer_reconciles_then_cleans_up() {
    let cluster = FakeCluster::new();
    let client = kobj_server::in_process_client(&cluster);
    let cms: Api<ConfigMap> = Api::namespaced(client, "default");
    let ctx = Arc::new(Ctx {
        api: cms.clone(),
        cleaned: Mutex::new(Vec::new()),
    });
    let controller = tokio::spawn(
        Controller::new(cms.clone(), watcher::Config::default())
            .run(reconcile, error_policy, ctx.clone())
            .for_each(|_| async {}),
    );

    let cm: ConfigMap = serde_json::from_value(json!({"metadata": {"name": "settings"}})).unwrap();
    let created = cms.create(&PostParams::default(), &cm).await.unwrap();
    let reconciled = await_condition(cms.clone(), "settings", |cm: Option<&ConfigMap>| {
        cm.is_some_and(|cm| {
            cm.metadata.finalizers.as_deref() == Some(&[FINALIZER.to_string()][..])
                && cm
                    .metadata
                    .annotations
                    .as_ref()
                    .is_some_and(|a| a.get("reconciled").map(String::as_str) == Some("yes"))
        })
    });
    tokio::time::timeout(Duration::from_secs(10), reconciled)
        .await
        .unwrap()
        .unwrap();

    // Deleting waits for the finalizer; the controller's cleanup removes it.
    cms.delete("settings", &DeleteParams::default())
        .await
        .unwrap();
    let uid = created.metadata.uid.clone().unwrap();
    let gone = await_condition(cms.clone(), "settings", conditions::is_deleted(&uid));
    tokio::time::timeout(Duration::from_secs(10), gone)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(*ctx.cleaned.lock().unwrap(), ["settings"]);
    controller.abort();
}
