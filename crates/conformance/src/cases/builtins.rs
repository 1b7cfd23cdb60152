//! Area `builtins`: server-side special cases of built-in kinds (rules 3, 6, 11, 15, 16, 18),
//! among them the create-only, never-stored access reviews.

use k8s_openapi::ByteString;
use k8s_openapi::api::authorization::v1::SelfSubjectAccessReview;
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kobj_core::{CoreResourcesExt, ErrorKind, ResourceType};
use kube_core::params::{GetParams, ListParams, PostParams};
use serde_json::{Value, json};

use crate::case::{Case, During, Failure, Outcome, case};
use crate::check::*;
use crate::ctx::Ctx;
use crate::fixtures::{
    autoscalers_v1, autoscalers_v2, configmaps, core_events, events_v1, leases, secrets,
};

pub(super) fn cases() -> Vec<Case> {
    vec![
        case!(
            secret_string_data_folds_into_data,
            Builtins,
            [6],
            "Secret stringData is stored base64-encoded in data and not kept"
        ),
        case!(
            secret_immutable_refuses_data_change,
            Builtins,
            [18],
            "an immutable Secret's data cannot change: 422 `field is immutable when `immutable` is set`"
        ),
        case!(
            configmap_immutable_refuses_data_change,
            Builtins,
            [18],
            "an immutable ConfigMap's data cannot change"
        ),
        case!(
            lease_round_trip,
            Builtins,
            [6, 15],
            "a coordination.k8s.io Lease is created, read and renewed"
        ),
        case!(
            typed_layer_round_trip,
            Builtins,
            [6, 11],
            "the typed layer (create/get/list::<ConfigMap>, get::<Secret>) works over the backend"
        ),
        case!(
            restricted_namespace_refuses_plain_pods,
            Builtins,
            [6],
            "in a namespace labelled `pod-security.kubernetes.io/enforce: restricted`, a Pod without the restricted settings gets 403 `pods \"p\" is forbidden: violates PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false (container \"app\" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (…), runAsNonRoot != true (…), seccompProfile (…)`; one with them is created"
        ),
        case!(
            access_review_is_answered_not_stored,
            Builtins,
            [3, 6],
            "a SelfSubjectAccessReview create answers the request with a boolean `status.allowed` and no uid, resourceVersion or creationTimestamp; one with neither `resourceAttributes` nor `nonResourceAttributes` gets 422 `… exactly one of nonResourceAttributes or resourceAttributes must be specified`; listing the reviews gets 405 MethodNotAllowed `the server does not allow this method on the requested resource`, getting one 404"
        ),
        case!(
            pods_are_admitted_with_priority_and_tolerations,
            Builtins,
            [6],
            "a new Pod gets `priority: 0`, `preemptionPolicy: PreemptLowerPriority` and the `not-ready` and `unreachable` NoExecute tolerations for 300 s (the Priority and DefaultTolerationSeconds admission plugins); one naming `system-cluster-critical` gets 2000000000; one naming a missing PriorityClass gets 403 `pods \"p\" is forbidden: no PriorityClass with name missing-class was found`"
        ),
        case!(
            events_are_one_storage_in_two_versions,
            Builtins,
            [6, 43],
            "an Event created through events.k8s.io/v1 is read through core/v1 with `note` as `message`, `regarding` as `involvedObject` and `reportingController` as `reportingComponent`; a core/v1 field selector on `involvedObject.name` and an events.k8s.io/v1 one on `regarding.name` both find it; deleted through core/v1 it is gone from events.k8s.io/v1"
        ),
        case!(
            autoscaler_v1_is_a_view_of_v2,
            Builtins,
            [6],
            "a HorizontalPodAutoscaler created through autoscaling/v2 on CPU and memory reads through autoscaling/v1 with `targetCPUUtilizationPercentage` and the memory metric in the `autoscaling.alpha.kubernetes.io/metrics` annotation; a v1 replace of the CPU target keeps the memory metric in v2"
        ),
    ]
}

