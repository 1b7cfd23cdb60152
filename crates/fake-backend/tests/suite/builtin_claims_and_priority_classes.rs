//! PersistentVolumeClaims and PriorityClasses are validated as a real API server validates
//! them (`ValidatePersistentVolumeClaimSpec`, `ValidatePersistentVolumeClaimUpdate`,
//! `ValidatePriorityClass`, `ValidatePriorityClassUpdate`), and a claim's data sources are
//! normalized as its strategy does. Each refusal is a 422 with the server's text and leaves
//! the stored state as it was.

use crate::common;

use common::*;
use kobj_core::{CustomObjects, ErrorKind, ResourceType};
use kobj_fake::FakeCluster;
use kube_core::params::{Patch, PatchParams, PostParams};
use serde_json::{Value, json};

fn claims() -> ResourceType {
    ResourceType::of::<k8s_openapi::api::core::v1::PersistentVolumeClaim>()
}

fn priority_classes() -> ResourceType {
    ResourceType::of::<k8s_openapi::api::scheduling::v1::PriorityClass>()
}

fn claim(spec: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"}, "spec": spec})
}

fn class(name: &str, value: i64) -> Value {
    json!({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
           "metadata": {"name": name}, "value": value})
}

async fn merge_refused(
    c: &FakeCluster,
    rt: &ResourceType,
    name: &str,
    patch: Value,
    expected: &str,
) {
    let before = c.dump_yaml().unwrap();
    let ns = rt.is_namespaced().then_some("default");
    let e = c
        .patch_object(rt, ns, name, &Patch::Merge(patch), &PatchParams::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Invalid, "{e}");
    assert_eq!(message(&e), expected);
    assert_eq!(c.dump_yaml().unwrap(), before);
}

/// Creates the cluster-scoped `body`, expecting a 422 with `expected` and no change.
async fn class_refused(c: &FakeCluster, body: Value, expected: &str) {
    let before = c.dump_yaml().unwrap();
    let e = c
        .create_object(
            &priority_classes(),
            None,
            &obj(body),
            &PostParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Invalid, "{e}");
    assert_eq!(message(&e), expected);
    assert_eq!(c.dump_yaml().unwrap(), before);
}

const SUBDOMAIN: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric \
                         characters, '-' or '.', and must start and end with an alphanumeric \
                         character (e.g. 'example.com', regex used for validation is \
                         '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

const LABEL: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric \
                     characters or '-', and must start and end with an alphanumeric character \
                     (e.g. 'my-name',  or '123-abc', regex used for validation is \
                     '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

#[tokio::test]
async fn a_claim_spec_is_checked() {
    let c = cluster().await;
    refused_as_invalid(
        &c,
        &claims(),
        claim(json!({})),
        "PersistentVolumeClaim \"data\" is invalid: [spec.accessModes: Required value: at least 1 \
         access mode is required, spec.resources[storage]: Required value]",
    )
    .await;
    refused_as_invalid(
        &c,
        &claims(),
        claim(json!({
            "accessModes": ["ReadWriteOncePod", "ReadWriteOnce", "WriteSometimes"],
            "resources": {"requests": {"storage": "0"}},
            "storageClassName": "Fast_SSD",
            "volumeMode": "Raw",
            "dataSourceRef": {"kind": "", "name": "src", "namespace": "Other_NS"}
        })),
        &format!(
            "PersistentVolumeClaim \"data\" is invalid: [\
             spec.accessModes: Unsupported value: \"WriteSometimes\": supported values: \
             \"ReadOnlyMany\", \"ReadWriteMany\", \"ReadWriteOnce\", \"ReadWriteOncePod\", \
             spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes, \
             spec.resources[storage]: Invalid value: \"0\": must be greater than zero, \
             spec.storageClassName: Invalid value: \"Fast_SSD\": {SUBDOMAIN}, \
             spec.volumeMode: Unsupported value: \"Raw\": supported values: \"Block\", \
             \"Filesystem\", \
             spec.dataSourceRef.kind: Required value, \
             spec.dataSourceRef: Invalid value: \"\": must be 'PersistentVolumeClaim' when \
             referencing the default apiGroup, \
             spec.dataSourceRef.namespace: Invalid value: \"Other_NS\": {LABEL}]"
        ),
    )
    .await;
}

#[tokio::test]
async fn a_claim_gets_both_data_sources_and_its_spec_is_fixed() {
    let c = cluster().await;
    let made = c
        .create_object(
            &claims(),
            Some("default"),
            &obj(claim(json!({
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "1Gi"}},
                "dataSource": {"kind": "PersistentVolumeClaim", "name": "src"}
            }))),
            &PostParams::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        made.data["spec"]["dataSourceRef"],
        json!({"apiGroup": null, "kind": "PersistentVolumeClaim", "name": "src"})
    );
    assert_eq!(made.data["status"], json!({"phase": "Pending"}));
    merge_refused(
        &c,
        &claims(),
        "data",
        json!({"spec": {"resources": {"requests": {"storage": "2Gi"}}}}),
        "PersistentVolumeClaim \"data\" is invalid: spec: Forbidden: spec is immutable after \
         creation except resources.requests and volumeAttributesClassName for bound claims",
    )
    .await;
    // A volume name may be set once.
    let bound = c
        .patch_object(
            &claims(),
            Some("default"),
            "data",
            &Patch::Merge(json!({"spec": {"volumeName": "pv-1"}})),
            &PatchParams::default(),
        )
        .await
        .unwrap();
    assert_eq!(bound.data["spec"]["volumeName"], json!("pv-1"));
    merge_refused(
        &c,
        &claims(),
        "data",
        json!({"spec": {"volumeName": "pv-2"}}),
        "PersistentVolumeClaim \"data\" is invalid: spec: Forbidden: spec is immutable after \
         creation except resources.requests and volumeAttributesClassName for bound claims",
    )
    .await;
}

