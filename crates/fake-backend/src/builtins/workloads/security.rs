//! Security contexts: `validatePodSpecSecurityContext` for the pod's and
//! `ValidateSecurityContext` for each container's (pkg/apis/core/validation/validation.go),
//! with their seccomp and AppArmor profiles and sysctls. Windows options and the SELinux
//! change policy are not checked.

use std::collections::BTreeSet;

use kobj_core::FieldError;
use serde_json::{Map, Value};

use super::pod::duplicate;
use crate::builtins::fields::{list_of, str_of};

/// `InclusiveRangeError(0, math.MaxInt32)`, the message of `IsValidUserID` and
/// `IsValidGroupID`.
const ID_RANGE_MSG: &str = "must be between 0 and 2147483647, inclusive";

/// A user or group id field: 0 to 2³¹−1.
fn id(sc: &Value, key: &str, path: &str, errs: &mut Vec<FieldError>) {
    if let Some(n) = sc.get(key).and_then(Value::as_i64) {
        id_value(n, &format!("{path}.{key}"), errs);
    }
}

fn id_value(n: i64, path: &str, errs: &mut Vec<FieldError>) {
    if !(0..=i64::from(i32::MAX)).contains(&n) {
        errs.push(FieldError::invalid(path, Value::from(n), ID_RANGE_MSG));
    }
}

/// `validatePodSpecSecurityContext` of `spec.securityContext` (reported under `path`); the
/// host namespaces it checks against (`hostPID`, `hostNetwork`, `hostIPC`) and
/// `shareProcessNamespace` are in the pod spec in v1, in the security context internally,
/// so their errors are reported under the security context, as the server does.
pub(super) fn pod_security_context(
    spec: Option<&Map<String, Value>>,
    path: &str,
    errs: &mut Vec<FieldError>,
) {
    let Some(sc) = spec
        .and_then(|s| s.get("securityContext"))
        .filter(|v| v.is_object())
    else {
        return;
    };
    let flag = |key: &str| {
        spec.and_then(|s| s.get(key))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    };
    for key in ["fsGroup", "runAsUser", "runAsGroup"] {
        id(sc, key, path, errs);
    }
    for (i, group) in list_of(sc, "supplementalGroups").iter().enumerate() {
        if let Some(n) = group.as_i64() {
            id_value(n, &format!("{path}.supplementalGroups[{i}]"), errs);
        }
    }
    if flag("shareProcessNamespace") && flag("hostPID") {
        errs.push(FieldError::invalid(
            format!("{path}.shareProcessNamespace"),
            Value::Bool(true),
            "ShareProcessNamespace and HostPID cannot both be enabled",
        ));
    }
    sysctls(
        list_of(sc, "sysctls"),
        flag("hostNetwork"),
        flag("hostIPC"),
        &format!("{path}.sysctls"),
        errs,
    );
    if let Some(policy) = sc.get("fsGroupChangePolicy").and_then(Value::as_str)
        && policy != "Always"
        && policy != "OnRootMismatch"
    {
        errs.push(FieldError::not_supported(
            format!("{path}.fsGroupChangePolicy"),
            policy,
            &["Always", "OnRootMismatch"],
        ));
    }
    seccomp_profile(
        sc.get("seccompProfile"),
        &format!("{path}.seccompProfile"),
        errs,
    );
    app_armor_profile(
        sc.get("appArmorProfile"),
        &format!("{path}.appArmorProfile"),
        errs,
    );
    if let Some(policy) = sc.get("supplementalGroupsPolicy").and_then(Value::as_str)
        && policy != "Merge"
        && policy != "Strict"
    {
        errs.push(FieldError::not_supported(
            format!("{path}.supplementalGroupsPolicy"),
            policy,
            &["Merge", "Strict"],
        ));
    }
}

/// `ValidateSecurityContext` of a container's `securityContext`; `host_users` is the pod's
/// `hostUsers` (true when unset). Privileged containers are allowed, as kubeadm and kind
/// start the server (`--allow-privileged=true`).
pub(super) fn container_security_context(
    c: &Value,
    host_users: bool,
    path: &str,
    errs: &mut Vec<FieldError>,
) {
    let Some(sc) = c.get("securityContext").filter(|v| v.is_object()) else {
        return;
    };
    let path = format!("{path}.securityContext");
    id(sc, "runAsUser", &path, errs);
    id(sc, "runAsGroup", &path, errs);
    if let Some(mount) = sc.get("procMount").and_then(Value::as_str) {
        if mount != "Default" && mount != "Unmasked" {
            errs.push(FieldError::not_supported(
                format!("{path}.procMount"),
                mount,
                &["Default", "Unmasked"],
            ));
        }
        if host_users && mount == "Unmasked" {
            errs.push(FieldError::invalid(
                format!("{path}.procMount"),
                Value::String(mount.into()),
                "`hostUsers` must be false to use `Unmasked`",
            ));
        }
    }
    seccomp_profile(
        sc.get("seccompProfile"),
        &format!("{path}.seccompProfile"),
        errs,
    );
    if sc.get("allowPrivilegeEscalation") == Some(&Value::Bool(false)) {
        if sc.get("privileged") == Some(&Value::Bool(true)) {
            errs.push(
                FieldError::invalid(
                    &path,
                    Value::Null,
                    "cannot set `allowPrivilegeEscalation` to false and `privileged` to true",
                )
                .with_value_text(security_context_text(sc)),
            );
        }
        let added = sc
            .get("capabilities")
            .map_or(&[][..], |caps| list_of(caps, "add"));
        for cap in added {
            if cap.as_str() == Some("CAP_SYS_ADMIN") {
                errs.push(
                    FieldError::invalid(
                        &path,
                        Value::Null,
                        "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN",
                    )
                    .with_value_text(security_context_text(sc)),
                );
            }
        }
    }
    app_armor_profile(
        sc.get("appArmorProfile"),
        &format!("{path}.appArmorProfile"),
        errs,
    );
}

