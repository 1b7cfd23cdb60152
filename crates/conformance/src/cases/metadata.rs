//! Area `create`: metadata besides the name — label keys and values, annotation keys,
//! ownerReferences and finalizers are validated on every write (rules 4, 8), and a refused
//! write stores nothing.

use kobj_core::ErrorKind;
use serde_json::json;

use crate::case::{Case, During, Outcome, case};
use crate::check::*;
use crate::ctx::Ctx;
use crate::fixtures::widgets;

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(
            create_bad_label_key_invalid,
            Create,
            [4, 8],
            "a label key that is not a qualified name: 422 `metadata.labels: Invalid value: \"<key>\": name part must consist of …`"
        ),
        case!(
            update_overlong_label_value_invalid,
            Update,
            [4, 8],
            "a 64-character label value set by a patch: 422 `must be no more than 63 characters`; the object is unchanged"
        ),
        case!(
            create_bad_annotation_key_invalid,
            Create,
            [4, 8],
            "an annotation key with a space: 422 on metadata.annotations"
        ),
        case!(
            create_incomplete_owner_reference_invalid,
            Create,
            [4, 8],
            "an ownerReference without uid: 422 `metadata.ownerReferences.uid: Invalid value: \"\": must not be empty`"
        ),
        case!(
            create_two_controller_owners_invalid,
            Create,
            [4, 8],
            "two ownerReferences with `controller: true`: 422 `Only one reference can have Controller set to true`"
        ),
        case!(
            create_orphan_and_foreground_finalizers_invalid,
            Create,
            [4, 8, 31],
            "finalizers `orphan` and `foregroundDeletion` together: 422 `finalizer orphan and foregroundDeletion cannot be both set`"
        ),
    ]
}

/// Creates `w` with `metadata` and expects 422 with a cause on `field` containing
/// `fragment`, with nothing stored.
async fn expect_create_invalid(
    cx: &Ctx<'_>,
    metadata: serde_json::Value,
    field: &str,
    fragment: &str,
) -> Outcome {
    let rt = widgets();
    let object = cx.object(&rt, "w", json!({"metadata": metadata, "spec": {}}))?;
    let err = expect_error(
        "create",
        cx.create_with(&rt, &object, &Default::default()).await,
        ErrorKind::Invalid,
    )?;
    expect_message_starts_with(
        "create",
        &err,
        &format!("Widget.conformance.kobj.dev \"w\" is invalid: {field}: "),
    )?;
    expect_cause("create", &err, field, Some("FieldValueInvalid"), fragment)?;
    expect_error(
        "get after the refused create",
        cx.get(&rt, "w").await,
        ErrorKind::NotFound,
    )?;
    Ok(())
}

async fn create_bad_label_key_invalid(cx: &Ctx<'_>) -> Outcome {
    expect_create_invalid(
        cx,
        json!({"labels": {"bad key": "v"}}),
        "metadata.labels",
        "Invalid value: \"bad key\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    )
    .await
}

async fn update_overlong_label_value_invalid(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let created = cx
        .create(
            &rt,
            "w",
            json!({"metadata": {"labels": {"app": "ok"}}, "spec": {}}),
        )
        .await
        .during("create")?;
    let long = "v".repeat(64);
    let err = expect_error(
        "patch",
        cx.merge(&rt, "w", json!({"metadata": {"labels": {"app": long}}}))
            .await,
        ErrorKind::Invalid,
    )?;
    expect_message(
        "patch",
        &err,
        &format!(
            "Widget.conformance.kobj.dev \"w\" is invalid: metadata.labels: Invalid value: \"{long}\": must be no more than 63 characters"
        ),
    )?;
    let after = cx.get(&rt, "w").await.during("get")?;
    ensure_eq(
        "resourceVersion after the refused patch",
        &created.metadata.resource_version,
        &after.metadata.resource_version,
    )?;
    let app = after.metadata.labels.as_ref().and_then(|l| l.get("app"));
    ensure_eq(
        "label after the refused patch",
        Some(&"ok".to_string()),
        app,
    )
}

async fn create_bad_annotation_key_invalid(cx: &Ctx<'_>) -> Outcome {
    expect_create_invalid(
        cx,
        json!({"annotations": {"a b": "v"}}),
        "metadata.annotations",
        "Invalid value: \"a b\": name part must consist of",
    )
    .await
}

async fn create_incomplete_owner_reference_invalid(cx: &Ctx<'_>) -> Outcome {
    expect_create_invalid(
        cx,
        json!({"ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap", "name": "owner"}]}),
        "metadata.ownerReferences.uid",
        "Invalid value: \"\": must not be empty",
    )
    .await
}

async fn create_two_controller_owners_invalid(cx: &Ctx<'_>) -> Outcome {
    let owner = |name: &str, uid: &str| {
        json!({"apiVersion": "v1", "kind": "ConfigMap", "name": name, "uid": uid,
               "controller": true})
    };
    expect_create_invalid(
        cx,
        json!({"ownerReferences": [
            owner("a", "00000000-0000-0000-0000-00000000000a"),
            owner("b", "00000000-0000-0000-0000-00000000000b"),
        ]}),
        "metadata.ownerReferences",
        "Only one reference can have Controller set to true. Found \"true\" in references for ConfigMap/a and ConfigMap/b",
    )
    .await
}

async fn create_orphan_and_foreground_finalizers_invalid(cx: &Ctx<'_>) -> Outcome {
    expect_create_invalid(
        cx,
        json!({"finalizers": ["orphan", "foregroundDeletion"]}),
        "metadata.finalizers",
        "finalizer orphan and foregroundDeletion cannot be both set",
    )
    .await
}
