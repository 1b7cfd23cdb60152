//! Connecting: a kubeconfig path (or `KUBECONFIG`, or `~/.kube/config`), a context, and a
//! namespace, with in-cluster configuration as the fallback (the seed's class, and more).
//!
//! Where the configuration comes from, in order:
//!
//! 1. [`Connect::kubeconfig`], when set: that file, which must exist;
//! 2. else `KUBECONFIG`: the files it lists (separated as `PATH` is), merged by kubectl's rules;
//!    listed files that do not exist are skipped, as client-go skips them;
//! 3. else `~/.kube/config`, if it exists;
//! 4. else the in-cluster configuration (the pod's service account), when running in a pod.
//!
//! The context is [`Connect::context`], else the kubeconfig's `current-context`. The namespace
//! is [`Connect::namespace`], else the context's namespace, else `default` (in a pod: the
//! service account's namespace).
//!
//! TLS verification stays on unless the kubeconfig's cluster says
//! `insecure-skip-tls-verify: true`; kobj never turns it off itself.
//!
//! Failures are [`Error::Config`] and name what was wrong: the missing file, the unknown
//! context (with the contexts that do exist), or the in-cluster problem. Connecting does not
//! contact the server; an unreachable server shows up on the first call as
//! [`Error::Transport`] naming its URL ([`KubeBackend::server_version`] is a cheap first call).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use kobj_core::{Error, Result};
use kube::config::{KubeConfigOptions, Kubeconfig};

use crate::KubeBackend;

/// Connection options: the Rust form of the seed's `(namespace, config_file, context)`.
///
/// ```no_run
/// # async fn demo() -> kobj_core::Result<()> {
/// use kobj_kube::Connect;
///
/// // The kubeconfig kubectl would use, its current context, and that context's namespace:
/// let client = kobj_kube::connect(Connect::default()).await?;
///
/// // Or everything explicit:
/// let backend = Connect::default()
///     .kubeconfig("/etc/lab/kubeconfig")
///     .context("lab")
///     .namespace("jumpstarter")
///     .backend()
///     .await?;
/// let client = backend.client();
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Connect {
    /// The kubeconfig file to load; `None` for `KUBECONFIG` or `~/.kube/config`.
    pub kubeconfig: Option<PathBuf>,
    /// The context to use; `None` for the kubeconfig's `current-context`.
    pub context: Option<String>,
    /// The namespace to bind to; `None` for the context's namespace, else `default`.
    pub namespace: Option<String>,
    /// The user to make every request as (`kubectl --as`), over the kubeconfig's `as`;
    /// `None` for the kubeconfig's.
    pub impersonate: Option<String>,
    /// The groups to make every request in (`kubectl --as-group`), with [`impersonate`];
    /// empty for the kubeconfig's.
    ///
    /// [`impersonate`]: Self::impersonate
    pub impersonate_groups: Vec<String>,
}

/// Connects with `options` and returns a [`kobj_core::Client`] bound to the chosen namespace.
///
/// # Errors
/// A Config error naming the missing kubeconfig file or the unknown context.
pub async fn connect(options: Connect) -> Result<kobj_core::Client> {
    options.client().await
}

/// Where the environment says to look (`KUBECONFIG`, the home directory); injectable for
/// tests.
#[derive(Clone, Debug, Default)]
pub(crate) struct Env {
    pub kubeconfig: Option<OsString>,
    pub home: Option<PathBuf>,
}

impl Env {
    fn current() -> Self {
        Self {
            kubeconfig: std::env::var_os("KUBECONFIG"),
            home: std::env::home_dir(),
        }
    }
}

impl Connect {
    /// Uses this kubeconfig file.
    #[must_use]
    pub fn kubeconfig(mut self, path: impl Into<PathBuf>) -> Self {
        self.kubeconfig = Some(path.into());
        self
    }

    /// Uses this context.
    #[must_use]
    pub fn context(mut self, name: impl Into<String>) -> Self {
        self.context = Some(name.into());
        self
    }

