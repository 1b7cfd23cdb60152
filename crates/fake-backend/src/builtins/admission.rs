//! The admission plugins of kube-apiserver's default set that change or refuse objects a
//! test writes (plugin/pkg/admission/priority and defaulttolerationseconds, Kubernetes
//! 1.35), written by hand since no crate reproduces them:
//!
//! - `Priority`: a new Pod gets the priority and preemption policy of its PriorityClass (the
//!   global default class when it names none, else 0 and `PreemptLowerPriority`); a class
//!   that does not exist, or a priority or policy in the request that differs from the
//!   class's, is Forbidden. An update that leaves them out keeps the stored ones. A second
//!   `globalDefault` PriorityClass is Forbidden.
//! - `DefaultTolerationSeconds`: a Pod that does not tolerate the `not-ready` and
//!   `unreachable` NoExecute taints gets tolerations of them for 300 seconds.
//! - `PodSecurity` (validating): a Pod that breaks its namespace's enforced Pod Security
//!   level is Forbidden (`super::pod_security`).
//! - `TaintNodesByCondition`: a new Node gets the `node.kubernetes.io/not-ready` NoSchedule
//!   taint.
//!
//! Mutating plugins run after the field manager (what they set is owned by nobody) and
//! before the strategy and validation; validating ones after validation. Neither runs for
//! subresources. The `ServiceAccount` plugin (a default service account, its token volume,
//! and refusing Pods whose account does not exist) is not reproduced: the fake has no
//! controllers to create the accounts.

use kobj_core::{Error, Result};
use serde_json::{Map, Value, json};

use crate::cluster::State;
use crate::registry::TypeInfo;
use crate::store::{self, JsonRead};

use super::is;

/// Where the API server keeps its PriorityClasses.
const PRIORITY_CLASSES: &str = "scheduling.k8s.io/priorityclasses";

/// The PriorityClasses the API server creates at start-up
/// (`scheduling.SystemPriorityClasses`): name, value, description.
pub(crate) const SYSTEM_PRIORITY_CLASSES: [(&str, i64, &str); 2] = [
    (
        "system-node-critical",
        2_000_001_000,
        "Used for system critical pods that must not be moved from their current node.",
    ),
    (
        "system-cluster-critical",
        2_000_000_000,
        "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
    ),
];

/// Whether any reproduced plugin looks at objects of this type (Pods and PriorityClasses):
/// an update of another kind need not decode its stored version for them.
pub(crate) fn applies(info: &TypeInfo) -> bool {
    is(info, "", "pods") || is(info, "scheduling.k8s.io", "priorityclasses")
}

/// The mutating plugins, for a create (`old` is `None`) or an update of `obj`.
///
/// # Errors
/// 403 from `Priority`.
pub(crate) fn mutate(
    st: &State,
    info: &TypeInfo,
    obj: &mut Value,
    old: Option<&Value>,
    subresource: Option<&str>,
) -> Result<()> {
    if subresource.is_none() && old.is_none() && is(info, "", "nodes") {
        taint_nodes_by_condition(obj);
        return Ok(());
    }
    if subresource.is_some() || !is(info, "", "pods") {
        return Ok(());
    }
    let name = crate::meta::meta_str(obj, "name").to_string();
    let Some(spec) = obj.get_mut("spec").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    default_toleration_seconds(spec);
    match old {
        None => {
            pod_priority(st, info, &name, spec)?;
            pod_topology_labels(st, obj);
            Ok(())
        }
        Some(old) => {
            for key in ["priority", "preemptionPolicy"] {
                if spec.get(key).is_none_or(Value::is_null)
                    && let Some(kept) = old
                        .get("spec")
                        .and_then(|s| s.get(key))
                        .filter(|v| !v.is_null())
                {
                    spec.insert(key.into(), kept.clone());
                }
            }
            Ok(())
        }
    }
}

