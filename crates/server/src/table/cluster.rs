//! Cluster and configuration kinds: printers.go's `printNode` (status, roles, the wide
//! addresses and node info), `printNamespace`, `printSecret`, `printConfigMap`,
//! `printServiceAccount`, `printResourceQuota`, `printLease`, `printPriorityClass`,
//! `printRuntimeClass` and `printCertificateSigningRequest`.

use std::collections::BTreeSet;

use k8s_openapi::jiff::Timestamp;
use serde_json::{Value, json};

use super::fields::{self, list, string};
use super::format::{age, human_duration, quantity};
use super::{AGE, Col, NAME, Printer, Row, boolean, descriptions as d, integer, text};

/// `nodeColumnDefinitions`.
const NODE_COLUMNS: &[Col] = &[
    NAME,
    text("Status", "The status of the node"),
    text("Roles", "The roles of the node"),
    AGE,
    text("Version", d::NODE_KUBELET),
    text("Internal-IP", d::NODE_ADDRESSES).wide(),
    text("External-IP", d::NODE_ADDRESSES).wide(),
    text("OS-Image", d::NODE_OS).wide(),
    text("Kernel-Version", d::NODE_KERNEL).wide(),
    text("Container-Runtime", d::NODE_RUNTIME).wide(),
];

/// The Node printer.
pub(super) const NODE: Printer = Printer::new(NODE_COLUMNS, print_node);

/// `namespaceColumnDefinitions`.
const NAMESPACE_COLUMNS: &[Col] = &[NAME, text("Status", "The status of the namespace"), AGE];

/// The Namespace printer.
pub(super) const NAMESPACE: Printer = Printer::new(NAMESPACE_COLUMNS, print_namespace);

/// `secretColumnDefinitions` (Data is a `string` column holding a number, as on the server).
const SECRET_COLUMNS: &[Col] = &[
    NAME,
    text("Type", d::SECRET_TYPE),
    text("Data", d::SECRET_DATA),
    AGE,
];

/// The Secret printer.
pub(super) const SECRET: Printer = Printer::new(SECRET_COLUMNS, print_secret);

/// `configMapColumnDefinitions` (Data is a `string` column holding a number).
const CONFIG_MAP_COLUMNS: &[Col] = &[NAME, text("Data", d::CM_DATA), AGE];

/// The ConfigMap printer.
pub(super) const CONFIG_MAP: Printer = Printer::new(CONFIG_MAP_COLUMNS, print_config_map);

/// `serviceAccountColumnDefinitions` (Secrets is a `string` column holding a number).
const SERVICE_ACCOUNT_COLUMNS: &[Col] = &[NAME, text("Secrets", d::SA_SECRETS), AGE];

/// The ServiceAccount printer.
pub(super) const SERVICE_ACCOUNT: Printer =
    Printer::new(SERVICE_ACCOUNT_COLUMNS, print_service_account);

/// `resourceQuotaColumnDefinitions`.
const RESOURCE_QUOTA_COLUMNS: &[Col] = &[
    NAME,
    text(
        "Request",
        "Request represents a minimum amount of cpu/memory that a container may consume.",
    ),
    text(
        "Limit",
        "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.",
    ),
    AGE,
];

/// The ResourceQuota printer.
pub(super) const RESOURCE_QUOTA: Printer =
    Printer::new(RESOURCE_QUOTA_COLUMNS, print_resource_quota);

/// `leaseColumnDefinitions`.
const LEASE_COLUMNS: &[Col] = &[NAME, text("Holder", d::LEASE_HOLDER), AGE];

/// The Lease printer.
pub(super) const LEASE: Printer = Printer::new(LEASE_COLUMNS, print_lease);

/// `priorityClassColumnDefinitions` (PreemptionPolicy has priority 0 on the server).
const PRIORITY_CLASS_COLUMNS: &[Col] = &[
    NAME,
    integer("Value", d::PC_VALUE),
    boolean("Global-Default", d::PC_DEFAULT),
    AGE,
    text("PreemptionPolicy", d::PC_PREEMPTION),
];

