//! A Service's own fields are validated as `ValidateService` does, in its order among the
//! checks of the allocated fields: ports (required, named when several, numbers, target
//! ports, duplicates), type, `externalName`, selector, session affinity, traffic policies.
//! 422 with the server's text, every error in one message, nothing stored.

use crate::common;

use common::*;
use kobj_core::{CustomObjects, ResourceType};
use kube_core::params::PostParams;
use serde_json::{Value, json};

fn services() -> ResourceType {
    ResourceType::of::<k8s_openapi::api::core::v1::Service>()
}

fn service(spec: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": spec})
}

#[tokio::test]
async fn ports_are_required_named_valid_and_unique() {
    let c = cluster().await;
    refused_as_invalid(
        &c,
        &services(),
        service(json!({"selector": {"app": "web"}})),
        "Service \"s\" is invalid: spec.ports: Required value",
    )
    .await;
    refused_as_invalid(
        &c,
        &services(),
        service(json!({"ports": [
            {"port": 80},
            {"port": 80},
            {"name": "x", "port": 70000, "targetPort": "Bad_Name"}
        ]})),
        "Service \"s\" is invalid: [spec.ports[0].name: Required value, spec.ports[1].name: \
         Required value, spec.ports[2].port: Invalid value: 70000: must be between 1 and 65535, \
         inclusive, spec.ports[2].targetPort: Invalid value: \"Bad_Name\": must contain only \
         alpha-numeric characters (a-z, 0-9), and hyphens (-), spec.ports[1]: Duplicate value: \
         {\"Name\":\"\",\"Protocol\":\"TCP\",\"AppProtocol\":null,\"Port\":80,\"TargetPort\":0,\
         \"NodePort\":0}]",
    )
    .await;
    // The same numbers over two protocols, named: accepted.
    let created = c
        .create_object(
            &services(),
            Some("default"),
            &obj(service(json!({"ports": [
                {"name": "dns", "port": 53},
                {"name": "dns-udp", "port": 53, "protocol": "UDP"}
            ]}))),
            &PostParams::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(created).unwrap()["spec"]["ports"][1]["targetPort"],
        53
    );
}

#[tokio::test]
async fn type_external_name_selector_and_policies() {
    let c = cluster().await;
    refused_as_invalid(
        &c,
        &services(),
        service(json!({"type": "Internal", "ports": [{"port": 80}]})),
        "Service \"s\" is invalid: spec.type: Unsupported value: \"Internal\": supported values: \
         \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\"",
    )
    .await;
    refused_as_invalid(
        &c,
        &services(),
        service(json!({"type": "ExternalName"})),
        "Service \"s\" is invalid: spec.externalName: Required value",
    )
    .await;
    refused_as_invalid(
        &c,
        &services(),
        service(json!({
            "ports": [{"port": 80}],
            "selector": {"app": "web app"},
            "sessionAffinity": "Sticky",
            "internalTrafficPolicy": "Nearest"
        })),
        "Service \"s\" is invalid: [spec.selector: Invalid value: \"web app\": a valid label \
         must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and \
         must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  \
         or '12345', regex used for validation is \
         '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?'), spec.sessionAffinity: Unsupported \
         value: \"Sticky\": supported values: \"ClientIP\", \"None\", spec.internalTrafficPolicy: \
         Unsupported value: \"Nearest\": supported values: \"Cluster\", \"Local\"]",
    )
    .await;
    c.create_object(
        &services(),
        Some("default"),
        &obj(service(
            json!({"type": "ExternalName", "externalName": "db.example.com."}),
        )),
        &PostParams::default(),
    )
    .await
    .unwrap();
}
