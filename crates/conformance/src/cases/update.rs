//! Area `update` (rules 15–20).

use kobj_core::ErrorKind;
use kube_core::params::{Patch, PatchParams, WatchParams};
use serde_json::json;

use super::{held, widget};
use crate::case::{Case, During, Outcome, case};
use crate::check::*;
use crate::ctx::Ctx;
use crate::fixtures::{HOLD, configmaps, gizmos, widgets};
use crate::watching::expect_change;

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(
            removed_fields_leave_every_manager,
            Update,
            [26],
            "a field a write removes leaves every manager's managedFields; a manager left owning nothing loses its entry, and a write that only removes adds none"
        ),
        case!(
            replace_updates_object,
            Update,
            [15],
            "replace stores the new body and returns it with a newer resourceVersion"
        ),
        case!(
            replace_missing_not_found,
            Update,
            [15],
            "replacing an object that does not exist is NotFound (PUT cannot create custom objects)"
        ),
        case!(
            replace_without_resource_version_invalid,
            Update,
            [16],
            "a custom object replace without resourceVersion: 422 `metadata.resourceVersion: Invalid value: 0: must be specified for an update`"
        ),
        case!(
            replace_configmap_without_resource_version,
            Update,
            [16],
            "a ConfigMap may be replaced unconditionally"
        ),
        case!(
            replace_stale_resource_version_conflict,
            Update,
            [17],
            "a stale resourceVersion is a Conflict and changes nothing"
        ),
        case!(
            replace_uid_mismatch_conflict,
            Update,
            [17],
            "a differing uid: 409 `… Precondition failed: UID in precondition: X, UID in object meta: Y`, checked before the resourceVersion"
        ),
        case!(
            replace_name_mismatch_bad_request,
            Update,
            [17],
            "a body named differently from the URL: 400 `the name of the object (X) does not match the name on the URL (Y)`"
        ),
        case!(
            replace_keeps_creation_timestamp,
            Update,
            [18],
            "creationTimestamp sent on update is ignored"
        ),
        case!(
            replace_cannot_set_generation,
            Update,
            [18, 19],
            "generation sent on update is ignored"
        ),
        case!(
            replace_cannot_add_finalizer_while_deleting,
            Update,
            [18],
            "adding a finalizer to an object being deleted: 422 `no new finalizers can be added if the object is being deleted`"
        ),
        case!(
            replace_keeps_deletion_timestamp,
            Update,
            [18],
            "an update cannot remove deletionTimestamp"
        ),
        case!(
            spec_change_bumps_generation,
            Update,
            [19],
            "a spec change bumps generation by one"
        ),
        case!(
            metadata_change_keeps_generation,
            Update,
            [19],
            "label, annotation and finalizer changes keep generation"
        ),
        case!(
            status_in_replace_ignored_with_subresource,
            Update,
            [19, 21],
            "with a status subresource, status sent to the main resource is ignored and generation kept"
        ),
        case!(
            status_change_bumps_generation_without_subresource,
            Update,
            [19],
            "without a status subresource, a status change bumps generation"
        ),
        case!(
            removing_last_finalizer_deletes,
            Update,
            [20],
            "an update that clears the last finalizer of a deleting object deletes it; watchers get DELETED"
        ),
        case!(
            patch_removing_last_finalizer_deletes,
            Update,
            [20, 24],
            "a patch that clears the last finalizer of a deleting object deletes it"
        ),
    ]
}

async fn replace_updates_object(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let mut current = widget(cx, "w", json!({"size": "small"})).await?;
    let before = rv(&current)?;
    current.data["spec"]["size"] = json!("large");
    let replaced = cx.replace(&rt, "w", &current).await.during("replace")?;
    ensure_field("replace response", &replaced, "/spec/size", &json!("large"))?;
    ensure(rv(&replaced)? > before, || {
        "resourceVersion did not advance".into()
    })?;
    let read = cx.get(&rt, "w").await.during("get")?;
    ensure_field("stored object", &read, "/spec/size", &json!("large"))
}

