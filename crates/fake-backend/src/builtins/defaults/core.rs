//! Defaults of the core/v1 kinds other than Pod (`pkg/apis/core/v1/defaults.go` and
//! `zz_generated.defaults.go`, Kubernetes 1.35): ReplicationController, Service,
//! PersistentVolume(Claim), Endpoints, LimitRange.

use serde_json::{Map, Value, json};

use super::{child, each, ensure_obj, is_empty, is_nil, set_default, set_default_zero, str_of};

/// `SetDefaults_ReplicationController`: selector and labels from the template's labels,
/// `replicas` 1 (declarative), and the template's pod spec.
pub(super) fn replication_controller(root: &mut Map<String, Value>) {
    let labels = root
        .get("spec")
        .and_then(|s| s.get("template"))
        .and_then(|t| t.get("metadata"))
        .and_then(|m| m.get("labels"))
        .filter(|l| l.is_object())
        .cloned();
    if let Some(labels) = labels {
        if let Some(spec) = child(root, "spec")
            && is_empty(spec, "selector")
        {
            spec.insert("selector".into(), labels.clone());
        }
        if let Some(meta) = child(root, "metadata")
            && is_empty(meta, "labels")
        {
            meta.insert("labels".into(), labels);
        }
    }
    if let Some(spec) = child(root, "spec") {
        set_default(spec, "replicas", Value::from(1));
        if let Some(template) = child(spec, "template") {
            super::pod::template(template);
        }
    }
}

/// `SetDefaults_Service` and the ports' protocol (`SetObjectDefaults_Service`).
pub(super) fn service(root: &mut Map<String, Value>) {
    let Some(spec) = child(root, "spec") else {
        return;
    };
    set_default_zero(spec, "sessionAffinity", Value::from("None"));
    match str_of(spec, "sessionAffinity") {
        "None" => {
            spec.remove("sessionAffinityConfig");
        }
        "ClientIP" => {
            let has_timeout = spec
                .get("sessionAffinityConfig")
                .and_then(|c| c.get("clientIP"))
                .and_then(|c| c.get("timeoutSeconds"))
                .is_some_and(|t| !t.is_null());
            if !has_timeout {
                spec.insert(
                    "sessionAffinityConfig".into(),
                    json!({"clientIP": {"timeoutSeconds": 10800}}),
                );
            }
        }
        _ => {}
    }
    set_default_zero(spec, "type", Value::from("ClusterIP"));
    each(spec, "ports", |p| {
        set_default_zero(p, "protocol", Value::from("TCP"));
        let unset = match p.get("targetPort") {
            None | Some(Value::Null) => true,
            Some(Value::String(s)) => s.is_empty(),
            Some(Value::Number(n)) => n.as_i64() == Some(0),
            _ => false,
        };
        if unset && let Some(port) = p.get("port").filter(|v| v.is_number()).cloned() {
            p.insert("targetPort".into(), port);
        }
    });
    let kind = str_of(spec, "type").to_string();
    // service.ExternallyAccessible (pkg/api/v1/service/util.go).
    let external = kind == "LoadBalancer"
        || kind == "NodePort"
        || (kind == "ClusterIP" && !is_empty(spec, "externalIPs"));
    if external {
        set_default_zero(spec, "externalTrafficPolicy", Value::from("Cluster"));
    }
    if matches!(kind.as_str(), "NodePort" | "LoadBalancer" | "ClusterIP") {
        set_default(spec, "internalTrafficPolicy", Value::from("Cluster"));
    }
    if kind == "LoadBalancer" {
        set_default(spec, "allocateLoadBalancerNodePorts", Value::Bool(true));
        if let Some(lb) = child(root, "status").and_then(|s| child(s, "loadBalancer")) {
            each(lb, "ingress", |ing| {
                if !str_of(ing, "ip").is_empty() {
                    set_default(ing, "ipMode", Value::from("VIP"));
                }
            });
        }
    }
}

