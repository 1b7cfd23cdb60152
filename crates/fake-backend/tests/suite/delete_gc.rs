//! Rules 28–33: delete, preconditions, propagation, garbage collection, deletecollection.

use crate::common;

use common::*;
use kobj_core::CustomObjects;
use kube_core::params::{
    DeleteParams, GetParams, ListParams, PostParams, Preconditions, PropagationPolicy,
};
use serde_json::json;

async fn owned(
    c: &kobj_fake::FakeCluster,
    name: &str,
    owner: &kube_core::DynamicObject,
    block: bool,
) {
    let mut w = widget(name, json!({}));
    w.metadata.owner_references = Some(vec![
        serde_json::from_value(json!({
            "apiVersion": "example.com/v1", "kind": "Widget",
            "name": owner.metadata.name, "uid": owner.metadata.uid, "blockOwnerDeletion": block
        }))
        .unwrap(),
    ]);
    c.create_object(&widgets(), Some("default"), &w, &PostParams::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn immediate_delete_returns_success_status() {
    let c = cluster().await;
    let a = c
        .create_object(
            &widgets(),
            Some("default"),
            &widget("a", json!({})),
            &PostParams::default(),
        )
        .await
        .unwrap();
    let s = c
        .delete_object(&widgets(), Some("default"), "a", &DeleteParams::default())
        .await
        .unwrap()
        .right()
        .unwrap();
    assert_eq!(s.status, Some(kube_core::response::StatusSummary::Success));
    let d = s.details.unwrap();
    assert_eq!(
        (d.name.as_str(), d.group.as_str(), d.kind.as_str()),
        ("a", "example.com", "widgets")
    );
    assert_eq!(Some(d.uid), a.metadata.uid);
    let e = c
        .delete_object(&widgets(), Some("default"), "a", &DeleteParams::default())
        .await
        .unwrap_err();
    assert!(e.is_not_found());
}

#[tokio::test]
async fn preconditions() {
    let c = cluster().await;
    c.create_object(
        &widgets(),
        Some("default"),
        &widget("a", json!({})),
        &PostParams::default(),
    )
    .await
    .unwrap();
    let before = c.dump_yaml().unwrap();
    let dp = DeleteParams {
        preconditions: Some(Preconditions {
            uid: Some("x".into()),
            resource_version: None,
        }),
        ..Default::default()
    };
    let e = c
        .delete_object(&widgets(), Some("default"), "a", &dp)
        .await
        .unwrap_err();
    assert!(e.is_conflict());
    assert!(message(&e).starts_with("Operation cannot be fulfilled on Widget.example.com \"a\": the UID in the precondition (x) does not match the UID in record ("), "{}", message(&e));
    assert_eq!(c.dump_yaml().unwrap(), before);
}

#[tokio::test]
async fn background_collects_dependents_but_not_those_with_another_owner() {
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
    let other = c
        .create_object(
            &widgets(),
            Some("default"),
            &widget("other", json!({})),
            &PostParams::default(),
        )
        .await
        .unwrap();
    owned(&c, "dep", &owner, false).await;
    let mut two = widget("two", json!({}));
    two.metadata.owner_references = Some(vec![
        serde_json::from_value(json!({"apiVersion": "example.com/v1", "kind": "Widget", "name": "owner", "uid": owner.metadata.uid})).unwrap(),
        serde_json::from_value(json!({"apiVersion": "example.com/v1", "kind": "Widget", "name": "other", "uid": other.metadata.uid})).unwrap(),
    ]);
    c.create_object(&widgets(), Some("default"), &two, &PostParams::default())
        .await
        .unwrap();
    delete_in_background(&c, "owner").await;
    assert!(!exists(&c, "dep").await);
    assert!(exists(&c, "two").await);
    let survivor = c
        .get_object(&widgets(), Some("default"), "two", &GetParams::default())
        .await
        .unwrap();
    assert_eq!(survivor.metadata.owner_references.unwrap().len(), 1);
}

#[tokio::test]
async fn foreground_waits_for_blocking_dependents() {
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
    let mut held = widget("held", json!({}));
    held.metadata.finalizers = Some(vec!["example.com/x".into()]);
    held.metadata.owner_references = Some(vec![serde_json::from_value(json!({"apiVersion": "example.com/v1", "kind": "Widget", "name": "owner", "uid": owner.metadata.uid, "blockOwnerDeletion": true})).unwrap()]);
    c.create_object(&widgets(), Some("default"), &held, &PostParams::default())
        .await
        .unwrap();
    let dp = DeleteParams {
        propagation_policy: Some(PropagationPolicy::Foreground),
        ..Default::default()
    };
    let out = c
        .delete_object(&widgets(), Some("default"), "owner", &dp)
        .await
        .unwrap()
        .left()
        .unwrap();
    assert!(
        out.metadata
            .finalizers
            .unwrap()
            .contains(&"foregroundDeletion".to_string())
    );
    assert!(exists(&c, "owner").await, "held by a blocking dependent");
    let patch = kube_core::params::Patch::Merge(json!({"metadata": {"finalizers": null}}));
    c.patch_object(
        &widgets(),
        Some("default"),
        "held",
        &patch,
        &Default::default(),
    )
    .await
    .unwrap();
    assert!(!exists(&c, "held").await);
    assert!(!exists(&c, "owner").await);
}

/// A Foreground cascade down a chain whose middle link does not block: each dependent
/// with dependents of its own is deleted in Foreground before the owner above it can go
/// (the controller queues an owner's dependents ahead of the owner), so the link below the
/// non-blocking one still waits for its held dependent, though its owner is gone.
#[tokio::test]
async fn foreground_chain_waits_below_a_non_blocking_link() {
    let c = cluster().await;
    let create = |w: kube_core::DynamicObject| {
        let c = c.clone();
        async move {
            c.create_object(&widgets(), Some("default"), &w, &PostParams::default())
                .await
                .unwrap()
        }
    };
    let root = create(widget("root", json!({}))).await;
    owned(&c, "a", &root, false).await;
    let a = c
        .get_object(&widgets(), Some("default"), "a", &GetParams::default())
        .await
        .unwrap();
    let mut b = widget("b", json!({}));
    b.metadata.owner_references = Some(vec![serde_json::from_value(json!({"apiVersion": "example.com/v1", "kind": "Widget", "name": "a", "uid": a.metadata.uid})).unwrap()]);
    let b = create(b).await;
    // `c` blocks nothing above it: its owner `b` may go before it.
    owned(&c, "c", &b, false).await;
    let cc = c
        .get_object(&widgets(), Some("default"), "c", &GetParams::default())
        .await
        .unwrap();
    let mut held = widget("held", json!({}));
    held.metadata.finalizers = Some(vec!["example.com/x".into()]);
    held.metadata.owner_references = Some(vec![serde_json::from_value(json!({"apiVersion": "example.com/v1", "kind": "Widget", "name": "c", "uid": cc.metadata.uid, "blockOwnerDeletion": true})).unwrap()]);
    create(held).await;

    let dp = DeleteParams {
        propagation_policy: Some(PropagationPolicy::Foreground),
        ..Default::default()
    };
    c.delete_object(&widgets(), Some("default"), "root", &dp)
        .await
        .unwrap();
    for gone in ["root", "a", "b"] {
        assert!(!exists(&c, gone).await, "{gone}");
    }
    let waiting = c
        .get_object(&widgets(), Some("default"), "c", &GetParams::default())
        .await
        .unwrap();
    assert!(waiting.metadata.deletion_timestamp.is_some());
    assert_eq!(
        waiting.metadata.finalizers,
        Some(vec!["foregroundDeletion".to_string()])
    );
    let held = c
        .get_object(&widgets(), Some("default"), "held", &GetParams::default())
        .await
        .unwrap();
    assert!(held.metadata.deletion_timestamp.is_some());
    // Releasing the held end lets the rest of the chain go.
    let patch = kube_core::params::Patch::Merge(json!({"metadata": {"finalizers": null}}));
    c.patch_object(
        &widgets(),
        Some("default"),
        "held",
        &patch,
        &Default::default(),
    )
    .await
    .unwrap();
    assert!(!exists(&c, "held").await);
    assert!(!exists(&c, "c").await);
}

#[tokio::test]
async fn orphan_strips_owner_references() {
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
    owned(&c, "dep", &owner, true).await;
    let dp = DeleteParams {
        propagation_policy: Some(PropagationPolicy::Orphan),
        ..Default::default()
    };
    c.delete_object(&widgets(), Some("default"), "owner", &dp)
        .await
        .unwrap();
    assert!(!exists(&c, "owner").await);
    let dep = c
        .get_object(&widgets(), Some("default"), "dep", &GetParams::default())
        .await
        .unwrap();
    assert!(dep.metadata.owner_references.is_none());
}

#[tokio::test]
async fn cycles_do_not_block() {
    let c = cluster().await;
    let a = c
        .create_object(
            &widgets(),
            Some("default"),
            &widget("a", json!({})),
            &PostParams::default(),
        )
        .await
        .unwrap();
    owned(&c, "b", &a, true).await;
    let b = c
        .get_object(&widgets(), Some("default"), "b", &GetParams::default())
        .await
        .unwrap();
    let patch = kube_core::params::Patch::Merge(
        json!({"metadata": {"ownerReferences": [{"apiVersion": "example.com/v1", "kind": "Widget", "name": "b", "uid": b.metadata.uid, "blockOwnerDeletion": true}]}}),
    );
    c.patch_object(
        &widgets(),
        Some("default"),
        "a",
        &patch,
        &Default::default(),
    )
    .await
    .unwrap();
    let dp = DeleteParams {
        propagation_policy: Some(PropagationPolicy::Foreground),
        ..Default::default()
    };
    c.delete_object(&widgets(), Some("default"), "a", &dp)
        .await
        .unwrap();
    assert!(!exists(&c, "a").await);
    assert!(!exists(&c, "b").await);
}

#[tokio::test]
async fn delete_collection_returns_affected_items_and_dry_run_keeps_them() {
    let c = cluster().await;
    for (n, app) in [("a", "x"), ("b", "x"), ("c", "y")] {
        c.create_object(
            &widgets(),
            Some("default"),
            &widget_labeled(n, json!({"app": app})),
            &PostParams::default(),
        )
        .await
        .unwrap();
    }
    let before = c.dump_yaml().unwrap();
    let dry = DeleteParams {
        dry_run: true,
        ..Default::default()
    };
    let out = c
        .delete_collection(
            &widgets(),
            Some("default"),
            &dry,
            &ListParams::default().labels("app=x"),
        )
        .await
        .unwrap()
        .left()
        .unwrap();
    assert_eq!(out.items.len(), 2);
    assert_eq!(c.dump_yaml().unwrap(), before);
    let out = c
        .delete_collection(
            &widgets(),
            Some("default"),
            &DeleteParams::default(),
            &ListParams::default().labels("app=x"),
        )
        .await
        .unwrap()
        .left()
        .unwrap();
    let names: Vec<_> = out
        .items
        .iter()
        .map(|o| o.metadata.name.clone().unwrap())
        .collect();
    assert_eq!(names, ["a", "b"]);
    assert!(exists(&c, "c").await);
    assert!(!exists(&c, "a").await);
}

#[tokio::test]
async fn crd_deletion_removes_objects_and_type() {
    let c = cluster().await;
    c.create_object(
        &widgets(),
        Some("default"),
        &widget("a", json!({})),
        &PostParams::default(),
    )
    .await
    .unwrap();
    let crds = kobj_fake::crd_type();
    let out = kobj_core::CoreResources::delete_object(
        &c,
        &crds,
        None,
        "widgets.example.com",
        &DeleteParams::default(),
    )
    .await
    .unwrap();
    let crd = out.left().unwrap();
    assert!(
        crd.metadata
            .finalizers
            .unwrap()
            .contains(&kobj_fake::CLEANUP_FINALIZER.to_string())
    );
    let e = c
        .list_objects(&widgets(), Some("default"), &ListParams::default())
        .await
        .unwrap_err();
    assert!(e.is_not_found());
    assert!(
        c.resource_type_for_plural("example.com", "v1", "widgets")
            .is_none()
    );
}

/// A delete answers with the object for the kinds whose storage sets `ReturnDeletedObject`
/// (ServiceAccounts, Services, PersistentVolumeClaims, …) and with a Status for the others.
#[tokio::test]
async fn delete_answers_with_the_object_where_the_storage_returns_it() {
    let c = cluster().await;
    let pp = PostParams::default();
    let bodies = [
        (
            kobj_core::ResourceType::of::<k8s_openapi::api::core::v1::ServiceAccount>(),
            json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "x"}}),
            true,
        ),
        (
            kobj_core::ResourceType::of::<k8s_openapi::api::core::v1::Service>(),
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"},
                "spec": {"ports": [{"port": 80}]}}),
            true,
        ),
        (
            kobj_core::ResourceType::of::<k8s_openapi::api::core::v1::PersistentVolumeClaim>(),
            json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "x"},
                "spec": {"accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": "1Gi"}}}}),
            true,
        ),
        (
            configmaps(),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}),
            false,
        ),
        (
            secrets(),
            json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x"}}),
            false,
        ),
    ];
    for (rt, body, returns) in bodies {
        c.create_object(&rt, Some("default"), &obj(body), &pp)
            .await
            .unwrap();
        let out = c
            .delete_object(&rt, Some("default"), "x", &DeleteParams::default())
            .await
            .unwrap();
        match out {
            either::Either::Left(o) => {
                assert!(returns, "{} answered with the object", rt.api.plural);
                assert_eq!(o.metadata.name.as_deref(), Some("x"));
            }
            either::Either::Right(s) => {
                assert!(!returns, "{} answered with a Status", rt.api.plural);
                assert_eq!(s.status, Some(kube_core::response::StatusSummary::Success));
            }
        }
    }
}

