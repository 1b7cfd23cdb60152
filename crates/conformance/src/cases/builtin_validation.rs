//! Area `builtins`: Pods and workloads are validated as the server validates them (rules 3,
//! 4): a Deployment's selector is required and must match its template, containers need
//! images, a Job's pods may not restart `Always`, an apps/v1 selector may not change,
//! ConfigMap and Secret keys are config keys, a Secret's type requires its keys. Every
//! error of an object comes in one 422, with the bad value as JSON.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{ConfigMap, Pod, Secret, Service};
use k8s_openapi::api::rbac::v1::RoleBinding;
use kobj_core::{ErrorKind, ResourceType};
use serde_json::{Value, json};

use super::builtin_decoding::create_refused_as;
use crate::case::{Case, During, Outcome, case};
use crate::check::*;
use crate::ctx::Ctx;

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(
            deployment_selector_must_match_template,
            Builtins,
            [3, 4],
            "a Deployment without a selector gets 422 `[spec.selector: Required value, spec.template.metadata.labels: Invalid value: {\"app\":\"web\"}: `selector` does not match template `labels`]`; one whose selector misses its template's labels gets the second error alone; nothing is stored"
        ),
        case!(
            containers_need_images,
            Builtins,
            [3, 4],
            "a Deployment whose container has no image gets 422 `spec.template.spec.containers[0].image: Required value`, a Pod `spec.containers[0].image: Required value`; nothing is stored"
        ),
        case!(
            job_pods_restart_on_failure_or_never,
            Builtins,
            [3, 4],
            "a Job without `restartPolicy` (defaulted to Always) gets 422 `spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\"`; with `Never` it is created with its generated selector"
        ),
        case!(
            deployment_selector_is_immutable,
            Builtins,
            [3, 4],
            "a merge patch changing a Deployment's selector (and its template's labels to match) gets 422 `spec.selector: Invalid value: {\"matchLabels\":{\"app\":\"api\"}}: field is immutable`; the stored selector is unchanged"
        ),
        case!(
            config_keys_must_be_valid,
            Builtins,
            [3, 4],
            "a ConfigMap with the key `conf/app.yaml` gets 422 `data[conf/app.yaml]: Invalid value: \"conf/app.yaml\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' …`; a `kubernetes.io/tls` Secret without `tls.key` gets `data[tls.key]: Required value`; nothing is stored"
        ),
        case!(
            service_ports_required_and_unique,
            Builtins,
            [3, 4],
            "a Service without ports gets 422 `spec.ports: Required value`; one with two unnamed ports 80 gets `[spec.ports[0].name: Required value, spec.ports[1].name: Required value, spec.ports[1]: Duplicate value: {\"Name\":\"\",\"Protocol\":\"TCP\",…,\"Port\":80,…}]`; nothing is stored"
        ),
        case!(
            role_binding_role_ref_is_fixed,
            Builtins,
            [3, 4],
            "a RoleBinding whose roleRef kind is `Policy` gets 422 `roleRef.kind: Unsupported value: \"Policy\": supported values: \"Role\", \"ClusterRole\"`; once created, a merge patch of `roleRef.name` gets `roleRef: Invalid value: {\"APIGroup\":…,\"Kind\":\"Role\",\"Name\":\"writer\"}: cannot change roleRef`"
        ),
        case!(
            volumes_have_one_source,
            Builtins,
            [3, 4],
            "a Deployment whose volume has both `emptyDir` and `secret` gets 422 `spec.template.spec.volumes[0].secret: Forbidden: may not specify more than 1 volume type`, and the mount of that volume `Not found`; a Pod's `configMap` volume with `defaultMode: 1000` and an item path `../x` gets both errors; a volume with no source is defaulted to `emptyDir: {}` and created"
        ),
        case!(
            claims_and_ingresses_are_validated,
            Builtins,
            [3, 4],
            "a PersistentVolumeClaim with no access modes and no storage request gets 422 `[spec.accessModes: Required value: at least 1 access mode is required, spec.resources[storage]: Required value]`; an Ingress with neither rules nor a default backend gets `spec: Invalid value: null: either `defaultBackend` or `rules` must be specified`, one whose path has no `pathType` gets `spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified`; nothing is stored"
        ),
        case!(
            probes_have_one_handler,
            Builtins,
            [3, 4],
            "a Pod whose liveness probe has no handler gets 422 `spec.containers[0].livenessProbe: Required value: must specify a handler type`; a readiness probe with `exec` and `httpGet` gets `…readinessProbe.httpGet: Forbidden: may not specify more than 1 handler type`; a `preStop` sleep of 100 s gets `must be non-negative and less than terminationGracePeriodSeconds (30)`; nothing is stored"
        ),
    ]
}

