//! `meta.k8s.io/v1` Table responses (rule 54) for `kubectl get`.
//!
//! Built-in kinds get the API server's own printers: the column definitions of `AddHandlers`
//! (names, types, formats, priorities, descriptions) and the cell logic of each `print<Kind>`
//! in kubernetes/kubernetes `pkg/printers/internalversion/printers.go`, ported from the
//! 1.32-era revision of that file (the one importing `coordination/v1alpha2` for
//! LeaseCandidate, `resource/v1beta1` and MutatingAdmissionPolicy; the stored copy read for
//! this port carries no commit id), with its helpers from apimachinery (`duration`,
//! `labels`, `metav1.FormatLabelSelector`) and `pkg/apis/core/helper`. The server converts
//! with `GenerateOptions{Wide: true}`, so every row carries the wide (priority 1) cells and
//! kubectl drops those columns unless asked for `-o wide`; wide-only logic (an untruncated
//! load-balancer address) is therefore always on.
//!
//! Kinds printers.go has no handler for (Role, ClusterRole, LimitRange,
//! CustomResourceDefinition, …) get the default convertor's `Name`/`Created At`; custom
//! resources get Name plus the CRD's `additionalPrinterColumns` (Age by default, rule 50).
//!
//! Objects come from users: every printer reads fields through [`fields`], where an absent,
//! null or mistyped field is the Go zero value the printer would see, never a panic.

mod admission;
mod autoscaling;
mod cluster;
mod custom;
mod descriptions;
mod events;
mod fields;
mod format;
mod network;
mod pod;
mod rbac;
mod storage;
mod workloads;

use std::cmp::Ordering;

use k8s_openapi::jiff::Timestamp;
use kobj_fake::TypeInfo;
use serde_json::{Map, Value, json};

/// What each row's `object` holds (`includeObject`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IncludeObject {
    /// No object.
    None,
    /// A PartialObjectMetadata (the default).
    Metadata,
    /// The whole object.
    Object,
}

impl IncludeObject {
    /// From the `includeObject` query parameter.
    pub(crate) fn parse(v: Option<&str>) -> Self {
        match v {
            Some("None") => Self::None,
            Some("Object") => Self::Object,
            _ => Self::Metadata,
        }
    }
}

/// One column definition of a built-in printer, as `AddHandlers` declares it.
#[derive(Clone, Copy, Debug)]
pub(super) struct Col {
    /// The column's name (`Name`, `Ready`, …).
    name: &'static str,
    /// Its type: `string`, `integer`, `boolean`, `date`.
    kind: &'static str,
    /// Its format (`name` for the object's name column).
    format: &'static str,
    /// Its description.
    description: &'static str,
    /// 0, or 1 for the columns `kubectl get -o wide` adds.
    priority: i64,
}

/// A `string` column.
pub(super) const fn text(name: &'static str, description: &'static str) -> Col {
    Col {
        name,
        kind: "string",
        format: "",
        description,
        priority: 0,
    }
}

/// An `integer` column.
pub(super) const fn integer(name: &'static str, description: &'static str) -> Col {
    Col {
        kind: "integer",
        ..text(name, description)
    }
}

/// A `boolean` column.
pub(super) const fn boolean(name: &'static str, description: &'static str) -> Col {
    Col {
        kind: "boolean",
        ..text(name, description)
    }
}

/// The `Name` column every printer starts with (Event's is a wide one at the end).
pub(super) const NAME: Col = text("Name", descriptions::NAME).named();

/// The `Age` column.
pub(super) const AGE: Col = text("Age", descriptions::CREATED);

impl Col {
    /// The column shown by `-o wide` only (priority 1).
    pub(super) const fn wide(self) -> Self {
        Self {
            priority: 1,
            ..self
        }
    }

    /// The column with format `name`.
    pub(super) const fn named(self) -> Self {
        Self {
            format: "name",
            ..self
        }
    }
}

/// One row a printer produced.
pub(super) struct Row {
    /// The cells, one per column.
    cells: Vec<Value>,
    /// The row's `conditions` (a finished Pod's `Completed`), when it has some.
    conditions: Option<Value>,
}

impl From<Vec<Value>> for Row {
    fn from(cells: Vec<Value>) -> Self {
        Self {
            cells,
            conditions: None,
        }
    }
}

/// A built-in kind's printer: its columns and its `print<Kind>` function.
#[derive(Clone, Copy)]
pub(super) struct Printer {
    /// The column definitions.
    columns: &'static [Col],
    /// The cells of one object, given the time it is now.
    row: fn(&Value, Timestamp) -> Row,
    /// The order the list printer sorts items into (FlowSchemas), if any.
    order: Option<fn(&Value, &Value) -> Ordering>,
}

impl Printer {
    /// A printer whose rows come in the list's order.
    pub(super) const fn new(columns: &'static [Col], row: fn(&Value, Timestamp) -> Row) -> Self {
        Self {
            columns,
            row,
            order: None,
        }
    }
}

