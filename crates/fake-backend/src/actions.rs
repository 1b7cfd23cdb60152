//! The action log: every request the fake served, for tests to assert on.
//!
//! Like client-go's `testing.Fake.Actions()`, but with the outcome of each call and filters that
//! say what to look for. The engine records one [`Action`] per request (faulted ones included);
//! tests read them back with [`ActionLog::all`] or [`ActionLog::matching`], or assert with
//! [`ActionLog::assert_called`] and friends, which panic with a listing of what was recorded.
//!
//! ```
//! use kobj_fake::actions::{Action, ActionFilter, ActionLog, Outcome, Verb};
//!
//! let log = ActionLog::default();
//! log.record(Action {
//!     verb: Verb::Create,
//!     group: "example.com".into(),
//!     version: "v1".into(),
//!     resource: "widgets".into(),
//!     namespace: Some("default".into()),
//!     name: Some("w1".into()),
//!     subresource: None,
//!     params: serde_json::json!({"fieldManager": "test"}),
//!     outcome: Outcome::Success { code: 201 },
//! });
//! log.assert_called(&ActionFilter::verb(Verb::Create).resource("widgets").succeeded());
//! log.assert_not_called(&ActionFilter::verb(Verb::Delete));
//! assert_eq!(log.all()[0].to_string(),
//!     r#"create widgets.example.com default/w1 {"fieldManager":"test"} -> 201"#);
//! ```

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// An API verb, as the API server's authorizer names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verb {
    /// `POST` on a collection.
    Create,
    /// `GET` of one object (or of a subresource).
    Get,
    /// `GET` of a collection.
    List,
    /// `PUT` (replace).
    Update,
    /// `PATCH`, including server-side apply.
    Patch,
    /// `DELETE` of one object.
    Delete,
    /// `DELETE` of a collection.
    DeleteCollection,
    /// `GET` with `watch=1`.
    Watch,
}

impl Verb {
    /// Every verb, in the order above.
    pub const ALL: [Verb; 8] = [
        Verb::Create,
        Verb::Get,
        Verb::List,
        Verb::Update,
        Verb::Patch,
        Verb::Delete,
        Verb::DeleteCollection,
        Verb::Watch,
    ];

    /// The lower-case name: `create`, `get`, `list`, `update`, `patch`, `delete`,
    /// `deletecollection`, `watch`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Create => "create",
            Verb::Get => "get",
            Verb::List => "list",
            Verb::Update => "update",
            Verb::Patch => "patch",
            Verb::Delete => "delete",
            Verb::DeleteCollection => "deletecollection",
            Verb::Watch => "watch",
        }
    }
}

impl fmt::Display for Verb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a request ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The request succeeded with this HTTP code (200, 201, 202).
    Success {
        /// The HTTP status code.
        code: u16,
    },
    /// The request failed.
    Failure {
        /// The HTTP status code; `0` when no HTTP response exists (a transport, decode or
        /// configuration error).
        code: u16,
        /// The Status reason (`NotFound`, `Conflict`, …), or `Transport` / `Decode` / `Config`.
        reason: String,
        /// The Status message.
        message: String,
    },
}

impl Outcome {
    /// The outcome of a call: `Success { code: success_code }` for `Ok`, otherwise the error's
    /// code, reason and message.
    ///
    /// ```
    /// use kobj_fake::actions::Outcome;
    ///
    /// let failed: kobj_core::Result<()> = Err(kobj_core::Error::bad_request("nope"));
    /// assert_eq!(Outcome::from_result(&failed, 200), Outcome::Failure {
    ///     code: 400, reason: "BadRequest".into(), message: "nope".into() });
    /// assert_eq!(Outcome::from_result(&Ok::<_, kobj_core::Error>(()), 201),
    ///     Outcome::Success { code: 201 });
    /// ```
    #[must_use]
    pub fn from_result<T>(r: &kobj_core::Result<T>, success_code: u16) -> Self {
        match r {
            Ok(_) => Outcome::Success { code: success_code },
            Err(e) => Self::from_error(e),
        }
    }

    /// The failure outcome of an error.
    #[must_use]
    pub fn from_error(e: &kobj_core::Error) -> Self {
        match e {
            kobj_core::Error::Api(status) => Outcome::Failure {
                code: status.code,
                reason: status.reason.clone(),
                message: status.message.clone(),
            },
            kobj_core::Error::Transport { message, .. } => Outcome::Failure {
                code: 0,
                reason: "Transport".into(),
                message: message.clone(),
            },
            kobj_core::Error::Decode { message, .. } => Outcome::Failure {
                code: 0,
                reason: "Decode".into(),
                message: message.clone(),
            },
            kobj_core::Error::Config { message, .. } => Outcome::Failure {
                code: 0,
                reason: "Config".into(),
                message: message.clone(),
            },
            other => Outcome::Failure {
                code: other.code().unwrap_or(0),
                reason: format!("{:?}", other.kind()),
                message: other.to_string(),
            },
        }
    }