async fn events_are_one_storage_in_two_versions(cx: &Ctx<'_>) -> Outcome {
    let (core, v1) = (core_events(), events_v1());
    let regarding = json!({"apiVersion": "v1", "kind": "ConfigMap", "name": "settings",
        "namespace": cx.ns()});
    let created = cx
        .create(
            &v1,
            "settings.1",
            json!({"eventTime": "2026-01-01T00:00:00.000000Z",
                "reportingController": "example.com/settings-controller",
                "reportingInstance": "settings-controller-0", "action": "Reconcile",
                "reason": "Synced", "note": "synced the settings", "type": "Normal",
                "regarding": regarding}),
        )
        .await?;
    let read = cx
        .get(&core, "settings.1")
        .await
        .during("get through core/v1")?;
    ensure_eq(
        "apiVersion",
        "v1",
        read.types.as_ref().map_or("", |t| t.api_version.as_str()),
    )?;
    ensure_field(
        "core event",
        &read,
        "/message",
        &json!("synced the settings"),
    )?;
    ensure_field(
        "core event",
        &read,
        "/involvedObject/name",
        &json!("settings"),
    )?;
    ensure_field(
        "core event",
        &read,
        "/reportingComponent",
        &json!("example.com/settings-controller"),
    )?;
    ensure(field(&read, "/note").is_none(), || {
        "core/v1 shows events.k8s.io's `note`".into()
    })?;
    ensure_eq("uid", &created.metadata.uid, &read.metadata.uid)?;
    for (rt, selector) in [
        (&core, "involvedObject.name=settings"),
        (&v1, "regarding.name=settings"),
    ] {
        let list = cx
            .list(rt, &ListParams::default().fields(selector))
            .await
            .during(&format!("list {}", rt.api.api_version))?;
        ensure_eq(selector, 1, list.items.len())?;
    }
    cx.delete(
        &core,
        "settings.1",
        &kube_core::params::DeleteParams::default(),
    )
    .await
    .during("delete through core/v1")?;
    let gone = cx.get(&v1, "settings.1").await;
    ensure(
        matches!(&gone, Err(e) if e.kind() == ErrorKind::NotFound),
        || format!("events.k8s.io/v1 still reads it: {gone:?}"),
    )
}

async fn autoscaler_v1_is_a_view_of_v2(cx: &Ctx<'_>) -> Outcome {
    let (v1, v2) = (autoscalers_v1(), autoscalers_v2());
    cx.create(
        &v2,
        "web",
        json!({"spec": {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
        "minReplicas": 1, "maxReplicas": 5,
        "metrics": [
            {"type": "Resource", "resource": {"name": "memory",
                "target": {"type": "AverageValue", "averageValue": "500Mi"}}},
            {"type": "Resource", "resource": {"name": "cpu",
                "target": {"type": "Utilization", "averageUtilization": 60}}}
        ]}}),
    )
    .await?;
    let mut read = cx
        .get(&v1, "web")
        .await
        .during("get through autoscaling/v1")?;
    ensure_field(
        "v1",
        &read,
        "/spec/targetCPUUtilizationPercentage",
        &json!(60),
    )?;
    let others = read
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("autoscaling.alpha.kubernetes.io/metrics"))
        .cloned()
        .unwrap_or_default();
    ensure(
        others.contains("\"memory\"") && others.contains("500Mi"),
        || format!("v1 annotation for the other metrics: {others:?}"),
    )?;
    read.data["spec"]["targetCPUUtilizationPercentage"] = json!(70);
    cx.replace(&v1, "web", &read)
        .await
        .during("replace through autoscaling/v1")?;
    let after = cx
        .get(&v2, "web")
        .await
        .during("get through autoscaling/v2")?;
    ensure_field(
        "v2 after the v1 replace",
        &after,
        "/spec/metrics",
        &json!([
            {"type": "Resource", "resource": {"name": "memory",
                "target": {"type": "AverageValue", "averageValue": "500Mi"}}},
            {"type": "Resource", "resource": {"name": "cpu",
                "target": {"type": "Utilization", "averageUtilization": 70}}}
        ]),
    )
}

