//! Storage: printers.go's `printPersistentVolume`, `printPersistentVolumeClaim`,
//! `printStorageClass`, `printCSIDriver`, `printCSINode` and `printVolumeAttachment`, with
//! `helper.GetAccessModesAsString`, `GetPersistentVolumeClass`/`GetPersistentVolumeClaimClass`
//! and `storageutil.IsDefaultAnnotation`.

use k8s_openapi::jiff::Timestamp;
use serde_json::{Value, json};

use super::fields::{self, at, list, string};
use super::format::{age, quantity};
use super::{AGE, Col, NAME, Printer, Row, boolean, descriptions as d, integer, text};

/// `persistentVolumeColumnDefinitions`.
const PV_COLUMNS: &[Col] = &[
    NAME,
    text("Capacity", d::PV_CAPACITY),
    text("Access Modes", d::PV_MODES),
    text("Reclaim Policy", d::PV_RECLAIM),
    text("Status", d::PV_PHASE),
    text("Claim", d::PV_CLAIM),
    text("StorageClass", "StorageClass of the pv"),
    text("VolumeAttributesClass", "VolumeAttributesClass of the pv"),
    text("Reason", d::PV_REASON),
    AGE,
    text("VolumeMode", d::PV_VOLUME_MODE).wide(),
];

/// The PersistentVolume printer.
pub(super) const PERSISTENT_VOLUME: Printer = Printer::new(PV_COLUMNS, print_pv);

/// `persistentVolumeClaimColumnDefinitions`.
const PVC_COLUMNS: &[Col] = &[
    NAME,
    text("Status", d::PVC_PHASE),
    text("Volume", d::PVC_VOLUME),
    text("Capacity", d::PVC_CAPACITY),
    text("Access Modes", d::PVC_MODES),
    text("StorageClass", "StorageClass of the pvc"),
    text("VolumeAttributesClass", "VolumeAttributesClass of the pvc"),
    AGE,
    text("VolumeMode", d::PVC_VOLUME_MODE).wide(),
];

/// The PersistentVolumeClaim printer.
pub(super) const PERSISTENT_VOLUME_CLAIM: Printer = Printer::new(PVC_COLUMNS, print_pvc);

/// `storageClassColumnDefinitions` (AllowVolumeExpansion is a `string` column holding a
/// boolean, as on the server).
const STORAGE_CLASS_COLUMNS: &[Col] = &[
    NAME,
    text("Provisioner", d::SC_PROVISIONER),
    text("ReclaimPolicy", d::SC_RECLAIM),
    text("VolumeBindingMode", d::SC_BINDING),
    text("AllowVolumeExpansion", d::SC_EXPANSION),
    AGE,
];

/// The StorageClass printer.
pub(super) const STORAGE_CLASS: Printer = Printer::new(STORAGE_CLASS_COLUMNS, print_storage_class);

/// `csiDriverColumnDefinitions`.
const CSI_DRIVER_COLUMNS: &[Col] = &[
    NAME,
    boolean("AttachRequired", d::CSI_ATTACH),
    boolean("PodInfoOnMount", d::CSI_POD_INFO),
    boolean("StorageCapacity", d::CSI_CAPACITY),
    text("TokenRequests", d::CSI_TOKENS),
    boolean("RequiresRepublish", d::CSI_REPUBLISH),
    text("Modes", d::CSI_MODES),
    AGE,
];

/// The CSIDriver printer.
pub(super) const CSI_DRIVER: Printer = Printer::new(CSI_DRIVER_COLUMNS, print_csi_driver);

/// `csiNodeColumnDefinitions`.
const CSI_NODE_COLUMNS: &[Col] = &[
    NAME,
    integer(
        "Drivers",
        "Drivers indicates the number of CSI drivers registered on the node",
    ),
    AGE,
];

/// The CSINode printer.
pub(super) const CSI_NODE: Printer = Printer::new(CSI_NODE_COLUMNS, print_csi_node);

/// `volumeAttachmentColumnDefinitions` (Attacher has format `name`, as on the server).
const VOLUME_ATTACHMENT_COLUMNS: &[Col] = &[
    NAME,
    text("Attacher", d::VA_ATTACHER).named(),
    text("PV", d::VA_PV),
    text("Node", d::VA_NODE),
    boolean("Attached", d::VA_ATTACHED),
    AGE,
];

/// The VolumeAttachment printer.
pub(super) const VOLUME_ATTACHMENT: Printer =
    Printer::new(VOLUME_ATTACHMENT_COLUMNS, print_volume_attachment);

/// `core.BetaStorageClassAnnotation`, read before the spec's class.
const BETA_STORAGE_CLASS: &str = "volume.beta.kubernetes.io/storage-class";

