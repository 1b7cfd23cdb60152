//! Ingresses and NetworkPolicies, as the server validates them (`ValidateIngressCreate`,
//! `ValidateIngressSpec`, `ValidateNetworkPolicySpec` and their helpers in
//! pkg/apis/networking/validation, Kubernetes 1.35). Written by hand: no crate reproduces
//! the API server's validation. Bad values are printed as the server prints them since
//! 1.34: strings quoted, numbers plain, lists as JSON.

use std::net::IpAddr;

use kobj_core::FieldError;
use serde_json::Value;

use super::fields::{list_of, present, str_of};
use super::ports::{port_name_errors, port_number};
use super::workloads::validate_label_selector;
use crate::meta;

/// `IsWildcardDNS1123Subdomain`'s message.
const WILDCARD_MSG: &str = "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/// `IsDNS1123Subdomain` or, for a name with `*`, `IsWildcardDNS1123Subdomain`.
fn host_errors(host: &str) -> Vec<String> {
    if !host.contains('*') {
        return meta::dns1123_subdomain_errors(host);
    }
    let mut errs = Vec::new();
    if host.len() > 253 {
        errs.push("must be no more than 253 characters".to_string());
    }
    let valid = host
        .strip_prefix("*.")
        .is_some_and(|rest| meta::dns1123_subdomain_errors(rest).is_empty());
    if !valid {
        errs.push(WILDCARD_MSG.to_string());
    }
    errs
}

/// `ValidateIngressCreate`'s checks after the metadata's (also run on update, whose
/// allowances for stored invalid values the fake does not need: it never stores them).
pub(super) fn ingress(obj: &Value, creating: bool, errs: &mut Vec<FieldError>) {
    let empty = Value::Object(serde_json::Map::new());
    let spec = obj.get("spec").unwrap_or(&empty);
    let rules = list_of(spec, "rules");
    if rules.is_empty() && !present(spec, "defaultBackend") {
        errs.push(FieldError::invalid(
            "spec",
            // The server prints its nil rule list.
            Value::Null,
            "either `defaultBackend` or `rules` must be specified",
        ));
    }
    if let Some(backend) = spec.get("defaultBackend").filter(|b| !b.is_null()) {
        ingress_backend(backend, "spec.defaultBackend", errs);
    }
    for (i, rule) in rules.iter().enumerate() {
        let at = format!("spec.rules[{i}]");
        let host = str_of(rule, "host");
        if !host.is_empty() {
            if host.parse::<IpAddr>().is_ok() {
                errs.push(FieldError::invalid(
                    format!("{at}.host"),
                    Value::String(host.into()),
                    "must be a DNS name, not an IP address",
                ));
            }
            for m in host_errors(host) {
                errs.push(FieldError::invalid(
                    format!("{at}.host"),
                    Value::String(host.into()),
                    m,
                ));
            }
        }
        if let Some(http) = rule.get("http").filter(|h| !h.is_null()) {
            let paths = list_of(http, "paths");
            if paths.is_empty() {
                errs.push(FieldError::required(format!("{at}.http.paths"), ""));
            }
            for (j, path) in paths.iter().enumerate() {
                http_path(path, &format!("{at}.http.paths[{j}]"), errs);
            }
        }
    }
    for (i, tls) in list_of(spec, "tls").iter().enumerate() {
        for (j, host) in list_of(tls, "hosts").iter().enumerate() {
            let host = host.as_str().unwrap_or("");
            for m in host_errors(host) {
                errs.push(FieldError::invalid(
                    format!("spec.tls[{i}].hosts[{j}]"),
                    Value::String(host.into()),
                    m,
                ));
            }
        }
        let secret = str_of(tls, "secretName");
        if !secret.is_empty() {
            for m in meta::dns1123_subdomain_errors(secret) {
                errs.push(FieldError::invalid(
                    format!("spec.tls[{i}].secretName"),
                    Value::String(secret.into()),
                    m,
                ));
            }
        }
    }
    if let Some(class) = spec.get("ingressClassName").and_then(Value::as_str) {
        for m in meta::dns1123_subdomain_errors(class) {
            errs.push(FieldError::invalid(
                "spec.ingressClassName",
                Value::String(class.into()),
                m,
            ));
        }
    }
    if creating
        && let (Some(annotation), Some(class)) = (
            obj.get("metadata")
                .and_then(|m| m.get("annotations"))
                .and_then(|a| a.get("kubernetes.io/ingress.class"))
                .and_then(Value::as_str),
            spec.get("ingressClassName").and_then(Value::as_str),
        )
        && annotation != class
    {
        errs.push(FieldError::invalid(
            "annotations.kubernetes.io/ingress.class",
            Value::String(annotation.into()),
            "must match `ingressClassName` when both are specified",
        ));
    }
}

