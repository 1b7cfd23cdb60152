//! Area `patch`: JSON Patch, merge patch, strategic merge, field validation (rules 9, 17, 18,
//! 23–25, 27).

use kobj_core::{ErrorKind, PatchValue};
use kube_core::params::{Patch, PatchParams, ValidationDirective};
use serde_json::{Value, json};

use super::widget;
use crate::case::{Case, During, Failure, Outcome, case};
use crate::check::*;
use crate::ctx::Ctx;
use crate::fixtures::{configmaps, pods, service_accounts, widgets};

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(
            merge_patch_updates_fields,
            Patch,
            [23, 24],
            "a merge patch changes the named fields and keeps the rest"
        ),
        case!(
            merge_patch_null_removes_field,
            Patch,
            [23],
            "null in a merge patch removes the field"
        ),
        case!(
            json_patch_applies_operations,
            Patch,
            [23, 24],
            "JSON Patch add, replace, remove and a passing test apply in order"
        ),
        case!(
            json_patch_failed_test_invalid,
            Patch,
            [25],
            "a failing JSON Patch `test`: 422 `the server rejected our request due to an error in our request`"
        ),
        case!(
            json_patch_missing_path_invalid,
            Patch,
            [25],
            "a JSON Patch operation on a missing path: the same 422, nothing changes"
        ),
        case!(
            json_patch_too_many_operations,
            Patch,
            [25],
            "more than 10000 JSON Patch operations: 413"
        ),
        case!(
            patch_missing_object_not_found,
            Patch,
            [24],
            "merge and JSON patches of an object that does not exist are NotFound"
        ),
        case!(
            patch_with_resource_version_is_conditional,
            Patch,
            [24],
            "a patch carrying metadata.resourceVersion conflicts when it is stale"
        ),
        case!(
            patch_changing_name_bad_request,
            Patch,
            [17, 24],
            "a patch that renames: 400 `the name of the object (X) does not match the name on the URL (Y)`"
        ),
        case!(
            patch_changing_namespace_bad_request,
            Patch,
            [9, 24],
            "a patch that moves namespace: 400 `the namespace of the provided object does not match …`"
        ),
        case!(
            patch_changing_uid_invalid,
            Patch,
            [18],
            "a patch that changes uid: 422 `metadata.uid: … field is immutable`"
        ),
        case!(
            patch_dry_run_stores_nothing,
            Patch,
            [24],
            "a dry-run patch answers with the result and stores nothing"
        ),
        case!(
            strategic_merge_on_custom_unsupported,
            Patch,
            [23],
            "strategic merge on a custom object: 415 `the body of the request was in an unknown format …`"
        ),
        case!(
            strategic_merge_merges_containers_by_name,
            Patch,
            [23],
            needs[StrategicMerge],
            "strategic merge of a Pod merges containers by name"
        ),
        case!(
            strategic_merge_unions_finalizers,
            Patch,
            [23],
            needs[StrategicMerge],
            "strategic merge of metadata.finalizers merges the lists"
        ),
        case!(
            strict_field_validation_rejects_unknown_field,
            Patch,
            [27],
            needs[StrictFieldValidation],
            "fieldValidation=Strict on a patch with an unknown field: 422 on `patch` naming the field"
        ),
        case!(
            ignored_unknown_fields_are_pruned,
            Patch,
            [27, 48],
            "fieldValidation Ignore and the default Warn accept an unknown field and prune it"
        ),
    ]
}

fn json_patch(ops: Value) -> Result<PatchValue, Failure> {
    serde_json::from_value(ops)
        .map(Patch::Json)
        .map_err(|e| Failure::new(format!("bad JSON Patch in the test: {e}")))
}

async fn merge_patch_updates_fields(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let created = widget(cx, "w", json!({"size": "small", "color": "red"})).await?;
    let patched = cx
        .merge(
            &rt,
            "w",
            json!({"spec": {"color": "blue"}, "metadata": {"labels": {"x": "y"}}}),
        )
        .await
        .during("patch")?;
    ensure_field("patched", &patched, "/spec/color", &json!("blue"))?;
    ensure_field("patched", &patched, "/spec/size", &json!("small"))?;
    ensure_eq(
        "label",
        Some("y"),
        patched
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get("x"))
            .map(String::as_str),
    )?;
    ensure(rv(&patched)? > rv(&created)?, || {
        "resourceVersion did not advance".into()
    })?;
    let read = cx.get(&rt, "w").await.during("get")?;
    ensure_eq("stored body", &patched.data, &read.data)
}

