//! [`Client`]: the Rust form of the seed's `AbstractAsyncCustomObjectApi`, a handle bound to one
//! namespace that exposes both traits.

use std::fmt;
use std::sync::Arc;

use crate::verbs::{CoreResources, CustomObjects};

/// A handle bound to one namespace, exposing [`CustomObjects`] (`custom_objects()`) and
/// [`CoreResources`] (`core()`), built from any backend.
///
/// Cloning is cheap (two `Arc`s and the namespace), and so is re-targeting with
/// [`with_namespace`](Self::with_namespace). The typed verbs come from
/// [`CustomObjectsExt`](crate::CustomObjectsExt) and [`CoreResourcesExt`](crate::CoreResourcesExt),
/// with [`namespace`](Self::namespace) as the namespace argument.
///
/// # Mapping the seed's async context manager
/// The seed's class loads the kubeconfig and opens one API client in `__aenter__`, and closes
/// it in `__aexit__`. In Rust, construction is the enter (the kube backend's builder loads the
/// kubeconfig and opens the connection pool) and `Drop` is the exit: when the last clone of a
/// `Client` (and of the backend it holds) is dropped, connections, watches and tasks are
/// released. There is no `close()` to forget, and a `?` or a panic still exits cleanly.
///
/// ```
/// # // The mocks need the `mock` feature; without it the example compiles to nothing.
/// # #[cfg(not(feature = "mock"))] fn main() {}
/// # #[cfg(feature = "mock")]
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use std::sync::Arc;
/// use kobj_core::{Client, MockCoreResources, MockCustomObjects};
///
/// let client = Client::new(
///     Arc::new(MockCustomObjects::new()),
///     Arc::new(MockCoreResources::new()),
///     "lab",
/// );
/// let other = client.with_namespace("staging");
/// assert_eq!(client.namespace(), "lab");
/// assert_eq!(other.namespace(), "staging");
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    custom: Arc<dyn CustomObjects>,
    core: Arc<dyn CoreResources>,
    namespace: Arc<str>,
}

impl Client {
    /// A client over two trait objects, bound to `namespace`.
    #[must_use]
    pub fn new(
        custom: Arc<dyn CustomObjects>,
        core: Arc<dyn CoreResources>,
        namespace: impl Into<Arc<str>>,
    ) -> Self {
        Self {
            custom,
            core,
            namespace: namespace.into(),
        }
    }

    /// A client over one backend that implements both traits (the fake and the kube backend
    /// do), bound to `namespace`.
    #[must_use]
    pub fn from_backend<B>(backend: B, namespace: impl Into<Arc<str>>) -> Self
    where
        B: CustomObjects + CoreResources + 'static,
    {
        let backend = Arc::new(backend);
        Self::new(backend.clone(), backend, namespace)
    }

    /// The namespace this client is bound to.
    #[must_use]
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The namespace as the `Option<&str>` the trait verbs take.
    #[must_use]
    pub fn ns(&self) -> Option<&str> {
        Some(&self.namespace)
    }

    /// The same backends bound to another namespace (cheap: no connection is opened).
    #[must_use]
    pub fn with_namespace(&self, namespace: impl Into<Arc<str>>) -> Self {
        Self {
            custom: self.custom.clone(),
            core: self.core.clone(),
            namespace: namespace.into(),
        }
    }

    /// The custom-objects verbs (the seed's `api`).
    #[must_use]
    pub fn custom_objects(&self) -> &Arc<dyn CustomObjects> {
        &self.custom
    }

    /// The built-in-kinds verbs (the seed's `core_api`).
    #[must_use]
    pub fn core(&self) -> &Arc<dyn CoreResources> {
        &self.core
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("namespace", &self.namespace)
            .field("custom_objects", &self.custom)
            .field("core", &self.core)
            .finish()
    }
}
