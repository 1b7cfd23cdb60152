//! # kobj-core
//!
//! The interface every kobj backend plugs into:
//!
//! - [`CustomObjects`] and [`CoreResources`]: dyn-compatible async traits with every verb of the
//!   Kubernetes API over dynamic objects (create, get, list, replace, patch, delete,
//!   delete-collection, status and scale subresources, watch), for namespaced and
//!   cluster-scoped resources. Hold them as `Arc<dyn CustomObjects>` to swap backends.
//! - [`CustomObjectsExt`] and [`CoreResourcesExt`]: the typed layer (`get::<K>`, `create(&K)`,
//!   `list::<K>`, `patch`, `watch::<K>`, `wait_until`, …) for any `K: kube::Resource`.
//! - [`Client`]: a handle bound to one namespace exposing both traits.
//! - [`Error`]: one error model for every backend, classified like a Kubernetes `Status`.
//! - [`selector`]: label and field selector parsers and matchers with the API server's error
//!   texts.
//! - [`wait`]: watch-based waiting helpers.
//! - `MockCustomObjects` / `MockCoreResources` (feature `mock`): mockall mocks of the traits.
//!
//! ```
//! use std::sync::Arc;
//! use kobj_core::{CustomObjects, ResourceType, ApiResource};
//!
//! // A library function written once against the trait, usable with any backend.
//! async fn count_widgets(objects: Arc<dyn CustomObjects>, ns: &str) -> kobj_core::Result<usize> {
//!     let gvk = kube_core::GroupVersionKind::gvk("example.com", "v1", "Widget");
//!     let widgets = ResourceType::namespaced(ApiResource::from_gvk_with_plural(&gvk, "widgets"));
//!     let list = objects.list_objects(&widgets, Some(ns), &Default::default()).await?;
//!     Ok(list.items.len())
//! }
//! ```

pub mod client;
pub mod error;
pub mod resource;
pub mod selector;
pub mod typed;
pub mod verbs;
pub mod wait;

pub use client::Client;
pub use either::Either;
pub use error::{Error, ErrorKind, FieldError, FieldErrorType, Result};
pub use resource::{ApiResource, ResourceType, Scope, StaticScope};
pub use typed::{CoreResourcesExt, CustomObjectsExt, TypedResource};
pub use verbs::{
    CoreResources, CustomObjects, PatchValue, SharedWatchStream, WatchStream, shared_event,
};
#[cfg(any(test, feature = "mock"))]
pub use verbs::{MockCoreResources, MockCustomObjects};

/// k8s-openapi, re-exported (without a Kubernetes version feature; binaries pick one).
pub use k8s_openapi;
/// kube-core, re-exported so users name the same params, Patch, ObjectList, WatchEvent and
/// Status types kobj uses.
pub use kube_core;
