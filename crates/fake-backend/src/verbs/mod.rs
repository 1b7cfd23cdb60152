//! The verbs, one engine behind both traits: argument checks, type resolution (rules 5,
//! 46), and the synchronous cores of every verb in the submodules.

pub(crate) mod create;
pub mod delete;
pub(crate) mod entry;
pub(crate) mod gate;
pub(crate) mod old;
pub(crate) mod patching;
pub(crate) mod read;
pub(crate) mod reviews;
pub(crate) mod subresources;
pub(crate) mod traits;
pub(crate) mod update;
pub(crate) use update::{EPHEMERAL_CONTAINERS, RESIZE};
pub(crate) mod watching;
pub(crate) mod write;

use std::sync::Arc;

use kobj_core::error::empty_details;
use kobj_core::{Error, ResourceType, Result};
use kube_core::params::ValidationDirective;

use crate::cluster::State;
use crate::registry::TypeInfo;

/// Options of a write, as the HTTP layer receives them (a superset of kube-core's
/// `PostParams`/`PatchParams`).
#[derive(Clone, Debug, Default)]
pub struct WriteOptions {
    /// `dryRun=All`: run everything, store nothing, emit no events.
    pub dry_run: bool,
    /// `fieldManager` (default: the cluster's default field manager).
    pub field_manager: Option<String>,
    /// `fieldValidation` (default Warn, rule 27).
    pub field_validation: Option<ValidationDirective>,
    /// `force` for server-side apply.
    pub force: bool,
    /// Fixtures: a `metadata.uid` given and not taken is kept (a real create always assigns
    /// one), so fixtures can name their owners in `ownerReferences`.
    pub keep_uid: bool,
    /// Whom the write is made as, for what answers about the caller (the reviews, a
    /// CertificateSigningRequest's requester): a handle's user
    /// ([`FakeCluster::impersonate`](crate::FakeCluster::impersonate)) when `None`, and for
    /// the fake's own handles [`UserInfo::admin`](crate::UserInfo::admin).
    pub user: Option<std::sync::Arc<crate::UserInfo>>,
    /// Strict decoding errors found in the request body before it reached the engine (over
    /// HTTP: `duplicate field "x"` for a key an object repeats), reported with the unknown
    /// fields per `field_validation` and before them, as the server's decoder reports them.
    pub decode_errors: Vec<String>,
}

/// The handlers' `checkName` for a body written to the URL's `name`: 400 when the body names
/// no object or another one.
pub(crate) fn check_name(body_name: &str, name: &str) -> Result<()> {
    if body_name.is_empty() {
        return Err(Error::bad_request(format!(
            "the name of the object ({name} based on URL) was undeterminable: name must be provided"
        )));
    }
    if body_name != name {
        return Err(Error::bad_request(format!(
            "the name of the object ({body_name}) does not match the name on the URL ({name})"
        )));
    }
    Ok(())
}

impl crate::FakeCluster {
    /// `opts` naming this handle's user, when it impersonates one and `opts` names no user
    /// (what answers about the caller, and the RBAC escalation checks, read it there).
    pub(crate) fn with_user<'a>(
        &self,
        opts: &'a WriteOptions,
    ) -> std::borrow::Cow<'a, WriteOptions> {
        match (&self.user, &opts.user) {
            (Some(user), None) => std::borrow::Cow::Owned(WriteOptions {
                user: Some(user.clone()),
                ..opts.clone()
            }),
            _ => std::borrow::Cow::Borrowed(opts),
        }
    }
}

/// The 404 for a path the server does not serve (rule 5; in-process it is a NotFound error).
pub(crate) fn not_served(rt: &ResourceType) -> Error {
    Error::from_parts(
        404,
        "NotFound",
        "the server could not find the requested resource",
    )
    .with_details(kube_core::response::StatusDetails {
        group: rt.api.group.clone(),
        kind: rt.api.plural.clone(),
        ..empty_details()
    })
}

/// Resolves the served type of `rt` for any verb but create and checks the scope (rule
/// 46): a namespaced type without a namespace is reachable only for collections
/// (`collection`), a cluster-scoped type never with one. A create-only type (the reviews)
/// serves no other verb: refused as the server refuses it ([`reviews::refused`]).
pub(crate) fn resolve(
    st: &State,
    rt: &ResourceType,
    namespace: Option<&str>,
    collection: bool,
) -> Result<Arc<TypeInfo>> {
    let info = resolve_served(st, rt, namespace, collection)?;
    if info.create_only {
        return Err(reviews::refused(&info, namespace, collection));
    }
    Ok(info)
}

/// [`resolve`] without the create-only check: the type served at `rt`'s path, for create.
pub(crate) fn resolve_served(
    st: &State,
    rt: &ResourceType,
    namespace: Option<&str>,
    collection: bool,
) -> Result<Arc<TypeInfo>> {
    let info = st
        .registry
        .by_plural(&rt.api.group, &rt.api.version, &rt.api.plural)
        .ok_or_else(|| not_served(rt))?;
    let namespaced = info.resource.is_namespaced();
    match (namespaced, namespace) {
        (true, None) if !collection => Err(not_served(rt)),
        (false, Some(_)) => Err(not_served(rt)),
        _ => Ok(info.clone()),
    }
}

/// The namespace part of a table key for `info` (empty for cluster-scoped types).
pub(crate) fn ns_of<'a>(info: &TypeInfo, namespace: Option<&'a str>) -> &'a str {
    if info.resource.is_namespaced() {
        namespace.unwrap_or_default()
    } else {
        ""
    }
}
