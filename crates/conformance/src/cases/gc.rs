//! Area `delete`: garbage collection by ownerReferences (rules 31, 32).

use kube_core::DynamicObject;
use kube_core::params::DeleteParams;
use serde_json::json;

use super::{owner_ref, owner_uids, uid, widget};
use crate::case::{Case, During, Outcome, case};
use crate::check::*;
use crate::ctx::Ctx;
use crate::fixtures::{HOLD, configmaps, gizmos, realms, widgets};

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(
            gc_background_deletes_dependents,
            Delete,
            [32],
            "deleting an owner (Background) deletes its dependents of every kind"
        ),
        case!(
            gc_foreground_deletes_dependents_first,
            Delete,
            [32, 31],
            "Foreground: the owner waits, marked, until blocking dependents are gone"
        ),
        case!(
            gc_foreground_waits_through_a_chain,
            Delete,
            [32, 31],
            "Foreground through a chain: owner and child wait, marked, for a held grandchild"
        ),
        case!(
            gc_orphan_keeps_dependents,
            Delete,
            [32, 31],
            "Orphan: dependents survive without the ownerReference, then the owner goes"
        ),
        case!(
            gc_existing_orphan_finalizer_decides_policy,
            Delete,
            [31, 32],
            "an owner that already carries the `orphan` finalizer orphans its dependents by default"
        ),
        case!(
            gc_dependent_with_live_owner_survives,
            Delete,
            [32],
            "a dependent with another live owner survives"
        ),
        case!(
            gc_cycle_does_not_block_deletion,
            Delete,
            [32],
            "two objects owning each other are both collected"
        ),
        case!(
            gc_cluster_scoped_owner_collects_namespaced_dependent,
            Delete,
            [32],
            "a cluster-scoped owner's namespaced dependents are collected"
        ),
        case!(
            gc_core_owner_collects_custom_dependent,
            Delete,
            [32],
            "a ConfigMap owner's custom-object dependents are collected"
        ),
        case!(
            gc_collects_dependents_of_absent_owners,
            Delete,
            [32],
            "a dependent created with a reference to an owner that does not exist is collected"
        ),
        case!(
            gc_owner_in_another_namespace_is_absent,
            Delete,
            [32],
            "a namespaced owner is looked up in the dependent's namespace: one elsewhere is absent"
        ),
        case!(
            gc_live_owner_keeps_dependent_and_drops_absent_reference,
            Delete,
            [32],
            "with one live owner and one absent, the dependent stays and loses the absent reference"
        ),
    ]
}

/// A reference to a widget that does not exist.
fn ghost_ref() -> serde_json::Value {
    json!({"apiVersion": "conformance.kobj.dev/v1", "kind": "Widget", "name": "ghost",
           "uid": "8a3b5c1e-0000-4000-8000-00000000dead"})
}

async fn gc_collects_dependents_of_absent_owners(cx: &Ctx<'_>) -> Outcome {
    let (w, cm) = (widgets(), configmaps());
    let refs = json!({"ownerReferences": [ghost_ref()]});
    cx.create(&cm, "dep-cm", json!({"metadata": refs.clone(), "data": {}}))
        .await?;
    cx.create(&w, "dep-w", json!({"metadata": refs, "spec": {}}))
        .await?;
    cx.expect_gone(&cm, Some(cx.ns()), "dep-cm").await?;
    cx.expect_gone(&w, Some(cx.ns()), "dep-w").await
}

async fn gc_owner_in_another_namespace_is_absent(cx: &Ctx<'_>) -> Outcome {
    let (w, cm) = (widgets(), configmaps());
    let other = cx.extra_namespace("owner").await?;
    let owner_obj = cx.object_in(&w, Some(&other), "owner", json!({"spec": {}}))?;
    let owner = cx
        .api(&w)
        .create(&w, Some(&other), &owner_obj, &Default::default())
        .await
        .during("create the owner in the other namespace")?;
    let refs = json!({"ownerReferences": [owner_ref(&w, &owner, false)]});
    cx.create(&cm, "dep", json!({"metadata": refs, "data": {}}))
        .await?;
    cx.expect_gone(&cm, Some(cx.ns()), "dep").await?;
    let still = cx
        .api(&w)
        .get(&w, Some(&other), "owner", &Default::default())
        .await
        .during("the owner")?;
    ensure_eq("owner uid", &owner.metadata.uid, &still.metadata.uid)
}

