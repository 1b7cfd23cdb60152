//! Area `workflow`: a whole operator workflow, as the seed's users run it.

use std::time::Duration;

use k8s_openapi::api::core::v1::Secret;
use kobj_core::wait::condition_is_true;
use kobj_core::{CoreResourcesExt, CustomObjectsExt, Either};
use kube_core::params::{DeleteParams, ListParams, Patch, PatchParams, WatchParams};
use serde_json::json;

use super::{owner_ref, uid};
use crate::case::{Case, During, Failure, Outcome, case};
use crate::check::*;
use crate::ctx::Ctx;
use crate::fixtures::{secrets, widgets};
use crate::watching::expect_change;

const SELECTOR: &str = "app.kubernetes.io/name=demo";
const FINALIZER: &str = "conformance.kobj.dev/controller";

pub(super) fn cases() -> Vec<Case> {
    vec![case!(
        operator_workflow,
        Workflow,
        [6, 20, 21, 24, 28, 32, 35, 42],
        "create a Widget; a controller creates an owned Secret and writes status; the client waits for Ready, reads the Secret, lists by label, releases by merge patch, deletes, and the Secret is collected"
    )]
}

/// The controller: on the Widget's ADDED event, claim it with a finalizer, create the owned
/// Secret, and report Ready in status.
async fn controller(cx: &Ctx<'_>, mut events: kobj_core::WatchStream) -> Outcome {
    let rt = widgets();
    let seen = expect_change(&mut events, "ADDED", "app")
        .await
        .during("controller: waiting for the Widget")?;
    let claimed = cx
        .merge(&rt, "app", json!({"metadata": {"finalizers": [FINALIZER]}}))
        .await
        .during("controller: adding its finalizer")?;
    let mut reference = owner_ref(&rt, &seen, true);
    reference["controller"] = json!(true);
    cx.create(
        &secrets(),
        "app-credentials",
        json!({
            "metadata": {
                "labels": {"app.kubernetes.io/name": "demo"},
                "ownerReferences": [reference]
            },
            "stringData": {"password": "s3cret"}
        }),
    )
    .await
    .during("controller: creating the Secret")?;
    let status = Patch::Merge(json!({"status": {
        "phase": "Ready",
        "secretName": "app-credentials",
        "observedGeneration": claimed.metadata.generation,
        "conditions": [{"type": "Ready", "status": "True", "reason": "SecretCreated", "message": "credentials issued"}]
    }}));
    cx.api(&rt)
        .patch_status(&rt, Some(cx.ns()), "app", &status, &PatchParams::default())
        .await
        .during("controller: writing status")?;
    Ok(())
}

async fn client(cx: &Ctx<'_>) -> Outcome {
    let (rt, srt) = (widgets(), secrets());
    let patience = cx
        .capabilities()
        .eventual_timeout
        .max(Duration::from_secs(30));
    let created = cx
        .create(&rt, "app", json!({"metadata": {"labels": {"app.kubernetes.io/name": "demo"}}, "spec": {"size": "medium"}}))
        .await?;
    let ready = cx
        .custom()
        .wait_until_object(&rt, Some(cx.ns()), "app", patience, |o| {
            o.is_some_and(|o| condition_is_true(o, "Ready"))
        })
        .await
        .during("waiting for Ready")?
        .ok_or_else(|| Failure::new("the Widget disappeared"))?;
    let secret_name = ready
        .data
        .pointer("/status/secretName")
        .and_then(|v| v.as_str())
        .ok_or_else(|| Failure::new("status.secretName not set"))?
        .to_string();
    let secret: Secret = cx
        .core()
        .get(Some(cx.ns()), &secret_name)
        .await
        .during("reading the Secret")?;
    let password = secret
        .data
        .as_ref()
        .and_then(|d| d.get("password"))
        .map(|b| b.0.clone());
    ensure_eq("password", Some(b"s3cret".to_vec()), password)?;
    let owner = secret.metadata.owner_references.clone().unwrap_or_default();
    ensure_eq(
        "Secret owner uid",
        vec![uid(&created)?],
        owner.iter().map(|r| r.uid.clone()).collect::<Vec<_>>(),
    )?;
    let widgets_found = cx
        .list(&rt, &ListParams::default().labels(SELECTOR))
        .await
        .during("list Widgets by label")?;
    ensure_eq(
        "Widgets by label",
        vec!["app".to_string()],
        names(&widgets_found.items),
    )?;
    let secrets_found = cx
        .list(&srt, &ListParams::default().labels(SELECTOR))
        .await
        .during("list Secrets by label")?;
    ensure_eq(
        "Secrets by label",
        vec![secret_name.clone()],
        names(&secrets_found.items),
    )?;
    let released = cx
        .merge(&rt, "app", json!({"metadata": {"finalizers": null}}))
        .await
        .during("release by merge patch")?;
    ensure_eq(
        "finalizers after release",
        Vec::<String>::new(),
        finalizers_of(&released),
    )?;
    match cx
        .delete(&rt, "app", &DeleteParams::default())
        .await
        .during("delete")?
    {
        Either::Right(_) => {}
        Either::Left(o) => {
            return Err(Failure::new(format!(
                "the released Widget was kept: finalizers {:?}",
                o.metadata.finalizers
            )));
        }
    }
    cx.custom()
        .wait_until_object(&rt, Some(cx.ns()), "app", patience, |o| o.is_none())
        .await
        .during("waiting for the Widget to go")?;
    cx.expect_gone(&srt, Some(cx.ns()), &secret_name)
        .await
        .during("garbage collection of the Secret")
}

async fn operator_workflow(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let list = cx.list(&rt, &ListParams::default()).await.during("list")?;
    let version = list.metadata.resource_version.unwrap_or_default();
    let events = cx
        .watch(&rt, &WatchParams::default().labels(SELECTOR), &version)
        .await
        .during("controller watch")?;
    let (controlled, used) = tokio::join!(controller(cx, events), client(cx));
    controlled?;
    used
}