async fn merge_patch_null_removes_field(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    widget(cx, "w", json!({"size": "small", "color": "red"})).await?;
    let patched = cx
        .merge(&rt, "w", json!({"spec": {"color": null}}))
        .await
        .during("patch")?;
    ensure_absent("patched", &patched, "/spec/color")?;
    ensure_field("patched", &patched, "/spec/size", &json!("small"))
}

async fn json_patch_applies_operations(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    widget(
        cx,
        "w",
        json!({"size": "small", "color": "red", "tags": ["a"]}),
    )
    .await?;
    let patch = json_patch(json!([
        {"op": "test", "path": "/spec/size", "value": "small"},
        {"op": "replace", "path": "/spec/size", "value": "large"},
        {"op": "add", "path": "/spec/tags/-", "value": "b"},
        {"op": "remove", "path": "/spec/color"},
        {"op": "add", "path": "/metadata/labels", "value": {"j": "p"}}
    ]))?;
    let patched = cx
        .patch(&rt, "w", &patch, &PatchParams::default())
        .await
        .during("json patch")?;
    ensure_field("patched", &patched, "/spec/size", &json!("large"))?;
    ensure_field("patched", &patched, "/spec/tags", &json!(["a", "b"]))?;
    ensure_absent("patched", &patched, "/spec/color")?;
    ensure_eq(
        "label",
        Some("p"),
        patched
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get("j"))
            .map(String::as_str),
    )
}

async fn json_patch_failed_test_invalid(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let created = widget(cx, "w", json!({"size": "small"})).await?;
    let patch = json_patch(json!([
        {"op": "replace", "path": "/spec/color", "value": "blue"},
        {"op": "test", "path": "/spec/size", "value": "large"}
    ]))?;
    let err = expect_error(
        "json patch",
        cx.patch(&rt, "w", &patch, &PatchParams::default()).await,
        ErrorKind::Invalid,
    )?;
    expect_code("json patch", &err, 422)?;
    expect_message(
        "json patch",
        &err,
        "the server rejected our request due to an error in our request",
    )?;
    let read = cx.get(&rt, "w").await.during("get")?;
    ensure_eq("resourceVersion", &rv(&created)?, &rv(&read)?)?;
    ensure_absent("stored object", &read, "/spec/color")
}

async fn json_patch_missing_path_invalid(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let created = widget(cx, "w", json!({"size": "small"})).await?;
    for (what, ops) in [
        ("remove", json!([{"op": "remove", "path": "/spec/nothing"}])),
        (
            "replace",
            json!([{"op": "replace", "path": "/spec/nothing/deeper", "value": 1}]),
        ),
    ] {
        let patch = json_patch(ops)?;
        let err = expect_error(
            what,
            cx.patch(&rt, "w", &patch, &PatchParams::default()).await,
            ErrorKind::Invalid,
        )?;
        expect_message(
            what,
            &err,
            "the server rejected our request due to an error in our request",
        )?;
    }
    let read = cx.get(&rt, "w").await.during("get")?;
    ensure_eq("resourceVersion", &rv(&created)?, &rv(&read)?)
}

async fn json_patch_too_many_operations(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    widget(cx, "w", json!({"size": "small"})).await?;
    let ops: Vec<Value> = (0..10_001)
        .map(|_| json!({"op": "test", "path": "/spec/size", "value": "small"}))
        .collect();
    let patch = json_patch(Value::Array(ops))?;
    let err = expect_error(
        "json patch",
        cx.patch(&rt, "w", &patch, &PatchParams::default()).await,
        ErrorKind::RequestEntityTooLarge,
    )?;
    expect_code("json patch", &err, 413)
}

async fn patch_missing_object_not_found(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let err = expect_error(
        "merge patch",
        cx.merge(&rt, "absent", json!({"spec": {"size": "small"}}))
            .await,
        ErrorKind::NotFound,
    )?;
    expect_message(
        "merge patch",
        &err,
        "widgets.conformance.kobj.dev \"absent\" not found",
    )?;
    let patch = json_patch(json!([{"op": "add", "path": "/spec", "value": {}}]))?;
    expect_error(
        "json patch",
        cx.patch(&rt, "absent", &patch, &PatchParams::default())
            .await,
        ErrorKind::NotFound,
    )?;
    expect_error("get", cx.get(&rt, "absent").await, ErrorKind::NotFound).map(|_| ())
}

