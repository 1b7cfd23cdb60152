//! The kubeconfig `kobj serve` writes: one cluster, user and context, all named `kobj`, with
//! namespace `default`, the server URL, the CA (with `--tls`) and the token (with `--token`).

use std::io;
use std::path::Path;

use base64::Engine as _;
use serde_json::json;

/// The context, cluster and user name in the kubeconfig.
pub const CONTEXT: &str = "kobj";

/// A kubeconfig for `server`, trusting `ca_pem` when given and sending `token` when given.
///
/// ```
/// let text = kobj_server::kubeconfig::render("http://127.0.0.1:8080", None, Some("t0k"));
/// assert!(text.contains("current-context: kobj"));
/// assert!(text.contains("namespace: default"));
/// assert!(text.contains("token: t0k"));
/// ```
#[must_use]
pub fn render(server: &str, ca_pem: Option<&str>, token: Option<&str>) -> String {
    let mut cluster = json!({"server": server});
    if let (Some(ca), Some(map)) = (ca_pem, cluster.as_object_mut()) {
        let data = base64::engine::general_purpose::STANDARD.encode(ca.as_bytes());
        map.insert("certificate-authority-data".into(), data.into());
    }
    let user = match token {
        Some(t) => json!({"token": t}),
        None => json!({}),
    };
    let config = json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": CONTEXT, "cluster": cluster}],
        "users": [{"name": CONTEXT, "user": user}],
        "contexts": [{"name": CONTEXT, "context": {"cluster": CONTEXT, "user": CONTEXT, "namespace": "default"}}],
        "current-context": CONTEXT,
        "preferences": {},
    });
    serde_yaml::to_string(&config).unwrap_or_default()
}

/// Writes `text` to `path`, readable only by its owner on Unix (it may hold a token).
///
/// # Errors
/// When the file cannot be written.
pub fn write(path: &Path, text: &str) -> io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}
