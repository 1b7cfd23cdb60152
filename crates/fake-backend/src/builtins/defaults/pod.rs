//! Pod and pod-template defaults: `SetDefaults_Pod`, `SetDefaults_PodSpec`,
//! `SetDefaults_Container`, `SetDefaults_Volume`, `SetDefaults_Probe`, … of
//! `pkg/apis/core/v1/defaults.go`, walked as `SetObjectDefaults_Pod` /
//! `SetObjectDefaults_PodTemplate` of `pkg/apis/core/v1/zz_generated.defaults.go` do
//! (Kubernetes 1.35, `ImageVolume` on).

use serde_json::{Map, Value, json};

use super::{child, each, ensure_obj, is_nil, is_zero, set_default, set_default_zero, str_of};

/// `SetObjectDefaults_Pod`: the Pod-only defaults, then the pod spec's.
pub(super) fn pod(root: &mut Map<String, Value>) {
    let Some(spec) = child(root, "spec") else {
        return;
    };
    // SetDefaults_Pod: requests default to limits, for containers and init containers
    // (not for templates: only a Pod gets these).
    for list in ["containers", "initContainers"] {
        each(spec, list, requests_from_limits);
    }
    set_default(spec, "enableServiceLinks", Value::Bool(true));
    if spec.get("hostNetwork").and_then(Value::as_bool) == Some(true) {
        for list in ["containers", "initContainers"] {
            each(spec, list, |c| {
                each(c, "ports", |p| {
                    if is_zero(p, "hostPort")
                        && let Some(port) = p.get("containerPort").filter(|v| v.is_number())
                    {
                        let port = port.clone();
                        p.insert("hostPort".into(), port);
                    }
                });
            });
        }
    }
    pod_spec(spec);
}

/// A `PodTemplateSpec` (`template` of PodTemplate and of every workload): the pod spec's
/// defaults, without the Pod-only ones.
pub(crate) fn template(template: &mut Map<String, Value>) {
    if let Some(spec) = child(template, "spec") {
        pod_spec(spec);
    }
}

/// Copies each limit missing from `resources.requests` into it.
fn requests_from_limits(container: &mut Map<String, Value>) {
    let Some(resources) = child(container, "resources") else {
        return;
    };
    let Some(Value::Object(limits)) = resources.get("limits").cloned() else {
        return;
    };
    if limits.is_empty() {
        return;
    }
    let Some(requests) = ensure_obj(resources, "requests") else {
        return;
    };
    for (name, quantity) in limits {
        requests.entry(name).or_insert(quantity);
    }
}

/// `SetDefaults_PodSpec` and the spec's nested defaults (volumes, containers).
fn pod_spec(spec: &mut Map<String, Value>) {
    service_account_alias(spec);
    set_default_zero(spec, "dnsPolicy", Value::from("ClusterFirst"));
    set_default_zero(spec, "restartPolicy", Value::from("Always"));
    set_default(spec, "securityContext", json!({}));
    set_default(spec, "terminationGracePeriodSeconds", Value::from(30));
    set_default_zero(spec, "schedulerName", Value::from("default-scheduler"));
    each(spec, "volumes", volume);
    for list in ["initContainers", "containers", "ephemeralContainers"] {
        each(spec, list, container);
    }
}

/// `SetDefaults_Container` (and `SetDefaults_EphemeralContainer`) with the defaults of the
/// container's ports, env, probes and lifecycle handlers.
fn container(c: &mut Map<String, Value>) {
    if is_zero(c, "imagePullPolicy") {
        let policy = pull_policy(str_of(c, "image"));
        c.insert("imagePullPolicy".into(), Value::from(policy));
    }
    set_default_zero(
        c,
        "terminationMessagePath",
        Value::from("/dev/termination-log"),
    );
    set_default_zero(c, "terminationMessagePolicy", Value::from("File"));
    each(c, "ports", |p| {
        set_default_zero(p, "protocol", Value::from("TCP"))
    });
    each(c, "env", |e| {
        if let Some(field_ref) = child(e, "valueFrom").and_then(|v| child(v, "fieldRef")) {
            field_selector(field_ref);
        }
    });
    for probe_key in ["livenessProbe", "readinessProbe", "startupProbe"] {
        if let Some(p) = child(c, probe_key) {
            probe(p);
        }
    }
    if let Some(lifecycle) = child(c, "lifecycle") {
        for hook in ["postStart", "preStop"] {
            if let Some(get) = child(lifecycle, hook).and_then(|h| child(h, "httpGet")) {
                http_get(get);
            }
        }
    }
}

/// `SetDefaults_Probe`, with its handler's `SetDefaults_HTTPGetAction` and the gRPC
/// `service` default (`""`).
fn probe(p: &mut Map<String, Value>) {
    set_default_zero(p, "timeoutSeconds", Value::from(1));
    set_default_zero(p, "periodSeconds", Value::from(10));
    set_default_zero(p, "successThreshold", Value::from(1));
    set_default_zero(p, "failureThreshold", Value::from(3));
    if let Some(get) = child(p, "httpGet") {
        http_get(get);
    }
    if let Some(grpc) = child(p, "grpc") {
        set_default(grpc, "service", Value::from(""));
    }
}