async fn volumes_have_one_source(cx: &Ctx<'_>) -> Outcome {
    let mut spec = deployment_spec();
    spec["template"]["spec"]["volumes"] =
        json!([{"name": "v", "emptyDir": {}, "secret": {"secretName": "s"}}]);
    spec["template"]["spec"]["containers"][0]["volumeMounts"] =
        json!([{"name": "v", "mountPath": "/v"}]);
    invalid(
        cx,
        &deployments(),
        "web",
        json!({ "spec": spec }),
        "Deployment.apps \"web\" is invalid: [spec.template.spec.volumes[0].secret: Forbidden: \
         may not specify more than 1 volume type, \
         spec.template.spec.containers[0].volumeMounts[0].name: Not found: \"v\"]",
    )
    .await?;
    let pods = ResourceType::of::<Pod>();
    let pod = |volume: Value| json!({"spec": {"containers": [{"name": "app", "image": "nginx"}], "volumes": [volume]}});
    invalid(
        cx,
        &pods,
        "p",
        pod(json!({"name": "c", "configMap": {
            "name": "conf", "defaultMode": 1000, "items": [{"key": "k", "path": "../x"}]
        }})),
        "Pod \"p\" is invalid: [spec.volumes[0].configMap.defaultMode: Invalid value: 1000: \
         must be a number between 0 and 0777 (octal), both inclusive, \
         spec.volumes[0].configMap.items[0].path: Invalid value: \"../x\": must not contain '..']",
    )
    .await?;
    let created = cx
        .create(&pods, "p", pod(json!({"name": "scratch"})))
        .await?;
    ensure_field(
        "the created Pod",
        &created,
        "/spec/volumes/0",
        &json!({"name": "scratch", "emptyDir": {}}),
    )
}

async fn claims_and_ingresses_are_validated(cx: &Ctx<'_>) -> Outcome {
    invalid(
        cx,
        &ResourceType::of::<k8s_openapi::api::core::v1::PersistentVolumeClaim>(),
        "data",
        json!({"spec": {}}),
        "PersistentVolumeClaim \"data\" is invalid: [spec.accessModes: Required value: at least \
         1 access mode is required, spec.resources[storage]: Required value]",
    )
    .await?;
    let ingresses = ResourceType::of::<k8s_openapi::api::networking::v1::Ingress>();
    invalid(
        cx,
        &ingresses,
        "web",
        json!({"spec": {}}),
        "Ingress.networking.k8s.io \"web\" is invalid: spec: Invalid value: null: either \
         `defaultBackend` or `rules` must be specified",
    )
    .await?;
    invalid(
        cx,
        &ingresses,
        "web",
        json!({"spec": {"rules": [{"http": {"paths": [
            {"path": "/", "backend": {"service": {"name": "web", "port": {"number": 80}}}}
        ]}}]}}),
        "Ingress.networking.k8s.io \"web\" is invalid: \
         spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified",
    )
    .await
}

