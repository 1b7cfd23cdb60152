//! [`Ctx`]: what a case gets — the backend, its own namespace, and helpers that build
//! objects, wait with deadlines, and clean up after it.

use std::sync::Mutex;
use std::time::Duration;

use kobj_core::{
    CoreResources, CustomObjects, Either, PatchValue, ResourceType, SharedWatchStream, WatchStream,
};
use kube_core::params::{
    DeleteParams, GetParams, ListParams, Patch, PatchParams, PostParams, WatchParams,
};
use kube_core::{DynamicObject, ObjectList, Status};
use serde_json::{Value, json};

use crate::api::Api;
use crate::backend::{Backend, Capabilities};
use crate::case::{During, Failure, Outcome};
use crate::fixtures::{self, CASE_LABEL};

/// The context one case runs in.
pub struct Ctx<'a> {
    custom: &'a dyn CustomObjects,
    core: &'a dyn CoreResources,
    capabilities: &'a Capabilities,
    namespace: String,
    extra_namespaces: Mutex<Vec<String>>,
}

impl std::fmt::Debug for Ctx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx")
            .field("namespace", &self.namespace)
            .field("capabilities", &self.capabilities)
            .finish_non_exhaustive()
    }
}

impl<'a> Ctx<'a> {
    /// A context for one case in `namespace` (which the runner creates).
    #[must_use]
    pub fn new(backend: &'a Backend<'a>, namespace: impl Into<String>) -> Self {
        Self {
            custom: backend.custom,
            core: backend.core,
            capabilities: &backend.capabilities,
            namespace: namespace.into(),
            extra_namespaces: Mutex::new(Vec::new()),
        }
    }

