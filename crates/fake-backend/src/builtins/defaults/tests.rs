//! Unit tests of the decode-time defaults: each expected object is what a 1.35 API server
//! returns for the request (less the server-set metadata, the allocations and the Go
//! structs' zero-valued fields, which are other stages' work).

use serde_json::{Value, json};

use crate::registry::TypeInfo;

fn info(group: &str, version: &str, kind: &str) -> TypeInfo {
    crate::registry::builtin::types()
        .into_iter()
        .find(|t| {
            let api = &t.resource.api;
            api.group == group && api.version == version && api.kind == kind
        })
        .unwrap_or_else(|| panic!("no built-in {group}/{version} {kind}"))
}

fn defaulted(group: &str, version: &str, kind: &str, mut obj: Value) -> Value {
    super::apply(&info(group, version, kind), &mut obj);
    obj
}

/// The pod spec `kubectl create deployment web --image=nginx` gets.
fn nginx_spec_defaulted() -> Value {
    json!({
        "containers": [{
            "name": "nginx",
            "image": "nginx",
            "imagePullPolicy": "Always",
            "terminationMessagePath": "/dev/termination-log",
            "terminationMessagePolicy": "File"
        }],
        "dnsPolicy": "ClusterFirst",
        "restartPolicy": "Always",
        "schedulerName": "default-scheduler",
        "securityContext": {},
        "terminationGracePeriodSeconds": 30
    })
}

fn template() -> Value {
    json!({
        "metadata": {"labels": {"app": "web"}},
        "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}
    })
}

#[test]
fn deployment_as_kubectl_create_deployment() {
    let got = defaulted(
        "apps",
        "v1",
        "Deployment",
        json!({"spec": {"selector": {"matchLabels": {"app": "web"}}, "template": template()}}),
    );
    assert_eq!(
        got,
        json!({"spec": {
            "progressDeadlineSeconds": 600,
            "replicas": 1,
            "revisionHistoryLimit": 10,
            "selector": {"matchLabels": {"app": "web"}},
            "strategy": {
                "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
                "type": "RollingUpdate"
            },
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": nginx_spec_defaulted()}
        }})
    );
}

#[test]
fn user_values_are_kept() {
    let got = defaulted(
        "apps",
        "v1",
        "Deployment",
        json!({"spec": {
            "replicas": 0,
            "strategy": {"type": "Recreate"},
            "template": {"spec": {
                "restartPolicy": "Never",
                "terminationGracePeriodSeconds": 0,
                "containers": [{"image": "nginx", "imagePullPolicy": "Never"}]
            }}
        }}),
    );
    assert_eq!(got["spec"]["replicas"], 0);
    assert_eq!(got["spec"]["strategy"], json!({"type": "Recreate"}));
    let spec = &got["spec"]["template"]["spec"];
    assert_eq!(spec["restartPolicy"], "Never");
    assert_eq!(spec["terminationGracePeriodSeconds"], 0);
    assert_eq!(spec["containers"][0]["imagePullPolicy"], "Never");
}

#[test]
fn pull_policy_follows_the_tag() {
    use super::pod::pull_policy;
    for (image, policy) in [
        ("nginx", "Always"),
        ("nginx:latest", "Always"),
        ("docker.io/library/nginx", "Always"),
        ("localhost:5000/app", "Always"),
        ("localhost:5000/app:latest", "Always"),
        ("nginx:1.27", "IfNotPresent"),
        ("registry.k8s.io/pause:3.10", "IfNotPresent"),
        (
            "nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "IfNotPresent",
        ),
        (
            "nginx:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "Always",
        ),
        ("nginx@sha256:short", "IfNotPresent"),
        ("Nginx", "IfNotPresent"),
        ("", "IfNotPresent"),
        ("nginx:", "IfNotPresent"),
    ] {
        assert_eq!(pull_policy(image), policy, "{image}");
    }
}

