//! `validateContainers`, `validateInitContainers` and `validateContainerCommon`
//! (pkg/apis/core/validation/validation.go): names, images, termination message and pull
//! policies, ports, env and envFrom, volume mounts and resources, and (in `handlers`)
//! probes, lifecycle hooks and host port conflicts, and (in `security`) security contexts;
//! volume devices and resize policies are not checked.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use kobj_core::{FieldError, FieldErrorType};
use serde_json::{Map, Value};

use super::handlers::{forbidden_for_init, host_port_conflicts, probes_and_lifecycle};
use super::pod::{PodFacts, dns_label, duplicate, items};
use super::security::container_security_context;
use crate::builtins::fields::{list_of, str_of};
use crate::builtins::ports::{port_name_errors, port_number};
use crate::builtins::quantity::compare_quantities;
use crate::meta;

/// `validateContainers`.
pub(super) fn containers(
    spec: Option<&Map<String, Value>>,
    volumes: &BTreeSet<String>,
    facts: PodFacts,
    path: &str,
    errs: &mut Vec<FieldError>,
) {
    let path = format!("{path}.containers");
    let list = items(spec, "containers");
    if list.is_empty() {
        errs.push(FieldError::required(path, ""));
        return;
    }
    let mut names = BTreeSet::new();
    for (i, c) in list.iter().enumerate() {
        let at = format!("{path}[{i}]");
        container_common(c, volumes, facts, &at, errs);
        let name = str_of(c, "name");
        if !names.insert(name) {
            errs.push(duplicate(&format!("{at}.name"), name));
        }
        probes_and_lifecycle(c, facts.grace, &at, errs);
        if c.get("restartPolicy").is_some_and(|v| !v.is_null()) {
            errs.push(FieldError::forbidden(
                format!("{at}.restartPolicy"),
                "may not be set for non-init containers",
            ));
        }
    }
    host_port_conflicts(list, &path, errs);
}

/// `validateInitContainers`: the common checks, and names unique among all containers.
pub(super) fn init_containers(
    spec: Option<&Map<String, Value>>,
    volumes: &BTreeSet<String>,
    facts: PodFacts,
    path: &str,
    errs: &mut Vec<FieldError>,
) {
    let mut names: BTreeSet<&str> = items(spec, "containers")
        .iter()
        .map(|c| str_of(c, "name"))
        .collect();
    for (i, c) in items(spec, "initContainers").iter().enumerate() {
        let at = format!("{path}.initContainers[{i}]");
        container_common(c, volumes, facts, &at, errs);
        let policy = c.get("restartPolicy").and_then(Value::as_str);
        if let Some(policy) = policy
            && policy != "Always"
        {
            errs.push(FieldError::not_supported(
                format!("{at}.restartPolicy"),
                Value::String(policy.into()),
                &["Always"],
            ));
        }
        let name = str_of(c, "name");
        if names.contains(name) {
            errs.push(duplicate(&format!("{at}.name"), name));
        } else if !name.is_empty() {
            names.insert(name);
        }
        // Each init container's host ports on their own: they run one at a time.
        host_port_conflicts(
            std::slice::from_ref(c),
            &format!("{path}.initContainers"),
            errs,
        );
        if policy == Some("Always") {
            probes_and_lifecycle(c, facts.grace, &at, errs);
        } else {
            forbidden_for_init(c, &at, errs);
        }
    }
}

/// `validateContainerCommon`, less volume devices and resize policy.
pub(super) fn container_common(
    c: &Value,
    volumes: &BTreeSet<String>,
    facts: PodFacts,
    path: &str,
    errs: &mut Vec<FieldError>,
) {
    let name = str_of(c, "name");
    if name.is_empty() {
        errs.push(FieldError::required(format!("{path}.name"), ""));
    } else {
        dns_label(name, &format!("{path}.name"), errs);
    }
    if str_of(c, "image").is_empty() {
        errs.push(FieldError::required(format!("{path}.image"), ""));
    }
    match str_of(c, "terminationMessagePolicy") {
        "File" | "FallbackToLogsOnError" => {}
        "" => errs.push(FieldError::required(
            format!("{path}.terminationMessagePolicy"),
            "",
        )),
        other => errs.push(FieldError::not_supported(
            format!("{path}.terminationMessagePolicy"),
            Value::String(other.into()),
            &["File", "FallbackToLogsOnError"],
        )),
    }
    ports(list_of(c, "ports"), &format!("{path}.ports"), errs);
    env(list_of(c, "env"), &format!("{path}.env"), errs);
    env_from(list_of(c, "envFrom"), &format!("{path}.envFrom"), errs);
    volume_mounts(
        list_of(c, "volumeMounts"),
        volumes,
        &format!("{path}.volumeMounts"),
        errs,
    );
    match str_of(c, "imagePullPolicy") {
        "Always" | "IfNotPresent" | "Never" => {}
        "" => errs.push(FieldError::required(format!("{path}.imagePullPolicy"), "")),
        other => errs.push(FieldError::not_supported(
            format!("{path}.imagePullPolicy"),
            Value::String(other.into()),
            &["Always", "IfNotPresent", "Never"],
        )),
    }
    resources(c.get("resources"), &format!("{path}.resources"), errs);
    container_security_context(c, facts.host_users, path, errs);
}