/// `TaintNodesByCondition`'s `Admit`: a new Node gets the `node.kubernetes.io/not-ready`
/// NoSchedule taint unless it has one with that key and effect (the node lifecycle
/// controller, which the fake does not run, takes it off once the Node is ready).
fn taint_nodes_by_condition(obj: &mut Value) {
    const KEY: &str = "node.kubernetes.io/not-ready";
    let Some(root) = obj.as_object_mut() else {
        return;
    };
    let spec = root.entry("spec").or_insert_with(|| json!({}));
    if spec.is_null() {
        *spec = json!({});
    }
    let Some(spec) = spec.as_object_mut() else {
        return;
    };
    let taints = spec.entry("taints").or_insert_with(|| json!([]));
    if taints.is_null() {
        *taints = json!([]);
    }
    let Some(taints) = taints.as_array_mut() else {
        return;
    };
    let matches = |t: &Value| {
        t.get("key").and_then(Value::as_str) == Some(KEY)
            && t.get("effect").and_then(Value::as_str) == Some("NoSchedule")
    };
    if !taints.iter().any(matches) {
        taints.push(json!({"key": KEY, "effect": "NoSchedule"}));
    }
}

/// The labels of `PodTopologyLabels` (beta, on since 1.35): these keys of a Node's labels
/// are copied onto Pods created on it and Bindings to it.
const TOPOLOGY_LABELS: [&str; 2] = [
    "topology.kubernetes.io/zone",
    "topology.kubernetes.io/region",
];

/// The topology labels of the Node `node` (none when it does not exist, as the plugin
/// ignores NotFound).
pub(crate) fn node_topology_labels(st: &State, node: &str) -> Map<String, Value> {
    let Some(stored) = st.store.get("/nodes", &crate::store::key("", node)) else {
        return Map::new();
    };
    let node = stored.value();
    let labels = node
        .get("metadata")
        .and_then(|m| m.get("labels"))
        .and_then(Value::as_object);
    TOPOLOGY_LABELS
        .iter()
        .filter_map(|k| Some(((*k).to_string(), labels?.get(*k)?.clone())))
        .collect()
}

