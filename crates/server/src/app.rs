//! The router: one axum fallback handler that authenticates, routes by the Kubernetes path
//! grammar (see `path.rs`) and hands over to discovery, OpenAPI or the resource verbs.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use bytes::Bytes;
use http::{HeaderMap, Method, header};
use http_body_util::{BodyExt, Limited};
use kobj_core::{Error, Result};
use kobj_fake::FakeCluster;
use tokio::sync::{Semaphore, watch};

use crate::config::ServerConfig;
use crate::path::{self, ApiPath};
use crate::respond;

/// The shared state of every request.
pub(crate) struct App {
    /// The fake behind the server.
    pub cluster: FakeCluster,
    /// Limits and authentication.
    pub config: ServerConfig,
    /// Permits for open watches.
    pub watches: Arc<Semaphore>,
    /// Flips to `true` when the server shuts down (open watches end).
    pub shutdown: Option<watch::Receiver<bool>>,
}

/// The router over `cluster`: every Kubernetes REST path, discovery and OpenAPI, as an axum
/// [`Router`] (a tower `Service`), ready for [`axum::serve`](fn@axum::serve) or
/// [`kube::Client::new`](kube::Client::new).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use kobj_fake::FakeCluster;
/// use tower::ServiceExt;
///
/// let router = kobj_server::router(FakeCluster::new(), kobj_server::ServerConfig::default());
/// let request = http::Request::get("/api/v1/namespaces/default").body(axum::body::Body::empty()).unwrap();
/// let response = router.oneshot(request).await.unwrap();
/// assert_eq!(response.status(), 200);
/// # }
/// ```
pub fn router(cluster: FakeCluster, config: ServerConfig) -> Router {
    build(cluster, config, None)
}

/// The router, with a shutdown signal that ends open watches.
pub(crate) fn build(
    cluster: FakeCluster,
    config: ServerConfig,
    shutdown: Option<watch::Receiver<bool>>,
) -> Router {
    let watches = Arc::new(Semaphore::new(config.max_watches));
    let app = Arc::new(App {
        cluster,
        config,
        watches,
        shutdown,
    });
    Router::new().fallback(handle).with_state(app)
}

async fn handle(State(app): State<Arc<App>>, req: Request) -> Response {
    if !tracing::enabled!(tracing::Level::DEBUG) {
        return route(&app, req).await;
    }
    let started = std::time::Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let resp = route(&app, req).await;
    tracing::debug!(
        %method,
        %path,
        status = resp.status().as_u16(),
        micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        "request"
    );
    resp
}

async fn route(app: &App, req: Request) -> Response {
    let user = match crate::identity::resolve(&app.cluster, &app.config, req.headers()) {
        Ok(user) => user,
        Err(e) => return respond::error(&e),
    };
    // A request made as someone else goes to a handle that authorizes it.
    let scoped;
    let app = match user {
        None => app,
        Some(user) => {
            scoped = App {
                cluster: app.cluster.impersonate(user),
                config: app.config.clone(),
                watches: app.watches.clone(),
                shutdown: app.shutdown.clone(),
            };
            &scoped
        }
    };
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().map(ToString::to_string);
    let req = Incoming {
        method: parts.method,
        headers: parts.headers,
        query,
        body,
    };
    let parsed = path::parse(&path);
    // Every other path is authorized here (a resource request by the handle).
    if !matches!(parsed, Some(ApiPath::Resource(_)))
        && let Some(user) = app.cluster.impersonating()
        && let Err(e) = crate::identity::authorize_path(&app.cluster, &user, &req.method, &path)
    {
        return respond::error(&e);
    }
    if matches!(path.as_str(), "/version" | "/version/") {
        return crate::discovery::version(app, &req);
    }
    if let Some(resp) = crate::health::serve(&path, req.query.as_deref()) {
        return resp;
    }
    if let Some(rest) = path.strip_prefix("/openapi/") {
        return crate::openapi::serve(app, &req, rest);
    }
    match parsed {
        None => respond::page_not_found(),
        Some(ApiPath::Resource(target)) => crate::resource::serve(app, req, target).await,
        Some(other) => crate::discovery::serve(app, &req, &other),
    }
}

/// A request taken apart.
pub(crate) struct Incoming {
    /// The method.
    pub method: Method,
    /// The headers.
    pub headers: HeaderMap,
    /// The raw query string.
    pub query: Option<String>,
    /// The body, not yet read.
    pub body: Body,
}

impl Incoming {
    /// A header as text.
    pub fn header(&self, name: header::HeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Reads the body, refusing more than `limit` bytes with 413 (rule: the API server's
    /// 3 MiB request limit).
    pub async fn read_body(&mut self, limit: usize) -> Result<Bytes> {
        let too_large = || Error::request_entity_too_large(format!("limit is {limit}"));
        if let Some(len) = self
            .header(header::CONTENT_LENGTH)
            .and_then(|l| l.parse::<u64>().ok())
            && len > limit as u64
        {
            return Err(too_large());
        }
        let body = std::mem::take(&mut self.body);
        match Limited::new(body, limit).collect().await {
            Ok(collected) => Ok(collected.to_bytes()),
            Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(too_large()),
            Err(e) => Err(Error::bad_request(format!(
                "error reading the request body: {e}"
            ))),
        }
    }
}