async fn restricted_namespace_refuses_plain_pods(cx: &Ctx<'_>) -> Outcome {
    let rt = kobj_core::ResourceType::of::<k8s_openapi::api::core::v1::Pod>();
    let label =
        json!({"metadata": {"labels": {"pod-security.kubernetes.io/enforce": "restricted"}}});
    cx.merge(&crate::fixtures::namespaces(), cx.ns(), label)
        .await
        .during("label the namespace")?;
    super::builtin_decoding::create_refused_as(
        cx,
        &rt,
        "p",
        json!({"spec": {"containers": [{"name": "app", "image": "nginx"}]}}),
        ErrorKind::Forbidden,
        "pods \"p\" is forbidden: violates PodSecurity \"restricted:latest\": \
         allowPrivilegeEscalation != false (container \"app\" must set \
         securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container \
         \"app\" must set securityContext.capabilities.drop=[\"ALL\"]), runAsNonRoot != true (pod \
         or container \"app\" must set securityContext.runAsNonRoot=true), seccompProfile (pod or \
         container \"app\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \
         \"Localhost\")",
    )
    .await?;
    cx.create(
        &rt,
        "p",
        json!({"spec": {
            "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "app", "image": "nginx", "securityContext": {
                "allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}
            }}]
        }}),
    )
    .await
    .map(drop)
}

async fn pods_are_admitted_with_priority_and_tolerations(cx: &Ctx<'_>) -> Outcome {
    let rt = kobj_core::ResourceType::of::<k8s_openapi::api::core::v1::Pod>();
    let pod = |class: Option<&str>| {
        let mut spec = json!({"containers": [{"name": "app", "image": "nginx"}]});
        if let Some(class) = class {
            spec["priorityClassName"] = json!(class);
        }
        json!({ "spec": spec })
    };
    let made = cx.create(&rt, "plain", pod(None)).await?;
    ensure_field("the new Pod", &made, "/spec/priority", &json!(0))?;
    ensure_field(
        "the new Pod",
        &made,
        "/spec/preemptionPolicy",
        &json!("PreemptLowerPriority"),
    )?;
    let toleration = |key: &str| json!({"key": key, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300});
    ensure_field(
        "the new Pod",
        &made,
        "/spec/tolerations",
        &json!([
            toleration("node.kubernetes.io/not-ready"),
            toleration("node.kubernetes.io/unreachable")
        ]),
    )?;
    let critical = cx
        .create(&rt, "critical", pod(Some("system-cluster-critical")))
        .await?;
    ensure_field(
        "the critical Pod",
        &critical,
        "/spec/priority",
        &json!(2_000_000_000),
    )?;
    super::builtin_decoding::create_refused_as(
        cx,
        &rt,
        "p",
        pod(Some("missing-class")),
        ErrorKind::Forbidden,
        "pods \"p\" is forbidden: no PriorityClass with name missing-class was found",
    )
    .await
}

async fn secret_string_data_folds_into_data(cx: &Ctx<'_>) -> Outcome {
    let rt = secrets();
    let created = cx
        .create(
            &rt,
            "s",
            json!({"stringData": {"user": "admin"}, "data": {"other": "eA=="}}),
        )
        .await?;
    for (what, object) in [
        ("create answer", &created),
        ("stored", &cx.get(&rt, "s").await.during("get")?),
    ] {
        ensure_field(what, object, "/data/user", &json!("YWRtaW4="))?;
        ensure_field(what, object, "/data/other", &json!("eA=="))?;
        ensure_absent(what, object, "/stringData")?;
    }
    Ok(())
}

async fn immutable_refuses(
    cx: &Ctx<'_>,
    rt: &kobj_core::ResourceType,
    data: serde_json::Value,
    changed: serde_json::Value,
) -> Outcome {
    let created = cx
        .create(rt, "x", json!({"immutable": true, "data": data}))
        .await?;
    let mut body = created.clone();
    body.data["data"] = changed;
    let err = expect_error(
        "replace",
        cx.replace(rt, "x", &body).await,
        ErrorKind::Invalid,
    )?;
    expect_message_contains(
        "replace",
        &err,
        "data: Forbidden: field is immutable when `immutable` is set",
    )?;
    let read = cx.get(rt, "x").await.during("get")?;
    ensure_eq("resourceVersion", &rv(&created)?, &rv(&read)?)
}

async fn secret_immutable_refuses_data_change(cx: &Ctx<'_>) -> Outcome {
    immutable_refuses(cx, &secrets(), json!({"k": "djE="}), json!({"k": "djI="})).await
}

async fn configmap_immutable_refuses_data_change(cx: &Ctx<'_>) -> Outcome {
    immutable_refuses(cx, &configmaps(), json!({"k": "v1"}), json!({"k": "v2"})).await
}

