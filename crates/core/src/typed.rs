//! The typed layer: `get::<K>`, `create(&K)`, `list::<K>`, … for any `K: kube::Resource`
//! (k8s-openapi types and `#[derive(CustomResource)]` types), blanket-implemented on top of
//! [`CustomObjects`] and [`CoreResources`].
//!
//! The extension traits are separate from the backend traits (as object_store's
//! `ObjectStoreExt` is), so adding a helper never breaks a backend and never affects
//! dyn-compatibility: they work on `dyn CustomObjects` and `Arc<dyn CustomObjects>` alike.

use std::fmt::Debug;
use std::time::Duration;

use async_trait::async_trait;
use either::Either;
use futures::StreamExt;
use futures::stream::BoxStream;
use kube_core::params::{
    DeleteParams, GetParams, ListParams, Patch, PatchParams, PostParams, WatchParams,
};
use kube_core::{DynamicObject, ObjectList, Resource, Status, TypeMeta, WatchEvent};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::resource::{ResourceType, StaticScope};
use crate::verbs::{CoreResources, CustomObjects, PatchValue};

/// What the typed layer needs of a type: a Kubernetes resource with a static type (k8s-openapi
/// types, `#[derive(CustomResource)]` types) that serializes to and from JSON.
///
/// Blanket-implemented; never implement it by hand.
pub trait TypedResource:
    Resource<DynamicType = ()> + Serialize + DeserializeOwned + Clone + Debug + Send + Sync + 'static
where
    <Self as Resource>::Scope: StaticScope,
{
}

impl<K> TypedResource for K
where
    K: Resource<DynamicType = ()>
        + Serialize
        + DeserializeOwned
        + Clone
        + Debug
        + Send
        + Sync
        + 'static,
    K::Scope: StaticScope,
{
}

/// A typed watch stream.
pub type TypedWatchStream<K> = BoxStream<'static, Result<WatchEvent<K>>>;

/// Converts a typed object into a [`DynamicObject`], filling in apiVersion and kind.
///
/// # Errors
/// A decode error if the object does not serialize to a JSON object.
pub fn to_dynamic<K: TypedResource>(object: &K) -> Result<DynamicObject>
where
    K::Scope: StaticScope,
{
    let value = serde_json::to_value(object)
        .map_err(|e| Error::decode(format!("cannot serialize {}", K::kind(&())), Some(e.into())))?;
    let mut dynamic: DynamicObject = serde_json::from_value(value)
        .map_err(|e| Error::decode(format!("cannot convert {}", K::kind(&())), Some(e.into())))?;
    if dynamic.types.as_ref().is_none_or(|t| t.kind.is_empty()) {
        dynamic.types = Some(TypeMeta {
            api_version: K::api_version(&()).into_owned(),
            kind: K::kind(&()).into_owned(),
        });
    }
    Ok(dynamic)
}

/// Converts a [`DynamicObject`] into a typed object.
///
/// # Errors
/// A decode error naming the kind when the object does not match `K`.
pub fn from_dynamic<K: TypedResource>(object: DynamicObject) -> Result<K>
where
    K::Scope: StaticScope,
{
    let value = serde_json::to_value(object)
        .map_err(|e| Error::decode("cannot serialize object", Some(e.into())))?;
    serde_json::from_value(value).map_err(|e| {
        Error::decode(
            format!("object is not a valid {}: {e}", K::kind(&())),
            Some(e.into()),
        )
    })
}

/// Converts a typed patch into the JSON patch the backends take.
///
/// # Errors
/// A decode error if the patch body does not serialize.
pub fn patch_value<P: Serialize>(patch: &Patch<P>) -> Result<PatchValue> {
    let encode = |p: &P| {
        serde_json::to_value(p).map_err(|e| Error::decode("cannot serialize patch", Some(e.into())))
    };
    Ok(match patch {
        Patch::Apply(p) => Patch::Apply(encode(p)?),
        Patch::Json(p) => Patch::Json(p.clone()),
        Patch::Merge(p) => Patch::Merge(encode(p)?),
        Patch::Strategic(p) => Patch::Strategic(encode(p)?),
        // `Patch` is non_exhaustive; a future variant cannot be forwarded faithfully.
        _ => return Err(Error::bad_request("unsupported patch type")),
    })
}