/// `validateSeccompProfileField` with `validateSeccompProfileType`.
fn seccomp_profile(profile: Option<&Value>, path: &str, errs: &mut Vec<FieldError>) {
    let Some(profile) = profile.filter(|p| p.is_object()) else {
        return;
    };
    let kind = str_of(profile, "type");
    match kind {
        "Localhost" | "RuntimeDefault" | "Unconfined" => {}
        "" => errs.push(FieldError::required(
            format!("{path}.type"),
            "type is required when seccompProfile is set",
        )),
        other => errs.push(FieldError::not_supported(
            format!("{path}.type"),
            other,
            &["Localhost", "RuntimeDefault", "Unconfined"],
        )),
    }
    let local = profile.get("localhostProfile").and_then(Value::as_str);
    if kind == "Localhost" {
        match local {
            None => errs.push(FieldError::required(
                format!("{path}.localhostProfile"),
                "must be set when seccomp type is Localhost",
            )),
            Some(local) => {
                let at = format!("{path}.localhostProfile");
                if local.starts_with('/') {
                    errs.push(FieldError::invalid(
                        &at,
                        Value::String(local.into()),
                        "must be a relative path",
                    ));
                }
                if local.split('/').any(|part| part == "..") {
                    errs.push(FieldError::invalid(
                        &at,
                        Value::String(local.into()),
                        "must not contain '..'",
                    ));
                }
            }
        }
    } else if local.is_some() {
        errs.push(
            FieldError::invalid(
                format!("{path}.localhostProfile"),
                Value::Null,
                "can only be set when seccomp type is Localhost",
            )
            .with_value_text(profile_text(profile)),
        );
    }
}

/// `ValidateAppArmorProfileField`.
fn app_armor_profile(profile: Option<&Value>, path: &str, errs: &mut Vec<FieldError>) {
    let Some(profile) = profile.filter(|p| p.is_object()) else {
        return;
    };
    let local = profile.get("localhostProfile").and_then(Value::as_str);
    let local_path = format!("{path}.localhostProfile");
    match str_of(profile, "type") {
        "Localhost" => match local {
            None => errs.push(FieldError::required(
                &local_path,
                "must be set when AppArmor type is Localhost",
            )),
            Some(local) => {
                if local.trim() != local {
                    errs.push(FieldError::invalid(
                        &local_path,
                        Value::String(local.into()),
                        "must not be padded with whitespace",
                    ));
                } else if local.is_empty() {
                    errs.push(FieldError::required(
                        &local_path,
                        "must be set when AppArmor type is Localhost",
                    ));
                }
                if local.len() > 4095 {
                    errs.push(FieldError::new(
                        kobj_core::FieldErrorType::TooLong,
                        &local_path,
                        None,
                        "may not be more than 4095 bytes",
                    ));
                }
            }
        },
        "RuntimeDefault" | "Unconfined" => {
            if let Some(local) = local {
                errs.push(FieldError::invalid(
                    &local_path,
                    Value::String(local.into()),
                    "can only be set when AppArmor type is Localhost",
                ));
            }
        }
        "" => errs.push(FieldError::required(
            format!("{path}.type"),
            "type is required when appArmorProfile is set",
        )),
        other => errs.push(FieldError::not_supported(
            format!("{path}.type"),
            other,
            &["Localhost", "RuntimeDefault", "Unconfined"],
        )),
    }
}

/// `sysctlContainSlashRegexp` as the server prints it in its message.
const SYSCTL_REGEX: &str =
    r"^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$";

/// `IsValidSysctlName`: at most 253 characters, segments of `[a-z0-9]([-_a-z0-9]*[a-z0-9])?`
/// joined by `.` or `/`.
fn is_sysctl_name(name: &str) -> bool {
    name.len() <= 253
        && name.split(['.', '/']).all(|segment| {
            let bytes = segment.as_bytes();
            let edge = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
            bytes.first().is_some_and(edge)
                && bytes.last().is_some_and(edge)
                && bytes.iter().all(|b| edge(b) || *b == b'-' || *b == b'_')
        })
}

