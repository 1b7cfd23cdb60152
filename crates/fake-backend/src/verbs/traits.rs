//! [`CustomObjects`] and [`CoreResources`] for [`FakeCluster`]: argument checks, fault
//! injection and the action log around the engine's verbs. Both traits share one body.

use async_trait::async_trait;
use either::Either;
use k8s_openapi::api::autoscaling::v1::Scale;
use kobj_core::{
    CoreResources, CustomObjects, PatchValue, ResourceType, Result, SharedWatchStream, WatchStream,
};
use kube_core::params::{
    DeleteParams, GetParams, ListParams, PatchParams, PostParams, WatchParams,
};
use kube_core::{DynamicObject, ObjectList, Status};
use serde_json::Value;

use super::WriteOptions;
use super::gate::Call;
use crate::actions::{Verb, params};
use crate::cluster::FakeCluster;
use crate::meta;
use crate::watch;

fn post_opts(p: &PostParams) -> WriteOptions {
    WriteOptions {
        dry_run: p.dry_run,
        field_manager: p.field_manager.clone(),
        field_validation: None,
        force: false,
        keep_uid: false,
        user: None,
        decode_errors: Vec::new(),
    }
}

fn patch_opts(p: &PatchParams) -> WriteOptions {
    WriteOptions {
        dry_run: p.dry_run,
        field_manager: p.field_manager.clone(),
        field_validation: p.field_validation.clone(),
        force: p.force,
        keep_uid: false,
        user: None,
        decode_errors: Vec::new(),
    }
}

impl FakeCluster {
    /// One watch request (both watch verbs): argument checks, faults and the action log
    /// around [`watch_dynamic`](Self::watch_dynamic).
    async fn watch_request<T: watch::Handout>(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        p: &WatchParams,
        resource_version: &str,
    ) -> Result<watch::Events<T>> {
        let call = Call {
            verb: Verb::Watch,
            rt,
            namespace: ns,
            name: None,
            subresource: None,
            selected_name: super::gate::selected_name(p.field_selector.as_deref()),
            success: 200,
        };
        self.run(call, || params::watch(p, resource_version), async {
            rt.check_collection_namespace(ns)?;
            self.watch_dynamic(rt, ns, p, resource_version).await
        })
        .await
    }
}