/// NamespaceLifecycle keeps `default`, `kube-system` and `kube-public` (403, dry-run too);
/// `kube-node-lease` can be deleted.
#[tokio::test]
async fn the_system_namespaces_may_not_be_deleted() {
    let c = cluster().await;
    let before = c.dump_yaml().unwrap();
    for name in ["default", "kube-system", "kube-public"] {
        for dry_run in [false, true] {
            let dp = DeleteParams {
                dry_run,
                ..Default::default()
            };
            let e = c
                .delete_object(&namespaces(), None, name, &dp)
                .await
                .unwrap_err();
            assert_eq!(e.code(), Some(403), "{e}");
            assert_eq!(
                message(&e),
                format!("namespaces \"{name}\" is forbidden: this namespace may not be deleted")
            );
            let details = status(&e).details.as_ref().unwrap();
            assert_eq!(
                (details.name.as_str(), details.kind.as_str()),
                (name, "namespaces")
            );
        }
    }
    assert_eq!(c.dump_yaml().unwrap(), before);
    c.delete_object(
        &namespaces(),
        None,
        "kube-node-lease",
        &DeleteParams::default(),
    )
    .await
    .unwrap();
}

/// A namespace held by finalized content says why in its status, as the namespace deleter
/// writes it (`status_condition_utils.go`), and the conditions follow what remains.
#[tokio::test]
async fn a_held_namespace_says_what_remains() {
    let c = cluster().await;
    let ns = obj(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "t1"}}));
    c.create_object(&namespaces(), None, &ns, &PostParams::default())
        .await
        .unwrap();
    for name in ["keep", "also"] {
        let mut cm = configmap(name, json!({}));
        cm.metadata.finalizers = Some(vec!["example.com/hold".into()]);
        c.create_object(&configmaps(), Some("t1"), &cm, &PostParams::default())
            .await
            .unwrap();
    }
    c.delete_object(&namespaces(), None, "t1", &DeleteParams::default())
        .await
        .unwrap();
    let conditions = |c: kobj_fake::FakeCluster| async move {
        let ns = c
            .get_object(&namespaces(), None, "t1", &GetParams::default())
            .await
            .unwrap();
        let list = ns.data["status"]["conditions"].as_array().unwrap().clone();
        let brief: Vec<(String, String, String, String)> = list
            .iter()
            .map(|c| {
                let s = |k: &str| c[k].as_str().unwrap().to_string();
                (s("type"), s("status"), s("reason"), s("message"))
            })
            .collect();
        (brief, ns)
    };
    let (brief, ns) = conditions(c.clone()).await;
    let s = |a: &str, b: &str, c: &str, d: &str| {
        (a.to_string(), b.to_string(), c.to_string(), d.to_string())
    };
    assert_eq!(
        brief,
        [
            s(
                "NamespaceDeletionDiscoveryFailure",
                "False",
                "ResourcesDiscovered",
                "All resources successfully discovered"
            ),
            s(
                "NamespaceDeletionGroupVersionParsingFailure",
                "False",
                "ParsedGroupVersions",
                "All legacy kube types successfully parsed"
            ),
            s(
                "NamespaceDeletionContentFailure",
                "False",
                "ContentDeleted",
                "All content successfully deleted, may be waiting on finalization"
            ),
            s(
                "NamespaceContentRemaining",
                "True",
                "SomeResourcesRemain",
                "Some resources are remaining: configmaps. has 2 resource instances"
            ),
            s(
                "NamespaceFinalizersRemaining",
                "True",
                "SomeFinalizerRemain",
                "Some finalizers are remaining: example.com/hold in 2 resource instances"
            ),
        ]
    );
    assert_eq!(ns.data["status"]["phase"], "Terminating");
    let writer = ns
        .metadata
        .managed_fields
        .unwrap()
        .into_iter()
        .find(|e| e.subresource.as_deref() == Some("status"))
        .unwrap();
    assert_eq!(writer.manager.as_deref(), Some("kube-controller-manager"));

    // One released: the counts follow.
    c.patch_object(
        &configmaps(),
        Some("t1"),
        "keep",
        &kube_core::params::Patch::Merge(json!({"metadata": {"finalizers": null}})),
        &Default::default(),
    )
    .await
    .unwrap();
    let (brief, _) = conditions(c.clone()).await;
    assert_eq!(
        brief[3].3,
        "Some resources are remaining: configmaps. has 1 resource instances"
    );
    assert_eq!(
        brief[4].3,
        "Some finalizers are remaining: example.com/hold in 1 resource instances"
    );
    // The last one released: the namespace goes.
    c.patch_object(
        &configmaps(),
        Some("t1"),
        "also",
        &kube_core::params::Patch::Merge(json!({"metadata": {"finalizers": null}})),
        &Default::default(),
    )
    .await
    .unwrap();
    let e = c
        .get_object(&namespaces(), None, "t1", &GetParams::default())
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
}

