//! One conformance case: its name, area, the rules it checks, what it needs, and its body.

use std::fmt;

use futures::future::BoxFuture;

use crate::backend::{Capabilities, Need};
use crate::ctx::Ctx;

/// What a case returns: `Ok(())` when the backend behaved as the rules say.
pub type Outcome = Result<(), Failure>;

/// The body of a case.
pub type CaseFn = for<'c, 'b> fn(&'c Ctx<'b>) -> BoxFuture<'c, Outcome>;

/// Why a case failed, in words a reader can act on (expected vs got).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    message: String,
}

impl Failure {
    /// A failure with the given message.
    #[must_use]
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// The message.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Prefixes the message with what was being done: `<what>: <message>`.
    #[must_use]
    pub fn context(self, what: impl fmt::Display) -> Self {
        Self {
            message: format!("{what}: {}", self.message),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

impl From<kobj_core::Error> for Failure {
    /// An error where none was expected.
    fn from(err: kobj_core::Error) -> Self {
        Failure::new(format!("unexpected error: {err}"))
    }
}

/// Adds what was being done to an unexpected error: `result.during("create w1")?`.
pub trait During<T> {
    /// Turns an error into a [`Failure`] that says what was being done.
    ///
    /// # Errors
    /// The failure, when `self` is an error.
    fn during(self, what: &str) -> Result<T, Failure>;
}

impl<T> During<T> for kobj_core::Result<T> {
    fn during(self, what: &str) -> Result<T, Failure> {
        self.map_err(|e| Failure::from(e).context(what))
    }
}

impl<T> During<T> for Result<T, Failure> {
    fn during(self, what: &str) -> Result<T, Failure> {
        self.map_err(|f| f.context(what))
    }
}

/// The area of the API a case exercises; cases are grouped (and filtered) by area.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Area {
    /// The Status envelope of errors (rules 1–5).
    Errors,
    /// Create (rules 6–10).
    Create,
    /// Get and list, paging and resourceVersion semantics (rules 11–14).
    Read,
    /// Update (rules 15–20).
    Update,
    /// The status and scale subresources (rules 21–22).
    Subresources,
    /// Patch (rules 23–27).
    Patch,
    /// Delete, finalizers and garbage collection (rules 28–33).
    Delete,
    /// Watch (rules 34–41).
    Watch,
    /// Label and field selectors (rules 42–43).
    Selectors,
    /// CustomResourceDefinitions, schemas, pruning and defaulting (rules 44–51).
    Crd,
    /// Namespace lifecycle (rules 9 and 33).
    Namespaces,
    /// Built-in kinds' special cases (Secrets, ConfigMaps, Leases).
    Builtins,
    /// Whole workflows, as operators run them.
    Workflow,
}

impl Area {
    /// Every area, in report order.
    pub const ALL: [Area; 13] = [
        Area::Errors,
        Area::Create,
        Area::Read,
        Area::Update,
        Area::Subresources,
        Area::Patch,
        Area::Delete,
        Area::Watch,
        Area::Selectors,
        Area::Crd,
        Area::Namespaces,
        Area::Builtins,
        Area::Workflow,
    ];

    /// The area's name, lower case (`create`, `watch`, …).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Area::Errors => "errors",
            Area::Create => "create",
            Area::Read => "read",
            Area::Update => "update",
            Area::Subresources => "subresources",
            Area::Patch => "patch",
            Area::Delete => "delete",
            Area::Watch => "watch",
            Area::Selectors => "selectors",
            Area::Crd => "crd",
            Area::Namespaces => "namespaces",
            Area::Builtins => "builtins",
            Area::Workflow => "workflow",
        }
    }
}

impl fmt::Display for Area {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A named conformance case.
#[derive(Clone)]
pub struct Case {
    /// Unique name, snake_case (`create_duplicate_already_exists`).
    pub name: &'static str,
    /// The area it belongs to.
    pub area: Area,
    /// The numbers of the rules in `kubernetes-semantics.md` it checks.
    pub rules: &'static [u32],
    /// Capabilities without which it is skipped.
    pub needs: &'static [Need],
    /// One line: what it checks.
    pub summary: &'static str,
    run: CaseFn,
}

impl Case {
    /// A case. The suite's own cases come from [`cases()`](fn@crate::cases); this lets a backend
    /// add its own in the same shape.
    #[must_use]
    pub fn new(
        name: &'static str,
        area: Area,
        rules: &'static [u32],
        needs: &'static [Need],
        summary: &'static str,
        run: CaseFn,
    ) -> Self {
        Self {
            name,
            area,
            rules,
            needs,
            summary,
            run,
        }
    }

    /// The first capability this case needs that `capabilities` lacks.
    #[must_use]
    pub fn missing(&self, capabilities: &Capabilities) -> Option<Need> {
        self.needs.iter().copied().find(|n| !capabilities.has(*n))
    }

    /// Runs the body against a prepared context.
    pub fn run<'c>(&self, cx: &'c Ctx<'_>) -> BoxFuture<'c, Outcome> {
        (self.run)(cx)
    }

    /// Whether `filter` selects this case: it is a substring of the name, or the area's name.
    #[must_use]
    pub fn matches(&self, filter: &str) -> bool {
        self.name.contains(filter) || self.area.as_str() == filter
    }
}

impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Case")
            .field("name", &self.name)
            .field("area", &self.area)
            .field("rules", &self.rules)
            .field("needs", &self.needs)
            .field("summary", &self.summary)
            .finish_non_exhaustive()
    }
}

/// Declares a [`Case`] from an `async fn name(cx: &Ctx<'_>) -> Outcome`.
macro_rules! case {
    ($f:ident, $area:ident, [$($rule:expr),+ $(,)?], needs [$($need:ident),* $(,)?], $summary:expr) => {{
        fn run<'c, 'b>(
            cx: &'c $crate::ctx::Ctx<'b>,
        ) -> ::futures::future::BoxFuture<'c, $crate::case::Outcome> {
            Box::pin($f(cx))
        }
        $crate::case::Case::new(
            stringify!($f),
            $crate::case::Area::$area,
            &[$($rule),+],
            &[$($crate::backend::Need::$need),*],
            $summary,
            run,
        )
    }};
    ($f:ident, $area:ident, [$($rule:expr),+ $(,)?], $summary:expr) => {
        case!($f, $area, [$($rule),+], needs [], $summary)
    };
}
pub(crate) use case;
