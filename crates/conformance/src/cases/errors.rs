//! Area `errors`: the Status envelope (rules 1–5).

use kobj_core::{ApiResource, ErrorKind, ResourceType};
use kube_core::GroupVersionKind;
use kube_core::params::{GetParams, ListParams};
use kube_core::response::StatusSummary;
use serde_json::json;

use super::widget;
use crate::case::{Case, Outcome, case};
use crate::check::*;
use crate::ctx::Ctx;
use crate::fixtures::{configmaps, gizmos, widgets};

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(
            error_not_found_envelope,
            Errors,
            [1, 2, 3],
            "a missing custom object: 404 NotFound Status with `<plural>.<group> \"<n>\" not found` and details"
        ),
        case!(
            error_core_group_has_no_group_in_names,
            Errors,
            [2, 3],
            "core-group errors name `<plural>` alone and omit details.group"
        ),
        case!(
            error_already_exists_envelope,
            Errors,
            [2, 3],
            "a taken name: 409 AlreadyExists with `<qr> \"<n>\" already exists`, details.kind the plural"
        ),
        case!(
            error_conflict_envelope,
            Errors,
            [2, 3],
            "a stale update: 409 Conflict with the optimistic-lock cause"
        ),
        case!(
            error_invalid_envelope_names_kind,
            Errors,
            [2, 3, 4],
            "422 Invalid names `<Kind>.<group>`, details.kind the Kind, one cause per field"
        ),
        case!(
            error_invalid_aggregates_field_errors,
            Errors,
            [3, 4, 47],
            "several field errors are joined as `[e1, e2]` with one cause each"
        ),
        case!(
            error_unregistered_resource_not_found,
            Errors,
            [5],
            "verbs on a group/resource nobody registered are NotFound"
        ),
    ]
}

async fn error_not_found_envelope(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let err = expect_error("get", cx.get(&rt, "absent").await, ErrorKind::NotFound)?;
    let status = err
        .status()
        .ok_or_else(|| crate::case::Failure::new("no Status body"))?;
    ensure_eq("status", &Some(StatusSummary::Failure), &status.status)?;
    ensure_eq("reason", "NotFound", status.reason.as_str())?;
    expect_code("get", &err, 404)?;
    expect_message(
        "get",
        &err,
        "widgets.conformance.kobj.dev \"absent\" not found",
    )?;
    expect_details("get", &err, "absent", "conformance.kobj.dev", "widgets")
}

async fn error_core_group_has_no_group_in_names(cx: &Ctx<'_>) -> Outcome {
    let rt = configmaps();
    let err = expect_error("get", cx.get(&rt, "absent").await, ErrorKind::NotFound)?;
    expect_message("get", &err, "configmaps \"absent\" not found")?;
    expect_details("get", &err, "absent", "", "configmaps")?;
    cx.create(&rt, "cm", json!({"data": {"k": "v"}})).await?;
    let err = expect_error(
        "create again",
        cx.create_with(&rt, &cx.object(&rt, "cm", json!({}))?, &Default::default())
            .await,
        ErrorKind::AlreadyExists,
    )?;
    expect_message("create again", &err, "configmaps \"cm\" already exists")?;
    expect_details("create again", &err, "cm", "", "configmaps")
}

async fn error_already_exists_envelope(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    widget(cx, "w", json!({})).await?;
    let again = cx.object(&rt, "w", json!({"spec": {}}))?;
    let err = expect_error(
        "second create",
        cx.create_with(&rt, &again, &Default::default()).await,
        ErrorKind::AlreadyExists,
    )?;
    expect_code("second create", &err, 409)?;
    expect_message(
        "second create",
        &err,
        "widgets.conformance.kobj.dev \"w\" already exists",
    )?;
    expect_details(
        "second create",
        &err,
        "w",
        "conformance.kobj.dev",
        "widgets",
    )
}