/// Namespaces: `PrepareForCreate` appends the `kubernetes` finalizer to the ones given, and
/// the namespace storage's delete sets the deletion timestamp without a grace period.
#[tokio::test]
async fn namespace_finalizers_and_deletion_metadata() {
    let c = cluster().await;
    let ns = obj(
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "f1"},
                        "spec": {"finalizers": ["foo/bar"]}}),
    );
    let created = c
        .create_object(&namespaces(), None, &ns, &PostParams::default())
        .await
        .unwrap();
    assert_eq!(
        created.data["spec"]["finalizers"],
        json!(["foo/bar", "kubernetes"])
    );
    let mut cm = configmap("held", json!({}));
    cm.metadata.finalizers = Some(vec!["example.com/hold".into()]);
    c.create_object(&configmaps(), Some("f1"), &cm, &PostParams::default())
        .await
        .unwrap();
    c.delete_object(&namespaces(), None, "f1", &DeleteParams::default())
        .await
        .unwrap();
    let ns = c
        .get_object(&namespaces(), None, "f1", &GetParams::default())
        .await
        .unwrap();
    assert!(ns.metadata.deletion_timestamp.is_some());
    assert_eq!(ns.metadata.deletion_grace_period_seconds, None);
}

/// A namespace's own finalizers: the deleter removes `kubernetes` once the content is gone,
/// and any other keeps the namespace Terminating until `/finalize` takes it off; an update of
/// the namespace itself keeps `spec.finalizers` (`PrepareForUpdate`).
#[tokio::test]
async fn spec_finalizers_hold_a_namespace_until_finalize() {
    let c = cluster().await;
    let ns = obj(
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "f2"},
                        "spec": {"finalizers": ["example.com/keep"]}}),
    );
    c.create_object(&namespaces(), None, &ns, &PostParams::default())
        .await
        .unwrap();
    c.delete_object(&namespaces(), None, "f2", &DeleteParams::default())
        .await
        .unwrap();
    let held = c
        .get_object(&namespaces(), None, "f2", &GetParams::default())
        .await
        .unwrap();
    assert_eq!(held.data["spec"]["finalizers"], json!(["example.com/keep"]));
    assert_eq!(held.data["status"]["phase"], "Terminating");
    // The namespace itself cannot drop them.
    let mut without = held.clone();
    without.data["spec"]["finalizers"] = json!([]);
    let kept = c
        .replace_object(&namespaces(), None, "f2", &without, &PostParams::default())
        .await
        .unwrap();
    assert_eq!(kept.data["spec"]["finalizers"], json!(["example.com/keep"]));
    // `/finalize` can, and the namespace goes.
    let mut finalize = serde_json::to_value(&kept).unwrap();
    finalize["spec"]["finalizers"] = json!([]);
    c.replace_value(
        &namespaces(),
        None,
        "f2",
        finalize,
        Some("finalize"),
        &Default::default(),
    )
    .unwrap();
    let e = c
        .get_object(&namespaces(), None, "f2", &GetParams::default())
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
}

