//! A built-in object reads back with the fields its Go struct always serializes: non-pointer
//! structs (`status: {}`, a pod template's `metadata: {}`, a container's `resources: {}`, a
//! Service's `status.loadBalancer: {}`) and fields without `omitempty` (an Event's
//! `reportingComponent: ""`, `eventTime: null`), on create, get and update. A create's
//! managedFields do not own what the kind's empty object already has (`status`), but do own
//! what appears inside list items the request added (`f:resources` of a container), as a real
//! `kubectl create deployment` does.

use crate::common;

use common::*;
use kobj_core::{CustomObjects, ResourceType};
use kube_core::DynamicObject;
use kube_core::params::{GetParams, PostParams};
use serde_json::{Value, json};

fn services() -> ResourceType {
    ResourceType::of::<k8s_openapi::api::core::v1::Service>()
}

fn events() -> ResourceType {
    ResourceType::of::<k8s_openapi::api::core::v1::Event>()
}

/// Post parameters naming the field manager.
fn by(manager: &str) -> PostParams {
    PostParams {
        field_manager: Some(manager.into()),
        ..PostParams::default()
    }
}

/// The object as `kubectl create deployment web --image=nginx` sends it.
fn deployment() -> DynamicObject {
    obj(json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}
            }
        }
    }))
}

/// The fieldsV1 of the single managedFields entry of `o`.
fn owned(o: &DynamicObject) -> Value {
    let entries = o.metadata.managed_fields.clone().unwrap_or_default();
    assert_eq!(entries.len(), 1, "{entries:?}");
    entries[0].fields_v1.as_ref().map(|f| f.0.clone()).unwrap()
}

/// The always-present fields of a Deployment as `kubectl create deployment` sees them.
fn assert_deployment_zeros(d: &DynamicObject) {
    assert_eq!(d.data["status"], json!({}));
    // `strategy: {}` from the struct, then `SetDefaults_Deployment` fills it in.
    assert_eq!(
        d.data["spec"]["strategy"],
        json!({"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}, "type": "RollingUpdate"})
    );
    // The template's metadata has no `creationTimestamp: null` since 1.33.
    assert_eq!(
        d.data["spec"]["template"]["metadata"],
        json!({"labels": {"app": "web"}})
    );
    assert_eq!(
        d.data["spec"]["template"]["spec"]["containers"][0]["resources"],
        json!({})
    );
    assert_eq!(
        d.data["spec"]["template"]["spec"]["containers"][0]["name"],
        json!("nginx")
    );
}

#[tokio::test]
async fn a_created_deployment_reads_back_with_its_always_present_fields() {
    let c = cluster().await;
    let created = c
        .create_object(
            &deployments(),
            Some("default"),
            &deployment(),
            &by("kubectl-create"),
        )
        .await
        .unwrap();
    assert_deployment_zeros(&created);
    let got = c
        .get_object(
            &deployments(),
            Some("default"),
            "web",
            &GetParams::default(),
        )
        .await
        .unwrap();
    assert_deployment_zeros(&got);
    assert_eq!(got.data, created.data);

    let fields = owned(&created);
    // `status` is in the empty Deployment: nobody owns it. `strategy` is too, so the
    // manager owns only what the defaults put inside it, with no `.` for the struct.
    assert!(fields.get("f:status").is_none(), "{fields}");
    assert_eq!(
        fields["f:spec"]["f:strategy"],
        json!({"f:rollingUpdate": {".": {}, "f:maxSurge": {}, "f:maxUnavailable": {}}, "f:type": {}}),
        "{fields}"
    );
    // Inside a container the request added, `resources: {}` is the manager's.
    let container =
        &fields["f:spec"]["f:template"]["f:spec"]["f:containers"][r#"k:{"name":"nginx"}"#];
    assert_eq!(container["f:resources"], json!({}), "{fields}");
    assert_eq!(container["f:name"], json!({}), "{fields}");
    assert_eq!(container["."], json!({}), "{fields}");
}

#[tokio::test]
async fn an_update_without_the_zero_fields_gets_them_back() {
    let c = cluster().await;
    let created = c
        .create_object(&deployments(), Some("default"), &deployment(), &by("me"))
        .await
        .unwrap();
    let mut body = created.clone();
    body.data.as_object_mut().unwrap().remove("status");
    let spec = &mut body.data["spec"];
    spec.as_object_mut().unwrap().remove("strategy");
    spec["template"]["spec"]["containers"][0]
        .as_object_mut()
        .unwrap()
        .remove("resources");
    spec["template"]["spec"]["containers"][0]["image"] = json!("nginx:2");
    let updated = c
        .replace_object(&deployments(), Some("default"), "web", &body, &by("me"))
        .await
        .unwrap();
    assert_deployment_zeros(&updated);
    assert_eq!(
        updated.data["spec"]["template"]["spec"]["containers"][0]["image"],
        json!("nginx:2")
    );
    // A value the user gave is kept.
    let mut body = updated.clone();
    body.data["spec"]["template"]["spec"]["containers"][0]["resources"] =
        json!({"limits": {"cpu": "1"}});
    let updated = c
        .replace_object(&deployments(), Some("default"), "web", &body, &by("me"))
        .await
        .unwrap();
    assert_eq!(
        updated.data["spec"]["template"]["spec"]["containers"][0]["resources"],
        json!({"limits": {"cpu": "1"}})
    );
}

#[tokio::test]
async fn a_service_reads_back_with_an_empty_load_balancer_status() {
    let c = cluster().await;
    let svc = obj(json!({
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080, "protocol": "TCP"}]}
    }));
    let created = c
        .create_object(&services(), Some("default"), &svc, &by("me"))
        .await
        .unwrap();
    assert_eq!(created.data["status"], json!({"loadBalancer": {}}));
    assert!(owned(&created).get("f:status").is_none());
    let got = c
        .get_object(&services(), Some("default"), "web", &GetParams::default())
        .await
        .unwrap();
    assert_eq!(got.data["status"], json!({"loadBalancer": {}}));
}

#[tokio::test]
async fn a_core_event_reads_back_with_its_reporting_fields_and_null_times() {
    let c = cluster().await;
    let ev = obj(json!({
        "apiVersion": "v1", "kind": "Event", "metadata": {"name": "web.1"},
        "involvedObject": {"kind": "Pod", "name": "web", "namespace": "default"},
        "reason": "Started", "message": "started", "type": "Normal"
    }));
    let created = c
        .create_object(&events(), Some("default"), &ev, &by("me"))
        .await
        .unwrap();
    for (field, zero) in [
        ("reportingComponent", json!("")),
        ("reportingInstance", json!("")),
        ("eventTime", Value::Null),
        ("firstTimestamp", Value::Null),
        ("lastTimestamp", Value::Null),
        ("source", json!({})),
    ] {
        assert_eq!(created.data.get(field), Some(&zero), "{field}");
    }
    // These are all in the empty Event: the create's manager owns none of them.
    let fields = owned(&created);
    for f in ["f:reportingComponent", "f:eventTime", "f:source"] {
        assert!(fields.get(f).is_none(), "{f}: {fields}");
    }
    assert_eq!(fields["f:reason"], json!({}));
}
