//! Area `crd`: schema validation, pruning and defaulting of custom objects (rules 4, 47–49).

use kobj_core::ErrorKind;
use serde_json::{Value, json};

use super::widget;
use crate::case::{Case, During, Failure, Outcome, case};
use crate::check::*;
use crate::ctx::Ctx;
use crate::fixtures::{crd_json, crds, gizmos, widgets};

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(
            schema_rejects_wrong_type,
            Crd,
            [47, 4],
            "a string where an integer belongs: `spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\"`"
        ),
        case!(
            schema_enforces_required,
            Crd,
            [47],
            "a missing required property: `spec.template.image: Required value`"
        ),
        case!(
            schema_enforces_enum,
            Crd,
            [47],
            "a value outside an enum: `Unsupported value: \"huge\": supported values: …`"
        ),
        case!(
            schema_enforces_max_length,
            Crd,
            [47],
            "a string over maxLength: `spec.label: Too long`"
        ),
        case!(
            schema_enforces_max_items,
            Crd,
            [47],
            "an array over maxItems: `spec.tags: Too many: 4`"
        ),
        case!(
            schema_enforces_bounds,
            Crd,
            [47],
            "numbers outside minimum/maximum are Invalid with the validator's text"
        ),
        case!(
            schema_enforces_pattern,
            Crd,
            [47],
            "a string not matching its pattern: `… should match '^[a-z]+$'`"
        ),
        case!(
            schema_enforces_format,
            Crd,
            [47],
            "a date-time that is not one: `… must be of type date-time: \"yesterday\"`"
        ),
        case!(
            schema_int_or_string,
            Crd,
            [47],
            "x-kubernetes-int-or-string accepts integers and strings only"
        ),
        case!(
            schema_validates_updates_and_patches,
            Crd,
            [47],
            "replace and patch are validated too, and a refused write changes nothing"
        ),
        case!(
            schema_cel_rule,
            Crd,
            [47],
            needs[CelValidation],
            "an x-kubernetes-validations rule that fails: 422 with its message"
        ),
        case!(
            pruning_drops_unknown_fields,
            Crd,
            [48],
            "unknown fields are pruned on write, at the root and nested"
        ),
        case!(
            pruning_keeps_preserved_fields,
            Crd,
            [48],
            "fields under x-kubernetes-preserve-unknown-fields are kept"
        ),
        case!(
            pruning_drops_non_nullable_nulls,
            Crd,
            [48],
            "null in a non-nullable field without a default is removed; nullable keeps null"
        ),
        case!(
            defaulting_fills_absent_fields,
            Crd,
            [49],
            "defaults fill absent fields of objects that exist"
        ),
        case!(
            defaulting_only_inside_existing_objects,
            Crd,
            [49],
            "defaults do not create the objects that hold them"
        ),
        case!(
            defaulting_replaces_null,
            Crd,
            [49],
            "a null in a non-nullable field with a default becomes the default"
        ),
        case!(
            defaulting_applies_when_reading,
            Crd,
            [49],
            "a default added to the schema later appears when reading stored objects"
        ),
    ]
}

async fn refused(cx: &Ctx<'_>, spec: Value) -> Result<kobj_core::Error, Failure> {
    let rt = widgets();
    let object = cx.object(&rt, "w", json!({"spec": spec}))?;
    let err = expect_error(
        "create",
        cx.create_with(&rt, &object, &Default::default()).await,
        ErrorKind::Invalid,
    )?;
    expect_message_starts_with(
        "create",
        &err,
        "Widget.conformance.kobj.dev \"w\" is invalid: ",
    )?;
    expect_error(
        "get the refused object",
        cx.get(&rt, "w").await,
        ErrorKind::NotFound,
    )?;
    Ok(err)
}

async fn schema_rejects_wrong_type(cx: &Ctx<'_>) -> Outcome {
    let err = refused(cx, json!({"replicas": "three"})).await?;
    expect_message(
        "create",
        &err,
        "Widget.conformance.kobj.dev \"w\" is invalid: spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\"",
    )?;
    expect_cause(
        "create",
        &err,
        "spec.replicas",
        Some("FieldValueTypeInvalid"),
        "must be of type integer",
    )
}

async fn schema_enforces_required(cx: &Ctx<'_>) -> Outcome {
    let err = refused(cx, json!({"template": {"pullPolicy": "Always"}})).await?;
    expect_message(
        "create",
        &err,
        "Widget.conformance.kobj.dev \"w\" is invalid: spec.template.image: Required value",
    )?;
    expect_cause(
        "create",
        &err,
        "spec.template.image",
        Some("FieldValueRequired"),
        "Required value",
    )
}

