//! autoscaling/v1 and autoscaling/v2 HorizontalPodAutoscalers: stored as v2, v1 converted
//! both ways with the round-trip annotations (`builtins::conversion::autoscaling`).

use crate::common;

use common::*;
use futures::StreamExt;
use kobj_core::{CustomObjects, PatchValue, ResourceType};
use kobj_fake::{FakeCluster, WriteOptions};
use kube_core::WatchEvent;
use kube_core::params::{GetParams, PostParams, WatchParams};
use serde_json::{Value, json};

fn v1() -> ResourceType {
    ResourceType::of::<k8s_openapi::api::autoscaling::v1::HorizontalPodAutoscaler>()
}

fn v2() -> ResourceType {
    ResourceType::of::<k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler>()
}

async fn get(c: &FakeCluster, rt: &ResourceType, name: &str) -> Value {
    let o = c
        .get_object(rt, Some("default"), name, &GetParams::default())
        .await
        .unwrap();
    serde_json::to_value(o).unwrap()
}

fn target() -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"})
}

/// A v2 HPA on CPU and memory with a behavior, and the status the controller writes.
async fn v2_with_status(c: &FakeCluster) {
    created(
        c,
        &v2(),
        json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"scaleTargetRef": target(), "minReplicas": 2, "maxReplicas": 10,
                "metrics": [
                    {"type": "Resource", "resource": {"name": "memory",
                        "target": {"type": "AverageValue", "averageValue": "500Mi"}}},
                    {"type": "Resource", "resource": {"name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": 60}}}
                ],
                "behavior": {"scaleDown": {"stabilizationWindowSeconds": 300}}}}),
    )
    .await;
    c.patch_value(
        &v2(),
        Some("default"),
        "web",
        &PatchValue::Merge(json!({"status": {
            "currentReplicas": 3, "desiredReplicas": 4,
            "currentMetrics": [
                {"type": "Resource", "resource": {"name": "cpu",
                    "current": {"averageUtilization": 75, "averageValue": "150m"}}}
            ],
            "conditions": [{"type": "AbleToScale", "status": "True",
                "lastTransitionTime": "2026-01-01T00:00:00Z", "reason": "ReadyForNewScale"}]
        }})),
        Some("status"),
        &WriteOptions::default(),
    )
    .unwrap();
}

#[tokio::test]
async fn a_v2_autoscaler_reads_as_v1_with_the_rest_in_annotations() {
    let c = FakeCluster::new();
    v2_with_status(&c).await;
    let got = get(&c, &v1(), "web").await;
    assert_eq!(got["apiVersion"], "autoscaling/v1");
    assert_eq!(
        got["spec"],
        json!({"scaleTargetRef": target(), "minReplicas": 2, "maxReplicas": 10,
            "targetCPUUtilizationPercentage": 60})
    );
    assert_eq!(
        got["status"],
        json!({"currentReplicas": 3, "desiredReplicas": 4,
            "currentCPUUtilizationPercentage": 75})
    );
    let annotations = &got["metadata"]["annotations"];
    assert_eq!(
        annotations["autoscaling.alpha.kubernetes.io/metrics"],
        r#"[{"type":"Resource","resource":{"name":"memory","targetAverageValue":"500Mi"}}]"#
    );
    assert_eq!(
        annotations["autoscaling.alpha.kubernetes.io/current-metrics"],
        r#"[{"type":"Resource","resource":{"name":"cpu","currentAverageUtilization":75,"currentAverageValue":"150m"}}]"#
    );
    assert_eq!(
        annotations["autoscaling.alpha.kubernetes.io/conditions"],
        r#"[{"type":"AbleToScale","status":"True","lastTransitionTime":"2026-01-01T00:00:00Z","reason":"ReadyForNewScale"}]"#
    );
    // The stored behavior was completed by v2's defaults; the annotation has Go's names.
    assert_eq!(
        annotations["autoscaling.alpha.kubernetes.io/behavior"],
        r#"{"ScaleUp":{"StabilizationWindowSeconds":0,"SelectPolicy":"Max","Policies":[{"Type":"Pods","Value":4,"PeriodSeconds":15},{"Type":"Percent","Value":100,"PeriodSeconds":15}]},"ScaleDown":{"StabilizationWindowSeconds":300,"SelectPolicy":"Max","Policies":[{"Type":"Percent","Value":100,"PeriodSeconds":15}]}}"#
    );
    // A typed v1 client decodes it.
    let typed: k8s_openapi::api::autoscaling::v1::HorizontalPodAutoscaler =
        serde_json::from_value(got).unwrap();
    assert_eq!(typed.spec.target_cpu_utilization_percentage, Some(60));
    // The v2 view carries none of the annotations, and the dump holds v2.
    let v2_view = get(&c, &v2(), "web").await;
    assert_eq!(v2_view["metadata"].get("annotations"), None);
    let dump = c.dump_yaml().unwrap();
    assert!(
        dump.contains("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler"),
        "{dump}"
    );
    assert!(!dump.contains("autoscaling/v1\nkind"), "{dump}");
}

