//! `kobj`: kobj's command line. `kobj serve` serves an in-memory fake Kubernetes API server
//! that kubectl, kube-rs, client-go and the Python clients talk to unchanged.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use kobj_fake::FakeCluster;
use kobj_server::config::{DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_WATCHES};
use kobj_server::{ServeOptions, ServerConfig};

/// kobj: Kubernetes custom objects, with an in-memory API server for tests.
#[derive(Parser, Debug)]
#[command(name = "kobj", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve an in-memory Kubernetes API server (kobj's fake) over HTTP.
    ///
    /// Prints the URL it listens on, then serves until SIGINT or SIGTERM. The server keeps
    /// everything in memory: stopping it forgets every object. Use `--write-kubeconfig` and
    /// point kubectl or any client at the file (context `kobj`, namespace `default`).
    Serve(ServeArgs),
}

#[derive(Args, Debug)]
struct ServeArgs {
    /// Address to listen on. Port 0 picks a free port. The default binds loopback only;
    /// give e.g. 0.0.0.0:6443 to accept connections from other hosts.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    addr: SocketAddr,

    /// Write a kubeconfig for this server to PATH (one context `kobj`, namespace `default`,
    /// with the CA under --tls and the token under --token; file mode 0600).
    #[arg(long, value_name = "PATH")]
    write_kubeconfig: Option<PathBuf>,

    /// Load objects from a YAML or JSON file (several documents, any order: CRDs and
    /// namespaces are created first) before serving. Repeat for more files.
    #[arg(long = "fixtures", value_name = "PATH")]
    fixtures: Vec<PathBuf>,

    /// Require `Authorization: Bearer TOKEN` on every request; other requests get a 401
    /// Status.
    #[arg(long, value_name = "TOKEN")]
    token: Option<String>,

    /// Serve HTTPS with a certificate signed by a CA generated at start; the CA is written
    /// into the kubeconfig. Without --token, and with --write-kubeconfig, a bearer token is
    /// generated and written there too (kubectl asks for credentials over HTTPS otherwise).
    #[arg(long)]
    tls: bool,

    /// At most this many watches open at once; one more gets a 429 Status.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_WATCHES)]
    max_watches: usize,

    /// Request bodies larger than this many bytes get a 413 Status.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_BODY_BYTES)]
    max_body_bytes: usize,

    /// Log filter (tracing's env-filter syntax, e.g. `debug` or `kobj_server=debug`); the
    /// `RUST_LOG` environment variable takes precedence. Logs go to stderr.
    #[arg(long, value_name = "FILTER", default_value = "info")]
    log: String,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => {
            init_logging(&args.log);
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    eprintln!("kobj serve: cannot start the runtime: {e}");
                    return ExitCode::FAILURE;
                }
            };
            match runtime.block_on(serve(args)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("kobj serve: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

fn init_logging(default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(default))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    use std::io::IsTerminal as _;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
}

async fn serve(args: ServeArgs) -> Result<(), String> {
    let mut builder = FakeCluster::builder();
    for path in &args.fixtures {
        builder = builder.fixtures_file(path);
    }
    let cluster = builder
        .build()
        .map_err(|e| format!("cannot load the fixtures: {e}"))?;
    if !args.addr.ip().is_loopback() {
        tracing::warn!(addr = %args.addr, "listening beyond loopback: anyone who can reach this address can use the API");
    }
    let mut config = ServerConfig::default()
        .max_watches(args.max_watches)
        .max_body_bytes(args.max_body_bytes);
    // Over HTTPS a kubeconfig user without credentials makes kubectl prompt for a username;
    // a generated token gives the kubeconfig one to send.
    let generated = args.token.is_none() && args.tls && args.write_kubeconfig.is_some();
    let token = match args.token {
        Some(token) => Some(token),
        None if generated => Some(random_token()?),
        None => None,
    };
    if let Some(token) = token {
        config = config.token(token);
    }
    let options = ServeOptions::default()
        .addr(args.addr)
        .tls(args.tls)
        .config(config);
    let running = kobj_server::start(cluster, options)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.addr))?;
    if let Some(path) = &args.write_kubeconfig {
        running
            .write_kubeconfig(path)
            .map_err(|e| format!("cannot write the kubeconfig {}: {e}", path.display()))?;
    }
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "kobj serve: listening on {}", running.url());
    if let Some(path) = &args.write_kubeconfig {
        let _ = writeln!(
            out,
            "kobj serve: kubeconfig written to {} (context kobj, namespace default)",
            path.display()
        );
    }
    if generated {
        let _ = writeln!(
            out,
            "kobj serve: --tls without --token: a generated bearer token is in the kubeconfig"
        );
    }
    let _ = out.flush();
    drop(out);
    wait_for_signal().await;
    tracing::info!("shutting down");
    running.shutdown().await;
    tracing::info!("stopped");
    Ok(())
}

/// 32 hex digits from the TLS provider's secure random source.
fn random_token() -> Result<String, String> {
    let mut bytes = [0u8; 16];
    rustls::crypto::ring::default_provider()
        .secure_random
        .fill(&mut bytes)
        .map_err(|_| "cannot generate a bearer token: no random source".to_string())?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// SIGINT (Ctrl-C) or, on Unix, SIGTERM.
async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
