//! A cache of `kube::Api<DynamicObject>` handles, one per resource type and namespace.
//!
//! Building an `Api` costs a handful of allocations and a clone of the client's service handle;
//! on a local API server that is a few percent of a call. A kube-rs user keeps their `Api`s
//! around, so the backend does too: handles are built once (`Api::namespaced_with` /
//! `Api::all_with`, exactly as before) and shared behind an `Arc`. The requests are unchanged.
//!
//! Lookups hash the borrowed `(ResourceType, namespace)` pair, so a hit allocates nothing. The
//! cache holds at most [`CAPACITY`] handles and starts over when full.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::{Arc, RwLock};

use kobj_core::ResourceType;
use kube::Api;
use kube_core::DynamicObject;
use rustc_hash::FxBuildHasher;

use crate::checks::escape_segment;

/// The most handles kept before the cache is emptied.
pub(crate) const CAPACITY: usize = 1024;

type Entry = (ResourceType, Option<String>, Arc<Api<DynamicObject>>);

/// `Api` handles by resource type and namespace.
#[derive(Default)]
pub(crate) struct ApiCache {
    // Fx hash (the `rustc-hash` crate): the keys are resource types and namespaces the
    // program itself uses, so collision resistance is not needed, and SipHash would cost more
    // than the rest of the lookup.
    hasher: FxBuildHasher,
    entries: RwLock<HashMap<u64, Vec<Entry>, FxBuildHasher>>,
    len: std::sync::atomic::AtomicUsize,
}

impl ApiCache {
    /// The handle for `rt` in `namespace` (`None`: cluster-scoped, or all namespaces).
    pub(crate) fn get(
        &self,
        client: &kube::Client,
        rt: &ResourceType,
        namespace: Option<&str>,
    ) -> Arc<Api<DynamicObject>> {
        // Hash what tells types apart in practice; equality below checks everything.
        let key = self.hasher.hash_one((&rt.api.plural, namespace));
        {
            let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
            if let Some(bucket) = entries.get(&key)
                && let Some((_, _, api)) = bucket
                    .iter()
                    .find(|(r, n, _)| r == rt && n.as_deref() == namespace)
            {
                return api.clone();
            }
        }
        let api = Arc::new(build(client.clone(), rt, namespace));
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        if self.len.load(std::sync::atomic::Ordering::Relaxed) >= CAPACITY {
            entries.clear();
            self.len.store(0, std::sync::atomic::Ordering::Relaxed);
        }
        let bucket = entries.entry(key).or_default();
        if let Some((_, _, existing)) = bucket
            .iter()
            .find(|(r, n, _)| r == rt && n.as_deref() == namespace)
        {
            return existing.clone();
        }
        bucket.push((rt.clone(), namespace.map(str::to_string), api.clone()));
        self.len.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        api
    }

    /// How many handles are cached.
    pub(crate) fn len(&self) -> usize {
        self.len.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// `Api::namespaced_with` or `Api::all_with`, exactly as a kube-rs user builds it.
fn build(client: kube::Client, rt: &ResourceType, namespace: Option<&str>) -> Api<DynamicObject> {
    match namespace {
        Some(ns) => Api::namespaced_with(client, &escape_segment(ns), &rt.api),
        None => Api::all_with(client, &rt.api),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{ConfigMap, Secret};

    #[tokio::test]
    async fn one_handle_per_type_and_namespace() {
        let config = kube::Config::new("http://127.0.0.1:1".parse().unwrap());
        let client = kube::Client::try_from(config).unwrap();
        let cache = ApiCache::default();
        let cm = ResourceType::of::<ConfigMap>();
        let a = cache.get(&client, &cm, Some("a"));
        assert!(Arc::ptr_eq(&a, &cache.get(&client, &cm, Some("a"))));
        assert_eq!(a.resource_url(), "/api/v1/namespaces/a/configmaps");
        let all = cache.get(&client, &cm, None);
        assert_eq!(all.resource_url(), "/api/v1/configmaps");
        let secrets = cache.get(&client, &ResourceType::of::<Secret>(), Some("a"));
        assert_eq!(secrets.resource_url(), "/api/v1/namespaces/a/secrets");
        let odd = cache.get(&client, &cm, Some("a b"));
        assert_eq!(odd.resource_url(), "/api/v1/namespaces/a%20b/configmaps");
        assert_eq!(cache.len(), 4);
        for i in 0..CAPACITY {
            cache.get(&client, &cm, Some(&format!("ns-{i}")));
        }
        assert!(cache.len() <= CAPACITY);
        assert!(!Arc::ptr_eq(&a, &cache.get(&client, &cm, Some("a"))));
    }
}