/// `SetDefaults_HTTPGetAction`.
fn http_get(get: &mut Map<String, Value>) {
    set_default_zero(get, "path", Value::from("/"));
    set_default_zero(get, "scheme", Value::from("HTTP"));
}

/// `SetDefaults_ObjectFieldSelector`.
fn field_selector(selector: &mut Map<String, Value>) {
    set_default_zero(selector, "apiVersion", Value::from("v1"));
}

/// The volume sources a `v1.VolumeSource` can hold: with none of them set,
/// `SetDefaults_Volume` makes the volume an `emptyDir`.
const VOLUME_SOURCES: &[&str] = &[
    "hostPath",
    "emptyDir",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "persistentVolumeClaim",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "downwardAPI",
    "fc",
    "azureFile",
    "configMap",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "projected",
    "portworxVolume",
    "scaleIO",
    "storageos",
    "csi",
    "ephemeral",
    "image",
];

/// `SetDefaults_Volume` and the defaults of its source.
fn volume(v: &mut Map<String, Value>) {
    if VOLUME_SOURCES.iter().all(|s| is_nil(v, s)) {
        v.insert("emptyDir".into(), json!({}));
    }
    if let Some(image) = child(v, "image")
        && is_zero(image, "pullPolicy")
    {
        let policy = pull_policy(str_of(image, "reference"));
        image.insert("pullPolicy".into(), Value::from(policy));
    }
    if let Some(host_path) = child(v, "hostPath") {
        set_default(host_path, "type", Value::from(""));
    }
    for source in ["secret", "configMap", "downwardAPI", "projected"] {
        if let Some(s) = child(v, source) {
            set_default(s, "defaultMode", Value::from(420));
        }
    }
    if let Some(items) = child(v, "downwardAPI") {
        downward_items(items);
    }
    if let Some(projected) = child(v, "projected") {
        each(projected, "sources", |s| {
            if let Some(d) = child(s, "downwardAPI") {
                downward_items(d);
            }
            if let Some(token) = child(s, "serviceAccountToken") {
                set_default(token, "expirationSeconds", Value::from(3600));
            }
        });
    }
    if let Some(iscsi) = child(v, "iscsi") {
        iscsi_source(iscsi);
    }
    if let Some(rbd) = child(v, "rbd") {
        rbd_source(rbd);
    }
    if let Some(spec) = child(v, "ephemeral")
        .and_then(|e| child(e, "volumeClaimTemplate"))
        .and_then(|t| child(t, "spec"))
    {
        super::core::claim_spec(spec);
    }
}

/// The `fieldRef` defaults of a downward API volume's items.
fn downward_items(source: &mut Map<String, Value>) {
    each(source, "items", |item| {
        if let Some(field_ref) = child(item, "fieldRef") {
            field_selector(field_ref);
        }
    });
}

/// The declarative defaults of an iSCSI volume source (`iscsiInterface: default`).
pub(super) fn iscsi_source(s: &mut Map<String, Value>) {
    set_default_zero(s, "iscsiInterface", Value::from("default"));
}

/// The declarative defaults of an RBD volume source.
pub(super) fn rbd_source(s: &mut Map<String, Value>) {
    set_default_zero(s, "pool", Value::from("rbd"));
    set_default_zero(s, "user", Value::from("admin"));
    set_default_zero(s, "keyring", Value::from("/etc/ceph/keyring"));
}

/// The pull policy `SetDefaults_Container` gives an image: `Always` when its tag (per
/// `parsers.ParseImageName` of pkg/util/parsers) is `latest`, which it also is when the
/// reference has neither tag nor digest; `IfNotPresent` otherwise, including for a
/// reference that does not parse.
pub(super) fn pull_policy(image: &str) -> &'static str {
    if image_tag(image).as_deref() == Some("latest") {
        "Always"
    } else {
        "IfNotPresent"
    }
}

/// The tag `parsers.ParseImageName` finds in `image` (`None` when it does not parse): the
/// written tag, or `latest` when there is neither a tag nor a digest.
fn image_tag(image: &str) -> Option<String> {
    let (name_tag, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    if let Some(d) = digest
        && !valid_digest(d)
    {
        return None;
    }
    let last_slash = name_tag.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match name_tag[last_slash..].rfind(':') {
        Some(i) => {
            let at = last_slash + i;
            (&name_tag[..at], Some(&name_tag[at + 1..]))
        }
        None => (name_tag, None),
    };
    if !valid_name(name) {
        return None;
    }
    match tag {
        Some(t) if !valid_tag(t) => None,
        Some(t) => Some(t.to_string()),
        None if digest.is_some() => Some(String::new()),
        None => Some("latest".into()),
    }
}

/// A digest: `algorithm:hex` with at least 32 hex digits.
fn valid_digest(d: &str) -> bool {
    let Some((algo, hex)) = d.split_once(':') else {
        return false;
    };
    !algo.is_empty()
        && algo.starts_with(|c: char| c.is_ascii_alphabetic())
        && algo
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '.'))
        && hex.len() >= 32
        && hex.chars().all(|c| c.is_ascii_hexdigit())
}