#[tokio::test]
async fn priority_classes_are_checked() {
    let c = cluster().await;
    class_refused(
        &c,
        class("huge", 2_000_000_000),
        "PriorityClass.scheduling.k8s.io \"huge\" is invalid: value: Forbidden: maximum allowed \
         value of a user defined priority is 1000000000",
    )
    .await;
    class_refused(
        &c,
        class("system-custom", 5),
        "PriorityClass.scheduling.k8s.io \"system-custom\" is invalid: metadata.name: Forbidden: \
         priority class names with 'system-' prefix are reserved for system use only. error: \
         system-custom is not a known system priority class",
    )
    .await;
    let mut bad_policy = class("gold", 1000);
    bad_policy["preemptionPolicy"] = json!("Sometimes");
    class_refused(
        &c,
        bad_policy,
        "PriorityClass.scheduling.k8s.io \"gold\" is invalid: preemptionPolicy: Unsupported \
         value: \"Sometimes\": supported values: \"PreemptLowerPriority\", \"Never\"",
    )
    .await;
    c.create_object(
        &priority_classes(),
        None,
        &obj(class("gold", 1000)),
        &PostParams::default(),
    )
    .await
    .unwrap();
    merge_refused(
        &c,
        &priority_classes(),
        "gold",
        json!({"value": 2000, "preemptionPolicy": "Never"}),
        "PriorityClass.scheduling.k8s.io \"gold\" is invalid: [value: Forbidden: may not be \
         changed in an update., preemptionPolicy: Invalid value: \"Never\": field is immutable]",
    )
    .await;
}

/// PriorityClasses' `REST.Delete` refuses the system classes by name; other classes go.
#[tokio::test]
async fn system_priority_classes_cannot_be_deleted() {
    let c = FakeCluster::new();
    let before = c.dump_yaml().unwrap();
    for name in ["system-node-critical", "system-cluster-critical"] {
        for dry_run in [false, true] {
            let dp = kube_core::params::DeleteParams {
                dry_run,
                ..Default::default()
            };
            let e = c
                .delete_object(&priority_classes(), None, name, &dp)
                .await
                .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Forbidden, "{e}");
            assert_eq!(
                code_and_message(&e),
                (
                    403,
                    format!(
                        "priorityclasses.scheduling.k8s.io \"{name}\" is forbidden: this is a system priority class and cannot be deleted"
                    )
                )
            );
        }
    }
    assert_eq!(c.dump_yaml().unwrap(), before);
    created_class(&c, "batch-low", 10).await;
    c.delete_object(&priority_classes(), None, "batch-low", &Default::default())
        .await
        .unwrap();
}

async fn created_class(c: &FakeCluster, name: &str, value: i64) {
    c.create_object(
        &priority_classes(),
        None,
        &obj(class(name, value)),
        &PostParams::default(),
    )
    .await
    .unwrap();
}

/// Leases: `ValidateLeaseSpec`, and an update must carry a resourceVersion (the strategy
/// refuses unconditional updates).
#[tokio::test]
async fn lease_spec_validation_and_conditional_updates() {
    let c = cluster().await;
    let leases = ResourceType::of::<k8s_openapi::api::coordination::v1::Lease>();
    let lease = |spec: serde_json::Value| {
        obj(
            json!({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                   "metadata": {"name": "l1"}, "spec": spec}),
        )
    };
    let before = c.dump_yaml().unwrap();
    let e = c
        .create_object(
            &leases,
            Some("default"),
            &lease(json!({"leaseDurationSeconds": 0, "leaseTransitions": -1})),
            &PostParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        message(&e),
        "Lease.coordination.k8s.io \"l1\" is invalid: [spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0, spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0]"
    );
    assert_eq!(c.dump_yaml().unwrap(), before);
    let created = c
        .create_object(
            &leases,
            Some("default"),
            &lease(json!({"holderIdentity": "a", "leaseDurationSeconds": 15})),
            &PostParams::default(),
        )
        .await
        .unwrap();
    let mut unconditional = created.clone();
    unconditional.metadata.resource_version = None;
    let e = c
        .replace_object(
            &leases,
            Some("default"),
            "l1",
            &unconditional,
            &PostParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        message(&e),
        "leases.coordination.k8s.io \"l1\" is invalid: metadata.resourceVersion: Invalid value: 0: must be specified for an update"
    );
}
