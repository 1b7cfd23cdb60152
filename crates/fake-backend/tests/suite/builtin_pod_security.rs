//! The `PodSecurity` admission plugin's enforcement: a Pod that breaks the Pod Security
//! level its namespace enforces (`pod-security.kubernetes.io/enforce`) is refused with the
//! server's 403 and its list of violations, in the plugin's order; a compliant Pod, or any
//! Pod in an unlabelled namespace, is created.

use crate::common;

use common::*;
use kobj_core::{CustomObjects, ErrorKind, ResourceType};
use kobj_fake::FakeCluster;
use kube_core::params::{Patch, PatchParams, PostParams};
use serde_json::{Value, json};

fn pods() -> ResourceType {
    ResourceType::of::<k8s_openapi::api::core::v1::Pod>()
}

async fn namespace(c: &FakeCluster, name: &str, labels: Value) {
    c.create_object(
        &namespaces(),
        None,
        &obj(json!({"apiVersion": "v1", "kind": "Namespace",
                    "metadata": {"name": name, "labels": labels}})),
        &PostParams::default(),
    )
    .await
    .unwrap();
}

fn pod(spec: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec})
}

async fn forbidden(c: &FakeCluster, ns: &str, body: Value, expected: &str) {
    let before = c.dump_yaml().unwrap();
    let e = c
        .create_object(&pods(), Some(ns), &obj(body), &PostParams::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden, "{e}");
    assert_eq!(message(&e), expected);
    assert_eq!(c.dump_yaml().unwrap(), before);
}

#[tokio::test]
async fn restricted_namespaces_refuse_pods_without_the_restricted_settings() {
    let c = cluster().await;
    namespace(
        &c,
        "secure",
        json!({"pod-security.kubernetes.io/enforce": "restricted"}),
    )
    .await;
    let plain = pod(json!({"containers": [{"name": "app", "image": "nginx"}]}));
    forbidden(
        &c,
        "secure",
        plain.clone(),
        "pods \"p\" is forbidden: violates PodSecurity \"restricted:latest\": \
         allowPrivilegeEscalation != false (container \"app\" must set \
         securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container \
         \"app\" must set securityContext.capabilities.drop=[\"ALL\"]), runAsNonRoot != true (pod \
         or container \"app\" must set securityContext.runAsNonRoot=true), seccompProfile (pod or \
         container \"app\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \
         \"Localhost\")",
    )
    .await;
    // The same Pod is created where nothing is enforced.
    c.create_object(
        &pods(),
        Some("default"),
        &obj(plain),
        &PostParams::default(),
    )
    .await
    .unwrap();
    let compliant = pod(json!({
        "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{"name": "app", "image": "nginx:1", "securityContext": {
            "allowPrivilegeEscalation": false,
            "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}
        }}],
        "volumes": [{"name": "conf", "configMap": {"name": "c"}}]
    }));
    c.create_object(
        &pods(),
        Some("secure"),
        &obj(compliant),
        &PostParams::default(),
    )
    .await
    .unwrap();
    // A Pod from before the namespace enforced a level: a metadata update is admitted, an
    // update that changes an image is evaluated.
    namespace(&c, "late", json!({})).await;
    c.create_object(
        &pods(),
        Some("late"),
        &obj(pod(
            json!({"containers": [{"name": "app", "image": "nginx:1"}]}),
        )),
        &PostParams::default(),
    )
    .await
    .unwrap();
    let merge = |patch: Value| Patch::Merge(patch);
    c.patch_object(
        &namespaces(),
        None,
        "late",
        &merge(
            json!({"metadata": {"labels": {"pod-security.kubernetes.io/enforce": "restricted"}}}),
        ),
        &PatchParams::default(),
    )
    .await
    .unwrap();
    c.patch_object(
        &pods(),
        Some("late"),
        "p",
        &merge(json!({"metadata": {"labels": {"tier": "web"}}})),
        &PatchParams::default(),
    )
    .await
    .unwrap();
    let e = c
        .patch_object(
            &pods(),
            Some("late"),
            "p",
            &Patch::Strategic(
                json!({"spec": {"containers": [{"name": "app", "image": "nginx:2"}]}}),
            ),
            &PatchParams::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden, "{e}");
    assert!(
        message(&e).starts_with(
            "pods \"p\" is forbidden: violates PodSecurity \"restricted:latest\": \
             allowPrivilegeEscalation != false"
        ),
        "{e}"
    );
}

#[tokio::test]
async fn baseline_namespaces_refuse_privileged_pods() {
    let c = cluster().await;
    namespace(
        &c,
        "shared",
        json!({"pod-security.kubernetes.io/enforce": "baseline",
               "pod-security.kubernetes.io/enforce-version": "v1.30"}),
    )
    .await;
    forbidden(
        &c,
        "shared",
        pod(json!({
            "hostNetwork": true,
            "containers": [{
                "name": "app", "image": "nginx",
                "ports": [{"containerPort": 8080, "hostPort": 8080}],
                "securityContext": {"privileged": true, "capabilities": {"add": ["SYS_TIME", "NET_ADMIN", "CHOWN"]}}
            }],
            "volumes": [{"name": "host", "hostPath": {"path": "/var/log"}}]
        })),
        "pods \"p\" is forbidden: violates PodSecurity \"baseline:v1.30\": non-default \
         capabilities (container \"app\" must not include \"NET_ADMIN\", \"SYS_TIME\" in \
         securityContext.capabilities.add), host namespaces (hostNetwork=true), hostPath volumes \
         (volume \"host\"), hostPort (container \"app\" uses hostPort 8080), privileged \
         (container \"app\" must not set securityContext.privileged=true)",
    )
    .await;
    // Baseline leaves the restricted settings alone.
    c.create_object(
        &pods(),
        Some("shared"),
        &obj(pod(
            json!({"containers": [{"name": "app", "image": "nginx"}]}),
        )),
        &PostParams::default(),
    )
    .await
    .unwrap();
    // A restricted namespace reports restricted volume types instead of hostPath volumes.
    namespace(
        &c,
        "secure",
        json!({"pod-security.kubernetes.io/enforce": "restricted"}),
    )
    .await;
    forbidden(
        &c,
        "secure",
        pod(json!({
            "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "app", "image": "nginx", "securityContext": {
                "allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}
            }}],
            "volumes": [{"name": "host", "hostPath": {"path": "/var/log"}},
                        {"name": "src", "gitRepo": {"repository": "https://example.com/r.git"}}]
        })),
        "pods \"p\" is forbidden: violates PodSecurity \"restricted:latest\": restricted volume \
         types (volumes \"host\", \"src\" use restricted volume types \"gitRepo\", \"hostPath\")",
    )
    .await;
}
