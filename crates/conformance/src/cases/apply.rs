//! Area `patch`: server-side apply (rules 24, 26).

use kobj_core::ErrorKind;
use kube_core::params::{Patch, PatchParams};
use serde_json::{Value, json};

use super::widget;
use crate::case::{Case, During, Failure, Outcome, case};
use crate::check::*;
use crate::ctx::Ctx;
use crate::fixtures::widgets;

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(
            apply_creates_missing_object,
            Patch,
            [24, 26],
            needs[ServerSideApply],
            "apply on a missing object creates it, recording the manager with operation Apply"
        ),
        case!(
            apply_requires_field_manager,
            Patch,
            [26],
            needs[ServerSideApply],
            "apply without fieldManager: 422 `PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch`"
        ),
        case!(
            apply_undeclared_field_refused,
            Patch,
            [26],
            needs[ServerSideApply],
            "apply of a Widget with a field its schema lacks (outside a preserve-unknown-fields object, where one is kept), or with a string `replicas`: structured-merge-diff's 500 `failed to create typed patch object (<ns>/w; conformance.kobj.dev/v1, Kind=Widget): …` naming it; nothing is stored"
        ),
        case!(
            force_requires_apply_patch,
            Patch,
            [26],
            "force on a merge patch: 422 on PatchOptions"
        ),
        case!(
            apply_conflicts_with_other_applier,
            Patch,
            [26],
            needs[ServerSideApply],
            "a second manager applying another value: 409 `Apply failed with 1 conflict: conflict with \"<mgr>\": .spec.size`"
        ),
        case!(
            apply_conflicts_with_update_manager,
            Patch,
            [26],
            needs[ServerSideApply],
            "a field last set by a merge patch conflicts as `conflict with \"<mgr>\" using <apiVersion>: <path>` (no time: it is not part of the manager identifier)"
        ),
        case!(
            apply_force_takes_ownership,
            Patch,
            [26],
            needs[ServerSideApply],
            "force=true takes the field; the former owner then conflicts"
        ),
        case!(
            apply_drops_fields_the_manager_stopped_applying,
            Patch,
            [26],
            needs[ServerSideApply],
            "a manager that stops applying a field it alone owns removes it"
        ),
        case!(
            apply_same_value_shares_ownership,
            Patch,
            [26],
            needs[ServerSideApply],
            "two managers applying the same value share the field without conflict"
        ),
    ]
}

fn applied(cx: &Ctx<'_>, name: &str, spec: Value) -> Patch<Value> {
    Patch::Apply(json!({
        "apiVersion": "conformance.kobj.dev/v1",
        "kind": "Widget",
        "metadata": {"name": name, "namespace": cx.ns()},
        "spec": spec
    }))
}

async fn apply(
    cx: &Ctx<'_>,
    manager: &str,
    spec: Value,
    force: bool,
) -> kobj_core::Result<kube_core::DynamicObject> {
    let mut params = PatchParams::apply(manager);
    params.force = force;
    cx.patch(&widgets(), "w", &applied(cx, "w", spec), &params)
        .await
}

fn managers(object: &kube_core::DynamicObject) -> Vec<(String, String)> {
    object
        .metadata
        .managed_fields
        .iter()
        .flatten()
        .map(|e| {
            (
                e.manager.clone().unwrap_or_default(),
                e.operation.clone().unwrap_or_default(),
            )
        })
        .collect()
}

async fn apply_creates_missing_object(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let created = apply(cx, "conf-a", json!({"size": "small"}), false)
        .await
        .during("apply")?;
    ensure_field("created", &created, "/spec/size", &json!("small"))?;
    ensure_eq("generation", &Some(1), &created.metadata.generation)?;
    let found = managers(&created);
    ensure(found.contains(&("conf-a".into(), "Apply".into())), || {
        format!("no Apply entry for conf-a in {found:?}")
    })?;
    cx.get(&rt, "w").await.during("get")?;
    Ok(())
}

async fn apply_requires_field_manager(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let patch = applied(cx, "w", json!({"size": "small"}));
    let err = expect_error(
        "apply",
        cx.patch(&rt, "w", &patch, &PatchParams::default()).await,
        ErrorKind::Invalid,
    )?;
    expect_message(
        "apply",
        &err,
        "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
    )?;
    expect_error("get", cx.get(&rt, "w").await, ErrorKind::NotFound).map(|_| ())
}

async fn force_requires_apply_patch(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    widget(cx, "w", json!({"size": "small"})).await?;
    let params = PatchParams {
        force: true,
        field_manager: Some("conf-a".into()),
        ..Default::default()
    };
    let patch = Patch::Merge(json!({"spec": {"size": "large"}}));
    let err = expect_error(
        "forced merge patch",
        cx.patch(&rt, "w", &patch, &params).await,
        ErrorKind::Invalid,
    )?;
    expect_message_starts_with(
        "forced merge patch",
        &err,
        "PatchOptions.meta.k8s.io \"\" is invalid: force: Forbidden",
    )?;
    let read = cx.get(&rt, "w").await.during("get")?;
    ensure_field("stored object", &read, "/spec/size", &json!("small"))
}