async fn replace_missing_not_found(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let object = cx.object(
        &rt,
        "absent",
        json!({"metadata": {"resourceVersion": "1"}, "spec": {}}),
    )?;
    let err = expect_error(
        "replace",
        cx.replace(&rt, "absent", &object).await,
        ErrorKind::NotFound,
    )?;
    expect_message(
        "replace",
        &err,
        "widgets.conformance.kobj.dev \"absent\" not found",
    )?;
    expect_error("get", cx.get(&rt, "absent").await, ErrorKind::NotFound).map(|_| ())
}

async fn replace_without_resource_version_invalid(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    widget(cx, "w", json!({"size": "small"})).await?;
    let object = cx.object(&rt, "w", json!({"spec": {"size": "large"}}))?;
    let err = expect_error(
        "replace",
        cx.replace(&rt, "w", &object).await,
        ErrorKind::Invalid,
    )?;
    expect_message(
        "replace",
        &err,
        "widgets.conformance.kobj.dev \"w\" is invalid: metadata.resourceVersion: Invalid value: 0: must be specified for an update",
    )?;
    // `Store.Update` names the resource, not the kind, in this error's details.
    expect_details("replace", &err, "w", "conformance.kobj.dev", "widgets")?;
    let read = cx.get(&rt, "w").await.during("get")?;
    ensure_field("stored object", &read, "/spec/size", &json!("small"))
}

async fn replace_configmap_without_resource_version(cx: &Ctx<'_>) -> Outcome {
    let rt = configmaps();
    cx.create(&rt, "cm", json!({"data": {"k": "1"}})).await?;
    let object = cx.object(&rt, "cm", json!({"data": {"k": "2"}}))?;
    let replaced = cx
        .replace(&rt, "cm", &object)
        .await
        .during("unconditional replace")?;
    ensure_field("replace response", &replaced, "/data/k", &json!("2"))
}

async fn replace_stale_resource_version_conflict(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let first = widget(cx, "w", json!({"size": "small"})).await?;
    let mut newer = first.clone();
    newer.data["spec"]["size"] = json!("medium");
    cx.replace(&rt, "w", &newer).await.during("first replace")?;
    let mut stale = first.clone();
    stale.data["spec"]["size"] = json!("large");
    expect_error(
        "stale replace",
        cx.replace(&rt, "w", &stale).await,
        ErrorKind::Conflict,
    )?;
    let read = cx.get(&rt, "w").await.during("get")?;
    ensure_field("stored object", &read, "/spec/size", &json!("medium"))
}

async fn replace_uid_mismatch_conflict(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let created = widget(cx, "w", json!({})).await?;
    let real = super::uid(&created)?;
    let other = "00000000-0000-0000-0000-0000000000ff";
    let mut body = created.clone();
    body.metadata.uid = Some(other.into());
    let err = expect_error(
        "replace",
        cx.replace(&rt, "w", &body).await,
        ErrorKind::Conflict,
    )?;
    expect_message_starts_with(
        "replace",
        &err,
        "Operation cannot be fulfilled on widgets.conformance.kobj.dev \"w\": StorageError: invalid object, Code: 4, Key: ",
    )?;
    expect_message_contains(
        "replace",
        &err,
        &format!("Precondition failed: UID in precondition: {other}, UID in object meta: {real}"),
    )?;
    // With a stale resourceVersion as well, the uid precondition is still what fails: the
    // storage checks it before the update compares resourceVersions.
    cx.replace(&rt, "w", &created)
        .await
        .during("replace with the current version")?;
    let err = expect_error(
        "replace with a stale resourceVersion",
        cx.replace(&rt, "w", &body).await,
        ErrorKind::Conflict,
    )?;
    expect_message_contains(
        "replace with a stale resourceVersion",
        &err,
        &format!("Precondition failed: UID in precondition: {other}, UID in object meta: {real}"),
    )
}

async fn replace_name_mismatch_bad_request(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let created = widget(cx, "w", json!({})).await?;
    let mut body = created.clone();
    body.metadata.name = Some("other".into());
    let err = expect_error(
        "replace",
        cx.replace(&rt, "w", &body).await,
        ErrorKind::BadRequest,
    )?;
    expect_message(
        "replace",
        &err,
        "the name of the object (other) does not match the name on the URL (w)",
    )?;
    expect_error("get other", cx.get(&rt, "other").await, ErrorKind::NotFound).map(|_| ())
}

