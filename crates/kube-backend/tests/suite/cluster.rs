//! Against a real cluster, when `KOBJ_TEST_KUBECONFIG` names a kubeconfig (optionally
//! `KOBJ_TEST_CONTEXT` and `KOBJ_TEST_NAMESPACE`, default `default`). Without it, the test
//! prints a note and passes.
//!
//! ```text
//! KOBJ_TEST_KUBECONFIG=~/.kube/config cargo test -p kobj-kube --test suite cluster:: -- --nocapture
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::core::v1::ConfigMap;
use kobj_core::{CoreResources, CoreResourcesExt, ResourceType};
use kube_core::params::{
    DeleteParams, GetParams, ListParams, Patch, PatchParams, PostParams, WatchParams,
};
use kube_core::{GroupVersionKind, ObjectMeta, WatchEvent};
use serde_json::json;

#[tokio::test]
async fn workflow_against_a_real_cluster() {
    let Some(kubeconfig) = std::env::var_os("KOBJ_TEST_KUBECONFIG") else {
        eprintln!("note: KOBJ_TEST_KUBECONFIG is not set; skipping the real-cluster test");
        return;
    };
    let mut options = kobj_kube::Connect::default().kubeconfig(kubeconfig);
    if let Ok(context) = std::env::var("KOBJ_TEST_CONTEXT") {
        options = options.context(context);
    }
    let namespace = std::env::var("KOBJ_TEST_NAMESPACE").unwrap_or_else(|_| "default".into());
    let backend = options.namespace(&namespace).backend().await.unwrap();
    let version = backend.server_version().await.unwrap();
    eprintln!(
        "connected to Kubernetes {}.{} in {namespace}",
        version.major, version.minor
    );

    let rt = backend
        .resolve(&GroupVersionKind::gvk("", "v1", "ConfigMap"))
        .await
        .unwrap();
    assert_eq!(rt, ResourceType::of::<ConfigMap>());
    let core: Arc<dyn CoreResources> = Arc::new(backend.clone());
    let ns = Some(namespace.as_str());
    let name = format!("kobj-kube-test-{}", std::process::id());
    let labels = BTreeMap::from([("kobj-test".to_string(), name.clone())]);
    let cm = ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: Some(namespace.clone()),
            labels: Some(labels),
            ..Default::default()
        },
        data: Some(BTreeMap::from([("k".to_string(), "v1".to_string())])),
        ..Default::default()
    };

    let created: ConfigMap = core.create(&cm, &PostParams::default()).await.unwrap();
    let rv = created.metadata.resource_version.clone().unwrap();
    let dup = core.create(&cm, &PostParams::default()).await.unwrap_err();
    assert!(dup.is_already_exists(), "{dup:?}");

    let mut watch = core
        .watch_objects(
            &rt,
            ns,
            &WatchParams::default().fields(&format!("metadata.name={name}")),
            &rv,
        )
        .await
        .unwrap();

    let patch = Patch::Merge(json!({"data": {"k": "v2"}}));
    let patched = core
        .patch_object(&rt, ns, &name, &patch, &PatchParams::default())
        .await
        .unwrap();
    assert_eq!(patched.data["data"]["k"], json!("v2"));
    let event = tokio::time::timeout(Duration::from_secs(30), watch.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(
        matches!(event, WatchEvent::Modified(ref o) if o.data["data"]["k"] == json!("v2")),
        "{event:?}"
    );

    let mut stale = created.clone();
    stale.data = Some(BTreeMap::from([("k".to_string(), "stale".to_string())]));
    let stale = serde_json::from_value(serde_json::to_value(&stale).unwrap()).unwrap();
    let err = core
        .replace_object(&rt, ns, &name, &stale, &PostParams::default())
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "{err:?}");

    let list = core
        .list_objects(
            &rt,
            ns,
            &ListParams::default().labels(&format!("kobj-test={name}")),
        )
        .await
        .unwrap();
    assert_eq!(list.items.len(), 1);

    let apply = Patch::Apply(
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": "v3"}}),
    );
    let applied = core
        .patch_object(
            &rt,
            ns,
            &name,
            &apply,
            &PatchParams::apply("kobj-test").force(),
        )
        .await
        .unwrap();
    assert_eq!(applied.data["data"]["k"], json!("v3"));

    core.delete_object(&rt, ns, &name, &DeleteParams::default())
        .await
        .unwrap();
    let err = core
        .get_object(&rt, ns, &name, &GetParams::default())
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    let err = core
        .get_object(
            &rt,
            ns,
            "kobj-kube-test-does-not-exist",
            &GetParams::default(),
        )
        .await
        .unwrap_err();
    assert!(err.is_not_found());
}
