//! Filters over recorded actions: what [`ActionLog::matching`](super::ActionLog::matching)
//! and the assertion helpers look for.

use std::fmt;

use super::{Action, Verb};
use crate::faults::RequestInfo;
use crate::request_pattern::{RequestPattern, request_pattern_builders};

/// Which actions to look for. Every part is optional; an empty filter matches everything.
///
/// ```
/// use kobj_fake::actions::{ActionFilter, Verb};
///
/// let f = ActionFilter::verb(Verb::Patch)
///     .resource("widgets")
///     .namespace("default")
///     .subresource("status")
///     .param("fieldManager", serde_json::json!("ctrl"))
///     .succeeded();
/// assert_eq!(f.to_string(),
///     r#"verb=patch resource=widgets namespace=default subresource=status fieldManager="ctrl" succeeded"#);
/// ```
#[derive(Clone, Debug, Default)]
pub struct ActionFilter {
    pattern: RequestPattern,
    succeeded: Option<bool>,
    code: Option<u16>,
    reason: Option<String>,
    params: Vec<(String, serde_json::Value)>,
}

impl ActionFilter {
    /// Matches every action.
    #[must_use]
    pub fn any() -> Self {
        Self::default()
    }

    /// Matches actions with this verb.
    #[must_use]
    pub fn verb(v: Verb) -> Self {
        Self::any().with_verb(v)
    }

    /// Only actions with this verb.
    #[must_use]
    pub fn with_verb(mut self, v: Verb) -> Self {
        self.pattern.verb = Some(v);
        self
    }

    request_pattern_builders!("actions");

    /// Only actions without a name (list, watch, deletecollection; create without a name).
    #[must_use]
    pub fn no_name(mut self) -> Self {
        self.pattern.name = Some(None);
        self
    }

    /// Only successful actions.
    #[must_use]
    pub fn succeeded(mut self) -> Self {
        self.succeeded = Some(true);
        self
    }

    /// Only failed actions.
    #[must_use]
    pub fn failed(mut self) -> Self {
        self.succeeded = Some(false);
        self
    }

    /// Only actions that ended with this HTTP code.
    #[must_use]
    pub fn code(mut self, c: u16) -> Self {
        self.code = Some(c);
        self
    }

    /// Only failed actions with this Status reason (`Conflict`, `NotFound`, …).
    #[must_use]
    pub fn reason(mut self, r: &str) -> Self {
        self.reason = Some(r.to_string());
        self
    }

    /// Only actions whose `params` have `key` equal to `value`; `null` matches an absent key.
    #[must_use]
    pub fn param(mut self, key: &str, value: serde_json::Value) -> Self {
        self.params.push((key.to_string(), value));
        self
    }

    /// Whether the action satisfies every part of the filter.
    #[must_use]
    pub fn matches(&self, a: &Action) -> bool {
        let request = RequestInfo {
            verb: a.verb,
            group: &a.group,
            resource: &a.resource,
            namespace: a.namespace.as_deref(),
            name: a.name.as_deref(),
            subresource: a.subresource.as_deref(),
        };
        self.pattern.matches(&request)
            && self.succeeded.is_none_or(|s| s == a.outcome.is_success())
            && self.code.is_none_or(|c| c == a.outcome.code())
            && self
                .reason
                .as_deref()
                .is_none_or(|r| a.outcome.reason() == Some(r))
            && self.params.iter().all(|(key, want)| {
                let got = a.params.get(key).unwrap_or(&serde_json::Value::Null);
                got == want
            })
    }
}

impl fmt::Display for ActionFilter {
    /// The set parts as `key=value` words, or `any action`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        let opt = |key: &str, v: &Option<Option<String>>, none: &str| {
            v.as_ref().map(|v| match v {
                Some(v) => format!("{key}={v}"),
                None => none.to_string(),
            })
        };
        if let Some(v) = self.pattern.verb {
            parts.push(format!("verb={v}"));
        }
        if let Some(g) = &self.pattern.group {
            parts.push(format!("group={g:?}"));
        }
        if let Some(r) = &self.pattern.resource {
            parts.push(format!("resource={r}"));
        }
        parts.extend(opt("namespace", &self.pattern.namespace, "no namespace"));
        parts.extend(opt("name", &self.pattern.name, "no name"));
        parts.extend(opt(
            "subresource",
            &self.pattern.subresource,
            "no subresource",
        ));
        for (key, value) in &self.params {
            parts.push(format!("{key}={value}"));
        }
        match self.succeeded {
            Some(true) => parts.push("succeeded".into()),
            Some(false) => parts.push("failed".into()),
            None => {}
        }
        if let Some(c) = self.code {
            parts.push(format!("code={c}"));
        }
        if let Some(r) = &self.reason {
            parts.push(format!("reason={r}"));
        }
        if parts.is_empty() {
            f.write_str("any action")
        } else {
            f.write_str(&parts.join(" "))
        }
    }
}
