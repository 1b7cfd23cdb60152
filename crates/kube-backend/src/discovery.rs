//! Resolving a group/version/kind to a [`ResourceType`] (plural and scope) by API discovery,
//! with a cache.
//!
//! A caller that knows only the kind of a resource, not its plural or scope, can either call
//! [`KubeBackend::resolve`](crate::KubeBackend::resolve), or pass any verb a [`ResourceType`]
//! whose `api.plural` is empty: the backend then resolves it the same way before the call.
//!
//! - Resolution asks the API server for the one group/version
//!   (`/api/v1` or `/apis/<group>/<version>`, kube-rs's
//!   [`pinned_kind`](kube::discovery::pinned_kind)), and caches the answer.
//! - Only answers are cached, never misses: a kind that is not served yet is looked up again
//!   on the next call, so a CRD installed after start-up resolves as soon as it is served.
//! - When a call with a resolved type gets the API server's plain-text `404 page not found`
//!   (the path is not served: the CRD was removed, or its plural or scope changed), the entry
//!   is dropped, the kind is resolved again, and the call is retried once if the answer
//!   changed.
//! - A kind that is not served is a 404 NotFound error with the RESTMapper's text,
//!   `no matches for kind "Widget" in version "example.com/v1"`.
//!
//! ```no_run
//! # async fn demo(backend: kobj_kube::KubeBackend) -> kobj_core::Result<()> {
//! use kobj_core::{ApiResource, CustomObjects, ResourceType};
//! use kube_core::GroupVersionKind;
//!
//! // Explicitly:
//! let gvk = GroupVersionKind::gvk("example.com", "v1", "Widget");
//! let widgets = backend.resolve(&gvk).await?;
//! println!("{} is {:?}", widgets.api.plural, widgets.scope);
//!
//! // Or implicitly, with an empty plural (the scope given here is ignored):
//! let by_kind = ResourceType::namespaced(ApiResource::from_gvk_with_plural(&gvk, ""));
//! let list = backend.list_objects(&by_kind, Some("lab"), &Default::default()).await?;
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::sync::RwLock;

use kobj_core::{Error, ResourceType, Result};
use kube_core::GroupVersionKind;

use crate::errors::{Call, map_error};

/// The discovery cache of one backend (shared by its clones).
#[derive(Default)]
pub(crate) struct DiscoveryCache {
    entries: RwLock<HashMap<GroupVersionKind, ResourceType>>,
}

impl DiscoveryCache {
    /// The cached answer for a kind, if any.
    pub(crate) fn get(&self, gvk: &GroupVersionKind) -> Option<ResourceType> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        entries.get(gvk).cloned()
    }

    /// Stores an answer.
    pub(crate) fn insert(&self, gvk: GroupVersionKind, rt: ResourceType) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        entries.insert(gvk, rt);
    }

    /// Drops an answer; returns whether there was one.
    pub(crate) fn remove(&self, gvk: &GroupVersionKind) -> bool {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        entries.remove(gvk).is_some()
    }

    /// Drops every answer.
    pub(crate) fn clear(&self) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        entries.clear();
    }

    /// How many kinds are cached.
    pub(crate) fn len(&self) -> usize {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        entries.len()
    }
}

/// The group/version/kind a resource type names.
pub(crate) fn gvk_of(rt: &ResourceType) -> GroupVersionKind {
    GroupVersionKind::gvk(&rt.api.group, &rt.api.version, &rt.api.kind)
}

/// Checks that a kind can be looked up at all: version and kind are needed.
pub(crate) fn check_gvk(gvk: &GroupVersionKind) -> Result<()> {
    let missing = if gvk.version.is_empty() {
        "version"
    } else if gvk.kind.is_empty() {
        "kind"
    } else {
        return Ok(());
    };
    Err(Error::bad_request(format!(
        "invalid resource type {:?} (apiVersion {:?}): the {missing} is empty, so it cannot be \
         discovered",
        gvk.kind,
        gvk.api_version()
    )))
}

/// Asks the API server for a kind (no cache).
pub(crate) async fn discover(
    client: &kube::Client,
    server: Option<&str>,
    gvk: &GroupVersionKind,
) -> Result<ResourceType> {
    check_gvk(gvk)?;
    match kube::discovery::pinned_kind(client, gvk).await {
        Ok((api, caps)) => Ok(ResourceType {
            api,
            scope: caps.scope,
        }),
        Err(kube::Error::Discovery(_)) => Err(no_match(gvk)),
        Err(err) => {
            // The discovery document's own path, for messages.
            let doc = ResourceType::cluster(kube_core::ApiResource::from_gvk_with_plural(gvk, ""));
            let path = if gvk.group.is_empty() {
                format!("/api/{}", gvk.version)
            } else {
                format!("/apis/{}/{}", gvk.group, gvk.version)
            };
            let call = Call {
                method: "GET",
                rt: &doc,
                namespace: None,
                name: "",
                subresource: None,
                server,
                path: Some(&path),
            };
            let mapped = map_error(err, &call);
            if mapped.is_not_found() {
                Err(no_match(gvk))
            } else {
                Err(mapped)
            }
        }
    }
}

/// The RESTMapper's `NoKindMatchError`, as a 404 NotFound.
fn no_match(gvk: &GroupVersionKind) -> Error {
    Error::from_parts(
        404,
        "NotFound",
        format!(
            "no matches for kind {:?} in version {:?}",
            gvk.kind,
            gvk.api_version()
        ),
    )
    .with_details(kobj_core::error::StatusDetails {
        group: gvk.group.clone(),
        kind: gvk.kind.clone(),
        ..kobj_core::error::empty_details()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kobj_core::ApiResource;

    #[test]
    fn cache_round_trip() {
        let cache = DiscoveryCache::default();
        let gvk = GroupVersionKind::gvk("example.com", "v1", "Widget");
        assert!(cache.get(&gvk).is_none());
        let rt = ResourceType::namespaced(ApiResource::from_gvk_with_plural(&gvk, "widgets"));
        cache.insert(gvk.clone(), rt.clone());
        assert_eq!(cache.get(&gvk), Some(rt));
        assert_eq!(cache.len(), 1);
        assert!(cache.remove(&gvk));
        assert!(!cache.remove(&gvk));
        cache.insert(
            gvk.clone(),
            ResourceType::cluster(ApiResource::from_gvk(&gvk)),
        );
        cache.clear();
        assert_eq!(cache.len(), 0);
    }

    #[test]
    fn a_kind_without_version_or_kind_cannot_be_discovered() {
        let err = check_gvk(&GroupVersionKind::gvk("example.com", "", "Widget")).unwrap_err();
        assert!(err.is_bad_request());
        assert!(err.to_string().contains("the version is empty"));
        let err = check_gvk(&GroupVersionKind::gvk("example.com", "v1", "")).unwrap_err();
        assert!(err.to_string().contains("the kind is empty"));
    }

    #[test]
    fn a_miss_has_the_restmapper_text() {
        let err = no_match(&GroupVersionKind::gvk("example.com", "v1", "Widget"));
        assert!(err.is_not_found());
        assert_eq!(
            err.status().map(|s| s.message.as_str()),
            Some("no matches for kind \"Widget\" in version \"example.com/v1\"")
        );
    }
}
