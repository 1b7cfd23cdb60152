//! The garbage collector as the controller's `attemptToDeleteItem` runs it (rules 31–33):
//! Foreground deletion through chains of dependents, cycle avoidance, owners released when
//! a blocking reference goes, dependents' own finalizers, and the managedFields of the
//! collector's writes.

use crate::common;

use common::*;
use kobj_core::CustomObjects;
use kube_core::params::{DeleteParams, GetParams, PostParams, PropagationPolicy};
use serde_json::json;

/// Creates widget `name` owned by each `(owner, blockOwnerDeletion)`, with `finalizers`.
async fn owned_by(
    c: &kobj_fake::FakeCluster,
    name: &str,
    owners: &[(&kube_core::DynamicObject, bool)],
    finalizers: &[&str],
) -> kube_core::DynamicObject {
    let mut w = widget(name, json!({}));
    w.metadata.owner_references = Some(
        owners
            .iter()
            .map(|(o, block)| {
                serde_json::from_value(json!({
                    "apiVersion": "example.com/v1", "kind": "Widget",
                    "name": o.metadata.name, "uid": o.metadata.uid, "blockOwnerDeletion": block
                }))
                .unwrap()
            })
            .collect(),
    );
    if !finalizers.is_empty() {
        w.metadata.finalizers = Some(finalizers.iter().map(ToString::to_string).collect());
    }
    c.create_object(&widgets(), Some("default"), &w, &PostParams::default())
        .await
        .unwrap()
}

async fn read(c: &kobj_fake::FakeCluster, name: &str) -> Option<kube_core::DynamicObject> {
    c.get_object(&widgets(), Some("default"), name, &GetParams::default())
        .await
        .ok()
}

/// Asserts `name` is being deleted and holds exactly `finalizers`.
async fn assert_deleting(c: &kobj_fake::FakeCluster, name: &str, finalizers: &[&str]) {
    let o = read(c, name)
        .await
        .unwrap_or_else(|| panic!("{name} is gone"));
    assert!(
        o.metadata.deletion_timestamp.is_some(),
        "{name} is not being deleted"
    );
    assert_eq!(
        o.metadata.finalizers.unwrap_or_default(),
        finalizers,
        "finalizers of {name}"
    );
}

/// Removes every finalizer of `name` with an update (PUT).
async fn release(c: &kobj_fake::FakeCluster, name: &str) {
    let mut o = read(c, name).await.unwrap();
    o.metadata.finalizers = None;
    c.replace_object(
        &widgets(),
        Some("default"),
        name,
        &o,
        &PostParams::default(),
    )
    .await
    .unwrap();
}

/// Deletes `name` with Foreground propagation.
async fn delete_in_foreground(c: &kobj_fake::FakeCluster, name: &str) {
    c.delete_object(&widgets(), Some("default"), name, &foreground())
        .await
        .unwrap();
}

/// Asserts none of `names` is left.
async fn assert_gone(c: &kobj_fake::FakeCluster, names: &[&str]) {
    for name in names {
        assert!(!exists(c, name).await, "{name} is left");
    }
}

fn foreground() -> DeleteParams {
    DeleteParams {
        propagation_policy: Some(PropagationPolicy::Foreground),
        ..Default::default()
    }
}

/// The names of the DELETED events `w` delivers, in order, until `n` of them arrived.
async fn deleted_names(w: &mut kobj_core::WatchStream, n: usize) -> Vec<String> {
    use futures::StreamExt;
    let mut names = Vec::new();
    while names.len() < n {
        let e = tokio::time::timeout(std::time::Duration::from_secs(2), w.next())
            .await
            .expect("an event")
            .expect("open")
            .unwrap();
        if let kube_core::WatchEvent::Deleted(o) = e {
            names.push(o.metadata.name.unwrap());
        }
    }
    names
}

/// The controller deletes a dependent that has dependents of its own in Foreground when its
/// owner waits for it: owner → child → grandchild (all blocking, the grandchild held) keeps
/// the owner and the child marked with `foregroundDeletion` until the grandchild goes; then
/// they go bottom-up.
#[tokio::test]
async fn foreground_waits_through_a_chain() {
    let c = cluster().await;
    let owner = owned_by(&c, "owner", &[], &[]).await;
    let child = owned_by(&c, "child", &[(&owner, true)], &[]).await;
    owned_by(&c, "grandchild", &[(&child, true)], &["example.com/x"]).await;
    delete_in_foreground(&c, "owner").await;
    assert_deleting(&c, "owner", &["foregroundDeletion"]).await;
    assert_deleting(&c, "child", &["foregroundDeletion"]).await;
    // No dependents of its own: Background, held by its finalizer only.
    assert_deleting(&c, "grandchild", &["example.com/x"]).await;
    // Settled: a second look changes nothing.
    let before = c.dump_yaml().unwrap();
    delete_in_foreground(&c, "owner").await;
    assert_eq!(c.dump_yaml().unwrap(), before);

    let rv = c.resource_version().to_string();
    let mut w = c
        .watch_objects(
            &widgets(),
            Some("default"),
            &kube_core::params::WatchParams::default(),
            &rv,
        )
        .await
        .unwrap();
    release(&c, "grandchild").await;
    assert_eq!(
        deleted_names(&mut w, 3).await,
        ["grandchild", "child", "owner"]
    );
    assert_gone(&c, &["owner", "child", "grandchild"]).await;
}

