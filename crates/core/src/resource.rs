//! Describing a resource type: kube-core's [`ApiResource`] plus its [`Scope`].

use std::borrow::Cow;

pub use kube_core::ApiResource;
pub use kube_core::discovery::Scope;
use kube_core::{ClusterResourceScope, NamespaceResourceScope, Resource};

use crate::error::{Error, Result};

/// A resource type as every backend needs it: group, version, kind, plural (kube-core's
/// [`ApiResource`]) and whether objects live in a namespace ([`Scope`]).
///
/// `ApiResource` alone does not carry the scope, and without it a backend cannot tell whether
/// `namespaces/<ns>/` belongs in a path, so kobj pairs the two here.
///
/// ```
/// use kobj_core::{ApiResource, ResourceType};
/// use kube_core::GroupVersionKind;
///
/// let gvk = GroupVersionKind::gvk("example.com", "v1", "Widget");
/// let widgets = ResourceType::namespaced(ApiResource::from_gvk_with_plural(&gvk, "widgets"));
/// assert_eq!(widgets.qualified_resource(), "widgets.example.com");
/// assert_eq!(widgets.qualified_kind(), "Widget.example.com");
/// assert!(widgets.check_namespace(Some("default")).is_ok());
/// assert!(widgets.check_namespace(None).is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ResourceType {
    /// Group, version, kind and plural.
    pub api: ApiResource,
    /// Namespaced or cluster-scoped.
    pub scope: Scope,
}

/// The scope of a Rust type implementing [`kube_core::Resource`], known at compile time.
///
/// Implemented for k8s-openapi's scope markers, which `#[derive(CustomResource)]` types and
/// k8s-openapi types use as their `Resource::Scope`.
pub trait StaticScope {
    /// The scope the marker stands for.
    const SCOPE: Scope;
}

impl StaticScope for NamespaceResourceScope {
    const SCOPE: Scope = Scope::Namespaced;
}

impl StaticScope for ClusterResourceScope {
    const SCOPE: Scope = Scope::Cluster;
}

impl ResourceType {
    /// A namespaced resource type.
    #[must_use]
    pub fn namespaced(api: ApiResource) -> Self {
        Self {
            api,
            scope: Scope::Namespaced,
        }
    }

    /// A cluster-scoped resource type.
    #[must_use]
    pub fn cluster(api: ApiResource) -> Self {
        Self {
            api,
            scope: Scope::Cluster,
        }
    }

    /// The resource type of a Rust type: a k8s-openapi type or a `#[derive(CustomResource)]` type.
    ///
    /// ```
    /// use k8s_openapi::api::core::v1::ConfigMap;
    /// use kobj_core::ResourceType;
    ///
    /// let rt = ResourceType::of::<ConfigMap>();
    /// assert_eq!(rt.api.plural, "configmaps");
    /// assert!(rt.is_namespaced());
    /// ```
    #[must_use]
    pub fn of<K>() -> Self
    where
        K: Resource<DynamicType = ()>,
        K::Scope: StaticScope,
    {
        Self {
            api: ApiResource::erase::<K>(&()),
            scope: <K::Scope as StaticScope>::SCOPE,
        }
    }

    /// Whether objects of this type live in a namespace.
    #[must_use]
    pub fn is_namespaced(&self) -> bool {
        self.scope == Scope::Namespaced
    }

    /// `<plural>` in the core group, `<plural>.<group>` elsewhere: the name the API server uses
    /// in NotFound, AlreadyExists, Conflict and Forbidden messages.
    #[must_use]
    pub fn qualified_resource(&self) -> Cow<'_, str> {
        qualify(&self.api.plural, &self.api.group)
    }

    /// `<Kind>` in the core group, `<Kind>.<group>` elsewhere: the name the API server uses in
    /// Invalid messages.
    #[must_use]
    pub fn qualified_kind(&self) -> Cow<'_, str> {
        qualify(&self.api.kind, &self.api.group)
    }

    /// Checks that the descriptor is usable: version, kind and plural are present.
    ///
    /// # Errors
    /// A BadRequest error naming what is missing.
    pub fn validate(&self) -> Result<()> {
        let missing = if self.api.plural.is_empty() {
            "plural"
        } else if self.api.version.is_empty() {
            "version"
        } else if self.api.kind.is_empty() {
            "kind"
        } else {
            return Ok(());
        };
        Err(Error::bad_request(format!(
            "invalid resource type {:?} (apiVersion {:?}): the {missing} is empty",
            self.api.kind, self.api.api_version
        )))
    }

    /// Checks a namespace argument against the scope: namespaced types need one, cluster-scoped
    /// types refuse one. Also validates the descriptor itself.
    ///
    /// # Errors
    /// A BadRequest error that says which rule was broken.
    pub fn check_namespace(&self, namespace: Option<&str>) -> Result<()> {
        self.validate()?;
        match (&self.scope, namespace) {
            (Scope::Namespaced, None) => Err(Error::bad_request(format!(
                "{} is namespaced: a namespace is required",
                self.qualified_resource()
            ))),
            (Scope::Namespaced, Some("")) => Err(Error::bad_request(format!(
                "{} is namespaced: the namespace may not be empty",
                self.qualified_resource()
            ))),
            (Scope::Cluster, Some(ns)) => Err(Error::bad_request(format!(
                "{} is cluster-scoped: a namespace ({ns:?}) may not be given",
                self.qualified_resource()
            ))),
            _ => Ok(()),
        }
    }

    /// Like [`check_namespace`](Self::check_namespace), but for list, watch and
    /// delete-collection, where a namespaced type may be addressed across all namespaces
    /// (`None`).
    ///
    /// # Errors
    /// A BadRequest error for a namespace given to a cluster-scoped type or an empty namespace.
    pub fn check_collection_namespace(&self, namespace: Option<&str>) -> Result<()> {
        match (&self.scope, namespace) {
            (Scope::Namespaced, None) => self.validate(),
            _ => self.check_namespace(namespace),
        }
    }

    /// Checks the namespace (see [`check_namespace`](Self::check_namespace)) and that an object
    /// name is not empty.
    ///
    /// # Errors
    /// A BadRequest error; for an empty name the message is client-go's
    /// `resource name may not be empty`.
    pub fn check_target(&self, namespace: Option<&str>, name: &str) -> Result<()> {
        self.check_namespace(namespace)?;
        if name.is_empty() {
            return Err(Error::bad_request("resource name may not be empty"));
        }
        Ok(())
    }
}

