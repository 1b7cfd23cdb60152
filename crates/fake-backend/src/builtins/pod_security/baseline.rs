//! The baseline level's checks of the Pod Security Standards (and the seccomp check the
//! restricted level shares), each as its `policy/check_*.go` words its failure.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{
    Failure, containers, containers_phrase, is_windows, join_quote, name, plural, security, setters,
};
use crate::builtins::fields::{list_of, str_of};

pub(super) fn app_armor_profile(spec: &Value) -> Option<Failure> {
    let allowed = |p: &Value| matches!(str_of(p, "type"), "RuntimeDefault" | "Localhost");
    let mut values = BTreeSet::new();
    let pod = spec
        .get("securityContext")
        .and_then(|s| s.get("appArmorProfile"))
        .filter(|p| p.is_object() && !allowed(p));
    if let Some(p) = pod {
        values.insert(str_of(p, "type").to_string());
    }
    let mut bad = Vec::new();
    for c in containers(spec) {
        if let Some(p) = security(c, "appArmorProfile").filter(|p| !allowed(p)) {
            bad.push(name(c));
            values.insert(str_of(p, "type").to_string());
        }
    }
    let who = setters(pod.is_some(), &bad);
    if who.is_empty() {
        return None;
    }
    let values: Vec<String> = values.into_iter().collect();
    Some((
        plural(
            "forbidden AppArmor profile",
            "forbidden AppArmor profiles",
            values.len(),
        )
        .to_string(),
        format!(
            "{} must not set AppArmor profile type to {}",
            who.join(" and "),
            join_quote(&values)
        ),
    ))
}

/// The capabilities baseline allows a container to add.
const BASELINE_CAPABILITIES: [&str; 13] = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

pub(super) fn added_capabilities(c: &Value) -> &[Value] {
    security(c, "capabilities").map_or(&[][..], |caps| list_of(caps, "add"))
}

pub(super) fn capabilities_baseline(spec: &Value) -> Option<Failure> {
    let mut bad = Vec::new();
    let mut forbidden = BTreeSet::new();
    for c in containers(spec) {
        let mut valid = true;
        for cap in added_capabilities(c) {
            let cap = cap.as_str().unwrap_or("");
            if !BASELINE_CAPABILITIES.contains(&cap) {
                valid = false;
                forbidden.insert(cap.to_string());
            }
        }
        if !valid {
            bad.push(name(c));
        }
    }
    (!bad.is_empty()).then(|| {
        let forbidden: Vec<String> = forbidden.into_iter().collect();
        (
            "non-default capabilities".to_string(),
            format!(
                "{} must not include {} in securityContext.capabilities.add",
                containers_phrase(&bad),
                join_quote(&forbidden)
            ),
        )
    })
}

pub(super) fn host_namespaces(spec: &Value) -> Option<Failure> {
    let used: Vec<String> = ["hostNetwork", "hostPID", "hostIPC"]
        .into_iter()
        .filter(|k| spec.get(*k).and_then(Value::as_bool) == Some(true))
        .map(|k| format!("{k}=true"))
        .collect();
    (!used.is_empty()).then(|| ("host namespaces".to_string(), used.join(", ")))
}

pub(super) fn host_path_volumes(spec: &Value) -> Option<Failure> {
    let volumes: Vec<String> = list_of(spec, "volumes")
        .iter()
        .filter(|v| v.get("hostPath").is_some_and(|h| !h.is_null()))
        .map(name)
        .collect();
    (!volumes.is_empty()).then(|| {
        (
            "hostPath volumes".to_string(),
            format!(
                "{} {}",
                plural("volume", "volumes", volumes.len()),
                join_quote(&volumes)
            ),
        )
    })
}

pub(super) fn host_ports(spec: &Value) -> Option<Failure> {
    let mut bad = Vec::new();
    // `sets.NewString(...).List()`: sorted as strings.
    let mut ports = BTreeSet::new();
    for c in containers(spec) {
        let mut valid = true;
        for port in list_of(c, "ports") {
            let host = port.get("hostPort").and_then(Value::as_i64).unwrap_or(0);
            if host != 0 {
                valid = false;
                ports.insert(host.to_string());
            }
        }
        if !valid {
            bad.push(name(c));
        }
    }
    (!bad.is_empty()).then(|| {
        let ports: Vec<String> = ports.into_iter().collect();
        (
            "hostPort".to_string(),
            format!(
                "{} {} {} {}",
                containers_phrase(&bad),
                plural("uses", "use", bad.len()),
                plural("hostPort", "hostPorts", ports.len()),
                ports.join(", ")
            ),
        )
    })
}

