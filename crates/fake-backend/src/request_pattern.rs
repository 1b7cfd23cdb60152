//! Which requests a fault rule or an action filter covers: the request parts both select on
//! (verb, group, resource, namespace, name, subresource), their matching, and the builder
//! methods both offer.

use crate::actions::Verb;
use crate::faults::RequestInfo;

/// A pattern over requests. Each part left unset matches anything; `Some(None)` in an
/// optional part matches requests without it (no namespace, no name, no subresource).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct RequestPattern {
    pub verb: Option<Verb>,
    pub group: Option<String>,
    pub resource: Option<String>,
    pub namespace: Option<Option<String>>,
    pub name: Option<Option<String>>,
    pub subresource: Option<Option<String>>,
}

impl RequestPattern {
    /// Whether `req` has every part the pattern sets.
    pub fn matches(&self, req: &RequestInfo<'_>) -> bool {
        fn part(want: Option<&Option<String>>, got: Option<&str>) -> bool {
            want.is_none_or(|w| w.as_deref() == got)
        }
        self.verb.is_none_or(|v| v == req.verb)
            && self.group.as_deref().is_none_or(|g| g == req.group)
            && self.resource.as_deref().is_none_or(|r| r == req.resource)
            && part(self.namespace.as_ref(), req.namespace)
            && part(self.name.as_ref(), req.name)
            && part(self.subresource.as_ref(), req.subresource)
    }
}

/// The builder methods over a `pattern: RequestPattern` field, for a type whose matches are
/// called `$noun` in the docs ("actions", "requests").
macro_rules! request_pattern_builders {
    ($noun:literal) => {
        #[doc = concat!("Only ", $noun, " on this resource (plural, e.g. `widgets`).")]
        #[must_use]
        pub fn resource(mut self, plural: &str) -> Self {
            self.pattern.resource = Some(plural.to_string());
            self
        }

        #[doc = concat!("Only ", $noun, " in this API group (`\"\"` for the core group).")]
        #[must_use]
        pub fn group(mut self, g: &str) -> Self {
            self.pattern.group = Some(g.to_string());
            self
        }

        #[doc = concat!("Only ", $noun, " in this namespace.")]
        #[must_use]
        pub fn namespace(mut self, ns: &str) -> Self {
            self.pattern.namespace = Some(Some(ns.to_string()));
            self
        }

        #[doc = concat!("Only ", $noun, " without a namespace (cluster-scoped, or across all namespaces).")]
        #[must_use]
        pub fn no_namespace(mut self) -> Self {
            self.pattern.namespace = Some(None);
            self
        }

        #[doc = concat!("Only ", $noun, " on the object with this name.")]
        #[must_use]
        pub fn name(mut self, n: &str) -> Self {
            self.pattern.name = Some(Some(n.to_string()));
            self
        }

        #[doc = concat!("Only ", $noun, " on this subresource (`status`, `scale`).")]
        #[must_use]
        pub fn subresource(mut self, s: &str) -> Self {
            self.pattern.subresource = Some(Some(s.to_string()));
            self
        }

        #[doc = concat!("Only ", $noun, " on the main resource, not a subresource.")]
        #[must_use]
        pub fn no_subresource(mut self) -> Self {
            self.pattern.subresource = Some(None);
            self
        }
    };
}

pub(crate) use request_pattern_builders;