async fn probes_have_one_handler(cx: &Ctx<'_>) -> Outcome {
    let pods = ResourceType::of::<Pod>();
    let pod = |field: &str, value: Value| {
        let mut container = json!({"name": "app", "image": "nginx"});
        container[field] = value;
        json!({"spec": {"containers": [container]}})
    };
    invalid(
        cx,
        &pods,
        "p",
        pod("livenessProbe", json!({"periodSeconds": 5})),
        "Pod \"p\" is invalid: spec.containers[0].livenessProbe: Required value: must specify a \
         handler type",
    )
    .await?;
    invalid(
        cx,
        &pods,
        "p",
        pod(
            "readinessProbe",
            json!({"exec": {"command": ["true"]}, "httpGet": {"port": 80}}),
        ),
        "Pod \"p\" is invalid: spec.containers[0].readinessProbe.httpGet: Forbidden: may not \
         specify more than 1 handler type",
    )
    .await?;
    invalid(
        cx,
        &pods,
        "p",
        pod("lifecycle", json!({"preStop": {"sleep": {"seconds": 100}}})),
        "Pod \"p\" is invalid: spec.containers[0].lifecycle.preStop.sleep: Invalid value: 100: \
         must be non-negative and less than terminationGracePeriodSeconds (30)",
    )
    .await
}

async fn role_binding_role_ref_is_fixed(cx: &Ctx<'_>) -> Outcome {
    let rt = ResourceType::of::<RoleBinding>();
    let body = |kind: &str| {
        json!({
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": kind, "name": "reader"},
            "subjects": [{"kind": "ServiceAccount", "name": "app", "namespace": "default"}]
        })
    };
    invalid(
        cx,
        &rt,
        "read",
        body("Policy"),
        "RoleBinding.rbac.authorization.k8s.io \"read\" is invalid: roleRef.kind: Unsupported \
         value: \"Policy\": supported values: \"Role\", \"ClusterRole\"",
    )
    .await?;
    cx.create(&rt, "read", body("Role")).await?;
    merge_refused(
        cx,
        &rt,
        "read",
        json!({"roleRef": {"name": "writer"}}),
        "RoleBinding.rbac.authorization.k8s.io \"read\" is invalid: roleRef: Invalid value: \
         {\"APIGroup\":\"rbac.authorization.k8s.io\",\"Kind\":\"Role\",\"Name\":\"writer\"}: \
         cannot change roleRef",
    )
    .await
}

async fn service_ports_required_and_unique(cx: &Ctx<'_>) -> Outcome {
    let rt = ResourceType::of::<Service>();
    invalid(
        cx,
        &rt,
        "s",
        json!({"spec": {"selector": {"app": "web"}}}),
        "Service \"s\" is invalid: spec.ports: Required value",
    )
    .await?;
    invalid(
        cx,
        &rt,
        "s",
        json!({"spec": {"ports": [{"port": 80}, {"port": 80}]}}),
        "Service \"s\" is invalid: [spec.ports[0].name: Required value, spec.ports[1].name: \
         Required value, spec.ports[1]: Duplicate value: \
         {\"Name\":\"\",\"Protocol\":\"TCP\",\"AppProtocol\":null,\"Port\":80,\"TargetPort\":0,\
         \"NodePort\":0}]",
    )
    .await
}

async fn config_keys_must_be_valid(cx: &Ctx<'_>) -> Outcome {
    invalid(
        cx,
        &ResourceType::of::<ConfigMap>(),
        "cfg",
        json!({"data": {"conf/app.yaml": "a: 1"}}),
        "ConfigMap \"cfg\" is invalid: data[conf/app.yaml]: Invalid value: \"conf/app.yaml\": a \
         valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. \
         'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is \
         '[-._a-zA-Z0-9]+')",
    )
    .await?;
    invalid(
        cx,
        &ResourceType::of::<Secret>(),
        "tls",
        json!({"type": "kubernetes.io/tls", "data": {"tls.crt": "YQ=="}}),
        "Secret \"tls\" is invalid: data[tls.key]: Required value",
    )
    .await
}

fn deployments() -> ResourceType {
    ResourceType::of::<Deployment>()
}

fn deployment_spec() -> Value {
    json!({
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx"}]}
        }
    })
}

/// Expects a merge patch of `name` to get 422 with `message`.
async fn merge_refused(
    cx: &Ctx<'_>,
    rt: &ResourceType,
    name: &str,
    patch: Value,
    message: &str,
) -> Outcome {
    let err = expect_error(
        "merge patch",
        cx.merge(rt, name, patch).await,
        ErrorKind::Invalid,
    )?;
    expect_message("merge patch", &err, message)
}

