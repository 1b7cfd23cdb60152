//! The two backend traits, [`CustomObjects`] and [`CoreResources`].
//!
//! Both carry the same verbs over dynamic objects (kube-core's [`DynamicObject`] described by a
//! [`ResourceType`]); they differ in what they are for. `CustomObjects` is the seed's
//! `CustomObjectsApi`: resources defined by CRDs. `CoreResources` is its `CoreV1Api`, widened to
//! every built-in kind (core/v1, and any k8s-openapi type such as a coordination.k8s.io Lease),
//! where strategic merge patch is available. A backend usually implements both with one type.
//!
//! The verb set is written once, in the `verbs_trait!` macro below, so the two traits can never
//! drift apart; each gets its own mockall mock behind the `mock` feature.

use std::sync::Arc;

use async_trait::async_trait;
use either::Either;
use futures::stream::BoxStream;
use k8s_openapi::api::autoscaling::v1::Scale;
use kube_core::params::{
    DeleteParams, GetParams, ListParams, Patch, PatchParams, PostParams, WatchParams,
};
use kube_core::{DynamicObject, ObjectList, Status, WatchEvent};

use crate::error::Result;
use crate::resource::ResourceType;

/// A watch: a `'static` stream of events (ADDED, MODIFIED, DELETED, BOOKMARK, and ERROR as
/// [`WatchEvent::Error`]) that ends when the server closes it. Transport failures mid-stream
/// arrive as `Err` items.
pub type WatchStream = BoxStream<'static, Result<WatchEvent<DynamicObject>>>;

/// A watch whose events share their objects: [`CustomObjects::watch_objects_shared`].
/// Cloning an event's `Arc` is all a consumer pays to keep the object.
pub type SharedWatchStream = BoxStream<'static, Result<WatchEvent<Arc<DynamicObject>>>>;

/// An owned event as a shared one: the object moves into an `Arc`. The default
/// [`watch_objects_shared`](CustomObjects::watch_objects_shared) maps every event through it.
///
/// ```
/// use kobj_core::shared_event;
/// use kube_core::{DynamicObject, WatchEvent};
///
/// let obj: DynamicObject = serde_json::from_value(serde_json::json!({
///     "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}
/// })).unwrap();
/// match shared_event(WatchEvent::Added(obj)) {
///     WatchEvent::Added(shared) => assert_eq!(shared.metadata.name.as_deref(), Some("a")),
///     _ => unreachable!(),
/// }
/// ```
#[must_use]
pub fn shared_event(event: WatchEvent<DynamicObject>) -> WatchEvent<Arc<DynamicObject>> {
    match event {
        WatchEvent::Added(o) => WatchEvent::Added(Arc::new(o)),
        WatchEvent::Modified(o) => WatchEvent::Modified(Arc::new(o)),
        WatchEvent::Deleted(o) => WatchEvent::Deleted(Arc::new(o)),
        WatchEvent::Bookmark(b) => WatchEvent::Bookmark(b),
        WatchEvent::Error(e) => WatchEvent::Error(e),
    }
}

/// The JSON value a patch carries.
pub type PatchValue = Patch<serde_json::Value>;