/// A chain whose middle dependent has no dependent that blocks it: the middle one goes in
/// Foreground as soon as it is marked, and the owner with it, while the end (held, its
/// reference not blocking) stays, being deleted.
#[tokio::test]
async fn foreground_chain_with_a_non_blocking_end() {
    let c = cluster().await;
    let owner = owned_by(&c, "owner", &[], &[]).await;
    let child = owned_by(&c, "child", &[(&owner, true)], &[]).await;
    owned_by(&c, "grandchild", &[(&child, false)], &["example.com/x"]).await;
    delete_in_foreground(&c, "owner").await;
    assert!(!exists(&c, "owner").await);
    assert!(!exists(&c, "child").await);
    assert_deleting(&c, "grandchild", &["example.com/x"]).await;
}

/// The controller's cycle avoidance: a dependent to be deleted in Foreground, one of whose
/// dependents already waits for its own dependents, first has its ownerReferences made
/// non-blocking, so its owner does not wait for it.
#[tokio::test]
async fn foreground_unblocks_a_dependent_whose_dependent_already_waits() {
    let c = cluster().await;
    let owner = owned_by(&c, "owner", &[], &[]).await;
    let middle = owned_by(&c, "middle", &[(&owner, true)], &[]).await;
    let waiting = owned_by(&c, "waiting", &[(&middle, true)], &[]).await;
    owned_by(&c, "held", &[(&waiting, true)], &["example.com/x"]).await;
    delete_in_foreground(&c, "waiting").await;
    assert_deleting(&c, "waiting", &["foregroundDeletion"]).await;
    assert_deleting(&c, "held", &["example.com/x"]).await;

    delete_in_foreground(&c, "owner").await;
    // The owner does not wait: its dependent's reference was made non-blocking.
    assert!(!exists(&c, "owner").await);
    assert_deleting(&c, "middle", &["foregroundDeletion"]).await;
    let m = read(&c, "middle").await.unwrap();
    let refs = m.metadata.owner_references.unwrap();
    assert_eq!(refs.len(), 1);
    assert_eq!(refs[0].uid, owner.metadata.uid.clone().unwrap());
    assert_eq!(refs[0].block_owner_deletion, Some(false));
    // "waiting" keeps its blocking reference and holds "middle".
    let wref = read(&c, "waiting").await.unwrap().metadata.owner_references;
    assert_eq!(wref.unwrap()[0].block_owner_deletion, Some(true));

    release(&c, "held").await;
    assert_gone(&c, &["middle", "waiting", "held"]).await;
}

/// A dependent whose last solid owner goes while another owner waits in Foreground deletion
/// and which has dependents of its own is deleted in Foreground too (not Background).
#[tokio::test]
async fn dependent_of_a_waiting_owner_with_dependents_goes_in_foreground() {
    let c = cluster().await;
    let waiter = owned_by(&c, "waiter", &[], &[]).await;
    owned_by(&c, "blocker", &[(&waiter, true)], &["example.com/x"]).await;
    delete_in_foreground(&c, "waiter").await;
    assert_deleting(&c, "waiter", &["foregroundDeletion"]).await;
    let solid = owned_by(&c, "solid", &[], &[]).await;
    // Created after its owner started waiting: the controller does not look at it then.
    let dep = owned_by(&c, "dep", &[(&solid, false), (&waiter, false)], &[]).await;
    owned_by(&c, "end", &[(&dep, true)], &["example.com/x"]).await;
    assert!(
        read(&c, "dep")
            .await
            .unwrap()
            .metadata
            .deletion_timestamp
            .is_none()
    );

    delete_in_background(&c, "solid").await;
    assert_deleting(&c, "dep", &["foregroundDeletion"]).await;
    assert_deleting(&c, "end", &["example.com/x"]).await;
    release(&c, "end").await;
    assert!(!exists(&c, "dep").await);
    assert_deleting(&c, "waiter", &["foregroundDeletion"]).await;
    release(&c, "blocker").await;
    assert!(!exists(&c, "waiter").await);
}