#[tokio::test]
async fn a_v1_client_round_trip_keeps_what_only_v2_holds() {
    let c = FakeCluster::new();
    v2_with_status(&c).await;
    let before = get(&c, &v2(), "web").await;
    // Read through v1, change the CPU target, write the whole object back.
    let mut v1_view = get(&c, &v1(), "web").await;
    v1_view["spec"]["targetCPUUtilizationPercentage"] = json!(70);
    v1_view["spec"]["maxReplicas"] = json!(12);
    let answer = c
        .replace_object(
            &v1(),
            Some("default"),
            "web",
            &obj(v1_view),
            &PostParams::default(),
        )
        .await
        .unwrap();
    let answer = serde_json::to_value(answer).unwrap();
    assert_eq!(answer["apiVersion"], "autoscaling/v1");
    assert_eq!(answer["spec"]["targetCPUUtilizationPercentage"], 70);
    assert!(
        answer["metadata"]["annotations"]
            .get("autoscaling.alpha.kubernetes.io/metrics")
            .is_some()
    );

    let after = get(&c, &v2(), "web").await;
    assert_eq!(after["metadata"].get("annotations"), None);
    assert_eq!(after["spec"]["maxReplicas"], 12);
    // The other metrics first, then the CPU target (the server's order).
    assert_eq!(
        after["spec"]["metrics"],
        json!([
            {"type": "Resource", "resource": {"name": "memory",
                "target": {"type": "AverageValue", "averageValue": "500Mi"}}},
            {"type": "Resource", "resource": {"name": "cpu",
                "target": {"type": "Utilization", "averageUtilization": 70}}}
        ])
    );
    assert_eq!(after["spec"]["behavior"], before["spec"]["behavior"]);
    assert_eq!(after["status"], before["status"]);
}

#[tokio::test]
async fn a_v1_autoscaler_without_a_target_gets_the_default_cpu_metric() {
    let c = FakeCluster::new();
    let made = created(
        &c,
        &v1(),
        json!({"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "api", "namespace": "default"},
            "spec": {"scaleTargetRef": target(), "maxReplicas": 5}}),
    )
    .await;
    assert_eq!(made["spec"]["minReplicas"], 1);
    assert_eq!(made["spec"]["targetCPUUtilizationPercentage"], 80);
    assert_eq!(made["metadata"].get("annotations"), None);
    let stored = get(&c, &v2(), "api").await;
    assert_eq!(
        stored["spec"]["metrics"],
        json!([{"type": "Resource", "resource": {"name": "cpu",
            "target": {"type": "Utilization", "averageUtilization": 80}}}])
    );
}

#[tokio::test]
async fn v1_annotations_become_v2_fields_and_v2_writes_drop_them() {
    let c = FakeCluster::new();
    let metrics = r#"[{"type":"Pods","pods":{"metricName":"qps","targetAverageValue":"10"}},{"type":"External","external":{"metricName":"queue","metricSelector":{"matchLabels":{"q":"jobs"}},"targetValue":"30"}},{"type":"Object","object":{"target":{"kind":"Ingress","name":"main","apiVersion":"networking.k8s.io/v1"},"metricName":"hits","targetValue":"2k"}}]"#;
    created(
        &c,
        &v1(),
        json!({"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "q", "namespace": "default",
                "annotations": {"autoscaling.alpha.kubernetes.io/metrics": metrics,
                    "autoscaling.alpha.kubernetes.io/behavior": r#"{"ScaleDown":{"SelectPolicy":"Min"}}"#,
                    "team": "a"}},
            "spec": {"scaleTargetRef": target(), "maxReplicas": 5}}),
    )
    .await;
    let stored = get(&c, &v2(), "q").await;
    assert_eq!(stored["metadata"]["annotations"], json!({"team": "a"}));
    assert_eq!(
        stored["spec"]["metrics"],
        json!([
            {"type": "Pods", "pods": {"metric": {"name": "qps"},
                "target": {"type": "AverageValue", "averageValue": "10"}}},
            {"type": "External", "external": {
                "metric": {"name": "queue", "selector": {"matchLabels": {"q": "jobs"}}},
                "target": {"type": "Value", "value": "30"}}},
            {"type": "Object", "object": {
                "describedObject": {"kind": "Ingress", "name": "main", "apiVersion": "networking.k8s.io/v1"},
                "metric": {"name": "hits"}, "target": {"type": "Value", "value": "2k"}}}
        ])
    );
    assert_eq!(
        stored["spec"]["behavior"]["scaleDown"]["selectPolicy"],
        "Min"
    );
    // Read back through v1, the annotation is written again in v1's form.
    let v1_view = get(&c, &v1(), "q").await;
    assert_eq!(
        v1_view["metadata"]["annotations"]["autoscaling.alpha.kubernetes.io/metrics"],
        metrics
    );
    assert_eq!(v1_view["spec"].get("targetCPUUtilizationPercentage"), None);

    // Through v2 the annotations are v1's business: dropped.
    let made = created(
        &c,
        &v2(),
        json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "r", "namespace": "default",
                "annotations": {"autoscaling.alpha.kubernetes.io/conditions": "[]"}},
            "spec": {"scaleTargetRef": target(), "maxReplicas": 5}}),
    )
    .await;
    assert_eq!(made["metadata"].get("annotations"), None);
}