async fn patch_with_resource_version_is_conditional(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let created = widget(cx, "w", json!({"size": "small"})).await?;
    let stale = created
        .metadata
        .resource_version
        .clone()
        .unwrap_or_default();
    let current = cx
        .merge(&rt, "w", json!({"spec": {"color": "red"}}))
        .await
        .during("unconditional patch")?;
    let err = expect_error(
        "stale patch",
        cx.merge(
            &rt,
            "w",
            json!({"metadata": {"resourceVersion": stale}, "spec": {"size": "large"}}),
        )
        .await,
        ErrorKind::Conflict,
    )?;
    expect_message_contains("stale patch", &err, "the object has been modified")?;
    let fresh = current
        .metadata
        .resource_version
        .clone()
        .unwrap_or_default();
    let patched = cx
        .merge(
            &rt,
            "w",
            json!({"metadata": {"resourceVersion": fresh}, "spec": {"size": "large"}}),
        )
        .await
        .during("patch at the current version")?;
    ensure_field("patched", &patched, "/spec/size", &json!("large"))
}

async fn patch_changing_name_bad_request(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    widget(cx, "w", json!({})).await?;
    let err = expect_error(
        "patch",
        cx.merge(&rt, "w", json!({"metadata": {"name": "other"}}))
            .await,
        ErrorKind::BadRequest,
    )?;
    expect_message(
        "patch",
        &err,
        "the name of the object (other) does not match the name on the URL (w)",
    )
}

async fn patch_changing_namespace_bad_request(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    widget(cx, "w", json!({})).await?;
    let err = expect_error(
        "patch",
        cx.merge(&rt, "w", json!({"metadata": {"namespace": "elsewhere"}}))
            .await,
        ErrorKind::BadRequest,
    )?;
    expect_message(
        "patch",
        &err,
        "the namespace of the provided object does not match the namespace sent on the request",
    )
}

async fn patch_changing_uid_invalid(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let created = widget(cx, "w", json!({})).await?;
    let err = expect_error(
        "patch",
        cx.merge(
            &rt,
            "w",
            json!({"metadata": {"uid": "00000000-0000-0000-0000-0000000000ff"}}),
        )
        .await,
        ErrorKind::Invalid,
    )?;
    expect_cause("patch", &err, "metadata.uid", None, "field is immutable")?;
    let read = cx.get(&rt, "w").await.during("get")?;
    ensure_eq("uid", &created.metadata.uid, &read.metadata.uid)
}

async fn patch_dry_run_stores_nothing(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let created = widget(cx, "w", json!({"size": "small"})).await?;
    let params = PatchParams {
        dry_run: true,
        ..Default::default()
    };
    let answer = cx
        .patch(
            &rt,
            "w",
            &Patch::Merge(json!({"spec": {"size": "large"}})),
            &params,
        )
        .await
        .during("dry-run patch")?;
    ensure_field("dry-run answer", &answer, "/spec/size", &json!("large"))?;
    // The answer keeps the version it was patched from: only a real write moves it.
    ensure_eq(
        "dry-run answer's resourceVersion",
        &rv(&created)?,
        &rv(&answer)?,
    )?;
    let read = cx.get(&rt, "w").await.during("get")?;
    ensure_field("stored object", &read, "/spec/size", &json!("small"))?;
    ensure_eq("resourceVersion", &rv(&created)?, &rv(&read)?)
}

async fn strategic_merge_on_custom_unsupported(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    widget(cx, "w", json!({"size": "small"})).await?;
    let patch = Patch::Strategic(json!({"spec": {"size": "large"}}));
    let err = expect_error(
        "strategic patch",
        cx.patch(&rt, "w", &patch, &PatchParams::default()).await,
        ErrorKind::UnsupportedMediaType,
    )?;
    expect_code("strategic patch", &err, 415)?;
    expect_message_starts_with(
        "strategic patch",
        &err,
        "the body of the request was in an unknown format - accepted media types include: ",
    )?;
    expect_message_contains("strategic patch", &err, "application/merge-patch+json")?;
    let message = err.status().map(|s| s.message.clone()).unwrap_or_default();
    ensure(!message.contains("strategic"), || {
        format!("strategic merge listed as accepted: {message}")
    })?;
    let read = cx.get(&rt, "w").await.during("get")?;
    ensure_field("stored object", &read, "/spec/size", &json!("small"))
}

