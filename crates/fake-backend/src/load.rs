//! Loading fixtures into a cluster (any order: CRDs and namespaces first; a missing
//! namespace is created) and dumping the whole state as deterministic YAML.

use std::path::Path;

use kobj_core::{Error, Result};
use kube_core::DynamicObject;
use serde_json::{Value, json};

use crate::cluster::FakeCluster;
use crate::meta;
use crate::store;
use crate::verbs::WriteOptions;
use crate::verbs::create::create_locked;
use crate::verbs::write::Request;

/// Parses YAML or JSON fixture text.
pub(crate) fn parse_text(text: &str) -> Result<Vec<DynamicObject>> {
    crate::fixtures::parse_documents(text)
}

/// Parses a fixture file (or directory).
pub(crate) fn parse_path(path: &Path) -> Result<Vec<DynamicObject>> {
    crate::fixtures::parse_file(path)
}

/// The resource type of an object, from the registry.
fn type_for(
    st: &crate::cluster::State,
    obj: &DynamicObject,
) -> Result<std::sync::Arc<crate::registry::TypeInfo>> {
    let (api_version, kind) = obj
        .types
        .as_ref()
        .map_or(("", ""), |t| (t.api_version.as_str(), t.kind.as_str()));
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    st.registry
        .by_kind(group, version, kind)
        .cloned()
        .ok_or_else(|| Error::not_found_kind(api_version, kind))
}

trait NotFoundKind {
    fn not_found_kind(api_version: &str, kind: &str) -> Error;
}

impl NotFoundKind for Error {
    fn not_found_kind(api_version: &str, kind: &str) -> Error {
        Error::from_parts(
            404,
            "NotFound",
            format!("no matches for kind {kind:?} in version {api_version:?}"),
        )
    }
}

/// Creates fixture objects in load order.
pub(crate) fn load(
    cluster: &FakeCluster,
    mut objects: Vec<DynamicObject>,
) -> Result<Vec<DynamicObject>> {
    // Checked before anything is stored: a load either fails whole here or goes object by
    // object below.
    crate::nesting::check_objects(&mut objects)?;
    crate::fixtures::load_order(&mut objects);
    let opts = WriteOptions {
        keep_uid: true,
        user: None,
        ..WriteOptions::default()
    };
    let mut out = Vec::with_capacity(objects.len());
    // One lock for the whole load: CRDs loaded first register their types in the same
    // state the later objects are checked against.
    let mut st = cluster.inner.lock();
    // The namespace last found or created: fixtures come in runs of one namespace, and a
    // namespace does not go away during the load.
    let mut present: Option<String> = None;
    for obj in objects {
        let info = type_for(&st, &obj)?;
        let ns = if info.resource.is_namespaced() {
            let ns = obj
                .metadata
                .namespace
                .clone()
                .unwrap_or_else(|| "default".to_string());
            if present.as_deref() != Some(ns.as_str())
                && st.store.get("/namespaces", &store::key("", &ns)).is_none()
            {
                let ns_rt =
                    crate::registry::resource_type("", "v1", "Namespace", "namespaces", false);
                let ns_obj =
                    json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}});
                create_locked(
                    &cluster.inner,
                    &mut st,
                    &ns_rt,
                    None,
                    ns_obj,
                    &opts,
                    Request::Create,
                )?;
            }
            if present.as_deref() != Some(ns.as_str()) {
                present = Some(ns.clone());
            }
            Some(ns)
        } else {
            None
        };
        let mut value = meta::into_value(obj)?;
        meta::set_meta(&mut value, "resourceVersion", None);
        let created = create_locked(
            &cluster.inner,
            &mut st,
            &info.resource,
            ns.as_deref(),
            value,
            &opts,
            Request::Create,
        )?;
        out.push(meta::to_dynamic(created)?);
    }
    crate::gc::settle(&cluster.inner, &mut st);
    Ok(out)
}

/// The whole state as YAML: every object of every type, sorted.
pub(crate) fn dump(cluster: &FakeCluster) -> Result<String> {
    let st = cluster.inner.lock();
    let mut keys: Vec<&std::sync::Arc<str>> = st.store.tables.keys().collect();
    keys.sort();
    let mut objects = Vec::new();
    for k in keys {
        let Some(table) = st.store.tables.get(k) else {
            continue;
        };
        let info = crate::gc::info_for_store(&st, k);
        for obj in table.values() {
            let value: Value = match &info {
                Some(info) => cluster.inner.render_value(info, obj),
                None => obj.value(),
            };
            objects.push(meta::to_dynamic(value)?);
        }
    }
    drop(st);
    crate::fixtures::to_yaml(&objects)
}
