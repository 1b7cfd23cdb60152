//! `ValidateVolumes` and `validateVolumeSource` (pkg/apis/core/validation/validation.go):
//! a volume's name, exactly one source, and the fields of the sources tests use (`emptyDir`,
//! `hostPath`, `gitRepo`, `secret`, `nfs`, `persistentVolumeClaim`, `downwardAPI`,
//! `configMap`, `projected`, `csi`, `ephemeral` with its claim template's spec, `image`). The in-tree cloud and storage
//! plugins (`gcePersistentDisk`, `awsElasticBlockStore`, `iscsi`, `rbd`, …) count as a
//! source, but their own fields are not checked.

use std::collections::BTreeSet;

use kobj_core::FieldError;
use serde_json::{Map, Value};

use super::pod::{dns_label, duplicate, items};
use crate::builtins::fields::{list_of, present, str_of};
use crate::builtins::quantity::compare_quantities;
use crate::meta;

/// `fileModeErrorMsg`.
const FILE_MODE_MSG: &str = "must be a number between 0 and 0777 (octal), both inclusive";

/// The sources of a `VolumeSource`, in `validateVolumeSource`'s order: the JSON key, and
/// the path its "more than 1 volume type" error is reported at (the server's spelling,
/// `downwarAPI` included).
const SOURCES: [(&str, &str); 29] = [
    ("emptyDir", "emptyDir"),
    ("hostPath", "hostPath"),
    ("gitRepo", "gitRepo"),
    ("gcePersistentDisk", "gcePersistentDisk"),
    ("awsElasticBlockStore", "awsElasticBlockStore"),
    ("secret", "secret"),
    ("nfs", "nfs"),
    ("iscsi", "iscsi"),
    ("glusterfs", "glusterfs"),
    ("flocker", "flocker"),
    ("persistentVolumeClaim", "persistentVolumeClaim"),
    ("rbd", "rbd"),
    ("cinder", "cinder"),
    ("cephfs", "cephFS"),
    ("quobyte", "quobyte"),
    ("downwardAPI", "downwarAPI"),
    ("fc", "fc"),
    ("flexVolume", "flexVolume"),
    ("configMap", "configMap"),
    ("azureFile", "azureFile"),
    ("vsphereVolume", "vsphereVolume"),
    ("photonPersistentDisk", "photonPersistentDisk"),
    ("portworxVolume", "portworxVolume"),
    ("azureDisk", "azureDisk"),
    ("storageos", "storageos"),
    ("projected", "projected"),
    ("scaleIO", "scaleIO"),
    ("csi", "csi"),
    ("ephemeral", "ephemeral"),
];

/// `ValidateVolumes`: the names of the volumes without errors, which mounts may refer to.
/// `pod` is the Pod's name, `None` for a template (the server passes no metadata then): a
/// Pod's ephemeral volumes create claims named after it.
pub(super) fn volumes(
    spec: Option<&Map<String, Value>>,
    pod: Option<&str>,
    path: &str,
    errs: &mut Vec<FieldError>,
) -> BTreeSet<String> {
    let list = items(spec, "volumes");
    let pod_name = pod.unwrap_or_default();
    let created_claims: BTreeSet<String> = if pod_name.is_empty() {
        BTreeSet::new()
    } else {
        list.iter()
            .filter(|v| present(v, "ephemeral"))
            .map(|v| format!("{pod_name}-{}", str_of(v, "name")))
            .collect()
    };
    let mut names = BTreeSet::new();
    for (i, volume) in list.iter().enumerate() {
        let at = format!("{path}[{i}]");
        let name = str_of(volume, "name");
        let name_path = format!("{at}.name");
        let mut own = Vec::new();
        volume_source(volume, &at, name, pod, &mut own);
        if name.is_empty() {
            own.push(FieldError::required(&name_path, ""));
        } else {
            dns_label(name, &name_path, &mut own);
        }
        if names.contains(name) {
            own.push(duplicate(&name_path, name));
        }
        if own.is_empty() {
            names.insert(name.to_string());
        } else {
            errs.extend(own);
        }
        let claim = volume
            .get("persistentVolumeClaim")
            .map_or("", |c| str_of(c, "claimName"));
        if created_claims.contains(claim) {
            errs.push(FieldError::invalid(
                format!("{at}.persistentVolumeClaim.claimName"),
                Value::String(claim.into()),
                "must not reference a PVC that gets created for an ephemeral volume",
            ));
        }
    }
    names
}

