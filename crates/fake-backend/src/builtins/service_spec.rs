//! The parts of `ValidateService` (pkg/apis/core/validation/validation.go) about a Service's
//! own fields rather than its allocations: ports, `externalName`, selector, session
//! affinity, external IPs, type, duplicate ports, load balancer class and traffic policies.
//! `service_validation::validate` calls each at its place in the server's order.
//!
//! Not checked: `sessionAffinityConfig` values, special external IPs (loopback, multicast,
//! …), `loadBalancerSourceRanges`, topology annotations and `trafficDistribution`.

use kobj_core::{FieldError, FieldErrorType};
use serde_json::{Map, Value};

use super::ports::{port_name_errors, port_number};
use super::service_rules::Svc;
use crate::meta;

/// A Service's `spec`, read field by field.
pub(super) struct Spec<'a>(pub &'a Map<String, Value>);

impl<'a> Spec<'a> {
    fn str(&self, key: &str) -> Option<&'a str> {
        self.0.get(key).and_then(Value::as_str)
    }

    fn ports(&self) -> &'a [Value] {
        self.0
            .get("ports")
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }
}

/// `spec.ports` is required unless the Service is headless or an ExternalName.
pub(super) fn ports_required(spec: &Spec<'_>, svc: &Svc, errs: &mut Vec<FieldError>) {
    if spec.ports().is_empty() && !svc.is_headless() && svc.kind != "ExternalName" {
        errs.push(FieldError::required("spec.ports", ""));
    }
}

/// An ExternalName's `externalName`: a DNS subdomain (a trailing dot allowed), required.
pub(super) fn external_name(spec: &Spec<'_>, errs: &mut Vec<FieldError>) {
    let name = spec.str("externalName").unwrap_or("");
    let cname = name.strip_suffix('.').unwrap_or(name);
    if cname.is_empty() {
        errs.push(FieldError::required("spec.externalName", ""));
        return;
    }
    for m in meta::dns1123_subdomain_errors(cname) {
        errs.push(FieldError::invalid(
            "spec.externalName",
            Value::String(cname.into()),
            m,
        ));
    }
}

/// `validateServicePort` for each port: names (required when there are several, DNS
/// labels, unique), port number, protocol, `targetPort`, `appProtocol`.
pub(super) fn ports(spec: &Spec<'_>, errs: &mut Vec<FieldError>) {
    let ports = spec.ports();
    let mut names = std::collections::BTreeSet::new();
    for (i, port) in ports.iter().enumerate() {
        let at = format!("spec.ports[{i}]");
        let name = port.get("name").and_then(Value::as_str).unwrap_or("");
        if ports.len() > 1 && name.is_empty() {
            errs.push(FieldError::required(format!("{at}.name"), ""));
        } else if !name.is_empty() {
            for m in meta::dns1123_label_errors(name) {
                errs.push(FieldError::invalid(
                    format!("{at}.name"),
                    Value::String(name.into()),
                    m,
                ));
            }
            if !names.insert(name) {
                errs.push(FieldError::new(
                    FieldErrorType::Duplicate,
                    format!("{at}.name"),
                    Some(Value::String(name.into())),
                    "",
                ));
            }
        }
        let number = port.get("port").and_then(Value::as_i64).unwrap_or(0);
        port_number(number, &format!("{at}.port"), errs);
        match port.get("protocol").and_then(Value::as_str).unwrap_or("") {
            "TCP" | "UDP" | "SCTP" => {}
            "" => errs.push(FieldError::required(format!("{at}.protocol"), "")),
            other => errs.push(FieldError::not_supported(
                format!("{at}.protocol"),
                other,
                &["SCTP", "TCP", "UDP"],
            )),
        }
        // `ValidatePortNumOrName`.
        match port.get("targetPort") {
            Some(Value::Number(n)) => {
                port_number(n.as_i64().unwrap_or(0), &format!("{at}.targetPort"), errs);
            }
            Some(Value::String(text)) => {
                for m in port_name_errors(text) {
                    errs.push(FieldError::invalid(
                        format!("{at}.targetPort"),
                        Value::String(text.clone()),
                        m,
                    ));
                }
            }
            _ => {}
        }
        if let Some(protocol) = port.get("appProtocol").and_then(Value::as_str) {
            for m in meta::qualified_name_errors(protocol) {
                errs.push(FieldError::invalid(
                    format!("{at}.appProtocol"),
                    Value::String(protocol.into()),
                    m,
                ));
            }
        }
    }
}

/// The selector's labels, and `sessionAffinity`.
pub(super) fn selector_and_affinity(spec: &Spec<'_>, errs: &mut Vec<FieldError>) {
    if let Some(selector) = spec.0.get("selector").and_then(Value::as_object) {
        meta::labels_errors(selector, "spec.selector", errs);
    }
    match spec.str("sessionAffinity").unwrap_or("") {
        "" => errs.push(FieldError::required("spec.sessionAffinity", "")),
        "ClientIP" => {}
        "None" => {
            if spec
                .0
                .get("sessionAffinityConfig")
                .is_some_and(|v| !v.is_null())
            {
                errs.push(FieldError::forbidden(
                    "spec.sessionAffinityConfig",
                    "must not be set when session affinity is None",
                ));
            }
        }
        other => errs.push(FieldError::not_supported(
            "spec.sessionAffinity",
            other,
            &["ClientIP", "None"],
        )),
    }
}