    /// Whether the request succeeded.
    #[must_use]
    pub fn is_success(&self) -> bool {
        matches!(self, Outcome::Success { .. })
    }

    /// The HTTP code (`0` for failures without an HTTP response).
    #[must_use]
    pub fn code(&self) -> u16 {
        match self {
            Outcome::Success { code } | Outcome::Failure { code, .. } => *code,
        }
    }

    /// The failure reason, if the request failed.
    #[must_use]
    pub fn reason(&self) -> Option<&str> {
        match self {
            Outcome::Success { .. } => None,
            Outcome::Failure { reason, .. } => Some(reason),
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Success { code } => write!(f, "{code}"),
            Outcome::Failure {
                code,
                reason,
                message,
            } => write!(f, "{code} {reason}: {message}"),
        }
    }
}

/// One request the fake served.
#[derive(Clone, Debug, PartialEq)]
pub struct Action {
    /// The verb.
    pub verb: Verb,
    /// The API group (empty for the core group).
    pub group: String,
    /// The API version.
    pub version: String,
    /// The resource, plural (`widgets`).
    pub resource: String,
    /// The namespace of the request, if any.
    pub namespace: Option<String>,
    /// The object name, for requests on one object.
    pub name: Option<String>,
    /// The subresource (`status`, `scale`), if any.
    pub subresource: Option<String>,
    /// The request's parameters as a JSON object: `labelSelector`, `fieldSelector`, `limit`,
    /// `dryRun`, `fieldManager`, `force`, `patchType`, `propagationPolicy`, … (`{}` when none).
    pub params: serde_json::Value,
    /// How the request ended.
    pub outcome: Outcome,
}

impl Action {
    /// `<plural>` in the core group, `<plural>.<group>` elsewhere.
    #[must_use]
    pub fn qualified_resource(&self) -> String {
        if self.group.is_empty() {
            self.resource.clone()
        } else {
            format!("{}.{}", self.resource, self.group)
        }
    }
}

impl fmt::Display for Action {
    /// One line: `<verb> <qr> <target>[ [<subresource>]][ <params>] -> <outcome>`, where the
    /// target is `ns/name`, `name` (cluster-scoped), `ns/*` (a collection in a namespace) or `*`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} ", self.verb, self.qualified_resource())?;
        match (&self.namespace, &self.name) {
            (Some(ns), Some(name)) => write!(f, "{ns}/{name}")?,
            (None, Some(name)) => f.write_str(name)?,
            (Some(ns), None) => write!(f, "{ns}/*")?,
            (None, None) => f.write_str("*")?,
        }
        if let Some(sub) = &self.subresource {
            write!(f, " [{sub}]")?;
        }
        let has_params = match &self.params {
            serde_json::Value::Null => false,
            serde_json::Value::Object(map) => !map.is_empty(),
            _ => true,
        };
        if has_params {
            write!(f, " {}", self.params)?;
        }
        write!(f, " -> {}", self.outcome)
    }
}

/// The recorded actions. Clones share the log; recording is one `Vec` push under a mutex and
/// can be switched off (for benchmarks) with [`set_enabled`](Self::set_enabled).
#[derive(Clone, Debug, Default)]
pub struct ActionLog {
    actions: Arc<Mutex<Vec<Action>>>,
    disabled: Arc<AtomicBool>,
}

impl ActionLog {
    /// An empty, enabled log.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Action>> {
        self.actions.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Appends an action (nothing happens while the log is disabled).
    pub fn record(&self, a: Action) {
        if self.is_enabled() {
            self.lock().push(a);
        }
    }

    /// Builds and appends an action only while the log is enabled, so a disabled log costs
    /// one atomic load.
    pub fn record_with(&self, build: impl FnOnce() -> Action) {
        if self.is_enabled() {
            let action = build();
            self.lock().push(action);
        }
    }

    /// An independent copy: the same actions and the same on/off switch, shared with nobody.
    #[must_use]
    pub fn fork(&self) -> Self {
        let copy = Self::default();
        copy.set_enabled(self.is_enabled());
        copy.lock().extend(self.lock().iter().cloned());
        copy
    }