/// `validateVolumeSource`: exactly one source, and that source's fields.
fn volume_source(
    volume: &Value,
    path: &str,
    name: &str,
    pod: Option<&str>,
    errs: &mut Vec<FieldError>,
) {
    let pod_name = pod.unwrap_or_default();
    let mut found = false;
    for (key, reported) in SOURCES {
        let Some(source) = volume.get(key).filter(|s| !s.is_null()) else {
            continue;
        };
        if found {
            errs.push(FieldError::forbidden(
                format!("{path}.{reported}"),
                "may not specify more than 1 volume type",
            ));
            continue;
        }
        found = true;
        let at = format!("{path}.{key}");
        match key {
            "emptyDir" => empty_dir(source, &at, errs),
            "hostPath" => host_path(source, &at, errs),
            "gitRepo" => {
                if str_of(source, "repository").is_empty() {
                    errs.push(FieldError::required(format!("{at}.repository"), ""));
                }
                local_descending_path(
                    str_of(source, "directory"),
                    &format!("{at}.directory"),
                    errs,
                );
            }
            "secret" => {
                if str_of(source, "secretName").is_empty() {
                    errs.push(FieldError::required(format!("{at}.secretName"), ""));
                }
                mode(source, "defaultMode", &at, errs);
                for (i, item) in list_of(source, "items").iter().enumerate() {
                    key_to_path(item, &format!("{at}.items[{i}]"), errs);
                }
            }
            "configMap" => {
                if str_of(source, "name").is_empty() {
                    errs.push(FieldError::required(format!("{at}.name"), ""));
                }
                mode(source, "defaultMode", &at, errs);
                for (i, item) in list_of(source, "items").iter().enumerate() {
                    key_to_path(item, &format!("{at}.items[{i}]"), errs);
                }
            }
            "nfs" => {
                let nfs_path = str_of(source, "path");
                if str_of(source, "server").is_empty() {
                    errs.push(FieldError::required(format!("{at}.server"), ""));
                }
                if nfs_path.is_empty() {
                    errs.push(FieldError::required(format!("{at}.path"), ""));
                }
                if !nfs_path.starts_with('/') {
                    errs.push(FieldError::invalid(
                        format!("{at}.path"),
                        Value::String(nfs_path.into()),
                        "must be an absolute path",
                    ));
                }
            }
            "persistentVolumeClaim" if str_of(source, "claimName").is_empty() => {
                errs.push(FieldError::required(format!("{at}.claimName"), ""));
            }
            "downwardAPI" => {
                mode(source, "defaultMode", &at, errs);
                for file in list_of(source, "items") {
                    downward_api_file(file, &at, errs);
                }
            }
            "projected" => projected(source, &at, errs),
            "csi" => csi(source, &at, errs),
            "ephemeral" => {
                match source.get("volumeClaimTemplate").filter(|t| !t.is_null()) {
                    None => errs.push(FieldError::required(
                        format!("{at}.volumeClaimTemplate"),
                        "",
                    )),
                    // `ValidatePersistentVolumeClaimTemplate` (its metadata's labels and
                    // annotations are not checked).
                    Some(template) => crate::builtins::claims::claim_spec(
                        template.get("spec").unwrap_or(&Value::Null),
                        &format!("{at}.volumeClaimTemplate.spec"),
                        errs,
                    ),
                }
                if !pod_name.is_empty() && !name.is_empty() {
                    let claim = format!("{pod_name}-{name}");
                    for m in meta::dns1123_subdomain_errors(&claim) {
                        errs.push(FieldError::invalid(
                            format!("{path}.name"),
                            Value::String(name.into()),
                            format!("PVC name {claim:?}: {m}"),
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    // The image source, last in `validateVolumeSource` (not in `SOURCES`: its checks need
    // the found flag before it).
    if let Some(image) = volume.get("image").filter(|s| !s.is_null()) {
        if found {
            errs.push(FieldError::forbidden(
                format!("{path}.image"),
                "may not specify more than 1 volume type",
            ));
        } else {
            found = true;
            image_source(image, pod.is_some(), &format!("{path}.image"), errs);
        }
    }
    if !found {
        errs.push(FieldError::required(path, "must specify a volume type"));
    }
}

fn empty_dir(source: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let limit = match source.get("sizeLimit") {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return,
    };
    if compare_quantities(&limit, "0").is_some_and(std::cmp::Ordering::is_lt) {
        errs.push(FieldError::forbidden(
            format!("{path}.sizeLimit"),
            "SizeLimit field must be a valid resource quantity",
        ));
    }
}

/// `supportedHostPathTypes`, sorted as `sets.List` sorts them.
const HOST_PATH_TYPES: [&str; 8] = [
    "",
    "BlockDevice",
    "CharDevice",
    "Directory",
    "DirectoryOrCreate",
    "File",
    "FileOrCreate",
    "Socket",
];

/// `validateHostPathVolumeSource`.
fn host_path(source: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let host = str_of(source, "path");
    if host.is_empty() {
        errs.push(FieldError::required(format!("{path}.path"), ""));
        return;
    }
    no_backsteps(host, &format!("{path}.path"), errs);
    if let Some(kind) = source.get("type").and_then(Value::as_str)
        && !HOST_PATH_TYPES.contains(&kind)
    {
        errs.push(FieldError::not_supported(
            format!("{path}.type"),
            kind,
            &HOST_PATH_TYPES,
        ));
    }
}

/// `validatePathNoBacksteps`.
fn no_backsteps(target: &str, path: &str, errs: &mut Vec<FieldError>) {
    if target.split('/').any(|part| part == "..") {
        errs.push(FieldError::invalid(
            path,
            Value::String(target.into()),
            "must not contain '..'",
        ));
    }
}

/// `validateLocalDescendingPath`.
fn local_descending_path(target: &str, path: &str, errs: &mut Vec<FieldError>) {
    if target.starts_with('/') {
        errs.push(FieldError::invalid(
            path,
            Value::String(target.into()),
            "must be a relative path",
        ));
    }
    no_backsteps(target, path, errs);
}

/// `ValidateLocalNonReservedPath`.
fn local_non_reserved_path(target: &str, path: &str, errs: &mut Vec<FieldError>) {
    local_descending_path(target, path, errs);
    if target.starts_with("..") && !target.starts_with("../") {
        errs.push(FieldError::invalid(
            path,
            Value::String(target.into()),
            "must not start with '..'",
        ));
    }
}

/// A file mode field (`defaultMode`, `mode`): 0 to 0777.
fn mode(source: &Value, key: &str, path: &str, errs: &mut Vec<FieldError>) {
    if let Some(m) = source.get(key).and_then(Value::as_i64)
        && !(0..=0o777).contains(&m)
    {
        errs.push(FieldError::invalid(
            format!("{path}.{key}"),
            Value::from(m),
            FILE_MODE_MSG,
        ));
    }
}

/// `validateKeyToPath`.
fn key_to_path(item: &Value, path: &str, errs: &mut Vec<FieldError>) {
    if str_of(item, "key").is_empty() {
        errs.push(FieldError::required(format!("{path}.key"), ""));
    }
    let target = str_of(item, "path");
    if target.is_empty() {
        errs.push(FieldError::required(format!("{path}.path"), ""));
    }
    local_non_reserved_path(target, &format!("{path}.path"), errs);
    mode(item, "mode", path, errs);
}

/// `validateDownwardAPIVolumeFile`, without the checks of the selectors' own fields.
fn downward_api_file(file: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let target = str_of(file, "path");
    if target.is_empty() {
        errs.push(FieldError::required(format!("{path}.path"), ""));
    }
    local_non_reserved_path(target, &format!("{path}.path"), errs);
    match (present(file, "fieldRef"), present(file, "resourceFieldRef")) {
        (true, true) => errs.push(FieldError::invalid(
            path,
            Value::String("resource".into()),
            "fieldRef and resourceFieldRef can not be specified simultaneously",
        )),
        (false, false) => errs.push(FieldError::required(
            path,
            "one of fieldRef and resourceFieldRef is required",
        )),
        _ => {}
    }
    mode(file, "mode", path, errs);
}

/// `validateProjectedVolumeSource` and `validateProjectionSources`, less the checks of a
/// cluster trust bundle's names and selector.
fn projected(source: &Value, path: &str, errs: &mut Vec<FieldError>) {
    mode(source, "defaultMode", path, errs);
    let mut paths = BTreeSet::new();
    let mut record = |target: &str, value: &str, errs: &mut Vec<FieldError>| {
        if !paths.insert(target.to_string()) {
            errs.push(FieldError::invalid(
                path,
                Value::String(value.into()),
                "conflicting duplicate paths",
            ));
        }
    };
    for (i, projection) in list_of(source, "sources").iter().enumerate() {
        let at = format!("{path}.sources[{i}]");
        let mut count = 0;
        for key in ["secret", "configMap"] {
            let Some(object) = projection.get(key).filter(|s| !s.is_null()) else {
                continue;
            };
            count += 1;
            let object_name = str_of(object, "name");
            if object_name.is_empty() {
                errs.push(FieldError::required(format!("{at}.{key}.name"), ""));
            }
            for (j, item) in list_of(object, "items").iter().enumerate() {
                key_to_path(item, &format!("{at}.{key}.items[{j}]"), errs);
                let target = str_of(item, "path");
                if !target.is_empty() {
                    record(target, object_name, errs);
                }
            }
        }
        if let Some(downward) = projection.get("downwardAPI").filter(|s| !s.is_null()) {
            count += 1;
            for file in list_of(downward, "items") {
                downward_api_file(file, &format!("{at}.downwardAPI"), errs);
                let target = str_of(file, "path");
                if !target.is_empty() {
                    record(target, target, errs);
                }
            }
        }
        if let Some(token) = projection
            .get("serviceAccountToken")
            .filter(|s| !s.is_null())
        {
            count += 1;
            let seconds = token
                .get("expirationSeconds")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            let seconds_path = format!("{at}.serviceAccountToken.expirationSeconds");
            if seconds < 600 {
                errs.push(FieldError::invalid(
                    &seconds_path,
                    Value::from(seconds),
                    "may not specify a duration less than 10 minutes",
                ));
            }
            if seconds > 1 << 32 {
                errs.push(FieldError::invalid(
                    &seconds_path,
                    Value::from(seconds),
                    "may not specify a duration larger than 2^32 seconds",
                ));
            }
            // Reported under the volume, not the source, as the server does.
            let target = str_of(token, "path");
            if target.is_empty() {
                errs.push(FieldError::required(format!("{path}.path"), ""));
            } else {
                local_non_reserved_path(target, &format!("{path}.path"), errs);
            }
        }
        if let Some(bundle) = projection
            .get("clusterTrustBundle")
            .filter(|s| !s.is_null())
        {
            count += 1;
            let bundle_path = format!("{at}.clusterTrustBundle");
            if !present(bundle, "name") && !present(bundle, "signerName") {
                errs.push(FieldError::required(
                    &bundle_path,
                    "either name or signerName must be specified",
                ));
            }
            let target = str_of(bundle, "path");
            if target.is_empty() {
                errs.push(FieldError::required(format!("{bundle_path}.path"), ""));
            }
            local_non_reserved_path(target, &format!("{bundle_path}.path"), errs);
            record(target, target, errs);
        }
        if count > 1 {
            errs.push(FieldError::forbidden(
                at,
                "may not specify more than 1 volume type per source",
            ));
        }
    }
}

/// `validateCSIVolumeSource` with `ValidateCSIDriverName`.
fn csi(source: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let driver = str_of(source, "driver");
    let driver_path = format!("{path}.driver");
    if driver.is_empty() {
        errs.push(FieldError::required(&driver_path, ""));
    }
    if driver.len() > 63 {
        errs.push(FieldError::new(
            kobj_core::FieldErrorType::TooLong,
            &driver_path,
            None,
            "may not be more than 63 bytes",
        ));
    }
    for m in meta::dns1123_subdomain_errors(&driver.to_lowercase()) {
        errs.push(FieldError::invalid(
            &driver_path,
            Value::String(driver.into()),
            m,
        ));
    }
    if let Some(secret) = source.get("nodePublishSecretRef").filter(|s| !s.is_null()) {
        let secret_name = str_of(secret, "name");
        if secret_name.is_empty() {
            errs.push(FieldError::required(
                format!("{path}.nodePublishSecretRef.name"),
                "",
            ));
        } else {
            // Reported at `csi.name`, as the server does.
            for m in meta::dns1123_subdomain_errors(secret_name) {
                errs.push(FieldError::invalid(
                    format!("{path}.name"),
                    Value::String(secret_name.into()),
                    m,
                ));
            }
        }
    }
}

/// `validateImageVolumeSource`: the reference is required of a Pod's volume, not of a
/// template's (`opts.ResourceIsPod`).
fn image_source(source: &Value, is_pod: bool, path: &str, errs: &mut Vec<FieldError>) {
    if is_pod && str_of(source, "reference").is_empty() {
        errs.push(FieldError::required(format!("{path}.reference"), ""));
    }
    match str_of(source, "pullPolicy") {
        "Always" | "IfNotPresent" | "Never" => {}
        "" => errs.push(FieldError::required(format!("{path}.pullPolicy"), "")),
        other => errs.push(FieldError::not_supported(
            format!("{path}.pullPolicy"),
            other,
            &["Always", "IfNotPresent", "Never"],
        )),
    }
}
