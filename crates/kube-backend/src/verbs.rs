//! The verbs of [`KubeBackend`]: inherent methods, and the [`CustomObjects`] and
//! [`CoreResources`] implementations that forward to them.
//!
//! Each verb checks the parameters kube-rs would refuse (as the server's 422), then hands one
//! closure calling the matching `kube::Api<DynamicObject>` method to `KubeBackend::run`, which
//! does the remaining checks, discovery, the call and the error mapping.

use async_trait::async_trait;
use either::Either;
use k8s_openapi::api::autoscaling::v1::Scale;
use kobj_core::{CoreResources, CustomObjects, PatchValue, ResourceType, Result, WatchStream};
use kube_core::params::{
    DeleteParams, GetParams, ListParams, PatchParams, PostParams, WatchParams,
};
use kube_core::{DynamicObject, ObjectList, Status, TypeMeta};

use crate::KubeBackend;
use crate::backend::{Op, Target};
use crate::checks::{self, escape_segment};

fn op<'a>(
    method: &'static str,
    target: Target,
    rt: &'a ResourceType,
    namespace: Option<&'a str>,
    name: &'a str,
    subresource: Option<&'static str>,
) -> Op<'a> {
    Op {
        method,
        target,
        rt,
        namespace,
        name,
        subresource,
    }
}

/// Gives list items without `apiVersion`/`kind` (the API server leaves them out for built-in
/// kinds) those of the resource type, so every item describes itself as a watch event's does.
fn fill_types(list: &mut ObjectList<DynamicObject>, rt: &ResourceType) {
    for item in &mut list.items {
        if item.types.as_ref().is_none_or(|t| t.kind.is_empty()) {
            item.types = Some(TypeMeta {
                api_version: rt.api.api_version.clone(),
                kind: rt.api.kind.clone(),
            });
        }
    }
}

impl KubeBackend {
    /// Creates an object (POST); see [`CustomObjects::create_object`].
    ///
    /// # Errors
    /// As the trait method documents; argument errors before any request.
    pub async fn create_object(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        object: &DynamicObject,
        pp: &PostParams,
    ) -> Result<DynamicObject> {
        checks::check_post_params(pp, "CreateOptions")?;
        let op = op("POST", Target::Create, rt, ns, "", None);
        self.run(op, |api| async move { api.create(pp, object).await })
            .await
    }

    /// Reads one object (GET); see [`CustomObjects::get_object`].
    ///
    /// # Errors
    /// As the trait method documents; argument errors before any request.
    pub async fn get_object(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        name: &str,
        gp: &GetParams,
    ) -> Result<DynamicObject> {
        let n = escape_segment(name);
        let n = &*n;
        let op = op("GET", Target::Object, rt, ns, name, None);
        self.run(op, |api| async move { api.get_with(n, gp).await })
            .await
    }

    /// Lists objects (GET on the collection); see [`CustomObjects::list_objects`]. Items the
    /// server sent without `apiVersion`/`kind` (built-in kinds) get them filled in.
    ///
    /// # Errors
    /// As the trait method documents; argument errors before any request.
    pub async fn list_objects(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        lp: &ListParams,
    ) -> Result<ObjectList<DynamicObject>> {
        checks::check_list_params(lp)?;
        let op = op("GET", Target::Collection, rt, ns, "", None);
        let mut list = self
            .run(op, |api| async move { api.list(lp).await })
            .await?;
        fill_types(&mut list, rt);
        Ok(list)
    }

    /// Replaces an object (PUT); see [`CustomObjects::replace_object`].
    ///
    /// # Errors
    /// As the trait method documents; argument errors before any request.
    pub async fn replace_object(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        name: &str,
        object: &DynamicObject,
        pp: &PostParams,
    ) -> Result<DynamicObject> {
        checks::check_post_params(pp, "UpdateOptions")?;
        let n = escape_segment(name);
        let n = &*n;
        let op = op("PUT", Target::Object, rt, ns, name, None);
        self.run(op, |api| async move { api.replace(n, pp, object).await })
            .await
    }

