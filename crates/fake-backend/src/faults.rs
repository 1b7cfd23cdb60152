//! Fault injection: make chosen requests fail or slow down, in the spirit of client-go reactors
//! and controller-runtime interceptors.
//!
//! A [`Fault`] says which requests it applies to (verb, group, resource, namespace, name,
//! subresource), what happens to them (an error, a delay, or both) and how often (`times`,
//! `once`, `after`). [`Faults`] holds the rules; the engine calls [`Faults::check`] at the start
//! of every request, sleeps for the returned delay and then returns the error before touching
//! any state, so a faulted call leaves the cluster unchanged.
//!
//! ```
//! use kobj_core::{ApiResource, ResourceType};
//! use kobj_fake::actions::Verb;
//! use kobj_fake::faults::{Fault, FaultError, Faults, RequestInfo};
//! use kube_core::GroupVersionKind;
//!
//! let widgets = ResourceType::namespaced(ApiResource::from_gvk_with_plural(
//!     &GroupVersionKind::gvk("example.com", "v1", "Widget"), "widgets"));
//! let faults = Faults::default();
//! faults.add(Fault::on(Verb::Update).resource("widgets").error_kind(FaultError::Conflict).times(2));
//!
//! let req = RequestInfo { verb: Verb::Update, group: "example.com", resource: "widgets",
//!     namespace: Some("default"), name: Some("w1"), subresource: None };
//! for _ in 0..2 {
//!     let err = faults.check(&req, &widgets).and_then(|i| i.error).unwrap();
//!     assert!(err.is_conflict());
//! }
//! assert!(faults.check(&req, &widgets).is_none()); // the third call goes through
//! ```

use std::fmt;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use std::sync::Arc;

use kobj_core::error::StatusSummary;
use kobj_core::kube_core::Status;
use kobj_core::{Error, ResourceType};

use crate::actions::Verb;
use crate::request_pattern::{RequestPattern, request_pattern_builders};

/// The request a fault is checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestInfo<'a> {
    /// The verb.
    pub verb: Verb,
    /// The API group (empty for the core group).
    pub group: &'a str,
    /// The resource, plural.
    pub resource: &'a str,
    /// The namespace of the request, if any.
    pub namespace: Option<&'a str>,
    /// The object's name: the URL's name, or for create the name in the body (if given).
    pub name: Option<&'a str>,
    /// The subresource (`status`, `scale`), if any.
    pub subresource: Option<&'a str>,
}

/// A common failure, built for the faulted request with the API server's texts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultError {
    /// 404 `<qr> "<name>" not found`.
    NotFound,
    /// 409 `<qr> "<name>" already exists`.
    AlreadyExists,
    /// 409 `Operation cannot be fulfilled on <qr> "<name>": the object has been modified; …`
    /// (a stale resourceVersion).
    Conflict,
    /// 403 `<qr> "<name>" is forbidden: <why>`. An empty `why` gives the RBAC text:
    /// `User "system:anonymous" cannot <verb> resource "<plural>[/<sub>]" in API group
    /// "<group>" in the namespace "<ns>"` (or `at the cluster scope`).
    Forbidden(String),
    /// 401 `Unauthorized`.
    Unauthorized,
    /// 500 `Internal error occurred: <message>`.
    Internal(String),
    /// 504 `Timeout: request did not complete within requested timeout - context deadline
    /// exceeded`.
    Timeout,
    /// 429 `Too many requests, please try again later.` with `retryAfterSeconds`.
    TooManyRequests {
        /// The retry hint in the Status details.
        retry_after_seconds: u32,
    },
    /// 503 `the server is currently unable to handle the request`.
    ServiceUnavailable,
    /// A transport error (no HTTP response): a broken connection, a refused dial.
    Transport(String),
}

/// The user the RBAC-style Forbidden message names.
pub const FORBIDDEN_USER: &str = "system:anonymous";

impl FaultError {
    /// The error for this request, with its resource and name in the texts.
    #[must_use]
    pub fn to_error(&self, req: &RequestInfo<'_>, qualified: &ResourceType) -> Error {
        let name = req.name.unwrap_or("");
        match self {
            FaultError::NotFound => Error::not_found(qualified, name),
            FaultError::AlreadyExists => Error::already_exists(qualified, name),
            FaultError::Conflict => Error::stale(qualified, name),
            FaultError::Forbidden(why) if why.is_empty() => {
                Error::forbidden(qualified, name, rbac_denial(req))
            }
            FaultError::Forbidden(why) => Error::forbidden(qualified, name, why),
            FaultError::Unauthorized => Error::unauthorized("Unauthorized"),
            FaultError::Internal(message) => Error::internal(message),
            FaultError::Timeout => Error::timeout(
                "request did not complete within requested timeout - context deadline exceeded",
            ),
            FaultError::TooManyRequests {
                retry_after_seconds,
            } => Error::too_many_requests(
                "Too many requests, please try again later.",
                *retry_after_seconds,
            ),
            FaultError::ServiceUnavailable => Error::from_parts(
                503,
                "ServiceUnavailable",
                "the server is currently unable to handle the request",
            ),
            FaultError::Transport(message) => Error::transport(message.clone(), None),
        }
    }
}