pub(super) fn privileged(spec: &Value) -> Option<Failure> {
    let bad: Vec<String> = containers(spec)
        .filter(|c| security(c, "privileged").and_then(Value::as_bool) == Some(true))
        .map(name)
        .collect();
    (!bad.is_empty()).then(|| {
        (
            "privileged".to_string(),
            format!(
                "{} must not set securityContext.privileged=true",
                containers_phrase(&bad)
            ),
        )
    })
}

pub(super) fn proc_mount(spec: &Value) -> Option<Failure> {
    let mut bad = Vec::new();
    let mut kinds = BTreeSet::new();
    for c in containers(spec) {
        if let Some(mount) = security(c, "procMount").and_then(Value::as_str)
            && mount != "Default"
        {
            bad.push(name(c));
            kinds.insert(mount.to_string());
        }
    }
    (!bad.is_empty()).then(|| {
        let kinds: Vec<String> = kinds.into_iter().collect();
        (
            "procMount".to_string(),
            format!(
                "{} must not set securityContext.procMount to {}",
                containers_phrase(&bad),
                join_quote(&kinds)
            ),
        )
    })
}

/// The seccomp profile types both levels allow.
pub(super) fn valid_seccomp(profile: &Value) -> bool {
    matches!(str_of(profile, "type"), "Localhost" | "RuntimeDefault")
}

/// `seccompProfileBaseline_1_19` and, when `restricted`, `seccompProfileRestricted_1_25`
/// (which also requires a profile, from the pod or each container).
pub(super) fn seccomp_profile(spec: &Value, restricted: bool) -> Option<Failure> {
    if restricted && is_windows(spec) {
        return None;
    }
    let mut values = BTreeSet::new();
    let pod_profile = spec
        .get("securityContext")
        .and_then(|s| s.get("seccompProfile"))
        .filter(|p| !p.is_null());
    let pod_bad = pod_profile.is_some_and(|p| !valid_seccomp(p));
    if let Some(p) = pod_profile.filter(|_| pod_bad) {
        values.insert(str_of(p, "type").to_string());
    }
    let pod_set = pod_profile.is_some() && !pod_bad;
    let (mut explicit, mut implicit) = (Vec::new(), Vec::new());
    for c in containers(spec) {
        match security(c, "seccompProfile") {
            Some(p) if !valid_seccomp(p) => {
                explicit.push(name(c));
                values.insert(str_of(p, "type").to_string());
            }
            Some(_) => {}
            None if !pod_set => implicit.push(name(c)),
            None => {}
        }
    }
    let who = setters(pod_bad, &explicit);
    if !who.is_empty() {
        let values: Vec<String> = values.into_iter().collect();
        return Some((
            "seccompProfile".to_string(),
            format!(
                "{} must not set securityContext.seccompProfile.type to {}",
                who.join(" and "),
                join_quote(&values)
            ),
        ));
    }
    (restricted && !implicit.is_empty()).then(|| {
        (
            "seccompProfile".to_string(),
            format!(
                "pod or {} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"",
                containers_phrase(&implicit)
            ),
        )
    })
}

pub(super) fn windows_host_process(spec: &Value) -> Option<Failure> {
    let host_process = |sc: Option<&Value>| {
        sc.and_then(|s| s.get("windowsOptions"))
            .and_then(|w| w.get("hostProcess"))
            .and_then(Value::as_bool)
            == Some(true)
    };
    let bad: Vec<String> = containers(spec)
        .filter(|c| host_process(c.get("securityContext")))
        .map(name)
        .collect();
    let who = setters(host_process(spec.get("securityContext")), &bad);
    (!who.is_empty()).then(|| {
        (
            "hostProcess".to_string(),
            format!(
                "{} must not set securityContext.windowsOptions.hostProcess=true",
                who.join(" and ")
            ),
        )
    })
}