    /// Patches an object (PATCH, with the patch kind's Content-Type); see [`CustomObjects::patch_object`].
    ///
    /// # Errors
    /// As the trait method documents; argument errors before any request.
    pub async fn patch_object(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        name: &str,
        patch: &PatchValue,
        pp: &PatchParams,
    ) -> Result<DynamicObject> {
        checks::check_patch_params(pp, patch)?;
        let n = escape_segment(name);
        let n = &*n;
        let op = op("PATCH", Target::Object, rt, ns, name, None);
        self.run(op, |api| async move { api.patch(n, pp, patch).await })
            .await
    }

    /// Deletes an object; see [`CustomObjects::delete_object`].
    ///
    /// # Errors
    /// As the trait method documents; argument errors before any request.
    pub async fn delete_object(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        name: &str,
        dp: &DeleteParams,
    ) -> Result<Either<DynamicObject, Status>> {
        let n = escape_segment(name);
        let n = &*n;
        let op = op("DELETE", Target::Object, rt, ns, name, None);
        self.run(op, |api| async move { api.delete(n, dp).await })
            .await
    }

    /// Deletes the selected objects; see [`CustomObjects::delete_collection`].
    ///
    /// # Errors
    /// As the trait method documents; argument errors before any request.
    pub async fn delete_collection(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        dp: &DeleteParams,
        lp: &ListParams,
    ) -> Result<Either<ObjectList<DynamicObject>, Status>> {
        let op = op("DELETE", Target::Collection, rt, ns, "", None);
        let mut result = self
            .run(op, |api| async move { api.delete_collection(dp, lp).await })
            .await?;
        if let Either::Left(list) = &mut result {
            fill_types(list, rt);
        }
        Ok(result)
    }

    /// Reads the status subresource; see [`CustomObjects::get_object_status`].
    ///
    /// # Errors
    /// As the trait method documents; argument errors before any request.
    pub async fn get_object_status(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        name: &str,
    ) -> Result<DynamicObject> {
        let n = escape_segment(name);
        let n = &*n;
        let op = op("GET", Target::Object, rt, ns, name, Some("status"));
        self.run(op, |api| async move { api.get_status(n).await })
            .await
    }

    /// Replaces the status subresource; see [`CustomObjects::replace_object_status`].
    ///
    /// # Errors
    /// As the trait method documents; argument errors before any request.
    pub async fn replace_object_status(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        name: &str,
        object: &DynamicObject,
        pp: &PostParams,
    ) -> Result<DynamicObject> {
        checks::check_post_params(pp, "UpdateOptions")?;
        let n = escape_segment(name);
        let n = &*n;
        let op = op("PUT", Target::Object, rt, ns, name, Some("status"));
        self.run(
            op,
            |api| async move { api.replace_status(n, pp, object).await },
        )
        .await
    }

    /// Patches the status subresource; see [`CustomObjects::patch_object_status`].
    ///
    /// # Errors
    /// As the trait method documents; argument errors before any request.
    pub async fn patch_object_status(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        name: &str,
        patch: &PatchValue,
        pp: &PatchParams,
    ) -> Result<DynamicObject> {
        checks::check_patch_params(pp, patch)?;
        let n = escape_segment(name);
        let n = &*n;
        let op = op("PATCH", Target::Object, rt, ns, name, Some("status"));
        self.run(
            op,
            |api| async move { api.patch_status(n, pp, patch).await },
        )
        .await
    }

    /// Reads the scale subresource; see [`CustomObjects::get_scale`].
    ///
    /// # Errors
    /// As the trait method documents; argument errors before any request.
    pub async fn get_scale(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        name: &str,
    ) -> Result<Scale> {
        let n = escape_segment(name);
        let n = &*n;
        let op = op("GET", Target::Object, rt, ns, name, Some("scale"));
        self.run(op, |api| async move { api.get_scale(n).await })
            .await
    }

