//! The router on a TCP listener: plain HTTP or HTTPS with a generated certificate, HTTP/1.1
//! and h2, graceful shutdown that also ends open watches, and the kubeconfig clients use.

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::time::Duration;

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use kobj_fake::FakeCluster;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

use crate::config::ServerConfig;

/// How long a shutdown waits for open connections before closing them.
const DRAIN: Duration = Duration::from_secs(5);

/// Where and how to serve.
///
/// ```
/// let options = kobj_server::ServeOptions::default()
///     .tls(true)
///     .config(kobj_server::ServerConfig::default().token("t0k"));
/// assert_eq!(options.addr_value().to_string(), "127.0.0.1:0");
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct ServeOptions {
    addr: SocketAddr,
    tls: bool,
    config: ServerConfig,
}

impl Default for ServeOptions {
    /// Loopback, an ephemeral port, plain HTTP, no token.
    fn default() -> Self {
        Self {
            addr: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            tls: false,
            config: ServerConfig::default(),
        }
    }
}

impl ServeOptions {
    /// The address to bind (default `127.0.0.1:0`: loopback, any free port).
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// HTTPS with a certificate signed by a CA generated at start (see [`Running::ca_pem`]).
    pub fn tls(mut self, on: bool) -> Self {
        self.tls = on;
        self
    }

    /// Limits and the bearer token.
    pub fn config(mut self, config: ServerConfig) -> Self {
        self.config = config;
        self
    }

    /// The address to bind.
    #[must_use]
    pub fn addr_value(&self) -> SocketAddr {
        self.addr
    }
}

/// A server that is accepting connections. Dropping it leaves the server running until the
/// runtime stops; [`shutdown`](Self::shutdown) stops it cleanly.
#[derive(Debug)]
pub struct Running {
    addr: SocketAddr,
    url: String,
    ca_pem: Option<String>,
    token: Option<String>,
    shutdown: watch::Sender<bool>,
    task: JoinHandle<()>,
}

/// Binds `options.addr` and serves `cluster` until [`Running::shutdown`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
/// let running = kobj_server::start(kobj_fake::FakeCluster::new(), Default::default()).await?;
/// assert!(running.url().starts_with("http://127.0.0.1:"));
/// running.shutdown().await;
/// # Ok(()) }
/// ```
///
/// # Errors
/// When the address cannot be bound or the TLS certificate cannot be generated.
pub async fn start(cluster: FakeCluster, options: ServeOptions) -> io::Result<Running> {
    let listener = TcpListener::bind(options.addr).await?;
    let addr = listener.local_addr()?;
    let generated = if options.tls {
        Some(crate::tls::generate(addr.ip()).map_err(io::Error::other)?)
    } else {
        None
    };
    let (tx, rx) = watch::channel(false);
    let token = options.config.token.clone();
    let router = crate::app::build(cluster, options.config, Some(rx.clone()));
    let scheme = if generated.is_some() { "https" } else { "http" };
    let host = match addr.ip() {
        ip if ip.is_unspecified() => "127.0.0.1".to_string(),
        IpAddr::V6(ip) => format!("[{ip}]"),
        IpAddr::V4(ip) => ip.to_string(),
    };
    let url = format!("{scheme}://{host}:{}", addr.port());
    let ca_pem = generated.as_ref().map(|g| g.ca_pem.clone());
    let acceptor = generated.map(|g| TlsAcceptor::from(g.config));
    let task = tokio::spawn(accept_loop(listener, router, acceptor, rx));
    tracing::info!(%url, tls = ca_pem.is_some(), "kobj serve listening");
    Ok(Running {
        addr,
        url,
        ca_pem,
        token,
        shutdown: tx,
        task,
    })
}

async fn accept_loop(
    listener: TcpListener,
    router: axum::Router,
    acceptor: Option<TlsAcceptor>,
    mut shutdown: watch::Receiver<bool>,
) {
    let graceful = GracefulShutdown::new();
    let builder = auto::Builder::new(TokioExecutor::new());
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.wait_for(|stop| *stop) => break,
        };
        let (stream, peer) = match accepted {
            Ok(ok) => ok,
            Err(e) => {
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(router.clone());
        let builder = builder.clone();
        let watcher = graceful.watcher();
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let result = match acceptor {
                // Plain HTTP is HTTP/1.1 only, as the API server's (h2 needs TLS and ALPN).
                None => {
                    let conn = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service);
                    watcher
                        .watch(conn)
                        .await
                        .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)
                }
                Some(acceptor) => match acceptor.accept(stream).await {
                    Ok(tls) => {
                        let conn = builder
                            .serve_connection_with_upgrades(TokioIo::new(tls), service)
                            .into_owned();
                        watcher.watch(conn).await
                    }
                    Err(e) => {
                        tracing::debug!(%peer, error = %e, "TLS handshake failed");
                        return;
                    }
                },
            };
            if let Err(e) = result {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(DRAIN) => tracing::warn!("connections still open after {DRAIN:?}; closing them"),
    }
}

impl Running {
    /// The bound address (with the port chosen when `:0` was asked for).
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL clients use, e.g. `http://127.0.0.1:41234`.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// With TLS: the PEM of the generated CA that signed the server's certificate.
    #[must_use]
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// A kubeconfig with one context, `kobj` (namespace `default`), for this server.
    #[must_use]
    pub fn kubeconfig(&self) -> String {
        crate::kubeconfig::render(&self.url, self.ca_pem.as_deref(), self.token.as_deref())
    }

    /// Writes [`kubeconfig`](Self::kubeconfig) to `path` (mode 0600 on Unix).
    ///
    /// # Errors
    /// When the file cannot be written.
    pub fn write_kubeconfig(&self, path: &Path) -> io::Result<()> {
        crate::kubeconfig::write(path, &self.kubeconfig())
    }

    /// Stops accepting, ends open watches, waits for in-flight requests (at most 5 s) and
    /// returns when the server is down.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let _ = self.task.await;
    }
}