async fn gc_live_owner_keeps_dependent_and_drops_absent_reference(cx: &Ctx<'_>) -> Outcome {
    let (w, cm) = (widgets(), configmaps());
    let owner = widget(cx, "owner", json!({})).await?;
    let owner_uid = uid(&owner)?;
    let refs = json!({"ownerReferences": [owner_ref(&w, &owner, false), ghost_ref()]});
    cx.create(&cm, "dep", json!({"metadata": refs, "data": {}}))
        .await?;
    let expected = vec![owner_uid];
    cx.eventually_object(&cm, Some(cx.ns()), "dep", |o| match o {
        None => Err("the dependent was collected although its owner lives".into()),
        Some(o) if owner_uids(o) == expected => Ok(()),
        Some(o) => Err(format!("owner uids {:?}", owner_uids(o))),
    })
    .await
}

async fn gc_background_deletes_dependents(cx: &Ctx<'_>) -> Outcome {
    let (w, cm, g) = (widgets(), configmaps(), gizmos());
    let owner = widget(cx, "owner", json!({})).await?;
    let refs = json!({"ownerReferences": [owner_ref(&w, &owner, false)]});
    cx.create(&cm, "dep-cm", json!({"metadata": refs.clone(), "data": {}}))
        .await?;
    cx.create(&g, "dep-g", json!({"metadata": refs, "spec": {}}))
        .await?;
    let bystander = cx.create(&cm, "bystander", json!({"data": {}})).await?;
    cx.delete(&w, "owner", &DeleteParams::background())
        .await
        .during("delete owner")?;
    cx.expect_gone(&w, Some(cx.ns()), "owner").await?;
    cx.expect_gone(&cm, Some(cx.ns()), "dep-cm").await?;
    cx.expect_gone(&g, Some(cx.ns()), "dep-g").await?;
    let read = cx.get(&cm, "bystander").await.during("bystander")?;
    ensure_eq("bystander uid", &bystander.metadata.uid, &read.metadata.uid)
}

async fn gc_foreground_deletes_dependents_first(cx: &Ctx<'_>) -> Outcome {
    let (w, g) = (widgets(), gizmos());
    let owner = widget(cx, "owner", json!({})).await?;
    cx.create(
        &g,
        "blocker",
        json!({
            "metadata": {"finalizers": [HOLD], "ownerReferences": [owner_ref(&w, &owner, true)]},
            "spec": {}
        }),
    )
    .await?;
    cx.delete(&w, "owner", &DeleteParams::foreground())
        .await
        .during("delete owner")?;
    cx.eventually_object(&g, Some(cx.ns()), "blocker", |o| match o {
        Some(o) if o.metadata.deletion_timestamp.is_some() => Ok(()),
        Some(_) => Err("the blocking dependent was not marked for deletion".into()),
        None => Err("the blocking dependent is gone despite its finalizer".into()),
    })
    .await?;
    let read = cx
        .get(&w, "owner")
        .await
        .during("owner while the dependent blocks")?;
    ensure(read.metadata.deletion_timestamp.is_some(), || {
        "owner not marked for deletion".into()
    })?;
    ensure(
        finalizers_of(&read).contains(&"foregroundDeletion".to_string()),
        || {
            format!(
                "owner finalizers {:?} lack foregroundDeletion",
                finalizers_of(&read)
            )
        },
    )?;
    cx.merge(&g, "blocker", json!({"metadata": {"finalizers": null}}))
        .await
        .during("release the dependent")?;
    cx.expect_gone(&g, Some(cx.ns()), "blocker").await?;
    cx.expect_gone(&w, Some(cx.ns()), "owner").await
}