/// The PriorityClass printer.
pub(super) const PRIORITY_CLASS: Printer =
    Printer::new(PRIORITY_CLASS_COLUMNS, print_priority_class);

/// `runtimeClassColumnDefinitions`: Handler's description is `ObjectMeta`'s (absent)
/// `handler` doc, empty.
const RUNTIME_CLASS_COLUMNS: &[Col] = &[NAME, text("Handler", ""), AGE];

/// The RuntimeClass printer.
pub(super) const RUNTIME_CLASS: Printer = Printer::new(RUNTIME_CLASS_COLUMNS, print_runtime_class);

/// `certificateSigningRequestColumnDefinitions`.
const CSR_COLUMNS: &[Col] = &[
    NAME,
    AGE,
    text("SignerName", d::CSR_SIGNER),
    text("Requestor", d::CSR_REQUEST),
    text("RequestedDuration", d::CSR_EXPIRATION),
    text("Condition", d::CSR_CONDITIONS),
];

/// The CertificateSigningRequest printer.
pub(super) const CERTIFICATE_SIGNING_REQUEST: Printer = Printer::new(CSR_COLUMNS, print_csr);

/// `labelNodeRolePrefix`.
const NODE_ROLE_PREFIX: &str = "node-role.kubernetes.io/";

/// `findNodeRoles`: `node-role.kubernetes.io/<role>` label keys and `kubernetes.io/role`
/// label values, sorted.
fn node_roles(node: &Value) -> String {
    let roles: BTreeSet<&str> = fields::entries(node, "metadata.labels")
        .into_iter()
        .filter_map(|(k, v)| match k.strip_prefix(NODE_ROLE_PREFIX) {
            Some(role) if !role.is_empty() => Some(role),
            Some(_) => None,
            None => (k == "kubernetes.io/role" && !v.is_empty()).then_some(v),
        })
        .collect();
    roles.into_iter().collect::<Vec<_>>().join(",")
}

/// The first address of that type, `<none>` without one.
fn node_address<'a>(node: &'a Value, kind: &str) -> &'a str {
    list(node, "status.addresses")
        .iter()
        .find(|a| string(a, "type") == kind)
        .map_or("<none>", |a| string(a, "address"))
}

/// `printNode`.
fn print_node(node: &Value, now: Timestamp) -> Row {
    // The last `Ready` condition (printers.go keeps conditions in a map by type).
    let ready = list(node, "status.conditions")
        .iter()
        .rev()
        .find(|c| string(c, "type") == "Ready");
    let mut status = vec![match ready {
        Some(c) if string(c, "status") == "True" => "Ready",
        Some(_) => "NotReady",
        None => "Unknown",
    }];
    if fields::boolean(node, "spec.unschedulable") {
        status.push("SchedulingDisabled");
    }
    let roles = match node_roles(node) {
        r if r.is_empty() => "<none>".to_string(),
        r => r,
    };
    let info = |key: &str| match string(node, &format!("status.nodeInfo.{key}")) {
        "" => "<unknown>",
        v => v,
    };
    vec![
        json!(fields::name(node)),
        json!(status.join(",")),
        json!(roles),
        json!(age(node, now)),
        json!(string(node, "status.nodeInfo.kubeletVersion")),
        json!(node_address(node, "InternalIP")),
        json!(node_address(node, "ExternalIP")),
        json!(info("osImage")),
        json!(info("kernelVersion")),
        json!(info("containerRuntimeVersion")),
    ]
    .into()
}

/// `printNamespace`.
fn print_namespace(obj: &Value, now: Timestamp) -> Row {
    vec![
        json!(fields::name(obj)),
        json!(string(obj, "status.phase")),
        json!(age(obj, now)),
    ]
    .into()
}

/// `printSecret`: the number of `data` keys.
fn print_secret(obj: &Value, now: Timestamp) -> Row {
    vec![
        json!(fields::name(obj)),
        json!(string(obj, "type")),
        json!(fields::len(obj, "data")),
        json!(age(obj, now)),
    ]
    .into()
}

