//! Unit tests of the defaults of Service, PersistentVolume(Claim), Endpoints, LimitRange
//! and the other API groups, and of the create strategy's Pod status and Job selector.

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

#[test]
fn services_by_type() {
    let cluster_ip = defaulted(
        "",
        "v1",
        "Service",
        json!({"spec": {"ports": [{"port": 80, "targetPort": "http"}, {"port": 53, "protocol": "UDP"}],
            "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 5}}}}),
    );
    assert_eq!(
        cluster_ip["spec"],
        json!({
            "ports": [
                {"port": 80, "targetPort": "http", "protocol": "TCP"},
                {"port": 53, "protocol": "UDP", "targetPort": 53}
            ],
            "sessionAffinity": "None",
            "type": "ClusterIP",
            "internalTrafficPolicy": "Cluster"
        })
    );
    let lb = defaulted(
        "",
        "v1",
        "Service",
        json!({"spec": {"type": "LoadBalancer", "sessionAffinity": "ClientIP", "ports": [{"port": 443}]},
            "status": {"loadBalancer": {"ingress": [{"ip": "10.0.0.1"}, {"hostname": "lb"}]}}}),
    );
    assert_eq!(
        lb,
        json!({
            "spec": {
                "type": "LoadBalancer",
                "sessionAffinity": "ClientIP",
                "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 10800}},
                "ports": [{"port": 443, "protocol": "TCP", "targetPort": 443}],
                "externalTrafficPolicy": "Cluster",
                "internalTrafficPolicy": "Cluster",
                "allocateLoadBalancerNodePorts": true
            },
            "status": {"loadBalancer": {"ingress": [{"ip": "10.0.0.1", "ipMode": "VIP"}, {"hostname": "lb"}]}}
        })
    );
    let external = defaulted(
        "",
        "v1",
        "Service",
        json!({"spec": {"type": "ExternalName", "externalName": "example.com"}}),
    );
    assert_eq!(
        external["spec"],
        json!({"type": "ExternalName", "externalName": "example.com", "sessionAffinity": "None"})
    );
    let with_ips = defaulted(
        "",
        "v1",
        "Service",
        json!({"spec": {"externalIPs": ["1.2.3.4"]}}),
    );
    assert_eq!(with_ips["spec"]["externalTrafficPolicy"], "Cluster");
}

#[test]
fn volumes_claims_endpoints_limit_ranges() {
    let pv = defaulted(
        "",
        "v1",
        "PersistentVolume",
        json!({"spec": {"hostPath": {"path": "/data"}, "capacity": {"storage": "1Gi"}}}),
    );
    assert_eq!(
        pv,
        json!({
            "spec": {
                "hostPath": {"path": "/data", "type": ""},
                "capacity": {"storage": "1Gi"},
                "persistentVolumeReclaimPolicy": "Retain",
                "volumeMode": "Filesystem"
            },
            "status": {"phase": "Pending"}
        })
    );
    let pvc = defaulted(
        "",
        "v1",
        "PersistentVolumeClaim",
        json!({"spec": {"volumeMode": "Block"}}),
    );
    assert_eq!(
        pvc,
        json!({"spec": {"volumeMode": "Block"}, "status": {"phase": "Pending"}})
    );
    let ep = defaulted(
        "",
        "v1",
        "Endpoints",
        json!({"subsets": [{"ports": [{"port": 80}, {"port": 53, "protocol": "UDP"}]}]}),
    );
    assert_eq!(
        ep["subsets"][0]["ports"],
        json!([{"port": 80, "protocol": "TCP"}, {"port": 53, "protocol": "UDP"}])
    );
    let lr = defaulted(
        "",
        "v1",
        "LimitRange",
        json!({"spec": {"limits": [
            {"type": "Container", "max": {"cpu": "2"}, "min": {"memory": "64Mi"}},
            {"type": "Pod", "max": {"cpu": "4"}}
        ]}}),
    );
    assert_eq!(
        lr["spec"]["limits"],
        json!([
            {"type": "Container", "max": {"cpu": "2"}, "min": {"memory": "64Mi"},
             "default": {"cpu": "2"}, "defaultRequest": {"cpu": "2", "memory": "64Mi"}},
            {"type": "Pod", "max": {"cpu": "4"}}
        ])
    );
}

#[test]
fn networking_and_discovery() {
    let np = defaulted(
        "networking.k8s.io",
        "v1",
        "NetworkPolicy",
        json!({"spec": {"podSelector": {}, "ingress": [{"ports": [{"port": 80}]}],
            "egress": [{"ports": [{"port": 53, "protocol": "UDP"}]}]}}),
    );
    assert_eq!(
        np["spec"],
        json!({
            "podSelector": {},
            "ingress": [{"ports": [{"port": 80, "protocol": "TCP"}]}],
            "egress": [{"ports": [{"port": 53, "protocol": "UDP"}]}],
            "policyTypes": ["Ingress", "Egress"]
        })
    );
    let ingress_only = defaulted(
        "networking.k8s.io",
        "v1",
        "NetworkPolicy",
        json!({"spec": {"podSelector": {}}}),
    );
    assert_eq!(ingress_only["spec"]["policyTypes"], json!(["Ingress"]));
    let slice = defaulted(
        "discovery.k8s.io",
        "v1",
        "EndpointSlice",
        json!({"addressType": "IPv4", "ports": [{"port": 80}]}),
    );
    assert_eq!(
        slice["ports"],
        json!([{"port": 80, "name": "", "protocol": "TCP"}])
    );
}

#[test]
fn horizontal_pod_autoscalers() {
    let v2 = defaulted(
        "autoscaling",
        "v2",
        "HorizontalPodAutoscaler",
        json!({"spec": {"maxReplicas": 5, "behavior": {"scaleDown": {"stabilizationWindowSeconds": 60}}}}),
    );
    assert_eq!(
        v2["spec"],
        json!({
            "maxReplicas": 5,
            "minReplicas": 1,
            "metrics": [{"type": "Resource", "resource": {
                "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}
            }}],
            "behavior": {
                "scaleUp": {
                    "stabilizationWindowSeconds": 0,
                    "selectPolicy": "Max",
                    "policies": [
                        {"type": "Pods", "value": 4, "periodSeconds": 15},
                        {"type": "Percent", "value": 100, "periodSeconds": 15}
                    ]
                },
                "scaleDown": {
                    "stabilizationWindowSeconds": 60,
                    "selectPolicy": "Max",
                    "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]
                }
            }
        })
    );
    let v1 = defaulted(
        "autoscaling",
        "v1",
        "HorizontalPodAutoscaler",
        json!({"spec": {"maxReplicas": 5}}),
    );
    assert_eq!(v1["spec"], json!({"maxReplicas": 5, "minReplicas": 1}));
}

#[test]
fn rbac_storage_scheduling_webhooks() {
    let rb = defaulted(
        "rbac.authorization.k8s.io",
        "v1",
        "RoleBinding",
        json!({"roleRef": {"kind": "Role", "name": "r"}, "subjects": [
            {"kind": "User", "name": "u"}, {"kind": "Group", "name": "g"},
            {"kind": "ServiceAccount", "name": "sa", "namespace": "ns"}
        ]}),
    );
    assert_eq!(
        rb,
        json!({"roleRef": {"kind": "Role", "name": "r", "apiGroup": "rbac.authorization.k8s.io"}, "subjects": [
            {"kind": "User", "name": "u", "apiGroup": "rbac.authorization.k8s.io"},
            {"kind": "Group", "name": "g", "apiGroup": "rbac.authorization.k8s.io"},
            {"kind": "ServiceAccount", "name": "sa", "namespace": "ns"}
        ]})
    );
    let sc = defaulted(
        "storage.k8s.io",
        "v1",
        "StorageClass",
        json!({"provisioner": "p"}),
    );
    assert_eq!(
        sc,
        json!({"provisioner": "p", "reclaimPolicy": "Delete", "volumeBindingMode": "Immediate"})
    );
    let driver = defaulted("storage.k8s.io", "v1", "CSIDriver", json!({"spec": {}}));
    assert_eq!(
        driver["spec"],
        json!({
            "attachRequired": true, "podInfoOnMount": false, "storageCapacity": false,
            "fsGroupPolicy": "ReadWriteOnceWithFSType", "volumeLifecycleModes": ["Persistent"],
            "requiresRepublish": false
        })
    );
    let pc = defaulted(
        "scheduling.k8s.io",
        "v1",
        "PriorityClass",
        json!({"value": 10}),
    );
    assert_eq!(
        pc,
        json!({"value": 10, "preemptionPolicy": "PreemptLowerPriority"})
    );
    let hooks = defaulted(
        "admissionregistration.k8s.io",
        "v1",
        "MutatingWebhookConfiguration",
        json!({"webhooks": [{"name": "w.example.com", "sideEffects": "None",
            "admissionReviewVersions": ["v1"],
            "clientConfig": {"service": {"name": "s", "namespace": "ns"}},
            "rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods"]}]}]}),
    );
    assert_eq!(
        hooks["webhooks"][0],
        json!({
            "name": "w.example.com", "sideEffects": "None", "admissionReviewVersions": ["v1"],
            "clientConfig": {"service": {"name": "s", "namespace": "ns", "port": 443}},
            "rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"],
                "resources": ["pods"], "scope": "*"}],
            "failurePolicy": "Fail", "matchPolicy": "Equivalent",
            "namespaceSelector": {}, "objectSelector": {},
            "timeoutSeconds": 10, "reinvocationPolicy": "Never"
        })
    );
}