#[test]
fn pod_gets_pod_only_defaults() {
    let got = defaulted(
        "",
        "v1",
        "Pod",
        json!({"spec": {
            "hostNetwork": true,
            "containers": [{
                "name": "c",
                "image": "busybox:1.36",
                "ports": [{"containerPort": 8080}],
                "env": [{"name": "N", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
                "resources": {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "500m"}},
                "livenessProbe": {"httpGet": {"port": 8080}},
                "readinessProbe": {"grpc": {"port": 9090}, "periodSeconds": 5},
                "lifecycle": {"preStop": {"httpGet": {"port": 80, "path": "/stop"}}}
            }],
            "initContainers": [{"name": "i", "image": "busybox", "resources": {"limits": {"cpu": "1"}}}],
            "volumes": [
                {"name": "s", "secret": {"secretName": "x"}},
                {"name": "cm", "configMap": {"name": "x", "defaultMode": 256}},
                {"name": "h", "hostPath": {"path": "/tmp"}},
                {"name": "e"},
                {"name": "p", "projected": {"sources": [{"serviceAccountToken": {"path": "t"}}]}},
                {"name": "img", "image": {"reference": "quay.io/x/y:v1"}},
                {"name": "eph", "ephemeral": {"volumeClaimTemplate": {"spec": {"accessModes": ["ReadWriteOnce"]}}}}
            ]
        }}),
    );
    assert_eq!(
        got,
        json!({"spec": {
            "hostNetwork": true,
            "enableServiceLinks": true,
            "dnsPolicy": "ClusterFirst",
            "restartPolicy": "Always",
            "schedulerName": "default-scheduler",
            "securityContext": {},
            "terminationGracePeriodSeconds": 30,
            "containers": [{
                "name": "c",
                "image": "busybox:1.36",
                "imagePullPolicy": "IfNotPresent",
                "terminationMessagePath": "/dev/termination-log",
                "terminationMessagePolicy": "File",
                "ports": [{"containerPort": 8080, "hostPort": 8080, "protocol": "TCP"}],
                "env": [{"name": "N", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}}],
                "resources": {
                    "limits": {"cpu": "1", "memory": "1Gi"},
                    "requests": {"cpu": "500m", "memory": "1Gi"}
                },
                "livenessProbe": {
                    "httpGet": {"port": 8080, "path": "/", "scheme": "HTTP"},
                    "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3
                },
                "readinessProbe": {
                    "grpc": {"port": 9090, "service": ""},
                    "timeoutSeconds": 1, "periodSeconds": 5, "successThreshold": 1, "failureThreshold": 3
                },
                "lifecycle": {"preStop": {"httpGet": {"port": 80, "path": "/stop", "scheme": "HTTP"}}}
            }],
            "initContainers": [{
                "name": "i",
                "image": "busybox",
                "imagePullPolicy": "Always",
                "terminationMessagePath": "/dev/termination-log",
                "terminationMessagePolicy": "File",
                "resources": {"limits": {"cpu": "1"}, "requests": {"cpu": "1"}}
            }],
            "volumes": [
                {"name": "s", "secret": {"secretName": "x", "defaultMode": 420}},
                {"name": "cm", "configMap": {"name": "x", "defaultMode": 256}},
                {"name": "h", "hostPath": {"path": "/tmp", "type": ""}},
                {"name": "e", "emptyDir": {}},
                {"name": "p", "projected": {
                    "defaultMode": 420,
                    "sources": [{"serviceAccountToken": {"path": "t", "expirationSeconds": 3600}}]
                }},
                {"name": "img", "image": {"reference": "quay.io/x/y:v1", "pullPolicy": "IfNotPresent"}},
                {"name": "eph", "ephemeral": {"volumeClaimTemplate": {"spec": {
                    "accessModes": ["ReadWriteOnce"], "volumeMode": "Filesystem"
                }}}}
            ]
        }})
    );
}

#[test]
fn templates_do_not_get_pod_only_defaults() {
    let got = defaulted(
        "",
        "v1",
        "PodTemplate",
        json!({"template": {"spec": {"containers": [
            {"name": "c", "image": "nginx", "resources": {"limits": {"cpu": "1"}}}
        ]}}}),
    );
    let spec = &got["template"]["spec"];
    assert!(spec.get("enableServiceLinks").is_none());
    assert!(spec["containers"][0]["resources"].get("requests").is_none());
    assert_eq!(spec["dnsPolicy"], "ClusterFirst");
}

#[test]
fn replication_controller_takes_selector_and_labels_from_template() {
    let got = defaulted(
        "",
        "v1",
        "ReplicationController",
        json!({"metadata": {"name": "rc"}, "spec": {"template": template()}}),
    );
    assert_eq!(got["metadata"]["labels"], json!({"app": "web"}));
    assert_eq!(got["spec"]["selector"], json!({"app": "web"}));
    assert_eq!(got["spec"]["replicas"], 1);
    assert_eq!(got["spec"]["template"]["spec"], nginx_spec_defaulted());
}

