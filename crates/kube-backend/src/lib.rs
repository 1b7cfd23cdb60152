//! # kobj-kube
//!
//! The kobj backend for a real Kubernetes cluster, through kube-rs: [`KubeBackend`] implements
//! [`kobj_core::CustomObjects`] and [`kobj_core::CoreResources`] with `kube::Api<DynamicObject>`,
//! sending exactly the requests a careful kube-rs user sends, and failing with the same error
//! categories as kobj's fake.
//!
//! - [`connect()`] / [`Connect`]: a kubeconfig path (or `KUBECONFIG`, or `~/.kube/config`), a
//!   context and a namespace, falling back to the in-cluster configuration; or
//!   [`KubeBackend::from_kube_client`] for a `kube::Client` you already have.
//! - [`discovery`]: when a caller knows only group, version and kind, the plural and scope are
//!   discovered and cached ([`KubeBackend::resolve`]).
//! - Errors: every `kube::Error` becomes a [`kobj_core::Error`] of the category the fake
//!   returns, including a plain-text `404 page not found` (NotFound) and connection failures
//!   (Transport, naming the URL).
//! - [`watch`]: the raw stream (`watch_objects`), and [`ResilientWatch`], which re-lists on
//!   410 Expired and reconnects with backoff.
//!
//! Credentials and Secret data never reach kobj's logs, spans, error messages or `Debug`
//! output. (kube-client itself logs the body of a response it fails to decode at `warn`
//! level; that needs a server sending malformed JSON.)
//!
//! ```no_run
//! # async fn demo() -> kobj_core::Result<()> {
//! use kobj_core::{ApiResource, CustomObjectsExt, ResourceType};
//! use kube_core::GroupVersionKind;
//!
//! let client = kobj_kube::connect(kobj_kube::Connect::default().context("lab")).await?;
//! let gvk = GroupVersionKind::gvk("jumpstarter.dev", "v1alpha1", "Exporter");
//! let exporters = ResourceType::namespaced(ApiResource::from_gvk_with_plural(&gvk, "exporters"));
//! let list = client
//!     .custom_objects()
//!     .list_objects(&exporters, client.ns(), &Default::default())
//!     .await?;
//! println!("{} exporters in {}", list.items.len(), client.namespace());
//! # Ok(()) }
//! ```

mod apis;
mod backend;
mod checks;
pub mod connect;
pub mod discovery;
mod errors;
mod verbs;
pub mod watch;

pub use backend::KubeBackend;
pub use connect::{Connect, connect};
pub use watch::ResilientWatch;