/// `validateHTTPIngressPath`.
fn http_path(path: &Value, at: &str, errs: &mut Vec<FieldError>) {
    let Some(kind) = path.get("pathType").and_then(Value::as_str) else {
        errs.push(FieldError::required(
            format!("{at}.pathType"),
            "pathType must be specified",
        ));
        return;
    };
    let value = str_of(path, "path");
    let invalid = |detail: String| {
        FieldError::invalid(format!("{at}.path"), Value::String(value.into()), detail)
    };
    match kind {
        "Exact" | "Prefix" => {
            if !value.starts_with('/') {
                errs.push(invalid("must be an absolute path".into()));
            }
            if !value.is_empty() {
                for seq in ["//", "/./", "/../", "%2f", "%2F"] {
                    if value.contains(seq) {
                        errs.push(invalid(format!("must not contain '{seq}'")));
                    }
                }
                for suffix in ["/..", "/."] {
                    if value.ends_with(suffix) {
                        errs.push(invalid(format!("cannot end with '{suffix}'")));
                    }
                }
            }
        }
        "ImplementationSpecific" => {
            if !value.is_empty() && !value.starts_with('/') {
                errs.push(invalid("must be an absolute path".into()));
            }
        }
        other => errs.push(FieldError::not_supported(
            format!("{at}.pathType"),
            other,
            &["Exact", "ImplementationSpecific", "Prefix"],
        )),
    }
    let backend = path.get("backend").unwrap_or(&Value::Null);
    ingress_backend(backend, &format!("{at}.backend"), errs);
}

/// `validateIngressBackend`, with `RelaxedServiceNameValidation` off (its default): a
/// service name is a DNS-1035 label.
fn ingress_backend(backend: &Value, at: &str, errs: &mut Vec<FieldError>) {
    let empty = || Value::String(String::new());
    match (present(backend, "resource"), present(backend, "service")) {
        (true, true) => errs.push(FieldError::invalid(
            at,
            empty(),
            "cannot set both resource and service backends",
        )),
        (true, false) => {
            let resource = backend.get("resource").unwrap_or(&Value::Null);
            let path = format!("{at}.resource");
            if let Some(group) = resource.get("apiGroup").and_then(Value::as_str) {
                for m in meta::dns1123_subdomain_errors(group) {
                    errs.push(FieldError::invalid(
                        format!("{path}.apiGroup"),
                        Value::String(group.into()),
                        m,
                    ));
                }
            }
            for key in ["kind", "name"] {
                let value = str_of(resource, key);
                if value.is_empty() {
                    errs.push(FieldError::required(format!("{path}.{key}"), ""));
                }
                for m in meta::path_segment_errors(value) {
                    errs.push(FieldError::invalid(
                        format!("{path}.{key}"),
                        Value::String(value.into()),
                        m,
                    ));
                }
            }
        }
        (false, true) => {
            let service = backend.get("service").unwrap_or(&Value::Null);
            let name = str_of(service, "name");
            if name.is_empty() {
                errs.push(FieldError::required(format!("{at}.service.name"), ""));
            } else {
                for m in meta::dns1035_label_errors(name) {
                    errs.push(FieldError::invalid(
                        format!("{at}.service.name"),
                        Value::String(name.into()),
                        m,
                    ));
                }
            }
            let port = service.get("port").unwrap_or(&Value::Null);
            let port_name = str_of(port, "name");
            let number = port.get("number").and_then(Value::as_i64).unwrap_or(0);
            match (port_name.is_empty(), number == 0) {
                (false, false) => errs.push(FieldError::invalid(
                    at,
                    empty(),
                    "cannot set both port name & port number",
                )),
                (false, true) => {
                    for m in port_name_errors(port_name) {
                        errs.push(FieldError::invalid(
                            format!("{at}.service.port.name"),
                            Value::String(port_name.into()),
                            m,
                        ));
                    }
                }
                (true, false) => port_number(number, &format!("{at}.service.port.number"), errs),
                (true, true) => {
                    errs.push(FieldError::required(at, "port name or number is required"));
                }
            }
        }
        (false, false) => errs.push(FieldError::invalid(
            at,
            empty(),
            "resource or service backend is required",
        )),
    }
}

/// `ValidateNetworkPolicySpec`.
pub(super) fn network_policy(obj: &Value, errs: &mut Vec<FieldError>) {
    let empty = Value::Object(serde_json::Map::new());
    let spec = obj.get("spec").unwrap_or(&empty);
    if let Some(selector) = spec.get("podSelector").and_then(Value::as_object) {
        validate_label_selector(selector, "spec.podSelector", errs);
    }
    for (direction, peers) in [("ingress", "from"), ("egress", "to")] {
        for (i, rule) in list_of(spec, direction).iter().enumerate() {
            let at = format!("spec.{direction}[{i}]");
            for (j, port) in list_of(rule, "ports").iter().enumerate() {
                policy_port(port, &format!("{at}.ports[{j}]"), errs);
            }
            for (j, peer) in list_of(rule, peers).iter().enumerate() {
                policy_peer(peer, &format!("{at}.{peers}[{j}]"), errs);
            }
        }
    }
    let types = list_of(spec, "policyTypes");
    if types.len() > 2 {
        errs.push(FieldError::invalid(
            "spec.policyTypes",
            Value::Array(types.to_vec()),
            "may not specify more than two policyTypes",
        ));
        return;
    }
    for (i, kind) in types.iter().enumerate() {
        let kind = kind.as_str().unwrap_or("");
        if kind != "Ingress" && kind != "Egress" {
            errs.push(FieldError::not_supported(
                format!("spec.policyTypes[{i}]"),
                kind,
                &["Ingress", "Egress"],
            ));
        }
    }
}

