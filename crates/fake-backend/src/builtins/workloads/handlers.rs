//! A container's probes and lifecycle hooks (`validateLivenessProbe`,
//! `validateReadinessProbe`, `validateStartupProbe`, `validateProbe`, `validateLifecycle`
//! and `validateHandler` with its actions) and host port conflicts
//! (`AccumulateUniqueHostPorts`), from pkg/apis/core/validation/validation.go.

use std::collections::BTreeSet;

use kobj_core::FieldError;
use serde_json::Value;

use super::pod::duplicate;
use crate::builtins::fields::{list_of, str_of};
use crate::builtins::ports::{port_name_errors, port_number};

/// `apimachineryvalidation.IsNegativeErrorMsg`.
const NEGATIVE_MSG: &str = "must be greater than or equal to 0";

/// `IsHTTPHeaderName`'s message.
const HEADER_NAME_MSG: &str = "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')";

/// Which of a `commonHandler`'s actions a hook or probe may hold.
#[derive(Clone, Copy)]
enum Handler {
    /// `ProbeHandler`: exec, httpGet, tcpSocket, grpc.
    Probe,
    /// `LifecycleHandler`: exec, httpGet, tcpSocket, sleep.
    Lifecycle,
}

/// The probes and lifecycle of a container that may have them (a regular container, or a
/// restartable init container), in `validateContainers`' order. `grace` is the pod's
/// `terminationGracePeriodSeconds`.
pub(super) fn probes_and_lifecycle(
    c: &Value,
    grace: Option<i64>,
    path: &str,
    errs: &mut Vec<FieldError>,
) {
    if let Some(lifecycle) = c.get("lifecycle").filter(|l| !l.is_null()) {
        for hook in ["postStart", "preStop"] {
            if let Some(h) = lifecycle.get(hook).filter(|h| !h.is_null()) {
                handler(
                    h,
                    Handler::Lifecycle,
                    grace,
                    &format!("{path}.lifecycle.{hook}"),
                    errs,
                );
            }
        }
    }
    for kind in ["livenessProbe", "readinessProbe", "startupProbe"] {
        let Some(p) = c.get(kind).filter(|p| !p.is_null()) else {
            continue;
        };
        let at = format!("{path}.{kind}");
        probe(p, grace, &at, errs);
        let success = int(p, "successThreshold");
        if kind != "readinessProbe" && success != 1 {
            errs.push(FieldError::invalid(
                format!("{at}.successThreshold"),
                Value::from(success),
                "must be 1",
            ));
        }
        if kind == "readinessProbe"
            && let Some(seconds) = p
                .get("terminationGracePeriodSeconds")
                .and_then(Value::as_i64)
        {
            errs.push(FieldError::invalid(
                format!("{at}.terminationGracePeriodSeconds"),
                Value::from(seconds),
                "must not be set for readinessProbes",
            ));
        }
    }
}

/// The errors a plain init container (one without `restartPolicy: Always`) gets for having
/// a lifecycle or probes.
pub(super) fn forbidden_for_init(c: &Value, path: &str, errs: &mut Vec<FieldError>) {
    for field in [
        "lifecycle",
        "livenessProbe",
        "readinessProbe",
        "startupProbe",
    ] {
        if c.get(field).is_some_and(|v| !v.is_null()) {
            errs.push(FieldError::forbidden(
                format!("{path}.{field}"),
                "may not be set for init containers without restartPolicy=Always",
            ));
        }
    }
}

fn int(v: &Value, key: &str) -> i64 {
    v.get(key).and_then(Value::as_i64).unwrap_or(0)
}

/// `validateProbe`.
fn probe(p: &Value, grace: Option<i64>, path: &str, errs: &mut Vec<FieldError>) {
    handler(p, Handler::Probe, grace, path, errs);
    for field in [
        "initialDelaySeconds",
        "timeoutSeconds",
        "periodSeconds",
        "successThreshold",
        "failureThreshold",
    ] {
        let value = int(p, field);
        if value < 0 {
            errs.push(FieldError::invalid(
                format!("{path}.{field}"),
                Value::from(value),
                NEGATIVE_MSG,
            ));
        }
    }
    if let Some(seconds) = p
        .get("terminationGracePeriodSeconds")
        .and_then(Value::as_i64)
        .filter(|s| *s <= 0)
    {
        errs.push(FieldError::invalid(
            format!("{path}.terminationGracePeriodSeconds"),
            Value::from(seconds),
            "must be greater than 0",
        ));
    }
}

