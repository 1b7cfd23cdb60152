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

use serde_json::{Map, Value};

use super::fields::{list_of, str_of};
use crate::cluster::State;
use crate::store::{self, JsonRead};

mod baseline;
mod restricted;

use baseline::{
    app_armor_profile, capabilities_baseline, host_namespaces, host_path_volumes, host_ports,
    privileged, proc_mount, seccomp_profile, windows_host_process,
};
use restricted::{
    allow_privilege_escalation, capabilities_restricted, restricted_volumes, run_as_non_root,
    run_as_user,
};

/// A check's outcome when it fails: the reason and its detail.
type Failure = (String, String);

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
    list_of(spec, "initContainers")
        .iter()
        .chain(list_of(spec, "containers"))
        .chain(list_of(spec, "ephemeralContainers"))
}

fn security<'a>(c: &'a Value, key: &str) -> Option<&'a Value> {
    c.get("securityContext")
        .and_then(|s| s.get(key))
        .filter(|v| !v.is_null())
}

fn name(c: &Value) -> String {
    str_of(c, "name").to_string()
}

/// Whether the Pod declares itself a Windows Pod (`spec.os.name`), which the Linux-only
/// restricted checks exempt since 1.25.
fn is_windows(spec: &Value) -> bool {
    spec.get("os").map(|os| str_of(os, "name")) == Some("windows")
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
                .map(|c| str_of(c, "image").to_string())
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