/// A check that the object waits in Foreground deletion: marked, with `foregroundDeletion`.
fn waits_in_foreground(
    what: &'static str,
) -> impl Fn(Option<&DynamicObject>) -> Result<(), String> + Send + Sync {
    move |o| match o {
        Some(o)
            if o.metadata.deletion_timestamp.is_some()
                && finalizers_of(o).contains(&"foregroundDeletion".to_string()) =>
        {
            Ok(())
        }
        Some(o) => Err(format!(
            "the {what} does not wait in Foreground deletion (deletionTimestamp {:?}, finalizers {:?})",
            o.metadata.deletion_timestamp,
            finalizers_of(o)
        )),
        None => Err(format!(
            "the {what} is gone while the held grandchild remains"
        )),
    }
}

async fn gc_foreground_waits_through_a_chain(cx: &Ctx<'_>) -> Outcome {
    let (w, g) = (widgets(), gizmos());
    let owner = widget(cx, "owner", json!({})).await?;
    let child = cx
        .create(
            &w,
            "child",
            json!({"metadata": {"ownerReferences": [owner_ref(&w, &owner, true)]}, "spec": {}}),
        )
        .await?;
    cx.create(
        &g,
        "grandchild",
        json!({
            "metadata": {"finalizers": [HOLD], "ownerReferences": [owner_ref(&w, &child, true)]},
            "spec": {}
        }),
    )
    .await?;
    cx.delete(&w, "owner", &DeleteParams::foreground())
        .await
        .during("delete owner")?;
    cx.eventually_object(&g, Some(cx.ns()), "grandchild", |o| match o {
        Some(o) if o.metadata.deletion_timestamp.is_some() => Ok(()),
        Some(_) => Err("the grandchild was not marked for deletion".into()),
        None => Err("the grandchild is gone despite its finalizer".into()),
    })
    .await?;
    cx.eventually_object(&w, Some(cx.ns()), "child", waits_in_foreground("child"))
        .await?;
    cx.eventually_object(&w, Some(cx.ns()), "owner", waits_in_foreground("owner"))
        .await?;
    // Released with an update (PUT) of the object as read.
    let mut held = cx
        .get(&g, "grandchild")
        .await
        .during("read the grandchild")?;
    held.metadata.finalizers = None;
    cx.replace(&g, "grandchild", &held)
        .await
        .during("release the grandchild")?;
    cx.expect_gone(&g, Some(cx.ns()), "grandchild").await?;
    cx.expect_gone(&w, Some(cx.ns()), "child").await?;
    cx.expect_gone(&w, Some(cx.ns()), "owner").await
}

async fn gc_orphan_keeps_dependents(cx: &Ctx<'_>) -> Outcome {
    let (w, cm) = (widgets(), configmaps());
    let owner = widget(cx, "owner", json!({})).await?;
    let owner_uid = uid(&owner)?;
    cx.create(
        &cm,
        "dep",
        json!({"metadata": {"ownerReferences": [owner_ref(&w, &owner, true)]}, "data": {}}),
    )
    .await?;
    cx.delete(&w, "owner", &DeleteParams::orphan())
        .await
        .during("delete owner")?;
    cx.expect_gone(&w, Some(cx.ns()), "owner").await?;
    cx.eventually_object(&cm, Some(cx.ns()), "dep", |o| match o {
        None => Err("the dependent was deleted".into()),
        Some(o) if owner_uids(o).contains(&owner_uid) => {
            Err("the ownerReference was not removed".into())
        }
        Some(_) => Ok(()),
    })
    .await
}

async fn gc_existing_orphan_finalizer_decides_policy(cx: &Ctx<'_>) -> Outcome {
    let (w, cm) = (widgets(), configmaps());
    let owner = cx
        .create(
            &w,
            "owner",
            json!({"metadata": {"finalizers": ["orphan"]}, "spec": {}}),
        )
        .await?;
    let owner_uid = uid(&owner)?;
    cx.create(
        &cm,
        "dep",
        json!({"metadata": {"ownerReferences": [owner_ref(&w, &owner, false)]}, "data": {}}),
    )
    .await?;
    cx.delete(&w, "owner", &DeleteParams::default())
        .await
        .during("delete owner")?;
    cx.expect_gone(&w, Some(cx.ns()), "owner").await?;
    cx.eventually_object(&cm, Some(cx.ns()), "dep", |o| match o {
        None => Err("the dependent was deleted".into()),
        Some(o) if owner_uids(o).contains(&owner_uid) => {
            Err("the ownerReference was not removed".into())
        }
        Some(_) => Ok(()),
    })
    .await
}

