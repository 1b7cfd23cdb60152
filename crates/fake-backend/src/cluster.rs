//! [`FakeCluster`]: the shared state, its builder, forking, fixtures and dumps.

use std::collections::VecDeque;
use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::Duration;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kobj_core::{Client, Error, ResourceType, Result};
use kube_core::DynamicObject;
use serde_json::Value;

use crate::actions::ActionLog;
use crate::clock::Clock;
use crate::faults::Faults;
use crate::ids::Ids;
use crate::meta;
use crate::rbac::UserInfo;
use crate::registry::{Registry, TypeInfo};
use crate::store::{Change, Store, Stored};
use crate::watch::Hub;

/// Tunables of a [`FakeCluster`].
#[derive(Clone, Debug)]
pub struct Settings {
    /// How many changes the history keeps for watch resumption and list snapshots; older
    /// resourceVersions get 410 Expired (rules 12, 13, 37).
    pub watch_history: usize,
    /// How long a read with a resourceVersion ahead of the cluster waits before the 504 of
    /// rule 13 (the API server waits about 3 s).
    pub too_large_wait: Duration,
    /// How often an idle watch with bookmarks enabled gets a BOOKMARK.
    pub bookmark_interval: Duration,
    /// The field manager of writes that name none (the server uses the User-Agent).
    pub default_field_manager: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            watch_history: 10_000,
            too_large_wait: Duration::from_secs(3),
            bookmark_interval: Duration::from_secs(60),
            default_field_manager: "kobj".to_string(),
        }
    }
}

/// Everything behind the lock.
#[derive(Debug)]
pub(crate) struct State {
    /// Served types.
    pub registry: Registry,
    /// Objects, versions and history.
    pub store: Store,
    /// Open watches.
    pub hub: Hub,
    /// Work left for the garbage collector and the namespace/CRD controllers.
    pub gc: crate::gc::Pending,
    /// A ClusterRole changed since the aggregation controller last ran
    /// ([`crate::rbac::aggregation`]).
    pub cluster_roles_changed: bool,
}

impl State {
    /// Commits a change and delivers it to watchers.
    pub fn commit(&mut self, store: &str, key: &str, object: Option<Stored>) -> Arc<Change> {
        let change = self.store.commit(store, key, object);
        if store == crate::rbac::bindings::CLUSTER_ROLES {
            self.cluster_roles_changed = true;
        }
        self.hub.dispatch(&change);
        change
    }
}

/// The shared part of a [`FakeCluster`].
pub(crate) struct Inner {
    state: Mutex<State>,
    /// The clock.
    pub clock: Clock,
    /// Uid and name generation.
    pub ids: Ids,
    /// Tunables.
    pub settings: Settings,
    /// The action log.
    pub actions: ActionLog,
    /// Fault rules.
    pub faults: Faults,
    /// Stored objects that keep their decoded form, oldest first.
    hot: Mutex<VecDeque<Weak<Stored>>>,
    /// What containers printed (`pods/<name>/log`).
    pub(crate) logs: crate::pod_logs::ContainerLogs,
}

/// How many stored objects keep their decoded form (a decoded object takes about ten times
/// its encoded size, so this stays small).
pub(crate) const HOT_OBJECTS: usize = 256;

impl Inner {
    /// Takes the lock (a poisoned lock is recovered: every operation leaves the state
    /// consistent before it can panic).
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Turns a stored object into what a read returns: the requested version's apiVersion
    /// (a built-in's fields converted to it), defaults applied (rule 49).
    ///
    /// Objects read repeatedly keep their decoded form (at most [`HOT_OBJECTS`] at a time,
    /// the least recently decoded leaving first): a read of a hot object is a clone.
    pub fn render(&self, info: &TypeInfo, obj: &Arc<Stored>) -> Result<DynamicObject> {
        if (info.is_custom() && info.has_defaults) || crate::builtins::conversion::converts(info) {
            return meta::to_dynamic(self.render_value(info, obj));
        }
        let decode = || {
            obj.dynamic()
                .map_err(|e| Error::internal(format!("stored object does not decode: {e}")))
        };
        let mut out = match obj.decoded() {
            (Some(shared), _) => DynamicObject::clone(&shared),
            (None, false) => decode()?,
            (None, true) => {
                let decoded = decode()?;
                obj.keep(Arc::new(decoded.clone()));
                self.remember(obj);
                decoded
            }
        };
        if info.is_custom()
            && let Some(t) = out.types.as_mut()
            && t.api_version != info.resource.api.api_version
        {
            t.api_version.clone_from(&info.resource.api.api_version);
        }
        Ok(out)
    }

