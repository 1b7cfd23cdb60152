//! The `PodSecurity` admission plugin's enforcement (k8s.io/pod-security-admission,
//! Kubernetes 1.35): a Pod created in, or updated with new images in, a namespace labelled
//! `pod-security.kubernetes.io/enforce: baseline|restricted` is refused with 403
//! `violates PodSecurity "restricted:latest": <reason> (<detail>), …` when it breaks the
//! level's checks. Written by hand: no crate reproduces the Pod Security Standards.
//!
//! Checks are run in the plugin's order: the baseline checks by ID, then (for restricted)
//! the restricted ones by ID, a restricted check replacing the baseline check it overrides.
//! Reproduced: baseline `appArmorProfile` (the fields, not the deprecated annotations),
//! `capabilities_baseline`, `hostNamespaces`, `hostPathVolumes`, `hostPorts`, `privileged`,
//! `procMount`, `seccompProfile_baseline`, `windowsHostProcess`; restricted
//! `allowPrivilegeEscalation`, `capabilities_restricted`, `procMount_restricted`,
//! `restrictedVolumes`, `runAsNonRoot`, `runAsUser`, `seccompProfile_restricted` (Windows
//! Pods exempt from the three Linux-only ones). Not reproduced (see `docs/semantics.md`):
//! `hostProbesAndHostLifecycle`, `seLinuxOptions`, `sysctls`, version pinning
//! (`enforce-version` other than `latest` is evaluated as `latest`), and the `warn` and
//! `audit` modes.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::cluster::State;
use crate::store::{self, JsonRead};

/// A check's outcome when it fails: the reason and its detail.
type Failure = (String, String);

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn items<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice)
}

/// `joinQuote`.
fn join_quote<S: AsRef<str>>(items: &[S]) -> String {
    if items.is_empty() {
        return String::new();
    }
    let parts: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    format!("\"{}\"", parts.join("\", \""))
}

/// `pluralize`.
fn plural<'a>(singular: &'a str, plural: &'a str, count: usize) -> &'a str {
    if count == 1 { singular } else { plural }
}

/// `<container|containers> "a", "b"`.
fn containers_phrase<S: AsRef<str>>(names: &[S]) -> String {
    format!(
        "{} {}",
        plural("container", "containers", names.len()),
        join_quote(names)
    )
}

/// `visitContainers`: init containers, containers, ephemeral containers.
fn containers(spec: &Value) -> impl Iterator<Item = &Value> {
    items(spec, "initContainers")
        .iter()
        .chain(items(spec, "containers"))
        .chain(items(spec, "ephemeralContainers"))
}

fn security<'a>(c: &'a Value, key: &str) -> Option<&'a Value> {
    c.get("securityContext")
        .and_then(|s| s.get(key))
        .filter(|v| !v.is_null())
}

fn name(c: &Value) -> String {
    text(c, "name").to_string()
}

/// Whether the Pod declares itself a Windows Pod (`spec.os.name`), which the Linux-only
/// restricted checks exempt since 1.25.
fn is_windows(spec: &Value) -> bool {
    spec.get("os").map(|os| text(os, "name")) == Some("windows")
}

/// `setters must not set …`: "pod", "container[s] …" joined by " and ".
fn setters(pod: bool, bad: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    if pod {
        out.push("pod".to_string());
    }
    if !bad.is_empty() {
        out.push(containers_phrase(bad));
    }
    out
}