/// `helper.GetAccessModesAsString`: `RWO,ROX,RWX,RWOP` for the modes present.
fn access_modes(obj: &Value, path: &str) -> String {
    let modes = list(obj, path);
    let has = |mode: &str| modes.iter().any(|m| m.as_str() == Some(mode));
    [
        ("ReadWriteOnce", "RWO"),
        ("ReadOnlyMany", "ROX"),
        ("ReadWriteMany", "RWX"),
        ("ReadWriteOncePod", "RWOP"),
    ]
    .iter()
    .filter(|(mode, _)| has(mode))
    .map(|(_, short)| *short)
    .collect::<Vec<_>>()
    .join(",")
}

/// A `*string` field, `<unset>` when nil.
fn or_unset<'a>(obj: &'a Value, path: &str) -> &'a str {
    fields::opt_string(obj, path).unwrap_or("<unset>")
}

/// The phase, `Terminating` while the object is being deleted.
fn phase(obj: &Value) -> &str {
    if fields::deleting(obj) {
        "Terminating"
    } else {
        string(obj, "status.phase")
    }
}

/// `printPersistentVolume`.
fn print_pv(obj: &Value, now: Timestamp) -> Row {
    let claim = fields::object(obj, "spec.claimRef").map_or_else(String::new, |c| {
        format!("{}/{}", string(c, "namespace"), string(c, "name"))
    });
    let class = fields::entry(obj, "metadata.annotations", BETA_STORAGE_CLASS)
        .unwrap_or_else(|| string(obj, "spec.storageClassName"));
    vec![
        json!(fields::name(obj)),
        json!(quantity(at(obj, "spec.capacity.storage"))),
        json!(access_modes(obj, "spec.accessModes")),
        json!(string(obj, "spec.persistentVolumeReclaimPolicy")),
        json!(phase(obj)),
        json!(claim),
        json!(class),
        json!(or_unset(obj, "spec.volumeAttributesClassName")),
        json!(string(obj, "status.reason")),
        json!(age(obj, now)),
        json!(or_unset(obj, "spec.volumeMode")),
    ]
    .into()
}

/// `printPersistentVolumeClaim`: capacity and access modes only once bound to a volume.
fn print_pvc(obj: &Value, now: Timestamp) -> Row {
    let volume = string(obj, "spec.volumeName");
    let (capacity, modes) = if volume.is_empty() {
        (String::new(), String::new())
    } else {
        (
            quantity(at(obj, "status.capacity.storage")),
            access_modes(obj, "status.accessModes"),
        )
    };
    let class = fields::entry(obj, "metadata.annotations", BETA_STORAGE_CLASS)
        .or_else(|| fields::opt_string(obj, "spec.storageClassName"))
        .unwrap_or("");
    vec![
        json!(fields::name(obj)),
        json!(phase(obj)),
        json!(volume),
        json!(capacity),
        json!(modes),
        json!(class),
        json!(or_unset(obj, "spec.volumeAttributesClassName")),
        json!(age(obj, now)),
        json!(or_unset(obj, "spec.volumeMode")),
    ]
    .into()
}

/// `printStorageClass`: ` (default)` after the name of the default class.
fn print_storage_class(obj: &Value, now: Timestamp) -> Row {
    let is_default = [
        "storageclass.kubernetes.io/is-default-class",
        "storageclass.beta.kubernetes.io/is-default-class",
    ]
    .iter()
    .any(|key| fields::entry(obj, "metadata.annotations", key) == Some("true"));
    let name = if is_default {
        format!("{} (default)", fields::name(obj))
    } else {
        fields::name(obj).to_string()
    };
    vec![
        json!(name),
        json!(string(obj, "provisioner")),
        json!(fields::opt_string(obj, "reclaimPolicy").unwrap_or("Delete")),
        json!(fields::opt_string(obj, "volumeBindingMode").unwrap_or("Immediate")),
        json!(fields::boolean(obj, "allowVolumeExpansion")),
        json!(age(obj, now)),
    ]
    .into()
}

/// `printCSIDriver`.
fn print_csi_driver(obj: &Value, now: Timestamp) -> Row {
    let modes: Vec<&str> = list(obj, "spec.volumeLifecycleModes")
        .iter()
        .map(|m| m.as_str().unwrap_or(""))
        .collect();
    let modes = if modes.join(",").is_empty() {
        "<none>".to_string()
    } else {
        modes.join(",")
    };
    let tokens = match at(obj, "spec.tokenRequests") {
        None => "<unset>".to_string(),
        Some(requests) => requests
            .as_array()
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|t| string(t, "audience"))
            .collect::<Vec<_>>()
            .join(","),
    };
    vec![
        json!(fields::name(obj)),
        json!(fields::opt_bool(obj, "spec.attachRequired").unwrap_or(true)),
        json!(fields::boolean(obj, "spec.podInfoOnMount")),
        json!(fields::boolean(obj, "spec.storageCapacity")),
        json!(tokens),
        json!(fields::boolean(obj, "spec.requiresRepublish")),
        json!(modes),
        json!(age(obj, now)),
    ]
    .into()
}