async fn apply_conflicts_with_other_applier(cx: &Ctx<'_>) -> Outcome {
    apply(cx, "conf-a", json!({"size": "small"}), false)
        .await
        .during("first apply")?;
    let err = expect_error(
        "second manager",
        apply(cx, "conf-b", json!({"size": "large"}), false).await,
        ErrorKind::Conflict,
    )?;
    expect_code("second manager", &err, 409)?;
    expect_message(
        "second manager",
        &err,
        "Apply failed with 1 conflict: conflict with \"conf-a\": .spec.size",
    )?;
    expect_cause(
        "second manager",
        &err,
        ".spec.size",
        Some("FieldManagerConflict"),
        "conflict with \"conf-a\"",
    )?;
    let read = cx.get(&widgets(), "w").await.during("get")?;
    ensure_field("stored object", &read, "/spec/size", &json!("small"))
}

async fn apply_conflicts_with_update_manager(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    apply(cx, "conf-a", json!({"size": "small"}), false)
        .await
        .during("first apply")?;
    let params = PatchParams {
        field_manager: Some("conf-editor".into()),
        ..Default::default()
    };
    cx.patch(
        &rt,
        "w",
        &Patch::Merge(json!({"spec": {"size": "medium"}})),
        &params,
    )
    .await
    .during("merge patch by conf-editor")?;
    let err = expect_error(
        "re-apply",
        apply(cx, "conf-a", json!({"size": "small"}), false).await,
        ErrorKind::Conflict,
    )?;
    expect_message(
        "re-apply",
        &err,
        "Apply failed with 1 conflict: conflict with \"conf-editor\" using conformance.kobj.dev/v1: .spec.size",
    )?;
    expect_cause(
        "re-apply",
        &err,
        ".spec.size",
        Some("FieldManagerConflict"),
        "conflict with \"conf-editor\" using conformance.kobj.dev/v1",
    )
}

async fn apply_force_takes_ownership(cx: &Ctx<'_>) -> Outcome {
    apply(cx, "conf-a", json!({"size": "small"}), false)
        .await
        .during("first apply")?;
    let forced = apply(cx, "conf-b", json!({"size": "large"}), true)
        .await
        .during("forced apply")?;
    ensure_field("forced", &forced, "/spec/size", &json!("large"))?;
    let found = managers(&forced);
    ensure(found.contains(&("conf-b".into(), "Apply".into())), || {
        format!("no Apply entry for conf-b in {found:?}")
    })?;
    let err = expect_error(
        "former owner",
        apply(cx, "conf-a", json!({"size": "small"}), false).await,
        ErrorKind::Conflict,
    )?;
    expect_message(
        "former owner",
        &err,
        "Apply failed with 1 conflict: conflict with \"conf-b\": .spec.size",
    )
}

async fn apply_drops_fields_the_manager_stopped_applying(cx: &Ctx<'_>) -> Outcome {
    apply(
        cx,
        "conf-a",
        json!({"size": "small", "color": "red"}),
        false,
    )
    .await
    .during("first apply")?;
    let second = apply(cx, "conf-a", json!({"size": "small"}), false)
        .await
        .during("second apply")?;
    ensure_absent("after dropping color", &second, "/spec/color")?;
    ensure_field(
        "after dropping color",
        &second,
        "/spec/size",
        &json!("small"),
    )
}

async fn apply_same_value_shares_ownership(cx: &Ctx<'_>) -> Outcome {
    apply(cx, "conf-a", json!({"size": "small"}), false)
        .await
        .during("first apply")?;
    let shared = apply(cx, "conf-b", json!({"size": "small"}), false)
        .await
        .map_err(|e| Failure::new(format!("applying the same value conflicted: {e}")))?;
    let found = managers(&shared);
    for manager in ["conf-a", "conf-b"] {
        ensure(found.contains(&(manager.into(), "Apply".into())), || {
            format!("no Apply entry for {manager} in {found:?}")
        })?;
    }
    // conf-a alone dropping size leaves it, as conf-b still owns it.
    let dropped = apply(cx, "conf-a", json!({}), false)
        .await
        .during("conf-a stops applying size")?;
    ensure_field("shared field", &dropped, "/spec/size", &json!("small"))
}

async fn apply_undeclared_field_refused(cx: &Ctx<'_>) -> Outcome {
    // One error per configuration: structured-merge-diff stops walking an object at its
    // first undeclared field, and walks it in Go's map order.
    for (spec, error) in [
        (
            json!({"sise": "small", "extra": {"anything": 1}}),
            ".spec.sise: field not declared in schema",
        ),
        (
            json!({"replicas": "2"}),
            ".spec.replicas: expected numeric (int or float), got string",
        ),
    ] {
        let err = expect_error_code("apply", apply(cx, "conformance", spec, false).await, 500)?;
        expect_message(
            "apply",
            &err,
            &format!(
                "failed to create typed patch object ({}/w; conformance.kobj.dev/v1, Kind=Widget): {error}",
                cx.ns()
            ),
        )?;
        expect_error("get", cx.get(&widgets(), "w").await, ErrorKind::NotFound)?;
    }
    // Inside `extra`, which keeps unknown fields, any field is declared.
    let created = apply(cx, "conformance", json!({"extra": {"anything": 1}}), false)
        .await
        .during("apply")?;
    ensure_field("created", &created, "/spec/extra/anything", &json!(1))
}

/// Expects `result` to be an error with HTTP code `code`; returns it.
fn expect_error_code<T>(
    what: &str,
    result: kobj_core::Result<T>,
    code: u16,
) -> Result<kobj_core::Error, Failure> {
    match result {
        Ok(_) => Err(Failure::new(format!(
            "{what}: expected a {code} error, got success"
        ))),
        Err(err) => expect_code(what, &err, code).map(|()| err),
    }
}
