//! Label and field selectors, parsed and matched the way the Kubernetes API server does it.
//!
//! [`LabelSelector`] reproduces `k8s.io/apimachinery/pkg/labels/selector.go` (lexer, parser,
//! validation and matching) and [`FieldSelector`] reproduces
//! `k8s.io/apimachinery/pkg/fields/selector.go` (term splitting, escaping and matching). A
//! string that does not parse yields a [`SelectorError`] whose [`message`](SelectorError::message)
//! is the text the real API server puts in its `BadRequest` status, so an in-memory backend can
//! answer exactly like a cluster.
//!
//! ```
//! # use kobj_core::selector::{FieldSelector, LabelSelector};
//! # use std::collections::BTreeMap;
//! let labels: LabelSelector = "app=web,tier notin (cache)".parse()?;
//! let mut object = BTreeMap::new();
//! object.insert("app".to_string(), "web".to_string());
//! assert!(labels.matches(&object));
//! assert_eq!(labels.to_string(), "app=web,tier notin (cache)");
//!
//! let fields: FieldSelector = "metadata.name=web".parse()?;
//! assert_eq!(fields.value_for("metadata.name"), Some("web"));
//!
//! let err = LabelSelector::parse("x,").err();
//! assert_eq!(
//!     err.as_ref().map(|e| e.message()),
//!     Some("found '', expected: identifier after ','")
//! );
//! # Ok::<(), kobj_core::selector::SelectorError>(())
//! ```

mod fields;
mod labels;

pub use fields::{FieldOperator, FieldRequirement, FieldSelector};
pub use labels::{LabelOperator, LabelRequirement, LabelSelector};

/// A selector string that does not parse; `message()` is the real API server's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectorError {
    kind: SelectorKind,
    message: String,
}

/// Which selector failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SelectorKind {
    /// A label selector (`labelSelector=` query parameter, `metav1.LabelSelector`).
    Label,
    /// A field selector (`fieldSelector=` query parameter).
    Field,
}

impl SelectorError {
    /// Creates an error of `kind` carrying the API server's `message`.
    pub(crate) fn new(kind: SelectorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// The error text, identical to what the Kubernetes API server reports.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Whether a label or a field selector failed.
    pub fn kind(&self) -> SelectorKind {
        self.kind
    }
}

impl std::fmt::Display for SelectorError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SelectorError {}
