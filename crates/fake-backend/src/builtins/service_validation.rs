//! The parts of `ValidateService` / `ValidateServiceUpdate`
//! (pkg/apis/core/validation/validation.go, Kubernetes 1.35) about a Service's addresses,
//! families and node ports, which the server runs after the allocations.

use kobj_core::{FieldError, FieldErrorType};
use serde_json::{Map, Value, json};

use super::service_rules::{Svc, family_of, invalid};
use super::service_spec::{self as own, Spec};

/// The checks of `ValidateServiceUpdate` and `ValidateService`, in the server's order: those
/// about the allocated fields read `svc` (after the allocations), those about the Service's
/// own fields (`service_spec`) read `spec`. `old` and `old_spec` are the stored version's.
pub(crate) fn validate(
    svc: &Svc,
    old: Option<&Svc>,
    spec: &Map<String, Value>,
    old_spec: Option<&Map<String, Value>>,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let spec = Spec(spec);
    let old_spec = old_spec.map(Spec);
    if let Some(old) = old {
        upgrade_downgrade(svc, old, &mut errs);
        if let Some(old_spec) = &old_spec {
            own::load_balancer_class_update(&spec, old_spec, &mut errs);
        }
        if old.needs_health_check()
            && svc.needs_health_check()
            && old.health_check_node_port != svc.health_check_node_port
        {
            errs.push(FieldError::forbidden(
                "spec.healthCheckNodePort",
                "field is immutable",
            ));
        }
    }
    own::ports_required(&spec, svc, &mut errs);
    match svc.kind.as_str() {
        "LoadBalancer" | "NodePort" if svc.is_headless() => errs.push(invalid(
            "spec.clusterIPs[0]",
            Value::String("None".into()),
            format!("may not be set to 'None' for {} services", svc.kind),
        )),
        "ExternalName" => {
            for (field, set) in [
                ("spec.clusterIPs", !svc.cluster_ips.is_empty()),
                ("spec.ipFamilies", !svc.families.is_empty()),
                ("spec.ipFamilyPolicy", svc.policy.is_some()),
            ] {
                if set {
                    errs.push(FieldError::forbidden(
                        field,
                        "may not be set for ExternalName services",
                    ));
                }
            }
            own::external_name(&spec, &mut errs);
        }
        _ => {}
    }
    own::ports(&spec, &mut errs);
    own::selector_and_affinity(&spec, &mut errs);
    errs.extend(cluster_ips_related_fields(svc));
    own::external_ips_and_type(&spec, &mut errs);
    if svc.kind == "ClusterIP" {
        for (i, p) in svc.ports.iter().enumerate() {
            if p.node_port != 0 {
                errs.push(FieldError::forbidden(
                    format!("spec.ports[{i}].nodePort"),
                    "may not be used when `type` is 'ClusterIP'",
                ));
            }
        }
    }
    let mut seen = Vec::new();
    for (i, p) in svc.ports.iter().enumerate() {
        if p.node_port == 0 {
            continue;
        }
        let key = (p.protocol.as_str(), p.node_port);
        if seen.contains(&key) {
            errs.push(FieldError::new(
                FieldErrorType::Duplicate,
                format!("spec.ports[{i}].nodePort"),
                Some(Value::from(p.node_port)),
                "",
            ));
        }
        seen.push(key);
    }
    own::duplicate_ports(&spec, &mut errs);
    if svc.allocate_lb_node_ports.is_some() && svc.kind != "LoadBalancer" {
        errs.push(FieldError::forbidden(
            "spec.allocateLoadBalancerNodePorts",
            "may only be used when `type` is 'LoadBalancer'",
        ));
    }
    own::load_balancer_class(&spec, old_spec.as_ref(), &mut errs);
    own::external_traffic_policy(&spec, svc, &mut errs);
    if !svc.needs_health_check() && svc.health_check_node_port != 0 {
        errs.push(invalid(
            "spec.healthCheckNodePort",
            Value::from(svc.health_check_node_port),
            "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
        ));
    }
    own::internal_traffic_policy(&spec, &mut errs);
    errs
}

