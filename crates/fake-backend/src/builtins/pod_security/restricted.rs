//! The restricted level's own checks of the Pod Security Standards, each as its
//! `policy/check_*.go` words its failure.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{
    Failure, containers, containers_phrase, is_windows, join_quote, name, plural, security, setters,
};
use crate::builtins::fields::list_of;

pub(super) fn allow_privilege_escalation(spec: &Value) -> Option<Failure> {
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

pub(super) fn capabilities_restricted(spec: &Value) -> Option<Failure> {
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
        if !list_of(caps, "drop")
            .iter()
            .any(|d| d.as_str() == Some("ALL"))
        {
            missing_drop.push(name(c));
        }
        let mut added = false;
        for cap in list_of(caps, "add") {
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

pub(super) fn restricted_volumes(spec: &Value) -> Option<Failure> {
    let has = |v: &Value, k: &str| v.get(k).is_some_and(|s| !s.is_null());
    let mut bad = Vec::new();
    let mut kinds = BTreeSet::new();
    for volume in list_of(spec, "volumes") {
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

pub(super) fn run_as_non_root(spec: &Value) -> Option<Failure> {
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

pub(super) fn run_as_user(spec: &Value) -> Option<Failure> {
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
