//! [`KubeBackend`]: the [`CustomObjects`](kobj_core::CustomObjects) and
//! [`CoreResources`](kobj_core::CoreResources) verbs through
//! `kube::Api<DynamicObject>`.
//!
//! Every verb does what a careful kube-rs user does by hand, and nothing more:
//!
//! 1. check its arguments ([`ResourceType::check_target`] and friends, client-go's path-segment
//!    rules, and the parameter rules kube-rs enforces; see `checks.rs`), so bad input never
//!    reaches the wire and fails with the BadRequest / Invalid the fake returns;
//! 2. resolve the plural and scope by discovery when the [`ResourceType`] has no plural;
//! 3. take the `Api::namespaced_with` / `Api::all_with` handle for the [`ApiResource`] (built
//!    once per type and namespace, see `apis.rs`) and call the one
//!    kube-rs method for the verb (`create`, `get_with`, `list`, `replace`, `patch`, `delete`,
//!    `delete_collection`, `get_status`, `replace_status`, `patch_status`, `get_scale`,
//!    `replace_scale`, `patch_scale`); built-in kinds take the same path, which is the same
//!    request on the wire as the typed `Api<K>`;
//! 4. map any failure into [`kobj_core::Error`] (see `errors.rs`).
//!
//! The verbs themselves are in `verbs.rs`. Watch builds kube-rs's own watch request and reads
//! the stream itself; see `watch.rs`.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use kobj_core::{ApiResource, ResourceType, Result};
use kube::Api;
use kube_core::{DynamicObject, GroupVersionKind};
use tracing::Instrument as _;

use crate::apis::ApiCache;
use crate::checks::check_segment;
use crate::discovery::{self, DiscoveryCache, gvk_of};
use crate::errors::{self, Call, map_error};

/// The kobj backend for a real cluster, through kube-rs.
///
/// Cheap to clone (one `Arc`); clones share the connection pool and the discovery cache.
/// Implements [`CustomObjects`](kobj_core::CustomObjects) and
/// [`CoreResources`](kobj_core::CoreResources) with identical behaviour (strategic merge
/// patch is sent as asked; the API server refuses it for custom resources with a 415).
///
/// Build it from an existing `kube::Client` ([`from_kube_client`](Self::from_kube_client)), from
/// a `kube::Config` ([`from_config`](Self::from_config)), or from a kubeconfig with
/// [`Connect`](crate::Connect).
///
/// `Debug` shows the server URL, the default namespace and the discovery cache size, never
/// credentials.
///
/// ```no_run
/// # async fn demo() -> kobj_core::Result<()> {
/// use kobj_core::{CoreResourcesExt, ResourceType};
/// use k8s_openapi::api::core::v1::ConfigMap;
///
/// let client = kube::Client::try_default().await.map_err(|e| kobj_core::Error::config(e.to_string(), None))?;
/// let backend = kobj_kube::KubeBackend::from_kube_client(client);
/// let cm: ConfigMap = backend.get(Some("default"), "settings").await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct KubeBackend {
    inner: Arc<Inner>,
}

struct Inner {
    client: kube::Client,
    server: Option<String>,
    discovery: DiscoveryCache,
    apis: ApiCache,
}

/// What a verb addresses, for the argument checks.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// A POST to a collection in one namespace (or cluster-wide for cluster-scoped types).
    Create,
    /// One named object.
    Object,
    /// A collection, possibly across all namespaces.
    Collection,
}

/// One verb's description.
#[derive(Clone, Copy)]
pub(crate) struct Op<'a> {
    pub method: &'static str,
    pub target: Target,
    pub rt: &'a ResourceType,
    pub namespace: Option<&'a str>,
    pub name: &'a str,
    pub subresource: Option<&'static str>,
}

impl KubeBackend {
    /// A backend over an existing `kube::Client` (its default namespace becomes
    /// [`default_namespace`](Self::default_namespace)). The server URL is not known this way;
    /// set it with [`with_server_url`](Self::with_server_url) so transport errors can name it.
    #[must_use]
    pub fn from_kube_client(client: kube::Client) -> Self {
        Self::build(client, None)
    }

