//! Defaults of the other API groups (Kubernetes 1.35): `pkg/apis/networking/v1`,
//! `discovery/v1`, `autoscaling/v1` and `v2`, `rbac/v1`, `storage/v1`, `scheduling/v1` and
//! `admissionregistration/v1` `defaults.go`.

use serde_json::{Map, Value, json};

use super::{child, each, is_empty, set_default, set_default_zero, str_of};

/// `SetDefaults_NetworkPolicy` (policyTypes) and `SetDefaults_NetworkPolicyPort`
/// (protocol TCP) on the ingress and egress rules' ports.
pub(super) fn network_policy(root: &mut Map<String, Value>) {
    let Some(spec) = child(root, "spec") else {
        return;
    };
    for rules in ["ingress", "egress"] {
        each(spec, rules, |rule| {
            each(rule, "ports", |p| {
                set_default(p, "protocol", Value::from("TCP"))
            });
        });
    }
    if is_empty(spec, "policyTypes") {
        let mut types = vec![Value::from("Ingress")];
        if !is_empty(spec, "egress") {
            types.push(Value::from("Egress"));
        }
        spec.insert("policyTypes".into(), Value::Array(types));
    }
}

/// `SetDefaults_IngressClass`: a parameters reference is cluster-scoped by default.
pub(super) fn ingress_class(root: &mut Map<String, Value>) {
    if let Some(params) = child(root, "spec").and_then(|s| child(s, "parameters")) {
        set_default(params, "scope", Value::from("Cluster"));
    }
}

/// `SetDefaults_EndpointPort` (discovery/v1): name `""` and protocol TCP.
pub(super) fn endpoint_slice(root: &mut Map<String, Value>) {
    each(root, "ports", |p| {
        set_default(p, "name", Value::from(""));
        set_default(p, "protocol", Value::from("TCP"));
    });
}

/// autoscaling/v1 `SetDefaults_HorizontalPodAutoscaler`: `minReplicas` 1.
pub(super) fn hpa_v1(root: &mut Map<String, Value>) {
    if let Some(spec) = child(root, "spec") {
        set_default(spec, "minReplicas", Value::from(1));
    }
}

/// autoscaling/v2 `SetDefaults_HorizontalPodAutoscaler` and
/// `SetDefaults_HorizontalPodAutoscalerBehavior`: `minReplicas` 1, a CPU utilization
/// metric at 80% when there are no metrics, and a given `behavior` completed with the
/// default scale-up and scale-down rules.
pub(super) fn hpa_v2(root: &mut Map<String, Value>) {
    let Some(spec) = child(root, "spec") else {
        return;
    };
    set_default(spec, "minReplicas", Value::from(1));
    if is_empty(spec, "metrics") {
        spec.insert(
            "metrics".into(),
            json!([{
                "type": "Resource",
                "resource": {
                    "name": "cpu",
                    "target": {"type": "Utilization", "averageUtilization": 80}
                }
            }]),
        );
    }
    if let Some(behavior) = child(spec, "behavior") {
        let up = json!({
            "stabilizationWindowSeconds": 0,
            "selectPolicy": "Max",
            "policies": [
                {"type": "Pods", "value": 4, "periodSeconds": 15},
                {"type": "Percent", "value": 100, "periodSeconds": 15}
            ]
        });
        let down = json!({
            "selectPolicy": "Max",
            "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]
        });
        scaling_rules(behavior, "scaleUp", up);
        scaling_rules(behavior, "scaleDown", down);
    }
}

/// `copyHPAScalingRules`: the defaults, overridden by each non-nil field given.
fn scaling_rules(behavior: &mut Map<String, Value>, key: &str, defaults: Value) {
    let Value::Object(mut rules) = defaults else {
        return;
    };
    match behavior.get(key) {
        None | Some(Value::Null) => {}
        Some(Value::Object(given)) => {
            for (k, v) in given {
                if !v.is_null() {
                    rules.insert(k.clone(), v.clone());
                }
            }
        }
        Some(_) => return,
    }
    behavior.insert(key.into(), Value::Object(rules));
}

/// `SetDefaults_RoleBinding` / `SetDefaults_ClusterRoleBinding` (`roleRef.apiGroup`) and
/// `SetDefaults_Subject` (`apiGroup` by kind).
pub(super) fn role_binding(root: &mut Map<String, Value>) {
    if let Some(role_ref) = child(root, "roleRef") {
        set_default_zero(
            role_ref,
            "apiGroup",
            Value::from("rbac.authorization.k8s.io"),
        );
    }
    each(root, "subjects", |s| {
        let group = match str_of(s, "kind") {
            "User" | "Group" => "rbac.authorization.k8s.io",
            _ => return,
        };
        set_default_zero(s, "apiGroup", Value::from(group));
    });
}

/// `SetDefaults_StorageClass`.
pub(super) fn storage_class(root: &mut Map<String, Value>) {
    set_default(root, "reclaimPolicy", Value::from("Delete"));
    set_default(root, "volumeBindingMode", Value::from("Immediate"));
}

/// `SetDefaults_CSIDriver`.
pub(super) fn csi_driver(root: &mut Map<String, Value>) {
    let Some(spec) = child(root, "spec") else {
        return;
    };
    set_default(spec, "attachRequired", Value::Bool(true));
    set_default(spec, "podInfoOnMount", Value::Bool(false));
    set_default(spec, "storageCapacity", Value::Bool(false));
    set_default(
        spec,
        "fsGroupPolicy",
        Value::from("ReadWriteOnceWithFSType"),
    );
    if is_empty(spec, "volumeLifecycleModes") {
        spec.insert("volumeLifecycleModes".into(), json!(["Persistent"]));
    }
    set_default(spec, "requiresRepublish", Value::Bool(false));
}

/// `SetDefaults_PriorityClass`.
pub(super) fn priority_class(root: &mut Map<String, Value>) {
    set_default(
        root,
        "preemptionPolicy",
        Value::from("PreemptLowerPriority"),
    );
}

/// `SetDefaults_ValidatingWebhook` / `SetDefaults_MutatingWebhook`, `SetDefaults_Rule`
/// (scope `*`) and `SetDefaults_ServiceReference` (port 443).
pub(super) fn webhooks(root: &mut Map<String, Value>, mutating: bool) {
    each(root, "webhooks", |w| {
        set_default(w, "failurePolicy", Value::from("Fail"));
        set_default(w, "matchPolicy", Value::from("Equivalent"));
        set_default(w, "namespaceSelector", json!({}));
        set_default(w, "objectSelector", json!({}));
        set_default(w, "timeoutSeconds", Value::from(10));
        if mutating {
            set_default(w, "reinvocationPolicy", Value::from("Never"));
        }
        each(w, "rules", |r| set_default(r, "scope", Value::from("*")));
        if let Some(service) = child(w, "clientConfig").and_then(|c| child(c, "service")) {
            set_default(service, "port", Value::from(443));
        }
    });
}