fn convert_list<K: TypedResource>(list: ObjectList<DynamicObject>) -> Result<ObjectList<K>>
where
    K::Scope: StaticScope,
{
    let items = list
        .items
        .into_iter()
        .map(from_dynamic::<K>)
        .collect::<Result<Vec<K>>>()?;
    Ok(ObjectList {
        types: list.types,
        metadata: list.metadata,
        items,
    })
}

fn convert_event<K: TypedResource>(event: WatchEvent<DynamicObject>) -> Result<WatchEvent<K>>
where
    K::Scope: StaticScope,
{
    Ok(match event {
        WatchEvent::Added(o) => WatchEvent::Added(from_dynamic(o)?),
        WatchEvent::Modified(o) => WatchEvent::Modified(from_dynamic(o)?),
        WatchEvent::Deleted(o) => WatchEvent::Deleted(from_dynamic(o)?),
        WatchEvent::Bookmark(b) => WatchEvent::Bookmark(b),
        WatchEvent::Error(s) => WatchEvent::Error(s),
    })
}

fn object_target<K: Resource>(object: &K) -> (Option<&str>, &str) {
    let meta = object.meta();
    (
        meta.namespace.as_deref(),
        meta.name.as_deref().unwrap_or_default(),
    )
}

fn namespace_of<K: TypedResource>(object: &K) -> Option<&str>
where
    K::Scope: StaticScope,
{
    match K::Scope::SCOPE {
        kube_core::discovery::Scope::Namespaced => object.meta().namespace.as_deref(),
        kube_core::discovery::Scope::Cluster => None,
    }
}

