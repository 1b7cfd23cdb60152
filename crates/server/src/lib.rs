//! # kobj-server
//!
//! kobj's in-memory fake API server ([`kobj_fake::FakeCluster`]) served over the Kubernetes
//! REST protocol, so that every real client works against it unchanged: kubectl, kube-rs code
//! that never heard of kobj, client-go, and the Python clients.
//!
//! - [`router`]: an axum [`Router`](axum::Router) (a tower `Service`) with the REST paths of
//!   the core group (`/api/v1/…`) and named groups (`/apis/<group>/<version>/…`), every verb
//!   including deletecollection and the status and scale subresources, the four patch types,
//!   watch as a stream of one JSON event per line, discovery (legacy and aggregated), OpenAPI
//!   v3 for kubectl's server-side validation, and Tables for `kubectl get`. Errors are
//!   Kubernetes `Status` bodies with the server's HTTP codes; unrouted paths get the plain
//!   `404 page not found`.
//! - [`in_process_client`]: a `kube::Client` over the router with no socket, for tests of code
//!   written against `kube::Api`.
//! - [`serve`]: the router on a TCP listener, optionally with TLS and a bearer token, with a
//!   kubeconfig for clients; the `kobj serve` command is built on it.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use k8s_openapi::api::core::v1::ConfigMap;
//! use kobj_fake::FakeCluster;
//!
//! let cluster = FakeCluster::new();
//! let client = kobj_server::in_process_client(&cluster);
//! let configmaps: kube::Api<ConfigMap> = kube::Api::namespaced(client, "default");
//! let mut cm = ConfigMap::default();
//! cm.metadata.name = Some("settings".into());
//! configmaps.create(&Default::default(), &cm).await?;
//! assert!(configmaps.get_opt("settings").await?.is_some());
//! # Ok(()) }
//! ```
//!
//! Modules and the rules of kobj's `kubernetes-semantics.md` they implement: `path` (the URL
//! grammar, rules 5 and 46), `params` (query parameters, rules 13, 27, 30, 39), `negotiate`
//! (Accept and Content-Type, rules 23 and 54), `respond` (Status bodies, rule 1), `resource`
//! (the verbs), `watch` (rules 34–41), `discovery` (rules 52–53), `openapi` (rule 55), `table`
//! (rules 50 and 54).

mod app;
pub mod config;
mod discovery;
mod health;
mod identity;
mod jsonpath;
pub mod kubeconfig;
mod logs;
mod negotiate;
mod openapi;
mod params;
mod path;
mod proto;
mod resource;
mod respond;
pub mod serve;
mod table;
mod tls;
mod watch;

pub use app::router;
pub use config::ServerConfig;
pub use serve::{Running, ServeOptions, start};

use kobj_fake::FakeCluster;

/// A `kube::Client` that talks to `cluster` through the router in-process (no socket), with
/// `default` as its default namespace.
///
/// Must be called inside a tokio runtime (as `kube::Client::new`).
#[must_use]
pub fn in_process_client(cluster: &FakeCluster) -> kube::Client {
    in_process_client_with(cluster, ServerConfig::default(), "default")
}

/// [`in_process_client`] with a [`ServerConfig`] and a default namespace. When the config
/// requires a token, the client sends it.
#[must_use]
pub fn in_process_client_with(
    cluster: &FakeCluster,
    config: ServerConfig,
    namespace: &str,
) -> kube::Client {
    use tower::ServiceExt as _;

    let bearer = config
        .token
        .as_ref()
        .and_then(|t| http::HeaderValue::from_str(&format!("Bearer {t}")).ok());
    let service = router(cluster.clone(), config).map_request(
        move |mut req: http::Request<kube::client::Body>| {
            if let Some(value) = &bearer {
                req.headers_mut()
                    .insert(http::header::AUTHORIZATION, value.clone());
            }
            req
        },
    );
    kube::Client::new(service, namespace)
}
