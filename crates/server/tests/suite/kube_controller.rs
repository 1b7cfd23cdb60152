//! A kube-runtime `Controller` with the `finalizer` helper, the way operators are written,
//! against the fake: the helper's first patch (`test /metadata/finalizers null`, then
//! `add`) is taken, the reconciler's writes land, and deletion waits for the cleanup.

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

/// A controller that owns what it makes: it applies a Secret owned by each ConfigMap
/// (server-side apply, a controller reference), is woken by the Secret's deletion through
/// `owns` and makes it again, and the garbage collector removes the Secret with its owner.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_controller_remakes_what_it_owns_and_the_collector_removes_it() {
    use k8s_openapi::api::core::v1::Secret;
    use kube::Resource;

    struct Owner {
        secrets: Api<Secret>,
    }
    async fn make_secret(cm: Arc<ConfigMap>, ctx: Arc<Owner>) -> Result<Action, kube::Error> {
        let name = format!("{}-secret", cm.metadata.name.clone().unwrap_or_default());
        let mut secret: Secret = serde_json::from_value(json!({
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": name}, "stringData": {"token": "t0k"}
        }))
        .unwrap();
        secret.metadata.owner_references = cm.controller_owner_ref(&()).map(|r| vec![r]);
        ctx.secrets
            .patch(
                &name,
                &PatchParams::apply("owner-controller").force(),
                &Patch::Apply(&secret),
            )
            .await?;
        Ok(Action::await_change())
    }
    fn retry(_: Arc<ConfigMap>, _: &kube::Error, _: Arc<Owner>) -> Action {
        Action::requeue(Duration::from_millis(50))
    }

    let cluster = FakeCluster::new();
    let client = kobj_server::in_process_client(&cluster);
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let secrets: Api<Secret> = Api::namespaced(client, "default");
    let ctx = Arc::new(Owner {
        secrets: secrets.clone(),
    });
    let controller = tokio::spawn(
        Controller::new(cms.clone(), watcher::Config::default())
            .owns(secrets.clone(), watcher::Config::default())
            .run(make_secret, retry, ctx)
            .for_each(|_| async {}),
    );
    let exists = |secrets: Api<Secret>| async move {
        let made = await_condition(secrets, "app-secret", |s: Option<&Secret>| s.is_some());
        tokio::time::timeout(Duration::from_secs(10), made)
            .await
            .unwrap()
            .unwrap()
            .unwrap()
    };

    let cm: ConfigMap = serde_json::from_value(json!({"metadata": {"name": "app"}})).unwrap();
    let cm = cms.create(&PostParams::default(), &cm).await.unwrap();
    let first = exists(secrets.clone()).await;
    let owner = &first.metadata.owner_references.as_ref().unwrap()[0];
    assert_eq!(owner.uid, cm.metadata.uid.clone().unwrap());
    assert_eq!(owner.controller, Some(true));
    assert_eq!(
        first.data.as_ref().unwrap()["token"].0,
        b"t0k".to_vec(),
        "stringData is folded into data"
    );

    // Deleted by someone else: the controller hears of it through `owns` and makes it again.
    secrets
        .delete("app-secret", &DeleteParams::default())
        .await
        .unwrap();
    let first_uid = first.metadata.uid.clone().unwrap();
    let again = await_condition(secrets.clone(), "app-secret", move |s: Option<&Secret>| {
        s.is_some_and(|s| s.metadata.uid.as_deref() != Some(first_uid.as_str()))
    });
    tokio::time::timeout(Duration::from_secs(10), again)
        .await
        .unwrap()
        .unwrap();

    // The owner goes: the collector takes the Secret with it.
    controller.abort();
    cms.delete("app", &DeleteParams::default()).await.unwrap();
    let second = secrets.get("app-secret").await;
    assert!(
        matches!(second, Err(kube::Error::Api(ref s)) if s.code == 404),
        "{second:?}"
    );
}
