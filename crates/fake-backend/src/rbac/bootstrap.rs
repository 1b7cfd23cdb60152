//! The RBAC objects a new API server creates for itself (the `rbac/bootstrap-roles`
//! post-start hook): `bootstrap.yaml`, the subset of the bootstrap policy users meet —
//! `cluster-admin` bound to `system:masters`, the user-facing `admin`, `edit` and `view`
//! (aggregated from `system:aggregate-to-*`), and what every authenticated user may do
//! (`system:basic-user`, `system:discovery`, `system:public-info-viewer`), the roles
//! integrations bind (`system:auth-delegator` for token and access reviews,
//! `system:monitoring` for `/metrics`, bound to the group of that name). The controllers'
//! and nodes' roles (`system:controller:*`, `system:node`, …) are not created.
//!
//! They are made once per process through the API ([`create`]: each object created as
//! `kube-apiserver`, then the aggregation controller) on a cluster of their own, and every new
//! cluster stores copies of the results with its own uids, times and resourceVersions
//! ([`install`]): the same objects for a fraction of the cost, which every test's new
//! cluster pays.

use std::sync::LazyLock;

use serde_json::Value;

use super::bindings::{CLUSTER_ROLE_BINDINGS, CLUSTER_ROLES};
use crate::cluster::{FakeCluster, Inner, Settings, State};
use crate::verbs::WriteOptions;
use crate::{Clock, Ids, meta, store};

/// The objects, parsed once.
static OBJECTS: LazyLock<Vec<Value>> = LazyLock::new(|| {
    serde_yaml::Deserializer::from_str(include_str!("bootstrap.yaml"))
        .filter_map(|doc| serde::Deserialize::deserialize(doc).ok())
        .filter(|v: &Value| v.is_object())
        .collect()
});

/// The objects as [`create`] leaves them, in the order of their last write:
/// (table, key, object).
static TEMPLATE: LazyLock<Vec<(&'static str, String, Value)>> = LazyLock::new(|| {
    let cluster = FakeCluster::bare(
        Clock::manual(k8s_openapi::jiff::Timestamp::UNIX_EPOCH),
        Ids::deterministic(0),
        Settings::default(),
    );
    let mut st = cluster.inner.lock();
    create(&cluster.inner, &mut st);
    let mut made = Vec::new();
    for table in [CLUSTER_ROLES, CLUSTER_ROLE_BINDINGS] {
        for (key, stored) in st.store.table(table).into_iter().flatten() {
            made.push((stored.rv, table, key.to_string(), stored.value()));
        }
    }
    made.sort_by_key(|(rv, ..)| *rv);
    made.into_iter()
        .map(|(_, table, key, object)| (table, key, object))
        .collect()
});

/// Stores copies of the template's objects, each with a uid of this cluster, its clock's
/// time as the creation and managedFields time, and the next resourceVersion.
pub(crate) fn install(inner: &Inner, st: &mut State) {
    let time = inner.clock.now();
    let now = Value::String(
        meta::time_text(&k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(time))
            .unwrap_or_else(|_| time.to_string()),
    );
    for (table, key, object) in TEMPLATE.iter() {
        let mut object = object.clone();
        let m = meta::meta_mut(&mut object);
        m.insert("uid".into(), Value::String(inner.ids.uid()));
        m.insert("creationTimestamp".into(), now.clone());
        if let Some(Value::Array(entries)) = m.get_mut("managedFields") {
            for entry in entries.iter_mut().filter_map(Value::as_object_mut) {
                entry.insert("time".into(), now.clone());
            }
        }
        let rv = st.store.next_rv();
        store::object::set_rv(&mut object, rv);
        st.commit(table, key, Some(store::Stored::new(&object, rv)));
    }
    // The copies are aggregated already.
    st.cluster_roles_changed = false;
}

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
        assert_eq!(super::OBJECTS.len(), 17);
        // Every one was created (none refused), once each.
        assert_eq!(super::TEMPLATE.len(), 17);
    }
}