/// `externalIPs` must be IP addresses, and `type` one of the four.
pub(super) fn external_ips_and_type(spec: &Spec<'_>, errs: &mut Vec<FieldError>) {
    let ips = spec.0.get("externalIPs").and_then(Value::as_array);
    for (i, ip) in ips.into_iter().flatten().enumerate() {
        let text = ip.as_str().unwrap_or("");
        if text.parse::<std::net::IpAddr>().is_err() {
            errs.push(FieldError::invalid(
                format!("spec.externalIPs[{i}]"),
                Value::String(text.into()),
                super::addresses::IP_MSG,
            ));
        }
    }
    match spec.str("type").unwrap_or("") {
        "" => errs.push(FieldError::required("spec.type", "")),
        "ClusterIP" | "ExternalName" | "LoadBalancer" | "NodePort" => {}
        other => errs.push(FieldError::not_supported(
            "spec.type",
            other,
            &["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"],
        )),
    }
}

/// Two ports with the same protocol and number: `Duplicate value` with the internal
/// `core.ServicePort` key, printed as its Go struct's JSON (fields in declaration order,
/// untagged internal type).
pub(super) fn duplicate_ports(spec: &Spec<'_>, errs: &mut Vec<FieldError>) {
    let mut seen: Vec<(&str, i64)> = Vec::new();
    for (i, port) in spec.ports().iter().enumerate() {
        let protocol = port.get("protocol").and_then(Value::as_str).unwrap_or("");
        let number = port.get("port").and_then(Value::as_i64).unwrap_or(0);
        if seen.contains(&(protocol, number)) {
            let text = format!(
                "{{\"Name\":\"\",\"Protocol\":{},\"AppProtocol\":null,\"Port\":{number},\"TargetPort\":0,\"NodePort\":0}}",
                Value::String(protocol.into())
            );
            errs.push(
                FieldError::new(
                    FieldErrorType::Duplicate,
                    format!("spec.ports[{i}]"),
                    None,
                    "",
                )
                .with_value_text(text),
            );
        }
        seen.push((protocol, number));
    }
}

/// The update part of `validateLoadBalancerClassField`: a LoadBalancer's class may not
/// change.
pub(super) fn load_balancer_class_update(
    spec: &Spec<'_>,
    old: &Spec<'_>,
    errs: &mut Vec<FieldError>,
) {
    let class = spec.str("loadBalancerClass");
    if spec.str("type") == Some("LoadBalancer")
        && old.str("type") == Some("LoadBalancer")
        && old.str("loadBalancerClass") != class
    {
        errs.push(FieldError::invalid(
            "spec.loadBalancerClass",
            class.map_or(Value::Null, |c| Value::String(c.into())),
            "may not change once set",
        ));
    }
}

/// The rest of `validateLoadBalancerClassField`: a qualified name, only for LoadBalancers.
/// `old` is the stored spec on update.
pub(super) fn load_balancer_class(
    spec: &Spec<'_>,
    old: Option<&Spec<'_>>,
    errs: &mut Vec<FieldError>,
) {
    const PATH: &str = "spec.loadBalancerClass";
    let class = spec.str("loadBalancerClass");
    let is_lb = spec.str("type") == Some("LoadBalancer");
    // `dropTypeDependentFields` drops a class the old LoadBalancer had when the type changes.
    let dropped = old.is_some_and(|o| {
        o.str("type") == Some("LoadBalancer") && o.str("loadBalancerClass") == class
    });
    match class {
        Some(_) if !is_lb && dropped => {}
        Some(class) if is_lb => {
            for m in meta::qualified_name_errors(class) {
                errs.push(FieldError::invalid(PATH, Value::String(class.into()), m));
            }
        }
        Some(_) => errs.push(FieldError::forbidden(
            PATH,
            "may only be used when `type` is 'LoadBalancer'",
        )),
        None => {}
    }
}

/// The `externalTrafficPolicy` part of `validateServiceExternalTrafficPolicy`: set (to
/// `Cluster` or `Local`) exactly for externally accessible Services. Read from `svc`, which
/// has the type-dependent fields an update drops already dropped.
pub(super) fn external_traffic_policy(spec: &Spec<'_>, svc: &Svc, errs: &mut Vec<FieldError>) {
    const PATH: &str = "spec.externalTrafficPolicy";
    let has_external_ips = spec
        .0
        .get("externalIPs")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty());
    // `apiservice.ExternallyAccessible`.
    let accessible = matches!(svc.kind.as_str(), "LoadBalancer" | "NodePort")
        || (svc.kind == "ClusterIP" && has_external_ips);
    let policy = svc.external_traffic_policy.as_str();
    if !accessible {
        if !policy.is_empty() {
            errs.push(FieldError::invalid(
                PATH,
                Value::String(policy.into()),
                "may only be set for externally-accessible services",
            ));
        }
    } else if policy.is_empty() {
        errs.push(FieldError::required(PATH, ""));
    } else if !matches!(policy, "Cluster" | "Local") {
        errs.push(FieldError::not_supported(
            PATH,
            policy,
            &["Cluster", "Local"],
        ));
    }
}

/// `validateServiceInternalTrafficFieldsValue`.
pub(super) fn internal_traffic_policy(spec: &Spec<'_>, errs: &mut Vec<FieldError>) {
    const PATH: &str = "spec.internalTrafficPolicy";
    match spec.0.get("internalTrafficPolicy").and_then(Value::as_str) {
        None => {
            if matches!(
                spec.str("type"),
                Some("NodePort" | "LoadBalancer" | "ClusterIP")
            ) {
                errs.push(FieldError::required(PATH, ""));
            }
        }
        Some("Cluster" | "Local") => {}
        Some(other) => errs.push(FieldError::not_supported(
            PATH,
            other,
            &["Cluster", "Local"],
        )),
    }
}