async fn schema_enforces_enum(cx: &Ctx<'_>) -> Outcome {
    let err = refused(cx, json!({"size": "huge"})).await?;
    expect_cause(
        "create",
        &err,
        "spec.size",
        Some("FieldValueNotSupported"),
        "Unsupported value: \"huge\": supported values: \"small\", \"medium\", \"large\"",
    )
}

async fn schema_enforces_max_length(cx: &Ctx<'_>) -> Outcome {
    let err = refused(cx, json!({"label": "eleven-char"})).await?;
    expect_message_contains("create", &err, "spec.label: Too long")?;
    expect_cause(
        "create",
        &err,
        "spec.label",
        Some("FieldValueTooLong"),
        "Too long",
    )?;
    widget(cx, "w", json!({"label": "ten-chars!"}))
        .await
        .map(|_| ())
}

async fn schema_enforces_max_items(cx: &Ctx<'_>) -> Outcome {
    let err = refused(cx, json!({"tags": ["a", "b", "c", "d"]})).await?;
    expect_message_contains("create", &err, "spec.tags: Too many: 4")?;
    expect_cause(
        "create",
        &err,
        "spec.tags",
        Some("FieldValueTooMany"),
        "Too many",
    )
}

async fn schema_enforces_bounds(cx: &Ctx<'_>) -> Outcome {
    let err = refused(cx, json!({"replicas": 200})).await?;
    expect_message(
        "create",
        &err,
        "Widget.conformance.kobj.dev \"w\" is invalid: spec.replicas: Invalid value: 200: spec.replicas in body should be less than or equal to 100",
    )?;
    let err = refused(cx, json!({"replicas": -1})).await?;
    expect_message_contains(
        "create",
        &err,
        "spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0",
    )?;
    widget(cx, "w", json!({"replicas": 100})).await.map(|_| ())
}

async fn schema_enforces_pattern(cx: &Ctx<'_>) -> Outcome {
    let err = refused(cx, json!({"color": "Red!"})).await?;
    expect_message(
        "create",
        &err,
        "Widget.conformance.kobj.dev \"w\" is invalid: spec.color: Invalid value: \"Red!\": spec.color in body should match '^[a-z]+$'",
    )
}

async fn schema_enforces_format(cx: &Ctx<'_>) -> Outcome {
    let err = refused(cx, json!({"when": "yesterday"})).await?;
    expect_message_contains(
        "create",
        &err,
        "spec.when: Invalid value: \"yesterday\": spec.when in body must be of type date-time: \"yesterday\"",
    )?;
    widget(cx, "w", json!({"when": "2024-05-01T10:00:00Z"}))
        .await
        .map(|_| ())
}

async fn schema_int_or_string(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let number = widget(cx, "n", json!({"port": 8080})).await?;
    ensure_field("number", &number, "/spec/port", &json!(8080))?;
    let text = widget(cx, "s", json!({"port": "http"})).await?;
    ensure_field("string", &text, "/spec/port", &json!("http"))?;
    let object = cx.object(&rt, "b", json!({"spec": {"port": true}}))?;
    let err = expect_error(
        "a boolean port",
        cx.create_with(&rt, &object, &Default::default()).await,
        ErrorKind::Invalid,
    )?;
    expect_cause("a boolean port", &err, "spec.port", None, "")
}

async fn schema_validates_updates_and_patches(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let created = widget(cx, "w", json!({"size": "small"})).await?;
    let mut body = created.clone();
    body.data["spec"]["size"] = json!("huge");
    let err = expect_error(
        "replace",
        cx.replace(&rt, "w", &body).await,
        ErrorKind::Invalid,
    )?;
    expect_cause(
        "replace",
        &err,
        "spec.size",
        Some("FieldValueNotSupported"),
        "\"huge\"",
    )?;
    let err = expect_error(
        "patch",
        cx.merge(&rt, "w", json!({"spec": {"replicas": 1000}}))
            .await,
        ErrorKind::Invalid,
    )?;
    expect_cause(
        "patch",
        &err,
        "spec.replicas",
        None,
        "less than or equal to 100",
    )?;
    let read = cx.get(&rt, "w").await.during("get")?;
    ensure_eq("resourceVersion", &rv(&created)?, &rv(&read)?)
}

async fn schema_cel_rule(cx: &Ctx<'_>) -> Outcome {
    let err = refused(cx, json!({"replicas": 2, "minReplicas": 5})).await?;
    expect_message_contains("create", &err, "minReplicas must not exceed replicas")?;
    expect_cause(
        "create",
        &err,
        "spec",
        None,
        "minReplicas must not exceed replicas",
    )?;
    widget(cx, "w", json!({"replicas": 5, "minReplicas": 2}))
        .await
        .map(|_| ())
}