    /// Adds `obj` to the hot list, cooling the oldest entry when the list is full.
    fn remember(&self, obj: &Arc<Stored>) {
        let mut hot = self.hot.lock().unwrap_or_else(PoisonError::into_inner);
        if hot.len() >= HOT_OBJECTS
            && let Some(old) = hot.pop_front().and_then(|w| w.upgrade())
        {
            old.cool();
        }
        hot.push_back(Arc::downgrade(obj));
    }

    /// [`render`](Self::render), as JSON.
    pub fn render_value(&self, info: &TypeInfo, obj: &Stored) -> Value {
        let mut value = obj.value();
        crate::builtins::conversion::from_storage(info, &mut value);
        if info.is_custom() {
            if let Some(map) = value.as_object_mut()
                && map.get("apiVersion").and_then(Value::as_str)
                    != Some(info.resource.api.api_version.as_str())
            {
                map.insert(
                    "apiVersion".into(),
                    Value::String(info.resource.api.api_version.clone()),
                );
            }
            if info.has_defaults
                && let Some(schema) = &info.schema
            {
                crate::schema::apply_defaults(schema, &mut value);
            }
        }
        value
    }
}

/// An in-memory Kubernetes API server.
///
/// Clones share state; [`fork`](Self::fork) makes an independent copy. It implements
/// [`CustomObjects`](kobj_core::CustomObjects) and [`CoreResources`](kobj_core::CoreResources)
/// with one engine behind both, and [`client`](Self::client) builds a namespaced
/// [`Client`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kobj_core::Result<()> {
/// use k8s_openapi::api::core::v1::ConfigMap;
/// use kobj_core::CoreResourcesExt;
/// use kobj_fake::FakeCluster;
///
/// let cluster = FakeCluster::new();
/// let client = cluster.client("default");
/// let mut cm = ConfigMap::default();
/// cm.metadata.name = Some("settings".into());
/// cm.metadata.namespace = Some(client.namespace().to_string());
/// let created = client.core().create(&cm, &Default::default()).await?;
/// assert!(created.metadata.resource_version.is_some());
/// let read: ConfigMap = client.core().get(client.ns(), "settings").await?;
/// assert_eq!(read.metadata.uid, created.metadata.uid);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct FakeCluster {
    pub(crate) inner: Arc<Inner>,
    /// Whom this handle's requests are made as; `None`: the fake's own identity
    /// ([`UserInfo::admin`], allowed everything), with no authorization step.
    pub(crate) user: Option<Arc<UserInfo>>,
}

impl fmt::Debug for FakeCluster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.inner.lock();
        let objects: usize = st.store.tables.values().map(|t| t.len()).sum();
        f.debug_struct("FakeCluster")
            .field("user", &self.user.as_ref().map(|u| &u.username))
            .field("resource_version", &st.store.rv)
            .field("objects", &objects)
            .field("watches", &st.hub.len())
            .finish()
    }
}

impl Default for FakeCluster {
    fn default() -> Self {
        Self::new()
    }
}

/// Builds a [`FakeCluster`] with a clock, ids, history size and fixtures.
#[derive(Debug, Default)]
#[must_use]
pub struct FakeClusterBuilder {
    clock: Option<Clock>,
    ids: Option<Ids>,
    settings: Settings,
    fixtures: Vec<Fixture>,
}

#[derive(Debug)]
enum Fixture {
    Yaml(String),
    File(std::path::PathBuf),
}

impl FakeClusterBuilder {
    /// Uses this clock (e.g. [`Clock::manual`]).
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Uses these id generators.
    pub fn ids(mut self, ids: Ids) -> Self {
        self.ids = Some(ids);
        self
    }

    /// Predictable uids and generated names ([`Ids::deterministic`]).
    pub fn deterministic(self, seed: u64) -> Self {
        self.ids(Ids::deterministic(seed))
    }

    /// Keeps `events` changes of history (default 10,000): watches and continue tokens
    /// older than that get 410 Expired.
    pub fn watch_history(mut self, events: usize) -> Self {
        self.settings.watch_history = events;
        self
    }

    /// How long a read ahead of the cluster's resourceVersion waits before its 504
    /// (default 3 s, as the API server).
    pub fn too_large_resource_version_wait(mut self, wait: Duration) -> Self {
        self.settings.too_large_wait = wait;
        self
    }

    /// How often idle watches with bookmarks get a BOOKMARK (default 60 s).
    pub fn bookmark_interval(mut self, interval: Duration) -> Self {
        self.settings.bookmark_interval = interval;
        self
    }