    /// A backend from a `kube::Config` (TLS, authentication and timeouts as configured there).
    ///
    /// # Errors
    /// A Config error when the client cannot be built (bad certificates, unsupported proxy).
    pub fn from_config(config: kube::Config) -> Result<Self> {
        let server = config.cluster_url.to_string();
        let client = kube::Client::try_from(config).map_err(errors::map_setup_error)?;
        Ok(Self::build(client, Some(server)))
    }

    fn build(client: kube::Client, server: Option<String>) -> Self {
        Self {
            inner: Arc::new(Inner {
                client,
                server,
                discovery: DiscoveryCache::default(),
                apis: ApiCache::default(),
            }),
        }
    }

    /// A handle on the same `kube::Client` with the API server's URL recorded for error
    /// messages (its discovery cache starts empty).
    #[must_use]
    pub fn with_server_url(self, url: impl Into<String>) -> Self {
        Self::build(self.inner.client.clone(), Some(url.into()))
    }

    /// The underlying `kube::Client`, for anything kobj does not cover.
    #[must_use]
    pub fn kube_client(&self) -> &kube::Client {
        &self.inner.client
    }

    /// The API server's URL, when known.
    #[must_use]
    pub fn server_url(&self) -> Option<&str> {
        self.inner.server.as_deref()
    }

    /// The namespace of the kubeconfig context (or the in-cluster service account), else
    /// `default`; [`Connect`](crate::Connect) may override it.
    #[must_use]
    pub fn default_namespace(&self) -> &str {
        self.inner.client.default_namespace()
    }

    /// A [`kobj_core::Client`] over this backend, bound to the
    /// [default namespace](Self::default_namespace).
    #[must_use]
    pub fn client(&self) -> kobj_core::Client {
        self.client_in(self.default_namespace().to_string())
    }

    /// A [`kobj_core::Client`] over this backend, bound to `namespace`.
    #[must_use]
    pub fn client_in(&self, namespace: impl Into<Arc<str>>) -> kobj_core::Client {
        kobj_core::Client::from_backend(self.clone(), namespace)
    }

    /// The API server's version (`GET /version`): a cheap way to check that the server is
    /// reachable and the credentials are accepted.
    ///
    /// # Errors
    /// Transport naming the URL when the server cannot be reached; the server's Status
    /// otherwise.
    pub async fn server_version(&self) -> Result<k8s_openapi::apimachinery::pkg::version::Info> {
        self.inner.client.apiserver_version().await.map_err(|err| {
            let rt = ResourceType::cluster(ApiResource::from_gvk_with_plural(
                &GroupVersionKind::gvk("", "", ""),
                "",
            ));
            let call = Call {
                method: "GET",
                rt: &rt,
                namespace: None,
                name: "",
                subresource: None,
                server: self.server_url(),
                path: Some("/version"),
            };
            map_error(err, &call)
        })
    }

    /// Resolves a group/version/kind to its plural and scope by discovery, answering from
    /// the cache when it can (see the [`discovery`](crate::discovery) module).
    ///
    /// # Errors
    /// 404 NotFound (`no matches for kind …`) when the server does not serve the kind;
    /// BadRequest when the version or kind is empty; Transport when discovery cannot run.
    pub async fn resolve(&self, gvk: &GroupVersionKind) -> Result<ResourceType> {
        if let Some(rt) = self.inner.discovery.get(gvk) {
            return Ok(rt);
        }
        let rt = discovery::discover(&self.inner.client, self.server_url(), gvk).await?;
        self.inner.discovery.insert(gvk.clone(), rt.clone());
        Ok(rt)
    }

    /// Drops the cached discovery answer for one kind; returns whether there was one.
    pub fn forget(&self, gvk: &GroupVersionKind) -> bool {
        self.inner.discovery.remove(gvk)
    }

    /// Drops every cached discovery answer.
    pub fn clear_discovery_cache(&self) {
        self.inner.discovery.clear();
    }