    /// The custom-object verbs.
    #[must_use]
    pub fn custom(&self) -> &'a dyn CustomObjects {
        self.custom
    }

    /// The built-in kinds' verbs.
    #[must_use]
    pub fn core(&self) -> &'a dyn CoreResources {
        self.core
    }

    /// The backend's capabilities.
    #[must_use]
    pub fn capabilities(&self) -> &Capabilities {
        self.capabilities
    }

    /// The case's own namespace.
    #[must_use]
    pub fn ns(&self) -> &str {
        &self.namespace
    }

    /// The trait that serves `rt`: [`CoreResources`] for Kubernetes' own groups,
    /// [`CustomObjects`] for everything else.
    #[must_use]
    pub fn api(&self, rt: &ResourceType) -> Api<'a> {
        if kobj_core::resource::is_builtin_group(&rt.api.group) {
            Api::Core(self.core)
        } else {
            Api::Custom(self.custom)
        }
    }

    /// The case's namespace for a namespaced type, `None` for a cluster-scoped one.
    #[must_use]
    pub fn ns_for(&self, rt: &ResourceType) -> Option<&str> {
        rt.is_namespaced().then_some(self.namespace.as_str())
    }

    /// A name unique to this case, for cluster-scoped objects: `<namespace>-<base>`.
    #[must_use]
    pub fn unique(&self, base: &str) -> String {
        format!("{}-{base}", self.namespace)
    }

    /// An object of type `rt` named `name` in the case's namespace (none for cluster-scoped
    /// types, which get the case label instead). `body` adds top-level keys (`spec`, `data`,
    /// …) and may carry `metadata` keys, which are merged in.
    ///
    /// # Errors
    /// A failure when `body` is not a JSON object.
    pub fn object(
        &self,
        rt: &ResourceType,
        name: &str,
        body: Value,
    ) -> Result<DynamicObject, Failure> {
        self.object_in(rt, self.ns_for(rt), name, body)
    }

    /// Like [`object`](Self::object), in another namespace.
    ///
    /// # Errors
    /// A failure when `body` is not a JSON object.
    pub fn object_in(
        &self,
        rt: &ResourceType,
        namespace: Option<&str>,
        name: &str,
        body: Value,
    ) -> Result<DynamicObject, Failure> {
        let Value::Object(mut body) = body else {
            return Err(Failure::new("object body must be a JSON object"));
        };
        let mut metadata = match body.remove("metadata") {
            Some(Value::Object(m)) => m,
            None => serde_json::Map::new(),
            Some(other) => return Err(Failure::new(format!("bad metadata: {other}"))),
        };
        if !name.is_empty() {
            metadata.insert("name".into(), json!(name));
        }
        if let Some(ns) = namespace {
            metadata.entry("namespace").or_insert(json!(ns));
        }
        if !rt.is_namespaced() {
            let labels = metadata.entry("labels").or_insert_with(|| json!({}));
            if let Value::Object(labels) = labels {
                labels.insert(CASE_LABEL.into(), json!(self.namespace));
            }
        }
        body.insert("apiVersion".into(), json!(rt.api.api_version));
        body.insert("kind".into(), json!(rt.api.kind));
        body.insert("metadata".into(), Value::Object(metadata));
        fixtures::dynamic(Value::Object(body))
    }

    /// Creates an object built as [`object`](Self::object) does.
    ///
    /// # Errors
    /// A failure when the backend refuses it.
    pub async fn create(
        &self,
        rt: &ResourceType,
        name: &str,
        body: Value,
    ) -> Result<DynamicObject, Failure> {
        let object = self.object(rt, name, body)?;
        self.api(rt)
            .create(rt, self.ns_for(rt), &object, &PostParams::default())
            .await
            .during(&format!("creating {} {name}", rt.api.kind))
    }

    /// Creates an object with explicit parameters.
    ///
    /// # Errors
    /// As the backend returns them.
    pub async fn create_with(
        &self,
        rt: &ResourceType,
        object: &DynamicObject,
        params: &PostParams,
    ) -> kobj_core::Result<DynamicObject> {
        self.api(rt)
            .create(rt, self.ns_for(rt), object, params)
            .await
    }

    /// Reads an object.
    ///
    /// # Errors
    /// As the backend returns them.
    pub async fn get(&self, rt: &ResourceType, name: &str) -> kobj_core::Result<DynamicObject> {
        self.api(rt)
            .get(rt, self.ns_for(rt), name, &GetParams::default())
            .await
    }

    /// Lists objects in the case's namespace (or cluster-wide for cluster-scoped types).
    ///
    /// # Errors
    /// As the backend returns them.
    pub async fn list(
        &self,
        rt: &ResourceType,
        params: &ListParams,
    ) -> kobj_core::Result<ObjectList<DynamicObject>> {
        self.api(rt).list(rt, self.ns_for(rt), params).await
    }

    /// Replaces an object.
    ///
    /// # Errors
    /// As the backend returns them.
    pub async fn replace(
        &self,
        rt: &ResourceType,
        name: &str,
        object: &DynamicObject,
    ) -> kobj_core::Result<DynamicObject> {
        self.api(rt)
            .replace(rt, self.ns_for(rt), name, object, &PostParams::default())
            .await
    }

    /// Patches an object with any patch.
    ///
    /// # Errors
    /// As the backend returns them.
    pub async fn patch(
        &self,
        rt: &ResourceType,
        name: &str,
        patch: &PatchValue,
        params: &PatchParams,
    ) -> kobj_core::Result<DynamicObject> {
        self.api(rt)
            .patch(rt, self.ns_for(rt), name, patch, params)
            .await
    }

    /// Merge-patches an object.
    ///
    /// # Errors
    /// As the backend returns them.
    pub async fn merge(
        &self,
        rt: &ResourceType,
        name: &str,
        patch: Value,
    ) -> kobj_core::Result<DynamicObject> {
        self.patch(rt, name, &Patch::Merge(patch), &PatchParams::default())
            .await
    }

    /// Deletes an object.
    ///
    /// # Errors
    /// As the backend returns them.
    pub async fn delete(
        &self,
        rt: &ResourceType,
        name: &str,
        params: &DeleteParams,
    ) -> kobj_core::Result<Either<DynamicObject, Status>> {
        self.api(rt).delete(rt, self.ns_for(rt), name, params).await
    }

    /// Watches objects in the case's namespace (cluster-wide for cluster-scoped types).
    ///
    /// # Errors
    /// As the backend returns them.
    pub async fn watch(
        &self,
        rt: &ResourceType,
        params: &WatchParams,
        resource_version: &str,
    ) -> kobj_core::Result<WatchStream> {
        self.api(rt)
            .watch(rt, self.ns_for(rt), params, resource_version)
            .await
    }

    /// Watches objects in the case's namespace (cluster-wide for cluster-scoped types), with
    /// events that share their objects.
    ///
    /// # Errors
    /// As the backend returns them.
    pub async fn watch_shared(
        &self,
        rt: &ResourceType,
        params: &WatchParams,
        resource_version: &str,
    ) -> kobj_core::Result<SharedWatchStream> {
        self.api(rt)
            .watch_shared(rt, self.ns_for(rt), params, resource_version)
            .await
    }

    /// Creates another namespace for this case, `<namespace>-<suffix>`, removed with it.
    ///
    /// # Errors
    /// A failure when the backend refuses it.
    pub async fn extra_namespace(&self, suffix: &str) -> Result<String, Failure> {
        let name = format!("{}-{suffix}", self.namespace);
        create_namespace(self.core, &name, &self.namespace).await?;
        if let Ok(mut extra) = self.extra_namespaces.lock() {
            extra.push(name.clone());
        }
        Ok(name)
    }

    /// How long to wait for eventually consistent effects.
    #[must_use]
    pub fn eventual_timeout(&self) -> Duration {
        if self.capabilities.synchronous_gc {
            Duration::ZERO
        } else {
            self.capabilities.eventual_timeout
        }
    }

    /// Checks `check` against the object (`None` when it does not exist): once on a backend
    /// with synchronous GC, else repeatedly until it holds or the eventual timeout passes.
    ///
    /// # Errors
    /// The last check's complaint, or a read error other than NotFound.
    pub async fn eventually_object<F>(
        &self,
        rt: &ResourceType,
        namespace: Option<&str>,
        name: &str,
        check: F,
    ) -> Outcome
    where
        F: Fn(Option<&DynamicObject>) -> Result<(), String> + Send + Sync,
    {
        let deadline = tokio::time::Instant::now() + self.eventual_timeout();
        let mut pause = Duration::from_millis(20);
        loop {
            let found = match self
                .api(rt)
                .get(rt, namespace, name, &GetParams::default())
                .await
            {
                Ok(o) => Some(o),
                Err(e) if e.is_not_found() => None,
                Err(e) => return Err(Failure::from(e).context(format!("reading {name}"))),
            };
            match check(found.as_ref()) {
                Ok(()) => return Ok(()),
                Err(why) if tokio::time::Instant::now() >= deadline => {
                    let waited = if self.capabilities.synchronous_gc {
                        String::new()
                    } else {
                        format!(" after {:?}", self.eventual_timeout())
                    };
                    return Err(Failure::new(format!(
                        "{} {name}{waited}: {why}",
                        rt.api.kind
                    )));
                }
                Err(_) => {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_millis(500));
                }
            }
        }
    }

    /// Expects the object to be gone (at once with synchronous GC, else within the eventual
    /// timeout).
    ///
    /// # Errors
    /// A failure when it is still there.
    pub async fn expect_gone(
        &self,
        rt: &ResourceType,
        namespace: Option<&str>,
        name: &str,
    ) -> Outcome {
        self.eventually_object(rt, namespace, name, |o| match o {
            None => Ok(()),
            Some(o) => Err(format!(
                "expected it to be gone, it still exists (deletionTimestamp {:?}, finalizers {:?})",
                o.metadata.deletion_timestamp, o.metadata.finalizers
            )),
        })
        .await
    }

    /// Removes every finalizer from objects a case may have left held, then deletes the
    /// case's namespaces and cluster-scoped objects. Best effort: errors are only logged.
    pub async fn cleanup(&self) {
        let mut namespaces = vec![self.namespace.clone()];
        if let Ok(extra) = self.extra_namespaces.lock() {
            namespaces.extend(extra.iter().cloned());
        }
        let release = Patch::Merge(json!({"metadata": {"finalizers": null}}));
        let types = [
            fixtures::widgets(),
            fixtures::gizmos(),
            fixtures::configmaps(),
            fixtures::secrets(),
        ];
        for ns in &namespaces {
            for rt in &types {
                let api = self.api(rt);
                let Ok(list) = api.list(rt, Some(ns), &ListParams::default()).await else {
                    continue;
                };
                for item in list.items.iter().filter(|o| {
                    o.metadata
                        .finalizers
                        .as_ref()
                        .is_some_and(|f| !f.is_empty())
                }) {
                    let name = item.metadata.name.as_deref().unwrap_or_default();
                    if let Err(e) = api
                        .patch(rt, Some(ns), name, &release, &PatchParams::default())
                        .await
                    {
                        tracing::debug!(error = %e, name, "cleanup: could not release");
                    }
                }
            }
        }
        let selector = format!("{CASE_LABEL}={}", self.namespace);
        for rt in [fixtures::realms(), fixtures::crds()] {
            let api = self.api(&rt);
            let Ok(list) = api
                .list(&rt, None, &ListParams::default().labels(&selector))
                .await
            else {
                continue;
            };
            for item in &list.items {
                let name = item.metadata.name.as_deref().unwrap_or_default();
                let finalizers = item.metadata.finalizers.clone().unwrap_or_default();
                if finalizers.iter().any(|f| f.starts_with(fixtures::GROUP)) {
                    let kept: Vec<&String> = finalizers
                        .iter()
                        .filter(|f| !f.starts_with(fixtures::GROUP))
                        .collect();
                    let patch = Patch::Merge(json!({"metadata": {"finalizers": kept}}));
                    if let Err(e) = api
                        .patch(&rt, None, name, &patch, &PatchParams::default())
                        .await
                    {
                        tracing::debug!(error = %e, name, "cleanup: could not release");
                    }
                }
                if let Err(e) = api.delete(&rt, None, name, &DeleteParams::default()).await {
                    tracing::debug!(error = %e, name, "cleanup: could not delete");
                }
            }
        }
        let rt = fixtures::namespaces();
        for ns in namespaces.iter().rev() {
            if let Err(e) = self
                .core
                .delete_object(&rt, None, ns, &DeleteParams::default())
                .await
            {
                tracing::debug!(error = %e, ns, "cleanup: could not delete the namespace");
            }
        }
    }
}

/// Creates a namespace labelled with the case it belongs to.
///
/// # Errors
/// A failure when the backend refuses it.
pub async fn create_namespace(
    core: &dyn CoreResources,
    name: &str,
    case: &str,
) -> Result<DynamicObject, Failure> {
    let object = fixtures::dynamic(json!({
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name, "labels": {CASE_LABEL: case}}
    }))?;
    core.create_object(
        &fixtures::namespaces(),
        None,
        &object,
        &PostParams::default(),
    )
    .await
    .during(&format!("creating the namespace {name}"))
}