/// `validateContainerPorts`.
fn ports(ports: &[Value], path: &str, errs: &mut Vec<FieldError>) {
    let mut names = BTreeSet::new();
    for (i, port) in ports.iter().enumerate() {
        let at = format!("{path}[{i}]");
        let name = str_of(port, "name");
        if !name.is_empty() {
            let msgs = port_name_errors(name);
            if !msgs.is_empty() {
                for m in msgs {
                    errs.push(FieldError::invalid(
                        format!("{at}.name"),
                        Value::String(name.into()),
                        m,
                    ));
                }
            } else if !names.insert(name) {
                errs.push(duplicate(&format!("{at}.name"), name));
            }
        }
        let container_port = port
            .get("containerPort")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        if container_port == 0 {
            errs.push(FieldError::required(format!("{at}.containerPort"), ""));
        } else {
            port_number(container_port, &format!("{at}.containerPort"), errs);
        }
        let host_port = port.get("hostPort").and_then(Value::as_i64).unwrap_or(0);
        if host_port != 0 {
            port_number(host_port, &format!("{at}.hostPort"), errs);
        }
        match str_of(port, "protocol") {
            "TCP" | "UDP" | "SCTP" => {}
            "" => errs.push(FieldError::required(format!("{at}.protocol"), "")),
            other => errs.push(FieldError::not_supported(
                format!("{at}.protocol"),
                Value::String(other.into()),
                &["SCTP", "TCP", "UDP"],
            )),
        }
    }
}

/// `IsRelaxedEnvVarName`'s message (RelaxedEnvironmentVariableValidation is on by default
/// since 1.32 and locked on since 1.34).
const ENV_NAME_MSG: &str = "a valid environment variable name must consist only of printable ASCII characters other than '='";

fn env_name_errors(name: &str, path: &str, errs: &mut Vec<FieldError>) {
    if name.chars().any(|c| !(' '..='~').contains(&c) || c == '=') {
        errs.push(FieldError::invalid(
            path,
            Value::String(name.into()),
            ENV_NAME_MSG,
        ));
    }
}

/// `ValidateEnv`, and `validateEnvVarValueFrom`'s count of sources.
fn env(vars: &[Value], path: &str, errs: &mut Vec<FieldError>) {
    for (i, var) in vars.iter().enumerate() {
        let at = format!("{path}[{i}]");
        let name = str_of(var, "name");
        if name.is_empty() {
            errs.push(FieldError::required(format!("{at}.name"), ""));
        } else {
            env_name_errors(name, &format!("{at}.name"), errs);
        }
        let Some(from) = var.get("valueFrom").and_then(Value::as_object) else {
            continue;
        };
        let sources = [
            "fieldRef",
            "resourceFieldRef",
            "configMapKeyRef",
            "secretKeyRef",
        ]
        .iter()
        .filter(|k| from.get(**k).is_some_and(|v| !v.is_null()))
        .count();
        let detail = if sources == 0 {
            "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"
        } else if !str_of(var, "value").is_empty() {
            "may not be specified when `value` is not empty"
        } else if sources > 1 {
            "may not have more than one field specified at a time"
        } else {
            continue;
        };
        errs.push(FieldError::invalid(
            format!("{at}.valueFrom"),
            Value::String(String::new()),
            detail,
        ));
    }
}

/// `ValidateEnvFrom`: the prefix, and exactly one source (reported on the list itself).
fn env_from(sources: &[Value], path: &str, errs: &mut Vec<FieldError>) {
    for (i, source) in sources.iter().enumerate() {
        let prefix = str_of(source, "prefix");
        if !prefix.is_empty() {
            env_name_errors(prefix, &format!("{path}[{i}].prefix"), errs);
        }
        let count = ["configMapRef", "secretRef"]
            .iter()
            .filter(|k| source.get(**k).is_some_and(|v| !v.is_null()))
            .count();
        let detail = match count {
            0 => "must specify one of: `configMapRef` or `secretRef`",
            1 => continue,
            _ => "may not have more than one field specified at a time",
        };
        errs.push(FieldError::invalid(
            path,
            Value::String(String::new()),
            detail,
        ));
    }
}

