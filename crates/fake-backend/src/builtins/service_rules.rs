//! The Service fields the allocations read and write, and the server's rules around them:
//! `patchAllocatedValues` and `normalizeClusterIPs` (pkg/registry/core/service/storage),
//! `initIPFamilyFields` (storage/alloc.go) and `dropTypeDependentFields`
//! (service/strategy.go), for a single-stack IPv4 cluster; the validation that follows them
//! is in [`super::service_validation`].

use kobj_core::FieldError;
use serde_json::{Map, Value, json};

/// One entry of `spec.ports` (the fields the allocations use).
#[derive(Clone, Debug, Default)]
pub(crate) struct Port {
    /// `name`.
    pub name: String,
    /// `port`.
    pub port: i64,
    /// `protocol`.
    pub protocol: String,
    /// `nodePort` (0: none).
    pub node_port: i64,
}

/// A Service's allocation-related fields.
#[derive(Clone, Debug, Default)]
pub(crate) struct Svc {
    /// `type`.
    pub kind: String,
    /// `clusterIP` ("" when absent).
    pub cluster_ip: String,
    /// `clusterIPs`.
    pub cluster_ips: Vec<String>,
    /// `ipFamilies`.
    pub families: Vec<String>,
    /// `ipFamilyPolicy`.
    pub policy: Option<String>,
    /// Whether `selector` is absent or empty.
    pub selector_empty: bool,
    /// `ports`.
    pub ports: Vec<Port>,
    /// `healthCheckNodePort` (0: none).
    pub health_check_node_port: i64,
    /// `externalTrafficPolicy`.
    pub external_traffic_policy: String,
    /// `allocateLoadBalancerNodePorts`.
    pub allocate_lb_node_ports: Option<bool>,
}

