//! A built-in object goes through its Go struct's JSON decoding on every write, as on a real
//! API server: create and update bodies with a value of the wrong type get 400 with
//! encoding/json's text, unknown fields are dropped (Warn, Ignore) or refused (Strict), a
//! Secret's `data` must be base64; patches get the patch-shaped 422, apply the
//! structured-merge-diff 400. Every refusal leaves the stored state as it was.

use crate::common;

use common::*;
use kobj_core::{CustomObjects, ErrorKind};
use kobj_fake::{FakeCluster, WriteOptions};
use kube_core::params::{Patch, PatchParams, PostParams, ValidationDirective};
use serde_json::{Value, json};

/// Create options with this fieldValidation (the trait's `PostParams` has none; the JSON
/// entry point the HTTP server uses takes it).
fn validation(directive: Option<ValidationDirective>) -> WriteOptions {
    WriteOptions {
        field_validation: directive,
        ..WriteOptions::default()
    }
}

fn deployment(name: &str, spec: Value) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}
            }
        }
    })
    .as_object()
    .map(|o| {
        let mut o = Value::Object(o.clone());
        if let (Some(base), Some(extra)) = (o["spec"].as_object_mut(), spec.as_object()) {
            for (k, v) in extra {
                base.insert(k.clone(), v.clone());
            }
        }
        o
    })
    .unwrap()
}

async fn create(c: &FakeCluster, body: Value, pp: &PostParams) -> kobj_core::Result<Value> {
    let rt = if body["kind"] == "Deployment" {
        deployments()
    } else if body["kind"] == "Secret" {
        secrets()
    } else {
        configmaps()
    };
    c.create_object(&rt, Some("default"), &obj(body), pp)
        .await
        .map(|o| serde_json::to_value(o).unwrap())
}

#[tokio::test]
async fn a_wrong_type_in_a_create_or_update_body_is_a_400() {
    let c = cluster().await;
    let before = c.dump_yaml().unwrap();
    let e = create(
        &c,
        deployment("web", json!({"replicas": "3"})),
        &PostParams::default(),
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadRequest, "{e}");
    assert_eq!(
        message(&e),
        "Deployment in version \"v1\" cannot be handled as a Deployment: json: cannot unmarshal \
         string into Go struct field DeploymentSpec.spec.replicas of type int32"
    );
    assert_eq!(c.dump_yaml().unwrap(), before);

    let good = create(
        &c,
        deployment("web", json!({"replicas": 3})),
        &PostParams::default(),
    )
    .await
    .unwrap();
    let mut bad = good.clone();
    bad["spec"]["template"]["spec"]["containers"][0]["env"] =
        json!([{"name": "PORT", "value": 8080}]);
    let before = c.dump_yaml().unwrap();
    let e = c
        .replace_object(
            &deployments(),
            Some("default"),
            "web",
            &obj(bad),
            &PostParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(400), "{e}");
    assert!(
        message(&e).ends_with(
            "json: cannot unmarshal number into Go struct field EnvVar.spec.template.spec.containers.env.value of type string"
        ),
        "{e}"
    );
    assert_eq!(c.dump_yaml().unwrap(), before);
}

#[tokio::test]
async fn unknown_fields_are_dropped_unless_strict() {
    let c = cluster().await;
    let mut body = deployment("web", json!({"replica": 3}));
    body["spec"]["template"]["spec"]["containers"][0]["imagee"] = json!("x");
    body["metadata"]["labelz"] = json!({"a": "b"});

    let before = c.dump_yaml().unwrap();
    let e = c
        .create_value(
            &deployments(),
            Some("default"),
            body.clone(),
            &validation(Some(ValidationDirective::Strict)),
        )
        .unwrap_err();
    assert_eq!(
        message(&e),
        "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: \
         unknown field \"metadata.labelz\", unknown field \"spec.replica\", unknown field \
         \"spec.template.spec.containers[0].imagee\""
    );
    assert_eq!(c.dump_yaml().unwrap(), before);

    for (name, directive) in [
        ("warned", None),
        ("ignored", Some(ValidationDirective::Ignore)),
    ] {
        let mut body = body.clone();
        body["metadata"]["name"] = json!(name);
        let created = c
            .create_value(
                &deployments(),
                Some("default"),
                body,
                &validation(directive),
            )
            .unwrap();
        assert!(created["spec"].get("replica").is_none(), "{created}");
        assert!(created["metadata"].get("labelz").is_none(), "{created}");
        assert!(
            created["spec"]["template"]["spec"]["containers"][0]
                .get("imagee")
                .is_none(),
            "{created}"
        );
        // Not in what the field manager recorded either.
        let fields = created["metadata"]["managedFields"][0]["fieldsV1"].to_string();
        assert!(!fields.contains("replica\""), "{fields}");
        assert!(!fields.contains("imagee"), "{fields}");
    }
}