    /// Runs one verb: checks, discovery, the kube-rs call, error mapping, and one retry when a
    /// discovered type turned out stale.
    pub(crate) async fn run<T, F, Fut>(&self, op: Op<'_>, call: F) -> Result<T>
    where
        F: Fn(Arc<Api<DynamicObject>>) -> Fut + Send + Sync,
        Fut: Future<Output = kube::Result<T>> + Send,
        T: Send,
    {
        let span = tracing::debug_span!(
            "kobj_kube",
            verb = op.method,
            resource = %op.rt.api.plural,
            group = %op.rt.api.group,
            namespace = op.namespace,
            name = op.name,
            subresource = op.subresource,
        );
        if span.is_disabled() {
            // No subscriber wants the span: skip the `Instrumented` wrapper entirely.
            self.run_unspanned(op, call).await
        } else {
            self.run_unspanned(op, call).instrument(span).await
        }
    }

    async fn run_unspanned<T, F, Fut>(&self, op: Op<'_>, call: F) -> Result<T>
    where
        F: Fn(Arc<Api<DynamicObject>>) -> Fut + Send + Sync,
        Fut: Future<Output = kube::Result<T>> + Send,
        T: Send,
    {
        precheck(&op)?;
        if !op.rt.api.plural.is_empty() {
            // The common case, kept free of nested futures: check, call, map.
            check_scope(&op, op.rt)?;
            let api = self.api(op.rt, op.namespace);
            return call(api).await.map_err(|err| self.map(err, &op, op.rt));
        }
        let gvk = gvk_of(op.rt);
        let rt = self.resolve(&gvk).await?;
        match self.send(&op, &rt, &call).await {
            Err(err) if errors::is_unserved_path(&err) => {
                self.inner.discovery.remove(&gvk);
                let fresh = self.resolve(&gvk).await?;
                if fresh == rt {
                    return Err(err);
                }
                tracing::debug!("discovery answer changed; retrying once");
                self.send(&op, &fresh, &call).await
            }
            other => other,
        }
    }

    async fn send<T, F, Fut>(&self, op: &Op<'_>, rt: &ResourceType, call: &F) -> Result<T>
    where
        F: Fn(Arc<Api<DynamicObject>>) -> Fut,
        Fut: Future<Output = kube::Result<T>>,
    {
        check_scope(op, rt)?;
        let api = self.api(rt, op.namespace);
        call(api).await.map_err(|err| self.map(err, op, rt))
    }

    fn map(&self, err: kube::Error, op: &Op<'_>, rt: &ResourceType) -> kobj_core::Error {
        map_error(
            err,
            &Call {
                method: op.method,
                rt,
                namespace: op.namespace,
                name: op.name,
                subresource: op.subresource,
                server: self.server_url(),
                path: None,
            },
        )
    }

    /// The `Api` handle for a type and namespace (built once; see `apis.rs`).
    pub(crate) fn api(
        &self,
        rt: &ResourceType,
        namespace: Option<&str>,
    ) -> Arc<Api<DynamicObject>> {
        self.inner.apis.get(&self.inner.client, rt, namespace)
    }
}

/// The checks against the (resolved) type: the namespace against the scope, and the name.
fn check_scope(op: &Op<'_>, rt: &ResourceType) -> Result<()> {
    match op.target {
        Target::Object => rt.check_target(op.namespace, op.name),
        Target::Create => rt.check_namespace(op.namespace),
        Target::Collection => rt.check_collection_namespace(op.namespace),
    }
}

/// The checks that do not need the resolved type: path segments and an empty name.
fn precheck(op: &Op<'_>) -> Result<()> {
    if let Some(ns) = op.namespace
        && !ns.is_empty()
    {
        check_segment("namespace", ns)?;
    }
    if op.target == Target::Object {
        if op.name.is_empty() {
            return Err(kobj_core::Error::bad_request(
                "resource name may not be empty",
            ));
        }
        check_segment("resource name", op.name)?;
    }
    Ok(())
}

impl fmt::Debug for KubeBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KubeBackend")
            .field("server", &self.inner.server)
            .field("default_namespace", &self.default_namespace())
            .field("discovered_kinds", &self.inner.discovery.len())
            .field("cached_apis", &self.inner.apis.len())
            .finish()
    }
}