async fn replace_keeps_creation_timestamp(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let created = widget(cx, "w", json!({"size": "small"})).await?;
    let mut body = fixtures_value(&created)?;
    body["metadata"]["creationTimestamp"] = json!("2001-01-01T00:00:00Z");
    body["spec"]["size"] = json!("large");
    let body = crate::fixtures::dynamic(body)?;
    let replaced = cx.replace(&rt, "w", &body).await.during("replace")?;
    ensure_eq(
        "creationTimestamp",
        &created.metadata.creation_timestamp,
        &replaced.metadata.creation_timestamp,
    )
}

fn fixtures_value(
    object: &kube_core::DynamicObject,
) -> Result<serde_json::Value, crate::case::Failure> {
    serde_json::to_value(object)
        .map_err(|e| crate::case::Failure::new(format!("cannot encode: {e}")))
}

async fn replace_cannot_set_generation(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let created = widget(cx, "w", json!({})).await?;
    let mut body = created.clone();
    body.metadata.generation = Some(40);
    body.metadata.labels = Some([("touched".to_string(), "yes".to_string())].into());
    let replaced = cx
        .replace(&rt, "w", &body)
        .await
        .during("replace with generation 40")?;
    ensure_eq("generation", &Some(1), &replaced.metadata.generation)?;
    let mut body = replaced.clone();
    body.metadata.generation = Some(0);
    body.data["spec"]["size"] = json!("small");
    let replaced = cx
        .replace(&rt, "w", &body)
        .await
        .during("replace with generation 0")?;
    ensure_eq(
        "generation after a spec change",
        &Some(2),
        &replaced.metadata.generation,
    )
}

async fn replace_cannot_add_finalizer_while_deleting(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    cx.create(&rt, "w", held(json!({}))).await?;
    cx.delete(&rt, "w", &Default::default())
        .await
        .during("delete")?;
    let mut body = cx.get(&rt, "w").await.during("get")?;
    body.metadata.finalizers = Some(vec![HOLD.into(), "conformance.kobj.dev/other".into()]);
    let err = expect_error(
        "replace",
        cx.replace(&rt, "w", &body).await,
        ErrorKind::Invalid,
    )?;
    expect_message_contains(
        "replace",
        &err,
        "metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\"conformance.kobj.dev/other\"}",
    )
}

async fn replace_keeps_deletion_timestamp(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    cx.create(&rt, "w", held(json!({}))).await?;
    cx.delete(&rt, "w", &Default::default())
        .await
        .during("delete")?;
    let deleting = cx.get(&rt, "w").await.during("get")?;
    let mut body = deleting.clone();
    body.metadata.deletion_timestamp = None;
    body.metadata.labels = Some([("touched".to_string(), "yes".to_string())].into());
    let replaced = cx.replace(&rt, "w", &body).await.during("replace")?;
    ensure_eq(
        "deletionTimestamp",
        &deleting.metadata.deletion_timestamp,
        &replaced.metadata.deletion_timestamp,
    )
}

async fn spec_change_bumps_generation(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let mut current = widget(cx, "w", json!({"size": "small"})).await?;
    for (i, size) in ["medium", "large"].iter().enumerate() {
        current.data["spec"]["size"] = json!(size);
        current = cx.replace(&rt, "w", &current).await.during("replace")?;
        ensure_eq(
            "generation",
            &Some(2 + i as i64),
            &current.metadata.generation,
        )?;
    }
    let patched = cx
        .merge(&rt, "w", json!({"spec": {"size": "small"}}))
        .await
        .during("patch")?;
    ensure_eq(
        "generation after a patch",
        &Some(4),
        &patched.metadata.generation,
    )
}

async fn metadata_change_keeps_generation(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    widget(cx, "w", json!({})).await?;
    let patched = cx
        .merge(&rt, "w", json!({"metadata": {"labels": {"a": "b"}, "annotations": {"c": "d"}, "finalizers": [HOLD]}}))
        .await
        .during("metadata patch")?;
    ensure_eq("generation", &Some(1), &patched.metadata.generation)?;
    let released = cx
        .merge(&rt, "w", json!({"metadata": {"finalizers": null}}))
        .await
        .during("release")?;
    ensure_eq(
        "generation after release",
        &Some(1),
        &released.metadata.generation,
    )
}

