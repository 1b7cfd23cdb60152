//! HorizontalPodAutoscalers are validated as a real API server validates them
//! (`validateHorizontalPodAutoscalerSpec` and its helpers): replica bounds, the scale
//! target, metrics and scaling behavior. A refusal is a 422 with the server's text and
//! leaves the stored state as it was.

use crate::common;

use common::*;
use kobj_core::{CustomObjects, ResourceType};
use kube_core::params::PostParams;
use serde_json::json;

fn autoscalers() -> ResourceType {
    ResourceType::of::<k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler>()
}

#[tokio::test]
async fn a_horizontal_pod_autoscaler_has_valid_bounds_target_metrics_and_behavior() {
    let c = cluster().await;
    let at = "spec.metrics[0].resource";
    refused_as_invalid(
        &c,
        &autoscalers(),
        json!({
            "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "web"},
            "spec": {
                "minReplicas": 0, "maxReplicas": 0,
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "", "name": "a/b"},
                "metrics": [
                    {"type": "Resource", "resource": {"name": "", "target": {
                        "type": "Percent", "averageUtilization": 0, "averageValue": "-1"
                    }}},
                    {"type": "Pods"},
                    {"type": "Magic"}
                ],
                "behavior": {"scaleUp": {"selectPolicy": "Random", "policies": [
                    {"type": "Fraction", "value": 0, "periodSeconds": 2000}
                ]}}
            }
        }),
        &format!(
            "HorizontalPodAutoscaler.autoscaling \"web\" is invalid: [\
             spec.minReplicas: Invalid value: 0: must be greater than or equal to 1, \
             spec.maxReplicas: Invalid value: 0: must be greater than 0, \
             spec.scaleTargetRef.kind: Required value, \
             spec.scaleTargetRef.name: Invalid value: \"a/b\": may not contain '/', \
             {at}.name: Required value: must specify a resource name, \
             {at}.target.type: Invalid value: \"Percent\": must be either Utilization, Value, or \
             AverageValue, \
             {at}.target.averageValue: Invalid value: \"-1\": must be positive, \
             {at}.target.averageUtilization: Invalid value: 0: must be greater than 0, \
             {at}.target.averageValue: Forbidden: may not set both a target raw value and a \
             target utilization, \
             spec.metrics[1].pods: Required value: must populate information for the given \
             metric source, \
             spec.metrics[2].type: Unsupported value: \"Magic\": supported values: \
             \"ContainerResource\", \"External\", \"Object\", \"Pods\", \"Resource\", \
             spec.behavior.scaleUp.selectPolicy: Unsupported value: \"Random\": supported values: \
             \"Disabled\", \"Max\", \"Min\", \
             spec.behavior.scaleUp.policies[0].type: Unsupported value: \"Fraction\": supported \
             values: \"Percent\", \"Pods\", \
             spec.behavior.scaleUp.policies[0].value: Invalid value: 0: must be greater than zero, \
             spec.behavior.scaleUp.policies[0].periodSeconds: Invalid value: 2000: must be less \
             than or equal to 1800]"
        ),
    )
    .await;
    let made = c
        .create_object(
            &autoscalers(),
            Some("default"),
            &obj(json!({
                "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                "metadata": {"name": "web"},
                "spec": {"maxReplicas": 5,
                         "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}}
            })),
            &PostParams::default(),
        )
        .await
        .unwrap();
    // Defaulted: one replica at least, and a CPU utilization target of 80 %.
    assert_eq!(made.data["spec"]["minReplicas"], json!(1));
    assert_eq!(
        made.data["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"],
        json!(80)
    );
}
