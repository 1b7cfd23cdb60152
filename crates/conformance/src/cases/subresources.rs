//! Area `subresources`: status and scale (rules 5, 21, 22).

use k8s_openapi::api::autoscaling::v1::{Scale, ScaleSpec};
use kobj_core::ErrorKind;
use kube_core::params::{Patch, PatchParams, PostParams};
use serde_json::json;

use super::widget;
use crate::case::{Case, During, Outcome, case};
use crate::check::*;
use crate::ctx::Ctx;
use crate::fixtures::{gizmos, widgets};

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(
            status_get_returns_whole_object,
            Subresources,
            [21],
            "GET /status returns the whole object"
        ),
        case!(
            status_replace_changes_only_status,
            Subresources,
            [21, 19],
            "PUT /status takes only .status from the body; spec and label edits are dropped, generation kept"
        ),
        case!(
            status_patch_changes_only_status,
            Subresources,
            [21],
            "PATCH /status changes only .status"
        ),
        case!(
            status_replace_stale_conflict,
            Subresources,
            [21, 17],
            "PUT /status with a stale resourceVersion is a Conflict"
        ),
        case!(
            status_of_missing_object_not_found,
            Subresources,
            [21, 24],
            "the status of an object that does not exist is NotFound"
        ),
        case!(
            status_without_subresource_not_found,
            Subresources,
            [5, 21],
            "a type without the status subresource: /status is a 404 Status"
        ),
        case!(
            scale_reports_replicas_and_selector,
            Subresources,
            [22],
            "GET /scale maps spec.replicas, status.replicas and status.selector"
        ),
        case!(
            scale_replace_sets_spec_replicas,
            Subresources,
            [22, 19],
            "PUT /scale writes spec.replicas (a spec change: generation bumps)"
        ),
        case!(
            scale_patch_sets_spec_replicas,
            Subresources,
            [22],
            "PATCH /scale writes spec.replicas"
        ),
        case!(
            scale_replace_stale_conflict,
            Subresources,
            [22, 17],
            "PUT /scale with a stale resourceVersion is a Conflict"
        ),
        case!(
            scale_validates_the_object,
            Subresources,
            [22, 47],
            "a scale that breaks the schema is Invalid and changes nothing"
        ),
        case!(
            scale_without_subresource_not_found,
            Subresources,
            [5, 22],
            "a type without the scale subresource: /scale is NotFound"
        ),
    ]
}

async fn status_get_returns_whole_object(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    widget(cx, "w", json!({"size": "small"})).await?;
    let read = cx
        .api(&rt)
        .get_status(&rt, Some(cx.ns()), "w")
        .await
        .during("get status")?;
    ensure_eq("name", "w", name_of(&read))?;
    ensure_field("status read", &read, "/spec/size", &json!("small"))
}

async fn status_replace_changes_only_status(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let created = widget(cx, "w", json!({"size": "small"})).await?;
    let mut body = created.clone();
    body.data["spec"]["size"] = json!("large");
    body.data["status"] = json!({"phase": "Ready", "replicas": 2});
    body.metadata.labels = Some([("sneaky".to_string(), "yes".to_string())].into());
    let answer = cx
        .api(&rt)
        .replace_status(&rt, Some(cx.ns()), "w", &body, &PostParams::default())
        .await
        .during("replace status")?;
    ensure_field("answer", &answer, "/status/phase", &json!("Ready"))?;
    ensure_field("answer", &answer, "/spec/size", &json!("small"))?;
    ensure_eq(
        "labels",
        &None,
        &answer.metadata.labels.clone().filter(|l| !l.is_empty()),
    )?;
    ensure_eq("generation", &Some(1), &answer.metadata.generation)?;
    ensure(rv(&answer)? > rv(&created)?, || {
        "resourceVersion did not advance".into()
    })?;
    let read = cx.get(&rt, "w").await.during("get")?;
    ensure_field("stored object", &read, "/status/replicas", &json!(2))?;
    ensure_field("stored object", &read, "/spec/size", &json!("small"))
}

