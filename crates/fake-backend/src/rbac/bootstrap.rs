//! The RBAC objects a new API server creates for itself (the `rbac/bootstrap-roles`
//! post-start hook): `bootstrap.yaml`, the subset of the bootstrap policy users meet —
//! `cluster-admin` bound to `system:masters`, the user-facing `admin`, `edit` and `view`
//! (aggregated from `system:aggregate-to-*`), and what every authenticated user may do
//! (`system:basic-user`, `system:discovery`, `system:public-info-viewer`). The controllers'
//! and nodes' roles (`system:controller:*`, `system:node`, …) are not created.

use std::sync::LazyLock;

use serde_json::Value;

use crate::cluster::{Inner, State};
use crate::verbs::WriteOptions;

/// The objects, parsed once.
static OBJECTS: LazyLock<Vec<Value>> = LazyLock::new(|| {
    serde_yaml::Deserializer::from_str(include_str!("bootstrap.yaml"))
        .filter_map(|doc| serde::Deserialize::deserialize(doc).ok())
        .filter(|v: &Value| v.is_object())
        .collect()
});

/// Creates them (as the hook does, through the API as `kube-apiserver`), then lets the
/// aggregation controller fill `admin`, `edit` and `view`.
pub(crate) fn create(inner: &Inner, st: &mut State) {
    let opts = WriteOptions {
        field_manager: Some("kube-apiserver".into()),
        ..Default::default()
    };
    for object in OBJECTS.iter() {
        let kind = object
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let plural = match kind {
            "ClusterRole" => "clusterroles",
            _ => "clusterrolebindings",
        };
        let rt =
            crate::registry::resource_type("rbac.authorization.k8s.io", "v1", kind, plural, false);
        if let Err(e) = crate::verbs::create::create_locked(
            inner,
            st,
            &rt,
            None,
            object.clone(),
            &opts,
            crate::verbs::write::Request::Create,
        ) {
            tracing::error!(error = %e, kind, "a bootstrap RBAC object was refused");
        }
    }
    super::aggregation::run(inner, st);
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_document_parses() {
        assert_eq!(super::OBJECTS.len(), 14);
    }
}