#[tokio::test]
async fn watchers_of_each_version_see_their_own_form() {
    let c = FakeCluster::new();
    let wp = WatchParams::default();
    let mut w1 = c
        .watch_objects(&v1(), Some("default"), &wp, "0")
        .await
        .unwrap();
    let mut w2 = c
        .watch_objects(&v2(), Some("default"), &wp, "0")
        .await
        .unwrap();
    v2_with_status(&c).await;
    let first = |api: &'static str| {
        move |e: WatchEvent<kube_core::DynamicObject>| match e {
            WatchEvent::Added(o) | WatchEvent::Modified(o) => {
                let v = serde_json::to_value(o).unwrap();
                assert_eq!(v["apiVersion"], api);
                Some(v)
            }
            _ => None,
        }
    };
    let mut seen1 = Vec::new();
    while seen1.len() < 2 {
        if let Some(v) = first("autoscaling/v1")(w1.next().await.unwrap().unwrap()) {
            seen1.push(v);
        }
    }
    let mut seen2 = Vec::new();
    while seen2.len() < 2 {
        if let Some(v) = first("autoscaling/v2")(w2.next().await.unwrap().unwrap()) {
            seen2.push(v);
        }
    }
    assert_eq!(seen1[1]["status"]["currentCPUUtilizationPercentage"], 75);
    assert_eq!(
        seen2[1]["status"]["currentMetrics"][0]["resource"]["current"]["averageUtilization"],
        75
    );
}

#[tokio::test]
async fn round_trip_annotations_that_do_not_decode_stay_as_they_are() {
    let c = FakeCluster::new();
    let made = created(
        &c,
        &v1(),
        json!({"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "odd", "namespace": "default",
                "annotations": {
                    "autoscaling.alpha.kubernetes.io/metrics": "[1]",
                    "autoscaling.alpha.kubernetes.io/behavior": "[]",
                    "autoscaling.alpha.kubernetes.io/conditions": "not json",
                    "autoscaling.alpha.kubernetes.io/current-metrics": "[{}]"}},
            "spec": {"scaleTargetRef": target(), "maxReplicas": 5,
                "targetCPUUtilizationPercentage": 50}}),
    )
    .await;
    assert_eq!(made["spec"]["targetCPUUtilizationPercentage"], 50);
    let stored = get(&c, &v2(), "odd").await;
    let annotations = &stored["metadata"]["annotations"];
    assert_eq!(
        annotations["autoscaling.alpha.kubernetes.io/metrics"],
        "[1]"
    );
    assert_eq!(
        annotations["autoscaling.alpha.kubernetes.io/behavior"],
        "[]"
    );
    assert_eq!(
        annotations["autoscaling.alpha.kubernetes.io/conditions"],
        "not json"
    );
    // A list of objects decodes; an item without a type gets Go's empty one.
    assert_eq!(
        annotations.get("autoscaling.alpha.kubernetes.io/current-metrics"),
        None
    );
    assert_eq!(stored["status"]["currentMetrics"], json!([{"type": ""}]));
    assert_eq!(stored["spec"].get("behavior"), None);
    // A typed v2 client still decodes it.
    let _typed: k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler =
        serde_json::from_value(stored).unwrap();
}