#[test]
fn stateful_set_daemon_set_replica_set() {
    let sts = defaulted(
        "apps",
        "v1",
        "StatefulSet",
        json!({"spec": {
            "serviceName": "web",
            "template": template(),
            "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"]}}]
        }}),
    );
    assert_eq!(
        sts["spec"],
        json!({
            "serviceName": "web",
            "podManagementPolicy": "OrderedReady",
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0, "maxUnavailable": 1}},
            "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
            "replicas": 1,
            "revisionHistoryLimit": 10,
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": nginx_spec_defaulted()},
            "volumeClaimTemplates": [{
                "metadata": {"name": "data"},
                "spec": {"accessModes": ["ReadWriteOnce"], "volumeMode": "Filesystem"},
                "status": {"phase": "Pending"}
            }]
        })
    );
    let ds = defaulted(
        "apps",
        "v1",
        "DaemonSet",
        json!({"spec": {"template": template()}}),
    );
    assert_eq!(
        ds["spec"]["updateStrategy"],
        json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}})
    );
    assert_eq!(ds["spec"]["revisionHistoryLimit"], 10);
    let rs = defaulted(
        "apps",
        "v1",
        "ReplicaSet",
        json!({"spec": {"template": template()}}),
    );
    assert_eq!(rs["spec"]["replicas"], 1);
    assert_eq!(rs["spec"]["template"]["spec"], nginx_spec_defaulted());
}

#[test]
fn job_and_cron_job() {
    let job = defaulted(
        "batch",
        "v1",
        "Job",
        json!({"spec": {"template": template()}}),
    );
    assert_eq!(job["metadata"]["labels"], json!({"app": "web"}));
    let mut spec = job["spec"].clone();
    spec["template"] = Value::Null;
    assert_eq!(
        spec,
        json!({
            "backoffLimit": 6,
            "completionMode": "NonIndexed",
            "completions": 1,
            "manualSelector": false,
            "parallelism": 1,
            "podReplacementPolicy": "TerminatingOrFailed",
            "suspend": false,
            "template": null
        })
    );
    let per_index = defaulted(
        "batch",
        "v1",
        "Job",
        json!({"spec": {"parallelism": 3, "backoffLimitPerIndex": 1, "completionMode": "Indexed",
            "podFailurePolicy": {"rules": [{"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget"}]}]}}}),
    );
    assert!(per_index["spec"].get("completions").is_none());
    assert_eq!(per_index["spec"]["backoffLimit"], 2_147_483_647);
    assert_eq!(per_index["spec"]["podReplacementPolicy"], "Failed");
    assert_eq!(
        per_index["spec"]["podFailurePolicy"]["rules"][0]["onPodConditions"][0]["status"],
        "True"
    );
    let cron = defaulted(
        "batch",
        "v1",
        "CronJob",
        json!({"spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": template()}}}}),
    );
    assert_eq!(
        cron["spec"],
        json!({
            "schedule": "* * * * *",
            "concurrencyPolicy": "Allow",
            "suspend": false,
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 1,
            "jobTemplate": {"spec": {"template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": nginx_spec_defaulted()
            }}}
        })
    );
}

#[test]
fn odd_shapes_are_left_alone() {
    for (group, version, kind) in [
        ("", "v1", "Pod"),
        ("", "v1", "Service"),
        ("", "v1", "PodTemplate"),
        ("", "v1", "ReplicationController"),
        ("", "v1", "LimitRange"),
        ("", "v1", "PersistentVolume"),
        ("apps", "v1", "Deployment"),
        ("apps", "v1", "StatefulSet"),
        ("batch", "v1", "Job"),
        ("batch", "v1", "CronJob"),
        ("autoscaling", "v2", "HorizontalPodAutoscaler"),
        ("networking.k8s.io", "v1", "NetworkPolicy"),
        (
            "admissionregistration.k8s.io",
            "v1",
            "MutatingWebhookConfiguration",
        ),
    ] {
        for odd in [
            json!("text"),
            json!({"spec": "text"}),
            json!({"spec": {"template": 3, "containers": [1, "x", null], "ports": "p"}}),
            json!({"spec": {"template": {"spec": {"containers": [{"ports": [7], "resources": {"limits": 1}}], "volumes": [3]}}}}),
            json!({"spec": {"strategy": "x", "updateStrategy": 1, "jobTemplate": [], "behavior": {"scaleUp": 1}}}),
            json!({"webhooks": [1, {"rules": [2], "clientConfig": {"service": "s"}}], "spec": {"limits": [{"type": "Container", "max": 1}]}}),
        ] {
            let mut obj = odd.clone();
            super::apply(&info(group, version, kind), &mut obj);
        }
    }
}