async fn status_in_replace_ignored_with_subresource(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let created = widget(cx, "w", json!({})).await?;
    let mut body = created.clone();
    body.data["status"] = json!({"phase": "Ready"});
    let replaced = cx.replace(&rt, "w", &body).await.during("replace")?;
    ensure_absent("replace response", &replaced, "/status/phase")?;
    ensure_eq("generation", &Some(1), &replaced.metadata.generation)?;
    let patched = cx
        .merge(&rt, "w", json!({"status": {"phase": "Ready"}}))
        .await
        .during("patch")?;
    ensure_absent("patch response", &patched, "/status/phase")?;
    let read = cx.get(&rt, "w").await.during("get")?;
    ensure_absent("stored object", &read, "/status/phase")
}

async fn status_change_bumps_generation_without_subresource(cx: &Ctx<'_>) -> Outcome {
    let rt = gizmos();
    let created = cx.create(&rt, "g", json!({"spec": {"a": 1}})).await?;
    let mut body = created.clone();
    body.data["status"] = json!({"phase": "Ready"});
    let replaced = cx.replace(&rt, "g", &body).await.during("replace")?;
    ensure_field(
        "replace response",
        &replaced,
        "/status/phase",
        &json!("Ready"),
    )?;
    ensure_eq("generation", &Some(2), &replaced.metadata.generation)
}

async fn removing_last_finalizer_deletes(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    cx.create(&rt, "w", held(json!({}))).await?;
    cx.delete(&rt, "w", &Default::default())
        .await
        .during("delete")?;
    let deleting = cx.get(&rt, "w").await.during("get")?;
    let version = deleting
        .metadata
        .resource_version
        .clone()
        .unwrap_or_default();
    let mut watch = cx
        .watch(&rt, &WatchParams::default(), &version)
        .await
        .during("watch")?;
    let mut body = deleting.clone();
    body.metadata.finalizers = None;
    let answer = cx
        .replace(&rt, "w", &body)
        .await
        .during("replace without finalizers")?;
    ensure_eq("answer name", "w", name_of(&answer))?;
    expect_error(
        "get after release",
        cx.get(&rt, "w").await,
        ErrorKind::NotFound,
    )?;
    expect_change(&mut watch, "DELETED", "w").await.map(|_| ())
}

async fn patch_removing_last_finalizer_deletes(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    cx.create(&rt, "w", held(json!({}))).await?;
    cx.delete(&rt, "w", &Default::default())
        .await
        .during("delete")?;
    let patch = Patch::Json(
        serde_json::from_value(json!([{"op": "remove", "path": "/metadata/finalizers"}]))
            .map_err(|e| crate::case::Failure::new(format!("bad patch: {e}")))?,
    );
    cx.patch(&rt, "w", &patch, &PatchParams::default())
        .await
        .during("json patch removing finalizers")?;
    expect_error(
        "get after release",
        cx.get(&rt, "w").await,
        ErrorKind::NotFound,
    )
    .map(|_| ())
}

async fn removed_fields_leave_every_manager(cx: &Ctx<'_>) -> Outcome {
    let rt = configmaps();
    let object = cx.object(&rt, "cm", json!({"data": {"a": "1", "b": "2"}}))?;
    let as_manager = |m: &str| PatchParams {
        field_manager: Some(m.to_string()),
        ..Default::default()
    };
    cx.create_with(
        &rt,
        &object,
        &kube_core::params::PostParams {
            field_manager: Some("creator".into()),
            ..Default::default()
        },
    )
    .await
    .during("create")?;
    let edited = cx
        .patch(
            &rt,
            "cm",
            &Patch::Merge(json!({"data": {"c": "3"}})),
            &as_manager("editor"),
        )
        .await
        .during("editor's patch")?;
    ensure_owned(&edited, "editor", Some(&json!({"f:data": {"f:c": {}}})))?;
    let trimmed = cx
        .patch(
            &rt,
            "cm",
            &Patch::Merge(json!({"data": {"b": null, "c": null}})),
            &as_manager("remover"),
        )
        .await
        .during("remover's patch")?;
    ensure_owned(
        &trimmed,
        "creator",
        Some(&json!({"f:data": {".": {}, "f:a": {}}})),
    )?;
    ensure_owned(&trimmed, "editor", None)?;
    ensure_owned(&trimmed, "remover", None)
}