/// `ValidateNetworkPolicyPort`.
fn policy_port(port: &Value, at: &str, errs: &mut Vec<FieldError>) {
    if let Some(protocol) = port.get("protocol").and_then(Value::as_str)
        && !["TCP", "UDP", "SCTP"].contains(&protocol)
    {
        errs.push(FieldError::not_supported(
            format!("{at}.protocol"),
            protocol,
            &["TCP", "UDP", "SCTP"],
        ));
    }
    let end = port.get("endPort").and_then(Value::as_i64);
    let end_path = format!("{at}.endPort");
    match port.get("port").filter(|p| !p.is_null()) {
        Some(Value::String(name)) => {
            if let Some(end) = end {
                errs.push(FieldError::invalid(
                    &end_path,
                    Value::from(end),
                    "may not be specified when `port` is non-numeric",
                ));
            }
            for m in port_name_errors(name) {
                errs.push(FieldError::invalid(
                    format!("{at}.port"),
                    Value::String(name.clone()),
                    m,
                ));
            }
        }
        Some(number) => {
            let number = number.as_i64().unwrap_or(0);
            port_number(number, &format!("{at}.port"), errs);
            if let Some(end) = end {
                if end < number {
                    errs.push(FieldError::invalid(
                        &end_path,
                        Value::from(end),
                        "must be greater than or equal to `port`",
                    ));
                }
                port_number(end, &end_path, errs);
            }
        }
        None => {
            if let Some(end) = end {
                errs.push(FieldError::invalid(
                    &end_path,
                    Value::from(end),
                    "may not be specified when `port` is not specified",
                ));
            }
        }
    }
}

/// `ValidateNetworkPolicyPeer`.
fn policy_peer(peer: &Value, at: &str, errs: &mut Vec<FieldError>) {
    let mut count = 0;
    for key in ["podSelector", "namespaceSelector"] {
        if let Some(selector) = peer.get(key).filter(|s| !s.is_null()) {
            count += 1;
            if let Some(selector) = selector.as_object() {
                validate_label_selector(selector, &format!("{at}.{key}"), errs);
            }
        }
    }
    let block = peer.get("ipBlock").filter(|b| !b.is_null());
    if let Some(block) = block {
        count += 1;
        ip_block(block, &format!("{at}.ipBlock"), errs);
    }
    if count == 0 {
        errs.push(FieldError::required(at, "must specify a peer"));
    } else if count > 1 && block.is_some() {
        errs.push(FieldError::forbidden(
            at,
            "may not specify both ipBlock and another peer",
        ));
    }
}

/// A CIDR as `ParseCIDRSloppy` reads it: its address and prefix length.
fn parse_cidr(text: &str) -> Option<(IpAddr, u8)> {
    let (ip, prefix) = text.split_once('/')?;
    let ip: IpAddr = ip.parse().ok()?;
    let prefix: u8 = prefix.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    (prefix <= max).then_some((ip, prefix))
}

/// Whether `ip` lies in `network`/`prefix`.
fn contains(network: IpAddr, prefix: u8, ip: IpAddr) -> bool {
    match (network, ip) {
        (IpAddr::V4(n), IpAddr::V4(i)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            u32::from(n) & mask == u32::from(i) & mask
        }
        (IpAddr::V6(n), IpAddr::V6(i)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            u128::from(n) & mask == u128::from(i) & mask
        }
        _ => false,
    }
}

const CIDR_MSG: &str = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";

/// `ValidateIPBlock`: the CIDR, and each exception a strict subset of it.
fn ip_block(block: &Value, at: &str, errs: &mut Vec<FieldError>) {
    let cidr = str_of(block, "cidr");
    if cidr.is_empty() {
        errs.push(FieldError::required(format!("{at}.cidr"), ""));
        return;
    }
    let Some((network, prefix)) = parse_cidr(cidr) else {
        errs.push(FieldError::invalid(
            format!("{at}.cidr"),
            Value::String(cidr.into()),
            CIDR_MSG,
        ));
        return;
    };
    for (i, except) in list_of(block, "except").iter().enumerate() {
        let except = except.as_str().unwrap_or("");
        let path = format!("{at}.except[{i}]");
        let Some((ip, except_prefix)) = parse_cidr(except) else {
            errs.push(FieldError::invalid(
                &path,
                Value::String(except.into()),
                CIDR_MSG,
            ));
            continue;
        };
        if !contains(network, prefix, ip) || prefix >= except_prefix {
            errs.push(FieldError::invalid(
                &path,
                Value::String(except.into()),
                "must be a strict subset of `cidr`",
            ));
        }
    }
}