/// The printer printers.go registers for a built-in kind, if any.
fn builtin_printer(group: &str, kind: &str) -> Option<Printer> {
    let printer = match (group, kind) {
        ("", "Pod") => pod::POD,
        ("", "PodTemplate") => pod::POD_TEMPLATE,
        ("", "ReplicationController") => workloads::REPLICATION_CONTROLLER,
        ("apps", "ReplicaSet") => workloads::REPLICA_SET,
        ("apps", "Deployment") => workloads::DEPLOYMENT,
        ("apps", "StatefulSet") => workloads::STATEFUL_SET,
        ("apps", "DaemonSet") => workloads::DAEMON_SET,
        ("apps", "ControllerRevision") => workloads::CONTROLLER_REVISION,
        ("batch", "Job") => workloads::JOB,
        ("batch", "CronJob") => workloads::CRON_JOB,
        ("policy", "PodDisruptionBudget") => workloads::POD_DISRUPTION_BUDGET,
        ("autoscaling", "HorizontalPodAutoscaler") => autoscaling::HORIZONTAL_POD_AUTOSCALER,
        ("", "Service") => network::SERVICE,
        ("", "Endpoints") => network::ENDPOINTS,
        ("discovery.k8s.io", "EndpointSlice") => network::ENDPOINT_SLICE,
        ("networking.k8s.io", "Ingress") => network::INGRESS,
        ("networking.k8s.io", "IngressClass") => network::INGRESS_CLASS,
        ("networking.k8s.io", "NetworkPolicy") => network::NETWORK_POLICY,
        ("", "Node") => cluster::NODE,
        ("", "Namespace") => cluster::NAMESPACE,
        ("", "Event") => events::EVENT,
        ("events.k8s.io", "Event") => events::EVENTS_EVENT,
        ("", "Secret") => cluster::SECRET,
        ("", "ConfigMap") => cluster::CONFIG_MAP,
        ("", "ServiceAccount") => cluster::SERVICE_ACCOUNT,
        ("", "ResourceQuota") => cluster::RESOURCE_QUOTA,
        ("coordination.k8s.io", "Lease") => cluster::LEASE,
        ("scheduling.k8s.io", "PriorityClass") => cluster::PRIORITY_CLASS,
        ("node.k8s.io", "RuntimeClass") => cluster::RUNTIME_CLASS,
        ("certificates.k8s.io", "CertificateSigningRequest") => {
            cluster::CERTIFICATE_SIGNING_REQUEST
        }
        ("", "PersistentVolume") => storage::PERSISTENT_VOLUME,
        ("", "PersistentVolumeClaim") => storage::PERSISTENT_VOLUME_CLAIM,
        ("storage.k8s.io", "StorageClass") => storage::STORAGE_CLASS,
        ("storage.k8s.io", "CSIDriver") => storage::CSI_DRIVER,
        ("storage.k8s.io", "CSINode") => storage::CSI_NODE,
        ("storage.k8s.io", "VolumeAttachment") => storage::VOLUME_ATTACHMENT,
        ("rbac.authorization.k8s.io", "RoleBinding") => rbac::ROLE_BINDING,
        ("rbac.authorization.k8s.io", "ClusterRoleBinding") => rbac::CLUSTER_ROLE_BINDING,
        ("admissionregistration.k8s.io", "MutatingWebhookConfiguration") => {
            admission::MUTATING_WEBHOOK_CONFIGURATION
        }
        ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration") => {
            admission::VALIDATING_WEBHOOK_CONFIGURATION
        }
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy") => {
            admission::VALIDATING_ADMISSION_POLICY
        }
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding") => {
            admission::VALIDATING_ADMISSION_POLICY_BINDING
        }
        ("flowcontrol.apiserver.k8s.io", "FlowSchema") => admission::FLOW_SCHEMA,
        ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration") => {
            admission::PRIORITY_LEVEL_CONFIGURATION
        }
        _ => return None,
    };
    Some(printer)
}

/// A Table of `items` (objects as JSON) of type `info`, with the list metadata `meta`.
pub(crate) fn table(
    info: &TypeInfo,
    items: &[Value],
    meta: Value,
    include: IncludeObject,
    now: Timestamp,
) -> Value {
    let api = &info.resource.api;
    let (definitions, rows): (Vec<Value>, Vec<(Row, &Value)>) = if info.is_custom() {
        let cols = custom::crd_columns(info);
        let rows = items
            .iter()
            .map(|item| (Row::from(custom::crd_cells(&cols, item, now)), item))
            .collect();
        (custom::definitions(&cols), rows)
    } else if let Some(printer) = builtin_printer(&api.group, &api.kind) {
        let mut ordered: Vec<&Value> = items.iter().collect();
        if let Some(order) = printer.order {
            ordered.sort_by(|a, b| order(a, b));
        }
        let rows = ordered
            .into_iter()
            .map(|item| ((printer.row)(item, now), item))
            .collect();
        (definitions(printer.columns), rows)
    } else {
        let rows = items
            .iter()
            .map(|item| (Row::from(custom::default_cells(item)), item))
            .collect();
        (custom::default_definitions(), rows)
    };
    let rows: Vec<Value> = rows
        .into_iter()
        .map(|(row, item)| {
            let mut out = Map::new();
            out.insert("cells".into(), Value::Array(row.cells));
            if let Some(conditions) = row.conditions {
                out.insert("conditions".into(), conditions);
            }
            match include {
                IncludeObject::None => {}
                IncludeObject::Metadata => {
                    out.insert("object".into(), partial_metadata(item));
                }
                IncludeObject::Object => {
                    out.insert("object".into(), item.clone());
                }
            }
            Value::Object(out)
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": meta,
        "columnDefinitions": definitions,
        "rows": rows,
    })
}

/// One entry of a Table's `columnDefinitions`.
fn column_definition(
    name: &str,
    kind: &str,
    format: &str,
    description: &str,
    priority: i64,
) -> Value {
    json!({
        "name": name,
        "type": kind,
        "format": format,
        "description": description,
        "priority": priority,
    })
}

/// The `columnDefinitions` of a built-in printer.
fn definitions(columns: &[Col]) -> Vec<Value> {
    columns
        .iter()
        .map(|c| column_definition(c.name, c.kind, c.format, c.description, c.priority))
        .collect()
}

/// `PartialObjectMetadata` of an object.
pub(crate) fn partial_metadata(item: &Value) -> Value {
    json!({
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": item.get("metadata").cloned().unwrap_or_else(|| json!({})),
    })
}

#[cfg(test)]
mod tests;