async fn lease_round_trip(cx: &Ctx<'_>) -> Outcome {
    let rt = leases();
    let created = cx
        .create(
            &rt,
            "leader",
            json!({"spec": {"holderIdentity": "a", "leaseDurationSeconds": 15}}),
        )
        .await?;
    ensure_field("created", &created, "/spec/holderIdentity", &json!("a"))?;
    let mut renewed = created.clone();
    renewed.data["spec"]["holderIdentity"] = json!("b");
    let replaced = cx
        .replace(&rt, "leader", &renewed)
        .await
        .during("replace")?;
    ensure_field("replaced", &replaced, "/spec/holderIdentity", &json!("b"))?;
    ensure(rv(&replaced)? > rv(&created)?, || {
        "resourceVersion did not advance".into()
    })
}

async fn typed_layer_round_trip(cx: &Ctx<'_>) -> Outcome {
    let core = cx.core();
    let ns = Some(cx.ns());
    let mut cm = ConfigMap::default();
    cm.metadata.name = Some("typed".into());
    cm.metadata.namespace = Some(cx.ns().into());
    cm.data = Some([("k".to_string(), "v".to_string())].into());
    let created: ConfigMap = core
        .create(&cm, &PostParams::default())
        .await
        .during("typed create")?;
    ensure(created.metadata.uid.is_some(), || "no uid".into())?;
    let read: ConfigMap = core.get(ns, "typed").await.during("typed get")?;
    ensure_eq("data", &cm.data, &read.data)?;
    let list = core
        .list::<ConfigMap>(ns, &ListParams::default().fields("metadata.name=typed"))
        .await
        .during("typed list")?;
    ensure_eq("typed list", 1, list.items.len())?;
    let missing = core
        .get_opt::<Secret>(ns, "absent")
        .await
        .during("typed get_opt")?;
    ensure(missing.is_none(), || {
        "get_opt found a Secret that does not exist".into()
    })?;
    let mut secret = Secret::default();
    secret.metadata.name = Some("typed".into());
    secret.metadata.namespace = Some(cx.ns().into());
    secret.data = Some([("password".to_string(), ByteString(b"hunter2".to_vec()))].into());
    core.create(&secret, &PostParams::default())
        .await
        .during("typed create secret")?;
    let read: Secret = core.get(ns, "typed").await.during("typed get secret")?;
    let password = read
        .data
        .as_ref()
        .and_then(|d| d.get("password"))
        .map(|b| b.0.clone());
    ensure_eq("password", Some(b"hunter2".to_vec()), password).map_err(|f: Failure| f)
}

async fn access_review_is_answered_not_stored(cx: &Ctx<'_>) -> Outcome {
    let rt = ResourceType::of::<SelfSubjectAccessReview>();
    let api = cx.api(&rt);
    let review = |spec: Value| {
        crate::fixtures::dynamic(json!({
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SelfSubjectAccessReview",
            "spec": spec
        }))
    };
    let asked = json!({"resourceAttributes": {
        "namespace": cx.ns(), "verb": "get", "resource": "configmaps"
    }});
    let answer = api
        .create(&rt, None, &review(asked)?, &PostParams::default())
        .await
        .during("create")?;
    ensure(
        answer
            .data
            .pointer("/status/allowed")
            .is_some_and(Value::is_boolean),
        || {
            format!(
                "the answer has no boolean status.allowed: {:?}",
                answer.data
            )
        },
    )?;
    ensure_field(
        "the answer",
        &answer,
        "/spec/resourceAttributes/resource",
        &json!("configmaps"),
    )?;
    let meta = &answer.metadata;
    ensure(
        meta.uid.is_none() && meta.resource_version.is_none() && meta.creation_timestamp.is_none(),
        || format!("the answer looks stored: {meta:?}"),
    )?;
    let err = expect_error(
        "create without attributes",
        api.create(&rt, None, &review(json!({}))?, &PostParams::default())
            .await,
        ErrorKind::Invalid,
    )?;
    expect_message_contains(
        "create without attributes",
        &err,
        "exactly one of nonResourceAttributes or resourceAttributes must be specified",
    )?;
    let err = expect_error(
        "list",
        api.list(&rt, None, &ListParams::default()).await,
        ErrorKind::MethodNotAllowed,
    )?;
    expect_message(
        "list",
        &err,
        "the server does not allow this method on the requested resource",
    )?;
    expect_error(
        "get",
        api.get(&rt, None, "any", &GetParams::default()).await,
        ErrorKind::NotFound,
    )
    .map(drop)
}
