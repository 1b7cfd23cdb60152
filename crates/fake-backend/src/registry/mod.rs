//! The resource-type table: built-in kinds (see [`builtin`]) and the resources CRDs register
//! (rules 22, 43–46, 50). Lookups by group/version/plural and group/version/kind.

pub mod builtin;
mod versions;

pub use versions::compare_versions;

use foldhash::HashMap;
use std::sync::Arc;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    CustomResourceColumnDefinition, JSONSchemaProps,
};
use kobj_core::{ApiResource, ResourceType, Scope};

/// How the server validates object names of a type (rule 8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameRule {
    /// An RFC 1123 subdomain (at most 253 characters): custom resources and most built-ins.
    Subdomain,
    /// An RFC 1123 label (at most 63 characters): namespaces.
    Label,
    /// An RFC 1035 label: services.
    Dns1035,
    /// Any valid path segment (not `.`/`..`, no `/` or `%`): RBAC objects, events.
    PathSegment,
}

/// Where the scale subresource reads and writes its values (rule 22): JSON paths as in a
/// CRD's `subresources.scale`, e.g. `.spec.replicas`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScaleSpec {
    /// The desired replicas, e.g. `.spec.replicas`.
    pub spec_replicas_path: String,
    /// The observed replicas, e.g. `.status.replicas`.
    pub status_replicas_path: String,
    /// The label selector in string form, e.g. `.status.selector` (optional).
    pub label_selector_path: Option<String>,
}

/// A served resource: its [`ResourceType`] and what the server knows about it.
#[derive(Clone, Debug)]
pub struct TypeInfo {
    /// Group, version, kind, plural and scope.
    pub resource: ResourceType,
    /// The singular name (lower case).
    pub singular: String,
    /// The list kind, e.g. `ConfigMapList`.
    pub list_kind: String,
    /// Short names (`cm`, `deploy`, …).
    pub short_names: Vec<String>,
    /// Categories (`all`, …).
    pub categories: Vec<String>,
    /// Whether the `/status` subresource is enabled.
    pub status: bool,
    /// The `/scale` subresource, if enabled.
    pub scale: Option<ScaleSpec>,
    /// Field labels usable in field selectors besides `metadata.name` and
    /// `metadata.namespace` (rule 43): a CRD's selectableFields or a built-in's field labels.
    pub field_labels: Vec<String>,
    /// The name rule (rule 8).
    pub name_rule: NameRule,
    /// For custom resources: the name of the CRD that defines the type.
    pub crd: Option<String>,
    /// For custom resources: the version's `openAPIV3Schema`.
    pub schema: Option<Arc<JSONSchemaProps>>,
    /// Whether the schema declares any `default` (defaults are applied on every read).
    pub has_defaults: bool,
    /// For custom resources: `additionalPrinterColumns` (rule 50).
    pub printer_columns: Vec<CustomResourceColumnDefinition>,
    /// Whether this version is the storage version.
    pub storage: bool,
    /// Whether the type's CRD is terminating (rule 51: create is refused).
    pub terminating: bool,
    /// A virtual resource the server serves for `create` alone and never stores: the access
    /// and token reviews (`authorization.k8s.io`, `authentication.k8s.io`). Every other
    /// verb is refused as the server refuses it: 405 on the collection, 404 on a name.
    pub create_only: bool,
    /// The warning the server adds to every request of a deprecated resource version: a
    /// CRD version's `deprecationWarning`, or its default (`example.com/v1beta1 Widget is
    /// deprecated; use example.com/v1 Widget`), or a deprecated built-in API's
    /// (`v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice`).
    pub deprecation_warning: Option<String>,
}

impl TypeInfo {
    /// Whether objects of this type are custom resources.
    #[must_use]
    pub fn is_custom(&self) -> bool {
        self.crd.is_some()
    }

    /// The storage key shared by every version of the type: `<group>/<plural>`.
    #[must_use]
    pub fn store_key(&self) -> String {
        store_key(&self.resource.api.group, &self.resource.api.plural)
    }

    /// Whether `/status` exists on this type.
    #[must_use]
    pub fn has_status(&self) -> bool {
        self.status
    }
}

/// `<group>/<plural>`, the key under which objects of all versions of a type are stored
/// (events.k8s.io's Events under core's).
#[must_use]
pub fn store_key(group: &str, plural: &str) -> String {
    // events.k8s.io/v1 Events are another view of core/v1's (`builtins::conversion`).
    let (group, plural) = match (group, plural) {
        ("events.k8s.io", "events") => ("", "events"),
        other => other,
    };
    // Built by hand rather than with `format!`: every request computes it.
    let mut key = String::with_capacity(group.len() + 1 + plural.len());
    key.push_str(group);
    key.push('/');
    key.push_str(plural);
    key
}

/// Types by group, version and a name (plural or kind), looked up without allocating.
#[derive(Clone, Debug, Default)]
struct Index(HashMap<String, HashMap<String, HashMap<String, Arc<TypeInfo>>>>);

