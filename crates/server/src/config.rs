//! [`ServerConfig`]: what the HTTP layer enforces around the fake.

use std::fmt;

/// The largest request body the API server reads (3 MiB); larger bodies get 413.
pub const DEFAULT_MAX_BODY_BYTES: usize = 3 * 1024 * 1024;

/// How many watches may be open at once by default; one more gets a 429 Status.
pub const DEFAULT_MAX_WATCHES: usize = 1024;

/// Limits and authentication of the HTTP layer.
///
/// `Debug` never shows the token.
///
/// ```
/// let config = kobj_server::ServerConfig::default()
///     .token("s3cret")
///     .max_watches(16);
/// assert_eq!(config.max_watches_value(), 16);
/// assert!(!format!("{config:?}").contains("s3cret"));
/// ```
#[derive(Clone)]
#[must_use]
pub struct ServerConfig {
    pub(crate) token: Option<String>,
    pub(crate) max_body_bytes: usize,
    pub(crate) max_watches: usize,
    pub(crate) git_version: String,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            token: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_watches: DEFAULT_MAX_WATCHES,
            git_version: "v1.35.0".to_string(),
        }
    }
}

impl fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerConfig")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("max_body_bytes", &self.max_body_bytes)
            .field("max_watches", &self.max_watches)
            .field("git_version", &self.git_version)
            .finish()
    }
}

impl ServerConfig {
    /// Requires `Authorization: Bearer <token>` on every request; others get a 401 Status.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Request bodies larger than this get 413 (default 3 MiB, as the API server).
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// At most this many watches open at once; one more gets a 429 Status (default 1024).
    pub fn max_watches(mut self, watches: usize) -> Self {
        self.max_watches = watches;
        self
    }

    /// The `gitVersion` `/version` reports, e.g. `v1.35.0` (major and minor are derived).
    pub fn git_version(mut self, version: impl Into<String>) -> Self {
        self.git_version = version.into();
        self
    }

    /// The configured watch limit.
    #[must_use]
    pub fn max_watches_value(&self) -> usize {
        self.max_watches
    }

    /// The configured body limit.
    #[must_use]
    pub fn max_body_bytes_value(&self) -> usize {
        self.max_body_bytes
    }

    /// Whether a bearer token is required.
    #[must_use]
    pub fn requires_token(&self) -> bool {
        self.token.is_some()
    }
}