/// The kernel namespace of a namespaced sysctl (`utilsysctl.GetNamespace`): `net` or `ipc`.
fn sysctl_namespace(name: &str) -> Option<&'static str> {
    // A name written with slashes is read with dots (`ConvertSysctlVariableToDotsSeparator`).
    let name = name.replace('/', ".");
    const IPC: [&str; 8] = [
        "kernel.sem",
        "kernel.shmall",
        "kernel.shmmax",
        "kernel.shmmni",
        "kernel.shm_rmid_forced",
        "kernel.msgmax",
        "kernel.msgmnb",
        "kernel.msgmni",
    ];
    if name.starts_with("net.") {
        Some("net")
    } else if name.starts_with("fs.mqueue.") || IPC.contains(&name.as_str()) {
        Some("ipc")
    } else {
        None
    }
}

/// `validateSysctls` with `ValidateHostSysctl`.
fn sysctls(
    list: &[Value],
    host_network: bool,
    host_ipc: bool,
    path: &str,
    errs: &mut Vec<FieldError>,
) {
    let mut names = BTreeSet::new();
    for (i, sysctl) in list.iter().enumerate() {
        let name = str_of(sysctl, "name");
        let at = format!("{path}[{i}].name");
        if name.is_empty() {
            errs.push(FieldError::required(&at, ""));
        } else if !is_sysctl_name(name) {
            errs.push(FieldError::invalid(
                &at,
                Value::String(name.into()),
                format!("must have at most 253 characters and match regex {SYSCTL_REGEX}"),
            ));
        } else if names.contains(name) {
            errs.push(duplicate(&at, name));
        }
        match sysctl_namespace(name) {
            Some("net") if host_network => errs.push(FieldError::invalid(
                &at,
                Value::String(name.into()),
                "may not be specified when 'hostNetwork' is true",
            )),
            Some("ipc") if host_ipc => errs.push(FieldError::invalid(
                &at,
                Value::String(name.into()),
                "may not be specified when 'hostIPC' is true",
            )),
            _ => {}
        }
        names.insert(name);
    }
}

/// A JSON string or `null`, for the Go texts below.
fn text_or_null(v: Option<&Value>) -> String {
    v.filter(|v| !v.is_null())
        .map_or_else(|| "null".to_string(), Value::to_string)
}

/// An internal `SeccompProfile` or `AppArmorProfile` as the server prints it: `Type`, then
/// `LocalhostProfile`.
fn profile_text(profile: &Value) -> String {
    format!(
        "{{\"Type\":{},\"LocalhostProfile\":{}}}",
        Value::String(str_of(profile, "type").into()),
        text_or_null(profile.get("localhostProfile"))
    )
}

/// The internal `SecurityContext` as the server prints it (Go field names in declaration
/// order, every field present, unset pointers `null`).
fn security_context_text(sc: &Value) -> String {
    let field = |key: &str| text_or_null(sc.get(key));
    let capabilities = sc
        .get("capabilities")
        .filter(|c| c.is_object())
        .map_or_else(
            || "null".to_string(),
            |caps| {
                format!(
                    "{{\"Add\":{},\"Drop\":{}}}",
                    text_or_null(caps.get("add")),
                    text_or_null(caps.get("drop"))
                )
            },
        );
    let se_linux = sc
        .get("seLinuxOptions")
        .filter(|o| o.is_object())
        .map_or_else(
            || "null".to_string(),
            |o| {
                let s = |key: &str| Value::String(str_of(o, key).into()).to_string();
                format!(
                    "{{\"User\":{},\"Role\":{},\"Type\":{},\"Level\":{}}}",
                    s("user"),
                    s("role"),
                    s("type"),
                    s("level")
                )
            },
        );
    let windows = sc
        .get("windowsOptions")
        .filter(|o| o.is_object())
        .map_or_else(
            || "null".to_string(),
            |o| {
                format!(
                    "{{\"GMSACredentialSpecName\":{},\"GMSACredentialSpec\":{},\"RunAsUserName\":{},\"HostProcess\":{}}}",
                    text_or_null(o.get("gmsaCredentialSpecName")),
                    text_or_null(o.get("gmsaCredentialSpec")),
                    text_or_null(o.get("runAsUserName")),
                    text_or_null(o.get("hostProcess"))
                )
            },
        );
    let profile = |key: &str| {
        sc.get(key)
            .filter(|p| p.is_object())
            .map_or_else(|| "null".to_string(), profile_text)
    };
    format!(
        "{{\"Capabilities\":{capabilities},\"Privileged\":{},\"SELinuxOptions\":{se_linux},\
         \"WindowsOptions\":{windows},\"RunAsUser\":{},\"RunAsGroup\":{},\"RunAsNonRoot\":{},\
         \"ReadOnlyRootFilesystem\":{},\"AllowPrivilegeEscalation\":{},\"ProcMount\":{},\
         \"SeccompProfile\":{},\"AppArmorProfile\":{}}}",
        field("privileged"),
        field("runAsUser"),
        field("runAsGroup"),
        field("runAsNonRoot"),
        field("readOnlyRootFilesystem"),
        field("allowPrivilegeEscalation"),
        field("procMount"),
        profile("seccompProfile"),
        profile("appArmorProfile"),
    )
}