async fn status_patch_changes_only_status(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    widget(cx, "w", json!({"size": "small"})).await?;
    let patch = Patch::Merge(json!({"spec": {"size": "large"}, "status": {"phase": "Ready"}}));
    let answer = cx
        .api(&rt)
        .patch_status(&rt, Some(cx.ns()), "w", &patch, &PatchParams::default())
        .await
        .during("patch status")?;
    ensure_field("answer", &answer, "/status/phase", &json!("Ready"))?;
    ensure_field("answer", &answer, "/spec/size", &json!("small"))?;
    ensure_eq("generation", &Some(1), &answer.metadata.generation)
}

async fn status_replace_stale_conflict(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let created = widget(cx, "w", json!({})).await?;
    cx.merge(&rt, "w", json!({"spec": {"size": "large"}}))
        .await
        .during("patch")?;
    let mut body = created.clone();
    body.data["status"] = json!({"phase": "Ready"});
    let result = cx
        .api(&rt)
        .replace_status(&rt, Some(cx.ns()), "w", &body, &PostParams::default())
        .await;
    expect_error("stale status replace", result, ErrorKind::Conflict)?;
    let read = cx.get(&rt, "w").await.during("get")?;
    ensure_absent("stored object", &read, "/status/phase")
}

async fn status_of_missing_object_not_found(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let api = cx.api(&rt);
    let err = expect_error(
        "get status",
        api.get_status(&rt, Some(cx.ns()), "absent").await,
        ErrorKind::NotFound,
    )?;
    expect_message(
        "get status",
        &err,
        "widgets.conformance.kobj.dev \"absent\" not found",
    )?;
    let patch = Patch::Merge(json!({"status": {"phase": "Ready"}}));
    expect_error(
        "patch status",
        api.patch_status(
            &rt,
            Some(cx.ns()),
            "absent",
            &patch,
            &PatchParams::default(),
        )
        .await,
        ErrorKind::NotFound,
    )?;
    Ok(())
}

async fn status_without_subresource_not_found(cx: &Ctx<'_>) -> Outcome {
    let rt = gizmos();
    let created = cx.create(&rt, "g", json!({"spec": {}})).await?;
    let api = cx.api(&rt);
    let err = expect_error(
        "get status",
        api.get_status(&rt, Some(cx.ns()), "g").await,
        ErrorKind::NotFound,
    )?;
    expect_code("get status", &err, 404)?;
    let mut body = created.clone();
    body.data["status"] = json!({"phase": "Ready"});
    expect_error(
        "replace status",
        api.replace_status(&rt, Some(cx.ns()), "g", &body, &PostParams::default())
            .await,
        ErrorKind::NotFound,
    )?;
    let patch = Patch::Merge(json!({"status": {"phase": "Ready"}}));
    expect_error(
        "patch status",
        api.patch_status(&rt, Some(cx.ns()), "g", &patch, &PatchParams::default())
            .await,
        ErrorKind::NotFound,
    )?;
    let read = cx.get(&rt, "g").await.during("get")?;
    ensure_absent("stored object", &read, "/status/phase")
}

async fn scale_reports_replicas_and_selector(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let created = widget(cx, "w", json!({"replicas": 3})).await?;
    let patch = Patch::Merge(json!({"status": {"replicas": 2, "selector": "app=w"}}));
    cx.api(&rt)
        .patch_status(&rt, Some(cx.ns()), "w", &patch, &PatchParams::default())
        .await
        .during("patch status")?;
    let scale = cx
        .api(&rt)
        .get_scale(&rt, Some(cx.ns()), "w")
        .await
        .during("get scale")?;
    ensure_eq("scale name", Some("w"), scale.metadata.name.as_deref())?;
    ensure_eq(
        "scale namespace",
        Some(cx.ns()),
        scale.metadata.namespace.as_deref(),
    )?;
    ensure_eq("scale uid", &created.metadata.uid, &scale.metadata.uid)?;
    ensure_eq(
        "spec.replicas",
        Some(3),
        scale.spec.as_ref().and_then(|s| s.replicas),
    )?;
    let status = scale.status.clone().unwrap_or_default();
    ensure_eq("status.replicas", 2, status.replicas)?;
    ensure_eq("status.selector", Some("app=w"), status.selector.as_deref())
}