macro_rules! verbs_trait {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[cfg_attr(any(test, feature = "mock"), mockall::automock)]
        #[async_trait]
        pub trait $name: Send + Sync + std::fmt::Debug {
            /// Creates an object (POST). Returns the stored object with server-set metadata.
            ///
            /// # Errors
            /// AlreadyExists for a taken name, Invalid for a bad object, NotFound for a missing
            /// namespace, Forbidden for a terminating one.
            async fn create_object<'a>(
                &self,
                resource: &ResourceType,
                namespace: Option<&'a str>,
                object: &DynamicObject,
                params: &PostParams,
            ) -> Result<DynamicObject>;

            /// Reads one object (GET).
            ///
            /// # Errors
            /// NotFound when there is no such object.
            async fn get_object<'a>(
                &self,
                resource: &ResourceType,
                namespace: Option<&'a str>,
                name: &str,
                params: &GetParams,
            ) -> Result<DynamicObject>;

            /// Lists objects, in one namespace or (with `None` on a namespaced type) in all,
            /// with label and field selectors, paging and resourceVersion semantics.
            ///
            /// # Errors
            /// BadRequest for bad selectors or continue tokens, Expired for an expired token,
            /// Invalid for inconsistent resourceVersion parameters.
            async fn list_objects<'a>(
                &self,
                resource: &ResourceType,
                namespace: Option<&'a str>,
                params: &ListParams,
            ) -> Result<ObjectList<DynamicObject>>;

            /// Replaces an object (PUT). For custom resources `metadata.resourceVersion` is
            /// required, and a stale one is a Conflict.
            ///
            /// # Errors
            /// NotFound, Conflict, Invalid, BadRequest (name mismatch).
            async fn replace_object<'a>(
                &self,
                resource: &ResourceType,
                namespace: Option<&'a str>,
                name: &str,
                object: &DynamicObject,
                params: &PostParams,
            ) -> Result<DynamicObject>;

            /// Patches an object: JSON Patch, merge patch, server-side apply, or strategic
            /// merge where the server supports it.
            ///
            /// # Errors
            /// NotFound (except apply, which creates), Conflict, Invalid, UnsupportedMediaType.
            async fn patch_object<'a>(
                &self,
                resource: &ResourceType,
                namespace: Option<&'a str>,
                name: &str,
                patch: &PatchValue,
                params: &PatchParams,
            ) -> Result<DynamicObject>;

            /// Deletes an object. Returns the object (`Left`) while finalizers hold it, or the
            /// success Status (`Right`) once it is gone.
            ///
            /// # Errors
            /// NotFound, Conflict for a failed precondition, Invalid for bad options.
            async fn delete_object<'a>(
                &self,
                resource: &ResourceType,
                namespace: Option<&'a str>,
                name: &str,
                params: &DeleteParams,
            ) -> Result<Either<DynamicObject, Status>>;

            /// Deletes every object the list parameters select. Returns the affected objects
            /// (`Left`), or a Status (`Right`) where a server answers with one.
            ///
            /// # Errors
            /// As for [`list_objects`](Self::list_objects) and
            /// [`delete_object`](Self::delete_object).
            async fn delete_collection<'a>(
                &self,
                resource: &ResourceType,
                namespace: Option<&'a str>,
                params: &DeleteParams,
                list: &ListParams,
            ) -> Result<Either<ObjectList<DynamicObject>, Status>>;

            /// Reads an object through its status subresource.
            ///
            /// # Errors
            /// NotFound, also when the type has no status subresource.
            async fn get_object_status<'a>(
                &self,
                resource: &ResourceType,
                namespace: Option<&'a str>,
                name: &str,
            ) -> Result<DynamicObject>;

            /// Replaces the status of an object: only `.status` is taken from the body.
            ///
            /// # Errors
            /// As [`replace_object`](Self::replace_object); NotFound without the subresource.
            async fn replace_object_status<'a>(
                &self,
                resource: &ResourceType,
                namespace: Option<&'a str>,
                name: &str,
                object: &DynamicObject,
                params: &PostParams,
            ) -> Result<DynamicObject>;

            /// Patches the status of an object: only `.status` changes.
            ///
            /// # Errors
            /// As [`patch_object`](Self::patch_object); NotFound without the subresource.
            async fn patch_object_status<'a>(
                &self,
                resource: &ResourceType,
                namespace: Option<&'a str>,
                name: &str,
                patch: &PatchValue,
                params: &PatchParams,
            ) -> Result<DynamicObject>;

            /// Reads the scale subresource (autoscaling/v1 Scale).
            ///
            /// # Errors
            /// NotFound, also when the type has no scale subresource.
            async fn get_scale<'a>(
                &self,
                resource: &ResourceType,
                namespace: Option<&'a str>,
                name: &str,
            ) -> Result<Scale>;

            /// Replaces the scale subresource: sets the replica count.
            ///
            /// # Errors
            /// NotFound, Conflict, Invalid.
            async fn replace_scale<'a>(
                &self,
                resource: &ResourceType,
                namespace: Option<&'a str>,
                name: &str,
                scale: &Scale,
                params: &PostParams,
            ) -> Result<Scale>;

            /// Patches the scale subresource.
            ///
            /// # Errors
            /// NotFound, Conflict, Invalid.
            async fn patch_scale<'a>(
                &self,
                resource: &ResourceType,
                namespace: Option<&'a str>,
                name: &str,
                patch: &PatchValue,
                params: &PatchParams,
            ) -> Result<Scale>;

            /// Watches objects from a resourceVersion: `""` starts with synthetic ADDED events
            /// for the current state, `"0"` the same from any state, `N` only changes after N.
            ///
            /// # Errors
            /// BadRequest for bad selectors; a too-old version arrives as an ERROR event with
            /// a 410 Status in the stream.
            async fn watch_objects<'a>(
                &self,
                resource: &ResourceType,
                namespace: Option<&'a str>,
                params: &WatchParams,
                resource_version: &str,
            ) -> Result<WatchStream>;

            /// [`watch_objects`](Self::watch_objects) with events whose objects are shared
            /// (`Arc`): the same events, in the same order. A backend that holds the objects
            /// itself (the in-memory fake) hands every watcher of a change the same `Arc`, so
            /// a hundred watchers cost one object instead of a hundred copies; the default
            /// wraps each owned event (see [`shared_event`]). Keep the `Arc` as
            /// kube-runtime's reflector stores do, or clone the object out of it.
            ///
            /// # Errors
            /// As for [`watch_objects`](Self::watch_objects).
            async fn watch_objects_shared<'a>(
                &self,
                resource: &ResourceType,
                namespace: Option<&'a str>,
                params: &WatchParams,
                resource_version: &str,
            ) -> Result<SharedWatchStream> {
                use futures::StreamExt;
                let events = self
                    .watch_objects(resource, namespace, params, resource_version)
                    .await?;
                Ok(events.map(|e| e.map(shared_event)).boxed())
            }
        }

        forward_verbs!($name, Arc<T>);
        forward_verbs!($name, Box<T>);
        forward_verbs!($name, &T);
    };
}