/// Expects the create of `name` with `body` to get 422 with `message`, and nothing stored.
async fn invalid(
    cx: &Ctx<'_>,
    rt: &ResourceType,
    name: &str,
    body: Value,
    message: &str,
) -> Outcome {
    create_refused_as(cx, rt, name, body, ErrorKind::Invalid, message).await
}

async fn deployment_selector_must_match_template(cx: &Ctx<'_>) -> Outcome {
    let d = deployments();
    let mut spec = deployment_spec();
    if let Some(s) = spec.as_object_mut() {
        s.remove("selector");
    }
    invalid(
        cx,
        &d,
        "web",
        json!({ "spec": spec }),
        "Deployment.apps \"web\" is invalid: [spec.selector: Required value, \
         spec.template.metadata.labels: Invalid value: {\"app\":\"web\"}: `selector` does not \
         match template `labels`]",
    )
    .await?;
    let mut spec = deployment_spec();
    spec["selector"] = json!({"matchLabels": {"app": "web", "tier": "front"}});
    invalid(
        cx,
        &d,
        "web",
        json!({ "spec": spec }),
        "Deployment.apps \"web\" is invalid: spec.template.metadata.labels: Invalid value: \
         {\"app\":\"web\"}: `selector` does not match template `labels`",
    )
    .await
}

async fn containers_need_images(cx: &Ctx<'_>) -> Outcome {
    let mut spec = deployment_spec();
    spec["template"]["spec"]["containers"] = json!([{"name": "web"}]);
    invalid(
        cx,
        &deployments(),
        "web",
        json!({ "spec": spec }),
        "Deployment.apps \"web\" is invalid: spec.template.spec.containers[0].image: Required value",
    )
    .await?;
    invalid(
        cx,
        &ResourceType::of::<Pod>(),
        "p",
        json!({"spec": {"containers": [{"name": "app"}]}}),
        "Pod \"p\" is invalid: spec.containers[0].image: Required value",
    )
    .await
}

async fn job_pods_restart_on_failure_or_never(cx: &Ctx<'_>) -> Outcome {
    let rt = ResourceType::of::<Job>();
    let body = |policy: Option<&str>| {
        let mut spec = json!({"containers": [{"name": "run", "image": "busybox"}]});
        if let Some(p) = policy {
            spec["restartPolicy"] = json!(p);
        }
        json!({"spec": {"template": {"spec": spec}}})
    };
    invalid(
        cx,
        &rt,
        "once",
        body(None),
        "Job.batch \"once\" is invalid: spec.template.spec.restartPolicy: Required value: valid \
         values: \"OnFailure\", \"Never\"",
    )
    .await?;
    let created = cx.create(&rt, "once", body(Some("Never"))).await?;
    let uid = created.metadata.uid.clone().map(Value::String);
    ensure(uid.is_some(), || "the Job has no uid".to_string())?;
    ensure_eq(
        "generated selector",
        uid.as_ref(),
        field(
            &created,
            "/spec/selector/matchLabels/batch.kubernetes.io~1controller-uid",
        ),
    )
}

async fn deployment_selector_is_immutable(cx: &Ctx<'_>) -> Outcome {
    let d = deployments();
    cx.create(&d, "web", json!({ "spec": deployment_spec() }))
        .await?;
    merge_refused(
        cx,
        &d,
        "web",
        json!({"spec": {
            "selector": {"matchLabels": {"app": "api"}},
            "template": {"metadata": {"labels": {"app": "api"}}}
        }}),
        "Deployment.apps \"web\" is invalid: spec.selector: Invalid value: \
         {\"matchLabels\":{\"app\":\"api\"}}: field is immutable",
    )
    .await?;
    let read = cx.get(&d, "web").await.during("get")?;
    ensure_field(
        "stored selector",
        &read,
        "/spec/selector",
        &json!({"matchLabels": {"app": "web"}}),
    )
}