macro_rules! impl_verbs {
    ($trait:ident) => {
        #[async_trait]
        impl $trait for FakeCluster {
            async fn create_object<'a>(
                &self,
                rt: &ResourceType,
                ns: Option<&'a str>,
                object: &DynamicObject,
                p: &PostParams,
            ) -> Result<DynamicObject> {
                let name = object.metadata.name.as_deref();
                let call = Call {
                    verb: Verb::Create,
                    rt,
                    namespace: ns,
                    name,
                    subresource: None,
                    selected_name: None,
                    success: 201,
                };
                self.run(call, || params::post(p), async {
                    rt.check_namespace(ns)?;
                    crate::nesting::check_object(object)?;
                    let value = meta::to_value(object)?;
                    meta::to_dynamic(self.create_now(rt, ns, value, &post_opts(p))?)
                })
                .await
            }

            async fn get_object<'a>(
                &self,
                rt: &ResourceType,
                ns: Option<&'a str>,
                name: &str,
                p: &GetParams,
            ) -> Result<DynamicObject> {
                let call = Call {
                    verb: Verb::Get,
                    rt,
                    namespace: ns,
                    name: Some(name),
                    subresource: None,
                    selected_name: None,
                    success: 200,
                };
                self.run(call, || params::get(p), async {
                    rt.check_target(ns, name)?;
                    if let Some(rv) =
                        super::read::parse_rv(p.resource_version.as_deref().unwrap_or_default())?
                    {
                        self.wait_for_rv(rv).await?;
                    }
                    self.get_now(rt, ns, name)
                })
                .await
            }

            async fn list_objects<'a>(
                &self,
                rt: &ResourceType,
                ns: Option<&'a str>,
                p: &ListParams,
            ) -> Result<ObjectList<DynamicObject>> {
                let call = Call {
                    verb: Verb::List,
                    rt,
                    namespace: ns,
                    name: None,
                    subresource: None,
                    selected_name: super::gate::selected_name(p.field_selector.as_deref()),
                    success: 200,
                };
                self.run(call, || params::list(p), async {
                    rt.check_collection_namespace(ns)?;
                    self.list_dynamic(rt, ns, p).await
                })
                .await
            }

            async fn replace_object<'a>(
                &self,
                rt: &ResourceType,
                ns: Option<&'a str>,
                name: &str,
                object: &DynamicObject,
                p: &PostParams,
            ) -> Result<DynamicObject> {
                let call = Call {
                    verb: Verb::Update,
                    rt,
                    namespace: ns,
                    name: Some(name),
                    subresource: None,
                    selected_name: None,
                    success: 200,
                };
                self.run(call, || params::post(p), async {
                    rt.check_target(ns, name)?;
                    crate::nesting::check_object(object)?;
                    let value = meta::to_value(object)?;
                    meta::to_dynamic(self.replace_now(rt, ns, name, value, None, &post_opts(p))?)
                })
                .await
            }

            async fn patch_object<'a>(
                &self,
                rt: &ResourceType,
                ns: Option<&'a str>,
                name: &str,
                patch: &PatchValue,
                p: &PatchParams,
            ) -> Result<DynamicObject> {
                let call = Call {
                    verb: Verb::Patch,
                    rt,
                    namespace: ns,
                    name: Some(name),
                    subresource: None,
                    selected_name: None,
                    success: 200,
                };
                self.run_coded(call, || params::patch(p, patch), async {
                    rt.check_target(ns, name)?;
                    let (value, code) =
                        self.patch_coded(rt, ns, name, patch, None, &patch_opts(p))?;
                    Ok((meta::to_dynamic(value)?, code))
                })
                .await
            }

            async fn delete_object<'a>(
                &self,
                rt: &ResourceType,
                ns: Option<&'a str>,
                name: &str,
                p: &DeleteParams,
            ) -> Result<Either<DynamicObject, Status>> {
                let call = Call {
                    verb: Verb::Delete,
                    rt,
                    namespace: ns,
                    name: Some(name),
                    subresource: None,
                    selected_name: None,
                    success: 200,
                };
                self.run(call, || params::delete(p), async {
                    rt.check_target(ns, name)?;
                    match self.delete_now(rt, ns, name, p)? {
                        Either::Left(v) => Ok(Either::Left(meta::to_dynamic(v)?)),
                        Either::Right(s) => Ok(Either::Right(s)),
                    }
                })
                .await
            }

            async fn delete_collection<'a>(
                &self,
                rt: &ResourceType,
                ns: Option<&'a str>,
                p: &DeleteParams,
                l: &ListParams,
            ) -> Result<Either<ObjectList<DynamicObject>, Status>> {
                let call = Call {
                    verb: Verb::DeleteCollection,
                    rt,
                    namespace: ns,
                    name: None,
                    subresource: None,
                    selected_name: None,
                    success: 200,
                };
                self.run(call, || params::delete_collection(p, l), async {
                    rt.check_collection_namespace(ns)?;
                    Ok(Either::Left(
                        self.delete_collection_dynamic(rt, ns, p, l).await?,
                    ))
                })
                .await
            }

            async fn get_object_status<'a>(
                &self,
                rt: &ResourceType,
                ns: Option<&'a str>,
                name: &str,
            ) -> Result<DynamicObject> {
                let call = Call {
                    verb: Verb::Get,
                    rt,
                    namespace: ns,
                    name: Some(name),
                    subresource: Some("status"),
                    selected_name: None,
                    success: 200,
                };
                self.run(call, || Value::Object(Default::default()), async {
                    rt.check_target(ns, name)?;
                    self.get_status_now(rt, ns, name)
                })
                .await
            }

            async fn replace_object_status<'a>(
                &self,
                rt: &ResourceType,
                ns: Option<&'a str>,
                name: &str,
                object: &DynamicObject,
                p: &PostParams,
            ) -> Result<DynamicObject> {
                let call = Call {
                    verb: Verb::Update,
                    rt,
                    namespace: ns,
                    name: Some(name),
                    subresource: Some("status"),
                    selected_name: None,
                    success: 200,
                };
                self.run(call, || params::post(p), async {
                    rt.check_target(ns, name)?;
                    crate::nesting::check_object(object)?;
                    let value = meta::to_value(object)?;
                    meta::to_dynamic(self.replace_now(
                        rt,
                        ns,
                        name,
                        value,
                        Some("status"),
                        &post_opts(p),
                    )?)
                })
                .await
            }

            async fn patch_object_status<'a>(
                &self,
                rt: &ResourceType,
                ns: Option<&'a str>,
                name: &str,
                patch: &PatchValue,
                p: &PatchParams,
            ) -> Result<DynamicObject> {
                let call = Call {
                    verb: Verb::Patch,
                    rt,
                    namespace: ns,
                    name: Some(name),
                    subresource: Some("status"),
                    selected_name: None,
                    success: 200,
                };
                self.run(call, || params::patch(p, patch), async {
                    rt.check_target(ns, name)?;
                    meta::to_dynamic(
                        self.patch_now(rt, ns, name, patch, Some("status"), &patch_opts(p))?
                            .0,
                    )
                })
                .await
            }

            async fn get_scale<'a>(
                &self,
                rt: &ResourceType,
                ns: Option<&'a str>,
                name: &str,
            ) -> Result<Scale> {
                let call = Call {
                    verb: Verb::Get,
                    rt,
                    namespace: ns,
                    name: Some(name),
                    subresource: Some("scale"),
                    selected_name: None,
                    success: 200,
                };
                self.run(call, || Value::Object(Default::default()), async {
                    rt.check_target(ns, name)?;
                    self.get_scale_now(rt, ns, name)
                })
                .await
            }

            async fn replace_scale<'a>(
                &self,
                rt: &ResourceType,
                ns: Option<&'a str>,
                name: &str,
                scale: &Scale,
                p: &PostParams,
            ) -> Result<Scale> {
                let call = Call {
                    verb: Verb::Update,
                    rt,
                    namespace: ns,
                    name: Some(name),
                    subresource: Some("scale"),
                    selected_name: None,
                    success: 200,
                };
                self.run(call, || params::post(p), async {
                    rt.check_target(ns, name)?;
                    self.write_scale(rt, ns, name, Ok(scale), &post_opts(p))
                })
                .await
            }

            async fn patch_scale<'a>(
                &self,
                rt: &ResourceType,
                ns: Option<&'a str>,
                name: &str,
                patch: &PatchValue,
                p: &PatchParams,
            ) -> Result<Scale> {
                let call = Call {
                    verb: Verb::Patch,
                    rt,
                    namespace: ns,
                    name: Some(name),
                    subresource: Some("scale"),
                    selected_name: None,
                    success: 200,
                };
                self.run(call, || params::patch(p, patch), async {
                    rt.check_target(ns, name)?;
                    self.write_scale(rt, ns, name, Err(patch), &patch_opts(p))
                })
                .await
            }

            async fn watch_objects<'a>(
                &self,
                rt: &ResourceType,
                ns: Option<&'a str>,
                p: &WatchParams,
                resource_version: &str,
            ) -> Result<WatchStream> {
                self.watch_request(rt, ns, p, resource_version).await
            }

            async fn watch_objects_shared<'a>(
                &self,
                rt: &ResourceType,
                ns: Option<&'a str>,
                p: &WatchParams,
                resource_version: &str,
            ) -> Result<SharedWatchStream> {
                self.watch_request(rt, ns, p, resource_version).await
            }
        }
    };
}

impl_verbs!(CustomObjects);
impl_verbs!(CoreResources);