fn app_armor_profile(spec: &Value) -> Option<Failure> {
    let allowed = |p: &Value| matches!(text(p, "type"), "RuntimeDefault" | "Localhost");
    let mut values = BTreeSet::new();
    let pod = spec
        .get("securityContext")
        .and_then(|s| s.get("appArmorProfile"))
        .filter(|p| p.is_object() && !allowed(p));
    if let Some(p) = pod {
        values.insert(text(p, "type").to_string());
    }
    let mut bad = Vec::new();
    for c in containers(spec) {
        if let Some(p) = security(c, "appArmorProfile").filter(|p| !allowed(p)) {
            bad.push(name(c));
            values.insert(text(p, "type").to_string());
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

fn added_capabilities(c: &Value) -> &[Value] {
    security(c, "capabilities").map_or(&[][..], |caps| items(caps, "add"))
}

fn capabilities_baseline(spec: &Value) -> Option<Failure> {
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

fn host_namespaces(spec: &Value) -> Option<Failure> {
    let used: Vec<String> = ["hostNetwork", "hostPID", "hostIPC"]
        .into_iter()
        .filter(|k| spec.get(*k).and_then(Value::as_bool) == Some(true))
        .map(|k| format!("{k}=true"))
        .collect();
    (!used.is_empty()).then(|| ("host namespaces".to_string(), used.join(", ")))
}

fn host_path_volumes(spec: &Value) -> Option<Failure> {
    let volumes: Vec<String> = items(spec, "volumes")
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

fn host_ports(spec: &Value) -> Option<Failure> {
    let mut bad = Vec::new();
    // `sets.NewString(...).List()`: sorted as strings.
    let mut ports = BTreeSet::new();
    for c in containers(spec) {
        let mut valid = true;
        for port in items(c, "ports") {
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

fn privileged(spec: &Value) -> Option<Failure> {
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

fn proc_mount(spec: &Value) -> Option<Failure> {
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
fn valid_seccomp(profile: &Value) -> bool {
    matches!(text(profile, "type"), "Localhost" | "RuntimeDefault")
}

/// `seccompProfileBaseline_1_19` and, when `restricted`, `seccompProfileRestricted_1_25`
/// (which also requires a profile, from the pod or each container).
fn seccomp_profile(spec: &Value, restricted: bool) -> Option<Failure> {
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
        values.insert(text(p, "type").to_string());
    }
    let pod_set = pod_profile.is_some() && !pod_bad;
    let (mut explicit, mut implicit) = (Vec::new(), Vec::new());
    for c in containers(spec) {
        match security(c, "seccompProfile") {
            Some(p) if !valid_seccomp(p) => {
                explicit.push(name(c));
                values.insert(text(p, "type").to_string());
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

fn windows_host_process(spec: &Value) -> Option<Failure> {
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

fn allow_privilege_escalation(spec: &Value) -> Option<Failure> {
    if is_windows(spec) {
        return None;
    }
    let bad: Vec<String> = containers(spec)
        .filter(|c| security(c, "allowPrivilegeEscalation").and_then(Value::as_bool) != Some(false))
        .map(name)
        .collect();
    (!bad.is_empty()).then(|| {
        (
            "allowPrivilegeEscalation != false".to_string(),
            format!(
                "{} must set securityContext.allowPrivilegeEscalation=false",
                containers_phrase(&bad)
            ),
        )
    })
}

fn capabilities_restricted(spec: &Value) -> Option<Failure> {
    if is_windows(spec) {
        return None;
    }
    let (mut missing_drop, mut adding) = (Vec::new(), Vec::new());
    let mut forbidden = BTreeSet::new();
    for c in containers(spec) {
        let Some(caps) = security(c, "capabilities") else {
            missing_drop.push(name(c));
            continue;
        };
        if !items(caps, "drop")
            .iter()
            .any(|d| d.as_str() == Some("ALL"))
        {
            missing_drop.push(name(c));
        }
        let mut added = false;
        for cap in items(caps, "add") {
            let cap = cap.as_str().unwrap_or("");
            if cap != "NET_BIND_SERVICE" {
                added = true;
                forbidden.insert(cap.to_string());
            }
        }
        if added {
            adding.push(name(c));
        }
    }
    let mut details = Vec::new();
    if !missing_drop.is_empty() {
        details.push(format!(
            "{} must set securityContext.capabilities.drop=[\"ALL\"]",
            containers_phrase(&missing_drop)
        ));
    }
    if !adding.is_empty() {
        let forbidden: Vec<String> = forbidden.into_iter().collect();
        details.push(format!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_phrase(&adding),
            join_quote(&forbidden)
        ));
    }
    (!details.is_empty()).then(|| ("unrestricted capabilities".to_string(), details.join("; ")))
}

/// The volume sources restricted allows.
const RESTRICTED_ALLOWED: [&str; 8] = [
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

/// The sources restricted refuses, in `restrictedVolumes_1_0`'s order.
const RESTRICTED_REFUSED: [&str; 21] = [
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
];

fn restricted_volumes(spec: &Value) -> Option<Failure> {
    let has = |v: &Value, k: &str| v.get(k).is_some_and(|s| !s.is_null());
    let mut bad = Vec::new();
    let mut kinds = BTreeSet::new();
    for volume in items(spec, "volumes") {
        if RESTRICTED_ALLOWED.iter().any(|k| has(volume, k)) {
            continue;
        }
        bad.push(name(volume));
        let kind = RESTRICTED_REFUSED
            .iter()
            .find(|k| has(volume, k))
            .map_or("unknown", |k| *k);
        kinds.insert(kind.to_string());
    }
    (!bad.is_empty()).then(|| {
        let kinds: Vec<String> = kinds.into_iter().collect();
        (
            "restricted volume types".to_string(),
            format!(
                "{} {} {} {} {}",
                plural("volume", "volumes", bad.len()),
                join_quote(&bad),
                plural("uses", "use", bad.len()),
                plural(
                    "restricted volume type",
                    "restricted volume types",
                    kinds.len()
                ),
                join_quote(&kinds)
            ),
        )
    })
}

fn run_as_non_root(spec: &Value) -> Option<Failure> {
    let pod = spec
        .get("securityContext")
        .and_then(|s| s.get("runAsNonRoot"))
        .and_then(Value::as_bool);
    let (mut explicit, mut implicit) = (Vec::new(), Vec::new());
    for c in containers(spec) {
        match security(c, "runAsNonRoot").and_then(Value::as_bool) {
            Some(false) => explicit.push(name(c)),
            Some(true) => {}
            None if pod != Some(true) => implicit.push(name(c)),
            None => {}
        }
    }
    let who = setters(pod == Some(false), &explicit);
    if !who.is_empty() {
        return Some((
            "runAsNonRoot != true".to_string(),
            format!(
                "{} must not set securityContext.runAsNonRoot=false",
                who.join(" and ")
            ),
        ));
    }
    (!implicit.is_empty()).then(|| {
        (
            "runAsNonRoot != true".to_string(),
            format!(
                "pod or {} must set securityContext.runAsNonRoot=true",
                containers_phrase(&implicit)
            ),
        )
    })
}

fn run_as_user(spec: &Value) -> Option<Failure> {
    let root = |v: Option<&Value>| v.and_then(Value::as_i64) == Some(0);
    let pod = root(spec.get("securityContext").and_then(|s| s.get("runAsUser")));
    let bad: Vec<String> = containers(spec)
        .filter(|c| root(security(c, "runAsUser")))
        .map(name)
        .collect();
    let who = setters(pod, &bad);
    (!who.is_empty()).then(|| {
        (
            "runAsUser=0".to_string(),
            format!("{} must not set runAsUser=0", who.join(" and ")),
        )
    })
}

/// The enforced level of the Pod's namespace (`PolicyToEvaluate`): `None` for privileged.
/// An unparsable level is evaluated as restricted, as the plugin fails closed; the version
/// label is read for the message only.
fn enforced_level(st: &State, namespace: &str) -> Option<(bool, String)> {
    let stored = st.store.get("/namespaces", &store::key("", namespace))?;
    let view = stored.view();
    let labels = view.get("metadata").and_then(|m| m.get("labels"))?;
    let level = labels
        .get("pod-security.kubernetes.io/enforce")
        .and_then(JsonRead::as_str)?;
    let version = labels
        .get("pod-security.kubernetes.io/enforce-version")
        .and_then(JsonRead::as_str)
        .filter(|v| *v == "latest" || parse_version(v))
        .unwrap_or("latest");
    let restricted = match level {
        "privileged" => return None,
        "baseline" => false,
        _ => true,
    };
    let name = if restricted { "restricted" } else { "baseline" };
    Some((restricted, format!("{name}:{version}")))
}

/// `ParseVersion`'s `v1.<minor>`.
fn parse_version(v: &str) -> bool {
    v.strip_prefix("v1.")
        .is_some_and(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()))
}

/// The message of a Pod the namespace's enforced level refuses, `None` when allowed.
/// `old` is the stored Pod on update: an update that changes no image is not evaluated
/// (`isSignificantPodUpdate`).
pub(super) fn violation(
    st: &State,
    namespace: &str,
    obj: &Value,
    old: Option<&Value>,
) -> Option<String> {
    let (restricted, policy) = enforced_level(st, namespace)?;
    let empty = Value::Object(Map::new());
    let spec = obj.get("spec").unwrap_or(&empty);
    if let Some(old) = old {
        let images = |pod: &Value| -> Vec<String> {
            let spec = pod.get("spec").unwrap_or(&Value::Null);
            containers(spec)
                .map(|c| text(c, "image").to_string())
                .collect()
        };
        if images(obj) == images(old) {
            return None;
        }
    }
    let mut checks: Vec<fn(&Value) -> Option<Failure>> = vec![app_armor_profile];
    if !restricted {
        checks.push(capabilities_baseline);
    }
    checks.push(host_namespaces);
    if !restricted {
        checks.push(host_path_volumes);
    }
    checks.push(host_ports);
    checks.push(privileged);
    if !restricted {
        checks.push(proc_mount);
        checks.push(|s| seccomp_profile(s, false));
    }
    checks.push(windows_host_process);
    if restricted {
        checks.extend([
            allow_privilege_escalation as fn(&Value) -> Option<Failure>,
            capabilities_restricted,
            proc_mount,
            restricted_volumes,
            run_as_non_root,
            run_as_user,
            |s| seccomp_profile(s, true),
        ]);
    }
    let failures: Vec<String> = checks
        .iter()
        .filter_map(|check| check(spec))
        .map(|(reason, detail)| {
            if detail.is_empty() {
                reason
            } else {
                format!("{reason} ({detail})")
            }
        })
        .collect();
    (!failures.is_empty())
        .then(|| format!("violates PodSecurity {policy:?}: {}", failures.join(", ")))
}