async fn pruning_drops_unknown_fields(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let created = cx
        .create(&rt, "w", json!({"spec": {"size": "small", "bogus": 1, "template": {"image": "x", "junk": true}}, "extraTop": {"a": 1}}))
        .await?;
    for (what, object) in [
        ("create answer", &created),
        ("stored object", &cx.get(&rt, "w").await.during("get")?),
    ] {
        ensure_absent(what, object, "/spec/bogus")?;
        ensure_absent(what, object, "/spec/template/junk")?;
        ensure_absent(what, object, "/extraTop")?;
        ensure_field(what, object, "/spec/size", &json!("small"))?;
    }
    Ok(())
}

async fn pruning_keeps_preserved_fields(cx: &Ctx<'_>) -> Outcome {
    let created = widget(
        cx,
        "w",
        json!({"extra": {"free": {"form": [1, {"x": null}]}}}),
    )
    .await?;
    ensure_field(
        "widget",
        &created,
        "/spec/extra/free",
        &json!({"form": [1, {"x": null}]}),
    )?;
    let gizmo = cx
        .create(
            &gizmos(),
            "g",
            json!({"spec": {"any": {"thing": "goes"}}, "status": {"also": 1}}),
        )
        .await?;
    ensure_field("gizmo", &gizmo, "/spec/any/thing", &json!("goes"))?;
    ensure_field("gizmo", &gizmo, "/status/also", &json!(1))
}

async fn pruning_drops_non_nullable_nulls(cx: &Ctx<'_>) -> Outcome {
    let created = widget(cx, "w", json!({"label": null, "note": null})).await?;
    ensure_absent("created", &created, "/spec/label")?;
    ensure_field("created", &created, "/spec/note", &Value::Null)
}

async fn defaulting_fills_absent_fields(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let created = widget(cx, "w", json!({"size": "small"})).await?;
    ensure_field("created", &created, "/spec/mode", &json!("auto"))?;
    ensure_field("created", &created, "/spec/count", &json!(1))?;
    let explicit = widget(cx, "x", json!({"mode": "manual", "count": 3})).await?;
    ensure_field("explicit", &explicit, "/spec/mode", &json!("manual"))?;
    ensure_field("explicit", &explicit, "/spec/count", &json!(3))?;
    let read = cx.get(&rt, "w").await.during("get")?;
    ensure_field("read", &read, "/spec/mode", &json!("auto"))
}

async fn defaulting_only_inside_existing_objects(cx: &Ctx<'_>) -> Outcome {
    let rt = widgets();
    let bare = cx.create(&rt, "bare", json!({})).await?;
    ensure_absent("no spec", &bare, "/spec")?;
    let no_template = widget(cx, "plain", json!({})).await?;
    ensure_absent("no template", &no_template, "/spec/template")?;
    let with_template = widget(cx, "full", json!({"template": {"image": "img"}})).await?;
    ensure_field(
        "template",
        &with_template,
        "/spec/template/pullPolicy",
        &json!("IfNotPresent"),
    )
}

async fn defaulting_replaces_null(cx: &Ctx<'_>) -> Outcome {
    let created = widget(cx, "w", json!({"mode": null})).await?;
    ensure_field("created", &created, "/spec/mode", &json!("auto"))
}

async fn defaulting_applies_when_reading(cx: &Ctx<'_>) -> Outcome {
    let group = format!("{}.{}", cx.ns(), crate::fixtures::GROUP);
    let version = |default: Option<&str>| {
        let mut color = json!({"type": "string"});
        if let Some(d) = default {
            color["default"] = json!(d);
        }
        json!({
            "name": "v1", "served": true, "storage": true,
            "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                "spec": {"type": "object", "properties": {"size": {"type": "string"}, "color": color}}
            }}}
        })
    };
    let crd = super::crd::install_case_crd(
        cx,
        crd_json(
            &group,
            "paints",
            "Paint",
            "Namespaced",
            json!([version(None)]),
        ),
    )
    .await?;
    let name = crd.metadata.name.clone().unwrap_or_default();
    let gvk = kube_core::GroupVersionKind::gvk(&group, "v1", "Paint");
    let rt = kobj_core::ResourceType::namespaced(kobj_core::ApiResource::from_gvk_with_plural(
        &gvk, "paints",
    ));
    let created = cx
        .create(&rt, "p", json!({"spec": {"size": "small"}}))
        .await?;
    ensure_absent("before the default exists", &created, "/spec/color")?;
    let mut updated = crd.clone();
    updated.data["spec"]["versions"] = json!([version(Some("green"))]);
    cx.replace(&crds(), &name, &updated)
        .await
        .during("add a default to the CRD")?;
    cx.eventually_object(&rt, Some(cx.ns()), "p", |o| {
        match o.and_then(|o| o.data.pointer("/spec/color")) {
            Some(c) if c == "green" => Ok(()),
            other => Err(format!(
                "spec.color is {other:?}, expected the new default \"green\""
            )),
        }
    })
    .await?;
    Ok(())
}