/// The RBAC authorizer's denial text for a request.
fn rbac_denial(req: &RequestInfo<'_>) -> String {
    let resource = match req.subresource {
        Some(sub) => format!("{}/{sub}", req.resource),
        None => req.resource.to_string(),
    };
    let scope = match req.namespace {
        Some(ns) => format!("in the namespace {ns:?}"),
        None => "at the cluster scope".to_string(),
    };
    format!(
        "User {FORBIDDEN_USER:?} cannot {} resource {resource:?} in API group {:?} {scope}",
        req.verb, req.group
    )
}

#[derive(Clone, Debug, PartialEq)]
enum FaultErrorSpec {
    Status(Box<Status>),
    Kind(FaultError),
}

/// A fault rule: which requests, what happens, how often. Parts left unset match anything.
///
/// ```
/// use std::time::Duration;
/// use kobj_fake::actions::Verb;
/// use kobj_fake::faults::{Fault, FaultError};
///
/// // The third and fourth gets of widget "w1" in "default" take 50 ms and then fail with 503.
/// let f = Fault::on(Verb::Get)
///     .resource("widgets")
///     .namespace("default")
///     .name("w1")
///     .delay(Duration::from_millis(50))
///     .error_kind(FaultError::ServiceUnavailable)
///     .after(2)
///     .times(2);
/// # let _ = f;
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Fault {
    pattern: RequestPattern,
    error: Option<FaultErrorSpec>,
    delay: Option<Duration>,
    times: Option<usize>,
    after: usize,
}

impl Fault {
    fn new(verb: Option<Verb>) -> Self {
        Self {
            pattern: RequestPattern {
                verb,
                ..RequestPattern::default()
            },
            error: None,
            delay: None,
            times: None,
            after: 0,
        }
    }

    /// A rule for requests with this verb.
    #[must_use]
    pub fn on(verb: Verb) -> Self {
        Self::new(Some(verb))
    }

    /// A rule for requests with any verb.
    #[must_use]
    pub fn on_any() -> Self {
        Self::new(None)
    }

    request_pattern_builders!("requests");

    /// Fail with this Status (its `code` defaults to 500 and its `status` to `Failure`, as the
    /// API server fills them in).
    #[must_use]
    pub fn error(mut self, mut status: Status) -> Self {
        if status.code == 0 {
            status.code = 500;
        }
        status.status = Some(StatusSummary::Failure);
        self.error = Some(FaultErrorSpec::Status(Box::new(status)));
        self
    }

    /// Fail with a common error, built for each request with its resource and name.
    #[must_use]
    pub fn error_kind(mut self, kind: FaultError) -> Self {
        self.error = Some(FaultErrorSpec::Kind(kind));
        self
    }

    /// Wait this long before answering (or before failing, with an error too).
    #[must_use]
    pub fn delay(mut self, d: Duration) -> Self {
        self.delay = Some(d);
        self
    }

    /// Apply to the next `n` matching calls (after those [`after`](Self::after) lets
    /// through), then stop. Without it the rule applies forever.
    #[must_use]
    pub fn times(mut self, n: usize) -> Self {
        self.times = Some(n);
        self
    }

    /// Apply to the next matching call only: `times(1)`.
    #[must_use]
    pub fn once(self) -> Self {
        self.times(1)
    }

    /// Let the first `n` matching calls through untouched. While it lets calls through, the
    /// rule does not claim them, so later rules are still checked.
    #[must_use]
    pub fn after(mut self, n: usize) -> Self {
        self.after = n;
        self
    }

    /// Whether the rule's request pattern matches (ignoring its counters).
    #[must_use]
    pub fn matches(&self, req: &RequestInfo<'_>) -> bool {
        self.pattern.matches(req)
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pattern.verb {
            Some(v) => write!(f, "{v}")?,
            None => f.write_str("any verb")?,
        }
        if let Some(g) = &self.pattern.group {
            write!(f, " group={g:?}")?;
        }
        if let Some(r) = &self.pattern.resource {
            write!(f, " resource={r}")?;
        }
        match &self.pattern.namespace {
            Some(Some(ns)) => write!(f, " namespace={ns}")?,
            Some(None) => f.write_str(" no namespace")?,
            None => {}
        }
        if let Some(Some(n)) = &self.pattern.name {
            write!(f, " name={n}")?;
        }
        match &self.pattern.subresource {
            Some(Some(s)) => write!(f, " subresource={s}")?,
            Some(None) => f.write_str(" no subresource")?,
            None => {}
        }
        if let Some(d) = self.delay {
            write!(f, ": delay {d:?}")?;
        }
        match &self.error {
            Some(FaultErrorSpec::Status(s)) => write!(f, ": fail {} {}", s.code, s.reason)?,
            Some(FaultErrorSpec::Kind(k)) => write!(f, ": fail {k:?}")?,
            None => {}
        }
        if self.after > 0 {
            write!(f, " after {}", self.after)?;
        }
        if let Some(n) = self.times {
            write!(f, " {n} time(s)")?;
        }
        Ok(())
    }
}