macro_rules! typed_ext {
    ($(#[$doc:meta])* $ext:ident for $base:ident) => {
        $(#[$doc])*
        #[async_trait]
        pub trait $ext: $base {
            /// Creates `object` in the namespace its metadata names (for namespaced kinds).
            ///
            /// # Errors
            /// As [`create_object`](crate::CustomObjects::create_object).
            async fn create<K: TypedResource>(&self, object: &K, params: &PostParams) -> Result<K>
            where
                K::Scope: StaticScope,
            {
                let dynamic = to_dynamic(object)?;
                let created = self
                    .create_object(&ResourceType::of::<K>(), namespace_of(object), &dynamic, params)
                    .await?;
                from_dynamic(created)
            }

            /// Reads the object `name`.
            ///
            /// # Errors
            /// NotFound when it does not exist.
            async fn get<K: TypedResource>(&self, namespace: Option<&str>, name: &str) -> Result<K>
            where
                K::Scope: StaticScope,
            {
                let found = self
                    .get_object(&ResourceType::of::<K>(), namespace, name, &GetParams::default())
                    .await?;
                from_dynamic(found)
            }

            /// Reads the object `name`, or `None` when it does not exist.
            ///
            /// # Errors
            /// Any error but NotFound.
            async fn get_opt<K: TypedResource>(
                &self,
                namespace: Option<&str>,
                name: &str,
            ) -> Result<Option<K>>
            where
                K::Scope: StaticScope,
            {
                match self.get::<K>(namespace, name).await {
                    Ok(object) => Ok(Some(object)),
                    Err(e) if e.is_not_found() => Ok(None),
                    Err(e) => Err(e),
                }
            }

            /// Lists objects of kind `K`.
            ///
            /// # Errors
            /// As [`list_objects`](crate::CustomObjects::list_objects).
            async fn list<K: TypedResource>(
                &self,
                namespace: Option<&str>,
                params: &ListParams,
            ) -> Result<ObjectList<K>>
            where
                K::Scope: StaticScope,
            {
                let list = self
                    .list_objects(&ResourceType::of::<K>(), namespace, params)
                    .await?;
                convert_list(list)
            }

            /// Replaces `object` (named by its metadata; needs its resourceVersion for custom
            /// resources).
            ///
            /// # Errors
            /// As [`replace_object`](crate::CustomObjects::replace_object).
            async fn replace<K: TypedResource>(&self, object: &K, params: &PostParams) -> Result<K>
            where
                K::Scope: StaticScope,
            {
                let (_, name) = object_target(object);
                let dynamic = to_dynamic(object)?;
                let replaced = self
                    .replace_object(&ResourceType::of::<K>(), namespace_of(object), name, &dynamic, params)
                    .await?;
                from_dynamic(replaced)
            }

            /// Patches the object `name`.
            ///
            /// # Errors
            /// As [`patch_object`](crate::CustomObjects::patch_object).
            async fn patch<K: TypedResource, P: Serialize + Debug + Send + Sync>(
                &self,
                namespace: Option<&str>,
                name: &str,
                patch: &Patch<P>,
                params: &PatchParams,
            ) -> Result<K>
            where
                K::Scope: StaticScope,
            {
                let patch = patch_value(patch)?;
                let patched = self
                    .patch_object(&ResourceType::of::<K>(), namespace, name, &patch, params)
                    .await?;
                from_dynamic(patched)
            }

            /// Deletes the object `name`: `Left` with the object while finalizers hold it,
            /// `Right` with the success Status once it is gone.
            ///
            /// # Errors
            /// As [`delete_object`](crate::CustomObjects::delete_object).
            async fn delete<K: TypedResource>(
                &self,
                namespace: Option<&str>,
                name: &str,
                params: &DeleteParams,
            ) -> Result<Either<K, Status>>
            where
                K::Scope: StaticScope,
            {
                match self
                    .delete_object(&ResourceType::of::<K>(), namespace, name, params)
                    .await?
                {
                    Either::Left(object) => Ok(Either::Left(from_dynamic(object)?)),
                    Either::Right(status) => Ok(Either::Right(status)),
                }
            }

            /// Deletes every object of kind `K` that `list` selects.
            ///
            /// # Errors
            /// As [`delete_collection`](crate::CustomObjects::delete_collection).
            async fn delete_matching<K: TypedResource>(
                &self,
                namespace: Option<&str>,
                params: &DeleteParams,
                list: &ListParams,
            ) -> Result<Either<ObjectList<K>, Status>>
            where
                K::Scope: StaticScope,
            {
                match self
                    .delete_collection(&ResourceType::of::<K>(), namespace, params, list)
                    .await?
                {
                    Either::Left(objects) => Ok(Either::Left(convert_list(objects)?)),
                    Either::Right(status) => Ok(Either::Right(status)),
                }
            }

            /// Reads the object `name` through its status subresource.
            ///
            /// # Errors
            /// As [`get_object_status`](crate::CustomObjects::get_object_status).
            async fn get_status<K: TypedResource>(&self, namespace: Option<&str>, name: &str) -> Result<K>
            where
                K::Scope: StaticScope,
            {
                let found = self
                    .get_object_status(&ResourceType::of::<K>(), namespace, name)
                    .await?;
                from_dynamic(found)
            }

            /// Replaces the status of `object` (only `.status` is taken).
            ///
            /// # Errors
            /// As [`replace_object_status`](crate::CustomObjects::replace_object_status).
            async fn replace_status<K: TypedResource>(&self, object: &K, params: &PostParams) -> Result<K>
            where
                K::Scope: StaticScope,
            {
                let (_, name) = object_target(object);
                let dynamic = to_dynamic(object)?;
                let replaced = self
                    .replace_object_status(&ResourceType::of::<K>(), namespace_of(object), name, &dynamic, params)
                    .await?;
                from_dynamic(replaced)
            }

            /// Patches the status of the object `name`.
            ///
            /// # Errors
            /// As [`patch_object_status`](crate::CustomObjects::patch_object_status).
            async fn patch_status<K: TypedResource, P: Serialize + Debug + Send + Sync>(
                &self,
                namespace: Option<&str>,
                name: &str,
                patch: &Patch<P>,
                params: &PatchParams,
            ) -> Result<K>
            where
                K::Scope: StaticScope,
            {
                let patch = patch_value(patch)?;
                let patched = self
                    .patch_object_status(&ResourceType::of::<K>(), namespace, name, &patch, params)
                    .await?;
                from_dynamic(patched)
            }

            /// Watches objects of kind `K` from `resource_version` (see
            /// [`watch_objects`](crate::CustomObjects::watch_objects)).
            ///
            /// # Errors
            /// As [`watch_objects`](crate::CustomObjects::watch_objects); an object that does
            /// not decode as `K` arrives as an `Err` item.
            async fn watch<K: TypedResource>(
                &self,
                namespace: Option<&str>,
                params: &WatchParams,
                resource_version: &str,
            ) -> Result<TypedWatchStream<K>>
            where
                K::Scope: StaticScope,
            {
                let stream = self
                    .watch_objects(&ResourceType::of::<K>(), namespace, params, resource_version)
                    .await?;
                Ok(stream
                    .map(|event| event.and_then(convert_event::<K>))
                    .boxed())
            }
            /// Waits until `condition` holds for the object `name` (`None` means absent), for at
            /// most `timeout`, over a watch that resumes after disconnects. Returns the object
            /// as last seen.
            ///
            /// # Errors
            /// A Timeout error when the deadline passes first; any error of list or watch.
            async fn wait_until_object<C>(
                &self,
                resource: &ResourceType,
                namespace: Option<&str>,
                name: &str,
                timeout: Duration,
                condition: C,
            ) -> Result<Option<DynamicObject>>
            where
                C: FnMut(Option<&DynamicObject>) -> bool + Send,
            {
                let source = crate::wait::Source {
                    list: Box::new(move |params| {
                        Box::pin(async move { self.list_objects(resource, namespace, &params).await })
                    }),
                    watch: Box::new(move |params, version| {
                        Box::pin(async move {
                            self.watch_objects(resource, namespace, &params, &version).await
                        })
                    }),
                };
                let what = resource.qualified_resource();
                crate::wait::wait_for(source, &what, name, timeout, condition).await
            }

            /// Waits until `condition` holds for the typed object `name` (`None` means absent).
            ///
            /// ```
            /// # async fn demo(objects: &dyn kobj_core::CustomObjects) -> kobj_core::Result<()> {
            /// use std::time::Duration;
            /// use kobj_core::CustomObjectsExt;
            /// use k8s_openapi::api::core::v1::ConfigMap;
            /// let ready = objects
            ///     .wait_until::<ConfigMap, _>(Some("lab"), "settings", Duration::from_secs(10), |cm| {
            ///         cm.is_some_and(|cm| cm.data.as_ref().is_some_and(|d| d.contains_key("ready")))
            ///     })
            ///     .await?;
            /// # let _ = ready; Ok(()) }
            /// ```
            ///
            /// # Errors
            /// A Timeout error when the deadline passes first; any error of list or watch.
            async fn wait_until<K: TypedResource, C>(
                &self,
                namespace: Option<&str>,
                name: &str,
                timeout: Duration,
                mut condition: C,
            ) -> Result<Option<K>>
            where
                K::Scope: StaticScope,
                C: FnMut(Option<&K>) -> bool + Send,
            {
                let found = self
                    .wait_until_object(&ResourceType::of::<K>(), namespace, name, timeout, |object| {
                        match object.map(|o| from_dynamic::<K>(o.clone())) {
                            None => condition(None),
                            Some(Ok(typed)) => condition(Some(&typed)),
                            Some(Err(e)) => {
                                tracing::warn!(error = %e, "object does not decode; waiting on");
                                false
                            }
                        }
                    })
                    .await?;
                found.map(from_dynamic).transpose()
            }

            /// Waits until the object `name` of kind `K` is gone (returns at once if it is).
            ///
            /// # Errors
            /// A Timeout error when it still exists at the deadline.
            async fn wait_deleted<K: TypedResource>(
                &self,
                namespace: Option<&str>,
                name: &str,
                timeout: Duration,
            ) -> Result<()>
            where
                K::Scope: StaticScope,
            {
                self.wait_until_object(&ResourceType::of::<K>(), namespace, name, timeout, |o| o.is_none())
                    .await
                    .map(|_| ())
            }
        }

        impl<T: $base + ?Sized> $ext for T {}
    };
}

typed_ext! {
    /// Typed verbs over [`CustomObjects`], for `#[derive(CustomResource)]` types.
    ///
    /// ```
    /// # async fn demo(objects: &dyn kobj_core::CustomObjects) -> kobj_core::Result<()> {
    /// use kobj_core::CustomObjectsExt;
    /// use k8s_openapi::api::core::v1::ConfigMap;
    /// // Any K: kube::Resource works; custom resources are the usual case.
    /// let maybe = objects.get_opt::<ConfigMap>(Some("default"), "settings").await?;
    /// # let _ = maybe; Ok(()) }
    /// ```
    CustomObjectsExt for CustomObjects
}

typed_ext! {
    /// Typed verbs over [`CoreResources`], for k8s-openapi types.
    ///
    /// ```
    /// # async fn demo(core: &dyn kobj_core::CoreResources) -> kobj_core::Result<()> {
    /// use kobj_core::CoreResourcesExt;
    /// use k8s_openapi::api::core::v1::Secret;
    /// let secret = core.get::<Secret>(Some("default"), "token").await?;
    /// # let _ = secret; Ok(()) }
    /// ```
    CoreResourcesExt for CoreResources
}