    /// Binds to this namespace.
    #[must_use]
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = Some(namespace.into());
        self
    }

    /// Makes every request as `user` (`kubectl --as`): the server authorizes each as that
    /// user, once the kubeconfig's own user may impersonate it.
    #[must_use]
    pub fn impersonate(mut self, user: impl Into<String>) -> Self {
        self.impersonate = Some(user.into());
        self
    }

    /// Makes every request in these groups (`kubectl --as-group`), with
    /// [`impersonate`](Self::impersonate).
    #[must_use]
    pub fn impersonate_groups<I, S>(mut self, groups: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.impersonate_groups = groups.into_iter().map(Into::into).collect();
        self
    }

    /// The `kube::Config` these options describe, with `default_namespace` set to the chosen
    /// namespace.
    ///
    /// # Errors
    /// A Config error naming the missing file, the unknown context, or why neither a
    /// kubeconfig nor the in-cluster configuration could be used.
    pub async fn load_config(&self) -> Result<kube::Config> {
        self.load_config_in(&Env::current()).await
    }

    /// A [`KubeBackend`] for these options; its
    /// [`default_namespace`](KubeBackend::default_namespace) is the chosen namespace.
    ///
    /// # Errors
    /// As [`load_config`](Self::load_config), and a Config error when the HTTP client cannot
    /// be built (unreadable certificates).
    pub async fn backend(&self) -> Result<KubeBackend> {
        KubeBackend::from_config(self.load_config().await?)
    }

    /// A [`kobj_core::Client`] over [`backend`](Self::backend), bound to the chosen namespace.
    ///
    /// # Errors
    /// As [`backend`](Self::backend).
    pub async fn client(&self) -> Result<kobj_core::Client> {
        Ok(self.backend().await?.client())
    }

    pub(crate) async fn load_config_in(&self, env: &Env) -> Result<kube::Config> {
        let mut config = match find_kubeconfig(self.kubeconfig.as_deref(), env)? {
            Found::File { config, files } => self.use_kubeconfig(*config, &files).await?,
            Found::Nothing { looked_at } => self.in_cluster(&looked_at)?,
        };
        if let Some(ns) = self.namespace.as_deref().filter(|ns| !ns.is_empty()) {
            config.default_namespace = ns.to_string();
        }
        if let Some(user) = &self.impersonate {
            config.auth_info.impersonate = Some(user.clone());
        }
        if !self.impersonate_groups.is_empty() {
            config.auth_info.impersonate_groups = Some(self.impersonate_groups.clone());
        }
        Ok(config)
    }

    async fn use_kubeconfig(&self, kubeconfig: Kubeconfig, files: &str) -> Result<kube::Config> {
        let context = match self
            .context
            .clone()
            .or_else(|| kubeconfig.current_context.clone())
        {
            Some(name) if !name.is_empty() => name,
            _ => {
                return Err(Error::config(
                    format!(
                        "kubeconfig {files} has no current-context; choose one of its contexts \
                         ({})",
                        context_names(&kubeconfig)
                    ),
                    None,
                ));
            }
        };
        if !kubeconfig.contexts.iter().any(|c| c.name == context) {
            return Err(Error::config(
                format!(
                    "context {context:?} not found in kubeconfig {files} (contexts: {})",
                    context_names(&kubeconfig)
                ),
                None,
            ));
        }
        let options = KubeConfigOptions {
            context: Some(context.clone()),
            ..KubeConfigOptions::default()
        };
        kube::Config::from_custom_kubeconfig(kubeconfig, &options)
            .await
            .map_err(|err| {
                Error::config(
                    format!("cannot use context {context:?} of kubeconfig {files}: {err}"),
                    Some(Box::new(err)),
                )
            })
    }

    fn in_cluster(&self, looked_at: &str) -> Result<kube::Config> {
        if let Some(context) = &self.context {
            return Err(Error::config(
                format!(
                    "context {context:?} was asked for, but no kubeconfig was found ({looked_at})"
                ),
                None,
            ));
        }
        kube::Config::incluster().map_err(|err| {
            Error::config(
                format!(
                    "no kubeconfig found ({looked_at}) and the in-cluster configuration is \
                     unavailable: {err}"
                ),
                Some(Box::new(err)),
            )
        })
    }
}

enum Found {
    File {
        config: Box<Kubeconfig>,
        files: String,
    },
    Nothing {
        looked_at: String,
    },
}

fn find_kubeconfig(explicit: Option<&Path>, env: &Env) -> Result<Found> {
    if let Some(path) = explicit {
        if !path.exists() {
            return Err(Error::config(
                format!("kubeconfig file {} does not exist", path.display()),
                None,
            ));
        }
        let config = Box::new(read(path)?);
        return Ok(Found::File {
            config,
            files: path.display().to_string(),
        });
    }
    let mut looked_at = Vec::new();
    if let Some(list) = env.kubeconfig.as_ref().filter(|v| !v.is_empty()) {
        let paths: Vec<PathBuf> = std::env::split_paths(list)
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
        let mut merged: Option<Kubeconfig> = None;
        let mut used = Vec::new();
        for path in &paths {
            if !path.exists() {
                continue;
            }
            let next = read(path)?;
            used.push(path.display().to_string());
            merged = Some(match merged {
                None => next,
                Some(first) => first.merge(next).map_err(|err| {
                    Error::config(
                        format!("cannot merge kubeconfig {}: {err}", path.display()),
                        Some(Box::new(err)),
                    )
                })?,
            });
        }
        if let Some(config) = merged {
            return Ok(Found::File {
                config: Box::new(config),
                files: used.join(", "),
            });
        }
        let listed: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        looked_at.push(format!(
            "KUBECONFIG lists {}, none exists",
            listed.join(", ")
        ));
    } else if let Some(home) = &env.home {
        let path = home.join(".kube").join("config");
        if path.exists() {
            let config = Box::new(read(&path)?);
            return Ok(Found::File {
                config,
                files: path.display().to_string(),
            });
        }
        looked_at.push(format!("{} does not exist", path.display()));
    } else {
        looked_at.push("KUBECONFIG is not set and there is no home directory".into());
    }
    Ok(Found::Nothing {
        looked_at: looked_at.join("; "),
    })
}

fn read(path: &Path) -> Result<Kubeconfig> {
    Kubeconfig::read_from(path).map_err(|err| {
        Error::config(
            format!("cannot load kubeconfig {}: {err}", path.display()),
            Some(Box::new(err)),
        )
    })
}

fn context_names(config: &Kubeconfig) -> String {
    if config.contexts.is_empty() {
        return "none".into();
    }
    config
        .contexts
        .iter()
        .map(|c| c.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
#[path = "connect_tests.rs"]
mod tests;