/// `PodTopologyLabels`' `admitPod`: a Pod created with a `nodeName` gets that Node's
/// topology labels, overwriting its own.
fn pod_topology_labels(st: &State, obj: &mut Value) {
    let node = obj
        .get("spec")
        .and_then(|s| s.get("nodeName"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    if node.is_empty() {
        return;
    }
    let labels = node_topology_labels(st, node);
    if labels.is_empty() {
        return;
    }
    let target = crate::meta::meta_mut(obj)
        .entry("labels")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(target) = target {
        target.extend(labels);
    }
}

/// `DefaultTolerationSeconds`' `Admit`.
fn default_toleration_seconds(spec: &mut Map<String, Value>) {
    const NOT_READY: &str = "node.kubernetes.io/not-ready";
    const UNREACHABLE: &str = "node.kubernetes.io/unreachable";
    let tolerates = |list: &[Value], taint: &str| {
        list.iter().any(|t| {
            let text = |k: &str| t.get(k).and_then(Value::as_str).unwrap_or("");
            (text("key") == taint || text("key").is_empty())
                && (text("effect") == "NoExecute" || text("effect").is_empty())
        })
    };
    let list = spec
        .get("tolerations")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let missing: Vec<&str> = [NOT_READY, UNREACHABLE]
        .into_iter()
        .filter(|taint| !tolerates(list, taint))
        .collect();
    if missing.is_empty() {
        return;
    }
    let entry = spec
        .entry("tolerations")
        .or_insert_with(|| Value::Array(Vec::new()));
    if entry.is_null() {
        *entry = Value::Array(Vec::new());
    }
    if let Some(list) = entry.as_array_mut() {
        for taint in missing {
            list.push(json!({
                "key": taint, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300
            }));
        }
    }
}

/// A stored PriorityClass's value and preemption policy.
fn class_of(st: &State, name: &str) -> Option<(i64, Option<String>)> {
    let stored = st.store.get(PRIORITY_CLASSES, &store::key("", name))?;
    let view = stored.view();
    let value = view
        .get("value")
        .and_then(|v| v.to_value().as_i64())
        .unwrap_or(0);
    let policy = view
        .get("preemptionPolicy")
        .and_then(JsonRead::as_str)
        .map(str::to_string);
    Some((value, policy))
}

/// The global default PriorityClass (the lowest-valued one if several): name, value,
/// preemption policy.
fn default_class(st: &State) -> Option<(String, i64, Option<String>)> {
    let table = st.store.table(PRIORITY_CLASSES)?;
    let mut best: Option<(String, i64, Option<String>)> = None;
    for stored in table.values() {
        let view = stored.view();
        if view
            .get("globalDefault")
            .is_none_or(|v| v.to_value().as_bool() != Some(true))
        {
            continue;
        }
        let name = view
            .get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(JsonRead::as_str)
            .unwrap_or_default()
            .to_string();
        let value = view
            .get("value")
            .and_then(|v| v.to_value().as_i64())
            .unwrap_or(0);
        if best.as_ref().is_none_or(|(_, v, _)| value < *v) {
            let policy = view
                .get("preemptionPolicy")
                .and_then(JsonRead::as_str)
                .map(str::to_string);
            best = Some((name, value, policy));
        }
    }
    best
}

/// `Priority`'s `admitPod` on create.
fn pod_priority(
    st: &State,
    info: &TypeInfo,
    name: &str,
    spec: &mut Map<String, Value>,
) -> Result<()> {
    let class = spec
        .get("priorityClassName")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let (class_name, priority, policy) = if class.is_empty() {
        default_class(st)
            .unwrap_or_else(|| (String::new(), 0, Some("PreemptLowerPriority".to_string())))
    } else {
        let (value, policy) = class_of(st, &class).ok_or_else(|| {
            Error::forbidden(
                &info.resource,
                name,
                format!("no PriorityClass with name {class} was found"),
            )
        })?;
        (class, value, policy)
    };
    if class_name.is_empty() {
        // `omitempty`: an empty name is not stored.
        spec.remove("priorityClassName");
    } else {
        spec.insert("priorityClassName".into(), Value::String(class_name));
    }
    if let Some(given) = spec.get("priority").and_then(Value::as_i64)
        && given != priority
    {
        return Err(Error::forbidden(
            &info.resource,
            name,
            format!(
                "the integer value of priority ({given}) must not be provided in pod spec; priority admission controller computed {priority} from the given PriorityClass name"
            ),
        ));
    }
    spec.insert("priority".into(), Value::from(priority));
    if let Some(policy) = policy {
        if let Some(given) = spec.get("preemptionPolicy").and_then(Value::as_str)
            && given != policy
        {
            return Err(Error::forbidden(
                &info.resource,
                name,
                format!(
                    "the string value of PreemptionPolicy ({given}) must not be provided in pod spec; priority admission controller computed {policy} from the given PriorityClass name"
                ),
            ));
        }
        spec.insert("preemptionPolicy".into(), Value::String(policy));
    }
    Ok(())
}

/// The validating plugins, after validation: `PodSecurity`'s enforcement for Pods
/// (`super::pod_security`), and `Priority`'s check that at most one PriorityClass is the
/// global default. `old` is the stored object on update.
///
/// # Errors
/// 403 for a Pod the namespace's Pod Security level refuses, or a second default class.
pub(crate) fn validate(
    st: &State,
    info: &TypeInfo,
    obj: &Value,
    old: Option<&Value>,
    subresource: Option<&str>,
) -> Result<()> {
    // Pod Security evaluates a Pod given ephemeral containers like any other update.
    if subresource.is_some_and(|s| s != crate::verbs::EPHEMERAL_CONTAINERS) {
        return Ok(());
    }
    if is(info, "", "pods") {
        let name = crate::meta::meta_str(obj, "name");
        let namespace = crate::meta::meta_str(obj, "namespace");
        return match super::pod_security::violation(st, namespace, obj, old) {
            Some(why) => Err(Error::forbidden(&info.resource, name, why)),
            None => Ok(()),
        };
    }
    if !is(info, "scheduling.k8s.io", "priorityclasses")
        || obj.get("globalDefault").and_then(Value::as_bool) != Some(true)
    {
        return Ok(());
    }
    let name = crate::meta::meta_str(obj, "name");
    match default_class(st) {
        Some((existing, _, _)) if old.is_none() || existing != name => Err(Error::forbidden(
            &info.resource,
            name,
            format!(
                "PriorityClass {existing} is already marked as default. Only one default can exist"
            ),
        )),
        _ => Ok(()),
    }
}