    /// The field manager of writes that name none (default `kobj`).
    pub fn default_field_manager(mut self, manager: impl Into<String>) -> Self {
        self.settings.default_field_manager = manager.into();
        self
    }

    /// Loads fixtures from YAML or JSON text (several documents, any order) when built.
    pub fn fixtures_yaml(mut self, text: &str) -> Self {
        self.fixtures.push(Fixture::Yaml(text.to_string()));
        self
    }

    /// Loads fixtures from a file when built.
    pub fn fixtures_file(mut self, path: impl AsRef<Path>) -> Self {
        self.fixtures
            .push(Fixture::File(path.as_ref().to_path_buf()));
        self
    }

    /// Builds the cluster.
    ///
    /// # Errors
    /// A fixture that does not parse or is refused by the server.
    pub fn build(self) -> Result<FakeCluster> {
        let cluster = FakeCluster::with_parts(
            self.clock.unwrap_or_default(),
            self.ids.unwrap_or_default(),
            self.settings,
        );
        for fixture in self.fixtures {
            let objects = match fixture {
                Fixture::Yaml(text) => crate::load::parse_text(&text)?,
                Fixture::File(path) => crate::load::parse_path(&path)?,
            };
            cluster.load_objects(objects)?;
        }
        Ok(cluster)
    }
}

impl FakeCluster {
    /// A cluster with the built-in types, the namespaces `default`, `kube-system`,
    /// `kube-public` and `kube-node-lease` (Active), the PriorityClasses
    /// `system-node-critical` and `system-cluster-critical`, the Service
    /// `default/kubernetes`, and the bootstrap RBAC roles and bindings (`cluster-admin`,
    /// `admin`, `edit`, `view`, …; see [`crate::rbac`]), as a new API server has.
    #[must_use]
    pub fn new() -> Self {
        Self::with_parts(Clock::system(), Ids::random(), Settings::default())
    }

    /// A builder.
    pub fn builder() -> FakeClusterBuilder {
        FakeClusterBuilder::default()
    }

    fn with_parts(clock: Clock, ids: Ids, settings: Settings) -> Self {
        let cluster = Self::bare(clock, ids, settings);
        cluster.bootstrap();
        cluster
    }

    /// A cluster with the built-in types and no objects at all (what
    /// [`bootstrap`](Self::bootstrap) fills).
    pub(crate) fn bare(clock: Clock, ids: Ids, settings: Settings) -> Self {
        let state = State {
            registry: Registry::with_builtins(),
            store: Store::new(settings.watch_history),
            hub: Hub::default(),
            gc: Default::default(),
            cluster_roles_changed: false,
        };
        Self {
            inner: Arc::new(Inner {
                state: Mutex::new(state),
                clock,
                ids,
                settings,
                actions: ActionLog::new(),
                faults: Faults::new(),
                hot: Mutex::default(),
                logs: crate::pod_logs::ContainerLogs::default(),
            }),
            user: None,
        }
    }

    /// An independent deep copy: same objects, types and resourceVersion; no watches; a
    /// copy of the action log and the fault rules. The clock and id generators are shared.
    #[must_use]
    pub fn fork(&self) -> FakeCluster {
        let st = self.inner.lock();
        let state = State {
            registry: st.registry.clone(),
            store: st.store.clone(),
            hub: Hub::default(),
            gc: st.gc.clone(),
            cluster_roles_changed: st.cluster_roles_changed,
        };
        drop(st);
        Self {
            inner: Arc::new(Inner {
                state: Mutex::new(state),
                clock: self.inner.clock.clone(),
                ids: self.inner.ids.clone(),
                settings: self.inner.settings.clone(),
                actions: self.inner.actions.fork(),
                faults: self.inner.faults.fork(),
                hot: Mutex::default(),
                logs: self.inner.logs.fork(),
            }),
            user: self.user.clone(),
        }
    }

    /// A [`Client`] over this cluster bound to `namespace`.
    #[must_use]
    pub fn client(&self, namespace: &str) -> Client {
        Client::from_backend(self.clone(), namespace)
    }

    /// The cluster's clock (set and advance it for deterministic timestamps).
    #[must_use]
    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    /// The action log: every request served, with its outcome.
    #[must_use]
    pub fn actions(&self) -> &ActionLog {
        &self.inner.actions
    }

    /// The fault rules: add a [`Fault`](crate::faults::Fault) to make requests fail or wait.
    #[must_use]
    pub fn faults(&self) -> &Faults {
        &self.inner.faults
    }

