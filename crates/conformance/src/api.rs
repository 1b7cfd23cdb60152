//! [`Api`]: one handle over either trait, chosen by the resource type's group, so a case can
//! write one call for custom and built-in kinds alike.

use k8s_openapi::api::autoscaling::v1::Scale;
use kobj_core::{
    CoreResources, CustomObjects, Either, PatchValue, ResourceType, Result, SharedWatchStream,
    WatchStream,
};
use kube_core::params::{
    DeleteParams, GetParams, ListParams, PatchParams, PostParams, WatchParams,
};
use kube_core::{DynamicObject, ObjectList, Status};

/// Either trait object; every verb forwards to the one held.
#[derive(Clone, Copy, Debug)]
pub enum Api<'a> {
    /// Custom objects (resources defined by CRDs).
    Custom(&'a dyn CustomObjects),
    /// Built-in kinds, including namespaces and CRDs themselves.
    Core(&'a dyn CoreResources),
}

macro_rules! forward {
    ($self:ident . $verb:ident ( $($arg:expr),* )) => {
        match $self {
            Api::Custom(api) => api.$verb($($arg),*).await,
            Api::Core(api) => api.$verb($($arg),*).await,
        }
    };
}

impl Api<'_> {
    /// POST.
    ///
    /// # Errors
    /// As the backend returns them.
    pub async fn create(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        object: &DynamicObject,
        params: &PostParams,
    ) -> Result<DynamicObject> {
        forward!(self.create_object(rt, ns, object, params))
    }

    /// GET.
    ///
    /// # Errors
    /// As the backend returns them.
    pub async fn get(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        name: &str,
        params: &GetParams,
    ) -> Result<DynamicObject> {
        forward!(self.get_object(rt, ns, name, params))
    }

    /// LIST.
    ///
    /// # Errors
    /// As the backend returns them.
    pub async fn list(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        params: &ListParams,
    ) -> Result<ObjectList<DynamicObject>> {
        forward!(self.list_objects(rt, ns, params))
    }

    /// PUT.
    ///
    /// # Errors
    /// As the backend returns them.
    pub async fn replace(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        name: &str,
        object: &DynamicObject,
        params: &PostParams,
    ) -> Result<DynamicObject> {
        forward!(self.replace_object(rt, ns, name, object, params))
    }

    /// PATCH.
    ///
    /// # Errors
    /// As the backend returns them.
    pub async fn patch(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        name: &str,
        patch: &PatchValue,
        params: &PatchParams,
    ) -> Result<DynamicObject> {
        forward!(self.patch_object(rt, ns, name, patch, params))
    }

    /// DELETE.
    ///
    /// # Errors
    /// As the backend returns them.
    pub async fn delete(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        name: &str,
        params: &DeleteParams,
    ) -> Result<Either<DynamicObject, Status>> {
        forward!(self.delete_object(rt, ns, name, params))
    }

    /// DELETE on the collection.
    ///
    /// # Errors
    /// As the backend returns them.
    pub async fn delete_collection(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        params: &DeleteParams,
        list: &ListParams,
    ) -> Result<Either<ObjectList<DynamicObject>, Status>> {
        forward!(self.delete_collection(rt, ns, params, list))
    }

    /// GET on `/status`.
    ///
    /// # Errors
    /// As the backend returns them.
    pub async fn get_status(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        name: &str,
    ) -> Result<DynamicObject> {
        forward!(self.get_object_status(rt, ns, name))
    }

    /// PUT on `/status`.
    ///
    /// # Errors
    /// As the backend returns them.
    pub async fn replace_status(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        name: &str,
        object: &DynamicObject,
        params: &PostParams,
    ) -> Result<DynamicObject> {
        forward!(self.replace_object_status(rt, ns, name, object, params))
    }

    /// PATCH on `/status`.
    ///
    /// # Errors
    /// As the backend returns them.
    pub async fn patch_status(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        name: &str,
        patch: &PatchValue,
        params: &PatchParams,
    ) -> Result<DynamicObject> {
        forward!(self.patch_object_status(rt, ns, name, patch, params))
    }

    /// GET on `/scale`.
    ///
    /// # Errors
    /// As the backend returns them.
    pub async fn get_scale(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        name: &str,
    ) -> Result<Scale> {
        forward!(self.get_scale(rt, ns, name))
    }

    /// PUT on `/scale`.
    ///
    /// # Errors
    /// As the backend returns them.
    pub async fn replace_scale(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        name: &str,
        scale: &Scale,
        params: &PostParams,
    ) -> Result<Scale> {
        forward!(self.replace_scale(rt, ns, name, scale, params))
    }

    /// PATCH on `/scale`.
    ///
    /// # Errors
    /// As the backend returns them.
    pub async fn patch_scale(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        name: &str,
        patch: &PatchValue,
        params: &PatchParams,
    ) -> Result<Scale> {
        forward!(self.patch_scale(rt, ns, name, patch, params))
    }

    /// WATCH from a resourceVersion.
    ///
    /// # Errors
    /// As the backend returns them.
    pub async fn watch(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        params: &WatchParams,
        resource_version: &str,
    ) -> Result<WatchStream> {
        forward!(self.watch_objects(rt, ns, params, resource_version))
    }

    /// WATCH, with events that share their objects.
    ///
    /// # Errors
    /// As the backend returns them.
    pub async fn watch_shared(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        params: &WatchParams,
        resource_version: &str,
    ) -> Result<SharedWatchStream> {
        forward!(self.watch_objects_shared(rt, ns, params, resource_version))
    }
}