/// A namespace's `/status`: an empty phase is defaulted to Active
/// (`SetDefaults_NamespaceStatus`), and the phase must be Active while the namespace is not
/// deleting (`ValidateNamespaceStatusUpdate`).
#[tokio::test]
async fn namespace_status_phase_is_validated() {
    let c = cluster().await;
    let ns = obj(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ph"}}));
    let created = c
        .create_object(&namespaces(), None, &ns, &PostParams::default())
        .await
        .unwrap();
    let before = c.dump_yaml().unwrap();
    let mut bogus = serde_json::to_value(&created).unwrap();
    bogus["status"]["phase"] = json!("Bogus");
    let e = c
        .replace_value(
            &namespaces(),
            None,
            "ph",
            bogus,
            Some("status"),
            &Default::default(),
        )
        .unwrap_err();
    assert_eq!(
        message(&e),
        "Namespace \"ph\" is invalid: status.Phase: Invalid value: \"Bogus\": may only be 'Active' if `deletionTimestamp` is empty"
    );
    assert_eq!(c.dump_yaml().unwrap(), before);
    let mut empty = serde_json::to_value(&created).unwrap();
    empty["status"]["phase"] = json!("");
    let written = c
        .replace_value(
            &namespaces(),
            None,
            "ph",
            empty,
            Some("status"),
            &Default::default(),
        )
        .unwrap();
    assert_eq!(written["status"]["phase"], "Active");
}