#[test]
fn create_strategy_pod_status_and_job_selector() {
    let mut pod = json!({"metadata": {"name": "p", "uid": "u1"}, "spec": {
        "schedulingGates": [{"name": "wait"}],
        "containers": [{"name": "c", "image": "x", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}]
    }});
    crate::builtins::apply_defaults(&info("", "v1", "Pod"), &mut pod);
    crate::builtins::prepare(&info("", "v1", "Pod"), &mut pod, true);
    assert_eq!(pod["status"]["phase"], "Pending");
    assert_eq!(pod["status"]["qosClass"], "Guaranteed");
    assert_eq!(pod["status"]["conditions"][0]["reason"], "SchedulingGated");

    let mut job = json!({"metadata": {"name": "j", "uid": "u2"}, "spec": {"template": {
        "metadata": {"labels": {"job-name": "mine"}}, "spec": {"containers": []}
    }}});
    crate::builtins::apply_defaults(&info("batch", "v1", "Job"), &mut job);
    crate::builtins::prepare(&info("batch", "v1", "Job"), &mut job, true);
    let want = json!({
        "job-name": "mine",
        "batch.kubernetes.io/job-name": "j",
        "controller-uid": "u2",
        "batch.kubernetes.io/controller-uid": "u2"
    });
    assert_eq!(job["spec"]["template"]["metadata"]["labels"], want);
    assert_eq!(job["metadata"]["labels"], json!({"job-name": "mine"}));
    assert_eq!(
        job["spec"]["selector"],
        json!({"matchLabels": {"batch.kubernetes.io/controller-uid": "u2"}})
    );

    let mut manual = json!({"metadata": {"name": "m", "uid": "u3"}, "spec": {
        "manualSelector": true, "selector": {"matchLabels": {"a": "b"}},
        "template": {"metadata": {"labels": {"a": "b"}}}
    }});
    crate::builtins::prepare(&info("batch", "v1", "Job"), &mut manual, true);
    assert_eq!(
        manual["spec"]["selector"],
        json!({"matchLabels": {"a": "b"}})
    );
    assert_eq!(
        manual["spec"]["template"]["metadata"]["labels"],
        json!({"a": "b"})
    );
    assert_eq!(manual["metadata"]["labels"], json!({"a": "b"}));
}