/// A string member ("" when absent or not a string).
fn text(map: &Map<String, Value>, key: &str) -> String {
    map.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// A list of strings (a non-string item reads as "").
fn texts(map: &Map<String, Value>, key: &str) -> Vec<String> {
    map.get(key)
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .map(|v| v.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// An integer member (0 when absent or not an integer).
fn number(map: &Map<String, Value>, key: &str) -> i64 {
    map.get(key).and_then(Value::as_i64).unwrap_or(0)
}

/// Sets `key` to `value`, or removes it when `value` is `None`.
fn put(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    match value {
        Some(v) => {
            map.insert(key.into(), v);
        }
        None => {
            map.remove(key);
        }
    }
}

impl Svc {
    /// Reads a whole Service object.
    pub fn read(obj: &Value) -> Self {
        obj.get("spec")
            .and_then(Value::as_object)
            .map(Self::read_spec)
            .unwrap_or_default()
    }

    /// Reads a Service's `spec`.
    pub fn read_spec(spec: &Map<String, Value>) -> Self {
        let ports = spec
            .get("ports")
            .and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .map(|p| {
                        p.as_object()
                            .map(|p| Port {
                                name: text(p, "name"),
                                port: number(p, "port"),
                                protocol: text(p, "protocol"),
                                node_port: number(p, "nodePort"),
                            })
                            .unwrap_or_default()
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self {
            kind: text(spec, "type"),
            cluster_ip: text(spec, "clusterIP"),
            cluster_ips: texts(spec, "clusterIPs"),
            families: texts(spec, "ipFamilies"),
            policy: spec
                .get("ipFamilyPolicy")
                .and_then(Value::as_str)
                .map(str::to_string),
            selector_empty: spec
                .get("selector")
                .and_then(Value::as_object)
                .is_none_or(Map::is_empty),
            ports,
            health_check_node_port: number(spec, "healthCheckNodePort"),
            external_traffic_policy: text(spec, "externalTrafficPolicy"),
            allocate_lb_node_ports: spec
                .get("allocateLoadBalancerNodePorts")
                .and_then(Value::as_bool),
        }
    }

    /// Writes the fields back into `spec` (empty values are omitted, as Go's `omitempty`).
    pub fn write(&self, spec: &mut Map<String, Value>) {
        let non_empty = |s: &str| (!s.is_empty()).then(|| Value::String(s.to_string()));
        put(spec, "clusterIP", non_empty(&self.cluster_ip));
        put(
            spec,
            "clusterIPs",
            (!self.cluster_ips.is_empty()).then(|| json!(self.cluster_ips)),
        );
        put(
            spec,
            "ipFamilies",
            (!self.families.is_empty()).then(|| json!(self.families)),
        );
        put(
            spec,
            "ipFamilyPolicy",
            self.policy.as_deref().map(|p| Value::String(p.into())),
        );
        if let Some(ports) = spec.get_mut("ports").and_then(Value::as_array_mut) {
            for (slot, port) in ports.iter_mut().zip(&self.ports) {
                if let Some(slot) = slot.as_object_mut() {
                    let np = (port.node_port != 0).then(|| Value::from(port.node_port));
                    put(slot, "nodePort", np);
                }
            }
        }
        let hc = self.health_check_node_port;
        put(
            spec,
            "healthCheckNodePort",
            (hc != 0).then(|| Value::from(hc)),
        );
        put(
            spec,
            "allocateLoadBalancerNodePorts",
            self.allocate_lb_node_ports.map(Value::Bool),
        );
    }

    /// `needsClusterIP`: every type but ExternalName.
    pub fn needs_cluster_ip(&self) -> bool {
        self.kind != "ExternalName"
    }

    /// `needsNodePort`: NodePort and LoadBalancer.
    pub fn needs_node_ports(&self) -> bool {
        self.kind == "NodePort" || self.kind == "LoadBalancer"
    }

    /// `shouldAllocateNodePorts`: NodePort, and LoadBalancer unless
    /// `allocateLoadBalancerNodePorts` is false.
    pub fn should_allocate_node_ports(&self) -> bool {
        self.kind == "NodePort"
            || (self.kind == "LoadBalancer" && self.allocate_lb_node_ports != Some(false))
    }

    /// `NeedsHealthCheck`: LoadBalancer with `externalTrafficPolicy: Local`.
    pub fn needs_health_check(&self) -> bool {
        self.kind == "LoadBalancer" && self.external_traffic_policy == "Local"
    }

    /// `isHeadlessService`: `clusterIPs` is exactly `["None"]`.
    pub fn is_headless(&self) -> bool {
        self.cluster_ips.len() == 1 && self.cluster_ips[0] == "None"
    }

    /// The node ports set, as a set.
    pub fn node_port_set(&self) -> std::collections::BTreeSet<i64> {
        self.ports
            .iter()
            .map(|p| p.node_port)
            .filter(|np| *np != 0)
            .collect()
    }
}

/// `patchAllocatedValues`: a client that resubmits what it created (without the allocated
/// values) keeps them: cluster IPs, node ports (by port name) and the health-check port.
pub(crate) fn patch_allocated_values(svc: &mut Svc, old: &Svc) {
    if old.needs_cluster_ip() && svc.needs_cluster_ip() {
        if svc.cluster_ip.is_empty() {
            svc.cluster_ip.clone_from(&old.cluster_ip);
        }
        if svc.cluster_ips.is_empty() {
            svc.cluster_ips.clone_from(&old.cluster_ips);
        }
    }
    if old.needs_node_ports() && svc.needs_node_ports() {
        for port in svc.ports.iter_mut().filter(|p| p.node_port == 0) {
            // Go's map by name: the last old port of that name wins.
            if let Some(o) = old.ports.iter().rev().find(|o| o.name == port.name) {
                port.node_port = o.node_port;
            }
        }
    }
    if old.needs_health_check() && svc.needs_health_check() && svc.health_check_node_port == 0 {
        svc.health_check_node_port = old.health_check_node_port;
    }
}

/// `normalizeClusterIPs`: keeps `clusterIP` and `clusterIPs` in step for clients that set
/// only the singular field.
pub(crate) fn normalize_cluster_ips(svc: &mut Svc, old: Option<&Svc>) {
    let Some(old) = old else {
        if !svc.cluster_ip.is_empty() && svc.cluster_ips.is_empty() {
            svc.cluster_ips = vec![svc.cluster_ip.clone()];
        }
        return;
    };
    if !old.cluster_ips.is_empty() && svc.cluster_ips.is_empty() && old.cluster_ip == svc.cluster_ip
    {
        svc.cluster_ips.clone_from(&old.cluster_ips);
    }
    if old.cluster_ip != svc.cluster_ip {
        if !old.cluster_ip.is_empty() && svc.cluster_ip.is_empty() {
            if old.cluster_ips == svc.cluster_ips {
                svc.cluster_ips.clear();
            }
        } else if old.cluster_ips == svc.cluster_ips {
            svc.cluster_ips = vec![svc.cluster_ip.clone()];
        }
    }
}

/// An `Invalid value` error.
pub(crate) fn invalid(
    path: impl Into<String>,
    value: Value,
    detail: impl Into<String>,
) -> FieldError {
    FieldError::invalid(path, value, detail)
}

/// The family of an address (`familyOf`): IPv4, IPv6 or "unknown".
pub(crate) fn family_of(ip: &str) -> &'static str {
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(_)) => "IPv4",
        Ok(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_some() => "IPv4",
        Ok(std::net::IpAddr::V6(_)) => "IPv6",
        Err(_) => "unknown",
    }
}

/// `initIPFamilyFields` on a cluster whose only family is IPv4: defaults `ipFamilyPolicy`
/// and `ipFamilies`, and refuses what this cluster cannot serve.
pub(crate) fn init_ip_family_fields(
    svc: &mut Svc,
    old: Option<&Svc>,
) -> Result<(), Vec<FieldError>> {
    if svc.kind == "ExternalName" {
        return Ok(());
    }
    // isMatchingPreferDualStackClusterIPFields: nothing to do for an unchanged one.
    if let Some(old) = old
        && svc.policy.as_deref() == Some("PreferDualStack")
        && old.kind == svc.kind
        && old.policy.as_deref().is_none_or(|p| p == "PreferDualStack")
        && old.cluster_ip == svc.cluster_ip
        && old.cluster_ips == svc.cluster_ips
        && old.families == svc.families
    {
        return Ok(());
    }
    if svc.policy.is_none() {
        svc.policy = Some(match old.and_then(|o| o.policy.clone()) {
            Some(p) => p,
            None if svc.cluster_ip == "None" && svc.selector_empty => "RequireDualStack".into(),
            None => "SingleStack".into(),
        });
    }
    let errors = super::service_validation::cluster_ips_related_fields(svc);
    if !errors.is_empty() {
        return Err(errors);
    }
    let policy = svc.policy.clone().unwrap_or_default();
    let policy_value = Value::String(policy.clone());
    let mut el = Vec::new();
    if let Some(old) = old {
        if policy == "SingleStack" {
            if old.cluster_ips == svc.cluster_ips && svc.cluster_ips.len() > 1 {
                svc.cluster_ips.truncate(1);
            }
            if old.families == svc.families && svc.families.len() > 1 {
                svc.families.truncate(1);
            }
        } else {
            if !svc.cluster_ips.is_empty() && svc.cluster_ips.len() < old.cluster_ips.len() {
                el.push(invalid(
                    "spec.ipFamilyPolicy",
                    policy_value.clone(),
                    "must be 'SingleStack' to release the secondary cluster IP",
                ));
            }
            if !svc.families.is_empty() && svc.families.len() < old.families.len() {
                el.push(invalid(
                    "spec.ipFamilyPolicy",
                    policy_value.clone(),
                    "must be 'SingleStack' to release the secondary IP family",
                ));
            }
        }
    }
    if policy == "SingleStack" {
        if svc.cluster_ips.len() == 2 {
            el.push(invalid(
                "spec.ipFamilyPolicy",
                policy_value.clone(),
                "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified",
            ));
        }
        if svc.families.len() == 2 {
            el.push(invalid(
                "spec.ipFamilyPolicy",
                policy_value.clone(),
                "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified",
            ));
        }
    }
    for i in 0..svc.cluster_ips.len() {
        let ip = &svc.cluster_ips[i];
        if ip == "None" {
            break;
        }
        let family = family_of(ip);
        if i >= svc.families.len() {
            if family == "IPv4" {
                svc.families.push(family.into());
            } else {
                el.push(invalid(
                    format!("spec.clusterIPs[{i}]"),
                    json!(svc.cluster_ips),
                    format!("{family} is not configured on this cluster"),
                ));
            }
        }
    }
    if !el.is_empty() {
        return Err(el);
    }
    if svc.cluster_ip == "None" && svc.selector_empty {
        if svc.families.is_empty() {
            svc.families.push("IPv4".into());
        }
        if svc.families.len() < 2 && policy != "SingleStack" {
            let alt = if svc.families[0] == "IPv4" {
                "IPv6"
            } else {
                "IPv4"
            };
            svc.families.push(alt.into());
        }
        return Ok(());
    }
    if policy == "RequireDualStack" {
        el.push(invalid(
            "spec.ipFamilyPolicy",
            policy_value,
            "this cluster is not configured for dual-stack services",
        ));
    }
    for (i, family) in svc.families.iter().enumerate() {
        if family != "IPv4" {
            el.push(invalid(
                format!("spec.ipFamilies[{i}]"),
                Value::String(family.clone()),
                "not configured on this cluster",
            ));
        }
    }
    if !el.is_empty() {
        return Err(el);
    }
    if svc.families.is_empty() {
        svc.families.push("IPv4".into());
    }
    Ok(())
}

/// `dropTypeDependentFields`: a type change clears the fields the new type does not use,
/// when the client left them as they were (they are released with the old version).
pub(crate) fn drop_type_dependent_fields(svc: &mut Svc, old: &Svc) {
    if old.needs_cluster_ip() && !svc.needs_cluster_ip() {
        if old.cluster_ip == svc.cluster_ip && old.cluster_ips == svc.cluster_ips {
            svc.cluster_ip.clear();
            svc.cluster_ips.clear();
        }
        if old.families == svc.families {
            svc.families.clear();
        }
        if old.policy == svc.policy {
            svc.policy = None;
        }
    }
    if old.needs_node_ports()
        && !svc.needs_node_ports()
        && svc.node_port_set().is_subset(&old.node_port_set())
    {
        for p in &mut svc.ports {
            p.node_port = 0;
        }
    }
    if old.needs_health_check()
        && !svc.needs_health_check()
        && old.health_check_node_port == svc.health_check_node_port
    {
        svc.health_check_node_port = 0;
    }
    if old.kind == "LoadBalancer"
        && svc.kind != "LoadBalancer"
        && svc.allocate_lb_node_ports.is_some()
        && old.allocate_lb_node_ports == svc.allocate_lb_node_ports
    {
        svc.allocate_lb_node_ports = None;
    }
}