async fn strategic_merge_merges_containers_by_name(cx: &Ctx<'_>) -> Outcome {
    let sa = service_accounts();
    cx.create(
        &sa,
        "conformance",
        json!({"automountServiceAccountToken": false}),
    )
    .await?;
    let rt = pods();
    cx.create(
        &rt,
        "p",
        json!({"spec": {
            "serviceAccountName": "conformance",
            "automountServiceAccountToken": false,
            "containers": [
                {"name": "a", "image": "registry.invalid/a:1"},
                {"name": "b", "image": "registry.invalid/b:1"}
            ]
        }}),
    )
    .await?;
    let patch = Patch::Strategic(
        json!({"spec": {"containers": [{"name": "b", "image": "registry.invalid/b:2"}]}}),
    );
    let patched = cx
        .patch(&rt, "p", &patch, &PatchParams::default())
        .await
        .during("strategic patch")?;
    let containers = patched
        .data
        .pointer("/spec/containers")
        .cloned()
        .unwrap_or_default();
    let images: Vec<(String, String)> = containers
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or_default().to_string(),
                c["image"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    ensure_eq(
        "containers (name, image)",
        &vec![
            ("a".to_string(), "registry.invalid/a:1".to_string()),
            ("b".to_string(), "registry.invalid/b:2".to_string()),
        ],
        &images,
    )
}

async fn strategic_merge_unions_finalizers(cx: &Ctx<'_>) -> Outcome {
    let rt = configmaps();
    cx.create(
        &rt,
        "cm",
        json!({"metadata": {"finalizers": ["conformance.kobj.dev/a"]}, "data": {"k": "v"}}),
    )
    .await?;
    let patch = Patch::Strategic(
        json!({"metadata": {"finalizers": ["conformance.kobj.dev/b"]}, "data": {"k2": "v2"}}),
    );
    let patched = cx
        .patch(&rt, "cm", &patch, &PatchParams::default())
        .await
        .during("strategic patch")?;
    let mut finalizers = finalizers_of(&patched);
    finalizers.sort();
    ensure_eq(
        "finalizers",
        &vec![
            "conformance.kobj.dev/a".to_string(),
            "conformance.kobj.dev/b".to_string(),
        ],
        &finalizers,
    )?;
    ensure_field("patched", &patched, "/data/k", &json!("v"))?;
    ensure_field("patched", &patched, "/data/k2", &json!("v2"))
}

async fn strict_field_validation_rejects_unknown_field(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let created = widget(cx, "w", json!({"size": "small"})).await?;
    let params = PatchParams {
        field_validation: Some(ValidationDirective::Strict),
        ..Default::default()
    };
    let patch = Patch::Merge(json!({"spec": {"bogus": 1, "size": "large"}}));
    let err = expect_error(
        "strict patch",
        cx.patch(&rt, "w", &patch, &params).await,
        ErrorKind::Invalid,
    )?;
    expect_cause(
        "strict patch",
        &err,
        "patch",
        None,
        "unknown field \"spec.bogus\"",
    )?;
    let read = cx.get(&rt, "w").await.during("get")?;
    ensure_eq("resourceVersion", &rv(&created)?, &rv(&read)?)
}

async fn ignored_unknown_fields_are_pruned(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    widget(cx, "w", json!({"size": "small"})).await?;
    for (what, directive) in [
        ("Ignore", Some(ValidationDirective::Ignore)),
        ("Warn", Some(ValidationDirective::Warn)),
        ("default", None),
    ] {
        let params = PatchParams {
            field_validation: directive,
            ..Default::default()
        };
        let patch = Patch::Merge(json!({"spec": {"bogus": 1, "color": what.to_ascii_lowercase()}}));
        let patched = cx.patch(&rt, "w", &patch, &params).await.during(what)?;
        ensure_absent(what, &patched, "/spec/bogus")?;
        ensure_field(
            what,
            &patched,
            "/spec/color",
            &json!(what.to_ascii_lowercase()),
        )?;
    }
    Ok(())
}
