//! Area `builtins`: a built-in object is decoded into its Go struct on every write (rules 10,
//! 27): a value of the wrong JSON type is refused with encoding/json's error, a field the
//! struct does not have is dropped, a `[]byte` field must be base64.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, ResourceQuota, Secret};
use kobj_core::{ErrorKind, ResourceType};
use kube_core::params::{Patch, PatchParams, PostParams, ValidationDirective};
use serde_json::{Value, json};

use crate::case::{Case, During, Outcome, case};
use crate::check::*;
use crate::ctx::Ctx;

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(
            builtin_wrong_type_bad_request,
            Builtins,
            [10],
            "a Deployment created with `replicas: \"3\"` gets 400 with encoding/json's `cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`; nothing is stored"
        ),
        case!(
            builtin_unknown_fields_dropped,
            Builtins,
            [27],
            "a ConfigMap created with a top-level `spec` and a `metadata` field ObjectMeta lacks is stored without them, and a merge patch adding one to a container keeps only the known fields"
        ),
        case!(
            builtin_strict_patch_names_unknown_field,
            Builtins,
            [27],
            needs[StrictFieldValidation],
            "fieldValidation=Strict on a patch adding an unknown container field: 422 on `patch` ending `strict decoding error: unknown field \"spec.template.spec.containers[0].imagee\"`"
        ),
        case!(
            secret_data_must_be_base64,
            Builtins,
            [10],
            "a Secret whose `data` value is not base64 gets 400 `illegal base64 data at input byte N` (Go's offset); base64 with a line break reads back without it"
        ),
        case!(
            apply_undeclared_builtin_field_refused,
            Builtins,
            [26],
            needs[ServerSideApply],
            "server-side apply of a Deployment naming a field its schema lacks, or giving `replicas` a string: structured-merge-diff's 500 `failed to create typed patch object (/web; apps/v1, Kind=Deployment): .spec.replica: field not declared in schema` (or `.spec.replicas: expected numeric (int or float), got string`); nothing is stored"
        ),
        case!(
            quantities_are_canonical,
            Builtins,
            [10],
            "a ResourceQuota's `hard` quantities read back canonical (`0.5` → `500m`, `2048Mi` → `2Gi`, `1000m` → `1`, the number 10 → `\"10\"`); `half` gets 400 with ParseQuantity's regular-expression error"
        ),
    ]
}

fn deployments() -> ResourceType {
    ResourceType::of::<Deployment>()
}

fn deployment_body(spec: Value) -> Value {
    let mut body = json!({"spec": {
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx"}]}
        }
    }});
    if let (Some(base), Value::Object(extra)) = (body["spec"].as_object_mut(), spec) {
        base.extend(extra);
    }
    body
}

/// Expects the create of `name` with `body` to get 400 with `message`, and nothing stored.
async fn create_refused(
    cx: &Ctx<'_>,
    rt: &ResourceType,
    name: &str,
    body: Value,
    message: &str,
) -> Outcome {
    create_refused_as(cx, rt, name, body, ErrorKind::BadRequest, message).await
}

/// Expects the create of `name` with `body` to get an error of `kind` with `message`, and
/// nothing stored.
pub(super) async fn create_refused_as(
    cx: &Ctx<'_>,
    rt: &ResourceType,
    name: &str,
    body: Value,
    kind: ErrorKind,
    message: &str,
) -> Outcome {
    let object = cx.object(rt, name, body)?;
    let err = expect_error(
        "create",
        cx.create_with(rt, &object, &PostParams::default()).await,
        kind,
    )?;
    expect_message("create", &err, message)?;
    expect_error("get", cx.get(rt, name).await, ErrorKind::NotFound).map(drop)
}

async fn builtin_wrong_type_bad_request(cx: &Ctx<'_>) -> Outcome {
    create_refused(
        cx,
        &deployments(),
        "web",
        deployment_body(json!({"replicas": "3"})),
        "Deployment in version \"v1\" cannot be handled as a Deployment: json: cannot unmarshal \
         string into Go struct field DeploymentSpec.spec.replicas of type int32",
    )
    .await
}