/// `validateUpgradeDowngradeClusterIPs` and `validateUpgradeDowngradeIPFamilies`.
fn upgrade_downgrade(svc: &Svc, old: &Svc, errs: &mut Vec<FieldError>) {
    if svc.kind == "ExternalName" || old.kind == "ExternalName" {
        return;
    }
    let ips = || json!(svc.cluster_ips);
    let changed = || invalid("spec.clusterIPs[0]", ips(), "may not change once set");
    if !(old.is_headless() && svc.is_headless()) {
        let (n_old, n_new) = (old.cluster_ips.len(), svc.cluster_ips.len());
        if n_old == n_new {
            for (i, ip) in old.cluster_ips.iter().enumerate() {
                if *ip != svc.cluster_ips[i] {
                    errs.push(invalid(
                        format!("spec.clusterIPs[{i}]"),
                        ips(),
                        "may not change once set",
                    ));
                }
            }
        } else if n_old > n_new {
            if n_new == 0 {
                errs.push(invalid(
                    "spec.clusterIPs[0]",
                    ips(),
                    "primary clusterIP can not be unset",
                ));
            } else if svc.cluster_ips[0] != old.cluster_ips[0] {
                errs.push(changed());
            }
            if n_new == 1 && svc.policy.as_deref() != Some("SingleStack") {
                errs.push(invalid(
                    "spec.ipFamilyPolicy",
                    svc.policy.clone().map_or(Value::Null, Value::String),
                    "must be set to 'SingleStack' when releasing the secondary clusterIP",
                ));
            }
        } else if n_old > 0 && svc.cluster_ips[0] != old.cluster_ips[0] {
            errs.push(changed());
        }
    }
    if old.is_headless() || svc.is_headless() {
        return;
    }
    let families = || json!(svc.families);
    let (n_old, n_new) = (old.families.len(), svc.families.len());
    if n_old == n_new {
        for (i, f) in old.families.iter().enumerate() {
            if *f != svc.families[i] {
                errs.push(invalid(
                    "spec.ipFamilies[0]",
                    families(),
                    "may not change once set",
                ));
            }
        }
    } else if n_old > n_new {
        if svc.cluster_ips.is_empty() {
            errs.push(invalid(
                "spec.ipFamilies[0]",
                families(),
                "primary ipFamily can not be unset",
            ));
        }
        if n_new > 0 && svc.families[0] != old.families[0] {
            errs.push(invalid(
                "spec.ipFamilies[0]",
                ips(),
                "may not change once set",
            ));
        }
        if n_new == 1 && svc.policy.as_deref() != Some("SingleStack") {
            errs.push(invalid(
                "spec.ipFamilyPolicy",
                svc.policy.clone().map_or(Value::Null, Value::String),
                "must be set to 'SingleStack' when releasing the secondary ipFamily",
            ));
        }
    } else if n_old > 0 && svc.families[0] != old.families[0] {
        errs.push(invalid(
            "spec.ipFamilies[0]",
            ips(),
            "may not change once set",
        ));
    }
}

/// `ValidateServiceClusterIPsRelatedFields`.
pub(crate) fn cluster_ips_related_fields(svc: &Svc) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if svc.kind == "ExternalName" {
        return errs;
    }
    let ips = || json!(svc.cluster_ips);
    if !svc.cluster_ip.is_empty() {
        if svc.cluster_ips.is_empty() {
            errs.push(FieldError::required("spec.clusterIPs", ""));
        } else if svc.cluster_ips[0] != svc.cluster_ip {
            errs.push(invalid(
                "spec.clusterIPs",
                ips(),
                "first value must match `clusterIP`",
            ));
        }
    } else if !svc.cluster_ips.is_empty() {
        errs.push(invalid(
            "spec.clusterIPs",
            ips(),
            "must be empty when `clusterIP` is not specified",
        ));
    }
    for (i, family) in svc.families.iter().enumerate() {
        if family != "IPv4" && family != "IPv6" {
            errs.push(FieldError::new(
                FieldErrorType::NotSupported,
                format!("spec.ipFamilies[{i}]"),
                Some(Value::String(family.clone())),
                "supported values: \"IPv4\", \"IPv6\"",
            ));
        }
        if svc.families[..i].contains(family) {
            errs.push(FieldError::new(
                FieldErrorType::Duplicate,
                format!("spec.ipFamilies[{i}]"),
                Some(Value::String(family.clone())),
                "",
            ));
        }
    }
    if let Some(p) = &svc.policy
        && !matches!(
            p.as_str(),
            "SingleStack" | "PreferDualStack" | "RequireDualStack"
        )
    {
        errs.push(FieldError::new(
            FieldErrorType::NotSupported,
            "spec.ipFamilyPolicy",
            Some(Value::String(p.clone())),
            "supported values: \"PreferDualStack\", \"RequireDualStack\", \"SingleStack\"",
        ));
    }
    let mut bad_ips = false;
    for (i, ip) in svc.cluster_ips.iter().enumerate() {
        if i == 0 && ip == "None" {
            if svc.cluster_ips.len() > 1 {
                bad_ips = true;
                errs.push(invalid(
                    "spec.clusterIPs",
                    ips(),
                    "'None' must be the first and only value",
                ));
            }
            continue;
        }
        if ip.parse::<std::net::IpAddr>().is_err() {
            bad_ips = true;
            errs.push(invalid(
                format!("spec.clusterIPs[{i}]"),
                Value::String(ip.clone()),
                super::addresses::IP_MSG,
            ));
        }
    }
    if svc.cluster_ips.len() > 2 {
        errs.push(invalid(
            "spec.clusterIPs",
            ips(),
            "may only hold up to 2 values",
        ));
    }
    if bad_ips {
        return errs;
    }
    if svc.cluster_ips.len() > 1 {
        let v4 = svc
            .cluster_ips
            .iter()
            .filter(|ip| family_of(ip) == "IPv4")
            .count();
        let dual = svc.cluster_ips.len() == 2 && v4 == 1;
        if !dual {
            errs.push(invalid(
                "spec.clusterIPs",
                ips(),
                "may specify no more than one IP for each IP family",
            ));
        }
    }
    if !svc.is_headless() {
        for (i, (ip, family)) in svc.cluster_ips.iter().zip(&svc.families).enumerate() {
            let ip_family = family_of(ip);
            if family == "IPv4" && ip_family == "IPv6" {
                errs.push(invalid(
                    format!("spec.clusterIPs[{i}]"),
                    Value::String(ip.clone()),
                    format!("expected an IPv4 value as indicated by `ipFamilies[{i}]`"),
                ));
            }
            if family == "IPv6" && ip_family != "IPv6" {
                errs.push(invalid(
                    format!("spec.clusterIPs[{i}]"),
                    Value::String(ip.clone()),
                    format!("expected an IPv6 value as indicated by `ipFamilies[{i}]`"),
                ));
            }
        }
    }
    errs
}