#[tokio::test]
async fn secret_data_must_be_base64() {
    let c = cluster().await;
    let before = c.dump_yaml().unwrap();
    let body = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
                      "data": {"password": "hunter2!"}});
    let e = create(&c, body, &PostParams::default()).await.unwrap_err();
    assert_eq!(
        message(&e),
        "Secret in version \"v1\" cannot be handled as a Secret: illegal base64 data at input byte 7"
    );
    assert_eq!(c.dump_yaml().unwrap(), before);
    // stringData is plain text; base64 with a line break is written back without it.
    let body = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
                      "data": {"a": "aGVs\nbG8="}, "stringData": {"b": "hunter2!"}});
    let created = create(&c, body, &PostParams::default()).await.unwrap();
    assert_eq!(
        created["data"],
        json!({"a": "aGVsbG8=", "b": "aHVudGVyMiE="})
    );
}

#[tokio::test]
async fn patches_get_the_patch_shaped_422_and_apply_the_typed_patch_500() {
    let c = cluster().await;
    create(
        &c,
        deployment("web", json!({"replicas": 1})),
        &PostParams::default(),
    )
    .await
    .unwrap();
    let before = c.dump_yaml().unwrap();

    let patch = |p: Patch<Value>, pp: PatchParams| {
        let c = c.clone();
        async move {
            c.patch_object(&deployments(), Some("default"), "web", &p, &pp)
                .await
                .unwrap_err()
        }
    };
    let e = patch(
        Patch::Merge(json!({"spec": {"replicas": "2"}})),
        PatchParams::default(),
    )
    .await;
    assert_eq!(e.code(), Some(422), "{e}");
    let m = message(&e);
    assert!(
        m.starts_with(" \"\" is invalid: patch: Invalid value: \"{"),
        "{m}"
    );
    assert!(
        m.contains("\\\"replicas\\\":\\\"2\\\""),
        "the patched object: {m}"
    );
    assert!(
        m.ends_with("\": json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"),
        "{m}"
    );

    let strict = PatchParams {
        field_validation: Some(ValidationDirective::Strict),
        ..PatchParams::default()
    };
    let e = patch(Patch::Merge(json!({"spec": {"replica": 2}})), strict).await;
    assert_eq!(e.code(), Some(422), "{e}");
    assert!(
        message(&e).ends_with("\": strict decoding error: unknown field \"spec.replica\""),
        "{e}"
    );
    let e = patch(
        Patch::Strategic(json!({"spec": {"paused": "yes"}})),
        PatchParams::default(),
    )
    .await;
    assert_eq!(
        message(&e),
        " \"\" is invalid: patch: Invalid value: \"map[spec:map[paused:yes]]\": json: cannot \
         unmarshal string into Go struct field DeploymentSpec.spec.paused of type bool"
    );

    let apply = |name: &str, spec: Value| {
        let mut body = deployment(name, spec);
        body["spec"]["template"]["spec"]["containers"][0]["imagee"] = json!("x");
        Patch::Apply(body)
    };
    for name in ["web", "new"] {
        for (spec, error) in [
            (
                json!({}),
                ".spec.template.spec.containers[name=\"nginx\"].imagee: field not declared in schema",
            ),
            // structured-merge-diff stops walking `spec` at its first undeclared field
            // (here in key order), so the container is not reached.
            (
                json!({"replica": 2}),
                ".spec.replica: field not declared in schema",
            ),
        ] {
            let e = c
                .patch_object(
                    &deployments(),
                    Some("default"),
                    name,
                    &apply(name, spec),
                    &PatchParams::apply("me"),
                )
                .await
                .unwrap_err();
            // structured-merge-diff's error, passed on unwrapped: a 500 with no reason.
            assert_eq!(e.code(), Some(500), "{e}");
            assert_eq!(status(&e).reason, "");
            assert_eq!(
                message(&e),
                format!(
                    "failed to create typed patch object (/{name}; apps/v1, Kind=Deployment): {error}"
                )
            );
        }
    }
    assert_eq!(c.dump_yaml().unwrap(), before);

    // A scalar of the wrong type, as structured-merge-diff's validation prints it.
    let e = c
        .patch_object(
            &deployments(),
            Some("default"),
            "web",
            &Patch::Apply(deployment("web", json!({"replicas": "2", "paused": "no"}))),
            &PatchParams::apply("me"),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(500), "{e}");
    assert_eq!(
        message(&e),
        "failed to create typed patch object (/web; apps/v1, Kind=Deployment): errors:\n  \
         .spec.paused: expected boolean, got &{no}\n  \
         .spec.replicas: expected numeric (int or float), got string"
    );
    assert_eq!(c.dump_yaml().unwrap(), before);

    // Scalars inside maps and lists of scalars too (a label written as a YAML number).
    let mut body = deployment("web", json!({}));
    body["metadata"]["labels"] = json!({"version": 1, "app": "web"});
    body["spec"]["template"]["spec"]["containers"][0]["args"] = json!(["--x", true]);
    let e = c
        .patch_object(
            &deployments(),
            Some("default"),
            "web",
            &Patch::Apply(body),
            &PatchParams::apply("me"),
        )
        .await
        .unwrap_err();
    assert_eq!(
        message(&e),
        "failed to create typed patch object (/web; apps/v1, Kind=Deployment): errors:\n  \
         .metadata.labels.version: expected string, got &value.valueUnstructured{Value:1}\n  \
         .spec.template.spec.containers[name=\"nginx\"].args[1]: expected string, got \
         &value.valueUnstructured{Value:true}"
    );
    assert_eq!(c.dump_yaml().unwrap(), before);

    // A patch that decodes is stored without the unknown field (Warn).
    let patched = c
        .patch_object(
            &deployments(),
            Some("default"),
            "web",
            &Patch::Merge(json!({"spec": {"replicas": 2, "replica": 2}})),
            &PatchParams::default(),
        )
        .await
        .unwrap();
    let patched = serde_json::to_value(patched).unwrap();
    assert_eq!(patched["spec"]["replicas"], 2);
    assert!(patched["spec"].get("replica").is_none(), "{patched}");
}