/// Implements a verbs trait for a smart pointer by forwarding every call, so `Arc<B>`,
/// `Box<B>`, `&B` and `Arc<dyn Trait>` are backends too.
macro_rules! forward_verbs {
    ($name:ident, $ptr:ty) => {
        #[async_trait]
        impl<T: $name + ?Sized> $name for $ptr {
            async fn create_object<'a>(
                &self,
                r: &ResourceType,
                ns: Option<&'a str>,
                o: &DynamicObject,
                p: &PostParams,
            ) -> Result<DynamicObject> {
                (**self).create_object(r, ns, o, p).await
            }
            async fn get_object<'a>(
                &self,
                r: &ResourceType,
                ns: Option<&'a str>,
                n: &str,
                p: &GetParams,
            ) -> Result<DynamicObject> {
                (**self).get_object(r, ns, n, p).await
            }
            async fn list_objects<'a>(
                &self,
                r: &ResourceType,
                ns: Option<&'a str>,
                p: &ListParams,
            ) -> Result<ObjectList<DynamicObject>> {
                (**self).list_objects(r, ns, p).await
            }
            async fn replace_object<'a>(
                &self,
                r: &ResourceType,
                ns: Option<&'a str>,
                n: &str,
                o: &DynamicObject,
                p: &PostParams,
            ) -> Result<DynamicObject> {
                (**self).replace_object(r, ns, n, o, p).await
            }
            async fn patch_object<'a>(
                &self,
                r: &ResourceType,
                ns: Option<&'a str>,
                n: &str,
                x: &PatchValue,
                p: &PatchParams,
            ) -> Result<DynamicObject> {
                (**self).patch_object(r, ns, n, x, p).await
            }
            async fn delete_object<'a>(
                &self,
                r: &ResourceType,
                ns: Option<&'a str>,
                n: &str,
                p: &DeleteParams,
            ) -> Result<Either<DynamicObject, Status>> {
                (**self).delete_object(r, ns, n, p).await
            }
            async fn delete_collection<'a>(
                &self,
                r: &ResourceType,
                ns: Option<&'a str>,
                p: &DeleteParams,
                l: &ListParams,
            ) -> Result<Either<ObjectList<DynamicObject>, Status>> {
                (**self).delete_collection(r, ns, p, l).await
            }
            async fn get_object_status<'a>(
                &self,
                r: &ResourceType,
                ns: Option<&'a str>,
                n: &str,
            ) -> Result<DynamicObject> {
                (**self).get_object_status(r, ns, n).await
            }
            async fn replace_object_status<'a>(
                &self,
                r: &ResourceType,
                ns: Option<&'a str>,
                n: &str,
                o: &DynamicObject,
                p: &PostParams,
            ) -> Result<DynamicObject> {
                (**self).replace_object_status(r, ns, n, o, p).await
            }
            async fn patch_object_status<'a>(
                &self,
                r: &ResourceType,
                ns: Option<&'a str>,
                n: &str,
                x: &PatchValue,
                p: &PatchParams,
            ) -> Result<DynamicObject> {
                (**self).patch_object_status(r, ns, n, x, p).await
            }
            async fn get_scale<'a>(
                &self,
                r: &ResourceType,
                ns: Option<&'a str>,
                n: &str,
            ) -> Result<Scale> {
                (**self).get_scale(r, ns, n).await
            }
            async fn replace_scale<'a>(
                &self,
                r: &ResourceType,
                ns: Option<&'a str>,
                n: &str,
                s: &Scale,
                p: &PostParams,
            ) -> Result<Scale> {
                (**self).replace_scale(r, ns, n, s, p).await
            }
            async fn patch_scale<'a>(
                &self,
                r: &ResourceType,
                ns: Option<&'a str>,
                n: &str,
                x: &PatchValue,
                p: &PatchParams,
            ) -> Result<Scale> {
                (**self).patch_scale(r, ns, n, x, p).await
            }
            async fn watch_objects<'a>(
                &self,
                r: &ResourceType,
                ns: Option<&'a str>,
                p: &WatchParams,
                v: &str,
            ) -> Result<WatchStream> {
                (**self).watch_objects(r, ns, p, v).await
            }

            async fn watch_objects_shared<'a>(
                &self,
                r: &ResourceType,
                ns: Option<&'a str>,
                p: &WatchParams,
                v: &str,
            ) -> Result<SharedWatchStream> {
                (**self).watch_objects_shared(r, ns, p, v).await
            }
        }
    };
}

verbs_trait! {
    /// Verbs on custom objects: resources defined by CustomResourceDefinitions (the seed's
    /// `CustomObjectsApi`). Dyn-compatible: hold it as `Arc<dyn CustomObjects>` to swap
    /// backends. Typed conveniences are in [`CustomObjectsExt`](crate::CustomObjectsExt).
    ///
    /// Every method checks its arguments before doing anything: a namespace is required for a
    /// namespaced type and refused for a cluster-scoped one, names may not be empty, and the
    /// [`ResourceType`] needs a plural; each failure is a BadRequest [`Error`](crate::Error).
    CustomObjects
}

verbs_trait! {
    /// Verbs on built-in kinds: all of core/v1 and any other k8s-openapi type (the seed's
    /// `CoreV1Api`, widened). The same verbs as [`CustomObjects`]; strategic merge patch is
    /// accepted here. Typed conveniences are in [`CoreResourcesExt`](crate::CoreResourcesExt).
    CoreResources
}
