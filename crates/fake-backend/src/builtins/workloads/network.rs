//! A pod's networking fields: `validatePodHostNetworkDeps`, `validatePodDNSConfig` and
//! `ValidateHostAliases` (pkg/apis/core/validation/validation.go).

use kobj_core::FieldError;
use serde_json::{Map, Value};

use super::pod::{items, str_in};
use crate::builtins::addresses::check_ip;
use crate::builtins::fields::{list_of, str_of};
use crate::meta;

/// `validatePodHostNetworkDeps`: with `hostNetwork`, a Pod's host ports must equal its
/// container ports (defaulting makes them so when unset); a template's may also be unset.
pub(super) fn host_network_ports(
    spec: Option<&Map<String, Value>>,
    is_pod: bool,
    path: &str,
    errs: &mut Vec<FieldError>,
) {
    if spec
        .and_then(|s| s.get("hostNetwork"))
        .and_then(Value::as_bool)
        != Some(true)
    {
        return;
    }
    for (i, c) in items(spec, "containers").iter().enumerate() {
        for (j, port) in list_of(c, "ports").iter().enumerate() {
            let number = |key: &str| port.get(key).and_then(Value::as_i64).unwrap_or(0);
            let (host, container) = (number("hostPort"), number("containerPort"));
            if (is_pod || host != 0) && host != container {
                errs.push(FieldError::invalid(
                    format!("{path}.containers[{i}].ports[{j}].hostPort"),
                    Value::from(host),
                    "must match `containerPort` when `hostNetwork` is true",
                ));
            }
        }
    }
}

/// `IsDNS1123SubdomainWithUnderscore`'s pattern and message.
const SUBDOMAIN_UNDERSCORE_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '_', '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '_?[a-z0-9]([-_a-z0-9]*[a-z0-9])?(\\._?[a-z0-9]([-_a-z0-9]*[a-z0-9])?)*')";

/// Whether `label` matches `_?[a-z0-9]([-_a-z0-9]*[a-z0-9])?`.
fn is_underscore_label(label: &str) -> bool {
    let body = label.strip_prefix('_').unwrap_or(label).as_bytes();
    let edge = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    body.first().is_some_and(edge)
        && body.last().is_some_and(edge)
        && body.iter().all(|b| edge(b) || *b == b'-' || *b == b'_')
}

/// `validatePodDNSConfig`, with `RelaxedDNSSearchValidation` (on by default since 1.33):
/// search domains may hold underscores, and `.` alone is allowed.
pub(super) fn dns_config(
    spec: Option<&Map<String, Value>>,
    path: &str,
    errs: &mut Vec<FieldError>,
) {
    let config = spec
        .and_then(|s| s.get("dnsConfig"))
        .filter(|c| c.is_object());
    if str_in(spec, "dnsPolicy") == "None" {
        let Some(config) = config else {
            errs.push(FieldError::required(
                path,
                "must provide `dnsConfig` when `dnsPolicy` is None",
            ));
            return;
        };
        if list_of(config, "nameservers").is_empty() {
            errs.push(FieldError::required(
                format!("{path}.nameservers"),
                "must provide at least one DNS nameserver when `dnsPolicy` is None",
            ));
            return;
        }
    }
    let Some(config) = config else {
        return;
    };
    let nameservers = list_of(config, "nameservers");
    if nameservers.len() > 3 {
        errs.push(FieldError::invalid(
            format!("{path}.nameservers"),
            Value::Array(nameservers.to_vec()),
            "must not have more than 3 nameservers",
        ));
    }
    for (i, server) in nameservers.iter().enumerate() {
        check_ip(
            server.as_str().unwrap_or(""),
            &format!("{path}.nameservers[{i}]"),
            errs,
        );
    }
    let searches = list_of(config, "searches");
    if searches.len() > 32 {
        errs.push(FieldError::invalid(
            format!("{path}.searches"),
            Value::Array(searches.to_vec()),
            "must not have more than 32 search paths",
        ));
    }
    let texts: Vec<&str> = searches.iter().map(|s| s.as_str().unwrap_or("")).collect();
    if texts.join(" ").len() > 2048 {
        errs.push(FieldError::invalid(
            format!("{path}.searches"),
            Value::Array(searches.to_vec()),
            "must not have more than 2048 characters (including spaces) in the search list",
        ));
    }
    for (i, search) in texts.iter().enumerate() {
        if *search == "." {
            continue;
        }
        let search = search.strip_suffix('.').unwrap_or(search);
        let at = format!("{path}.searches[{i}]");
        if search.len() > 253 {
            errs.push(FieldError::invalid(
                &at,
                Value::String(search.into()),
                "must be no more than 253 characters",
            ));
        }
        if !search.split('.').all(is_underscore_label) {
            errs.push(FieldError::invalid(
                &at,
                Value::String(search.into()),
                SUBDOMAIN_UNDERSCORE_MSG,
            ));
        }
    }
    for (i, option) in list_of(config, "options").iter().enumerate() {
        if str_of(option, "name").is_empty() {
            errs.push(FieldError::required(
                format!("{path}.options[{i}]"),
                "must not be empty",
            ));
        }
    }
}

/// `ValidateHostAliases`.
pub(super) fn host_aliases(list: &[Value], path: &str, errs: &mut Vec<FieldError>) {
    for (i, alias) in list.iter().enumerate() {
        check_ip(str_of(alias, "ip"), &format!("{path}[{i}].ip"), errs);
        for (j, hostname) in list_of(alias, "hostnames").iter().enumerate() {
            let hostname = hostname.as_str().unwrap_or("");
            for m in meta::dns1123_subdomain_errors(hostname) {
                errs.push(FieldError::invalid(
                    format!("{path}[{i}].hostnames[{j}]"),
                    Value::String(hostname.into()),
                    m,
                ));
            }
        }
    }
}