#[tokio::test]
async fn the_json_entry_points_give_go_texts_for_metadata() {
    let c = cluster().await;
    let body = json!({"apiVersion": "v1", "kind": "ConfigMap",
                      "metadata": {"name": "cm", "labels": false}});
    let e = c
        .create_value(&configmaps(), Some("default"), body, &Default::default())
        .unwrap_err();
    assert_eq!(
        message(&e),
        "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: json: cannot unmarshal \
         bool into Go struct field ObjectMeta.metadata.labels of type map[string]string"
    );
}

#[tokio::test]
async fn quantities_are_stored_canonical_and_malformed_ones_refused() {
    let c = cluster().await;
    let quotas = kobj_core::ResourceType::of::<k8s_openapi::api::core::v1::ResourceQuota>();
    let quota = |name: &str, hard: Value| {
        obj(json!({"apiVersion": "v1", "kind": "ResourceQuota",
                   "metadata": {"name": name}, "spec": {"hard": hard}}))
    };
    let created = c
        .create_object(
            &quotas,
            Some("default"),
            &quota(
                "q",
                json!({"cpu": "0.5", "memory": "2048Mi", "pods": 10, "limits.cpu": "1000m"}),
            ),
            &PostParams::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        created.data["spec"]["hard"],
        json!({"cpu": "500m", "memory": "2Gi", "pods": "10", "limits.cpu": "1"})
    );
    let before = c.dump_yaml().unwrap();
    let e = c
        .create_object(
            &quotas,
            Some("default"),
            &quota("bad", json!({"cpu": "half"})),
            &PostParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        message(&e),
        "ResourceQuota in version \"v1\" cannot be handled as a ResourceQuota: quantities must \
         match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    );
    assert_eq!(c.dump_yaml().unwrap(), before);
}

#[tokio::test]
async fn times_are_stored_in_utc_and_malformed_ones_refused() {
    let c = cluster().await;
    let events = kobj_core::ResourceType::of::<k8s_openapi::api::core::v1::Event>();
    let event = |name: &str, extra: Value| {
        // An Event with an eventTime names its reporter and action (`legacyValidateEvent`).
        let mut e = json!({"apiVersion": "v1", "kind": "Event", "metadata": {"name": name},
                           "involvedObject": {"kind": "Pod", "name": "p"}, "reason": "R",
                           "reportingComponent": "kubelet", "reportingInstance": "node-1",
                           "action": "Started"});
        if let (Some(base), Value::Object(extra)) = (e.as_object_mut(), extra) {
            base.extend(extra);
        }
        obj(e)
    };
    let created = c
        .create_object(
            &events,
            Some("default"),
            &event(
                "e",
                json!({"lastTimestamp": "2026-01-02T03:04:05.678+02:00",
                       "eventTime": "2026-01-02T03:04:05.123456+01:00",
                       "firstTimestamp": "0001-01-01T00:00:00Z"}),
            ),
            &PostParams::default(),
        )
        .await
        .unwrap();
    assert_eq!(created.data["lastTimestamp"], json!("2026-01-02T01:04:05Z"));
    assert_eq!(
        created.data["eventTime"],
        json!("2026-01-02T02:04:05.123456Z")
    );
    assert_eq!(created.data["firstTimestamp"], Value::Null);

    let before = c.dump_yaml().unwrap();
    for (value, detail) in [
        (
            json!("yesterday"),
            "parsing time \"yesterday\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \
             \"yesterday\" as \"2006\"",
        ),
        (
            json!(5),
            "json: cannot unmarshal number into Go struct field Event.lastTimestamp of type string",
        ),
    ] {
        let e = c
            .create_object(
                &events,
                Some("default"),
                &event("bad", json!({"lastTimestamp": value})),
                &PostParams::default(),
            )
            .await
            .unwrap_err();
        assert_eq!(
            message(&e),
            format!("Event in version \"v1\" cannot be handled as a Event: {detail}")
        );
    }
    assert_eq!(c.dump_yaml().unwrap(), before);
}