/// A collected dependent that already carries `orphan` is deleted with Orphan: its own
/// dependents survive, without the reference.
#[tokio::test]
async fn collected_dependent_with_orphan_finalizer_orphans_its_dependents() {
    let c = cluster().await;
    let owner = owned_by(&c, "owner", &[], &[]).await;
    let dep = owned_by(&c, "dep", &[(&owner, true)], &["orphan"]).await;
    owned_by(&c, "end", &[(&dep, true)], &[]).await;
    delete_in_background(&c, "owner").await;
    assert!(!exists(&c, "owner").await);
    assert!(!exists(&c, "dep").await);
    let end = read(&c, "end").await.expect("orphaned, not collected");
    assert!(end.metadata.deletion_timestamp.is_none());
    assert!(end.metadata.owner_references.is_none());
}

/// A client's update that makes a dependent's reference non-blocking, or drops it, lets an
/// owner waiting in Foreground deletion go (the graph builder queues the owner again).
#[tokio::test]
async fn unblocking_or_dropping_the_reference_releases_a_waiting_owner() {
    for patch in [
        json!({"metadata": {"ownerReferences": null}}),
        serde_json::Value::Null,
    ] {
        let c = cluster().await;
        let owner = owned_by(&c, "owner", &[], &[]).await;
        owned_by(&c, "dep", &[(&owner, true)], &["example.com/x"]).await;
        delete_in_foreground(&c, "owner").await;
        assert_deleting(&c, "owner", &["foregroundDeletion"]).await;
        let patch = if patch.is_null() {
            json!({"metadata": {"ownerReferences": [{
                "apiVersion": "example.com/v1", "kind": "Widget", "name": "owner",
                "uid": owner.metadata.uid, "blockOwnerDeletion": false
            }]}})
        } else {
            patch
        };
        c.patch_object(
            &widgets(),
            Some("default"),
            "dep",
            &kube_core::params::Patch::Merge(patch.clone()),
            &Default::default(),
        )
        .await
        .unwrap();
        assert!(
            !exists(&c, "owner").await,
            "owner still waits after {patch}"
        );
        assert_deleting(&c, "dep", &["example.com/x"]).await;
    }
}

/// The managers of `o`'s managedFields entries and their `fieldsV1`.
fn ownership(o: &kube_core::DynamicObject) -> Vec<(String, serde_json::Value)> {
    o.metadata
        .managed_fields
        .iter()
        .flatten()
        .map(|e| {
            (
                e.manager.clone().unwrap_or_default(),
                e.fields_v1
                    .as_ref()
                    .map(|f| f.0.clone())
                    .unwrap_or_default(),
            )
        })
        .collect()
}

/// The collector writes through the API: the ownerReference it strips leaves its creator's
/// managedFields (a removal gives the collector no entry), and the `blockOwnerDeletion: false`
/// it sets is owned by `kube-controller-manager`.
#[tokio::test]
async fn the_collectors_writes_keep_managed_fields_right() {
    let c = cluster().await;
    let gone = owned_by(&c, "gone", &[], &[]).await;
    let kept = owned_by(&c, "kept", &[], &[]).await;
    owned_by(&c, "two", &[(&gone, false), (&kept, false)], &[]).await;
    c.delete_object(&widgets(), Some("default"), "gone", &Default::default())
        .await
        .unwrap();
    let two = read(&c, "two").await.unwrap();
    let entries = ownership(&two);
    assert_eq!(entries.len(), 1, "{entries:?}");
    let refs = &entries[0].1["f:metadata"]["f:ownerReferences"];
    let key = |o: &kube_core::DynamicObject| {
        format!("k:{{\"uid\":\"{}\"}}", o.metadata.uid.clone().unwrap())
    };
    assert!(refs.get(key(&gone)).is_none(), "{refs}");
    assert!(refs.get(key(&kept)).is_some(), "{refs}");

    // The cycle-avoidance unblocking: the collector's own entry.
    let owner = owned_by(&c, "owner", &[], &[]).await;
    let middle = owned_by(&c, "middle", &[(&owner, true)], &[]).await;
    let waiting = owned_by(&c, "waiting", &[(&middle, true)], &[]).await;
    owned_by(&c, "held", &[(&waiting, true)], &["example.com/x"]).await;
    delete_in_foreground(&c, "waiting").await;
    delete_in_foreground(&c, "owner").await;
    let middle = read(&c, "middle").await.unwrap();
    let controller: Vec<_> = ownership(&middle)
        .into_iter()
        .filter(|(m, _)| m == "kube-controller-manager")
        .collect();
    assert_eq!(
        controller,
        [(
            "kube-controller-manager".to_string(),
            json!({"f:metadata": {"f:ownerReferences": {key(&owner): {"f:blockOwnerDeletion": {}}}}})
        )]
    );
}