/// What the engine must do to a faulted request: sleep for `delay`, then fail with `error`.
#[derive(Debug)]
pub struct Injection {
    /// Wait this long first.
    pub delay: Option<Duration>,
    /// Then fail with this error (or go on normally when `None`).
    pub error: Option<Error>,
}

/// Identifies a rule added with [`Faults::add`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FaultId(u64);

#[derive(Clone, Debug)]
struct Rule {
    id: FaultId,
    fault: Fault,
    /// Matching calls seen so far.
    seen: usize,
    /// Calls the rule was applied to.
    fired: usize,
}

impl Rule {
    fn is_live(&self) -> bool {
        self.fault.times.is_none_or(|n| self.fired < n)
    }
}

#[derive(Debug, Default)]
struct Inner {
    /// How many rules can still fire; `0` lets `check` return without locking.
    live: AtomicUsize,
    next_id: AtomicU64,
    rules: Mutex<Vec<Rule>>,
}

/// The fault rules of a cluster. Clones share them.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    inner: Arc<Inner>,
}

impl Faults {
    /// No rules.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Rule>> {
        self.inner
            .rules
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// An independent copy: the same rules with the same counters, shared with nobody.
    #[must_use]
    pub fn fork(&self) -> Self {
        let rules = self.lock().clone();
        let live = rules.iter().filter(|r| r.is_live()).count();
        Self {
            inner: Arc::new(Inner {
                live: AtomicUsize::new(live),
                next_id: AtomicU64::new(self.inner.next_id.load(Ordering::Relaxed)),
                rules: Mutex::new(rules),
            }),
        }
    }

    /// Adds a rule after the existing ones (the first matching rule wins).
    pub fn add(&self, f: Fault) -> FaultId {
        let id = FaultId(self.inner.next_id.fetch_add(1, Ordering::Relaxed));
        let rule = Rule {
            id,
            fault: f,
            seen: 0,
            fired: 0,
        };
        let mut rules = self.lock();
        if rule.is_live() {
            self.inner.live.fetch_add(1, Ordering::Release);
        }
        rules.push(rule);
        id
    }

    /// Removes a rule (no-op if it is gone already).
    pub fn remove(&self, id: FaultId) {
        let mut rules = self.lock();
        if let Some(pos) = rules.iter().position(|r| r.id == id) {
            let rule = rules.remove(pos);
            if rule.is_live() {
                self.inner.live.fetch_sub(1, Ordering::Release);
            }
        }
    }

    /// Removes every rule.
    pub fn clear(&self) {
        let mut rules = self.lock();
        rules.clear();
        self.inner.live.store(0, Ordering::Release);
    }

    /// Whether no rule can fire any more.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.inner.live.load(Ordering::Acquire) == 0
    }

    /// How many calls a rule was applied to so far (`0` for an unknown id).
    #[must_use]
    pub fn fired(&self, id: FaultId) -> usize {
        self.lock()
            .iter()
            .find(|r| r.id == id)
            .map_or(0, |r| r.fired)
    }

    /// The injection for a request, if a rule applies: the first matching rule that can still
    /// fire wins and counts down its `times`. Rules still letting calls through
    /// ([`Fault::after`]) count the call and pass it on to later rules. With no live rules this
    /// is one atomic load.
    #[must_use]
    pub fn check(&self, req: &RequestInfo<'_>, qualified: &ResourceType) -> Option<Injection> {
        if self.inner.live.load(Ordering::Acquire) == 0 {
            return None;
        }
        let mut rules = self.lock();
        for rule in rules.iter_mut() {
            if !rule.is_live() || !rule.fault.matches(req) {
                continue;
            }
            rule.seen += 1;
            if rule.seen <= rule.fault.after {
                continue;
            }
            rule.fired += 1;
            if !rule.is_live() {
                self.inner.live.fetch_sub(1, Ordering::Release);
            }
            let error = rule.fault.error.as_ref().map(|spec| match spec {
                FaultErrorSpec::Status(status) => Error::Api(status.clone()),
                FaultErrorSpec::Kind(kind) => kind.to_error(req, qualified),
            });
            return Some(Injection {
                delay: rule.fault.delay,
                error,
            });
        }
        None
    }
}

#[cfg(test)]
mod tests;