/// `SetObjectDefaults_PersistentVolume`: reclaim policy, volume mode, phase and the
/// sources' defaults.
pub(super) fn persistent_volume(root: &mut Map<String, Value>) {
    if let Some(status) = ensure_obj(root, "status") {
        set_default_zero(status, "phase", Value::from("Pending"));
    }
    let Some(spec) = child(root, "spec") else {
        return;
    };
    set_default_zero(spec, "persistentVolumeReclaimPolicy", Value::from("Retain"));
    set_default(spec, "volumeMode", Value::from("Filesystem"));
    if let Some(host_path) = child(spec, "hostPath") {
        set_default(host_path, "type", Value::from(""));
    }
    if let Some(iscsi) = child(spec, "iscsi") {
        super::pod::iscsi_source(iscsi);
    }
    if let Some(rbd) = child(spec, "rbd") {
        super::pod::rbd_source(rbd);
    }
}

/// `SetObjectDefaults_PersistentVolumeClaim`: the spec's volume mode and the status phase.
pub(super) fn persistent_volume_claim(root: &mut Map<String, Value>) {
    if let Some(spec) = child(root, "spec") {
        claim_spec(spec);
    }
    claim_status(root);
}

/// `SetDefaults_PersistentVolumeClaim`: `status.phase` Pending.
pub(super) fn claim_status(root: &mut Map<String, Value>) {
    if let Some(status) = ensure_obj(root, "status") {
        set_default_zero(status, "phase", Value::from("Pending"));
    }
}

/// `SetDefaults_PersistentVolumeClaimSpec`: `volumeMode` Filesystem.
pub(super) fn claim_spec(spec: &mut Map<String, Value>) {
    set_default(spec, "volumeMode", Value::from("Filesystem"));
}

/// `SetDefaults_Endpoints`: the ports' protocol.
pub(super) fn endpoints(root: &mut Map<String, Value>) {
    each(root, "subsets", |subset| {
        each(subset, "ports", |p| {
            set_default_zero(p, "protocol", Value::from("TCP"));
        });
    });
}

/// `SetDefaults_LimitRangeItem`: for `Container` items, `default` from `max`, then
/// `defaultRequest` from `default` and from `min`.
pub(super) fn limit_range(root: &mut Map<String, Value>) {
    let Some(spec) = child(root, "spec") else {
        return;
    };
    each(spec, "limits", |item| {
        if str_of(item, "type") != "Container" {
            return;
        }
        let list = |item: &Map<String, Value>, key: &str| match item.get(key) {
            Some(Value::Object(m)) => m.clone(),
            _ => Map::new(),
        };
        let max = list(item, "max");
        let min = list(item, "min");
        if !is_nil(item, "default") && !item.get("default").is_some_and(Value::is_object) {
            return;
        }
        if !is_nil(item, "defaultRequest")
            && !item.get("defaultRequest").is_some_and(Value::is_object)
        {
            return;
        }
        let mut default = list(item, "default");
        for (k, v) in max {
            default.entry(k).or_insert(v);
        }
        let mut request = list(item, "defaultRequest");
        for (k, v) in default.iter().chain(min.iter()) {
            request.entry(k.clone()).or_insert(v.clone());
        }
        // Empty maps are omitted (`omitempty`), as the Go object serializes them.
        if !default.is_empty() {
            item.insert("default".into(), Value::Object(default));
        }
        if !request.is_empty() {
            item.insert("defaultRequest".into(), Value::Object(request));
        }
    });
}

/// The v1 conversion of a Node's spec (`Convert_v1_NodeSpec_To_core_NodeSpec` and back):
/// `podCIDR` is the first of `podCIDRs`, and wins when both are given and differ.
pub(super) fn node(root: &mut Map<String, Value>) {
    if let Some(spec) = child(root, "spec") {
        super::pod::first_of_list(
            spec,
            "podCIDR",
            "podCIDRs",
            |cidr| Value::String(cidr.to_string()),
            |item| item.as_str().map(str::to_string),
        );
    }
}