    /// Switches recording on or off; recorded actions stay.
    pub fn set_enabled(&self, enabled: bool) {
        self.disabled.store(!enabled, Ordering::Relaxed);
    }

    /// Whether actions are being recorded (the default).
    #[must_use]
    pub fn is_enabled(&self) -> bool {
        !self.disabled.load(Ordering::Relaxed)
    }

    /// A copy of every recorded action, oldest first.
    #[must_use]
    pub fn all(&self) -> Vec<Action> {
        self.lock().clone()
    }

    /// Forgets every recorded action.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// How many actions were recorded.
    #[must_use]
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no action was recorded.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// The recorded actions the filter matches, oldest first.
    #[must_use]
    pub fn matching(&self, f: &ActionFilter) -> Vec<Action> {
        self.lock()
            .iter()
            .filter(|a| f.matches(a))
            .cloned()
            .collect()
    }

    /// How many recorded actions the filter matches.
    #[must_use]
    pub fn count(&self, f: &ActionFilter) -> usize {
        self.lock().iter().filter(|a| f.matches(a)).count()
    }

    /// Asserts that at least one recorded action matches.
    ///
    /// # Panics
    /// When none does, with the filter and a listing of the recorded actions.
    #[track_caller]
    pub fn assert_called(&self, f: &ActionFilter) {
        let actions = self.all();
        if !actions.iter().any(|a| f.matches(a)) {
            panic!(
                "expected an action matching `{f}`, but none was recorded\n{}",
                listing(&actions, &[])
            );
        }
    }

    /// Asserts that no recorded action matches.
    ///
    /// # Panics
    /// When one does, with the filter and a listing that marks the matching actions.
    #[track_caller]
    pub fn assert_not_called(&self, f: &ActionFilter) {
        let actions = self.all();
        let hits = matching_indices(&actions, f);
        if !hits.is_empty() {
            panic!(
                "expected no action matching `{f}`, but {} were recorded (marked *)\n{}",
                hits.len(),
                listing(&actions, &hits)
            );
        }
    }

    /// Asserts that exactly `n` recorded actions match.
    ///
    /// # Panics
    /// When the count differs, with a listing that marks the matching actions.
    #[track_caller]
    pub fn assert_count(&self, f: &ActionFilter, n: usize) {
        let actions = self.all();
        let hits = matching_indices(&actions, f);
        if hits.len() != n {
            panic!(
                "expected {n} action(s) matching `{f}`, found {} (marked *)\n{}",
                hits.len(),
                listing(&actions, &hits)
            );
        }
    }

    /// Asserts that actions matching `fs` were recorded in this order; other actions may come
    /// between them. Each filter is matched by an action after the one that matched the
    /// previous filter.
    ///
    /// # Panics
    /// At the first filter with no match after the previous one, with a listing that marks the
    /// actions matched so far.
    #[track_caller]
    pub fn assert_sequence(&self, fs: &[ActionFilter]) {
        let actions = self.all();
        let mut hits = Vec::with_capacity(fs.len());
        let mut start = 0;
        for (i, f) in fs.iter().enumerate() {
            match actions[start..].iter().position(|a| f.matches(a)) {
                Some(offset) => {
                    hits.push(start + offset);
                    start += offset + 1;
                }
                None => {
                    let after = match hits.last() {
                        Some(last) => format!("after action #{}", last + 1),
                        None => "at all".to_string(),
                    };
                    panic!(
                        "expected a sequence of {} actions; step {} (`{f}`) was not recorded \
                         {after} (steps matched so far are marked *)\n{}",
                        fs.len(),
                        i + 1,
                        listing(&actions, &hits)
                    );
                }
            }
        }
    }
}

fn matching_indices(actions: &[Action], f: &ActionFilter) -> Vec<usize> {
    actions
        .iter()
        .enumerate()
        .filter(|(_, a)| f.matches(a))
        .map(|(i, _)| i)
        .collect()
}

/// The recorded actions, numbered from 1, those in `marked` flagged with `*`.
fn listing(actions: &[Action], marked: &[usize]) -> String {
    if actions.is_empty() {
        return "recorded actions: none".to_string();
    }
    let mut out = format!("recorded actions ({}):", actions.len());
    for (i, a) in actions.iter().enumerate() {
        let mark = if marked.contains(&i) { '*' } else { ' ' };
        out.push_str(&format!("\n {mark}{:>4}. {a}", i + 1));
    }
    out
}

mod filter;
pub use filter::ActionFilter;

pub mod params;

#[cfg(test)]
mod tests;