async fn error_conflict_envelope(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let first = widget(cx, "w", json!({"size": "small"})).await?;
    cx.merge(&rt, "w", json!({"spec": {"size": "large"}}))
        .await?;
    let mut stale = first.clone();
    stale.data["spec"]["size"] = json!("medium");
    let err = expect_error(
        "stale replace",
        cx.replace(&rt, "w", &stale).await,
        ErrorKind::Conflict,
    )?;
    expect_code("stale replace", &err, 409)?;
    expect_message(
        "stale replace",
        &err,
        "Operation cannot be fulfilled on widgets.conformance.kobj.dev \"w\": the object has been modified; please apply your changes to the latest version and try again",
    )?;
    expect_details(
        "stale replace",
        &err,
        "w",
        "conformance.kobj.dev",
        "widgets",
    )
}

async fn error_invalid_envelope_names_kind(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let bad = cx.object(&rt, "w", json!({"spec": {"size": "huge"}}))?;
    let err = expect_error(
        "create",
        cx.create_with(&rt, &bad, &Default::default()).await,
        ErrorKind::Invalid,
    )?;
    expect_code("create", &err, 422)?;
    expect_message(
        "create",
        &err,
        "Widget.conformance.kobj.dev \"w\" is invalid: spec.size: Unsupported value: \"huge\": supported values: \"small\", \"medium\", \"large\"",
    )?;
    expect_details("create", &err, "w", "conformance.kobj.dev", "Widget")?;
    expect_cause(
        "create",
        &err,
        "spec.size",
        Some("FieldValueNotSupported"),
        "Unsupported value: \"huge\": supported values: \"small\", \"medium\", \"large\"",
    )?;
    ensure_eq("number of causes", &1, &err.causes().len())
}

async fn error_invalid_aggregates_field_errors(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let bad = cx.object(&rt, "w", json!({"spec": {"size": "huge", "replicas": 200}}))?;
    let err = expect_error(
        "create",
        cx.create_with(&rt, &bad, &Default::default()).await,
        ErrorKind::Invalid,
    )?;
    expect_message_starts_with(
        "create",
        &err,
        "Widget.conformance.kobj.dev \"w\" is invalid: [",
    )?;
    let message = err.status().map(|s| s.message.clone()).unwrap_or_default();
    ensure(message.ends_with(']'), || {
        format!("expected the errors in [...], got {message:?}")
    })?;
    expect_message_contains(
        "create",
        &err,
        "spec.replicas: Invalid value: 200: spec.replicas in body should be less than or equal to 100",
    )?;
    expect_message_contains("create", &err, "spec.size: Unsupported value: \"huge\"")?;
    expect_message_contains("create", &err, ", ")?;
    ensure_eq("number of causes", &2, &err.causes().len())?;
    expect_cause(
        "create",
        &err,
        "spec.replicas",
        None,
        "less than or equal to 100",
    )?;
    expect_cause("create", &err, "spec.size", None, "Unsupported value")
}

async fn error_unregistered_resource_not_found(cx: &Ctx<'_>) -> Outcome {
    let gvk = GroupVersionKind::gvk("nothing.conformance.kobj.dev", "v1", "Nothing");
    let rt = ResourceType::namespaced(ApiResource::from_gvk_with_plural(&gvk, "nothings"));
    let api = cx.api(&rt);
    expect_error(
        "get",
        api.get(&rt, Some(cx.ns()), "x", &GetParams::default())
            .await,
        ErrorKind::NotFound,
    )?;
    expect_error(
        "list",
        api.list(&rt, Some(cx.ns()), &ListParams::default()).await,
        ErrorKind::NotFound,
    )?;
    let object = cx.object(&rt, "x", json!({}))?;
    expect_error(
        "create",
        cx.create_with(&rt, &object, &Default::default()).await,
        ErrorKind::NotFound,
    )?;
    // A known group with an unknown resource is just as unknown.
    let gizmo = gizmos();
    let mut other = gizmo.clone();
    other.api.plural = "doodads".into();
    other.api.kind = "Doodad".into();
    expect_error("get doodad", cx.get(&other, "x").await, ErrorKind::NotFound).map(|_| ())
}