/// `printCSINode`.
fn print_csi_node(obj: &Value, now: Timestamp) -> Row {
    vec![
        json!(fields::name(obj)),
        json!(fields::len(obj, "spec.drivers")),
        json!(age(obj, now)),
    ]
    .into()
}

/// `printVolumeAttachment`.
fn print_volume_attachment(obj: &Value, now: Timestamp) -> Row {
    vec![
        json!(fields::name(obj)),
        json!(string(obj, "spec.attacher")),
        json!(string(obj, "spec.source.persistentVolumeName")),
        json!(string(obj, "spec.nodeName")),
        json!(fields::boolean(obj, "status.attached")),
        json!(age(obj, now)),
    ]
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::table::tests::now;

    #[test]
    fn persistent_volumes_and_claims() {
        let pv = json!({"metadata": {"name": "pv1", "creationTimestamp": "2024-05-01T11:00:00Z",
                "annotations": {"volume.beta.kubernetes.io/storage-class": "old"}},
            "spec": {"capacity": {"storage": "5Gi"}, "accessModes": ["ReadWriteMany", "ReadWriteOnce"],
                "persistentVolumeReclaimPolicy": "Retain", "claimRef": {"namespace": "ns", "name": "c"},
                "storageClassName": "fast", "volumeMode": "Filesystem"},
            "status": {"phase": "Bound"}});
        assert_eq!(
            print_pv(&pv, now()).cells,
            [
                json!("pv1"),
                json!("5Gi"),
                json!("RWO,RWX"),
                json!("Retain"),
                json!("Bound"),
                json!("ns/c"),
                json!("old"),
                json!("<unset>"),
                json!(""),
                json!("60m"),
                json!("Filesystem"),
            ]
        );
        assert_eq!(
            print_pv(&json!({}), now()).cells[1..11],
            [
                json!("0"),
                json!(""),
                json!(""),
                json!(""),
                json!(""),
                json!(""),
                json!("<unset>"),
                json!(""),
                json!("<unknown>"),
                json!("<unset>"),
            ]
        );
        let pending = json!({"spec": {"storageClassName": "standard",
            "resources": {"requests": {"storage": "1Gi"}}}, "status": {"phase": "Pending"}});
        assert_eq!(
            print_pvc(&pending, now()).cells[1..7],
            [
                json!("Pending"),
                json!(""),
                json!(""),
                json!(""),
                json!("standard"),
                json!("<unset>")
            ]
        );
        let bound = json!({"metadata": {"deletionTimestamp": "2024-05-01T11:00:00Z"},
            "spec": {"volumeName": "pv1", "volumeMode": "Block"},
            "status": {"phase": "Bound", "capacity": {"storage": "5Gi"}, "accessModes": ["ReadWriteOncePod"]}});
        let cells = print_pvc(&bound, now()).cells;
        assert_eq!(
            cells[1..6],
            [
                json!("Terminating"),
                json!("pv1"),
                json!("5Gi"),
                json!("RWOP"),
                json!("")
            ]
        );
        assert_eq!(cells[8], "Block");
    }

    #[test]
    fn storage_classes_and_csi() {
        let sc = json!({"metadata": {"name": "standard",
                "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
            "provisioner": "rancher.io/local-path", "volumeBindingMode": "WaitForFirstConsumer"});
        assert_eq!(
            print_storage_class(&sc, now()).cells[0..5],
            [
                json!("standard (default)"),
                json!("rancher.io/local-path"),
                json!("Delete"),
                json!("WaitForFirstConsumer"),
                json!(false),
            ]
        );
        let driver = json!({"spec": {"podInfoOnMount": true, "tokenRequests": [{"audience": "a"}, {"audience": "b"}],
            "volumeLifecycleModes": ["Persistent", "Ephemeral"]}});
        assert_eq!(
            print_csi_driver(&driver, now()).cells[1..7],
            [
                json!(true),
                json!(true),
                json!(false),
                json!("a,b"),
                json!(false),
                json!("Persistent,Ephemeral")
            ]
        );
        assert_eq!(
            print_csi_driver(&json!({}), now()).cells[4..7],
            [json!("<unset>"), json!(false), json!("<none>")]
        );
        let node = json!({"spec": {"drivers": [{"name": "x"}]}});
        assert_eq!(print_csi_node(&node, now()).cells[1], 1);
        let va = json!({"spec": {"attacher": "csi.example.com", "nodeName": "n1",
            "source": {"persistentVolumeName": "pv1"}}, "status": {"attached": true}});
        assert_eq!(
            print_volume_attachment(&va, now()).cells[1..5],
            [
                json!("csi.example.com"),
                json!("pv1"),
                json!("n1"),
                json!(true)
            ]
        );
    }
}