    /// The uid and name generators.
    #[must_use]
    pub fn ids(&self) -> &Ids {
        &self.inner.ids
    }

    /// The tunables this cluster was built with.
    #[must_use]
    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// The newest resourceVersion handed out (cluster-wide counter).
    #[must_use]
    pub fn resource_version(&self) -> u64 {
        self.inner.lock().store.rv
    }

    /// Every served resource type.
    #[must_use]
    pub fn resource_types(&self) -> Vec<ResourceType> {
        self.inner
            .lock()
            .registry
            .all()
            .into_iter()
            .map(|t| t.resource.clone())
            .collect()
    }

    /// Every served type with what the server knows about it (subresources, names,
    /// printer columns), for discovery.
    #[must_use]
    pub fn type_infos(&self) -> Vec<Arc<TypeInfo>> {
        self.inner.lock().registry.all()
    }

    /// The type served at group/version/plural.
    #[must_use]
    pub fn resource_type_for_plural(
        &self,
        group: &str,
        version: &str,
        plural: &str,
    ) -> Option<Arc<TypeInfo>> {
        self.inner
            .lock()
            .registry
            .by_plural(group, version, plural)
            .cloned()
    }

    /// The type served for group/version/kind.
    #[must_use]
    pub fn resource_type_for_kind(
        &self,
        group: &str,
        version: &str,
        kind: &str,
    ) -> Option<Arc<TypeInfo>> {
        self.inner
            .lock()
            .registry
            .by_kind(group, version, kind)
            .cloned()
    }

    /// The number of open watches.
    #[must_use]
    pub fn watch_count(&self) -> usize {
        self.inner.lock().hub.len()
    }

    /// Installs a CRD exactly as creating it through the traits does (validation, names,
    /// conditions), and returns the stored CRD.
    ///
    /// # Errors
    /// 422 for an invalid CRD (rule 44), 409 if it exists.
    pub async fn install_crd(
        &self,
        crd: &CustomResourceDefinition,
    ) -> Result<CustomResourceDefinition> {
        let value = serde_json::to_value(crd)
            .map_err(|e| Error::bad_request(format!("cannot encode the CRD: {e}")))?;
        let mut value = value;
        if let Some(map) = value.as_object_mut() {
            map.insert("apiVersion".into(), "apiextensions.k8s.io/v1".into());
            map.insert("kind".into(), "CustomResourceDefinition".into());
        }
        let created = self.create_now(&crate::crd::crd_type(), None, value, &Default::default())?;
        serde_json::from_value(created)
            .map_err(|e| Error::decode(format!("stored CRD does not decode: {e}"), Some(e.into())))
    }

    /// Loads YAML or JSON documents (any order: CRDs and namespaces first).
    ///
    /// # Errors
    /// A document that does not parse, or an object the server refuses.
    pub async fn load_yaml(&self, text: &str) -> Result<Vec<DynamicObject>> {
        let objects = crate::load::parse_text(text)?;
        self.load_objects(objects)
    }

    /// Loads a YAML or JSON file.
    ///
    /// # Errors
    /// As [`load_yaml`](Self::load_yaml), or when the file cannot be read.
    pub async fn load_file(&self, path: impl AsRef<Path>) -> Result<Vec<DynamicObject>> {
        let objects = crate::load::parse_path(path.as_ref())?;
        self.load_objects(objects)
    }

    /// Creates objects (any order: CRDs and namespaces first; objects in a missing
    /// namespace create it). Returns the stored objects in load order.
    ///
    /// Each goes through a create as a client's would, except that a `metadata.uid` it gives
    /// is kept (unless another object has it), so fixtures can name their owners in
    /// `ownerReferences` and a dump loads back with the same uids. The garbage collector runs
    /// once the whole load is in: a dependent none of whose owners exists (by kind, name,
    /// namespace and uid) is collected, as on a cluster.
    ///
    /// # Errors
    /// An object the server refuses; objects before it stay created. A list holding an
    /// object nested deeper than [`MAX_NESTING_DEPTH`](crate::MAX_NESTING_DEPTH) is refused
    /// whole (400) before anything is created.
    pub fn load_objects(&self, objects: Vec<DynamicObject>) -> Result<Vec<DynamicObject>> {
        crate::load::load(self, objects)
    }

    /// The whole state as YAML, deterministic: equal dumps mean equal state.
    ///
    /// # Errors
    /// Only if an object cannot be encoded (never for stored objects).
    pub fn dump_yaml(&self) -> Result<String> {
        crate::load::dump(self)
    }
}