async fn scale_replace_sets_spec_replicas(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    widget(cx, "w", json!({"replicas": 1})).await?;
    let api = cx.api(&rt);
    let mut scale = api
        .get_scale(&rt, Some(cx.ns()), "w")
        .await
        .during("get scale")?;
    scale.spec = Some(ScaleSpec { replicas: Some(7) });
    let answer = api
        .replace_scale(&rt, Some(cx.ns()), "w", &scale, &PostParams::default())
        .await
        .during("replace scale")?;
    ensure_eq(
        "answer spec.replicas",
        Some(7),
        answer.spec.as_ref().and_then(|s| s.replicas),
    )?;
    let read = cx.get(&rt, "w").await.during("get")?;
    ensure_field("object", &read, "/spec/replicas", &json!(7))?;
    ensure_eq("generation", &Some(2), &read.metadata.generation)
}

async fn scale_patch_sets_spec_replicas(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    widget(cx, "w", json!({"replicas": 1})).await?;
    let patch = Patch::Merge(json!({"spec": {"replicas": 4}}));
    let answer = cx
        .api(&rt)
        .patch_scale(&rt, Some(cx.ns()), "w", &patch, &PatchParams::default())
        .await
        .during("patch scale")?;
    ensure_eq(
        "answer spec.replicas",
        Some(4),
        answer.spec.as_ref().and_then(|s| s.replicas),
    )?;
    let read = cx.get(&rt, "w").await.during("get")?;
    ensure_field("object", &read, "/spec/replicas", &json!(4))
}

async fn scale_replace_stale_conflict(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    widget(cx, "w", json!({"replicas": 1})).await?;
    let api = cx.api(&rt);
    let mut scale: Scale = api
        .get_scale(&rt, Some(cx.ns()), "w")
        .await
        .during("get scale")?;
    cx.merge(&rt, "w", json!({"spec": {"size": "large"}}))
        .await
        .during("patch")?;
    scale.spec = Some(ScaleSpec { replicas: Some(9) });
    expect_error(
        "stale scale replace",
        api.replace_scale(&rt, Some(cx.ns()), "w", &scale, &PostParams::default())
            .await,
        ErrorKind::Conflict,
    )?;
    let read = cx.get(&rt, "w").await.during("get")?;
    ensure_field("object", &read, "/spec/replicas", &json!(1))
}

async fn scale_validates_the_object(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    widget(cx, "w", json!({"replicas": 1})).await?;
    let patch = Patch::Merge(json!({"spec": {"replicas": 500}}));
    let result = cx
        .api(&rt)
        .patch_scale(&rt, Some(cx.ns()), "w", &patch, &PatchParams::default())
        .await;
    let err = expect_error("patch scale", result, ErrorKind::Invalid)?;
    expect_message_contains("patch scale", &err, "should be less than or equal to 100")?;
    let read = cx.get(&rt, "w").await.during("get")?;
    ensure_field("object", &read, "/spec/replicas", &json!(1))
}

async fn scale_without_subresource_not_found(cx: &Ctx<'_>) -> Outcome {
    let rt = gizmos();
    cx.create(&rt, "g", json!({"spec": {"replicas": 1}}))
        .await?;
    let api = cx.api(&rt);
    expect_error(
        "get scale",
        api.get_scale(&rt, Some(cx.ns()), "g").await,
        ErrorKind::NotFound,
    )?;
    let patch = Patch::Merge(json!({"spec": {"replicas": 4}}));
    expect_error(
        "patch scale",
        api.patch_scale(&rt, Some(cx.ns()), "g", &patch, &PatchParams::default())
            .await,
        ErrorKind::NotFound,
    )?;
    Ok(())
}