/// `printConfigMap`: the number of `data` and `binaryData` keys.
fn print_config_map(obj: &Value, now: Timestamp) -> Row {
    vec![
        json!(fields::name(obj)),
        json!(fields::len(obj, "data") + fields::len(obj, "binaryData")),
        json!(age(obj, now)),
    ]
    .into()
}

/// `printServiceAccount`: the number of listed secrets.
fn print_service_account(obj: &Value, now: Timestamp) -> Row {
    vec![
        json!(fields::name(obj)),
        json!(fields::len(obj, "secrets")),
        json!(age(obj, now)),
    ]
    .into()
}

/// `printResourceQuota`: `resource: used/hard` for every hard limit in name order, the
/// `limits.*` ones in the Limit column.
fn print_resource_quota(obj: &Value, now: Timestamp) -> Row {
    let hard = fields::map(obj, "status.hard");
    let used = fields::map(obj, "status.used");
    let mut names: Vec<&String> = hard.map_or_else(Vec::new, |h| h.keys().collect());
    names.sort();
    let (mut requests, mut limits) = (Vec::new(), Vec::new());
    for name in names {
        let entry = format!(
            "{name}: {}/{}",
            quantity(used.and_then(|u| u.get(name.as_str()))),
            quantity(hard.and_then(|h| h.get(name.as_str())))
        );
        let mut pieces = name.split('.');
        if pieces.next() == Some("limits") && pieces.next().is_some() {
            limits.push(entry);
        } else {
            requests.push(entry);
        }
    }
    vec![
        json!(fields::name(obj)),
        json!(requests.join(", ")),
        json!(limits.join(", ")),
        json!(age(obj, now)),
    ]
    .into()
}

/// `printLease`.
fn print_lease(obj: &Value, now: Timestamp) -> Row {
    vec![
        json!(fields::name(obj)),
        json!(string(obj, "spec.holderIdentity")),
        json!(age(obj, now)),
    ]
    .into()
}

/// `printPriorityClass`.
fn print_priority_class(obj: &Value, now: Timestamp) -> Row {
    vec![
        json!(fields::name(obj)),
        json!(fields::int(obj, "value")),
        json!(fields::boolean(obj, "globalDefault")),
        json!(age(obj, now)),
        json!(string(obj, "preemptionPolicy")),
    ]
    .into()
}

/// `printRuntimeClass`.
fn print_runtime_class(obj: &Value, now: Timestamp) -> Row {
    vec![
        json!(fields::name(obj)),
        json!(string(obj, "handler")),
        json!(age(obj, now)),
    ]
    .into()
}

/// `extractCSRStatus`: Denied, Approved or Pending, then `,Failed` and `,Issued`.
fn csr_status(obj: &Value) -> String {
    let conditions = list(obj, "status.conditions");
    let has = |kind: &str| conditions.iter().any(|c| string(c, "type") == kind);
    let mut status = if has("Denied") {
        "Denied".to_string()
    } else if has("Approved") {
        "Approved".to_string()
    } else {
        "Pending".to_string()
    };
    if has("Failed") {
        status.push_str(",Failed");
    }
    if !string(obj, "status.certificate").is_empty() {
        status.push_str(",Issued");
    }
    status
}