/// `ValidateVolumeMounts`: name, known volume, mount path, unique mount paths.
fn volume_mounts(
    mounts: &[Value],
    volumes: &BTreeSet<String>,
    path: &str,
    errs: &mut Vec<FieldError>,
) {
    let mut paths = BTreeSet::new();
    for (i, mount) in mounts.iter().enumerate() {
        let at = format!("{path}[{i}]");
        let name = str_of(mount, "name");
        if name.is_empty() {
            errs.push(FieldError::required(format!("{at}.name"), ""));
        }
        if !volumes.contains(name) {
            errs.push(FieldError::new(
                FieldErrorType::NotFound,
                format!("{at}.name"),
                Some(Value::String(name.into())),
                "",
            ));
        }
        let mount_path = str_of(mount, "mountPath");
        if mount_path.is_empty() {
            errs.push(FieldError::required(format!("{at}.mountPath"), ""));
        }
        if !paths.insert(mount_path) {
            errs.push(FieldError::invalid(
                format!("{at}.mountPath"),
                Value::String(mount_path.into()),
                "must be unique",
            ));
        }
    }
}

/// `validateResourceRequirements` with `validateContainerResourceName`: names, negative
/// quantities, and requests against limits (equal for resources that cannot be
/// overcommitted). Maps are walked in key order (Go's is random).
fn resources(resources: Option<&Value>, path: &str, errs: &mut Vec<FieldError>) {
    let empty = Map::new();
    let of = |key: &str| {
        resources
            .and_then(|r| r.get(key))
            .and_then(Value::as_object)
            .unwrap_or(&empty)
    };
    let (limits, requests) = (of("limits"), of("requests"));
    let (lim_path, req_path) = (format!("{path}.limits"), format!("{path}.requests"));
    for (name, quantity) in limits {
        let at = format!("{lim_path}[{name}]");
        resource_name(name, &at, errs);
        nonnegative_quantity(quantity, &at, errs);
    }
    for (name, quantity) in requests {
        let at = format!("{req_path}[{name}]");
        resource_name(name, &at, errs);
        nonnegative_quantity(quantity, &at, errs);
        let request = quantity.as_str().unwrap_or_default();
        match limits.get(name).and_then(Value::as_str) {
            Some(limit) => {
                let order = compare_quantities(request, limit);
                if order.is_some_and(Ordering::is_ne) && !overcommit_allowed(name) {
                    errs.push(FieldError::invalid(
                        &req_path,
                        Value::String(request.into()),
                        format!("must be equal to {name} limit of {limit}"),
                    ));
                } else if order == Some(Ordering::Greater) {
                    errs.push(FieldError::invalid(
                        &req_path,
                        Value::String(request.into()),
                        format!("must be less than or equal to {name} limit of {limit}"),
                    ));
                }
            }
            None if !overcommit_allowed(name) => errs.push(FieldError::required(
                &lim_path,
                "Limit must be set for non overcommitable resources",
            )),
            None => {}
        }
    }
}

fn nonnegative_quantity(quantity: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let text = quantity.as_str().unwrap_or_default();
    if compare_quantities(text, "0") == Some(Ordering::Less) {
        errs.push(FieldError::invalid(
            path,
            Value::String(text.into()),
            "must be greater than or equal to 0",
        ));
    }
}

/// `helper.IsNativeResource`: no domain, or a `kubernetes.io/` one.
fn is_native(name: &str) -> bool {
    !name.contains('/') || name.contains("kubernetes.io/")
}

/// `helper.IsOvercommitAllowed`: native resources other than huge pages.
fn overcommit_allowed(name: &str) -> bool {
    is_native(name) && !name.starts_with("hugepages-")
}

/// `validateContainerResourceName`.
fn resource_name(name: &str, path: &str, errs: &mut Vec<FieldError>) {
    let msgs = meta::qualified_name_errors(name);
    if !msgs.is_empty() {
        for m in msgs {
            errs.push(FieldError::invalid(path, Value::String(name.into()), m));
        }
        return;
    }
    let standard =
        matches!(name, "cpu" | "memory" | "ephemeral-storage") || name.starts_with("hugepages-");
    if !name.contains('/') {
        if !standard {
            errs.push(FieldError::invalid(
                path,
                Value::String(name.into()),
                "must be a standard resource for containers",
            ));
        }
    } else if !is_native(name) && !is_extended(name) {
        errs.push(FieldError::invalid(
            path,
            Value::String(name.into()),
            "doesn't follow extended resource name standard",
        ));
    }
}

/// `helper.IsExtendedResourceName`: not native, not `requests.`-prefixed, and a valid
/// quota resource name once so prefixed.
fn is_extended(name: &str) -> bool {
    !is_native(name)
        && !name.starts_with("requests.")
        && meta::qualified_name_errors(&format!("requests.{name}")).is_empty()
}