    /// Replaces the scale subresource; see [`CustomObjects::replace_scale`].
    ///
    /// # Errors
    /// As the trait method documents; argument errors before any request.
    pub async fn replace_scale(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        name: &str,
        scale: &Scale,
        pp: &PostParams,
    ) -> Result<Scale> {
        checks::check_post_params(pp, "UpdateOptions")?;
        let n = escape_segment(name);
        let n = &*n;
        let op = op("PUT", Target::Object, rt, ns, name, Some("scale"));
        self.run(
            op,
            |api| async move { api.replace_scale(n, pp, scale).await },
        )
        .await
    }

    /// Patches the scale subresource; see [`CustomObjects::patch_scale`].
    ///
    /// # Errors
    /// As the trait method documents; argument errors before any request.
    pub async fn patch_scale(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        name: &str,
        patch: &PatchValue,
        pp: &PatchParams,
    ) -> Result<Scale> {
        checks::check_patch_params(pp, patch)?;
        let n = escape_segment(name);
        let n = &*n;
        let op = op("PATCH", Target::Object, rt, ns, name, Some("scale"));
        self.run(op, |api| async move { api.patch_scale(n, pp, patch).await })
            .await
    }

    /// Opens the raw watch; see [`CustomObjects::watch_objects`] and the [`watch`](crate::watch) module.
    ///
    /// # Errors
    /// As the trait method documents; argument errors before any request.
    pub async fn watch_objects(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        wp: &WatchParams,
        version: &str,
    ) -> Result<WatchStream> {
        let op = op("GET", Target::Collection, rt, ns, "", None);
        let server = self.server_url();
        let client = self.kube_client();
        self.run(op, |api| async move {
            crate::watch::open_raw(&api, client.clone(), server, wp, version).await
        })
        .await
    }
}

/// Both traits are the same verb set: every trait method forwards to the inherent one (which
/// also lets callers with both traits in scope write `backend.get_object(..)` unambiguously).
macro_rules! forward_verbs {
    ($trait:ident: $($name:ident($($arg:ident: $ty:ty),*) -> $ret:ty;)*) => {
        #[async_trait]
        impl $trait for KubeBackend {
            $(
                async fn $name<'a>(
                    &self,
                    rt: &ResourceType,
                    ns: Option<&'a str>,
                    $($arg: $ty),*
                ) -> Result<$ret> {
                    KubeBackend::$name(self, rt, ns, $($arg),*).await
                }
            )*
        }
    };
}

macro_rules! verb_list {
    ($mac:ident!($trait:ident)) => {
        $mac! {$trait:
        create_object(object: &DynamicObject, pp: &PostParams) -> DynamicObject;
        get_object(name: &str, gp: &GetParams) -> DynamicObject;
        list_objects(lp: &ListParams) -> ObjectList<DynamicObject>;
        replace_object(name: &str, object: &DynamicObject, pp: &PostParams) -> DynamicObject;
        patch_object(name: &str, patch: &PatchValue, pp: &PatchParams) -> DynamicObject;
        delete_object(name: &str, dp: &DeleteParams) -> Either<DynamicObject, Status>;
        delete_collection(dp: &DeleteParams, lp: &ListParams)
            -> Either<ObjectList<DynamicObject>, Status>;
        get_object_status(name: &str) -> DynamicObject;
        replace_object_status(name: &str, object: &DynamicObject, pp: &PostParams) -> DynamicObject;
        patch_object_status(name: &str, patch: &PatchValue, pp: &PatchParams) -> DynamicObject;
        get_scale(name: &str) -> Scale;
        replace_scale(name: &str, scale: &Scale, pp: &PostParams) -> Scale;
        patch_scale(name: &str, patch: &PatchValue, pp: &PatchParams) -> Scale;
        watch_objects(wp: &WatchParams, version: &str) -> WatchStream;
            }
    };
}

verb_list!(forward_verbs!(CustomObjects));
verb_list!(forward_verbs!(CoreResources));