/// `printCertificateSigningRequest`.
fn print_csr(obj: &Value, now: Timestamp) -> Row {
    let signer = match string(obj, "spec.signerName") {
        "" => "<none>",
        s => s,
    };
    let duration = fields::opt_int(obj, "spec.expirationSeconds")
        .map_or_else(|| "<none>".to_string(), human_duration);
    vec![
        json!(fields::name(obj)),
        json!(age(obj, now)),
        json!(signer),
        json!(string(obj, "spec.username")),
        json!(duration),
        json!(csr_status(obj)),
    ]
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::table::tests::now;

    #[test]
    fn node_roles_and_status() {
        let node = json!({"metadata": {"name": "n1", "creationTimestamp": "2024-04-20T12:00:00Z",
                "labels": {"node-role.kubernetes.io/control-plane": "", "node-role.kubernetes.io/": "x",
                           "kubernetes.io/role": "master", "node-role.kubernetes.io/etcd": "true"}},
            "spec": {"unschedulable": true},
            "status": {"conditions": [{"type": "MemoryPressure", "status": "False"},
                                      {"type": "Ready", "status": "True"}],
                "addresses": [{"type": "Hostname", "address": "n1"}, {"type": "InternalIP", "address": "172.18.0.2"}],
                "nodeInfo": {"kubeletVersion": "v1.35.0", "osImage": "Debian GNU/Linux 12",
                             "containerRuntimeVersion": "containerd://2.1.0"}}});
        assert_eq!(
            print_node(&node, now()).cells,
            [
                json!("n1"),
                json!("Ready,SchedulingDisabled"),
                json!("control-plane,etcd,master"),
                json!("11d"),
                json!("v1.35.0"),
                json!("172.18.0.2"),
                json!("<none>"),
                json!("Debian GNU/Linux 12"),
                json!("<unknown>"),
                json!("containerd://2.1.0"),
            ]
        );
        let not_ready = json!({"status": {"conditions": [{"type": "Ready", "status": "Unknown"}]}});
        assert_eq!(
            print_node(&not_ready, now()).cells[1..3],
            [json!("NotReady"), json!("<none>")]
        );
        assert_eq!(print_node(&json!({"spec": 1}), now()).cells[1], "Unknown");
    }

    #[test]
    fn config_kinds() {
        let secret =
            json!({"metadata": {"name": "s"}, "type": "Opaque", "data": {"a": "", "b": ""}});
        assert_eq!(
            print_secret(&secret, now()).cells[1..3],
            [json!("Opaque"), json!(2)]
        );
        let cm = json!({"data": {"a": "1"}, "binaryData": {"b": ""}});
        assert_eq!(print_config_map(&cm, now()).cells[1], 2);
        let sa = json!({"secrets": [{"name": "t"}]});
        assert_eq!(print_service_account(&sa, now()).cells[1], 1);
        let ns = json!({"status": {"phase": "Terminating"}});
        assert_eq!(print_namespace(&ns, now()).cells[1], "Terminating");
    }

    #[test]
    fn quotas_leases_classes_and_csrs() {
        let quota = json!({"status": {
            "hard": {"pods": "10", "requests.cpu": "1", "limits.memory": "2Gi", "limits": "3"},
            "used": {"pods": "2", "limits.memory": "512Mi"}}});
        assert_eq!(
            print_resource_quota(&quota, now()).cells[1..3],
            [
                json!("limits: 0/3, pods: 2/10, requests.cpu: 0/1"),
                json!("limits.memory: 512Mi/2Gi")
            ]
        );
        let lease = json!({"spec": {"holderIdentity": "node-1"}});
        assert_eq!(print_lease(&lease, now()).cells[1], "node-1");
        let pc = json!({"value": 1000, "globalDefault": true, "preemptionPolicy": "Never"});
        assert_eq!(
            print_priority_class(&pc, now()).cells[1..5],
            [json!(1000), json!(true), json!("<unknown>"), json!("Never")]
        );
        let rc = json!({"handler": "runc"});
        assert_eq!(print_runtime_class(&rc, now()).cells[1], "runc");
        let csr = json!({"spec": {"signerName": "kubernetes.io/kube-apiserver-client", "username": "alice",
            "expirationSeconds": 86400},
            "status": {"conditions": [{"type": "Approved"}, {"type": "Failed"}], "certificate": "Zm9v"}});
        assert_eq!(
            print_csr(&csr, now()).cells[2..6],
            [
                json!("kubernetes.io/kube-apiserver-client"),
                json!("alice"),
                json!("24h"),
                json!("Approved,Failed,Issued"),
            ]
        );
        assert_eq!(
            print_csr(&json!({}), now()).cells[2..6],
            [
                json!("<none>"),
                json!(""),
                json!("<none>"),
                json!("Pending")
            ]
        );
    }
}
