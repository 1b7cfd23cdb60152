//! Hand-kept tables from the Go types' tags that the generated type graph cannot carry.
//!
//! - Strategic merge patch merges a list only where the Go field has `patchStrategy:"merge"`
//!   (kubernetes/api `core/v1/types.go`, `apps/v1/types.go`, `batch/v1/types.go`,
//!   `meta/v1/types.go`, …). Every other list is replaced.
//! - Server-side apply keys some associative lists by more than the patch merge key
//!   (`x-kubernetes-list-map-keys`), e.g. container ports by `containerPort` and `protocol`.
//! - Some structs are `+structType=atomic` (owned and replaced as a whole by apply).

use super::typeinfo::ListKind;

/// The strategic-merge-patch strategy of a list field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SmpList {
    /// Merge items of objects by this key.
    MergeByKey(&'static str),
    /// Merge a list of scalars as a set (deduplicated union).
    MergeScalars,
}

/// `(type, field, merge key)`; an empty key merges a list of scalars.
const SMP_MERGE: &[(&str, &str, &str)] = &[
    ("meta.v1.ObjectMeta", "ownerReferences", "uid"),
    ("meta.v1.ObjectMeta", "finalizers", ""),
    ("core.v1.PodSpec", "containers", "name"),
    ("core.v1.PodSpec", "initContainers", "name"),
    ("core.v1.PodSpec", "ephemeralContainers", "name"),
    ("core.v1.PodSpec", "volumes", "name"),
    ("core.v1.PodSpec", "imagePullSecrets", "name"),
    ("core.v1.PodSpec", "hostAliases", "ip"),
    (
        "core.v1.PodSpec",
        "topologySpreadConstraints",
        "topologyKey",
    ),
    ("core.v1.PodSpec", "schedulingGates", "name"),
    ("core.v1.PodSpec", "resourceClaims", "name"),
    ("core.v1.Container", "ports", "containerPort"),
    ("core.v1.Container", "env", "name"),
    ("core.v1.Container", "volumeMounts", "mountPath"),
    ("core.v1.Container", "volumeDevices", "devicePath"),
    ("core.v1.EphemeralContainer", "ports", "containerPort"),
    ("core.v1.EphemeralContainer", "env", "name"),
    ("core.v1.EphemeralContainer", "volumeMounts", "mountPath"),
    ("core.v1.EphemeralContainer", "volumeDevices", "devicePath"),
    ("core.v1.PodStatus", "podIPs", "ip"),
    ("core.v1.PodStatus", "hostIPs", "ip"),
    ("core.v1.PodStatus", "resourceClaimStatuses", "name"),
    ("core.v1.NodeStatus", "addresses", "type"),
    ("core.v1.NodeSpec", "podCIDRs", ""),
    ("core.v1.ServiceSpec", "ports", "port"),
    ("core.v1.ServiceAccount", "secrets", "name"),
];

/// The strategic merge strategy of `ty.field`: `None` replaces the list.
///
/// Every `conditions` list keyed by `type` (NodeStatus, PodStatus, DeploymentStatus, JobStatus,
/// ServiceStatus, … — all tagged `patchMergeKey=type`) merges by `type`.
pub(crate) fn smp_list(ty: &str, field: &str, ssa_kind: Option<&ListKind>) -> Option<SmpList> {
    if let Some((_, _, key)) = SMP_MERGE.iter().find(|(t, f, _)| *t == ty && *f == field) {
        return Some(if key.is_empty() {
            SmpList::MergeScalars
        } else {
            SmpList::MergeByKey(key)
        });
    }
    if field == "conditions" && matches!(ssa_kind, Some(ListKind::Map(k)) if k == &["type"]) {
        return Some(SmpList::MergeByKey("type"));
    }
    None
}

static CONTAINER_PORT_KEYS: std::sync::LazyLock<ListKind> =
    std::sync::LazyLock::new(|| ListKind::Map(vec!["containerPort", "protocol"]));
static SERVICE_PORT_KEYS: std::sync::LazyLock<ListKind> =
    std::sync::LazyLock::new(|| ListKind::Map(vec!["port", "protocol"]));
static SPREAD_KEYS: std::sync::LazyLock<ListKind> =
    std::sync::LazyLock::new(|| ListKind::Map(vec!["topologyKey", "whenUnsatisfiable"]));

/// Server-side apply keys that differ from the patch merge key.
pub(crate) fn ssa_key_override(ty: &str, field: &str) -> Option<&'static ListKind> {
    match (ty, field) {
        ("core.v1.Container" | "core.v1.EphemeralContainer", "ports") => Some(&CONTAINER_PORT_KEYS),
        ("core.v1.ServiceSpec", "ports") => Some(&SERVICE_PORT_KEYS),
        ("core.v1.PodSpec", "topologySpreadConstraints") => Some(&SPREAD_KEYS),
        _ => None,
    }
}

/// Defaults the API server fills into list-map keys (`protocol` defaults to `TCP`).
pub(crate) fn key_default(key: &str) -> Option<serde_json::Value> {
    (key == "protocol").then(|| serde_json::Value::String("TCP".to_string()))
}

/// Structs tagged `+structType=atomic`.
const ATOMIC_STRUCTS: &[&str] = &[
    "meta.v1.LabelSelector",
    "core.v1.LocalObjectReference",
    "core.v1.ObjectReference",
    "core.v1.TypedLocalObjectReference",
    "core.v1.ConfigMapKeySelector",
    "core.v1.SecretKeySelector",
    "core.v1.ObjectFieldSelector",
    "core.v1.ResourceFieldSelector",
    "core.v1.NodeSelector",
    "core.v1.NodeSelectorTerm",
    "core.v1.TopologySelectorTerm",
];

/// Whether a built-in struct is owned as a whole by server-side apply.
pub(crate) fn is_atomic_struct(ty: &str) -> bool {
    ATOMIC_STRUCTS.contains(&ty)
}