/// `validateHandler`: exactly one action, and its fields.
fn handler(h: &Value, kind: Handler, grace: Option<i64>, path: &str, errs: &mut Vec<FieldError>) {
    let actions: &[&str] = match kind {
        Handler::Probe => &["exec", "httpGet", "tcpSocket", "grpc"],
        Handler::Lifecycle => &["exec", "httpGet", "tcpSocket", "sleep"],
    };
    let mut found = false;
    for &action in actions {
        let Some(a) = h.get(action).filter(|a| !a.is_null()) else {
            continue;
        };
        let at = format!("{path}.{action}");
        if found {
            errs.push(FieldError::forbidden(
                at,
                "may not specify more than 1 handler type",
            ));
            continue;
        }
        found = true;
        match action {
            "exec" => {
                if list_of(a, "command").is_empty() {
                    errs.push(FieldError::required(format!("{at}.command"), ""));
                }
            }
            "httpGet" => http_get(a, &at, errs),
            "tcpSocket" => port_num_or_name(a.get("port"), &format!("{at}.port"), errs),
            "grpc" => port_number(int(a, "port"), &format!("{at}.port"), errs),
            _ => sleep(a, grace, &at, errs),
        }
    }
    if !found {
        errs.push(FieldError::required(path, "must specify a handler type"));
    }
}

/// `validateHTTPGetAction`.
fn http_get(get: &Value, path: &str, errs: &mut Vec<FieldError>) {
    if str_of(get, "path").is_empty() {
        errs.push(FieldError::required(format!("{path}.path"), ""));
    }
    port_num_or_name(get.get("port"), &format!("{path}.port"), errs);
    let scheme = str_of(get, "scheme");
    if scheme != "HTTP" && scheme != "HTTPS" {
        errs.push(FieldError::not_supported(
            format!("{path}.scheme"),
            scheme,
            &["HTTP", "HTTPS"],
        ));
    }
    for header in list_of(get, "httpHeaders") {
        let name = str_of(header, "name");
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            errs.push(FieldError::invalid(
                format!("{path}.httpHeaders"),
                Value::String(name.into()),
                HEADER_NAME_MSG,
            ));
        }
    }
}

/// `ValidatePortNumOrName` of an int-or-string port (a missing one is the integer 0).
fn port_num_or_name(port: Option<&Value>, path: &str, errs: &mut Vec<FieldError>) {
    match port {
        Some(Value::String(name)) => {
            for m in port_name_errors(name) {
                errs.push(FieldError::invalid(path, Value::String(name.clone()), m));
            }
        }
        other => port_number(other.and_then(Value::as_i64).unwrap_or(0), path, errs),
    }
}

/// `validateSleepAction`, with `PodLifecycleSleepActionAllowZero` (on by default since 1.33).
fn sleep(action: &Value, grace: Option<i64>, path: &str, errs: &mut Vec<FieldError>) {
    let seconds = int(action, "seconds");
    if let Some(grace) = grace
        && (seconds < 0 || seconds > grace)
    {
        errs.push(FieldError::invalid(
            path,
            Value::from(seconds),
            format!("must be non-negative and less than terminationGracePeriodSeconds ({grace})"),
        ));
    }
}

/// `AccumulateUniqueHostPorts` over `containers`, into `taken`; errors are reported under
/// `path` with each container's index in `containers` (so at index 0 for an init container,
/// which the server checks on its own).
pub(super) fn host_port_conflicts(containers: &[Value], path: &str, errs: &mut Vec<FieldError>) {
    let mut taken = BTreeSet::new();
    for (ci, c) in containers.iter().enumerate() {
        for (pi, port) in list_of(c, "ports").iter().enumerate() {
            let host_port = int(port, "hostPort");
            if host_port == 0 {
                continue;
            }
            let key = format!(
                "{}/{}/{host_port}",
                str_of(port, "protocol"),
                str_of(port, "hostIP")
            );
            if taken.contains(&key) {
                errs.push(duplicate(
                    &format!("{path}[{ci}].ports[{pi}].hostPort"),
                    &key,
                ));
            } else {
                taken.insert(key);
            }
        }
    }
}