/// A tag: `[\w][\w.-]{0,127}`.
fn valid_tag(t: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    !t.is_empty()
        && t.len() <= 128
        && t.starts_with(word)
        && t.chars().all(|c| word(c) || matches!(c, '.' | '-'))
}

/// A repository name: an optional domain (a first component with `.` or `:`, or
/// `localhost`, or with upper case) and lower-case path components separated by `/`; not
/// a 64-hex identifier; at most 255 characters.
fn valid_name(name: &str) -> bool {
    if name.is_empty() || name.len() > 255 {
        return false;
    }
    if name.len() == 64 && name.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')) {
        return false;
    }
    let mut parts: Vec<&str> = name.split('/').collect();
    if parts.len() > 1 {
        let first = parts[0];
        let is_domain = first.contains(['.', ':'])
            || first == "localhost"
            || first.chars().any(|c| c.is_ascii_uppercase());
        if is_domain {
            let host = first.split(':').next().unwrap_or_default();
            let port_ok = first
                .split_once(':')
                .is_none_or(|(_, p)| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
            let host_ok = !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'));
            if !host_ok || !port_ok {
                return false;
            }
            parts.remove(0);
        }
    }
    parts.iter().all(|p| valid_component(p))
}

/// A path component: `[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*`.
fn valid_component(p: &str) -> bool {
    let alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    if !p.starts_with(alnum) || !p.ends_with(alnum) {
        return false;
    }
    let mut sep = String::new();
    for c in p.chars() {
        if alnum(c) {
            if !(sep.is_empty()
                || sep == "."
                || sep == "_"
                || sep == "__"
                || sep.chars().all(|s| s == '-'))
            {
                return false;
            }
            sep.clear();
        } else if matches!(c, '.' | '_' | '-') {
            sep.push(c);
        } else {
            return false;
        }
    }
    true
}

/// The v1 conversion of a pod spec (`Convert_v1_PodSpec_To_core_PodSpec` and back): the
/// deprecated `serviceAccount` names the account when `serviceAccountName` does not, and is
/// written back as whatever `serviceAccountName` is (both left out when empty). Done with the
/// decode-time defaults, since the server converts every body it decodes.
fn service_account_alias(spec: &mut Map<String, Value>) {
    let text = |v: Option<&Value>| match v {
        None | Some(Value::Null) => Some(String::new()),
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => None,
    };
    // A field of another type is validation's to refuse.
    let (Some(name), Some(alias)) = (
        text(spec.get("serviceAccountName")),
        text(spec.get("serviceAccount")),
    ) else {
        return;
    };
    let name = if name.is_empty() { alias } else { name };
    if name.is_empty() {
        spec.remove("serviceAccountName");
        spec.remove("serviceAccount");
    } else {
        spec.insert("serviceAccountName".into(), Value::String(name.clone()));
        spec.insert("serviceAccount".into(), Value::String(name));
    }
}

/// The v1 conversion of a Pod's status (`Convert_v1_PodStatus_To_core_PodStatus` and back):
/// `podIP` and `hostIP` are the first of `podIPs` and `hostIPs`; given alone, or differing
/// from the list's first, the single address makes the list.
pub(super) fn status_addresses(root: &mut Map<String, Value>) {
    let Some(status) = child(root, "status") else {
        return;
    };
    for (single, list) in [("podIP", "podIPs"), ("hostIP", "hostIPs")] {
        first_of_list(
            status,
            single,
            list,
            |ip| json!({"ip": ip}),
            |item| item.get("ip").and_then(Value::as_str).map(str::to_string),
        );
    }
}

/// A singular field kept as the first item of its plural (the dual-stack conversions): the
/// singular wins when both are given and differ, fills an empty list, and is set from the
/// list's first item otherwise. `wrap` makes a list item of a value, `unwrap` reads one.
pub(super) fn first_of_list(
    map: &mut Map<String, Value>,
    single: &str,
    list: &str,
    wrap: impl Fn(&str) -> Value,
    unwrap: impl Fn(&Value) -> Option<String>,
) {
    let one = match map.get(single) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return,
    };
    let first = match map.get(list) {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => items.first().map(&unwrap),
        Some(_) => return,
    };
    match first {
        // Non-empty list: the singular wins when it differs, else it is set from the list.
        Some(first) if !one.is_empty() && first.as_deref() != Some(one.as_str()) => {
            map.insert(list.into(), Value::Array(vec![wrap(&one)]));
        }
        Some(Some(first)) if one.is_empty() && !first.is_empty() => {
            map.insert(single.into(), Value::String(first));
        }
        // An empty list takes the singular.
        None if !one.is_empty() => {
            map.insert(list.into(), Value::Array(vec![wrap(&one)]));
        }
        _ => {}
    }
}