fn qualify<'a>(name: &'a str, group: &str) -> Cow<'a, str> {
    if group.is_empty() {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(format!("{name}.{group}"))
    }
}

/// Whether an API group is one of Kubernetes' own (the core group, a group without a dot such
/// as `apps`, or one under `k8s.io` / `kubernetes.io`), as opposed to a custom resource's group.
///
/// ```
/// assert!(kobj_core::resource::is_builtin_group(""));
/// assert!(kobj_core::resource::is_builtin_group("coordination.k8s.io"));
/// assert!(!kobj_core::resource::is_builtin_group("jumpstarter.dev"));
/// ```
#[must_use]
pub fn is_builtin_group(group: &str) -> bool {
    !group.contains('.')
        || group == "k8s.io"
        || group.ends_with(".k8s.io")
        || group == "kubernetes.io"
        || group.ends_with(".kubernetes.io")
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{Namespace, Secret};
    use kube_core::GroupVersionKind;

    fn widgets() -> ResourceType {
        let gvk = GroupVersionKind::gvk("example.com", "v1", "Widget");
        ResourceType::namespaced(ApiResource::from_gvk_with_plural(&gvk, "widgets"))
    }

    #[test]
    fn of_reads_scope_and_names_from_the_type() {
        let s = ResourceType::of::<Secret>();
        assert_eq!(
            (
                s.api.group.as_str(),
                s.api.version.as_str(),
                s.api.plural.as_str()
            ),
            ("", "v1", "secrets")
        );
        assert!(s.is_namespaced());
        let n = ResourceType::of::<Namespace>();
        assert_eq!(n.scope, Scope::Cluster);
        assert_eq!(n.qualified_resource(), "namespaces");
    }

    #[test]
    fn a_missing_plural_is_a_bad_request() {
        let mut rt = widgets();
        rt.api.plural.clear();
        let e = rt.check_namespace(Some("ns")).unwrap_err();
        assert!(e.is_bad_request());
        assert!(
            e.status().unwrap().message.contains("the plural is empty"),
            "{e}"
        );
        assert!(rt.check_collection_namespace(None).is_err());
    }

    #[test]
    fn namespace_must_match_the_scope() {
        let e = widgets().check_namespace(None).unwrap_err();
        assert!(e.is_bad_request());
        assert_eq!(
            e.status().unwrap().message,
            "widgets.example.com is namespaced: a namespace is required"
        );
        assert!(
            widgets()
                .check_namespace(Some(""))
                .unwrap_err()
                .is_bad_request()
        );
        let e = ResourceType::of::<Namespace>()
            .check_namespace(Some("x"))
            .unwrap_err();
        assert_eq!(
            e.status().unwrap().message,
            "namespaces is cluster-scoped: a namespace (\"x\") may not be given"
        );
        assert!(
            ResourceType::of::<Namespace>()
                .check_namespace(None)
                .is_ok()
        );
        // lists and watches may span all namespaces
        assert!(widgets().check_collection_namespace(None).is_ok());
        assert!(
            ResourceType::of::<Namespace>()
                .check_collection_namespace(Some("x"))
                .is_err()
        );
    }

    #[test]
    fn an_empty_name_is_refused() {
        let e = widgets().check_target(Some("ns"), "").unwrap_err();
        assert!(e.is_bad_request());
        assert_eq!(
            e.status().unwrap().message,
            "resource name may not be empty"
        );
        assert!(widgets().check_target(Some("ns"), "a").is_ok());
    }

    #[test]
    fn builtin_groups() {
        for g in [
            "",
            "apps",
            "batch",
            "coordination.k8s.io",
            "apiextensions.k8s.io",
            "metrics.kubernetes.io",
        ] {
            assert!(is_builtin_group(g), "{g}");
        }
        for g in ["example.com", "jumpstarter.dev", "k8s.io.example.com"] {
            assert!(!is_builtin_group(g), "{g}");
        }
    }
}