async fn gc_dependent_with_live_owner_survives(cx: &Ctx<'_>) -> Outcome {
    let (w, cm) = (widgets(), configmaps());
    let first = widget(cx, "first", json!({})).await?;
    let second = widget(cx, "second", json!({})).await?;
    let first_uid = uid(&first)?;
    cx.create(&cm, "dep", json!({
        "metadata": {"ownerReferences": [owner_ref(&w, &first, false), owner_ref(&w, &second, false)]},
        "data": {}
    }))
    .await?;
    cx.delete(&w, "first", &DeleteParams::background())
        .await
        .during("delete the first owner")?;
    cx.expect_gone(&w, Some(cx.ns()), "first").await?;
    let synchronous = cx.capabilities().synchronous_gc;
    // A real collector removes the dangling reference once it has looked at the dependent;
    // waiting for that proves it decided, and the dependent must still be there.
    cx.eventually_object(&cm, Some(cx.ns()), "dep", |o| match o {
        None => Err("the dependent was deleted though it has a live owner".into()),
        Some(o) if !synchronous && owner_uids(o).contains(&first_uid) => {
            Err("the collector has not processed the dependent yet".into())
        }
        Some(_) => Ok(()),
    })
    .await?;
    cx.get(&w, "second").await.during("the second owner")?;
    Ok(())
}

async fn gc_cycle_does_not_block_deletion(cx: &Ctx<'_>) -> Outcome {
    let w = widgets();
    let a = widget(cx, "a", json!({})).await?;
    let b = cx
        .create(
            &w,
            "b",
            json!({"metadata": {"ownerReferences": [owner_ref(&w, &a, true)]}, "spec": {}}),
        )
        .await?;
    cx.merge(
        &w,
        "a",
        json!({"metadata": {"ownerReferences": [owner_ref(&w, &b, true)]}}),
    )
    .await
    .during("close the cycle")?;
    cx.delete(&w, "a", &DeleteParams::background())
        .await
        .during("delete a")?;
    cx.expect_gone(&w, Some(cx.ns()), "a").await?;
    cx.expect_gone(&w, Some(cx.ns()), "b").await
}

async fn gc_cluster_scoped_owner_collects_namespaced_dependent(cx: &Ctx<'_>) -> Outcome {
    let (r, cm) = (realms(), configmaps());
    let name = cx.unique("owner");
    let owner = cx.create(&r, &name, json!({"spec": {}})).await?;
    cx.create(
        &cm,
        "dep",
        json!({"metadata": {"ownerReferences": [owner_ref(&r, &owner, false)]}, "data": {}}),
    )
    .await?;
    cx.delete(&r, &name, &DeleteParams::background())
        .await
        .during("delete the realm")?;
    cx.expect_gone(&r, None, &name).await?;
    cx.expect_gone(&cm, Some(cx.ns()), "dep").await
}

async fn gc_core_owner_collects_custom_dependent(cx: &Ctx<'_>) -> Outcome {
    let (w, cm) = (widgets(), configmaps());
    let owner = cx.create(&cm, "owner", json!({"data": {}})).await?;
    cx.create(
        &w,
        "dep",
        json!({"metadata": {"ownerReferences": [owner_ref(&cm, &owner, false)]}, "spec": {}}),
    )
    .await?;
    cx.delete(&cm, "owner", &DeleteParams::background())
        .await
        .during("delete the ConfigMap")?;
    cx.expect_gone(&cm, Some(cx.ns()), "owner").await?;
    cx.expect_gone(&w, Some(cx.ns()), "dep").await
}