async fn builtin_unknown_fields_dropped(cx: &Ctx<'_>) -> Outcome {
    let rt = ResourceType::of::<ConfigMap>();
    let created = cx
        .create(
            &rt,
            "cm",
            json!({"data": {"a": "1"}, "spec": {"a": "1"}, "metadata": {"labelz": {"x": "y"}}}),
        )
        .await?;
    ensure_absent("created", &created, "/spec")?;
    ensure_field("created", &created, "/data/a", &json!("1"))?;
    let read = cx.get(&rt, "cm").await.during("get")?;
    ensure_absent("stored", &read, "/spec")?;
    ensure_eq(
        "stored data",
        Some(&json!({"a": "1"})),
        field(&read, "/data"),
    )?;

    let d = deployments();
    cx.create(&d, "web", deployment_body(json!({"replicas": 1})))
        .await?;
    let patched = cx
        .merge(
            &d,
            "web",
            json!({"spec": {"replica": 2, "template": {"spec": {"containers": [
                {"name": "web", "image": "nginx:1", "imagee": "x"}
            ]}}}}),
        )
        .await
        .during("merge patch")?;
    ensure_absent("patched", &patched, "/spec/replica")?;
    ensure_absent(
        "patched",
        &patched,
        "/spec/template/spec/containers/0/imagee",
    )?;
    ensure_field(
        "patched",
        &patched,
        "/spec/template/spec/containers/0/image",
        &json!("nginx:1"),
    )
}

async fn builtin_strict_patch_names_unknown_field(cx: &Ctx<'_>) -> Outcome {
    let d = deployments();
    cx.create(&d, "web", deployment_body(json!({"replicas": 1})))
        .await?;
    let params = PatchParams {
        field_validation: Some(ValidationDirective::Strict),
        ..PatchParams::default()
    };
    let patch = Patch::Merge(json!({"spec": {"template": {"spec": {"containers": [
        {"name": "web", "image": "nginx", "imagee": "x"}
    ]}}}}));
    let err = expect_error(
        "strict patch",
        cx.patch(&d, "web", &patch, &params).await,
        ErrorKind::Invalid,
    )?;
    expect_cause(
        "strict patch",
        &err,
        "patch",
        None,
        "strict decoding error: unknown field \"spec.template.spec.containers[0].imagee\"",
    )?;
    let read = cx.get(&d, "web").await.during("get")?;
    ensure_absent("stored", &read, "/spec/template/spec/containers/0/imagee")
}

async fn secret_data_must_be_base64(cx: &Ctx<'_>) -> Outcome {
    let rt = ResourceType::of::<Secret>();
    create_refused(
        cx,
        &rt,
        "s",
        json!({"data": {"password": "hunter2!"}}),
        "Secret in version \"v1\" cannot be handled as a Secret: illegal base64 data at input byte 7",
    )
    .await?;
    let created = cx
        .create(&rt, "s", json!({"data": {"a": "aGVs\nbG8="}}))
        .await?;
    ensure_field("created", &created, "/data/a", &json!("aGVsbG8="))
}

async fn quantities_are_canonical(cx: &Ctx<'_>) -> Outcome {
    let rt = ResourceType::of::<ResourceQuota>();
    let created = cx
        .create(
            &rt,
            "q",
            json!({"spec": {"hard": {
                "cpu": "0.5", "memory": "2048Mi", "limits.cpu": "1000m", "pods": 10
            }}}),
        )
        .await?;
    let canonical = json!({"cpu": "500m", "memory": "2Gi", "limits.cpu": "1", "pods": "10"});
    ensure_field("created", &created, "/spec/hard", &canonical)?;
    let read = cx.get(&rt, "q").await.during("get")?;
    ensure_field("stored", &read, "/spec/hard", &canonical)?;
    create_refused(
        cx,
        &rt,
        "bad",
        json!({"spec": {"hard": {"cpu": "half"}}}),
        "ResourceQuota in version \"v1\" cannot be handled as a ResourceQuota: quantities must \
         match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    )
    .await
}

async fn apply_undeclared_builtin_field_refused(cx: &Ctx<'_>) -> Outcome {
    let d = deployments();
    // One error per configuration: structured-merge-diff stops walking an object at its
    // first undeclared field, and walks it in Go's map order.
    for (spec, error) in [
        (
            json!({"replica": 2}),
            ".spec.replica: field not declared in schema",
        ),
        (
            json!({"replicas": "2"}),
            ".spec.replicas: expected numeric (int or float), got string",
        ),
    ] {
        let mut object = cx.object(&d, "web", deployment_body(spec))?;
        object.metadata.namespace = None;
        let body = serde_json::to_value(&object)
            .map_err(|e| crate::case::Failure::new(format!("encoding the configuration: {e}")))?;
        let result = cx
            .patch(
                &d,
                "web",
                &Patch::Apply(body),
                &PatchParams::apply("conformance"),
            )
            .await;
        let Err(err) = result else {
            return Err(crate::case::Failure::new(
                "apply: expected an error, got success",
            ));
        };
        expect_code("apply", &err, 500)?;
        expect_message(
            "apply",
            &err,
            &format!(
                "failed to create typed patch object (/web; apps/v1, Kind=Deployment): {error}"
            ),
        )?;
        expect_error("get", cx.get(&d, "web").await, ErrorKind::NotFound)?;
    }
    Ok(())
}