impl Index {
    fn insert(&mut self, group: &str, version: &str, name: &str, info: Arc<TypeInfo>) {
        self.0
            .entry(group.to_string())
            .or_default()
            .entry(version.to_string())
            .or_default()
            .insert(name.to_string(), info);
    }

    fn get(&self, group: &str, version: &str, name: &str) -> Option<&Arc<TypeInfo>> {
        self.0.get(group)?.get(version)?.get(name)
    }

    fn retain(&mut self, mut keep: impl FnMut(&TypeInfo) -> bool) {
        for versions in self.0.values_mut() {
            for names in versions.values_mut() {
                names.retain(|_, t| keep(t));
            }
            versions.retain(|_, names| !names.is_empty());
        }
        self.0.retain(|_, versions| !versions.is_empty());
    }

    fn values(&self) -> impl Iterator<Item = &Arc<TypeInfo>> {
        self.0
            .values()
            .flat_map(HashMap::values)
            .flat_map(HashMap::values)
    }

    fn values_mut(&mut self) -> impl Iterator<Item = &mut Arc<TypeInfo>> {
        self.0
            .values_mut()
            .flat_map(HashMap::values_mut)
            .flat_map(HashMap::values_mut)
    }
}

/// The table of served resource types.
#[derive(Clone, Debug, Default)]
pub struct Registry {
    by_plural: Index,
    by_kind: Index,
}

impl Registry {
    /// A registry with every built-in type of [`builtin::types`].
    #[must_use]
    pub fn with_builtins() -> Self {
        let mut registry = Self::default();
        for info in builtin::types() {
            registry.insert(info);
        }
        registry
    }

    /// Registers (or replaces) a type.
    pub fn insert(&mut self, info: TypeInfo) {
        let info = Arc::new(info);
        let api = &info.resource.api;
        self.by_plural
            .insert(&api.group, &api.version, &api.plural, info.clone());
        self.by_kind
            .insert(&api.group, &api.version, &api.kind, info.clone());
    }

    /// Removes every version registered by the CRD `crd`.
    pub fn remove_crd(&mut self, crd: &str) {
        self.by_plural.retain(|t| t.crd.as_deref() != Some(crd));
        self.by_kind.retain(|t| t.crd.as_deref() != Some(crd));
    }

    /// Marks the types of the CRD `crd` as terminating (rule 51).
    pub fn mark_terminating(&mut self, crd: &str) {
        for map in [&mut self.by_plural, &mut self.by_kind] {
            for info in map.values_mut() {
                if info.crd.as_deref() == Some(crd) {
                    Arc::make_mut(info).terminating = true;
                }
            }
        }
    }

    /// The type served at group/version/plural.
    #[must_use]
    pub fn by_plural(&self, group: &str, version: &str, plural: &str) -> Option<&Arc<TypeInfo>> {
        self.by_plural.get(group, version, plural)
    }

    /// The type served for group/version/kind.
    #[must_use]
    pub fn by_kind(&self, group: &str, version: &str, kind: &str) -> Option<&Arc<TypeInfo>> {
        self.by_kind.get(group, version, kind)
    }

    /// Every served type, sorted by group, version and plural.
    #[must_use]
    pub fn all(&self) -> Vec<Arc<TypeInfo>> {
        let mut all: Vec<_> = self.by_plural.values().cloned().collect();
        all.sort_by(|a, b| {
            let (a, b) = (&a.resource.api, &b.resource.api);
            (&a.group, &a.version, &a.plural).cmp(&(&b.group, &b.version, &b.plural))
        });
        all
    }

    /// Every served version of the type stored under `store_key`.
    #[must_use]
    pub fn versions_of(&self, store_key: &str) -> Vec<Arc<TypeInfo>> {
        // The key's parts compared in place: the garbage collector and the CRD controllers
        // ask on every write they make, so neither the whole table is sorted nor a key built
        // per type.
        let Some((group, plural)) = store_key.split_once('/') else {
            return Vec::new();
        };
        let mut versions: Vec<_> = self
            .by_plural
            .values()
            .filter(|t| t.resource.api.group == group && t.resource.api.plural == plural)
            .cloned()
            .collect();
        versions.sort_by(|a, b| a.resource.api.version.cmp(&b.resource.api.version));
        versions
    }
}

/// A [`ResourceType`] from its parts.
#[must_use]
pub fn resource_type(
    group: &str,
    version: &str,
    kind: &str,
    plural: &str,
    namespaced: bool,
) -> ResourceType {
    let api_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    ResourceType {
        api: ApiResource {
            group: group.to_string(),
            version: version.to_string(),
            api_version,
            kind: kind.to_string(),
            plural: plural.to_string(),
        },
        scope: if namespaced {
            Scope::Namespaced
        } else {
            Scope::Cluster
        },
    }
}
